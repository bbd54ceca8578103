/**
 * The approval workflow for one version: a comment box and the actions the registry allows in its
 * current status. A disabled action says why, so nobody has to guess what the registry wants first.
 * Errors from the registry (a gate failed, a version was archived meanwhile) show inline.
 */
import { useState } from 'react';
import type { ModelVersionDetail, Stage } from '../../../../shared/contract/training';
import { api, ApiError } from '../../api/client';

type Action = 'approve' | 'reject' | 'promote-production' | 'promote-staging' | 'archive' | 'export';

function why(v: ModelVersionDetail, action: Action, comment: string): string | null {
  const s = v.status;
  switch (action) {
    case 'approve':
      if (s === 'approved') return 'Already approved.';
      if (s === 'rejected_by_gates') return 'It failed a quality gate, so it cannot be approved.';
      if (s !== 'pending_approval') return `A version that is ${s.replace(/_/g, ' ')} cannot be approved.`;
      return null;
    case 'reject':
      if (s === 'rejected' || s === 'rejected_by_gates') return 'Already rejected.';
      if (s === 'archived') return 'Archived versions cannot be rejected.';
      if (v.stages.length)
        return 'It is in Production or Staging: promote or roll back another version first.';
      if (!comment.trim()) return 'Write a comment: a rejection needs a reason.';
      return null;
    case 'promote-production':
    case 'promote-staging': {
      const stage: Stage = action === 'promote-production' ? 'production' : 'staging';
      if (s !== 'approved') return 'Only an approved version can be promoted: approve it first.';
      if (v.stages.includes(stage)) return `Already in ${stage === 'production' ? 'Production' : 'Staging'}.`;
      return null;
    }
    case 'archive':
      if (s === 'archived') return 'Already archived.';
      if (v.stages.length) return 'Move it out of Production / Staging before archiving it.';
      return null;
    default:
      return null;
  }
}

export function ModelActions({
  version,
  onChanged,
}: {
  version: ModelVersionDetail;
  onChanged: (v: ModelVersionDetail) => void;
}) {
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState<Action | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const run = async (action: Action) => {
    setBusy(action);
    setError(null);
    setDone(null);
    const c = comment.trim() || undefined;
    try {
      let next: ModelVersionDetail | null = null;
      if (action === 'approve')
        next = await api.invoke('models/approve', { version: version.version, comment: c });
      else if (action === 'reject')
        next = await api.invoke('models/reject', { version: version.version, comment: comment.trim() });
      else if (action === 'promote-production' || action === 'promote-staging')
        next = await api.invoke('models/promote', {
          version: version.version,
          to: action === 'promote-production' ? 'production' : 'staging',
          comment: c,
        });
      else if (action === 'archive')
        next = await api.invoke('models/archive', { version: version.version, comment: c });
      else if (action === 'export') {
        const file = await api.invoke('models/export', { version: version.version });
        api.download(file.path, file.name);
        setDone(`Exported ${file.name} (${(file.bytes / 1024).toFixed(0)} KB).`);
      }
      if (next) {
        setComment('');
        setDone(
          {
            approve: 'Approved.',
            reject: 'Rejected.',
            'promote-production': 'Promoted to Production.',
            'promote-staging': 'Promoted to Staging.',
            archive: 'Archived.',
            export: '',
          }[action],
        );
        onChanged(next);
      }
    } catch (e) {
      setError(e instanceof ApiError ? `${e.message} (${e.code})` : String(e));
    } finally {
      setBusy(null);
    }
  };

  const button = (action: Action, label: string, cls = '') => {
    const reason = why(version, action, comment);
    const id = `why-${action}`;
    return (
      <span className="md-action">
        <button
          type="button"
          className={cls}
          disabled={busy !== null || reason !== null}
          onClick={() => void run(action)}
          aria-describedby={reason ? id : undefined}
          title={reason ?? undefined}
          data-testid={`model-${action}`}
        >
          {busy === action ? `${label}…` : label}
        </button>
        {reason && (action.startsWith('promote') || action === 'reject') && (
          <span id={id} className="md-why muted" data-testid={`why-${action}`}>
            {reason}
          </span>
        )}
      </span>
    );
  };

  return (
    <div className="stack md-actions" data-testid="model-actions">
      <div className="field">
        <label htmlFor="model-comment">Comment (kept in the audit trail; required to reject)</label>
        <textarea
          id="model-comment"
          rows={2}
          value={comment}
          onChange={(e) => setComment(e.target.value)}
          placeholder="e.g. checked against last month's line data"
          data-testid="model-comment"
        />
      </div>
      <div className="md-action-row">
        {button('approve', 'Approve', 'primary')}
        {button('reject', 'Reject', 'danger')}
        {button('promote-production', 'Promote to Production')}
        {button('promote-staging', 'Promote to Staging')}
        {button('archive', 'Archive')}
        {button('export', 'Export')}
      </div>
      {error && (
        <div className="callout error" role="alert" data-testid="model-error">
          {error}
        </div>
      )}
      {done && (
        <div className="callout good" role="status" data-testid="model-done">
          {done}
        </div>
      )}
    </div>
  );
}
