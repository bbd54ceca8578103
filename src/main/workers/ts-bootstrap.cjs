// Development-only worker bootstrap: registers tsx so a worker can run the TypeScript source directly
// (tests and benchmarks run from source; the built app loads out/main/worker.js instead).
const { workerData } = require('node:worker_threads');
require('tsx/cjs');
require(workerData.__entry);
