import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { Store } from '../../src/main/store';
import { migrationHash } from '../../src/main/store/db';
import { MIGRATIONS } from '../../src/main/store/migrations';
import { WAFER_PREDICTION_SCHEMA } from '../../src/shared/schema';
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

/**
 * Overwrites a page in the middle of the file (the logs table's b-tree, in these tests) with garbage:
 * the header and the schema stay readable, so only the structural check at open finds it.
 */
function damageMiddlePage(path: string): void {
  const bytes = readFileSync(path);
  const pageSize = bytes.readUInt16BE(16);
  const pages = bytes.length / pageSize;
  expect(pages).toBeGreaterThan(10);
  bytes.fill(0x5a, Math.floor(pages / 2) * pageSize, (Math.floor(pages / 2) + 1) * pageSize);
  writeFileSync(path, bytes);
}

describe('workspace store', () => {
  it('creates a workspace in WAL mode with foreign keys on and every migration recorded with its hash', () => {
    const path = join(tmp(), 'nested', 'w.sqlite');
    const store = Store.open(path);
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
    const applied = store.db.prepare('SELECT id, hash FROM schema_migrations ORDER BY id').all() as {
      id: number;
      hash: string;
    }[];
    expect(applied.map((m) => m.id)).toEqual(MIGRATIONS.map((m) => m.id));
    expect(applied.every((m) => /^[0-9a-f]{64}$/.test(m.hash))).toBe(true);
    store.close();
    // Reopening applies nothing twice.
    const again = Store.open(path);
    expect((again.db.prepare('SELECT COUNT(*) AS n FROM schema_migrations').get() as { n: number }).n).toBe(
      MIGRATIONS.length,
    );
    again.close();
  });

  it('moves the model bundles of a workspace from before migration 5 into their own table, still readable', () => {
    const path = join(tmp(), 'old.sqlite');
    const raw = new Database(path);
    raw.pragma('page_size = 16384');
    raw.pragma('journal_mode = WAL');
    raw.exec(
      'CREATE TABLE schema_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, hash TEXT NOT NULL, applied_at TEXT NOT NULL)',
    );
    for (const m of MIGRATIONS.filter((x) => x.id <= 4)) {
      raw.exec(m.sql);
      raw
        .prepare('INSERT INTO schema_migrations VALUES (?, ?, ?, ?)')
        .run(m.id, m.name, migrationHash(m), '2026-01-01');
    }
    raw.prepare("INSERT INTO schemas VALUES (1, 'training', 1, 'w', NULL, '{}', '2026-01-01')").run();
    const bundle = gzipSync(Buffer.from(JSON.stringify({ kind: 'test bundle', pad: 'x'.repeat(100_000) })));
    const bundleSha = createHash('sha256').update(bundle).digest('hex');
    raw
      .prepare(
        `INSERT INTO model_versions (id, version, run_id, status, schema_id, k, threshold, metrics, gates, summary, bundle, sha256, created_at)
         VALUES (7, 1, NULL, 'approved', 1, 2, 0.5, NULL, '[]', '{}', ?, ?, '2026-01-01')`,
      )
      .run(bundle, bundleSha);
    raw.close();
    const store = Store.open(path);
    expect((store.db.prepare('SELECT MAX(id) AS id FROM schema_migrations').get() as { id: number }).id).toBe(
      MIGRATIONS[MIGRATIONS.length - 1]!.id,
    );
    const columns = (store.db.prepare('PRAGMA table_info(model_versions)').all() as { name: string }[]).map(
      (c) => c.name,
    );
    expect(columns).not.toContain('bundle');
    expect(store.registry.refById(7)).toEqual({
      id: 7,
      version: 1,
      status: 'approved',
      threshold: 0.5,
      sha256: bundleSha,
    });
    expect(store.registry.bundle(7).equals(bundle)).toBe(true);
    expect(store.registry.readBundle(7)).toMatchObject({ kind: 'test bundle' });
    store.close();
  });

  it('refuses a workspace written by a newer version and leaves the file unchanged', () => {
    const path = join(tmp(), 'w.sqlite');
    Store.open(path).close();
    const db = new Database(path);
    db.pragma('journal_mode = DELETE');
    db.prepare(
      "INSERT INTO schema_migrations (id, name, hash, applied_at) VALUES (9999, 'from the future', 'x', 'now')",
    ).run();
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

  it('reports a workspace with a damaged page inside and never overwrites it', () => {
    const path = join(tmp(), 'w.sqlite');
    Store.open(path).close();
    const db = new Database(path);
    const insert = db.prepare(
      "INSERT INTO logs (time, level, component, message) VALUES ('t', 'info', 'test', ?)",
    );
    db.transaction(() => {
      for (let i = 0; i < 3000; i++) insert.run(`log line ${i} `.repeat(20));
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    damageMiddlePage(path);
    const before = sha(path);
    expect(codeOf(() => Store.open(path))).toBe('workspace_damaged');
    expect(sha(path)).toBe(before);
  });

  it('checks the structure at open unless the file is exactly as a clean close left it', () => {
    const path = join(tmp(), 'w.sqlite');
    const created = Store.open(path);
    expect(created.integrityChecked).toBe(false); // new: nothing to check
    created.close();
    expect(existsSync(`${path}-closed`)).toBe(true);
    // Clean close, nothing changed since: no check, and the marker is used up at open.
    const again = Store.open(path);
    expect(again.integrityChecked).toBe(false);
    expect(existsSync(`${path}-closed`)).toBe(false);
    again.settings.set('a', 1);
    // A session that ends without a clean close (a crash or a kill) leaves no marker: the next open checks.
    const crashed = Store.open(join(tmp(), 'other.sqlite'));
    crashed.close();
    again.close();
    const afterCrash = Store.open(path);
    afterCrash.db.close(); // as if the process died here: no clean close recorded
    const checked = Store.open(path);
    expect(checked.integrityChecked).toBe(true);
    checked.close();
    // A read-only open always checks and leaves the marker for the next open.
    expect(existsSync(`${path}-closed`)).toBe(true);
    const ro = Store.open(path, { readonly: true });
    expect(ro.integrityChecked).toBe(true);
    ro.close();
    expect(existsSync(`${path}-closed`)).toBe(true);
    const last = Store.open(path);
    expect(last.integrityChecked).toBe(false);
    last.close();
    // A new workspace under the name of a deleted one removes the old one's marker.
    const reused = join(tmp(), 'reused.sqlite');
    Store.open(reused).close();
    rmSync(reused);
    const fresh = Store.open(reused);
    expect(existsSync(`${reused}-closed`)).toBe(false);
    fresh.close();
  });

  it('finds a page damaged after a clean close (the file changed since), and never overwrites it', () => {
    const path = join(tmp(), 'w.sqlite');
    const store = Store.open(path);
    store.transaction(() => {
      for (let i = 0; i < 3000; i++)
        store.logs.insert({
          time: 't',
          level: 'info',
          component: 'test',
          message: `log line ${i} `.repeat(20),
          context: null,
        });
    });
    store.close();
    expect(existsSync(`${path}-closed`)).toBe(true);
    damageMiddlePage(path);
    // The same size: the modification time tells (set apart explicitly, as file times can be coarse).
    const { mtime } = statSync(path);
    utimesSync(path, mtime, new Date(mtime.getTime() + 5000));
    const before = sha(path);
    expect(codeOf(() => Store.open(path))).toBe('workspace_damaged');
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

  it('reads the current schema for imports parsed once per version, frozen, and follows a new version', () => {
    const store = Store.open(join(tmp(), 'w.sqlite'));
    expect(store.schemas.hasKind('prediction')).toBe(false);
    expect(store.schemas.currentForImport('prediction')).toBeNull();
    const v1 = store.schemas.add('prediction', WAFER_PREDICTION_SCHEMA, 'p', null);
    expect(store.schemas.hasKind('prediction')).toBe(true);
    const a = store.schemas.currentForImport('prediction')!;
    const b = store.schemas.currentForImport('prediction')!;
    expect(a).toMatchObject({ id: v1.id, kind: 'prediction', version: 1, name: 'p' });
    expect(a.definition).toEqual(WAFER_PREDICTION_SCHEMA);
    // The same parsed object each time, and nobody can change it under the next import.
    expect(b.definition).toBe(a.definition);
    expect(Object.isFrozen(a.definition.columns[0])).toBe(true);
    expect(() => {
      (a.definition.columns as { name: string }[]).push({ name: 'x' });
    }).toThrow();
    const edited = { ...WAFER_PREDICTION_SCHEMA, columns: WAFER_PREDICTION_SCHEMA.columns.slice(0, 10) };
    const v2 = store.schemas.add('prediction', edited, 'p', 'shorter');
    const c = store.schemas.currentForImport('prediction')!;
    expect(c.id).toBe(v2.id);
    expect(c.version).toBe(2);
    expect(c.definition.columns).toHaveLength(10);
    // Counting a version's files goes through the files_schema index, not a scan of every file.
    const plan = store.db
      .prepare('EXPLAIN QUERY PLAN SELECT COUNT(*) FROM files f WHERE f.schema_id = ?')
      .all(v1.id) as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toContain('files_schema');
    store.close();
  });
});
