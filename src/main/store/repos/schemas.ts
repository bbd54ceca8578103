/**
 * Schema versions: every edit is a new version; the newest version of a kind is the current one. A
 * version never changes once written, so the import path's lookup (currentForImport) keeps each
 * version's parsed definition instead of parsing ~600 columns of JSON and counting files per batch.
 */
import type { Db } from '../db';
import type { DataSchema, SchemaKind } from '../../../shared/schema';

/** A schema version as the import path needs it (no file count); the definition is shared and frozen. */
export interface SchemaRef {
  id: number;
  kind: SchemaKind;
  version: number;
  name: string;
  definition: Readonly<DataSchema>;
}

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
  private readonly currentRefStmt;
  private readonly definitionStmt;
  private readonly hasKindStmt;
  /** Parsed definitions by version id: versions are immutable. */
  private readonly definitions = new Map<number, Readonly<DataSchema>>();

  constructor(private readonly db: Db) {
    this.insertStmt = db.prepare(
      'INSERT INTO schemas (kind, version, name, note, definition, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.byIdStmt = db.prepare(`${SELECT} WHERE s.id = ?`);
    this.currentStmt = db.prepare(`${SELECT} WHERE s.kind = ? ORDER BY s.version DESC LIMIT 1`);
    this.listStmt = db.prepare(`${SELECT} ORDER BY s.kind, s.version DESC`);
    this.listKindStmt = db.prepare(`${SELECT} WHERE s.kind = ? ORDER BY s.version DESC`);
    this.nextVersionStmt = db.prepare('SELECT COALESCE(MAX(version), 0) + 1 AS v FROM schemas WHERE kind = ?');
    this.currentRefStmt = db.prepare('SELECT id, kind, version, name FROM schemas WHERE kind = ? ORDER BY version DESC LIMIT 1');
    this.definitionStmt = db.prepare('SELECT definition FROM schemas WHERE id = ?').pluck(true);
    this.hasKindStmt = db.prepare('SELECT 1 FROM schemas WHERE kind = ? LIMIT 1').pluck(true);
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

  /** The kind's current version for importing: its definition parsed once per version and frozen. */
  currentForImport(kind: SchemaKind): SchemaRef | null {
    const row = this.currentRefStmt.get(kind) as Omit<SchemaRef, 'definition'> | undefined;
    if (!row) return null;
    let definition = this.definitions.get(row.id);
    if (!definition) {
      definition = deepFreeze(JSON.parse(this.definitionStmt.get(row.id) as string) as DataSchema);
      this.definitions.set(row.id, definition);
    }
    return { ...row, definition };
  }

  hasKind(kind: SchemaKind): boolean {
    return this.hasKindStmt.get(kind) !== undefined;
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

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as object)) deepFreeze(v);
  }
  return value;
}
