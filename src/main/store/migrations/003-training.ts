/**
 * Training configs (versioned), runs (the MLflow part: config, data fingerprint, every grid point,
 * metrics, timings, logs) and the model registry: versions with their bundle and checksum, aliases
 * (production, staging) with the previous holder for rollback, and an audit trail of every transition.
 */
export default /* sql */ `
CREATE TABLE training_configs (
  id INTEGER PRIMARY KEY,
  version INTEGER NOT NULL UNIQUE,
  config TEXT NOT NULL,
  note TEXT,
  created_at TEXT NOT NULL
);

CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  status TEXT NOT NULL CHECK (status IN ('running','succeeded','failed','cancelled')),
  config_version INTEGER,
  config TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  app_version TEXT NOT NULL,
  k INTEGER,
  rows INTEGER NOT NULL,
  faulty INTEGER NOT NULL,
  pooled_auc REAL,
  pooled_recall REAL,
  detail TEXT,
  error TEXT,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  seconds REAL
);

CREATE TABLE model_versions (
  id INTEGER PRIMARY KEY,
  version INTEGER NOT NULL UNIQUE,
  run_id INTEGER REFERENCES runs (id),
  status TEXT NOT NULL CHECK (status IN ('pending_approval','rejected_by_gates','approved','rejected','archived')),
  schema_id INTEGER NOT NULL REFERENCES schemas (id),
  k INTEGER NOT NULL,
  threshold REAL NOT NULL,
  metrics TEXT,
  gates TEXT NOT NULL,
  summary TEXT NOT NULL,
  bundle BLOB NOT NULL,
  sha256 TEXT NOT NULL,
  created_at TEXT NOT NULL
);

CREATE TABLE model_aliases (
  stage TEXT PRIMARY KEY CHECK (stage IN ('production','staging')),
  version_id INTEGER NOT NULL REFERENCES model_versions (id),
  previous_version_id INTEGER REFERENCES model_versions (id),
  updated_at TEXT NOT NULL
);

CREATE TABLE model_events (
  id INTEGER PRIMARY KEY,
  version_id INTEGER NOT NULL REFERENCES model_versions (id),
  action TEXT NOT NULL,
  from_status TEXT,
  to_status TEXT,
  stage TEXT,
  comment TEXT,
  user_name TEXT NOT NULL,
  time TEXT NOT NULL
);
CREATE INDEX model_events_version ON model_events (version_id, id);
`;
