import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { Store } from '../../src/main/store';
import { MIGRATIONS } from '../../src/main/store/migrations';
import { useTempDir } from '../helpers/tmp';

const tmp = useTempDir();
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

describe('workspace store', () => {
  it('creates a workspace in WAL mode with foreign keys on and every migration recorded with its hash', () => {
    const path = join(tmp(), 'nested', 'w.sqlite');
    const store = Store.open(path);
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
    const applied = store.db.prepare('SELECT id, hash FROM schema_migrations ORDER BY id').all() as { id: number; hash: string }[];
    expect(applied.map((m) => m.id)).toEqual(MIGRATIONS.map((m) => m.id));
    expect(applied.every((m) => /^[0-9a-f]{64}$/.test(m.hash))).toBe(true);
    store.close();
    // Reopening applies nothing twice.
    const again = Store.open(path);
    expect((again.db.prepare('SELECT COUNT(*) AS n FROM schema_migrations').get() as { n: number }).n).toBe(MIGRATIONS.length);
    again.close();
  });

  it('refuses a workspace written by a newer version and leaves the file unchanged', () => {
    const path = join(tmp(), 'w.sqlite');
    Store.open(path).close();
    const db = new Database(path);
    db.pragma('journal_mode = DELETE');
    db.prepare("INSERT INTO schema_migrations (id, name, hash, applied_at) VALUES (9999, 'from the future', 'x', 'now')").run();
    db.close();
    const before = sha(path);
    expect(codeOf(() => Store.open(path))).toBe('workspace_newer');
    expect(sha(path)).toBe(before);
  });

  it('refuses a workspace whose applied migration differs from ours', () => {
    const path = join(tmp(), 'w.sqlite');
    Store.open(path).close();
    const db = new Database(path);
    db.prepare("UPDATE schema_migrations SET hash = 'tampered' WHERE id = 1").run();
    db.close();
    expect(codeOf(() => Store.open(path))).toBe('workspace_mismatch');
  });

  it('reports a damaged file and never overwrites it', () => {
    const path = join(tmp(), 'broken.sqlite');
    const garbage = Buffer.alloc(8192, 7);
    garbage.write('SQLite format 3\0', 0);
    writeFileSync(path, garbage);
    const before = sha(path);
    expect(['workspace_damaged', 'workspace_unreadable']).toContain(codeOf(() => Store.open(path)));
    expect(sha(path)).toBe(before);
  });

  it('reports a file that is not a database at all', () => {
    const path = join(tmp(), 'notes.sqlite');
    writeFileSync(path, 'these are my notes, not a workspace\n'.repeat(200));
    const before = sha(path);
    expect(['workspace_damaged', 'workspace_unreadable']).toContain(codeOf(() => Store.open(path)));
    expect(sha(path)).toBe(before);
  });

  it('runs a transaction all or nothing', () => {
    const store = Store.open(join(tmp(), 'w.sqlite'));
    expect(() =>
      store.transaction(() => {
        store.settings.set('a', 1);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(store.settings.get('a')).toBeUndefined();
    store.close();
  });
});
