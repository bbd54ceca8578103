/**
 * `npm run bench [-- <name>...] [--sizes 1,10,100]`: the seeded benchmarks. Speed is measured here,
 * never in timed tests. Names: ingest, parse, trees, preprocess, train, predict (default: all), and
 * reference (only when named: our held-out quality vs a Python replica of the reference on the same rows).
 */
import { runIngestBench } from './ingest';
import { runParseBench } from './ingest-parse';
import { runPreprocessBench } from './preprocess';
import { runTreesBench } from './trees';
import { runTrainBench } from './train';
import { runPredictBench } from './predict';
import { runReferenceQualityBench } from './reference-quality';

const BENCHES: Record<string, (argv: string[]) => Promise<unknown>> = {
  ingest: runIngestBench,
  parse: runParseBench,
  trees: runTreesBench,
  preprocess: runPreprocessBench,
  train: runTrainBench,
  predict: runPredictBench,
};

/** Run only when named: minutes long, and it needs the reference data and Python's scikit-learn. */
const ON_REQUEST: Record<string, (argv: string[]) => Promise<unknown>> = {
  reference: runReferenceQualityBench,
};

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const names = argv.filter((a, i) => !a.startsWith('--') && !(i > 0 && argv[i - 1]!.startsWith('--')));
  const unknown = names.filter((n) => !BENCHES[n] && !ON_REQUEST[n]);
  if (unknown.length) {
    console.error(
      `unknown benchmark(s): ${unknown.join(', ')}; choose from ${[...Object.keys(BENCHES), ...Object.keys(ON_REQUEST)].join(', ')}`,
    );
    process.exitCode = 2;
    return;
  }
  const rest = argv.filter((a) => !names.includes(a));
  for (const name of names.length ? names : Object.keys(BENCHES)) {
    console.log(`\n=== ${name} ===`);
    const started = performance.now();
    await (BENCHES[name] ?? ON_REQUEST[name])!(rest);
    console.log(`(${name}: ${((performance.now() - started) / 1000).toFixed(1)} s)`);
  }
}

void main();
