/** `serve [--port N]`: the UI and API over HTTP on 127.0.0.1 with a per-start token; prints the URL. */
import { parseCommandArgs, EXIT_OK, UsageError } from '../cli-kit';
import type { Command } from '../cli';
import { createRegistry } from '../../services';
import { rendererDir } from '../paths';
import { startServer } from '../serve';
import { resumeWatching } from '../../services/watch';

export const serveCommand: Command = {
  summary: 'serve the app in a browser on 127.0.0.1 (prints the URL with its access token)',
  usage: 'wafer-studio serve [--port N] [--workspace FILE] [--json]',
  async run({ ctx, out, args }) {
    const { values } = parseCommandArgs(args, { port: { type: 'string' } }, false);
    const port = values.port === undefined ? 0 : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port must be 0..65535');
    const dir = rendererDir();
    const server = await startServer({ ctx, registry: createRegistry(), port, rendererDir: dir });
    out.result({ url: server.url, origin: server.origin, port: server.port, workspace: ctx.workspacePath }, server.url);
    if (!dir) out.note('The renderer is not built (run `npm run build`); only the API is served.');
    // Like the app, `serve` goes on watching the folder the workspace was watching.
    resumeWatching(ctx);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await server.close();
    return EXIT_OK;
  },
};
