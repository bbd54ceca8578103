/**
 * Predict: which wafers will fail, and why. Three tabs share one model picker (Production by default, or
 * any version): a batch dropped on the page (or chosen) is predicted and shown with its files, counts,
 * exports and explained rows; a single row can be typed or pasted; the history of every prediction is
 * filtered, paged and charted. While this page is open, window drops go to prediction, not import.
 */
import { useEffect, useState } from 'react';
import { api } from '../api/client';
import { useQuery } from '../api/hooks';
import { useFileDrop } from '../components/fileDrop';
import { BatchPanel } from './predict/BatchPanel';
import { isBusy, predictFiles, showBatch, useBatch } from './predict/batchStore';
import { modelLabel, prob, type ModelChoice } from './predict/format';
import { HistoryPanel, presetHistorySource } from './predict/HistoryPanel';
import { NoModelCallout } from './predict/NoModel';
import { SinglePanel } from './predict/SinglePanel';
import { WatchPanel } from './predict/WatchPanel';
import { VERSION_LABEL } from './training/format';

type Tab = 'batch' | 'single' | 'history' | 'watch';

const TABS: { id: Tab; title: string }[] = [
  { id: 'batch', title: 'Batch' },
  { id: 'single', title: 'Single row' },
  { id: 'history', title: 'History' },
  { id: 'watch', title: 'Watched folder' },
];

let lastTab: Tab = 'batch';
let lastModel: ModelChoice = 'production';

export function PredictPage() {
  const [tab, setTab] = useState<Tab>(lastTab);
  const [model, setModel] = useState<ModelChoice>(lastModel);
  const models = useQuery('models/list', {}, { refreshOn: ['models'] });
  const batch = useBatch();
  const busy = isBusy(batch);
  useEffect(() => {
    lastTab = tab;
    lastModel = model;
  }, [tab, model]);

  const versions = models.data ?? [];
  const production = versions.find((v) => v.stages.includes('production')) ?? null;
  const chosen = model === 'production' ? production : (versions.find((v) => v.version === model) ?? null);
  const noProduction = models.data !== undefined && production === null;

  // Have the workers decode the chosen model now, so the first batch dropped does not wait for it.
  const chosenVersion = chosen?.version ?? null;
  useEffect(() => {
    if (chosenVersion !== null) void api.invoke('predict/warm', { model }).catch(() => undefined);
  }, [chosenVersion, model]);

  // If the chosen version disappears (deleted from the list), fall back to Production.
  useEffect(() => {
    if (model !== 'production' && models.data && !models.data.some((v) => v.version === model))
      setModel('production');
  }, [model, models.data]);

  useFileDrop({
    label: busy
      ? 'A prediction is running — wait for it or cancel it first'
      : `Drop to predict with ${modelLabel(model, production?.version ?? null)}`,
    onDrop: (files) => {
      setTab('batch');
      if (!busy) void predictFiles(files, model);
    },
  });

  return (
    <div className="stack pr-page" data-testid="predict-page">
      <div className="pr-head">
        <div className="tabs pr-tabs" role="tablist" aria-label="Predict">
          {TABS.map((t) => (
            <button
              key={t.id}
              type="button"
              role="tab"
              id={`pr-tab-${t.id}`}
              aria-selected={tab === t.id}
              aria-controls={`pr-panel-${t.id}`}
              className={tab === t.id ? 'active' : ''}
              onClick={() => setTab(t.id)}
              data-testid={`predict-tab-${t.id}`}
            >
              {t.title}
            </button>
          ))}
        </div>
        <div className="pr-model">
          <label>
            Model
            <select
              value={String(model)}
              onChange={(e) =>
                setModel(e.target.value === 'production' ? 'production' : Number(e.target.value))
              }
              data-testid="model-select"
            >
              <option value="production">
                Production{production ? ` (v${production.version})` : ' — none yet'}
              </option>
              {versions.map((v) => (
                <option key={v.version} value={v.version}>
                  v{v.version} · {VERSION_LABEL[v.status]}
                  {v.stages.length ? ` · ${v.stages.join(', ')}` : ''}
                </option>
              ))}
            </select>
          </label>
          {chosen && (
            <span className="muted pr-model-note" data-testid="model-note">
              v{chosen.version}: {chosen.k} regime{chosen.k === 1 ? '' : 's'}, threshold{' '}
              <span className="mono">{prob(chosen.threshold)}</span>
              {chosen.pooledAuc !== null && (
                <>
                  , ROC AUC <span className="mono">{chosen.pooledAuc.toFixed(3)}</span>
                </>
              )}
            </span>
          )}
        </div>
      </div>

      {noProduction &&
        model === 'production' &&
        tab !== 'history' &&
        !(tab === 'batch' && batch.error?.code === 'no_model') && <NoModelCallout />}

      <div role="tabpanel" id={`pr-panel-${tab}`} aria-labelledby={`pr-tab-${tab}`}>
        {tab === 'batch' && <BatchPanel model={model} noProduction={noProduction} />}
        {tab === 'single' && <SinglePanel model={model} noProduction={noProduction} />}
        {tab === 'history' && <HistoryPanel versions={versions} />}
        {tab === 'watch' && (
          <WatchPanel
            model={model}
            productionVersion={production?.version ?? null}
            onOpenBatch={(id) => {
              showBatch(id);
              setTab('batch');
            }}
            onShowHistory={() => {
              presetHistorySource('watch');
              setTab('history');
            }}
          />
        )}
      </div>
    </div>
  );
}
