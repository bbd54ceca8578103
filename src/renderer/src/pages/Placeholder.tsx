/** The empty state of a page whose feature has not landed yet: says what the page will hold. */
export function Placeholder({ holds, next }: { holds: string; next: string }) {
  return (
    <section className="card empty" data-testid="placeholder">
      <h2>What this page will hold</h2>
      <p>{holds}</p>
      <p className="muted">{next}</p>
    </section>
  );
}
