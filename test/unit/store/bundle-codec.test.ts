// The stored form of a model bundle: the binary container round-trips every typed array bit for bit
// (NaN and infinities included), still reads the older gzip'd JSON, and refuses a damaged container.
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeF64, decodeI32, encodeF64, encodeI32, type EncodedArray } from '../../../src/main/ml/matrix';
import { bundlePartName, decodeStoredBundle, encodeStoredBundle } from '../../../src/main/store/bundle-codec';

const bundle = () => ({
  format: 'wfs-model-bundle',
  preprocess: {
    donors: {
      values: encodeF64(Float64Array.from([1.5, NaN, -0, Infinity, -Infinity, 1e-300, 4.101])),
      n: 7,
    },
    keptColumns: [0, 2, 5],
    empty: encodeI32(new Int32Array(0)),
  },
  clusters: [
    {
      trees: [{ feature: [3, -1, -1], threshold: [0.25, null, null] }],
      order: encodeI32(Int32Array.from([5, -7, 2 ** 31 - 1])),
    },
    null,
  ],
  mixed: [{ a: encodeF64(Float64Array.from([2, 3])) }, 'text', 7],
});

describe('stored model bundle', () => {
  it('round-trips the JSON and every typed array exactly, through the binary container', () => {
    const original = bundle();
    const stored = encodeStoredBundle(original);
    expect(bundlePartName(stored)).toBe('bundle.wfsb');
    const back = decodeStoredBundle(stored) as ReturnType<typeof bundle>;
    const values = decodeF64(back.preprocess.donors.values);
    expect(Array.from(values)).toEqual(Array.from(decodeF64(original.preprocess.donors.values)));
    expect(Object.is(values[2], -0)).toBe(true);
    expect(Array.from(decodeI32(back.clusters[0]!.order))).toEqual([5, -7, 2 ** 31 - 1]);
    expect(decodeI32(back.preprocess.empty)).toHaveLength(0);
    expect(Array.from(decodeF64((back.mixed[0] as { a: EncodedArray }).a))).toEqual([2, 3]);
    expect(back.clusters[0]!.trees).toEqual(original.clusters[0]!.trees);
    expect(back.clusters[1]).toBeNull();
    expect(back.preprocess.keptColumns).toEqual([0, 2, 5]);
    expect(back.mixed.slice(1)).toEqual(['text', 7]);
    // Decoded arrays encode again to the same bytes (a decoded bundle can be stored again), and as
    // JSON they are the base64 form again (the older stored form).
    expect(encodeStoredBundle(back).equals(stored)).toBe(true);
    const asJson = JSON.parse(JSON.stringify(back)) as ReturnType<typeof bundle>;
    expect(asJson.preprocess.donors.values).toEqual(original.preprocess.donors.values);
    expect(asJson.clusters[0]!.order).toEqual(original.clusters[0]!.order);
  });

  it('reads a bundle stored as gzip JSON by earlier versions', () => {
    const original = bundle();
    const legacy = gzipSync(Buffer.from(JSON.stringify(original)));
    expect(bundlePartName(legacy)).toBe('bundle.json.gz');
    const back = decodeStoredBundle(legacy) as ReturnType<typeof bundle>;
    expect(Array.from(decodeF64(back.preprocess.donors.values))).toEqual(
      Array.from(decodeF64(original.preprocess.donors.values)),
    );
  });

  it('refuses a truncated container or one from a newer app', () => {
    const stored = encodeStoredBundle(bundle());
    expect(() => decodeStoredBundle(stored.subarray(0, stored.length - 9))).toThrow(/truncated/);
    const newer = Buffer.from(stored);
    newer.writeUInt32LE(9, 4);
    expect(() => decodeStoredBundle(newer)).toThrow(/version 9/);
  });
});
