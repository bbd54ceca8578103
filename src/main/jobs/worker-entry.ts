/**
 * Where the worker script is: the built one (out/main/worker.js, beside the index.js and cli.js
 * entries), or the TypeScript source loaded through a tiny tsx bootstrap when running from source
 * (tests, bench, tsx CLI). The built lookup must work from a shared chunk too: the bundler moves this
 * module into out/main/chunks/ when several entries import it, and falling back to the source there
 * made every worker of the built app compile the TypeScript at start (a second or more per batch of
 * workers, and tsx is a development dependency the packaged app does not ship).
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

export interface WorkerEntry {
  file: string;
  /** Extra workerData the bootstrap needs. */
  data: Record<string, unknown>;
}

/** `from`: the directory of the running module (tests pass a layout of their own). */
export function resolveWorkerEntry(
  from: string = typeof __dirname === 'string' ? __dirname : '',
): WorkerEntry {
  if (from) {
    const candidates = [join(from, 'worker.js')];
    if (basename(from) === 'chunks') candidates.push(join(dirname(from), 'worker.js'));
    const built = candidates.find((file) => existsSync(file));
    if (built) return { file: built, data: {} };
  }
  const root = findRoot(from || process.cwd());
  return {
    file: join(root, 'src/main/workers/ts-bootstrap.cjs'),
    data: { __entry: join(root, 'src/main/workers/worker.ts') },
  };
}

function findRoot(start: string): string {
  let dir = start;
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'src/main/workers/worker.ts'))) return dir;
    dir = resolve(dir, '..');
  }
  return process.cwd();
}
