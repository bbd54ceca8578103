/** Workspace maintenance run in workers, off the UI thread. */
import type { TaskContext } from '../context';

/** Copies committed WAL frames into the database file without waiting for readers or writers. */
export function checkpointTask(_input: unknown, ctx: TaskContext): { busy: number; log: number; checkpointed: number } {
  const [row] = ctx.store().db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
  return row ?? { busy: 0, log: 0, checkpointed: 0 };
}

export const storeTasks = {
  'store/checkpoint': checkpointTask,
};
