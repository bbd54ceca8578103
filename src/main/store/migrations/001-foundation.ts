/** Foundation tables: the log store, job history and key/value settings. */
export default /* sql */ `
CREATE TABLE logs (
  id INTEGER PRIMARY KEY,
  time TEXT NOT NULL,
  level TEXT NOT NULL CHECK (level IN ('debug','info','warn','error')),
  component TEXT NOT NULL,
  message TEXT NOT NULL,
  context TEXT
);
CREATE INDEX logs_time ON logs (time);
CREATE INDEX logs_component ON logs (component, time);

CREATE TABLE jobs (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  title TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('queued','running','succeeded','failed','cancelled')),
  progress TEXT NOT NULL,
  created_at TEXT NOT NULL,
  finished_at TEXT,
  error TEXT,
  result TEXT
);
CREATE INDEX jobs_created ON jobs (created_at);

CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`;
