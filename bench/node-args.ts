/**
 * How a benchmark runs TypeScript: tsx's in-thread CommonJS hook (`node -r tsx/cjs`), never its ESM
 * loader (`node --import tsx`, `npx tsx`). Why: the ESM loader talks to its hooks thread by transferring
 * ArrayBuffers, and the first detached ArrayBuffer in a process clears V8's "ArrayBuffer detaching"
 * protector, after which every typed-array access in optimized code re-checks for detachment. Measured
 * here: the histogram kernel went from 2.2 to 3.1 ns per cell and the 10x boosting fit from 5.6 to
 * 7.5 s. The product never runs that loader (the app, `serve` and the CLI run the built bundle; the
 * worker pool loads sources through tsx/cjs in development), so a benchmark under it measures an
 * artifact, not the product.
 */
export const TS_NODE_ARGS: readonly string[] = ['-r', 'tsx/cjs'];
