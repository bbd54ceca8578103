/**
 * The handler registry: a typed handler map per domain, merged here. Registering a channel twice is an
 * error; every input is validated against the contract's zod schema before its handler runs, and every
 * failure leaves as a plain { code, message } object.
 */
import type { z } from 'zod';
import type { Envelope } from '../../shared/errors';
import {
  channels,
  isChannelName,
  type ChannelName,
  type ChannelOutput,
  type ChannelParsedInput,
} from '../../shared/contract';
import { AppError, toErrorShape } from '../errors';
import type { AppContext } from './context';

export type Handler<C extends ChannelName> = (
  input: ChannelParsedInput<C>,
  ctx: AppContext,
) => Promise<ChannelOutput<C>> | ChannelOutput<C>;

export type HandlerMap<C extends ChannelName> = { [K in C]: Handler<K> };

export class HandlerRegistry {
  private readonly handlers = new Map<ChannelName, Handler<ChannelName>>();

  register<C extends ChannelName>(map: HandlerMap<C>): this {
    for (const [name, handler] of Object.entries(map) as [C, Handler<C>][]) {
      if (!isChannelName(name)) throw new Error(`Channel ${String(name)} is not in the contract.`);
      if (this.handlers.has(name)) throw new Error(`Channel ${name} is registered twice.`);
      this.handlers.set(name, handler as unknown as Handler<ChannelName>);
    }
    return this;
  }

  missing(): ChannelName[] {
    return (Object.keys(channels) as ChannelName[]).filter((c) => !this.handlers.has(c));
  }

  async dispatch(ctx: AppContext, name: string, rawInput: unknown): Promise<Envelope<unknown>> {
    try {
      if (!isChannelName(name)) throw new AppError('unknown_channel', `There is no channel called ${name}.`);
      const handler = this.handlers.get(name);
      if (!handler) throw new AppError('unknown_channel', `The channel ${name} has no handler.`);
      const schema = channels[name].input as z.ZodType;
      const parsed = schema.safeParse(rawInput ?? {});
      if (!parsed.success) {
        const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
        const first = issues[0];
        throw new AppError(
          'invalid_input',
          `Invalid input for ${name}${first ? `: ${first.path ? `${first.path}: ` : ''}${first.message}` : ''}`,
          { issues },
        );
      }
      const value = await handler(parsed.data as never, ctx);
      return { ok: true, value };
    } catch (error) {
      return { ok: false, error: toErrorShape(error) };
    }
  }
}
