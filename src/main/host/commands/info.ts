/** `info`: the app version and the workspace it opened (a quick check that a workspace is readable). */
import { EXIT_OK, parseCommandArgs } from '../cli-kit';
import type { Command } from '../cli';

export const infoCommand: Command = {
  summary: 'show the app version and the workspace',
  usage: 'wafer-studio info [--workspace FILE] [--json]',
  async run({ ctx, out, args }) {
    parseCommandArgs(args, {}, false);
    const info = { version: ctx.appVersion, workspace: ctx.workspacePath, node: process.version };
    out.result(info, `Wafer Fault Studio ${info.version}\nworkspace: ${info.workspace}`);
    return EXIT_OK;
  },
};
