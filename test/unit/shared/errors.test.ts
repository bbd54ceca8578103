// Errors crossing a process boundary keep only our stable codes: Node's and SQLite's own codes
// (which also come with a message) are mapped, never passed through.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AppError, toErrorShape } from '../../../src/main/errors';
import { isErrorShape } from '../../../src/shared/errors';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('error shapes', () => {
  it('passes our shapes and AppErrors through', () => {
    expect(toErrorShape({ code: 'not_found', message: 'No model version 3.' })).toEqual({
      code: 'not_found',
      message: 'No model version 3.',
      details: undefined,
    });
    expect(toErrorShape(new AppError('bad_config', 'cvFolds: too small', { path: ['cvFolds'] }))).toEqual({
      code: 'bad_config',
      message: 'cvFolds: too small',
      details: { path: ['cvFolds'] },
    });
  });

  it("maps a file system error's code instead of passing it through", () => {
    const error = thrown(() => readFileSync('/no/such/dir/wafer.csv'));
    expect(isErrorShape(error)).toBe(false);
    expect(toErrorShape(error)).toMatchObject({
      code: 'io_error',
      message: expect.stringContaining('wafer.csv'),
    });
  });

  it('maps SQLite errors: a busy lock to workspace_busy, anything else to internal', () => {
    const busy = Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
    expect(toErrorShape(busy).code).toBe('workspace_busy');
    const constraint = Object.assign(new Error('UNIQUE constraint failed'), {
      code: 'SQLITE_CONSTRAINT_UNIQUE',
    });
    expect(toErrorShape(constraint)).toEqual({ code: 'internal', message: 'UNIQUE constraint failed' });
  });
});
