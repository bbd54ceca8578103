/**
 * The ordered list of migrations. Append only: a migration that has shipped is never edited (its
 * hash is recorded in every workspace that applied it, and a mismatch refuses the workspace).
 */
import foundation from './001-foundation';
import data from './002-data';
import training from './003-training';
import predictions from './004-predictions';
import modelBundles from './005-model-bundles';
import filesSchemaIndex from './006-files-schema-index';
import dropPredictionFileIndex from './007-drop-prediction-file-index';
import watchedFiles from './008-watched-files';

export interface Migration {
  id: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  { id: 1, name: 'foundation', sql: foundation },
  { id: 2, name: 'data', sql: data },
  { id: 3, name: 'training', sql: training },
  { id: 4, name: 'predictions', sql: predictions },
  { id: 5, name: 'model-bundles', sql: modelBundles },
  { id: 6, name: 'files-schema-index', sql: filesSchemaIndex },
  { id: 7, name: 'drop-prediction-file-index', sql: dropPredictionFileIndex },
  { id: 8, name: 'watched-files', sql: watchedFiles },
];
