/**
 * Follows one job by id: its latest JobInfo from `jobs/changed` events, seeded with `jobs/get` so a job
 * that finished before the subscription (a fast elbow on a small table) is not missed.
 */
import { useEffect, useState } from 'react';
import type { JobInfo } from '../../../../shared/contract';
import { api } from '../../api/client';

export function useJob(jobId: string | null): JobInfo | null {
  const [job, setJob] = useState<JobInfo | null>(null);
  useEffect(() => {
    setJob(null);
    if (!jobId) return;
    let alive = true;
    const off = api.on('jobs/changed', (j) => {
      if (j.id === jobId && alive) setJob(j);
    });
    void api.invoke('jobs/get', { id: jobId }).then(
      (j) => alive && setJob((prev) => (prev?.finishedAt ? prev : j)),
      () => undefined,
    );
    return () => {
      alive = false;
      off();
    };
  }, [jobId]);
  return job;
}
