/**
 * The command-line interface (`npm run cli -- <command>` and the package's bin): every command takes
 * --workspace FILE and --json; exit code 0 ok, 1 failure, 2 usage. Runs on plain Node.
 */
import { resolve } from 'node:path';
import { closeAppContext, openAppContext, type AppContext } from '../services/context';
import { APP_VERSION } from '../version';
import { EXIT_OK, EXIT_USAGE, makeOutput, reportFailure, UsageError, type Output } from './cli-kit';
import { defaultWorkspacePath } from './paths';
import { serveCommand } from './commands/serve';
import { infoCommand } from './commands/info';
import { logsCommand } from './commands/logs';
import { ingestCommand } from './commands/ingest';
import { trainCommand } from './commands/train';
import { modelsCommand } from './commands/models';
import { predictCommand, reportCommand } from './commands/predict';
import { monitorCommand } from './commands/monitor';
import { watchCommand } from './commands/watch';

export interface CommandEnv {
  ctx: AppContext;
  out: Output;
  args: string[];
}

export interface Command {
  summary: string;
  usage: string;
  /** Returns the exit code; a long-running command (serve) resolves when it stops. */
  run(env: CommandEnv): Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  info: infoCommand,
  ingest: ingestCommand,
  train: trainCommand,
  models: modelsCommand,
  predict: predictCommand,
  report: reportCommand,
  monitor: monitorCommand,
  watch: watchCommand,
  logs: logsCommand,
  serve: serveCommand,
};

function helpText(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `Wafer Fault Studio ${APP_VERSION} command line

usage: wafer-studio <command> [options] [--workspace FILE] [--json]

commands:
${lines.join('\n')}

Every command takes --workspace FILE (default: $WFS_WORKSPACE or the app's own workspace) and --json
(one JSON document on stdout). Exit codes: 0 ok, 1 failure, 2 usage.
Run 'wafer-studio <command> --help' for a command's options.`;
}

export async function runCli(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${helpText()}\n`);
    return name ? EXIT_OK : EXIT_USAGE;
  }
  if (name === '--version') {
    process.stdout.write(`${APP_VERSION}\n`);
    return EXIT_OK;
  }
  const command = COMMANDS[name];
  if (!command) return reportFailure(new UsageError(`unknown command "${name}"`), json);
  if (rest.includes('--help')) {
    process.stdout.write(`${command.usage}\n`);
    return EXIT_OK;
  }
  let ctx: AppContext | null = null;
  try {
    const workspacePath = resolve(workspaceArg(rest) ?? defaultWorkspacePath());
    ctx = openAppContext({ workspacePath, host: name === 'serve' ? 'serve' : 'cli', echoLogs: false });
    const out = makeOutput(json);
    return await command.run({ ctx, out, args: rest });
  } catch (error) {
    return reportFailure(error, json);
  } finally {
    if (ctx) await closeAppContext(ctx);
  }
}

function workspaceArg(args: string[]): string | undefined {
  const i = args.indexOf('--workspace');
  if (i >= 0) {
    const value = args[i + 1];
    if (!value || value.startsWith('--')) throw new UsageError('--workspace needs a file path');
    return value;
  }
  const eq = args.find((a) => a.startsWith('--workspace='));
  return eq?.slice('--workspace='.length);
}

if (require.main === module) {
  runCli(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${String(error)}\n`);
      process.exitCode = EXIT_USAGE;
    },
  );
}
