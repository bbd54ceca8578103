/** Handlers for job channels: list, get and cancel. Jobs are started by their own domain's handlers. */
import type { HandlerMap } from './registry';

export const jobsHandlers: HandlerMap<'jobs/list' | 'jobs/get' | 'jobs/cancel'> = {
  'jobs/list': (input, ctx) => ctx.jobs.list(input.active ?? false),
  'jobs/get': (input, ctx) => ctx.jobs.get(input.id),
  'jobs/cancel': (input, ctx) => ({ cancelled: ctx.jobs.cancel(input.id) }),
};
