/**
 * Binds the contract to Electron IPC: one `invoke` channel validated by the registry, and events sent
 * to the window. The renderer never gets ipcRenderer; the preload forwards only contract channels.
 */
import { ipcMain, type WebContents } from 'electron';
import type { AppContext } from '../services/context';
import type { HandlerRegistry } from '../services/registry';

export const INVOKE_CHANNEL = 'wfs:invoke';
export const EVENT_CHANNEL = 'wfs:event';

export function bindIpc(getContext: () => AppContext, registry: HandlerRegistry, appUrl: () => string): void {
  ipcMain.handle(INVOKE_CHANNEL, async (event, channel: unknown, input: unknown) => {
    // Only our own page may call the API.
    const sender = event.senderFrame?.url ?? '';
    if (!sender.startsWith(appUrl().split('#')[0]!.split('?')[0]!)) {
      return { ok: false, error: { code: 'unauthorized', message: 'Calls are accepted from the app window only.' } };
    }
    return registry.dispatch(getContext(), typeof channel === 'string' ? channel : '', input);
  });
}

export function forwardEvents(ctx: AppContext, contents: WebContents): () => void {
  return ctx.events.subscribe((event, payload) => {
    if (!contents.isDestroyed()) contents.send(EVENT_CHANNEL, event, payload);
  });
}
