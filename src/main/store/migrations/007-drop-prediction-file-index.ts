/**
 * Drops the index on predictions.file_name. The history's file filter is a substring match
 * (LIKE '%name%'), which no index can serve, and nothing else looks rows up by file name, so the
 * index was only work: one more B-tree insert for every predicted wafer (about a tenth of writing a
 * 1x batch's predictions) and its pages in every checkpoint.
 */
export default /* sql */ `
DROP INDEX IF EXISTS predictions_file;
`;
