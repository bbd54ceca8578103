/**
 * Predictions CSV of a batch, in the reference's Predictions.csv shape (`Wafer,Prediction`, where the
 * prediction is the schema's label value, e.g. 1 faulty / -1 good) followed by what we know beyond it:
 * probability, regime, model version, the unfamiliar flag, the source file and the top sensors towards
 * faulty. Every cell goes through csvCell (formula-injection escaping). Written through a stream in
 * chunks with backpressure, so 100,000 rows never become one string.
 */
import { createWriteStream } from 'node:fs';
import type { BatchReportData } from '../../shared/contract/predict';
import { csvLine } from '../export/csv';
import { topSensorsText } from './format';

export const PREDICTIONS_CSV_HEADER = [
  'Wafer',
  'Prediction',
  'Probability',
  'Cluster',
  'ModelVersion',
  'Unfamiliar',
  'File',
  'TopSensors',
] as const;

/** Rows per write: large enough to keep syscalls few, small enough to keep memory flat. */
const CHUNK_ROWS = 1000;

function roundProbability(p: number): number | null {
  return Number.isFinite(p) ? Number(p.toFixed(6)) : null;
}

export async function writePredictionsCsv(
  data: BatchReportData,
  path: string,
): Promise<{ rows: number; bytes: number }> {
  const stream = createWriteStream(path);
  let failure: Error | null = null;
  stream.on('error', (err) => {
    failure = err;
  });
  const write = (text: string): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      if (failure) return reject(failure);
      if (stream.write(text)) return resolve();
      const onDrain = () => {
        stream.off('error', onError);
        resolve();
      };
      const onError = (err: Error) => {
        stream.off('drain', onDrain);
        reject(err);
      };
      stream.once('drain', onDrain).once('error', onError);
    });

  let bytes = 0;
  let rows = 0;
  try {
    let chunk = csvLine([...PREDICTIONS_CSV_HEADER]);
    for (const row of data.rows) {
      chunk += csvLine([
        row.wafer,
        row.label,
        roundProbability(row.probability),
        row.cluster,
        row.modelVersion,
        row.unfamiliar,
        row.fileName,
        topSensorsText(row.explanation),
      ]);
      rows++;
      if (rows % CHUNK_ROWS === 0) {
        bytes += Buffer.byteLength(chunk);
        await write(chunk);
        chunk = '';
      }
    }
    if (chunk) {
      bytes += Buffer.byteLength(chunk);
      await write(chunk);
    }
  } catch (err) {
    stream.destroy();
    throw err;
  }
  await new Promise<void>((resolve, reject) => {
    if (failure) return reject(failure);
    stream.end((err?: Error | null) => (err ? reject(err) : failure ? reject(failure) : resolve()));
  });
  return { rows, bytes };
}
