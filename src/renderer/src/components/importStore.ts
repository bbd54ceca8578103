/**
 * The import in progress, kept outside React so it survives page changes: a drop on any page starts it,
 * the Data page shows it. A job store (api/jobStore) that stages the files, starts `data/ingest`, follows
 * the job and keeps the final IngestSummary for the result banner. Import jobs started elsewhere (the
 * sample data, a script through `serve`) are followed too, so their progress shows here.
 */
import type { IngestSummary, JobInfo, SchemaKind } from '../../../shared/contract';
import { api, type StagedInput } from '../api/client';
import { createJobStore, type JobState } from '../api/jobStore';

export interface ImportState extends JobState<IngestSummary> {
  kind: SchemaKind;
  files: number;
}

/** Import jobs are recognised by kind; the sample loader is an import too. */
export function isImportJob(job: JobInfo): boolean {
  return /ingest|import|sample/i.test(job.kind);
}

const store = createJobStore<IngestSummary, { kind: SchemaKind; files: number }>({
  extra: { kind: 'training', files: 0 },
  keep: ['kind'],
  toResult: (job) => (job.result as IngestSummary | null) ?? null,
  adopt: isImportJob,
  failedMessage: 'The import failed.',
});

export function useImport(): ImportState {
  return store.useJob();
}

export function isBusy(s?: ImportState): boolean {
  return store.isBusy(s);
}

export function setImportKind(kind: SchemaKind) {
  store.update({ kind });
}

/** Follows a job that is already running (e.g. `data/load-sample`). */
export function followJob(jobId: string, title: string): Promise<void> {
  return store.follow(jobId, title);
}

/** Stages and imports files as the currently selected kind. */
export function importFiles(inputs: StagedInput[], kind: SchemaKind = store.get().kind): Promise<void> {
  const title = `Import ${inputs.length} ${kind} file${inputs.length === 1 ? '' : 's'}`;
  return store.run(inputs, title, (paths) => api.invoke('data/ingest', { kind, paths }), {
    kind,
    files: inputs.length,
  });
}

export const cancelImport = (): Promise<void> => store.cancel();
export const dismissImport = (): void => store.dismiss();
