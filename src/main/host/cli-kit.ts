/**
 * The CLI's shared machinery: global options (--workspace, --json), output in human or JSON form, and
 * the exit codes of DESIGN.md (0 ok, 1 failure, 2 usage). Commands get an opened AppContext.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { ErrorShape } from '../../shared/errors';
import { AppError, toErrorShape } from '../errors';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export class UsageError extends Error {}

export interface Output {
  json: boolean;
  /** The command's result: one JSON document in --json mode, the human text otherwise. */
  result(value: unknown, human: string): void;
  /** Progress and notes for people; silent in --json mode (stdout stays one document). */
  note(text: string): void;
}

export function makeOutput(json: boolean): Output {
  return {
    json,
    result(value, human) {
      process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${human}\n`);
    },
    note(text) {
      if (!json) process.stderr.write(`${text}\n`);
    },
  };
}

export function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>>(
  args: string[],
  options: T,
  allowPositionals = true,
) {
  try {
    return parseArgs({
      args,
      options: { ...options, workspace: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' } },
      allowPositionals,
      strict: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export function reportFailure(error: unknown, json: boolean): number {
  if (error instanceof UsageError) {
    process.stderr.write(`usage error: ${error.message}\nRun with --help for usage.\n`);
    if (json) process.stdout.write(`${JSON.stringify({ error: { code: 'invalid_input', message: error.message } })}\n`);
    return EXIT_USAGE;
  }
  const shape: ErrorShape = toErrorShape(error);
  if (json) process.stdout.write(`${JSON.stringify({ error: shape }, null, 2)}\n`);
  else process.stderr.write(`error (${shape.code}): ${shape.message}\n`);
  return shape.code === 'invalid_input' && error instanceof AppError && error.details === 'usage' ? EXIT_USAGE : EXIT_FAILURE;
}
