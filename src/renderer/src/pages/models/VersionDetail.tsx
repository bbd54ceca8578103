/** One model version: gates with value against threshold, metrics, clusters, actions and the audit trail. */
import type { ModelVersionDetail } from '../../../../shared/contract/training';
import { useQuery } from '../../api/hooks';
import { num, VERSION_BADGE, VERSION_LABEL, when } from '../training/format';
import { ConfusionMatrix, GatesTable, MetricStats } from '../training/Metrics';
import { ModelActions } from './ModelActions';

export function StageBadges({ stages }: { stages: ModelVersionDetail['stages'] }) {
  return (
    <>
      {stages.map((s) => (
        <span key={s} className={`badge md-stage md-${s}`} data-testid={`stage-${s}`}>
          {s === 'production' ? 'Production' : 'Staging'}
        </span>
      ))}
    </>
  );
}

export function VersionDetailView({ version, onChanged }: { version: number; onChanged: () => void }) {
  const q = useQuery('models/get', { version }, { refreshOn: ['models'] });
  if (q.error)
    return (
      <div className="callout error">
        Version {version} could not be loaded: {q.error.message}
      </div>
    );
  const v = q.data;
  if (!v || v.version !== version) return <div className="card muted">Loading version {version}…</div>;
  return (
    <section
      className="card stack"
      aria-labelledby="version-title"
      data-testid="version-detail"
      data-version={v.version}
    >
      <div className="tr-panel-head">
        <div>
          <h2 id="version-title">
            Model v{v.version}{' '}
            <span className={`badge ${VERSION_BADGE[v.status]}`} data-testid="version-status">
              {VERSION_LABEL[v.status]}
            </span>{' '}
            <StageBadges stages={v.stages} />
          </h2>
          <p className="muted tr-lede">
            {v.runId > 0 ? `From run #${v.runId}` : 'Imported'} · {when(v.createdAt)} ·{' '}
            {v.strategy === 'global' ? 'one global model' : `${v.k} per-cluster models`} · threshold{' '}
            {num(v.threshold)} · {v.featureNames.length} features · schema #{v.schemaId} ·{' '}
            <span className="mono" title={v.sha256}>
              sha256 {v.sha256.slice(0, 12)}…
            </span>
          </p>
        </div>
      </div>
      <ModelActions
        version={v}
        onChanged={() => {
          q.reload();
          onChanged();
        }}
      />
      <div className="grid-2">
        <section>
          <h3>Quality gates</h3>
          <GatesTable gates={v.gates} />
        </section>
        <section>{v.metrics && <ConfusionMatrix m={v.metrics} />}</section>
      </div>
      {v.metrics && <MetricStats m={v.metrics} />}
      <div className="grid-2">
        <section>
          <h3>Clusters</h3>
          <table className="table compact" data-testid="version-clusters">
            <thead>
              <tr>
                <th>Cluster</th>
                <th>Family</th>
                <th className="right">Rows</th>
                <th className="right">Faulty</th>
                <th className="right">Test AUC</th>
              </tr>
            </thead>
            <tbody>
              {v.clusters.map((c) => (
                <tr key={c.cluster}>
                  <td>{c.cluster}</td>
                  <td>{c.family}</td>
                  <td className="right">{c.rows}</td>
                  <td className="right">{c.faulty}</td>
                  <td className="right">{num(c.testAuc)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <section>
          <h3>Audit trail</h3>
          <ol className="md-audit" data-testid="audit-trail">
            {[...v.events].reverse().map((e) => (
              <li key={e.id} data-testid="audit-event" data-action={e.action}>
                <div className="md-audit-head">
                  <strong>{e.action}</strong>
                  {(e.fromStatus || e.toStatus) && (
                    <span className="muted">
                      {' '}
                      {e.fromStatus
                        ? (VERSION_LABEL[e.fromStatus as keyof typeof VERSION_LABEL] ?? e.fromStatus)
                        : '—'}{' '}
                      →{' '}
                      {e.toStatus
                        ? (VERSION_LABEL[e.toStatus as keyof typeof VERSION_LABEL] ?? e.toStatus)
                        : '—'}
                    </span>
                  )}
                  {e.stage && <span className="badge accent">{e.stage}</span>}
                  <span className="muted md-audit-when">
                    {e.user} · {when(e.time)}
                  </span>
                </div>
                {e.comment && <div className="md-audit-comment">“{e.comment}”</div>}
              </li>
            ))}
            {v.events.length === 0 && <li className="muted">No events yet.</li>}
          </ol>
        </section>
      </div>
    </section>
  );
}
