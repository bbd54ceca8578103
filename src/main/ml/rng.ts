// Seeded pseudo-random numbers for every stochastic step of the pipeline (sampling, k-means++, splits).
// Hand-written because Math.random cannot be seeded and results must be reproducible run to run:
// sfc32 (Chris Doty-Humphrey's small fast chaotic PRNG, 128-bit state) seeded through splitmix32 so
// that nearby integer seeds (1, 2, 3...) still give unrelated streams.

export interface Rng {
  /** Uniform float in [0, 1) with 32 bits of randomness. */
  next(): number;
  /** Uniform integer in [0, n). n must be a positive integer below 2^32. */
  nextInt(n: number): number;
  /** Fisher-Yates shuffle in place; returns the same array for chaining. */
  shuffle<T extends { length: number; [i: number]: unknown }>(a: T): T;
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Non-integer or huge seeds are folded to 32 bits so any finite number is a valid seed. */
function foldSeed(seed: number): number {
  if (!Number.isFinite(seed)) throw new Error(`rng seed must be finite, got ${seed}`);
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 4294967296) >>> 0;
  return (lo ^ Math.imul(hi, 0x27d4eb2d)) >>> 0;
}

export function createRng(seed: number): Rng {
  const sm = splitmix32(foldSeed(seed));
  let a = sm();
  let b = sm();
  let c = sm();
  let d = sm();
  const nextU32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t;
  };
  // Discard a few outputs: sfc32 authors recommend warming up the state.
  for (let i = 0; i < 12; i++) nextU32();

  const next = (): number => nextU32() / 4294967296;
  const nextInt = (n: number): number => {
    if (!(n > 0) || n > 4294967296 || Math.floor(n) !== n) throw new Error(`nextInt: bad bound ${n}`);
    // Rejection sampling keeps the result exactly uniform even for bounds that do not divide 2^32.
    const limit = 4294967296 - (4294967296 % n);
    let x = nextU32();
    while (x >= limit) x = nextU32();
    return x % n;
  };
  const shuffle = <T extends { length: number; [i: number]: unknown }>(arr: T): T => {
    for (let i = arr.length - 1; i > 0; i--) {
      const j = nextInt(i + 1);
      const t = arr[i];
      arr[i] = arr[j];
      arr[j] = t;
    }
    return arr;
  };
  return { next, nextInt, shuffle };
}

/** Derive an independent child seed (e.g. one per k-means restart) without consuming the parent stream. */
export function deriveSeed(seed: number, salt: number): number {
  const sm = splitmix32((foldSeed(seed) ^ Math.imul(foldSeed(salt) + 1, 0x9e3779b1)) >>> 0);
  sm();
  return sm();
}

/**
 * k distinct indices from [0, n) chosen uniformly, returned sorted ascending so that downstream
 * loops walk memory in order and results do not depend on the draw order.
 */
export function sampleIndices(n: number, k: number, rng: Rng): Int32Array {
  if (k >= n) return Int32Array.from({ length: n }, (_, i) => i);
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  // Partial Fisher-Yates: only the first k slots need to be drawn.
  for (let i = 0; i < k; i++) {
    const j = i + rng.nextInt(n - i);
    const t = idx[i];
    idx[i] = idx[j];
    idx[j] = t;
  }
  return idx.slice(0, k).sort();
}
