/** Handlers for app-level channels: version and workspace info, the log store. */
import { APP_NAME } from '../version';
import type { HandlerMap } from './registry';

export const appHandlers: HandlerMap<'app/info' | 'logs/list'> = {
  'app/info': (_input, ctx) => ({
    name: APP_NAME,
    version: ctx.appVersion,
    workspacePath: ctx.workspacePath,
    host: ctx.host === 'electron' ? 'electron' : 'serve',
    platform: process.platform,
  }),
  'logs/list': (input, ctx) => ({
    entries: ctx.store.logs.list(input),
    components: ctx.store.logs.components(),
  }),
};
