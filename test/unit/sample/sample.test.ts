import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSampleSet, generateWaferCsvChunks, SECOM_ROWS, writeSampleSet } from '../../../src/main/sample';
import { createFileValidator, validateFileBytes } from '../../../src/main/ml/validate';
import {
  importReferenceSchemaJson,
  WAFER_PREDICTION_SCHEMA,
  WAFER_TRAINING_SCHEMA,
  REASON_CODES,
} from '../../../src/shared/schema';

const ROOT = join(__dirname, '../../../resources/sample');

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...listFiles(p));
    else out.push(relative(ROOT, p).split('\\').join('/'));
  }
  return out;
}

interface ManifestEntry {
  path: string;
  status: 'good' | 'bad';
  reasons: string[];
  rows?: number;
}

describe('bundled sample data', () => {
  it('is exactly what the generator produces (regenerating gives identical bytes)', () => {
    const files = buildSampleSet();
    const committed = listFiles(ROOT).sort();
    expect(committed).toEqual(files.map((f) => f.path).sort());
    for (const f of files) {
      expect(Buffer.compare(readFileSync(join(ROOT, f.path)), Buffer.from(f.bytes)), f.path).toBe(0);
    }
    const tmp = mkdtempSync(join(tmpdir(), 'wfs-sample-'));
    try {
      writeSampleSet(tmp);
      for (const f of files)
        expect(Buffer.compare(readFileSync(join(tmp, f.path)), Buffer.from(f.bytes))).toBe(0);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('stays small', () => {
    const total = buildSampleSet().reduce((n, f) => n + f.bytes.length, 0);
    expect(total).toBeLessThan(3_000_000);
  });

  it('validates as the manifest says: good files good, each bad file with exactly its intended reason', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'MANIFEST.json'), 'utf8')) as {
      files: ManifestEntry[];
    };
    const covered = new Set<string>();
    let faulty = 0;
    let labelled = 0;
    for (const m of manifest.files) {
      const schema = m.path.startsWith('prediction/') ? WAFER_PREDICTION_SCHEMA : WAFER_TRAINING_SCHEMA;
      const name = m.path.split('/').pop()!;
      const r = validateFileBytes(schema, name, readFileSync(join(ROOT, m.path)), { chunkSize: 10007 });
      expect(r.status, m.path).toBe(m.status);
      expect(
        r.reasons.map((x) => x.code),
        m.path,
      ).toEqual(m.reasons);
      if (m.rows !== undefined) expect(r.rows, m.path).toBe(m.rows);
      m.reasons.forEach((c) => covered.add(c));
      if (r.status === 'good' && r.labelCounts) {
        faulty += r.labelCounts.faulty;
        labelled += r.labelCounts.faulty + r.labelCounts.good;
      }
    }
    // One bad file per reason the validator itself can give.
    expect([...covered].sort()).toEqual(REASON_CODES.filter((c) => c !== 'duplicate_file').sort());
    expect(manifest.files.filter((f) => f.path.startsWith('training/') && f.status === 'good')).toHaveLength(
      6,
    );
    expect(
      manifest.files.filter((f) => f.path.startsWith('prediction/') && f.status === 'good').length,
    ).toBeGreaterThanOrEqual(2);
    expect(faulty / labelled).toBeGreaterThan(0.03);
    expect(faulty / labelled).toBeLessThan(0.1);
  });

  it('ships the two reference schema files', () => {
    for (const [f, kind] of [
      ['schema_training.json', 'training'],
      ['schema_prediction.json', 'prediction'],
    ] as const) {
      const r = importReferenceSchemaJson(readFileSync(join(ROOT, f), 'utf8'), kind);
      expect(r.errors).toEqual([]);
    }
  });
});

describe('generateWaferCsvChunks', () => {
  it('streams a deterministic, valid 1x wafer file (1,567 x 592) in chunks of the requested size', () => {
    const chunks = [...generateWaferCsvChunks(7, SECOM_ROWS, { chunkSize: 65536 })];
    expect(chunks.slice(0, -1).every((c) => c.length === 65536)).toBe(true);
    const again = [...generateWaferCsvChunks(7, SECOM_ROWS, { chunkSize: 65536 })];
    expect(Buffer.compare(Buffer.concat(chunks), Buffer.concat(again))).toBe(0);
    const ids = new Set<string>();
    const v = createFileValidator(WAFER_TRAINING_SCHEMA, 'wafer_01012021_000000.csv', {
      onRow: (r) => ids.add(r.id),
    });
    for (const c of chunks) v.push(c);
    const r = v.finish();
    expect(r.reasons).toEqual([]);
    expect(r.rows).toBe(SECOM_ROWS);
    expect(ids.size).toBe(SECOM_ROWS);
    expect(r.header).toHaveLength(592);
    expect(r.labelCounts!.faulty).toBeGreaterThan(0);
  });

  it('can leave out the label', () => {
    const r = validateFileBytes(
      WAFER_PREDICTION_SCHEMA,
      'wafer_01012021_000000.csv',
      Buffer.concat([...generateWaferCsvChunks(1, 20, { withLabel: false })]),
    );
    expect(r.status).toBe('good');
    expect(r.rows).toBe(20);
  });
});

it('sample root exists', () => expect(existsSync(ROOT)).toBe(true));
