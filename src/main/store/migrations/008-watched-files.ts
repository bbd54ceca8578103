/**
 * The watched folder's ledger: each file the folder watcher has handled, by folder and name, with the
 * size and modification time it had then. A file is handled once; it is handled again only when it
 * changes (a new size or time), and the ledger survives restarts so the app does not predict a
 * folder's old files again every time it opens.
 */
export default /* sql */ `
CREATE TABLE watched_files (
  folder TEXT NOT NULL,
  name TEXT NOT NULL,
  size INTEGER NOT NULL,
  mtime_ms REAL NOT NULL,
  batch_id INTEGER REFERENCES prediction_batches (id) ON DELETE SET NULL,
  outcome TEXT NOT NULL CHECK (outcome IN ('good', 'bad', 'duplicate', 'skipped')),
  handled_at TEXT NOT NULL,
  PRIMARY KEY (folder, name)
);
`;
