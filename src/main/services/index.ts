/** All domains' handlers in one registry. */
import { appHandlers } from './app';
import { jobsHandlers } from './jobs';
import { HandlerRegistry } from './registry';

export function createRegistry(): HandlerRegistry {
  return new HandlerRegistry().register(appHandlers).register(jobsHandlers);
}
