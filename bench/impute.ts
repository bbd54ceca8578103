// KNN imputation benchmark on seeded SECOM-like data (bench/preprocess.ts makeWaferData: 590 sensors,
// ~5% missing cells, 3 regimes). Prints (1) transform rows/s at prediction time: fit on 1,567 rows
// (1,567 donors), then transformRows on a fresh batch of rows from the same process, and (2) fit
// seconds at the requested scales. Usage:
//   node -r tsx/cjs bench/impute.ts [--scales=1,10,100] [--search=exact|shortlist] [--donors=1567,5000]
import { fitPreprocessor, transformRows } from '../src/main/ml/preprocess';
import type { PreprocessOptions } from '../src/main/ml/preprocess';
import { run } from '../src/main/ml/matrix';
import { makeWaferData } from './preprocess';

const argv = process.argv.slice(2);
const arg = (name: string, def: string): string =>
  argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? def;
const scales = arg('scales', '1,10')
  .split(',')
  .map(Number)
  .filter((s) => s > 0);
const donorCounts = arg('donors', '1567')
  .split(',')
  .map(Number)
  .filter((s) => s > 0);
const search = arg('search', '');
const extra: PreprocessOptions = search ? ({ knnSearch: search } as PreprocessOptions) : {};
if (arg('dims', '')) extra.knnShortlistDims = Number(arg('dims', ''));
if (arg('heavy', '')) extra.knnShortlistHeavy = Number(arg('heavy', ''));
if (arg('cands', '')) extra.knnCandidates = Number(arg('cands', ''));
const seed = Number(arg('seed', '1'));

for (const nd of donorCounts) {
  const train = makeWaferData(nd, seed);
  const tf = performance.now();
  const fit = run(
    fitPreprocessor(train.X, nd, train.nFeatures, train.names, { seed, labels: train.labels, ...extra }),
  );
  console.log(`fit on ${nd} rows: ${((performance.now() - tf) / 1000).toFixed(2)} s`);
  // Fresh rows with the same generator parameters: regenerate a larger set and take the tail.
  const all = makeWaferData(nd + 1567, seed);
  const nq = 1567;
  const Xq = new Float64Array(nq * all.nFeatures);
  for (let f = 0; f < all.nFeatures; f++)
    Xq.set(all.X.subarray(f * all.nRows + nd, f * all.nRows + nd + nq), f * nq);
  transformRows(fit.state, Xq, nq); // warm-up + compile cache
  const reps = Number(arg('reps', '5'));
  const times: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    const c = process.cpuUsage();
    transformRows(fit.state, Xq, nq);
    const dc = process.cpuUsage(c);
    cpu.push((dc.user + dc.system) / 1000);
    times.push(performance.now() - t);
  }
  const best = Math.min(...times) / 1000;
  const bestCpu = Math.min(...cpu) / 1000;
  let recall = '';
  if (fit.state.knnSearch && argv.includes('--recall')) {
    const ex = transformRows({ ...fit.state, knnSearch: null }, Xq, nq);
    const sl = transformRows(fit.state, Xq, nq);
    const nOut = fit.state.keptColumns.length;
    let cells = 0;
    let same = 0;
    for (let i = 0; i < nOut; i++) {
      const src = fit.state.keptColumns[i] * nq;
      for (let r = 0; r < nq; r++) {
        if (Xq[src + r] === Xq[src + r]) continue;
        cells++;
        if (ex[i * nq + r] === sl[i * nq + r]) same++;
      }
    }
    recall = ` | identical to exact: ${same}/${cells} imputed cells = ${((100 * same) / cells).toFixed(2)}%`;
  }
  console.log(
    `transform: ${nq} rows x ${all.nFeatures} cols vs ${fit.state.donors?.nDonors} donors: best ${best.toFixed(3)} s ` +
      `-> ${Math.round(nq / best)} rows/s, CPU ${bestCpu.toFixed(3)} s -> ${Math.round(nq / bestCpu)} rows/s per core (runs ${times.map((t) => (t / 1000).toFixed(3)).join(', ')})${recall}`,
  );
}
for (const s of scales) {
  const n = Math.round(1567 * s);
  const data = makeWaferData(n, seed);
  const t = performance.now();
  const fit = run(
    fitPreprocessor(data.X, n, data.nFeatures, data.names, { seed, labels: data.labels, ...extra }),
  );
  const sec = (performance.now() - t) / 1000;
  console.log(
    `fit ${s}x: ${n} rows: ${sec.toFixed(2)} s (${fit.state.donors?.nDonors} donors${fit.state.donors?.sampled ? ', sampled' : ''})`,
  );
  for (const note of fit.notes) console.log(`   note: ${note}`);
}
