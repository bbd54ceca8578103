// The WebAssembly kernels (kernels.c) and the memory they work in. A boosting fit borrows a HistArena:
// its codes, row index, (grad, hess) pairs and histogram buffers live in one WebAssembly.Memory, seen
// from TypeScript through typed-array views, so the fit's own loops (partitioning, split search) read
// the same arrays the kernels write and nothing is copied per node. KNN imputation borrows the same
// bytes for its donor scan (a KnnScanner); whichever was acquired last owns them.
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
  knn_scan(
    vp: number,
    mydP: number,
    pairDonor: number,
    gpPtr: number,
    gOrder: number,
    nG: number,
    w: number,
    vq: number,
    pm: number,
    p: number,
    C: number,
    topD: number,
    topI: number,
  ): number;
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
const FIXED_END = SPLIT_OUT + 48;
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
  /** The KNN donor pairs last copied in, and their scanner (they share the arena's bytes). */
  knnSource: KnnPairs | null;
  knnScanner: KnnScanner | null;
  knnMaxC: number;
}

let space: Space | null = null;

function spaceFor(bytes: number): Space {
  if (space && space.bytes >= bytes) return space;
  const pages = Math.ceil(bytes / PAGE);
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
  const instance = new WebAssembly.Instance(module()!, { env: { memory } });
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
    knnScanner: null,
    knnMaxC: 0,
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
  /** findSplit over one of the arena's histograms; `out` is written only when a split is found. */
  findSplit(hist: Float64Array, search: SplitSearch, out: SplitAnswer): boolean;
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
  s.knnScanner = null;
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
    findSplit: (hist, { G, H, nCols, lambda, minChildWeight, gamma }, out) =>
      answer(k.find_split(hist.byteOffset, G, H, oOff, nCols, lambda, minChildWeight, gamma, SPLIT_OUT), out),
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
 * The KNN shortlist's donors laid out for knn_scan: groups of donors in scan order, two donors per
 * pair with their scan slots interleaved (a group with an odd count ends in a half-empty pair).
 */
export interface KnnPairs {
  /** Scan slots per donor (a multiple of 4). */
  w: number;
  nPairs: number;
  /** Per pair: w x 2 doubles, slot t of donor 0 at 2t and of donor 1 at 2t + 1. */
  vp: Float64Array;
  /** Per pair: both donors' missing-coordinate counts. */
  mydP: Float64Array;
  /** Per pair: both donors' indices, -1 for an empty lane. */
  pairDonor: Int32Array;
  /** Group g's pairs are gpPtr[g]..gpPtr[g + 1]. */
  gpPtr: Int32Array;
}

/** Stage 1 of one query's shortlist search (knn_scan); returns how many of topD/topI it filled. */
export interface KnnScanner {
  scan(
    gOrder: Int32Array,
    nG: number,
    vq: Float64Array,
    pm: number,
    p: number,
    C: number,
    topD: Float64Array,
    topI: Int32Array,
  ): number;
}

/**
 * A scanner over these donor pairs, in this thread's WebAssembly memory (which it shares with the
 * boosting arena: whichever was acquired last owns the bytes, and the other copies its data in again
 * when next acquired). Null when the kernels are disabled. Valid until the next acquire on this thread.
 */
export function acquireKnnScanner(pairs: KnnPairs, maxC: number): KnnScanner | null {
  if (!wasmKernelsEnabled()) return null;
  const G = pairs.gpPtr.length - 1;
  const oVp = align(FIXED_END);
  const oMyd = align(oVp + pairs.vp.byteLength);
  const oDonor = align(oMyd + pairs.mydP.byteLength);
  const oGp = align(oDonor + pairs.pairDonor.byteLength);
  const oOrder = align(oGp + 4 * (G + 1));
  const oVq = align(oOrder + 4 * G);
  const oTopD = align(oVq + 8 * pairs.w);
  const oTopI = align(oTopD + 8 * maxC);
  const end = oTopI + 4 * maxC;
  const s = spaceFor(end);
  if (s.knnSource === pairs && s.knnScanner && s.knnMaxC === maxC) return s.knnScanner;
  const buf = s.memory.buffer;
  new Float64Array(buf, oVp, pairs.vp.length).set(pairs.vp);
  new Float64Array(buf, oMyd, pairs.mydP.length).set(pairs.mydP);
  new Int32Array(buf, oDonor, pairs.pairDonor.length).set(pairs.pairDonor);
  new Int32Array(buf, oGp, G + 1).set(pairs.gpPtr);
  const order = new Int32Array(buf, oOrder, G);
  const vq = new Float64Array(buf, oVq, pairs.w);
  const topDw = new Float64Array(buf, oTopD, maxC);
  const topIw = new Int32Array(buf, oTopI, maxC);
  const k = s.kernels;
  // The boosting arena's bytes are overwritten: its next acquire copies its codes in again.
  s.codesSource = null;
  s.arena = null;
  s.knnSource = pairs;
  s.knnMaxC = maxC;
  return (s.knnScanner = {
    scan(gOrder, nG, vqIn, pm, p, C, topD, topI) {
      if (C > maxC) throw new RangeError(`knn_scan: ${C} candidates, room for ${maxC}`);
      order.set(gOrder.subarray(0, nG));
      vq.set(vqIn.subarray(0, pairs.w));
      const n = k.knn_scan(oVp, oMyd, oDonor, oGp, oOrder, nG, pairs.w, oVq, pm, p, C, oTopD, oTopI);
      topD.set(topDw.subarray(0, n));
      topI.set(topIw.subarray(0, n));
      return n;
    },
  });
}
