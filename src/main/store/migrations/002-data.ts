/**
 * The data sharing agreement and imported data. Rows keep their sensor values as one Float64 BLOB each
 * (NaN = missing): 600 SQL columns per sensor would not scale to 100,000 x 600, and later stages read a
 * whole training matrix by streaming blobs straight into typed arrays.
 */
export default /* sql */ `
CREATE TABLE schemas (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('training','prediction')),
  version INTEGER NOT NULL,
  name TEXT NOT NULL,
  note TEXT,
  definition TEXT NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (kind, version)
);

CREATE TABLE files (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('training','prediction')),
  name TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('good','bad')),
  rows INTEGER NOT NULL,
  schema_id INTEGER NOT NULL REFERENCES schemas (id),
  reasons TEXT NOT NULL,
  label_good INTEGER,
  label_faulty INTEGER,
  batch TEXT NOT NULL,
  source_path TEXT,
  imported_at TEXT NOT NULL
);
-- Good data is unique by its bytes; a bad file is a verdict on a name and bytes, so copies of one file
-- under other names each get their own verdict (as the reference's batches expect).
CREATE UNIQUE INDEX files_sha ON files (kind, sha256) WHERE status = 'good';
CREATE INDEX files_sha_any ON files (kind, sha256);
CREATE INDEX files_batch ON files (batch);
CREATE INDEX files_status ON files (kind, status, imported_at);

CREATE TABLE rows (
  id INTEGER PRIMARY KEY,
  file_id INTEGER NOT NULL REFERENCES files (id) ON DELETE CASCADE,
  row_no INTEGER NOT NULL,
  wafer TEXT NOT NULL,
  label REAL,
  faulty INTEGER,
  vals BLOB NOT NULL
);
CREATE INDEX rows_file ON rows (file_id, row_no);

CREATE TABLE quarantine (
  file_id INTEGER PRIMARY KEY REFERENCES files (id) ON DELETE CASCADE,
  content BLOB NOT NULL
);
`;
