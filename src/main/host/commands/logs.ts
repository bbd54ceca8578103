/** `logs [--level L] [--component C] [--limit N]`: read the workspace's log store. */
import { EXIT_OK, parseCommandArgs, UsageError } from '../cli-kit';
import type { Command } from '../cli';
import { LOG_LEVELS, type LogLevel } from '../../../shared/contract';

export const logsCommand: Command = {
  summary: 'list log entries from the workspace',
  usage: 'wafer-studio logs [--level debug|info|warn|error] [--component NAME] [--limit N] [--workspace FILE] [--json]',
  async run({ ctx, out, args }) {
    const { values } = parseCommandArgs(
      args,
      { level: { type: 'string', multiple: true }, component: { type: 'string' }, limit: { type: 'string' } },
      false,
    );
    const levels = (values.level ?? []) as LogLevel[];
    for (const l of levels) if (!LOG_LEVELS.includes(l)) throw new UsageError(`unknown level ${l}`);
    const limit = values.limit ? Number(values.limit) : 100;
    if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit must be a positive whole number');
    const entries = ctx.store.logs.list({ levels, component: values.component, limit });
    out.result(
      { entries },
      entries.map((e) => `${e.time} ${e.level.padEnd(5)} [${e.component}] ${e.message}`).join('\n'),
    );
    return EXIT_OK;
  },
};
