/**
 * Start-up cost guards: what a worker and the CLI load before they can work. zod takes ~100 ms to load
 * from node_modules and yaml ~40 ms; a worker needs neither, and the CLI needs yaml only for a YAML
 * training config. The graph walk follows value imports and re-exports of our own sources (type-only
 * imports are erased by the build, so they load nothing).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readConfigFile } from '../../src/main/host/commands/train';
import { useTempDir } from '../helpers/tmp';

const SRC = resolve(__dirname, '../../src');
const FROM = /(?:^|\n)\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/g;

function resolveSource(fromFile: string, spec: string): string | null {
  const base = resolve(dirname(fromFile), spec);
  for (const candidate of [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts')])
    if (existsSync(candidate)) return candidate;
  return null;
}

/** Packages (bare specifiers) reachable from entry through value imports of our sources. */
function packagesLoadedBy(entry: string): Set<string> {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const stack = [entry];
  while (stack.length > 0) {
    const file = stack.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(FROM)) {
      if (m[2]) continue; // import type / export type
      const spec = m[3]!;
      if (spec.startsWith('.')) {
        const target = resolveSource(file, spec);
        if (target) stack.push(target);
      } else packages.add(spec);
    }
  }
  return packages;
}

describe('start-up', () => {
  it('a worker loads neither zod nor yaml', () => {
    const loaded = packagesLoadedBy(join(SRC, 'main/workers/worker.ts'));
    expect(loaded.has('better-sqlite3')).toBe(true); // the walk does reach the worker's store code
    expect(loaded.has('zod')).toBe(false);
    expect(loaded.has('yaml')).toBe(false);
  });

  it('the CLI loads yaml only when a YAML config is read', () => {
    const loaded = packagesLoadedBy(join(SRC, 'main/host/cli.ts'));
    expect(loaded.has('zod')).toBe(true);
    expect(loaded.has('yaml')).toBe(false);
  });

  const tempDir = useTempDir('wfs-config-');
  it('reads training configs as YAML or JSON, and says which file is not valid', async () => {
    const dir = tempDir();
    const yamlPath = join(dir, 'config.yaml');
    writeFileSync(yamlPath, 'clusters:\n  mode: fixed\n  k: 3\ncvFolds: 4\n');
    expect(await readConfigFile(yamlPath)).toEqual({ clusters: { mode: 'fixed', k: 3 }, cvFolds: 4 });
    const jsonPath = join(dir, 'config.json');
    writeFileSync(jsonPath, '{"cvFolds": 5}');
    expect(await readConfigFile(jsonPath)).toEqual({ cvFolds: 5 });
    const badPath = join(dir, 'bad.yml');
    writeFileSync(badPath, 'clusters: [unclosed\n');
    await expect(readConfigFile(badPath)).rejects.toMatchObject({ code: 'bad_config' });
    await expect(readConfigFile(join(dir, 'missing.yaml'))).rejects.toMatchObject({ code: 'io_error' });
  });
});
