/**
 * The watched folder: the app predicts every prediction file that lands in a folder (where a tool or a
 * line's data collector writes its batches), once the file has stopped changing, with the chosen model,
 * as batches whose source is 'watch'. Files are read, never moved or changed; a ledger in the workspace
 * remembers which were handled, so each is predicted once (again only if it changes).
 */
import { z } from 'zod';
import type { ErrorShape } from '../errors';
import { channel } from './define';
import { modelChoiceZ } from './predict';

/** How long a file must have gone unchanged before it is taken (a writer may still be adding to it). */
export const WATCH_SETTLE_SECONDS_DEFAULT = 10;
/** How often the folder is looked at. */
export const WATCH_INTERVAL_SECONDS_DEFAULT = 5;

export interface WatchBatch {
  batchId: number;
  at: string;
  modelVersion: number;
  files: number;
  quarantined: number;
  rows: number;
  faulty: number;
  unfamiliar: number;
}

export interface WatchStatus {
  /** Whether the app watches a folder (and resumes watching it when it opens). */
  enabled: boolean;
  folder: string | null;
  model: z.infer<typeof modelChoiceZ>;
  settleSeconds: number;
  /** Where each batch's predictions CSV is also written (for a system downstream), or null. */
  outFolder: string | null;
  /**
   * off: nothing watched; watching: waiting for files; predicting: a batch of the folder's files runs;
   * error: the last look or batch failed (lastError says why), and the watcher tries again.
   */
  state: 'off' | 'watching' | 'predicting' | 'error';
  lastScanAt: string | null;
  /** Files seen but still changing (or changed too recently to be taken). */
  settling: string[];
  lastBatch: WatchBatch | null;
  lastError: ErrorShape | null;
  /** The folder's files handled so far, by how their import ended ('skipped': there before watching began, and left alone on request). */
  handled: { good: number; bad: number; duplicate: number; skipped: number };
  /** The folder's most recently handled files (up to 20), newest first: did my file get picked up? */
  recent: { name: string; handledAt: string; outcome: 'good' | 'bad' | 'duplicate' | 'skipped'; batchId: number | null }[];
}

const folderZ = z.string().trim().min(1).max(4096);

export const watchChannels = {
  'watch/status': channel<WatchStatus>()(z.object({}).strict()),
  'watch/start': channel<WatchStatus>()(
    z
      .object({
        folder: folderZ,
        model: modelChoiceZ.default('production'),
        settleSeconds: z.number().int().min(0).max(3600).default(WATCH_SETTLE_SECONDS_DEFAULT),
        /** Leave the files already in the folder alone and predict only those that arrive from now on. */
        skipExisting: z.boolean().default(false),
        /** Also write each batch's predictions CSV into this folder (made if missing). */
        outFolder: folderZ.nullable().default(null),
      })
      .strict(),
  ),
  'watch/stop': channel<WatchStatus>()(z.object({}).strict()),
};
