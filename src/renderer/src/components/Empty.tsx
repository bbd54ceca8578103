/** An empty-state card: what a page will hold and what to do first. */
import type { ReactNode } from 'react';

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <section className="empty card">
      <h2>{title}</h2>
      {children}
    </section>
  );
}
