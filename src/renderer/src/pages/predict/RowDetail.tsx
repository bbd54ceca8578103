/**
 * One prediction in detail: the probability against the model's threshold, the operating regime and how
 * far the row sits from it, and the explanation: the sensors that pushed the prediction most towards
 * faulty and towards good, each drawn against the range (5th–95th percentile) it had among that regime's
 * training rows.
 */
import { PREDICTION_SOURCE_LABEL, type PredictionDetail, type SensorEffect } from '../../../../shared/contract';
import { useQuery } from '../../api/hooks';
import { when } from '../training/format';
import { prob, sensorValue, signed } from './format';
import { ProbabilityBar, ResultBadge, UnfamiliarFlag } from './Parts';

/** Where a value sits on a bar spanning the range and the value, with a little room either side. */
function scale(e: SensorEffect): { band: [number, number]; dot: number | null } {
  const v = e.value;
  let lo = Math.min(e.low, v ?? e.low);
  let hi = Math.max(e.high, v ?? e.high);
  const span = hi - lo || Math.abs(hi) || 1;
  lo -= span * 0.08;
  hi += span * 0.08;
  const at = (x: number) => ((x - lo) / (hi - lo)) * 100;
  return { band: [at(e.low), at(e.high)], dot: v === null ? null : at(v) };
}

function SensorBar({ effect, max }: { effect: SensorEffect; max: number }) {
  const { band, dot } = scale(effect);
  const outside = effect.value !== null && (effect.value < effect.low || effect.value > effect.high);
  const towards = effect.effect >= 0 ? 'faulty' : 'good';
  return (
    <li
      className="pr-sensor"
      data-testid="sensor-effect"
      data-sensor={effect.sensor}
      title={`${effect.sensor} = ${sensorValue(effect.value)}; among this regime's training rows it ran from ${sensorValue(effect.low)} to ${sensorValue(effect.high)} (5th–95th percentile); pushes towards ${towards} by ${signed(effect.effect)}`}
    >
      <div className="pr-sensor-name">
        <span className="mono">{effect.sensor}</span>
        <span className="pr-sensor-range mono muted">
          {sensorValue(effect.low)} – {sensorValue(effect.high)}
        </span>
      </div>
      <div className="pr-range" aria-hidden="true">
        <span
          className="pr-range-band"
          style={{ left: `${band[0]}%`, width: `${Math.max(0.5, band[1] - band[0])}%` }}
        />
        {dot !== null && (
          <span className={`pr-range-dot${outside ? ' outside' : ''}`} style={{ left: `${dot}%` }} />
        )}
      </div>
      <span className={`pr-sensor-value mono${outside ? ' bad-text' : ''}`}>{sensorValue(effect.value)}</span>
      <span className={`pr-effect mono ${towards === 'faulty' ? 'bad-text' : 'good-text'}`}>
        <span
          className={`pr-effect-bar ${towards === 'faulty' ? 'bad' : 'good'}`}
          style={{ width: `${max > 0 ? Math.max(4, (Math.abs(effect.effect) / max) * 100) : 0}%` }}
          aria-hidden="true"
        />
        <span className="pr-effect-text">{signed(effect.effect)}</span>
      </span>
    </li>
  );
}

function EffectList({
  title,
  effects,
  max,
  testId,
}: {
  title: string;
  effects: SensorEffect[];
  max: number;
  testId: string;
}) {
  return (
    <div className="pr-effects" data-testid={testId}>
      <h3>{title}</h3>
      {effects.length === 0 ? (
        <p className="muted pr-none">No sensor pushed this way.</p>
      ) : (
        <ul className="pr-sensors">
          {effects.map((e) => (
            <SensorBar key={e.sensor} effect={e} max={max} />
          ))}
        </ul>
      )}
    </div>
  );
}

export function RowDetailView({ detail, onClose }: { detail: PredictionDetail; onClose?: () => void }) {
  const ex = detail.explanation;
  const max = ex
    ? Math.max(0, ...[...ex.towardsFaulty, ...ex.towardsGood].map((e) => Math.abs(e.effect)))
    : 0;
  const above = detail.probability >= detail.threshold;
  return (
    <section className="card pr-detail" data-testid="row-detail" aria-labelledby="pr-detail-title">
      <div className="pr-detail-head">
        <div>
          <h2 id="pr-detail-title">
            <span className="mono pr-wafer" data-testid="detail-wafer">
              {detail.wafer}
            </span>
            <ResultBadge row={detail} />
            <UnfamiliarFlag unfamiliar={detail.unfamiliar} />
          </h2>
          <div className="muted pr-detail-where">
            {detail.fileName ? (
              <>
                <span className="mono">{detail.fileName}</span>
                {detail.rowNo !== null && <> · row {detail.rowNo}</>}
              </>
            ) : (
              'typed in (single prediction)'
            )}{' '}
            · model v{detail.modelVersion} · {when(detail.createdAt)}
          </div>
        </div>
        {onClose && (
          <button
            type="button"
            className="small ghost"
            onClick={onClose}
            aria-label="Close the detail"
            data-testid="detail-close"
          >
            ✕
          </button>
        )}
      </div>

      <div className="pr-gauge" data-testid="detail-probability">
        <ProbabilityBar
          probability={detail.probability}
          threshold={detail.threshold}
          faulty={detail.faulty}
          large
        />
        <p className="pr-gauge-text">
          Probability of a fault <strong className="mono">{prob(detail.probability)}</strong> is{' '}
          {above ? 'at or above' : 'below'} the model&apos;s threshold{' '}
          <strong className="mono">{prob(detail.threshold)}</strong>, so this wafer is predicted{' '}
          <strong className={detail.faulty ? 'bad-text' : 'good-text'}>
            {detail.faulty ? 'faulty' : 'good'}
          </strong>
          .
        </p>
      </div>

      <dl className="kv pr-kv">
        <dt>Regime</dt>
        <dd data-testid="detail-regime">cluster {detail.cluster}</dd>
        <dt>Distance to its centre</dt>
        <dd>
          <span className="mono">{detail.distance.toFixed(2)}</span>{' '}
          {detail.unfamiliar ? (
            <span className="pr-warn-text">
              — farther than the model&apos;s training rows of this regime went: an operating point it has not
              seen
            </span>
          ) : (
            <span className="muted">— within the regime the model was trained on</span>
          )}
        </dd>
        <dt>Source</dt>
        <dd>{PREDICTION_SOURCE_LABEL[detail.source]}</dd>
      </dl>

      {ex ? (
        <div className="pr-explanation" data-testid="explanation">
          <p className="muted pr-explain-lede">
            The sensors that moved this prediction most. The bar is the range the sensor had among this
            regime&apos;s training rows (5th–95th percentile); the dot is this wafer&apos;s value.
          </p>
          <EffectList
            title="Pushed towards faulty"
            effects={ex.towardsFaulty}
            max={max}
            testId="towards-faulty"
          />
          <EffectList title="Pushed towards good" effects={ex.towardsGood} max={max} testId="towards-good" />
        </div>
      ) : (
        <p className="muted" data-testid="no-explanation">
          No explanation was recorded for this prediction.
        </p>
      )}
    </section>
  );
}

/** Loads a stored prediction by id and shows it. */
export function RowDetail({ id, onClose }: { id: number; onClose?: () => void }) {
  const q = useQuery('predict/row', { id });
  if (q.error)
    return (
      <section className="card pr-detail" data-testid="row-detail">
        <div className="callout error">Could not load this prediction: {q.error.message}</div>
      </section>
    );
  if (!q.data || q.data.id !== id)
    return (
      <section className="card pr-detail pr-loading" data-testid="row-detail-loading">
        <p className="muted">Loading the prediction…</p>
      </section>
    );
  return <RowDetailView detail={q.data} onClose={onClose} />;
}
