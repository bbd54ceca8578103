// Compact, JSON-able model serialization: all trees are packed into a few flat typed arrays encoded
// as base64 (little-endian, as every platform Electron runs on), plus the bin edges and params.
// Hand-written because the format is ours; `formatVersion` lets later versions refuse or migrate.

import type { Binner, ForestModel, GbmModel, Tree, TreeModel } from './types';

export const MODEL_FORMAT_VERSION = 1;

export interface SerializedModel {
  formatVersion: number;
  kind: 'gbm' | 'forest';
  nFeatures: number;
  params: Record<string, unknown>;
  baseScore?: number;
  binner: {
    maxBins: number;
    nValueBins: string;
    active: string;
    /** All features' thresholds concatenated (Float64). */
    thresholds: string;
  };
  trees: {
    count: number;
    /** Node count per tree (Int32). */
    sizes: string;
    feature: string;
    bin: string;
    threshold: string;
    defaultLeft: string;
    left: string;
    right: string;
    value: string;
    cover: string;
    gain: string;
  };
}

/** Error thrown for unreadable model payloads; `code` is always 'model_format'. */
export class ModelFormatError extends Error {
  readonly code = 'model_format';
  constructor(message: string) {
    super(message);
    this.name = 'ModelFormatError';
  }
}

type Typed = Int32Array | Uint8Array | Float64Array;

function toB64(a: Typed): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

function fromB64<T extends Typed>(
  s: unknown,
  ctor: { new (b: ArrayBuffer): T; BYTES_PER_ELEMENT: number },
): T {
  if (typeof s !== 'string') throw new ModelFormatError('model field is not a base64 string');
  const buf = Buffer.from(s, 'base64');
  if (buf.byteLength % ctor.BYTES_PER_ELEMENT !== 0)
    throw new ModelFormatError('model array has a bad length');
  // Copy into a fresh, aligned ArrayBuffer (Buffer pools are not aligned for Float64Array).
  const ab = new ArrayBuffer(buf.byteLength);
  new Uint8Array(ab).set(buf);
  return new ctor(ab);
}

function concat<T extends Typed>(parts: T[], make: (n: number) => T): T {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = make(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function serializeModel(model: TreeModel): SerializedModel {
  const t = model.trees;
  const b = model.binner;
  const pick = <K extends keyof Tree>(k: K) => t.map((tree) => tree[k]);
  return {
    formatVersion: MODEL_FORMAT_VERSION,
    kind: model.kind,
    nFeatures: model.nFeatures,
    params: {
      ...model.params,
      ...('maxDepth' in model.params && !Number.isFinite(model.params.maxDepth) ? { maxDepth: 'inf' } : {}),
    },
    ...(model.kind === 'gbm' ? { baseScore: model.baseScore } : {}),
    binner: {
      maxBins: b.maxBins,
      nValueBins: toB64(b.nValueBins),
      active: toB64(b.active),
      thresholds: toB64(concat(b.thresholds, (n) => new Float64Array(n))),
    },
    trees: {
      count: t.length,
      sizes: toB64(Int32Array.from(t.map((tree) => tree.feature.length))),
      feature: toB64(concat(pick('feature'), (n) => new Int32Array(n))),
      bin: toB64(concat(pick('bin'), (n) => new Uint8Array(n))),
      threshold: toB64(concat(pick('threshold'), (n) => new Float64Array(n))),
      defaultLeft: toB64(concat(pick('defaultLeft'), (n) => new Uint8Array(n))),
      left: toB64(concat(pick('left'), (n) => new Int32Array(n))),
      right: toB64(concat(pick('right'), (n) => new Int32Array(n))),
      value: toB64(concat(pick('value'), (n) => new Float64Array(n))),
      cover: toB64(concat(pick('cover'), (n) => new Float64Array(n))),
      gain: toB64(concat(pick('gain'), (n) => new Float64Array(n))),
    },
  };
}

/** Inverse of serializeModel; throws ModelFormatError (code 'model_format') on unknown versions. */
export function deserializeModel(input: unknown): TreeModel {
  if (typeof input !== 'object' || input === null) throw new ModelFormatError('model is not an object');
  const s = input as SerializedModel;
  if (s.formatVersion !== MODEL_FORMAT_VERSION) {
    throw new ModelFormatError(`unsupported model formatVersion ${String(s.formatVersion)}`);
  }
  if (s.kind !== 'gbm' && s.kind !== 'forest')
    throw new ModelFormatError(`unknown model kind ${String(s.kind)}`);
  if (!s.binner || !s.trees || !Number.isInteger(s.nFeatures))
    throw new ModelFormatError('model is incomplete');

  const nValueBins = fromB64(s.binner.nValueBins, Int32Array);
  const active = fromB64(s.binner.active, Int32Array);
  const allT = fromB64(s.binner.thresholds, Float64Array);
  if (nValueBins.length !== s.nFeatures) throw new ModelFormatError('binner does not match nFeatures');
  const thresholds: Float64Array[] = [];
  let o = 0;
  for (let f = 0; f < s.nFeatures; f++) {
    const len = Math.max(0, nValueBins[f] - 1);
    thresholds.push(allT.slice(o, o + len));
    o += len;
  }
  if (o !== allT.length) throw new ModelFormatError('binner thresholds do not match bin counts');
  const binner: Binner = {
    nFeatures: s.nFeatures,
    maxBins: s.binner.maxBins,
    thresholds,
    nValueBins,
    active,
  };

  const sizes = fromB64(s.trees.sizes, Int32Array);
  const cols = {
    feature: fromB64(s.trees.feature, Int32Array),
    bin: fromB64(s.trees.bin, Uint8Array),
    threshold: fromB64(s.trees.threshold, Float64Array),
    defaultLeft: fromB64(s.trees.defaultLeft, Uint8Array),
    left: fromB64(s.trees.left, Int32Array),
    right: fromB64(s.trees.right, Int32Array),
    value: fromB64(s.trees.value, Float64Array),
    cover: fromB64(s.trees.cover, Float64Array),
    gain: fromB64(s.trees.gain, Float64Array),
  };
  let total = 0;
  for (const n of sizes) total += n;
  for (const [k, a] of Object.entries(cols)) {
    if (a.length !== total) throw new ModelFormatError(`tree array ${k} has the wrong length`);
  }
  const trees: Tree[] = [];
  let start = 0;
  for (const n of sizes) {
    const end = start + n;
    const tree: Tree = {
      feature: cols.feature.slice(start, end),
      bin: cols.bin.slice(start, end),
      threshold: cols.threshold.slice(start, end),
      defaultLeft: cols.defaultLeft.slice(start, end),
      left: cols.left.slice(start, end),
      right: cols.right.slice(start, end),
      value: cols.value.slice(start, end),
      cover: cols.cover.slice(start, end),
      gain: cols.gain.slice(start, end),
    };
    for (let i = 0; i < n; i++) {
      const f = tree.feature[i];
      if (
        f >= s.nFeatures ||
        (f >= 0 && (tree.left[i] <= i || tree.right[i] <= i || tree.left[i] >= n || tree.right[i] >= n))
      ) {
        throw new ModelFormatError('tree structure is invalid');
      }
    }
    trees.push(tree);
    start = end;
  }
  const params = { ...s.params } as Record<string, unknown>;
  if (params.maxDepth === 'inf') params.maxDepth = Infinity;
  if (s.kind === 'gbm') {
    if (typeof s.baseScore !== 'number') throw new ModelFormatError('gbm model lacks baseScore');
    return {
      kind: 'gbm',
      nFeatures: s.nFeatures,
      binner,
      params: params as unknown as GbmModel['params'],
      baseScore: s.baseScore,
      trees,
    };
  }
  return {
    kind: 'forest',
    nFeatures: s.nFeatures,
    binner,
    params: params as unknown as ForestModel['params'],
    trees,
  };
}
