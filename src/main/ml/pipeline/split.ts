/**
 * The run's one held-out split, stratified by (cluster, label) so every regime keeps its share of
 * faulty wafers on both sides, and the per-cluster and global models are judged on the same rows.
 */
import { createRng } from '../rng';

export interface StrataSplit {
  /** 1 = held out (test), 0 = train, per row. */
  isTest: Uint8Array;
  train: Int32Array;
  test: Int32Array;
}

export function strataSplit(strata: Int32Array, testFraction: number, seed: number): StrataSplit {
  const n = strata.length;
  const byStratum = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const list = byStratum.get(strata[i]!) ?? [];
    list.push(i);
    byStratum.set(strata[i]!, list);
  }
  const rng = createRng(seed);
  const isTest = new Uint8Array(n);
  for (const key of [...byStratum.keys()].sort((a, b) => a - b)) {
    const members = byStratum.get(key)!;
    rng.shuffle(members);
    // A stratum of one stays in training: a model cannot learn from a class it never sees.
    const nTest = members.length < 2 ? 0 : Math.max(1, Math.round(members.length * testFraction));
    for (let i = 0; i < nTest; i++) isTest[members[i]!] = 1;
  }
  const train: number[] = [];
  const test: number[] = [];
  for (let i = 0; i < n; i++) (isTest[i] ? test : train).push(i);
  return { isTest, train: Int32Array.from(train), test: Int32Array.from(test) };
}
