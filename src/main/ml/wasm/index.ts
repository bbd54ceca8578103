// The WebAssembly kernels (kernels.c) and the memory they work in. A boosting fit borrows a HistArena:
// its codes, row index, (grad, hess) pairs and histogram buffers live in one WebAssembly.Memory, seen
// from TypeScript through typed-array views, so the fit's own loops (partitioning, split search) read
// the same arrays the kernels write and nothing is copied per node. KNN imputation borrows the same
// bytes for its neighbour search (a KnnKernel); whichever was acquired last owns them.
//
// One memory per thread, replaced by a larger one when a fit needs more, never grown: growing a
// WebAssembly.Memory detaches its old ArrayBuffer, and the first detach in a process clears V8's
// "ArrayBuffer detaching" protector, after which every typed-array access in optimized code checks
// for detachment (~40% slower loops everywhere; see bench/node-args.ts).
//
// The kernels give bit-identical results to the TypeScript ones (same double operations, same order),
// which remain the fallback where WebAssembly SIMD is unavailable and when WFS_KERNELS=js.

import { KERNELS_WASM_BASE64 } from './kernels-binary';

interface KernelExports {
  build_hist(
    hist: number,
    codes: number,
    nRows: number,
    cols: number,
    histOff: number,
    nCols: number,
    idx: number,
    start: number,
    end: number,
    gh: number,
    contiguous: number,
  ): void;
  subtract_hist(parent: number, child: number, len: number): void;
  find_split(
    hist: number,
    G: number,
    H: number,
    histOff: number,
    nCols: number,
    lambda: number,
    mcw: number,
    gamma: number,
    out: number,
    sub: number,
  ): number;
  find_split_sparse(
    codes: number,
    nRows: number,
    idx: number,
    start: number,
    end: number,
    gh: number,
    G: number,
    H: number,
    cols: number,
    binsOfCol: number,
    nCols: number,
    lambda: number,
    mcw: number,
    gamma: number,
    acc: number,
    seen: number,
    out: number,
  ): number;
  forest_column(
    codes: number,
    idx: number,
    nS: number,
    yN: number,
    wN: number,
    nb: number,
    col: number,
    Wn0: number,
    Wn1: number,
    minLeaf: number,
    table: number,
    tableLen: number,
    hist: number,
    seen: number,
    best: number,
  ): number;
  knn_block(job: number, b0: number, bn: number): void;
  __heap_base: WebAssembly.Global;
}

/** A split search's answer, as gbm.ts keeps it. */
export interface SplitAnswer {
  gain: number;
  k: number;
  bin: number;
  defaultLeft: boolean;
  GL: number;
  HL: number;
  /** Sparse search only: first non-empty value bin after `bin` (capped at the last value bin). */
  next: number;
}

/** The module's own stack and data sit below this offset (wasm-ld's default stack is 64 KiB). */
const RESERVED_BYTES = 128 * 1024;
// Fixed places after it: the sparse split search's scratch (zero between calls, so it must not move
// while the memory lives) and the split answer (gain, GL, HL as f64; k, bin, defaultLeft, next as i32).
const SCRATCH_ACC = RESERVED_BYTES;
const SCRATCH_SEEN = SCRATCH_ACC + 4 * 512 * 8;
const SPLIT_OUT = SCRATCH_SEEN + 4 * 8 * 4;
// A forest node's best split (score, L0, L1 as f64; col, bin, defaultLeft as i32). The forest's
// per-code sums and bitmap use the sparse search's scratch (it is zero between calls too).
const FOREST_BEST = SPLIT_OUT + 48;
const FIXED_END = FOREST_BEST + 40;
const PAGE = 65536;
/** Histogram buffers per arena are capped at this many bytes; a fit needing more uses JS buffers. */
const HIST_BUDGET_BYTES = 64 * 1024 * 1024;

let compiled: WebAssembly.Module | null | undefined;
let forced: 'js' | null = null;
/** WFS_KERNELS=js, read once (a fit asks at every round). */
const envWantsJs = typeof process !== 'undefined' && process.env?.WFS_KERNELS === 'js';

/** Tests and benchmarks: force the TypeScript kernels ('js') or the default choice (null). */
export function setKernelBackend(backend: 'js' | null): void {
  forced = backend;
}

function module(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  try {
    const bytes = Uint8Array.from(atob(KERNELS_WASM_BASE64), (c) => c.charCodeAt(0));
    compiled = WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  } catch {
    compiled = null;
  }
  return compiled;
}

/** Whether fits use the WebAssembly kernels. */
export function wasmKernelsEnabled(): boolean {
  if (forced === 'js' || envWantsJs) return false;
  return typeof WebAssembly !== 'undefined' && module() !== null;
}

interface Space {
  memory: WebAssembly.Memory;
  kernels: KernelExports;
  bytes: number;
  /** The codes array last copied in: a later fit on the same data skips the copy. */
  codesSource: Uint8Array | null;
  /** The arena last handed out and its layout: the next round of the same fit gets it again. */
  arena: HistArena | null;
  arenaKey: string;
  /** The KNN donors last copied in, and their kernel (they share the arena's bytes). */
  knnSource: KnnKernelData | null;
  knnKernel: KnnKernel | null;
  knnKey: string;
  /** The forest arena last handed out and its layout. */
  forest: ForestArena | null;
  forestKey: string;
}

let space: Space | null = null;

function spaceFor(bytes: number): Space {
  if (space && space.bytes >= bytes) return space;
  const pages = Math.ceil(bytes / PAGE);
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
  const instance = new WebAssembly.Instance(module()!, { env: { memory, log: Math.log } });
  const kernels = instance.exports as unknown as KernelExports;
  if (Number(kernels.__heap_base.value) > RESERVED_BYTES) {
    throw new Error('WebAssembly kernels: their stack and data exceed the reserved bytes');
  }
  space = {
    memory,
    kernels,
    bytes: pages * PAGE,
    codesSource: null,
    arena: null,
    arenaKey: '',
    knnSource: null,
    knnKernel: null,
    knnKey: '',
    forest: null,
    forestKey: '',
  };
  return space;
}

/** A memory up to this size stays for the thread's next fits; a larger one is let go after its fit. */
const KEEP_BYTES = 64 * 1024 * 1024;

/** Called when a fit ends: frees a large memory (a big data set's) instead of holding it all session. */
export function releaseHistArena(): void {
  if (space && space.bytes > KEEP_BYTES) space = null;
}

const align = (n: number): number => (n + 15) & ~15;

/**
 * The arrays of one boosting round, in WebAssembly memory. Views are valid until the next acquire on
 * this thread (a fit takes a fresh arena at every round: another fit may have run in between).
 */
export interface HistArena {
  cols: Int32Array;
  histOff: Int32Array;
  /** Per active column, its bin count including the missing bin (the caller fills it). */
  binsOfCol: Int32Array;
  idx: Uint32Array;
  /** (grad, hess) pairs of the node being built, in idx order. */
  gh: Float64Array;
  /** Histogram buffers of maxHist doubles each (zeroing is the caller's). */
  hists: Float64Array[];
  /** True if h is one of this arena's buffers (the kernels only work on those). */
  owns(h: Float64Array): boolean;
  buildHist(
    hist: Float64Array,
    nRows: number,
    nCols: number,
    start: number,
    end: number,
    contiguous: boolean,
  ): void;
  subtractHist(parent: Float64Array, child: Float64Array, len: number): void;
  /**
   * findSplit over one of the arena's histograms; `out` is written only when a split is found. With
   * `sub` (another of the arena's buffers) the histogram is first made hist - sub, column pair by
   * column pair as the search goes (the same values as subtractHist first).
   */
  findSplit(hist: Float64Array, search: SplitSearch, out: SplitAnswer, sub?: Float64Array | null): boolean;
  /** findSplitSparse over idx[start..end), whose (grad, hess) pairs are in gh (from 0). */
  findSplitSparse(nRows: number, start: number, end: number, search: SplitSearch, out: SplitAnswer): boolean;
}

/** What a split search needs besides the rows: the node's gradient sums and the fit's settings. */
export interface SplitSearch {
  G: number;
  H: number;
  /** Sampled columns of the round (cols, histOff). */
  nCols: number;
  lambda: number;
  minChildWeight: number;
  gamma: number;
}

/**
 * An arena for a fit over `codes` (nActive x nRows, column-major) with nTrain training rows and
 * histograms of maxHist doubles, holding up to `wantHists` histogram buffers (fewer if the budget
 * caps them). Returns null when the kernels are disabled.
 */
export function acquireHistArena(
  codes: Uint8Array,
  nActive: number,
  nTrain: number,
  maxHist: number,
  wantHists: number,
): HistArena | null {
  if (!wasmKernelsEnabled()) return null;
  const nHists = Math.max(1, Math.min(wantHists, Math.floor(HIST_BUDGET_BYTES / (8 * maxHist))));
  const oCodes = align(FIXED_END);
  const oCols = align(oCodes + codes.length);
  const oBins = align(oCols + 4 * nActive);
  const oOff = align(oBins + 4 * nActive);
  const oIdx = align(oOff + 4 * (nActive + 1));
  const oGh = align(oIdx + 4 * nTrain);
  const oHists = align(oGh + 16 * nTrain);
  // The split search may read up to 255 bins (4 KiB) past a histogram's last column.
  const end = oHists + nHists * 8 * maxHist + 4096;
  const s = spaceFor(end);
  const buf = s.memory.buffer;
  const key = `${nActive}/${nTrain}/${maxHist}/${nHists}`;
  if (s.codesSource === codes && s.arena && s.arenaKey === key) return s.arena;
  if (s.codesSource !== codes) {
    new Uint8Array(buf, oCodes, codes.length).set(codes);
    s.codesSource = codes;
  }
  s.knnSource = null;
  s.knnKernel = null;
  s.forest = null;
  const hists: Float64Array[] = [];
  for (let i = 0; i < nHists; i++) hists.push(new Float64Array(buf, oHists + i * 8 * maxHist, maxHist));
  const k = s.kernels;
  const outF = new Float64Array(buf, SPLIT_OUT, 3);
  const outI = new Int32Array(buf, SPLIT_OUT + 24, 4);
  const answer = (found: number, out: SplitAnswer): boolean => {
    if (found === 0) return false;
    out.gain = outF[0];
    out.GL = outF[1];
    out.HL = outF[2];
    out.k = outI[0];
    out.bin = outI[1];
    out.defaultLeft = outI[2] !== 0;
    out.next = outI[3];
    return true;
  };
  s.arenaKey = key;
  return (s.arena = {
    cols: new Int32Array(buf, oCols, nActive),
    histOff: new Int32Array(buf, oOff, nActive + 1),
    binsOfCol: new Int32Array(buf, oBins, nActive),
    idx: new Uint32Array(buf, oIdx, nTrain),
    gh: new Float64Array(buf, oGh, 2 * nTrain),
    hists,
    owns: (h) => h.buffer === buf,
    buildHist: (hist, nRows, nCols, start, end, contiguous) =>
      k.build_hist(
        hist.byteOffset,
        oCodes,
        nRows,
        oCols,
        oOff,
        nCols,
        oIdx,
        start,
        end,
        oGh,
        contiguous ? 1 : 0,
      ),
    subtractHist: (parent, child, len) => k.subtract_hist(parent.byteOffset, child.byteOffset, len),
    findSplit: (hist, { G, H, nCols, lambda, minChildWeight, gamma }, out, sub) =>
      answer(
        k.find_split(hist.byteOffset, G, H, oOff, nCols, lambda, minChildWeight, gamma, SPLIT_OUT, sub ? sub.byteOffset : 0),
        out,
      ),
    findSplitSparse: (nRows, start, end, { G, H, nCols, lambda, minChildWeight, gamma }, out) =>
      answer(
        k.find_split_sparse(
          oCodes,
          nRows,
          oIdx,
          start,
          end,
          oGh,
          G,
          H,
          oCols,
          oBins,
          nCols,
          lambda,
          minChildWeight,
          gamma,
          SCRATCH_ACC,
          SCRATCH_SEEN,
          SPLIT_OUT,
        ),
        out,
      ),
  });
}

/**
 * The arrays of one forest tree's growth, in WebAssembly memory (views valid until the next acquire on
 * this thread: a fit takes the arena afresh for every tree).
 */
export interface ForestArena {
  /** The tree's rows (bootstrap draws, then partitioned node by node). */
  idx: Uint32Array;
  /** The node's labels and weights, in idx order from 0. */
  yN: Uint8Array;
  wN: Float64Array;
  /** Starts a node's search: no best split yet (score -Infinity). */
  resetBest(): void;
  /**
   * Drawn column `col` (nb value bins) over the node's rows idx[start..start+nS): its candidates
   * against the node's best; false if the column is constant in the node (not counted as visited).
   */
  column(
    col: number,
    nRows: number,
    start: number,
    nS: number,
    nb: number,
    Wn0: number,
    Wn1: number,
    minLeaf: number,
  ): boolean;
  /** The node's best so far: score, L0, L1. */
  bestF: Float64Array;
  /** The node's best so far: column, bin, defaultLeft (0/1). */
  bestI: Int32Array;
}

/**
 * A forest arena over `codes` (nActive x nRows, column-major) for trees of nTrain rows, with the
 * entropy score's x ln x table (null: gini). Returns null when the kernels are disabled. The codes sit
 * where the boosting arena keeps them, so both families of one binned data set copy them in once.
 */
export function acquireForestArena(
  codes: Uint8Array,
  nTrain: number,
  table: Float64Array | null,
): ForestArena | null {
  if (!wasmKernelsEnabled()) return null;
  const tableLen = table ? table.length : 0;
  const oCodes = align(FIXED_END);
  const oIdx = align(oCodes + codes.length);
  const oY = align(oIdx + 4 * nTrain);
  const oW = align(oY + nTrain);
  const oTable = align(oW + 8 * nTrain);
  const end = oTable + 8 * tableLen;
  const s = spaceFor(end);
  const buf = s.memory.buffer;
  const key = `${nTrain}/${tableLen}`;
  if (s.codesSource === codes && s.forest && s.forestKey === key) return s.forest;
  if (s.codesSource !== codes) {
    new Uint8Array(buf, oCodes, codes.length).set(codes);
    s.codesSource = codes;
  }
  // The table depends on its length only (x ln x for 0..length-1), so the key covers it.
  if (table) new Float64Array(buf, oTable, tableLen).set(table);
  s.knnSource = null;
  s.knnKernel = null;
  s.arena = null;
  s.arenaKey = '';
  const k = s.kernels;
  const bestF = new Float64Array(buf, FOREST_BEST, 3);
  const bestI = new Int32Array(buf, FOREST_BEST + 24, 3);
  const tableAt = table ? oTable : 0;
  s.forestKey = key;
  return (s.forest = {
    idx: new Uint32Array(buf, oIdx, nTrain),
    yN: new Uint8Array(buf, oY, nTrain),
    wN: new Float64Array(buf, oW, nTrain),
    bestF,
    bestI,
    resetBest: () => {
      bestF[0] = -Infinity;
      bestF[1] = 0;
      bestF[2] = 0;
      bestI[0] = -1;
      bestI[1] = 0;
      bestI[2] = 0;
    },
    column: (col, nRows, start, nS, nb, Wn0, Wn1, minLeaf) =>
      k.forest_column(
        oCodes + col * nRows,
        oIdx + 4 * start,
        nS,
        oY,
        oW,
        nb,
        col,
        Wn0,
        Wn1,
        minLeaf,
        tableAt,
        tableLen,
        SCRATCH_ACC,
        SCRATCH_SEEN,
        FOREST_BEST,
      ) !== 0,
  });
}

/**
 * What knn_block works on, for one donor set and its shortlist: the donors (as KnnDonors in
 * preprocess/knn.ts) and the scan's donor pairs, groups of donors in scan order, two donors per pair
 * with their scan slots interleaved (a group with an odd count ends in a half-empty pair).
 */
export interface KnnKernelData {
  p: number;
  nDonors: number;
  Z: Float64Array;
  obs: Uint8Array;
  norm2: Float64Array;
  missPtr: Int32Array;
  missIdx: Int32Array;
  obsPtr: Int32Array;
  obsIdx: Int32Array;
  /** Scan slots per donor (a multiple of 4). */
  w: number;
  /** Per pair: w x 2 doubles, slot t of donor 0 at 2t and of donor 1 at 2t + 1. */
  vp: Float64Array;
  /** Per pair: both donors' missing-coordinate counts. */
  mydP: Float64Array;
  /** Per pair: both donors' indices, -1 for an empty lane. */
  pairDonor: Int32Array;
  /** Group g's pairs are gpPtr[g]..gpPtr[g + 1]. */
  gpPtr: Int32Array;
  /** The shortlist's query preparation: centre (p), projection (ms x p), heavy coordinates (hs, -1 =
   *  padding), group centroids (groups x w) and each scan slot's source (hs heavy, then projected). */
  center: Float64Array;
  W: Float64Array;
  ms: number;
  heavy: Int32Array;
  hs: number;
  cent: Float64Array;
  slotSrc: Int32Array;
  /** Per group, over the projected scan slots only (never missing): the members' mean (groups x w,
   *  0 in heavy slots) and the largest member distance from it (Infinity: no bound for the group). */
  gProj: Float64Array;
  gRad: Float64Array;
}

/**
 * One thread's KNN kernel over one donor set: the block's raw query rows to fill and the answers (views
 * into the WebAssembly memory, valid until the next acquire on this thread), and the block call.
 */
export interface KnnKernel {
  /** The block's raw query rows, qb x nIn (NaN = missing), as the job's source columns. */
  raw: Float64Array;
  /** Per query slot: its missing coordinates (p slots each, qMissN[q] used) and their imputed values
   *  (blockVals[q * p + t] for qMiss[q * p + t], meaningful where that coordinate's outPos >= 0). */
  qMiss: Int32Array;
  qMissN: Int32Array;
  blockVals: Float64Array;
  /** Per-donor distance stamps: fill with -1 when a new set of queries starts. */
  stamp: Int32Array;
  /** The imputation's settings; call before the block. */
  setJob(outPos: Int32Array, fallback: Float64Array, colSrc: ArrayLike<number>, k: number, C: number): void;
  /** Prepares and answers query slots 0..bn-1 (query numbers b0.. of the job). */
  block(b0: number, bn: number): void;
}

/** knn_block's KnnJob struct: every field 4 bytes, in kernels.c's order. */
const KNN_JOB_FIELDS = [
  'Z',
  'obs',
  'norm2',
  'missPtr',
  'missIdx',
  'obsPtr',
  'obsIdx',
  'p',
  'vp',
  'mydP',
  'pairDonor',
  'gpPtr',
  'w',
  'outPos',
  'fallback',
  'k',
  'C',
  'cache',
  'stamp',
  'topD',
  'topI',
  'candD',
  'candI',
  'G',
  'nbD',
  'nbI',
  'Q',
  'qobs',
  'qMiss',
  'qMissN',
  'qn2',
  'gOrder',
  'vq',
  'raw',
  'nIn',
  'colSrc',
  'center',
  'W',
  'ms',
  'heavy',
  'hs',
  'cent',
  'nG',
  'slotSrc',
  'Qc',
  'Y',
  'Hq',
  'gD',
  'blockVals',
  'gProj',
  'gRad',
] as const;

/** KnnJob's fields that hold a count, not an offset into the memory. */
const KNN_JOB_COUNTS = new Set(['p', 'w', 'k', 'C', 'nIn', 'ms', 'hs', 'nG']);

/**
 * The KNN kernel over these donors for blocks of up to qb queries of nIn source columns, C candidates and k neighbours, in
 * this thread's WebAssembly memory (which it shares with the boosting arena: whichever was acquired
 * last owns the bytes, and the other copies its data in again when next acquired). Null when the
 * kernels are disabled.
 */
export function acquireKnnKernel(
  data: KnnKernelData,
  qb: number,
  maxC: number,
  maxK: number,
  nIn: number,
): KnnKernel | null {
  if (!wasmKernelsEnabled()) return null;
  const { p, nDonors: D } = data;
  const G = data.gpPtr.length - 1;
  const key = `${qb}/${maxC}/${maxK}/${nIn}`;
  const offsets: Record<(typeof KNN_JOB_FIELDS)[number], number> = {} as never;
  let at = align(FIXED_END + 4 * KNN_JOB_FIELDS.length);
  const place = (name: (typeof KNN_JOB_FIELDS)[number], bytes: number) => {
    offsets[name] = at;
    at = align(at + bytes);
  };
  place('Z', data.Z.byteLength);
  place('obs', data.obs.byteLength);
  place('norm2', data.norm2.byteLength);
  place('missPtr', data.missPtr.byteLength);
  place('missIdx', data.missIdx.byteLength);
  place('obsPtr', data.obsPtr.byteLength);
  place('obsIdx', data.obsIdx.byteLength);
  place('vp', data.vp.byteLength);
  place('mydP', data.mydP.byteLength);
  place('pairDonor', data.pairDonor.byteLength);
  place('gpPtr', data.gpPtr.byteLength);
  place('outPos', 4 * p);
  place('fallback', 8 * p);
  place('cache', 8 * D);
  place('stamp', 4 * D);
  place('topD', 8 * maxC);
  place('topI', 4 * (maxC + 3));
  place('candD', 8 * maxC);
  place('candI', 4 * maxC);
  place('G', 8 * (maxC + 3));
  place('nbD', 8 * maxK);
  place('nbI', 4 * maxK);
  place('Q', 8 * qb * p);
  place('qobs', qb * p);
  place('qMiss', 4 * qb * p);
  place('qMissN', 4 * qb);
  place('qn2', 8 * qb);
  place('gOrder', 4 * G);
  place('vq', 8 * data.w);
  place('raw', 8 * qb * nIn);
  place('colSrc', 4 * p);
  place('center', data.center.byteLength);
  place('W', data.W.byteLength);
  place('heavy', data.heavy.byteLength);
  place('cent', data.cent.byteLength);
  place('slotSrc', data.slotSrc.byteLength);
  place('Qc', 8 * p);
  place('Y', 8 * data.ms);
  place('Hq', 8 * data.hs);
  place('gD', 8 * G);
  place('blockVals', 8 * qb * p);
  place('gProj', data.gProj.byteLength);
  place('gRad', data.gRad.byteLength);
  const s = spaceFor(at);
  if (s.knnSource === data && s.knnKernel && s.knnKey === key) return s.knnKernel;
  const buf = s.memory.buffer;
  const copy = <T extends Float64Array | Int32Array | Uint8Array>(src: T, offset: number) =>
    new (src.constructor as new (b: ArrayBuffer, o: number, n: number) => T)(buf, offset, src.length).set(
      src,
    );
  copy(data.Z, offsets.Z);
  copy(data.obs, offsets.obs);
  copy(data.norm2, offsets.norm2);
  copy(data.missPtr, offsets.missPtr);
  copy(data.missIdx, offsets.missIdx);
  copy(data.obsPtr, offsets.obsPtr);
  copy(data.obsIdx, offsets.obsIdx);
  copy(data.vp, offsets.vp);
  copy(data.mydP, offsets.mydP);
  copy(data.pairDonor, offsets.pairDonor);
  copy(data.gpPtr, offsets.gpPtr);
  copy(data.center, offsets.center);
  copy(data.W, offsets.W);
  copy(data.heavy, offsets.heavy);
  copy(data.cent, offsets.cent);
  copy(data.slotSrc, offsets.slotSrc);
  copy(data.gProj, offsets.gProj);
  copy(data.gRad, offsets.gRad);
  const counts: Record<string, number> = { p, w: data.w, k: 0, C: 0, nIn, ms: data.ms, hs: data.hs, nG: G };
  const job = new Int32Array(buf, FIXED_END, KNN_JOB_FIELDS.length);
  KNN_JOB_FIELDS.forEach(
    (name, i) => (job[i] = KNN_JOB_COUNTS.has(name) ? counts[name]! : offsets[name as keyof typeof offsets]),
  );
  const kIndex = KNN_JOB_FIELDS.indexOf('k');
  const cIndex = KNN_JOB_FIELDS.indexOf('C');
  const outPosW = new Int32Array(buf, offsets.outPos, p);
  const fallbackW = new Float64Array(buf, offsets.fallback, p);
  const colSrcW = new Int32Array(buf, offsets.colSrc, p);
  const stamp = new Int32Array(buf, offsets.stamp, D).fill(-1);
  const kernels = s.kernels;
  // The boosting arena's bytes are overwritten: its next acquire copies its codes in again.
  s.codesSource = null;
  s.arena = null;
  s.forest = null;
  s.knnSource = data;
  s.knnKey = key;
  return (s.knnKernel = {
    raw: new Float64Array(buf, offsets.raw, qb * nIn),
    qMiss: new Int32Array(buf, offsets.qMiss, qb * p),
    qMissN: new Int32Array(buf, offsets.qMissN, qb),
    blockVals: new Float64Array(buf, offsets.blockVals, qb * p),
    stamp,
    setJob(outPos, fallback, colSrc, k, C) {
      if (C > maxC || k > maxK)
        throw new RangeError(`knn_block: room for ${maxC} candidates and ${maxK} neighbours`);
      for (let j = 0; j < p; j++) {
        const c = colSrc[j]!;
        if (!(c >= 0 && c < nIn)) throw new RangeError(`knn_block: source column ${c} outside 0..${nIn - 1}`);
        colSrcW[j] = c;
      }
      outPosW.set(outPos);
      fallbackW.set(fallback);
      job[kIndex] = k;
      job[cIndex] = C;
    },
    block(b0, bn) {
      if (bn > qb) throw new RangeError(`knn_block: room for ${qb} queries`);
      kernels.knn_block(FIXED_END, b0, bn);
    },
  });
}
