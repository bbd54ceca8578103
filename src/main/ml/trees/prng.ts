// Tiny seeded PRNG for the tree engine. Hand-written (not src/main/ml/rng.ts) so the engine has no
// dependency on a sibling module, and so seeds are derived from (seed, stream, index): a tree's or
// round's randomness depends only on its own index, never on how many trees were built before it or
// on which worker built it. That is what makes chunked/parallel fits identical to one-thread fits.

/** splitmix32-style avalanche of a 32-bit integer. */
function mix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** Stream tags keep the row sampler, column sampler, bootstrap etc. statistically independent. */
export const Stream = {
  GbmRows: 1,
  GbmCols: 2,
  ForestBootstrap: 3,
  ForestFeatures: 4,
  Folds: 5,
  Synth: 6,
} as const;

/** Derives an independent 32-bit seed from a user seed, a stream tag and an index (tree, round, fold). */
export function deriveSeed(seed: number, stream: number, index: number): number {
  return mix32(mix32(mix32(seed >>> 0) ^ Math.imul(stream, 0x27d4eb2d)) ^ (index >>> 0));
}

/**
 * Key of a tree node's child (side 0 left, 1 right) from its own key (the root's is 1): a node's
 * randomness is derived from its key, so it does not depend on which nodes were grown before it.
 */
export function childKey(key: number, side: number): number {
  return mix32(Math.imul(key ^ 0x5bd1e995, 3) + side + 1);
}

/** xoshiro128** — fast, 128-bit state, good enough statistically for sampling rows and features. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    this.a = 0;
    this.b = 0;
    this.c = 0;
    this.d = 0;
    this.reseed(seed);
  }

  /** Restarts the generator as new Rng(seed) would (no allocation: a forest reseeds per node). */
  reseed(seed: number): void {
    // Seed the four words through the mixer so nearby seeds give unrelated streams.
    this.a = mix32(seed);
    this.b = mix32(this.a ^ 0x6c078965);
    this.c = mix32(this.b ^ 0x1b873593);
    this.d = mix32(this.c ^ 0xcc9e2d51);
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** Uniform in [0, 1). */
  nextFloat(): number {
    return this.nextU32() / 4294967296;
  }

  /** Uniform integer in [0, n). The tiny modulo bias of the multiply-shift is irrelevant here. */
  nextInt(n: number): number {
    return Math.floor(this.nextFloat() * n);
  }

  /** Standard normal via Box-Muller (used by the synthetic data generator). */
  nextNormal(): number {
    let u = this.nextFloat();
    if (u < 1e-300) u = 1e-300;
    const v = this.nextFloat();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
