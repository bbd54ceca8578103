/**
 * `ingest --kind training|prediction [--schema FILE] PATH...`: imports files and folders. Bad files are
 * a result, not a failure: the exit code is 0 unless the import itself failed.
 */
import { readFileSync } from 'node:fs';
import type { IngestSummary } from '../../../shared/contract';
import { importReferenceSchema, startIngest } from '../../services/data';
import { EXIT_OK, followJob, parseCommandArgs, UsageError } from '../cli-kit';
import type { Command } from '../cli';
import { AppError } from '../../errors';

export const ingestCommand: Command = {
  summary: 'import batch files or folders, validating each against the schema',
  usage: `wafer-studio ingest --kind training|prediction [--schema FILE] PATH... [--workspace FILE] [--json]

  --kind     which schema judges the files (training files carry the label column)
  --schema   a reference schema JSON file (schema_training.json style) to use; it is saved as a new
             schema version first`,
  async run({ ctx, out, args }) {
    const { values, positionals } = parseCommandArgs(args, { kind: { type: 'string' }, schema: { type: 'string' } });
    const kind = values.kind;
    if (kind !== 'training' && kind !== 'prediction') throw new UsageError('--kind must be training or prediction');
    if (positionals.length === 0) throw new UsageError('give at least one file or folder to import');
    let schemaId: number | undefined;
    if (values.schema) {
      let text: string;
      try {
        text = readFileSync(values.schema, 'utf8');
      } catch (error) {
        throw new AppError('io_error', `Could not read the schema file ${values.schema}: ${(error as Error).message}`);
      }
      schemaId = (await importReferenceSchema(ctx, kind, text)).id;
    }
    const job = startIngest(ctx, kind, positionals, schemaId);
    const final = await followJob(ctx, out, job.id, {
      what: 'import',
      whenCancelled: 'no file of it was kept',
    });
    const summary = final.result as IngestSummary;
    const result = {
      batch: summary.batch,
      files: summary.files.map((f) => ({ name: f.name, status: f.status, rows: f.rows, reasons: f.reasons })),
      good: summary.good,
      bad: summary.bad,
      duplicate: summary.duplicate,
      rows: summary.rows,
    };
    const lines = summary.files.map((f) => {
      const why = f.reasons.map((r) => `\n      ${r.code}: ${r.message}`).join('');
      return `  ${f.status.padEnd(9)} ${f.name}${f.status === 'good' ? ` (${f.rows} rows)` : ''}${why}`;
    });
    out.result(
      result,
      `${lines.join('\n')}\n${summary.good} good, ${summary.bad} bad, ${summary.duplicate} duplicate; ${summary.rows} rows imported in ${summary.seconds.toFixed(2)} s`,
    );
    return EXIT_OK;
  },
};
