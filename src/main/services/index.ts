/** All domains' handlers in one registry. */
import { appHandlers } from './app';
import { jobsHandlers } from './jobs';
import { dataHandlers } from './data';
import { trainingHandlers } from './training';
import { modelHandlers } from './models';
import { predictHandlers } from './predict';
import { monitorHandlers } from './monitor';
import { watchHandlers } from './watch';
import { HandlerRegistry, type HandlerMap } from './registry';

/** Handlers only a host can provide (the Electron shell's save dialog); others answer that they cannot. */
export interface HostHandlers {
  'files/save-as'?: HandlerMap<'files/save-as'>['files/save-as'];
  'files/choose-folder'?: HandlerMap<'files/choose-folder'>['files/choose-folder'];
}

export function createRegistry(host: HostHandlers = {}): HandlerRegistry {
  return new HandlerRegistry()
    .register(appHandlers)
    .register(jobsHandlers)
    .register(dataHandlers)
    .register(trainingHandlers)
    .register(modelHandlers)
    .register(predictHandlers)
    .register(monitorHandlers)
    .register(watchHandlers)
    .register({
      'files/save-as':
        host['files/save-as'] ??
        (() => ({ saved: false, path: null })),
      'files/choose-folder': host['files/choose-folder'] ?? (() => ({ path: null })),
    });
}
