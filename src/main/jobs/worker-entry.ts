/**
 * Where the worker script is: next to the bundle when built (out/main/worker.js), or the TypeScript
 * source loaded through a tiny tsx bootstrap when running from source (tests, bench, tsx CLI).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface WorkerEntry {
  file: string;
  /** Extra workerData the bootstrap needs. */
  data: Record<string, unknown>;
}

export function resolveWorkerEntry(): WorkerEntry {
  const built = typeof __dirname === 'string' ? join(__dirname, 'worker.js') : '';
  if (built && existsSync(built)) return { file: built, data: {} };
  const root = findRoot();
  return {
    file: join(root, 'src/main/workers/ts-bootstrap.cjs'),
    data: { __entry: join(root, 'src/main/workers/worker.ts') },
  };
}

function findRoot(): string {
  let dir = typeof __dirname === 'string' ? __dirname : process.cwd();
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'src/main/workers/worker.ts'))) return dir;
    dir = resolve(dir, '..');
  }
  return process.cwd();
}
