// Seeded generator of wafer-like sensor batch files: the bundled sample data (resources/sample), one bad file
// per rejection reason, and a fast chunk stream of large files for the ingest benchmark. Pure (no fs) so the
// same bytes come out everywhere; index.ts writes them to disk.

import {
  exportReferenceSchemaJson,
  WAFER_PREDICTION_SCHEMA,
  WAFER_SENSOR_COUNT,
  WAFER_TRAINING_SCHEMA,
  type ReasonCode,
} from '../../shared/schema';

/** mulberry32: tiny, fast, and good enough for synthetic data; fixed so outputs never drift. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(rnd: () => number): number {
  const u = 1 - rnd();
  const v = rnd();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

interface SensorProfile {
  mean: number;
  sd: number; // 0 = constant sensor
  decimals: number;
  fullPrecision: boolean; // printed like pandas prints a computed double (15-17 digits)
  missingRate: number;
  faultShift: number; // in sd units, 0 for sensors that carry no fault signal
}

export interface WaferProfile {
  sensors: SensorProfile[];
  signalSensors: number[]; // 1-based sensor numbers that move on faulty wafers
}

/** Per-sensor levels resembling the reference data: a few thousands, hundreds, ones and small fractions. */
export function makeWaferProfile(seed: number, sensorCount = WAFER_SENSOR_COUNT): WaferProfile {
  const rnd = seededRandom(seed);
  const signal = new Set<number>();
  while (signal.size < Math.min(6, sensorCount)) signal.add(1 + Math.floor(rnd() * sensorCount));
  const sensors: SensorProfile[] = [];
  for (let s = 1; s <= sensorCount; s++) {
    const constant = rnd() < 0.08;
    const mag = Math.pow(10, -2.5 + rnd() * 6);
    const mean = constant ? [0, 1, 100][Math.floor(rnd() * 3)]! : (rnd() < 0.06 ? -1 : 1) * mag;
    const sd = constant ? 0 : Math.abs(mean) * (0.003 + rnd() * 0.15);
    const decimals = Math.max(0, Math.min(4, 6 - Math.ceil(Math.log10(Math.abs(mean) + 1e-9))));
    const m = rnd();
    const missingRate = m < 0.7 ? rnd() * 0.01 : m < 0.95 ? 0.02 + rnd() * 0.08 : 0.3 + rnd() * 0.3;
    sensors.push({
      mean,
      sd,
      decimals,
      fullPrecision: !constant && rnd() < 0.005,
      missingRate,
      faultShift: signal.has(s) ? (rnd() < 0.5 ? -1 : 1) * (1.5 + rnd() * 1.5) : 0,
    });
  }
  return { sensors, signalSensors: [...signal].sort((a, b) => a - b) };
}

function formatValue(v: number, p: SensorProfile): string {
  if (p.fullPrecision) return String(v);
  let t = v.toFixed(p.decimals);
  if (t.includes('.')) t = t.replace(/0+$/, '').replace(/\.$/, '');
  return t === '-0' ? '0' : t;
}

export interface WaferRowOptions {
  faulty: boolean;
  withLabel: boolean;
  noMissing?: boolean;
}

/** One data row (without line end): id, 590 sensor values (empty = missing) and, for training, the label. */
export function waferRowCells(
  profile: WaferProfile,
  rnd: () => number,
  id: string,
  o: WaferRowOptions,
): string[] {
  const cells = [id];
  for (const p of profile.sensors) {
    if (!o.noMissing && rnd() < p.missingRate) {
      cells.push('');
      continue;
    }
    const shift = o.faulty ? p.faultShift * p.sd : 0;
    cells.push(formatValue(p.mean + shift + gaussian(rnd) * p.sd * (o.faulty && p.faultShift ? 1.3 : 1), p));
  }
  if (o.withLabel) cells.push(o.faulty ? '1' : '-1');
  return cells;
}

export function waferHeader(withLabel: boolean, sensorCount = WAFER_SENSOR_COUNT): string {
  const h = [''];
  for (let s = 1; s <= sensorCount; s++) h.push(`Sensor-${s}`);
  if (withLabel) h.push('Good/Bad');
  return h.join(',');
}

// ---------------------------------------------------------------------------------------------------------
// The bundled sample set.

export interface SampleFile {
  path: string; // relative to the sample root, '/'-separated
  bytes: Uint8Array;
  expect?: { status: 'good' | 'bad'; reasons: ReasonCode[]; rows?: number };
  note?: string;
}

const enc = new TextEncoder();
const CRLF = '\r\n';

interface BatchFileSpec {
  rows: number;
  withLabel: boolean;
  faultyRate: number;
  firstId: number;
  noMissing?: boolean;
}

function batchRows(profile: WaferProfile, rnd: () => number, spec: BatchFileSpec): string[][] {
  const rows: string[][] = [];
  for (let r = 0; r < spec.rows; r++) {
    const faulty = rnd() < spec.faultyRate;
    const o = { faulty, withLabel: spec.withLabel, noMissing: spec.noMissing ?? false };
    rows.push(waferRowCells(profile, rnd, `Wafer-${spec.firstId + r}`, o));
  }
  return rows;
}

function csv(header: string, rows: string[][]): Uint8Array {
  return enc.encode(header + CRLF + rows.map((r) => r.join(',') + CRLF).join(''));
}

/**
 * The sample set: training/ (6 good files and one bad file per reason), prediction/ (good files, no label),
 * both reference schema JSON files and a manifest of what validation must say about each file.
 */
export function buildSampleSet(seed = 20240501): SampleFile[] {
  const rnd = seededRandom(seed);
  const profile = makeWaferProfile(seed ^ 0x5eed);
  const files: SampleFile[] = [];
  const hdrT = waferHeader(true);
  const hdrP = waferHeader(false);
  let nextId = 1;
  const good = (dir: string, name: string, rows: number, withLabel: boolean) => {
    const r = batchRows(profile, rnd, { rows, withLabel, faultyRate: 0.06, firstId: nextId });
    nextId += rows;
    files.push({
      path: `${dir}/${name}`,
      bytes: csv(withLabel ? hdrT : hdrP, r),
      expect: { status: 'good', reasons: [], rows },
    });
  };
  const goodNames = [
    'wafer_01022021_080000.csv',
    'wafer_02022021_081500.csv',
    'wafer_03022021_093000.csv',
    'wafer_04022021_104500.csv',
    'wafer_05022021_120000.csv',
    'wafer_06022021_131500.csv',
  ];
  goodNames.forEach((n, i) => good('training', n, 50 + ((i * 7) % 20), true));

  // Bad training files: small, each breaking exactly one rule (no random gaps, so that with 6 rows no column
  // ends up empty by chance).
  const small = (rows = 6) => {
    const r = batchRows(profile, rnd, {
      rows,
      withLabel: true,
      faultyRate: 0,
      firstId: nextId,
      noMissing: true,
    });
    nextId += rows;
    return r;
  };
  const bad = (name: string, bytes: Uint8Array, reason: ReasonCode, rows: number | undefined, note: string) =>
    files.push({
      path: `training/${name}`,
      bytes,
      expect: { status: 'bad', reasons: [reason], ...(rows === undefined ? {} : { rows }) },
      note,
    });

  bad(
    'Wafer_07022021_080000.csv',
    csv(hdrT, small()),
    'name_pattern',
    6,
    'capital W: names are case-sensitive',
  );
  bad('wafer_0802202_080000.csv', csv(hdrT, small()), 'date_stamp_length', 6, 'date stamp has 7 digits');
  bad('wafer_09022021_08000.csv', csv(hdrT, small()), 'time_stamp_length', 6, 'time stamp has 5 digits');
  bad('wafer_30022021_080000.csv', csv(hdrT, small()), 'date', 6, '30 February is not a date');
  {
    const rows = small().map((r) => r.slice(0, -2).concat(r.slice(-1))); // drop Sensor-590
    const header = hdrT.split(',');
    header.splice(-2, 1);
    bad('wafer_10022021_080000.csv', csv(header.join(','), rows), 'column_count', 6, 'Sensor-590 left out');
  }
  {
    const rows = small();
    for (const r of rows) r[42] = '';
    bad('wafer_11022021_080000.csv', csv(hdrT, rows), 'column_all_missing', 6, 'Sensor-42 has no values');
  }
  {
    const rows = small();
    rows[2]![17] = 'ERR#3';
    bad(
      'wafer_12022021_080000.csv',
      csv(hdrT, rows),
      'non_numeric_value',
      6,
      'text "ERR#3" in Sensor-17, row 3',
    );
  }
  {
    const rows = small();
    rows[4]![rows[4]!.length - 1] = '0';
    bad('wafer_13022021_080000.csv', csv(hdrT, rows), 'bad_label', 6, 'label 0 in row 5');
  }
  {
    const rows = small();
    rows[1]!.splice(300, 1);
    bad('wafer_14022021_080000.csv', csv(hdrT, rows), 'ragged_row', 6, 'row 2 has one value too few');
  }
  bad('wafer_15022021_080000.csv', new Uint8Array(0), 'empty_file', 0, 'zero bytes');
  bad('wafer_16022021_080000.csv', enc.encode(hdrT + CRLF), 'no_rows', 0, 'header only');
  {
    const bin = new Uint8Array(4096);
    for (let i = 0; i < bin.length; i++) bin[i] = Math.floor(rnd() * 256);
    bin[0] = 0x50; // looks like the start of a zip archive...
    bin[1] = 0x4b;
    bin[2] = 0x03;
    bin[3] = 0x04;
    bin[4] = 0; // ...and carries NUL bytes
    // Its row count is whatever the tokenizer makes of random bytes, so it is not pinned.
    bad('wafer_17022021_080000.csv', bin, 'not_text', undefined, 'binary data (zip-like)');
  }

  nextId = 5001;
  good('prediction', 'wafer_20022021_080000.csv', 40, false);
  good('prediction', 'wafer_21022021_093000.csv', 35, false);

  files.push({
    path: 'schema_training.json',
    bytes: enc.encode(exportReferenceSchemaJson(WAFER_TRAINING_SCHEMA)),
  });
  files.push({
    path: 'schema_prediction.json',
    bytes: enc.encode(exportReferenceSchemaJson(WAFER_PREDICTION_SCHEMA)),
  });
  const manifest = {
    generator: 'src/main/sample (npx tsx src/main/sample/generate.ts)',
    seed,
    signalSensors: profile.signalSensors,
    files: files
      .filter((f) => f.expect)
      .map((f) => ({ path: f.path, ...f.expect, ...(f.note ? { note: f.note } : {}) })),
  };
  files.push({ path: 'MANIFEST.json', bytes: enc.encode(JSON.stringify(manifest, null, 2) + '\n') });
  return files;
}

// ---------------------------------------------------------------------------------------------------------
// Large files for the ingest benchmark.

export const SECOM_ROWS = 1567; // "1x": the size of the public SECOM data set (1,567 wafers x 590 sensors)

export interface ChunkOptions {
  chunkSize?: number; // bytes per yielded chunk (default 1 MiB)
  withLabel?: boolean; // default true (592 columns)
  templates?: number; // distinct formatted rows to draw from (default 256)
  /** Seed of the process profile (sensor levels, regimes); default `seed`. The same profile with another
   *  seed gives new wafers of the same process, as a later shift's batch is. */
  profileSeed?: number;
}

/**
 * A wafer-like CSV of `rows` data rows as a stream of chunks, fast enough not to dominate a parser benchmark:
 * a pool of distinctly formatted rows is built once and rows are drawn from it (ids stay unique). Chunk
 * boundaries fall anywhere, including inside values and CRLF pairs, as with real reads.
 */
export function* generateWaferCsvChunks(
  seed: number,
  rows: number,
  opts: ChunkOptions = {},
): Generator<Uint8Array> {
  const chunkSize = opts.chunkSize ?? 1 << 20;
  const withLabel = opts.withLabel ?? true;
  const rnd = seededRandom(seed);
  const profile = makeWaferProfile((opts.profileSeed ?? seed) ^ 0x5eed);
  const nT = Math.max(1, opts.templates ?? 256);
  const templates: Uint8Array[] = [];
  for (let t = 0; t < nT; t++) {
    const cells = waferRowCells(profile, rnd, '', { faulty: rnd() < 0.066, withLabel });
    templates.push(enc.encode(cells.join(',') + CRLF)); // starts with ',' after the empty id
  }
  let buf = new Uint8Array(chunkSize);
  let len = 0;
  const put = function* (bytes: Uint8Array): Generator<Uint8Array> {
    let o = 0;
    while (o < bytes.length) {
      const n = Math.min(bytes.length - o, chunkSize - len);
      buf.set(bytes.subarray(o, o + n), len);
      len += n;
      o += n;
      if (len === chunkSize) {
        yield buf;
        buf = new Uint8Array(chunkSize);
        len = 0;
      }
    }
  };
  yield* put(enc.encode(waferHeader(withLabel) + CRLF));
  const idBytes = new Uint8Array(32);
  for (let r = 0; r < rows; r++) {
    const id = `Wafer-${r + 1}`;
    for (let k = 0; k < id.length; k++) idBytes[k] = id.charCodeAt(k);
    yield* put(idBytes.subarray(0, id.length));
    yield* put(templates[Math.floor(rnd() * nT)]!);
  }
  if (len > 0) yield buf.subarray(0, len);
}
