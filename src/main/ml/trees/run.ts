// Drives a progress generator to completion (tests, CLI, one-thread use). The app's worker pool
// iterates the generators itself so it can report progress and stop on cancel between yields.

import type { Progress } from './types';

export function runToEnd<T>(gen: Generator<Progress, T, void>, onProgress?: (p: Progress) => void): T {
  let step = gen.next();
  while (!step.done) {
    onProgress?.(step.value);
    step = gen.next();
  }
  return step.value;
}
