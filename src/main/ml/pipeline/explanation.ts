/**
 * The stored form of a prediction's explanation: its sensors as positions in the model's kept columns,
 * with the row's raw value and the exact effect of each, in a few bytes; the sensor names and the
 * regime's training ranges are the model version's and are joined in when a row is read (its detail, a
 * CSV, a report). Every wafer of every batch is explained, and most are never looked at: writing each
 * one's JSON text (~1.1 KB) cost ~10 ms of a 1,567-row batch and ~1.7 MB of database per batch; this
 * is 8 + 18 bytes per sensor (188 for five each way), written with no text at all.
 *
 * Layout, little-endian: u8 format (1), u8 sensors towards faulty, u8 towards good, five bytes of zero;
 * then one f64 raw value per sensor (NaN: missing), one f64 effect per sensor, one u16 kept-column
 * position per sensor. Sensors are listed towards faulty then towards good, each list strongest first.
 */
import type { Explanation, SensorEffect } from '../../../shared/contract';

export const EXPLANATION_FORMAT = 1;
const HEADER_BYTES = 8;

/** Bytes of a stored explanation of `sensors` sensors in all. */
export function explanationBytes(sensors: number): number {
  return HEADER_BYTES + 18 * sensors;
}

/** What decoding needs from the model version: its kept sensors and each regime's training range. */
export interface ExplanationLookup {
  sensors: readonly string[];
  /** Per regime, per kept sensor: 5th and 95th percentile among the regime's training rows. */
  low: readonly Float64Array[];
  high: readonly Float64Array[];
}

/**
 * Writes one explanation at `offset` of `view` (explanationBytes(nFaulty + nGood) bytes): sensor i's
 * kept-column position is features[i], its value values[i], its effect effects[i]; the first nFaulty
 * push towards faulty.
 */
export function writeExplanation(
  view: DataView,
  offset: number,
  nFaulty: number,
  nGood: number,
  features: Int32Array,
  values: Float64Array,
  effects: Float64Array,
): void {
  const n = nFaulty + nGood;
  view.setUint8(offset, EXPLANATION_FORMAT);
  view.setUint8(offset + 1, nFaulty);
  view.setUint8(offset + 2, nGood);
  for (let b = 3; b < HEADER_BYTES; b++) view.setUint8(offset + b, 0);
  const v = offset + HEADER_BYTES;
  const e = v + 8 * n;
  const f = e + 8 * n;
  for (let i = 0; i < n; i++) {
    view.setFloat64(v + 8 * i, values[i]!, true);
    view.setFloat64(e + 8 * i, effects[i]!, true);
    view.setUint16(f + 2 * i, features[i]!, true);
  }
}

const finiteOrNull = (x: number): number => (Number.isFinite(x) ? x : (null as unknown as number));

/**
 * A stored explanation as the contract's Explanation, for a row of regime `cluster`. Throws on bytes
 * that are not one (wrong format or length, a position past the model's sensors).
 */
export function decodeExplanation(
  bytes: Uint8Array,
  lookup: ExplanationLookup,
  cluster: number,
): Explanation {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const nFaulty = bytes.byteLength >= HEADER_BYTES ? view.getUint8(1) : 0;
  const n = nFaulty + (bytes.byteLength >= HEADER_BYTES ? view.getUint8(2) : 0);
  if (
    bytes.byteLength < HEADER_BYTES ||
    view.getUint8(0) !== EXPLANATION_FORMAT ||
    bytes.byteLength !== explanationBytes(n)
  )
    throw new Error(`Not a stored explanation (format ${bytes[0] ?? 'none'}, ${bytes.byteLength} bytes).`);
  const low = lookup.low[cluster];
  const high = lookup.high[cluster];
  const v = HEADER_BYTES;
  const e = v + 8 * n;
  const f = e + 8 * n;
  const towardsFaulty: SensorEffect[] = [];
  const towardsGood: SensorEffect[] = [];
  for (let i = 0; i < n; i++) {
    const k = view.getUint16(f + 2 * i, true);
    const sensor = lookup.sensors[k];
    if (sensor === undefined)
      throw new Error(`Stored explanation names sensor ${k} of ${lookup.sensors.length}.`);
    const value = view.getFloat64(v + 8 * i, true);
    (i < nFaulty ? towardsFaulty : towardsGood).push({
      sensor,
      value: Number.isFinite(value) ? value : null,
      effect: view.getFloat64(e + 8 * i, true),
      low: low ? finiteOrNull(low[k]!) : 0,
      high: high ? finiteOrNull(high[k]!) : 0,
    });
  }
  return { towardsFaulty, towardsGood };
}
