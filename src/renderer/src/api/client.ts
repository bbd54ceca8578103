/**
 * One client for the renderer, whichever host it runs in: IPC through the preload bridge under
 * Electron, HTTP + server-sent events under `serve`. Pages only ever see `api.invoke` / `api.on`.
 */
import type { ApiBridge, ChannelInput, ChannelName, ChannelOutput, EventName, EventPayload } from '../../../shared/contract';
import type { Envelope, ErrorShape } from '../../../shared/errors';

export class ApiError extends Error {
  readonly code: ErrorShape['code'];
  readonly details?: unknown;
  constructor(shape: ErrorShape) {
    super(shape.message);
    this.code = shape.code;
    this.details = shape.details;
  }
}

interface PreloadBridge {
  invoke(channel: string, input: unknown): Promise<Envelope<unknown>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
  pathForFile(file: File): string;
}

export interface Client extends ApiBridge {
  readonly transport: 'ipc' | 'http';
  /** Turns dropped or picked files into paths the main side can read (uploads them under `serve`). */
  stageFiles(files: StagedInput[], onProgress?: (done: number, total: number) => void): Promise<string[]>;
  /** Saves a file the main side produced: a browser download under `serve`. */
  download(path: string, name: string): void;
}

export interface StagedInput {
  file: File;
  /** Folder path inside a dropped folder, so names stay unique. */
  dir?: string;
}

function unwrap<T>(envelope: Envelope<unknown>): T {
  if (envelope.ok) return envelope.value as T;
  throw new ApiError(envelope.error);
}

function ipcClient(bridge: PreloadBridge): Client {
  return {
    transport: 'ipc',
    async invoke<C extends ChannelName>(channel: C, input: ChannelInput<C>) {
      return unwrap<ChannelOutput<C>>(await bridge.invoke(channel, input));
    },
    on: (event, listener) => bridge.on(event, listener),
    stageFiles: async (files) => files.map((f) => bridge.pathForFile(f.file)),
    // The desktop app asks where to save through the shell's save dialog.
    download: (path, name) => {
      void bridge.invoke('files/save-as', { path, name });
    },
  };
}

function httpClient(): Client {
  let source: EventSource | null = null;
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const ensureSource = (event: string) => {
    source ??= new EventSource('/api/events');
    if (!listeners.has(event)) {
      const set = new Set<(payload: unknown) => void>();
      listeners.set(event, set);
      source.addEventListener(event, (e) => {
        const payload = JSON.parse((e as MessageEvent<string>).data) as unknown;
        for (const l of set) l(payload);
      });
    }
    return listeners.get(event)!;
  };
  return {
    transport: 'http',
    async invoke<C extends ChannelName>(channel: C, input: ChannelInput<C>) {
      const res = await fetch(`/api/invoke/${encodeURIComponent(channel)}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(input ?? {}),
        credentials: 'same-origin',
      });
      const body = (await res.json()) as Envelope<unknown>;
      return unwrap<ChannelOutput<C>>(body);
    },
    on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void) {
      const set = ensureSource(event);
      const l = listener as (payload: unknown) => void;
      set.add(l);
      return () => set.delete(l);
    },
    async stageFiles(files, onProgress) {
      const batch = crypto.randomUUID();
      const paths: string[] = [];
      let done = 0;
      for (const { file, dir } of files) {
        const q = new URLSearchParams({ name: file.name, batch, dir: dir ?? '' });
        const res = await fetch(`/api/upload?${q.toString()}`, { method: 'POST', body: file, credentials: 'same-origin' });
        const body = (await res.json()) as Envelope<{ path: string }>;
        paths.push(unwrap<{ path: string }>(body).path);
        onProgress?.(++done, files.length);
      }
      return paths;
    },
    download(path, name) {
      const a = document.createElement('a');
      a.href = `/api/download?${new URLSearchParams({ path, name }).toString()}`;
      a.download = name;
      document.body.appendChild(a);
      a.click();
      a.remove();
    },
  };
}

declare global {
  interface Window {
    wfs?: PreloadBridge;
  }
}

export const api: Client = window.wfs ? ipcClient(window.wfs) : httpClient();
