/**
 * Regimes and training: "Analyse regimes" runs the elbow job and draws WCSS against k with the knee
 * marked; the person keeps the knee or picks another k (a point on the chart or the select), then
 * trains. Training progress shows the stage and each cluster's grid search, with Cancel. The job ids
 * live in a module-level session so leaving the page and coming back does not lose a running job.
 */
import { useEffect, useState } from 'react';
import type { JobInfo } from '../../../../shared/contract';
import type { ElbowAnalysis } from '../../../../shared/contract/training';
import { api, ApiError } from '../../api/client';
import { useJobEnd } from '../../api/hooks';
import { ElbowChart } from '../../charts/ElbowChart';
import { ProgressBar } from '../../components/ProgressBar';
import { useJob } from './useJob';

interface Session {
  elbowJobId: string | null;
  trainJobId: string | null;
  elbow: ElbowAnalysis | null;
  pickedK: number | null;
}
const session: Session = { elbowJobId: null, trainJobId: null, elbow: null, pickedK: null };

function isElbow(result: unknown): result is ElbowAnalysis {
  return (
    !!result &&
    typeof result === 'object' &&
    Array.isArray((result as ElbowAnalysis).ks) &&
    Array.isArray((result as ElbowAnalysis).wcss)
  );
}

function runIdOf(result: unknown): number | null {
  if (result && typeof result === 'object' && typeof (result as { runId?: unknown }).runId === 'number') {
    return (result as { runId: number }).runId;
  }
  return null;
}

function JobProgress({ job, onCancel }: { job: JobInfo; onCancel: () => void }) {
  const p = job.progress;
  return (
    <div className="tr-job" data-testid={`job-progress-${job.kind}`}>
      <div className="tr-job-head">
        <ProgressBar done={p.done} total={p.total} label={p.stage} />
        <span className="muted">{p.message}</span>
        <button type="button" className="small danger" onClick={onCancel} data-testid="train-cancel">
          Cancel
        </button>
      </div>
      {p.items && p.items.length > 0 && (
        <ul className="tr-items" aria-label="Per-cluster progress">
          {p.items.map((item) => (
            <li key={item.name}>
              <span className="tr-item-name">{item.name}</span>
              <ProgressBar done={item.done} total={item.total} />
              <span className="muted mono">
                {item.done}/{item.total}
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function TrainPanel({
  clusterMode,
  configDirty,
  onRunFinished,
}: {
  clusterMode: 'auto' | 'fixed';
  configDirty: boolean;
  onRunFinished: (runId: number | null) => void;
}) {
  const [elbowJobId, setElbowJobId] = useState(session.elbowJobId);
  const [trainJobId, setTrainJobId] = useState(session.trainJobId);
  const [elbow, setElbow] = useState(session.elbow);
  const [pickedK, setPickedK] = useState(session.pickedK);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<{ kind: 'good' | 'error' | 'info'; text: string } | null>(null);
  const elbowJob = useJob(elbowJobId);
  const trainJob = useJob(trainJobId);

  useEffect(() => {
    Object.assign(session, { elbowJobId, trainJobId, elbow, pickedK });
  }, [elbowJobId, trainJobId, elbow, pickedK]);

  // A job started elsewhere (the CLI, another window) still shows its progress here.
  useEffect(() => {
    if (session.trainJobId || session.elbowJobId) return;
    void api.invoke('jobs/list', { active: true }).then((jobs) => {
      const train = jobs.find((j) => /train/i.test(j.kind) && !/elbow/i.test(j.kind));
      const elb = jobs.find((j) => /elbow/i.test(j.kind));
      if (train) setTrainJobId(train.id);
      if (elb) setElbowJobId(elb.id);
    });
  }, []);

  // The elbow may already be over by the time the subscription starts; the seeded JobInfo covers that.
  useEffect(() => {
    if (elbowJob?.finishedAt && elbowJob.status === 'succeeded' && isElbow(elbowJob.result)) {
      const result = elbowJob.result;
      setElbow((prev) =>
        prev === result || JSON.stringify(prev) === JSON.stringify(result) ? prev : result,
      );
      setPickedK((k) => k ?? result.knee ?? result.k);
    } else if (elbowJob?.finishedAt && elbowJob.status !== 'succeeded') {
      setError(elbowJob.error ? elbowJob.error.message : `The regime analysis was ${elbowJob.status}.`);
    }
  }, [elbowJob]);

  useJobEnd(trainJobId, (job) => {
    setTrainJobId(null);
    if (job.status === 'succeeded')
      setNotice({ kind: 'good', text: 'Training finished. The run is selected below.' });
    else if (job.status === 'cancelled')
      setNotice({ kind: 'info', text: 'Training was cancelled; nothing was registered.' });
    else setNotice({ kind: 'error', text: `Training failed: ${job.error?.message ?? 'unknown error'}` });
    onRunFinished(runIdOf(job.result));
  });

  const analysing = !!elbowJob && !elbowJob.finishedAt;
  const training = !!trainJobId && !trainJob?.finishedAt;

  const analyse = async () => {
    setError(null);
    setNotice(null);
    setElbow(null);
    setPickedK(null);
    try {
      const { jobId } = await api.invoke('training/elbow', {});
      setElbowJobId(jobId);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    }
  };
  const train = async () => {
    setError(null);
    setNotice(null);
    try {
      const k = elbow && pickedK ? pickedK : undefined;
      const { jobId } = await api.invoke('training/start', k ? { k } : {});
      setTrainJobId(jobId);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    }
  };
  const cancel = (id: string) => void api.invoke('jobs/cancel', { id });

  const kLabel =
    elbow && pickedK
      ? `Train with k = ${pickedK}`
      : clusterMode === 'fixed'
        ? 'Train (fixed k)'
        : 'Train (k at the knee)';
  return (
    <section className="card stack" aria-labelledby="regimes-title" data-testid="train-panel">
      <div className="tr-panel-head">
        <div>
          <h2 id="regimes-title">Operating regimes and training</h2>
          <p className="muted tr-lede">
            Analyse the regimes to see the elbow and choose k, then train a model per regime. Runs use the
            saved configuration{configDirty ? ' — your unsaved edits are not used until you save them' : ''}.
          </p>
        </div>
        <div className="editor-actions">
          <button
            type="button"
            onClick={() => void analyse()}
            disabled={analysing || training}
            data-testid="analyse-regimes"
          >
            {analysing ? 'Analysing…' : elbow ? 'Analyse again' : 'Analyse regimes'}
          </button>
          <button
            type="button"
            className="primary"
            onClick={() => void train()}
            disabled={analysing || training}
            data-testid="train-start"
          >
            {training ? 'Training…' : kLabel}
          </button>
        </div>
      </div>
      {error && (
        <div className="callout error" role="alert" data-testid="train-error">
          {error}
        </div>
      )}
      {notice && (
        <div className={`callout ${notice.kind}`} role="status" data-testid="train-notice">
          {notice.text}
        </div>
      )}
      {analysing && elbowJob && <JobProgress job={elbowJob} onCancel={() => cancel(elbowJob.id)} />}
      {training && trainJob && <JobProgress job={trainJob} onCancel={() => cancel(trainJob.id)} />}
      {training && !trainJob && <div className="muted">Starting the training job…</div>}
      {elbow && (
        <div className="tr-elbow">
          <ElbowChart elbow={elbow} selectedK={pickedK} onPick={training ? undefined : setPickedK} />
          <div className="tr-elbow-side">
            <dl className="kv">
              <dt>Knee</dt>
              <dd data-testid="elbow-knee">{elbow.knee === null ? 'none found' : `k = ${elbow.knee}`}</dd>
              <dt>Range</dt>
              <dd>
                k = {elbow.ks[0]} … {elbow.ks[elbow.ks.length - 1]}
              </dd>
            </dl>
            <div className="field">
              <label htmlFor="pick-k">Clusters to train with</label>
              <select
                id="pick-k"
                value={pickedK ?? ''}
                onChange={(e) => setPickedK(Number(e.target.value))}
                disabled={training}
                data-testid="pick-k"
              >
                {elbow.ks.map((k) => (
                  <option key={k} value={k}>
                    k = {k}
                    {k === elbow.knee ? ' (knee)' : ''}
                  </option>
                ))}
              </select>
              <span className="muted tr-hint">Or click a point on the chart.</span>
            </div>
            {elbow.knee === null && (
              <div className="callout info">No clear knee: the curve has no bend. Pick k by hand.</div>
            )}
          </div>
        </div>
      )}
    </section>
  );
}
