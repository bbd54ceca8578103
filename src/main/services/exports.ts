/**
 * Where an export is written: the path the user gave (CLI --out, a save dialog), or a fresh folder in
 * the workspace's staging area, from which the browser downloads it under `serve` and the desktop
 * app copies it through its save dialog.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { stagingDir } from '../host/serve';
import type { AppContext } from './context';

export function exportDestination(ctx: AppContext, name: string, out?: string, outIsFolder = false): string {
  if (out && outIsFolder) {
    mkdirSync(resolve(out), { recursive: true });
    return join(resolve(out), name);
  }
  if (out) {
    const path = resolve(out);
    mkdirSync(dirname(path), { recursive: true });
    return path;
  }
  const dir = join(stagingDir(ctx), 'exports', randomUUID());
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}
