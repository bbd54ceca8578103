/** Editable chips for a list of strings (the missing-value tokens); the empty string is shown as "(empty)". */
import { useState } from 'react';

export function TokenChips({
  values,
  onChange,
  errors,
  label,
  testId,
}: {
  values: string[];
  onChange(values: string[]): void;
  errors: Map<number, string>;
  label: string;
  testId?: string;
}) {
  const [text, setText] = useState('');
  const add = () => {
    // The empty token is meaningful (an empty cell), so it can be added on purpose; duplicates cannot.
    if (values.includes(text)) return;
    onChange([...values, text]);
    setText('');
  };
  return (
    <div className="token-chips" data-testid={testId}>
      <div className="chips" role="list" aria-label={label}>
        {values.map((v, i) => (
          <span key={`${v}-${i}`} role="listitem" className={`chip token${errors.has(i) ? ' invalid' : ''}`} title={errors.get(i)}>
            <span className="mono">{v === '' ? '(empty)' : v}</span>
            <button
              type="button"
              className="chip-remove"
              aria-label={`Remove ${v === '' ? 'the empty value' : `"${v}"`}`}
              onClick={() => onChange(values.filter((_, j) => j !== i))}
            >
              ×
            </button>
          </span>
        ))}
        {values.length === 0 && <span className="muted">No value counts as missing.</span>}
      </div>
      <div className="token-add">
        <input
          type="text"
          value={text}
          aria-label={`Add to ${label}`}
          placeholder="e.g. N/A"
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              add();
            }
          }}
        />
        <button type="button" className="small" onClick={add} disabled={values.includes(text)}>
          Add{text === '' ? ' empty' : ''}
        </button>
      </div>
      {[...errors.values()].map((m, i) => (
        <div key={i} className="field-error">
          {m}
        </div>
      ))}
    </div>
  );
}
