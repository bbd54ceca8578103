/** The registry of tasks a worker can run, by kind. Each domain adds its tasks here. */
import type { TaskFn } from '../context';
import { diagnosticsTasks } from './diagnostics';
import { ingestTasks } from './ingest';
import { trainTasks } from './train';
import { predictTasks } from './predict';
import { storeTasks } from './store';

export function taskRegistry(diagnostics: boolean): Map<string, TaskFn> {
  const tasks = new Map<string, TaskFn>();
  const add = (group: Record<string, TaskFn>) => {
    for (const [kind, fn] of Object.entries(group)) {
      if (tasks.has(kind)) throw new Error(`Task ${kind} is registered twice.`);
      tasks.set(kind, fn);
    }
  };
  add(ingestTasks as Record<string, TaskFn>);
  add(trainTasks as Record<string, TaskFn>);
  add(predictTasks as Record<string, TaskFn>);
  add(storeTasks as Record<string, TaskFn>);
  if (diagnostics) add(diagnosticsTasks as Record<string, TaskFn>);
  return tasks;
}
