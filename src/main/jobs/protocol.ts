/** Messages between the pool (main thread) and a worker. Errors travel as plain ErrorShape objects. */
import type { ErrorShape } from '../../shared/errors';
import type { JobProgress } from '../../shared/contract';

export interface RunMessage {
  type: 'run';
  taskId: number;
  kind: string;
  input: unknown;
  /** Int32Array over a SharedArrayBuffer: set to 1 to ask the task to stop at its next checkpoint. */
  cancelFlag: SharedArrayBuffer;
}

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'progress'; taskId: number; progress: JobProgress }
  | { type: 'done'; taskId: number; result: unknown }
  | { type: 'failed'; taskId: number; error: ErrorShape };

export interface WorkerInit {
  workspacePath: string;
  /** Set by the dev bootstrap: the TypeScript entry to load through tsx. */
  __entry?: string;
}
