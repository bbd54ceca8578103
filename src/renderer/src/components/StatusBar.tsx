/** The status bar: the open workspace and every running job with its progress and a Cancel button. */
import type { AppInfo } from '../../../shared/contract';
import { api } from '../api/client';
import { useActiveJobs } from '../api/hooks';
import { ProgressBar } from './ProgressBar';

export function StatusBar({ info }: { info: AppInfo | null }) {
  const jobs = useActiveJobs();
  return (
    <footer className="statusbar" aria-label="Status">
      <span className="status-workspace" title={info?.workspacePath}>
        <span className="dot ok" aria-hidden="true" /> Workspace: {info ? shortPath(info.workspacePath) : 'opening…'}
      </span>
      <span className="status-jobs" aria-live="polite" data-testid="status-jobs">
        {jobs.length === 0 ? (
          <span className="muted">No jobs running</span>
        ) : (
          jobs.map((job) => (
            <span key={job.id} className="job-chip" data-testid="job-chip">
              <span className="job-title">{job.title}</span>
              <ProgressBar done={job.progress.done} total={job.progress.total} label={job.progress.stage} />
              <button
                type="button"
                className="small"
                onClick={() => void api.invoke('jobs/cancel', { id: job.id })}
                data-testid="job-cancel"
              >
                Cancel
              </button>
            </span>
          ))
        )}
      </span>
    </footer>
  );
}

function shortPath(path: string): string {
  return path.length > 60 ? `…${path.slice(-58)}` : path;
}
