/**
 * Training: the configuration (versioned), the regime analysis and training with live progress, the
 * run history, one run in full, and a side-by-side comparison of runs.
 */
import { useEffect, useState } from 'react';
import { useQuery } from '../api/hooks';
import { CompareRuns } from './training/CompareRuns';
import { ConfigEditor } from './training/ConfigEditor';
import { RunDetailView } from './training/RunDetail';
import { RunList } from './training/RunList';
import { TrainPanel } from './training/TrainPanel';

// Kept across page switches: which run was open.
let lastSelected: number | null = null;

export function TrainingPage() {
  const config = useQuery('training/config-get', {});
  const runs = useQuery('training/runs', { limit: 100 }, { refreshOn: ['runs'] });
  const [selected, setSelected] = useState<number | null>(lastSelected);
  const [checked, setChecked] = useState<number[]>([]);
  const [comparing, setComparing] = useState(false);
  const [showConfig, setShowConfig] = useState<boolean | null>(null);
  const [dirty, setDirty] = useState(false);

  useEffect(() => {
    lastSelected = selected;
  }, [selected]);
  useEffect(() => {
    // Open the newest run when nothing is chosen yet, and the config when there is nothing to show.
    if (!runs.data) return;
    if (selected === null && runs.data.length > 0) setSelected(runs.data[0].id);
    setShowConfig((s) => s ?? runs.data!.length === 0);
  }, [runs.data, selected]);

  const list = runs.data ?? [];
  const configOpen = showConfig ?? false;
  return (
    <div className="stack tr-page">
      <section className="card" aria-labelledby="config-title">
        <div className="tr-panel-head">
          <h2 id="config-title">
            Training configuration{' '}
            {config.data && (
              <span className="muted tr-small">
                {config.data.version > 0 ? `version ${config.data.version}` : 'defaults, not saved yet'}
              </span>
            )}
          </h2>
          <button
            type="button"
            onClick={() => setShowConfig(!configOpen)}
            aria-expanded={configOpen}
            aria-controls="config-body"
            data-testid="config-toggle"
          >
            {configOpen ? 'Hide' : 'Edit configuration'}
          </button>
        </div>
        {!configOpen && config.data && (
          <p className="muted tr-lede">
            {config.data.config.imputation.method === 'knn'
              ? `KNN imputation (${config.data.config.imputation.neighbors} neighbours)`
              : 'Median imputation'}{' '}
            ·{' '}
            {config.data.config.clusters.mode === 'auto'
              ? `k from the elbow (${config.data.config.clusters.kMin}–${config.data.config.clusters.kMax})`
              : `k = ${config.data.config.clusters.k ?? '?'}`}{' '}
            · {config.data.config.cvFolds}-fold CV ·{' '}
            {[
              config.data.config.families.gbm.enabled && 'gradient boosting',
              config.data.config.families.forest.enabled && 'random forest',
            ]
              .filter(Boolean)
              .join(' + ')}{' '}
            · threshold {config.data.config.threshold.rule}
          </p>
        )}
        <div id="config-body" hidden={!configOpen}>
          {configOpen && <ConfigEditor onSaved={() => config.reload()} onDirtyChange={setDirty} />}
        </div>
      </section>

      <TrainPanel
        clusterMode={config.data?.config.clusters.mode ?? 'auto'}
        configDirty={dirty}
        onRunFinished={(id) => {
          runs.reload();
          if (id !== null) setSelected(id);
          else setSelected(null);
        }}
      />

      <section className="card flush" aria-labelledby="runs-title">
        <div className="tr-panel-head tr-runs-head">
          <h2 id="runs-title">Runs</h2>
          <div className="editor-actions">
            {checked.length > 0 && <span className="muted">{checked.length} ticked</span>}
            <button
              type="button"
              onClick={() => setComparing(true)}
              disabled={checked.length < 2}
              title={checked.length < 2 ? 'Tick two or more runs to compare them' : undefined}
              data-testid="compare-runs"
            >
              Compare{checked.length >= 2 ? ` ${checked.length} runs` : ''}
            </button>
          </div>
        </div>
        {runs.error && <div className="callout error inset">{runs.error.message}</div>}
        <RunList
          runs={list}
          selected={selected}
          onSelect={setSelected}
          checked={checked}
          onCheck={setChecked}
        />
      </section>

      {comparing && checked.length >= 2 && <CompareRuns ids={checked} onClose={() => setComparing(false)} />}
      {selected !== null && list.some((r) => r.id === selected) && <RunDetailView id={selected} />}
    </div>
  );
}
