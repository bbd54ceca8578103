/**
 * Helpers for declaring the API contract: a channel is a zod input schema plus a phantom output type.
 * The output is a type only (handlers are trusted, inputs are not), so it costs nothing at run time.
 */
import type { z } from 'zod';

export interface ChannelDef<I extends z.ZodType, O> {
  input: I;
  /** Phantom: never read at run time. */
  output: O;
}

/** `channel<Output>()(inputSchema)`: curried so the output is named and the input type inferred. */
export function channel<O>() {
  return <I extends z.ZodType>(input: I): ChannelDef<I, O> => ({ input, output: undefined as unknown as O });
}

/** Phantom payload type for an event. */
export function event<T>(): T {
  return undefined as unknown as T;
}
