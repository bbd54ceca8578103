/** Schema versions: every edit is a new version; the newest version of a kind is the current one. */
import type { Db } from '../db';
import type { DataSchema, SchemaKind } from '../../../shared/schema';

export interface SchemaRow {
  id: number;
  kind: SchemaKind;
  version: number;
  name: string;
  note: string | null;
  definition: DataSchema;
  createdAt: string;
  files: number;
}

interface RawSchemaRow {
  id: number;
  kind: SchemaKind;
  version: number;
  name: string;
  note: string | null;
  definition: string;
  created_at: string;
  files: number;
}

const SELECT = `SELECT s.id, s.kind, s.version, s.name, s.note, s.definition, s.created_at,
  (SELECT COUNT(*) FROM files f WHERE f.schema_id = s.id) AS files FROM schemas s`;

export class SchemasRepo {
  private readonly insertStmt;
  private readonly byIdStmt;
  private readonly currentStmt;
  private readonly listStmt;
  private readonly listKindStmt;
  private readonly nextVersionStmt;

  constructor(private readonly db: Db) {
    this.insertStmt = db.prepare(
      'INSERT INTO schemas (kind, version, name, note, definition, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.byIdStmt = db.prepare(`${SELECT} WHERE s.id = ?`);
    this.currentStmt = db.prepare(`${SELECT} WHERE s.kind = ? ORDER BY s.version DESC LIMIT 1`);
    this.listStmt = db.prepare(`${SELECT} ORDER BY s.kind, s.version DESC`);
    this.listKindStmt = db.prepare(`${SELECT} WHERE s.kind = ? ORDER BY s.version DESC`);
    this.nextVersionStmt = db.prepare('SELECT COALESCE(MAX(version), 0) + 1 AS v FROM schemas WHERE kind = ?');
  }

  /** Adds a new version of the kind's schema and returns it. */
  add(kind: SchemaKind, definition: DataSchema, name: string, note: string | null): SchemaRow {
    return this.db.transaction(() => {
      const { v } = this.nextVersionStmt.get(kind) as { v: number };
      const info = this.insertStmt.run(kind, v, name, note, JSON.stringify(definition), new Date().toISOString());
      return this.get(Number(info.lastInsertRowid))!;
    })();
  }

  get(id: number): SchemaRow | null {
    const row = this.byIdStmt.get(id) as RawSchemaRow | undefined;
    return row ? toRow(row) : null;
  }

  current(kind: SchemaKind): SchemaRow | null {
    const row = this.currentStmt.get(kind) as RawSchemaRow | undefined;
    return row ? toRow(row) : null;
  }

  list(kind?: SchemaKind): SchemaRow[] {
    const rows = (kind ? this.listKindStmt.all(kind) : this.listStmt.all()) as RawSchemaRow[];
    return rows.map(toRow);
  }
}

function toRow(r: RawSchemaRow): SchemaRow {
  return {
    id: r.id,
    kind: r.kind,
    version: r.version,
    name: r.name,
    note: r.note,
    definition: JSON.parse(r.definition) as DataSchema,
    createdAt: r.created_at,
    files: r.files,
  };
}
