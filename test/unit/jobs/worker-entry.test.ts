// Which script the worker pool starts: the built worker beside the entries (also when the resolving
// module sits in a shared chunk), else the TypeScript source through the tsx bootstrap.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveWorkerEntry } from '../../../src/main/jobs/worker-entry';
import { useTempDir } from '../../helpers/tmp';

const tmp = useTempDir('wfs-worker-entry-');
const layout = (files: string[]): string => {
  const root = tmp();
  for (const f of files) {
    mkdirSync(join(root, f, '..'), { recursive: true });
    writeFileSync(join(root, f), '');
  }
  return root;
};

describe('resolveWorkerEntry', () => {
  it('finds the built worker beside the entry that resolves it', () => {
    const root = layout(['out/main/cli.js', 'out/main/worker.js']);
    expect(resolveWorkerEntry(join(root, 'out/main'))).toEqual({
      file: join(root, 'out/main/worker.js'),
      data: {},
    });
  });

  it('finds the built worker from a shared chunk one folder down', () => {
    const root = layout(['out/main/cli.js', 'out/main/worker.js', 'out/main/chunks/index-abc.js']);
    expect(resolveWorkerEntry(join(root, 'out/main/chunks'))).toEqual({
      file: join(root, 'out/main/worker.js'),
      data: {},
    });
  });

  it('runs the TypeScript source through the tsx bootstrap when nothing is built', () => {
    const root = layout([
      'src/main/workers/worker.ts',
      'src/main/workers/ts-bootstrap.cjs',
      'src/main/jobs/pool.ts',
    ]);
    expect(resolveWorkerEntry(join(root, 'src/main/jobs'))).toEqual({
      file: join(root, 'src/main/workers/ts-bootstrap.cjs'),
      data: { __entry: join(root, 'src/main/workers/worker.ts') },
    });
  });

  it('does not take a worker.js from an unrelated parent folder', () => {
    const root = layout(['worker.js', 'src/main/workers/worker.ts', 'src/main/jobs/pool.ts']);
    expect(resolveWorkerEntry(join(root, 'src/main/jobs')).file).toBe(
      join(root, 'src/main/workers/ts-bootstrap.cjs'),
    );
  });
});
