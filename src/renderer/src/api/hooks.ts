/** React hooks over the client: a query that reloads on a data-changed domain, and live jobs. */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ChannelInput, ChannelName, ChannelOutput, JobInfo } from '../../../shared/contract';
import { api, ApiError } from './client';

export interface Query<T> {
  data: T | undefined;
  error: ApiError | null;
  loading: boolean;
  reload(): void;
}

type Domain = 'files' | 'schemas' | 'runs' | 'models' | 'predictions' | 'logs' | 'watch' | 'monitor';

export function useQuery<C extends ChannelName>(
  channel: C,
  input: ChannelInput<C>,
  options: { refreshOn?: Domain[]; enabled?: boolean } = {},
): Query<ChannelOutput<C>> {
  const [data, setData] = useState<ChannelOutput<C>>();
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(true);
  const key = JSON.stringify(input);
  const seq = useRef(0);
  const enabled = options.enabled ?? true;
  const load = useCallback(() => {
    if (!enabled) return;
    const mine = ++seq.current;
    setLoading(true);
    api.invoke(channel, JSON.parse(key) as ChannelInput<C>).then(
      (value) => {
        if (mine !== seq.current) return;
        setData(value);
        setError(null);
        setLoading(false);
      },
      (e: unknown) => {
        if (mine !== seq.current) return;
        setError(e instanceof ApiError ? e : new ApiError({ code: 'internal', message: String(e) }));
        setLoading(false);
      },
    );
  }, [channel, key, enabled]);
  useEffect(load, [load]);
  const refreshKey = (options.refreshOn ?? []).join(',');
  useEffect(() => {
    if (!refreshKey) return;
    const domains = refreshKey.split(',');
    return api.on('data/changed', (p) => {
      if (domains.includes(p.domain)) load();
    });
  }, [refreshKey, load]);
  return { data, error, loading, reload: load };
}

/** Jobs that are running now, kept current by `jobs/changed` events. */
export function useActiveJobs(): JobInfo[] {
  const [jobs, setJobs] = useState<Map<string, JobInfo>>(new Map());
  useEffect(() => {
    let alive = true;
    void api.invoke('jobs/list', { active: true }).then((list) => {
      if (alive) setJobs(new Map(list.map((j) => [j.id, j])));
    });
    const off = api.on('jobs/changed', (job) => {
      setJobs((prev) => {
        const next = new Map(prev);
        if (job.finishedAt) next.delete(job.id);
        else next.set(job.id, job);
        return next;
      });
    });
    return () => {
      alive = false;
      off();
    };
  }, []);
  return [...jobs.values()];
}

/** Calls fn once the job ends (succeeded, failed or cancelled). */
export function useJobEnd(jobId: string | null, fn: (job: JobInfo) => void): void {
  const ref = useRef(fn);
  ref.current = fn;
  useEffect(() => {
    if (!jobId) return;
    return api.on('jobs/changed', (job) => {
      if (job.id === jobId && job.finishedAt) ref.current(job);
    });
  }, [jobId]);
}
