/**
 * Prediction history: a batch per prediction request (files, or one typed row) and a row per wafer with
 * its regime, probability, label, threshold, model version, source and explanation.
 */
export default /* sql */ `
CREATE TABLE prediction_batches (
  id INTEGER PRIMARY KEY,
  status TEXT NOT NULL CHECK (status IN ('running','succeeded','failed','cancelled')),
  source TEXT NOT NULL,
  model_version_id INTEGER NOT NULL REFERENCES model_versions (id),
  ingest_batch TEXT,
  file_results TEXT NOT NULL DEFAULT '[]',
  threshold REAL NOT NULL,
  files INTEGER NOT NULL DEFAULT 0,
  rows INTEGER NOT NULL DEFAULT 0,
  faulty INTEGER NOT NULL DEFAULT 0,
  unfamiliar INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  finished_at TEXT
);
CREATE INDEX prediction_batches_created ON prediction_batches (created_at);

CREATE TABLE predictions (
  id INTEGER PRIMARY KEY,
  batch_id INTEGER NOT NULL REFERENCES prediction_batches (id) ON DELETE CASCADE,
  file_id INTEGER REFERENCES files (id) ON DELETE SET NULL,
  file_name TEXT,
  row_no INTEGER,
  wafer TEXT NOT NULL,
  cluster INTEGER NOT NULL,
  distance REAL NOT NULL,
  unfamiliar INTEGER NOT NULL,
  probability REAL NOT NULL,
  faulty INTEGER NOT NULL,
  label TEXT NOT NULL,
  threshold REAL NOT NULL,
  model_version_id INTEGER NOT NULL REFERENCES model_versions (id),
  source TEXT NOT NULL,
  created_at TEXT NOT NULL,
  explanation TEXT
);
CREATE INDEX predictions_batch ON predictions (batch_id, id);
CREATE INDEX predictions_created ON predictions (created_at);
CREATE INDEX predictions_model ON predictions (model_version_id, created_at);
CREATE INDEX predictions_file ON predictions (file_name);
`;
