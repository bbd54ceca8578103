// Command-line entry: `npx tsx src/main/sample/generate.ts [outDir]` (default resources/sample) regenerates the
// bundled sample data. Not imported by the app.
import { resolve } from 'node:path';
import { writeSampleSet } from './index';

const outDir = resolve(process.argv[2] ?? 'resources/sample');
const files = writeSampleSet(outDir);
const bytes = files.reduce((n, f) => n + f.bytes.length, 0);
console.log(`wrote ${files.length} files (${(bytes / 1e6).toFixed(2)} MB) to ${outDir}`);
