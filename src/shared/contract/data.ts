/**
 * The data domain: schemas (the data sharing agreement, versioned), importing batch files, the file
 * list with reasons, quarantine and the training-table export.
 */
import { z } from 'zod';
import type { DataSchema, FileStatus, Reason, SchemaIssue, SchemaKind } from '../schema';
import { dataSchemaZ } from '../schema';
import { channel } from './define';

export type { DataSchema, FileStatus, Reason, SchemaIssue, SchemaKind } from '../schema';

export const schemaKindZ = z.enum(['training', 'prediction']);

export interface SchemaVersion {
  id: number;
  kind: SchemaKind;
  version: number;
  name: string;
  note: string | null;
  createdAt: string;
  current: boolean;
  definition: DataSchema;
  /** Files judged by this version. */
  files: number;
}

export interface SchemaVersionSummary extends Omit<SchemaVersion, 'definition'> {
  columns: number;
  pattern: string;
}

export interface FileRecord {
  id: number;
  kind: SchemaKind;
  name: string;
  status: Exclude<FileStatus, 'duplicate'>;
  rows: number;
  bytes: number;
  sha256: string;
  schemaId: number;
  schemaVersion: number;
  importedAt: string;
  batch: string;
  reasons: Reason[];
  labelCounts: { good: number; faulty: number } | null;
}

/** One file's outcome in an import, as `ingest --json` prints it. */
export interface IngestFileResult {
  name: string;
  path: string;
  status: FileStatus;
  rows: number;
  reasons: Reason[];
  fileId: number | null;
  sha256: string;
}

export interface IngestSummary {
  batch: string;
  kind: SchemaKind;
  schemaId: number;
  files: IngestFileResult[];
  good: number;
  bad: number;
  duplicate: number;
  rows: number;
  seconds: number;
}

export interface DataSummary {
  files: { good: number; bad: number; total: number };
  rows: { training: number; prediction: number };
  labels: { good: number; faulty: number };
  lastImport: string | null;
}

/** Where an export went: a path the user chose, or a staged file the browser downloads under serve. */
export interface ExportResult {
  path: string;
  name: string;
  bytes: number;
}

const pathsZ = z.array(z.string().min(1).max(4096)).min(1).max(10_000);
const outZ = z.string().min(1).max(4096).optional();

export const dataChannels = {
  'schemas/list': channel<SchemaVersionSummary[]>()(z.object({ kind: schemaKindZ.optional() }).strict()),
  'schemas/get': channel<SchemaVersion>()(
    z.object({ id: z.number().int().positive().optional(), kind: schemaKindZ.optional() }).strict(),
  ),
  'schemas/check': channel<SchemaIssue[]>()(z.object({ definition: dataSchemaZ }).strict()),
  'schemas/save': channel<SchemaVersion>()(
    z
      .object({ kind: schemaKindZ, definition: dataSchemaZ, name: z.string().max(200).optional(), note: z.string().max(2000).optional() })
      .strict(),
  ),
  'schemas/import-reference': channel<SchemaVersion>()(
    z.object({ kind: schemaKindZ, text: z.string().min(2).max(5_000_000), note: z.string().max(2000).optional() }).strict(),
  ),
  'schemas/export-reference': channel<{ text: string; fileName: string }>()(
    z.object({ id: z.number().int().positive() }).strict(),
  ),
  'data/ingest': channel<{ jobId: string }>()(
    z.object({ kind: schemaKindZ, paths: pathsZ, schemaId: z.number().int().positive().optional() }).strict(),
  ),
  'data/load-sample': channel<{ jobId: string }>()(z.object({}).strict()),
  'data/files': channel<{ files: FileRecord[]; total: number }>()(
    z
      .object({
        kind: schemaKindZ.optional(),
        status: z.enum(['good', 'bad']).optional(),
        search: z.string().max(200).optional(),
        limit: z.number().int().min(1).max(10_000).default(1000),
        offset: z.number().int().min(0).default(0),
      })
      .strict(),
  ),
  'data/summary': channel<DataSummary>()(z.object({}).strict()),
  'data/export-quarantined': channel<ExportResult>()(z.object({ fileId: z.number().int().positive(), out: outZ }).strict()),
  'data/export-training': channel<ExportResult & { rows: number }>()(z.object({ out: outZ }).strict()),
  /** Desktop only: copies an exported file to where the user picks in a save dialog. */
  'files/save-as': channel<{ saved: boolean; path: string | null }>()(
    z.object({ path: z.string().min(1).max(4096), name: z.string().min(1).max(255) }).strict(),
  ),
  /** Desktop only: a folder the user picks in a dialog (for the watched folder); null when cancelled or not a desktop. */
  'files/choose-folder': channel<{ path: string | null }>()(z.object({ title: z.string().max(200).optional() }).strict()),
};
