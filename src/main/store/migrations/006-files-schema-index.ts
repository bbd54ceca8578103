/**
 * Files by schema version. Every schema listing counts the files imported under each version, and
 * files.schema_id had no index, so each count read the whole files table, which grows by a file per
 * prediction batch for the life of a workspace.
 */
export default /* sql */ `
CREATE INDEX files_schema ON files (schema_id);
`;
