/**
 * A realistic batch report for the report tests: 300 predictions from three good files (four regimes,
 * about one in five faulty, some unfamiliar), two quarantined files with reasons, one duplicate, hostile
 * wafer ids ("=HYPERLINK(...)", "<script>") and file names, a model with metrics, curves and gates.
 * Deterministic (seeded), so renders are reproducible.
 */
import type { BatchReportData, Explanation, PredictionRow } from '../../../src/shared/contract/predict';
import type { IngestFileResult } from '../../../src/shared/contract/data';
import type { CurvePoint, MetricSet } from '../../../src/shared/contract/training';

export const EVIL_FORMULA_WAFER = '=HYPERLINK("evil.example","open")';
export const EVIL_SCRIPT_WAFER = '<script>alert(1)</script>';
export const EVIL_FILE = 'wafer_<b>07012020</b>_&_120000.csv';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export function makeReportData(
  opts: { rows?: number; faultyShare?: number; seed?: number } = {},
): BatchReportData {
  const nRows = opts.rows ?? 300;
  const faultyShare = opts.faultyShare ?? 0.2;
  const rand = rng(opts.seed ?? 7);
  const threshold = 0.42;
  const k = 4;
  const goodFiles = ['wafer_07012020_120000.csv', 'wafer_08012020_093015.csv', EVIL_FILE];
  const fileResults: IngestFileResult[] = [
    ...goodFiles.map((name, i) => ({
      name,
      path: `/data/batch/${name}`,
      status: 'good' as const,
      rows: 0,
      reasons: [],
      fileId: 10 + i,
      sha256: `${i}`.repeat(64),
    })),
    {
      name: 'wafer_31022020_120000.csv',
      path: '/data/batch/wafer_31022020_120000.csv',
      status: 'bad',
      rows: 0,
      reasons: [{ code: 'date', message: '31022020 is not a real date (day, month, year).' }],
      fileId: null,
      sha256: 'a'.repeat(64),
    },
    {
      name: 'wafer_09012020_101010.csv',
      path: '/data/batch/wafer_09012020_101010.csv',
      status: 'bad',
      rows: 0,
      reasons: [
        {
          code: 'non_numeric_value',
          message: 'A sensor value is not a number.',
          row: 12,
          column: { index: 5, name: 'Sensor - 4', header: 'Sensor-4' },
          value: 'n/a<x>',
        },
        {
          code: 'column_all_missing',
          message: 'These columns have no value in any row.',
          columns: [
            { index: 8, name: 'Sensor - 7' },
            { index: 9, name: 'Sensor - 8' },
          ],
        },
        {
          code: 'ragged_row',
          message: 'A row has a different number of cells than the header.',
          row: 40,
          count: 3,
        },
      ],
      fileId: null,
      sha256: 'b'.repeat(64),
    },
    {
      name: 'wafer_07012020_120000 (copy).csv',
      path: '/data/batch/wafer_07012020_120000 (copy).csv',
      status: 'duplicate',
      rows: 0,
      reasons: [
        { code: 'duplicate_file', message: 'This file was already imported as wafer_07012020_120000.csv.' },
      ],
      fileId: 10,
      sha256: '0'.repeat(64),
    },
  ];

  const rows: (PredictionRow & { explanation: Explanation | null })[] = [];
  for (let i = 0; i < nRows; i++) {
    const fileIdx = i % goodFiles.length;
    const fileName = goodFiles[fileIdx]!;
    const faultyWanted = rand() < faultyShare;
    const probability = faultyWanted
      ? threshold + (1 - threshold) * Math.sqrt(rand())
      : threshold * rand() ** 3;
    const cluster = Math.floor(rand() * k);
    const unfamiliar = rand() < 0.05;
    let wafer = `Wafer-${String(1000 + i)}`;
    if (i === 3) wafer = EVIL_FORMULA_WAFER;
    if (i === 4) wafer = EVIL_SCRIPT_WAFER;
    const faulty = i === 3 || i === 4 ? true : probability >= threshold;
    const p = faulty && probability < threshold ? 0.9 + i / 1000 : probability;
    const sensors = [59, 103, 21, 488, 7].map((s) => `Sensor - ${s}`);
    const explanation: Explanation | null =
      i % 50 === 49
        ? null
        : {
            towardsFaulty: sensors.slice(0, 4).map((sensor, j) => {
              const low = -1 + j;
              const high = 2 + j * 3;
              const value = j === 0 && faulty ? high + 1.5 + rand() : low + (high - low) * rand();
              return {
                sensor,
                value: j === 2 && i % 7 === 0 ? null : Number(value.toFixed(3)),
                effect: Number((0.9 / (j + 1) - rand() * 0.05).toFixed(4)),
                low,
                high,
              };
            }),
            towardsGood: [{ sensor: sensors[4]!, value: 0.5, effect: -0.21, low: 0, high: 1 }],
          };
    rows.push({
      id: 5000 + i,
      batchId: 12,
      fileName,
      rowNo: Math.floor(i / goodFiles.length) + 1,
      wafer,
      cluster,
      distance: unfamiliar ? 12 + rand() * 10 : rand() * 5,
      unfamiliar,
      probability: p,
      faulty,
      label: faulty ? 1 : -1,
      threshold,
      modelVersion: 3,
      source: 'app',
      createdAt: '2025-03-04T10:15:00.000Z',
      explanation,
    });
  }
  rows.sort((a, b) => Number(b.faulty) - Number(a.faulty) || b.probability - a.probability);
  for (const f of fileResults)
    if (f.status === 'good') f.rows = rows.filter((r) => r.fileName === f.name).length;

  const histogram = Array.from({ length: 20 }, (_, b) => ({
    from: b / 20,
    to: (b + 1) / 20,
    count: 0,
    faulty: 0,
  }));
  for (const r of rows) {
    const bin = histogram[Math.min(19, Math.floor(r.probability * 20))]!;
    bin.count++;
    if (r.faulty) bin.faulty++;
  }
  const byCluster = Array.from({ length: k }, (_, c) => {
    const rs = rows.filter((r) => r.cluster === c);
    return {
      cluster: c,
      rows: rs.length,
      faulty: rs.filter((r) => r.faulty).length,
      unfamiliar: rs.filter((r) => r.unfamiliar).length,
    };
  });
  const byFile = goodFiles.map((fileName) => {
    const rs = rows.filter((r) => r.fileName === fileName);
    return { fileName, rows: rs.length, faulty: rs.filter((r) => r.faulty).length };
  });
  const faultyCount = rows.filter((r) => r.faulty).length;
  const unfamiliarCount = rows.filter((r) => r.unfamiliar).length;

  const rocCurve: CurvePoint[] = Array.from({ length: 101 }, (_, j) => {
    const x = j / 100;
    return { x, y: Math.min(1, 1 - (1 - x) ** 40), threshold: (1 - x) ** 20 };
  });
  const metrics: MetricSet = {
    n: 218,
    threshold,
    confusion: { tp: 11, fp: 4, tn: 200, fn: 3 },
    accuracy: 211 / 218,
    balancedAccuracy: 0.883,
    precision: 11 / 15,
    recall: 11 / 14,
    f1: 0.759,
    specificity: 200 / 204,
    npv: 200 / 203,
    rocAuc: 0.957,
    prAuc: 0.812,
    failRateActual: 14 / 218,
    failRatePredicted: 15 / 218,
    rocCurve,
    prCurve: [],
  };

  return {
    appVersion: '0.1.0',
    generatedAt: '2025-03-04T10:20:30.000Z',
    workspace: '/home/eng/fab7/workspace.sqlite',
    batch: {
      id: 12,
      createdAt: '2025-03-04T10:15:00.000Z',
      finishedAt: '2025-03-04T10:15:04.000Z',
      status: 'succeeded',
      source: 'app',
      modelVersion: 3,
      files: fileResults.length,
      rows: rows.length,
      faulty: faultyCount,
      unfamiliar: unfamiliarCount,
      fileResults,
      threshold,
    },
    model: {
      version: 3,
      status: 'approved',
      stages: ['production'],
      k,
      threshold,
      metrics,
      gates: [
        {
          name: 'Minimum accuracy',
          metric: 'accuracy',
          value: metrics.accuracy,
          threshold: 0.8,
          passed: true,
        },
        { name: 'Minimum F1', metric: 'f1', value: metrics.f1, threshold: 0.75, passed: true },
        { name: 'Minimum recall', metric: 'recall', value: metrics.recall, threshold: 0.85, passed: false },
        { name: 'Minimum ROC AUC', metric: 'rocAuc', value: metrics.rocAuc, threshold: 0.7, passed: true },
      ],
      createdAt: '2025-03-01T08:00:00.000Z',
      strategy: 'per-cluster',
    },
    rows,
    histogram,
    byCluster,
    byFile,
    drift: {
      batchId: 12,
      modelVersion: 3,
      rows: rows.length,
      scored: 590,
      drifted: 2,
      moving: 3,
      reliable: rows.length >= 300,
      thresholds: { psiMoving: 0.1, psiDrifted: 0.25 },
      // Highest PSI first: two drifted, three moving, the rest stable.
      sensors: [2.41, 0.52, 0.24, 0.17, 0.11, 0.06, 0.05, 0.04, 0.03, 0.02].map((psi, i) => ({
        sensor: `Sensor - ${100 + i * 7}`,
        psi,
        level: psi > 0.25 ? ('drifted' as const) : psi > 0.1 ? ('moving' as const) : ('stable' as const),
        refMissing: i === 1 ? 0 : 0.01,
        curMissing: i === 1 ? 0.6 : 0.01,
        refMedian: 100 + i,
        curMedian: i === 0 ? 4100 : 100 + i,
      })),
    },
  };
}
