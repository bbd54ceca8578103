/**
 * Model bundles move to their own table. In model_versions the bundle (megabytes, in overflow pages)
 * sat before sha256 and created_at, so every query reading those columns — a worker's version lookup
 * before each batch, the Models page's list — walked the whole bundle's overflow chain to reach them.
 */
export default /* sql */ `
CREATE TABLE model_bundles (
  version_id INTEGER PRIMARY KEY REFERENCES model_versions (id) ON DELETE CASCADE,
  bundle BLOB NOT NULL
);
INSERT INTO model_bundles (version_id, bundle) SELECT id, bundle FROM model_versions;
ALTER TABLE model_versions DROP COLUMN bundle;
`;
