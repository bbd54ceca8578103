/** Debian's Python for the benches that compare against replicas of the reference (the app never uses it). */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const PYTHON = '/usr/bin/python3';

/** Whether PYTHON exists and imports every one of these modules. */
export function pythonHas(modules: readonly string[]): boolean {
  if (!existsSync(PYTHON)) return false;
  return spawnSync(PYTHON, ['-c', `import ${modules.join(', ')}`], { stdio: 'ignore' }).status === 0;
}
