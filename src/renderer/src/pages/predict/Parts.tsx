/** Small pieces the Predict panels share: the probability bar with its threshold tick and the result badge. */
import type { PredictionRow } from '../../../../shared/contract';
import { prob, resultText } from './format';

/** A compact bar: filled to the probability, with a tick where the model's threshold sits. */
export function ProbabilityBar({
  probability,
  threshold,
  faulty,
  large = false,
}: {
  probability: number;
  threshold: number;
  faulty: boolean;
  large?: boolean;
}) {
  const p = Math.max(0, Math.min(1, probability));
  const t = Math.max(0, Math.min(1, threshold));
  return (
    <span
      className={`pr-prob${large ? ' large' : ''}`}
      title={`probability ${prob(probability)}, threshold ${prob(threshold)}`}
    >
      <span className="pr-prob-track" aria-hidden="true">
        <span className={`pr-prob-fill ${faulty ? 'bad' : 'good'}`} style={{ width: `${p * 100}%` }} />
        <span className="pr-prob-tick" style={{ left: `${t * 100}%` }} />
      </span>
      <span className="pr-prob-text mono" data-testid="probability">
        {prob(probability)}
      </span>
    </span>
  );
}

export function ResultBadge({ row }: { row: Pick<PredictionRow, 'faulty' | 'label'> }) {
  const r = resultText(row);
  return (
    <span
      className={`badge ${r === 'faulty' ? 'bad' : 'good'} pr-result`}
      data-testid="result"
      data-result={r}
    >
      {r} <span className="pr-label mono">{String(row.label)}</span>
    </span>
  );
}

export function UnfamiliarFlag({ unfamiliar, short = false }: { unfamiliar: boolean; short?: boolean }) {
  if (!unfamiliar) return null;
  return (
    <span
      className="badge pending pr-unfamiliar"
      title="Far from every operating regime the model was trained on: treat this prediction with care"
      data-testid="unfamiliar"
    >
      {short ? 'unfamiliar' : 'unfamiliar regime'}
    </span>
  );
}
