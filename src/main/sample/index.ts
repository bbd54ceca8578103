// Writes the seeded sample data set (see wafer.ts) to a folder; used by `generate.ts` and by the app's
// "load sample data" action. Kept apart from wafer.ts because this part touches the file system.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildSampleSet, type SampleFile } from './wafer';

export {
  buildSampleSet,
  generateWaferCsvChunks,
  makeWaferProfile,
  SECOM_ROWS,
  type SampleFile,
} from './wafer';

/** Write the sample set under outDir (training/, prediction/, schema JSON, MANIFEST.json); returns the files. */
export function writeSampleSet(outDir: string, seed?: number): SampleFile[] {
  const files = buildSampleSet(seed);
  for (const f of files) {
    const p = join(outDir, ...f.path.split('/'));
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, f.bytes);
  }
  return files;
}
