/**
 * The preload: exposes exactly the contract's `invoke` and `on` (which returns an unsubscribe), and
 * the path of a dropped file. Never ipcRenderer, never process.env. Channel and event names are checked
 * here too, so a compromised renderer cannot reach anything outside the contract.
 */
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { isChannelName, isEventName, type ApiBridge, type EventName, type EventPayload } from '../shared/contract';

const INVOKE_CHANNEL = 'wfs:invoke';
const EVENT_CHANNEL = 'wfs:event';

export interface PreloadBridge {
  invoke(channel: string, input: unknown): Promise<unknown>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
  pathForFile(file: File): string;
}

const bridge = {
  invoke(channel: string, input: unknown): Promise<unknown> {
    if (!isChannelName(channel)) {
      return Promise.resolve({ ok: false, error: { code: 'unknown_channel', message: `There is no channel called ${channel}.` } });
    }
    return ipcRenderer.invoke(INVOKE_CHANNEL, channel, input);
  },
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    if (!isEventName(event)) throw new Error(`There is no event called ${String(event)}.`);
    const wrapped = (_e: IpcRendererEvent, name: string, payload: unknown) => {
      if (name === event) listener(payload as EventPayload<E>);
    };
    ipcRenderer.on(EVENT_CHANNEL, wrapped);
    return () => ipcRenderer.removeListener(EVENT_CHANNEL, wrapped);
  },
  pathForFile(file: File): string {
    return webUtils.getPathForFile(file);
  },
} satisfies PreloadBridge;

// The preload's `on` matches the contract's exactly; invoke answers with an envelope the client unwraps.
bridge.on satisfies ApiBridge['on'];

contextBridge.exposeInMainWorld('wfs', bridge);
