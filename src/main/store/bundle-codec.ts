/**
 * How a model bundle is stored in the workspace and carried in an export: a small binary container.
 * The bundle's typed arrays (EncodedArray: the KNN donors' values are ~80% of a wafer bundle) are kept
 * as raw little-endian bytes after the gzip'd JSON of everything else. Reading a version is then a
 * gunzip of about a megabyte of JSON and a copy per array, instead of a gunzip, a JSON parse of a
 * multi-megabyte base64 string and a base64 decode: on the wafer model, ~300-400 ms less in each
 * worker that scores its first rows with it, and ~100 ms less on the UI thread when a run ends.
 * Bundles stored before it (gzip'd JSON, format 1 of this encoding) are still read.
 *
 * Layout: "WFSB" | u32 container version (1) | u32 length of the gzip'd JSON | u32 part count |
 * u32 byte length of each part | gzip'd JSON | the parts, each starting at a multiple of 8 bytes from
 * the container's start. In the JSON an array is { dtype, length, part } (its index in the parts).
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { encodedBytes, type EncodedArray } from '../ml/matrix';

const MAGIC = 'WFSB';
const CONTAINER_VERSION = 1;

/** The file names a stored bundle has inside a model export: the container's, the older gzip JSON's. */
export const BUNDLE_PART_NAMES = ['bundle.wfsb', 'bundle.json.gz'] as const;

/** The file name a stored bundle has inside a model export, by its encoding. */
export function bundlePartName(stored: Buffer): string {
  return BUNDLE_PART_NAMES[isContainer(stored) ? 0 : 1];
}

function isContainer(bytes: Buffer): boolean {
  return bytes.length >= 16 && bytes.toString('latin1', 0, 4) === MAGIC;
}

function isEncodedArray(value: unknown): value is EncodedArray {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const v = value as Partial<EncodedArray>;
  return (
    (v.dtype === 'f64' || v.dtype === 'i32') &&
    typeof v.length === 'number' &&
    (typeof v.b64 === 'string' || v.bytes instanceof Uint8Array)
  );
}

const align8 = (n: number): number => (n + 7) & ~7;

/** The stored form of a bundle (any JSON value whose typed arrays are EncodedArrays). */
export function encodeStoredBundle(bundle: unknown): Buffer {
  const parts: Uint8Array[] = [];
  // A copy of the object skeleton with every array swapped for its part reference (a replacer would
  // only see an array after its toJSON, i.e. as base64 again).
  const swap = (value: unknown): unknown => {
    if (value === null || typeof value !== 'object') return value;
    if (isEncodedArray(value)) {
      parts.push(encodedBytes(value));
      return { dtype: value.dtype, length: value.length, part: parts.length - 1 };
    }
    if (Array.isArray(value))
      return value.length === 0 || typeof value[0] === 'number' ? value : value.map(swap);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = swap(v);
    return out;
  };
  const json = JSON.stringify(swap(bundle));
  const gz = gzipSync(Buffer.from(json), { level: 1 });
  const head = 16 + 4 * parts.length;
  let size = align8(head + gz.length);
  const offsets = parts.map((p) => {
    const at = size;
    size = align8(size + p.length);
    return at;
  });
  const out = Buffer.alloc(size);
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(CONTAINER_VERSION, 4);
  out.writeUInt32LE(gz.length, 8);
  out.writeUInt32LE(parts.length, 12);
  parts.forEach((p, i) => {
    out.writeUInt32LE(p.length, 16 + 4 * i);
    out.set(p, offsets[i]);
  });
  gz.copy(out, head);
  return out;
}

/** The bundle from its stored form (either encoding); throws on a malformed container. */
export function decodeStoredBundle(stored: Buffer): unknown {
  if (!isContainer(stored)) return JSON.parse(gunzipSync(stored).toString('utf8')) as unknown;
  const version = stored.readUInt32LE(4);
  if (version !== CONTAINER_VERSION)
    throw new Error(`model bundle container version ${version} is not supported`);
  const gzLength = stored.readUInt32LE(8);
  const nParts = stored.readUInt32LE(12);
  const head = 16 + 4 * nParts;
  if (head + gzLength > stored.length) throw new Error('model bundle container is truncated');
  const json = gunzipSync(stored.subarray(head, head + gzLength)).toString('utf8');
  const parts: Uint8Array[] = [];
  let at = align8(head + gzLength);
  for (let i = 0; i < nParts; i++) {
    const length = stored.readUInt32LE(16 + 4 * i);
    if (at + length > stored.length) throw new Error('model bundle container is truncated');
    parts.push(stored.subarray(at, at + length));
    at = align8(at + length);
  }
  const root = JSON.parse(json) as unknown;
  return restoreParts(root, parts);
}

/** Replaces every { dtype, length, part } in value (in place) with its EncodedArray. */
function restoreParts(value: unknown, parts: Uint8Array[]): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    // Arrays of numbers (tree nodes, thresholds) are most of the JSON: nothing to look for in them.
    if (value.length === 0 || typeof value[0] === 'number') return value;
    for (let i = 0; i < value.length; i++) value[i] = restoreParts(value[i], parts);
    return value;
  }
  const v = value as Record<string, unknown>;
  if (
    (v.dtype === 'f64' || v.dtype === 'i32') &&
    typeof v.part === 'number' &&
    typeof v.length === 'number'
  ) {
    const bytes = parts[v.part];
    if (!bytes) throw new Error(`model bundle container has no part ${v.part}`);
    const encoded: EncodedArray = { dtype: v.dtype, length: v.length, b64: '', bytes };
    // As JSON (a bundle written out as the older gzip'd JSON, say) it is the base64 form again.
    const dtype = v.dtype;
    const length = v.length;
    Object.defineProperty(encoded, 'toJSON', {
      value: () => ({
        dtype,
        length,
        b64: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64'),
      }),
      enumerable: false,
    });
    return encoded;
  }
  for (const key of Object.keys(v)) v[key] = restoreParts(v[key], parts);
  return v;
}
