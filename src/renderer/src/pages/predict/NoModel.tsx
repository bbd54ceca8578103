/** What to do when there is no model to predict with: the API answers `no_model`; the Models page fixes it. */
export function NoModelCallout({ message }: { message?: string }) {
  return (
    <div className="callout info pr-no-model" role="status" data-testid="no-model">
      <strong>No model is in Production yet.</strong> {message && <span className="muted">({message}) </span>}
      Predictions need an approved model version promoted to Production. Train one on the{' '}
      <a href="#/training">Training page</a>, then approve and promote it on the{' '}
      <a href="#/models" data-testid="no-model-link">
        Models page
      </a>
      ; or pick a specific approved version above.
    </div>
  );
}
