/**
 * AppError: the one exception type main-side code throws on purpose. `toErrorShape` turns anything
 * thrown into the plain { code, message, details } object that crosses process boundaries.
 */
import type { ErrorCode, ErrorShape } from '../shared/errors';
import { isErrorShape } from '../shared/errors';

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details?: unknown;
  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }
}

export function toErrorShape(error: unknown): ErrorShape {
  if (error instanceof AppError) {
    return error.details === undefined
      ? { code: error.code, message: error.message }
      : { code: error.code, message: error.message, details: error.details };
  }
  if (isErrorShape(error)) return { code: error.code, message: error.message, details: error.details };
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'model_format') return { code: 'model_format', message: error.message };
    if (isBusy(error)) {
      return {
        code: 'workspace_busy',
        message:
          'The workspace is busy storing a large file for another task; try again when it has finished.',
      };
    }
    if (typeof code === 'string' && /^(ENOENT|EACCES|EISDIR|ENOTDIR|EPERM|ENOSPC)$/.test(code)) {
      return { code: 'io_error', message: error.message };
    }
    return { code: 'internal', message: error.message };
  }
  return { code: 'internal', message: String(error) };
}

/** SQLite's "the write lock is taken" (SQLITE_BUSY and its extended codes). */
export function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

export function fromErrorShape(shape: ErrorShape): AppError {
  return new AppError(shape.code, shape.message, shape.details);
}
