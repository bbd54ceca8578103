/** The worker thread's entry: receives tasks, runs them with a TaskContext, answers with plain results. */
import { parentPort, workerData } from 'node:worker_threads';
import { AppError, toErrorShape } from '../errors';
import type { RunMessage, WorkerMessage } from '../jobs/protocol';
import { createTaskContext } from './context';
import { taskRegistry } from './tasks';

const init = workerData as { workspacePath: string; diagnostics?: boolean };
const tasks = taskRegistry(init.diagnostics ?? false);
const port = parentPort!;
const send = (message: WorkerMessage) => port.postMessage(message);

port.on('message', (message: RunMessage) => {
  if (message.type !== 'run') return;
  void runTask(message);
});

async function runTask(message: RunMessage): Promise<void> {
  const { taskId } = message;
  try {
    const task = tasks.get(message.kind);
    if (!task) throw new AppError('internal', `No background task called ${message.kind}.`);
    const ctx = createTaskContext(init.workspacePath, message.cancelFlag, (progress) =>
      send({ type: 'progress', taskId, progress }),
    );
    const result = await task(message.input as never, ctx);
    send({ type: 'done', taskId, result });
  } catch (error) {
    send({ type: 'failed', taskId, error: toErrorShape(error) });
  }
}

send({ type: 'ready' });
