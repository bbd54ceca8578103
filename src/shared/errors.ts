/**
 * Error codes and the plain error shape that crosses every process boundary (IPC, HTTP, worker
 * messages). Codes are stable: the renderer, the CLI and tests switch on them, never on messages.
 */

export const ERROR_CODES = [
  'invalid_input',
  'unknown_channel',
  'unauthorized',
  'not_found',
  'conflict',
  'workspace_newer',
  'workspace_mismatch',
  'workspace_damaged',
  'workspace_unreadable',
  'workspace_busy',
  'job_cancelled',
  'job_failed',
  'worker_crashed',
  'bad_config',
  'bad_schema',
  'model_format',
  'checksum_mismatch',
  'not_approved',
  'no_model',
  'no_data',
  'io_error',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorShape {
  code: ErrorCode;
  message: string;
  /** Structured detail (zod issues, a file and row, ...) for the UI to show next to a field. */
  details?: unknown;
}

const KNOWN_CODES: ReadonlySet<string> = new Set(ERROR_CODES);

/**
 * A plain error shape with one of our codes. Node's and SQLite's errors also carry a string code and
 * a message (ENOENT, SQLITE_CONSTRAINT): those are not shapes, so they are mapped to a stable code
 * instead of passing their own through.
 */
export function isErrorShape(value: unknown): value is ErrorShape {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as ErrorShape).code === 'string' &&
    KNOWN_CODES.has((value as ErrorShape).code) &&
    typeof (value as ErrorShape).message === 'string'
  );
}

/** The envelope every invoke answers with, so errors never depend on a transport's exception rules. */
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: ErrorShape };
