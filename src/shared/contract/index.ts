/**
 * The API contract: one map of channels named `domain/verb`, each with a zod input schema and an
 * output type, and one map of events. Main validates every input against it before a handler runs;
 * the preload and the HTTP client expose exactly these channels. Domains add their own file here.
 */
import type { z } from 'zod';
import { appChannels } from './app';
import { jobsChannels, jobsEvents } from './jobs';
import { dataChannels } from './data';
import { trainingChannels } from './training';
import { predictChannels } from './predict';
import { monitorChannels } from './monitor';
import { watchChannels } from './watch';

export const channels = {
  ...appChannels,
  ...jobsChannels,
  ...dataChannels,
  ...trainingChannels,
  ...predictChannels,
  ...monitorChannels,
  ...watchChannels,
};

export const events = {
  ...jobsEvents,
};

export type Channels = typeof channels;
export type ChannelName = keyof Channels;
export type ChannelInput<C extends ChannelName> = z.input<Channels[C]['input']>;
export type ChannelParsedInput<C extends ChannelName> = z.output<Channels[C]['input']>;
export type ChannelOutput<C extends ChannelName> = Channels[C]['output'];

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = Events[E];

export const CHANNEL_NAMES = Object.keys(channels) as ChannelName[];
export const EVENT_NAMES = Object.keys(events) as EventName[];

export function isChannelName(name: string): name is ChannelName {
  return Object.prototype.hasOwnProperty.call(channels, name);
}
export function isEventName(name: string): name is EventName {
  return Object.prototype.hasOwnProperty.call(events, name);
}

/** What the renderer sees, whichever transport is underneath (IPC under Electron, HTTP under serve). */
export interface ApiBridge {
  invoke<C extends ChannelName>(channel: C, input: ChannelInput<C>): Promise<ChannelOutput<C>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
}

export * from './app';
export * from './jobs';
export * from './data';
export * from './training';
export * from './predict';
export * from './monitor';
export * from './watch';
