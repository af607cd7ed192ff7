import { type ReactNode, useState } from 'react';

/** On a phone the settings start folded, so the run buttons and charts come first. */
function wide(): boolean {
  return typeof window === 'undefined' || !window.matchMedia('(max-width: 900px)').matches;
}

/** A collapsible group of controls (a native <details>: keyboard and screen-reader friendly). */
export function Section({
  id,
  title,
  children,
  open,
}: {
  id: string;
  title: string;
  children: ReactNode;
  /** Open at first (default: on wide screens). */
  open?: boolean;
}) {
  const [initial] = useState(() => open ?? wide());
  return (
    <details className="panel" open={initial} data-testid={`section-${id}`}>
      <summary>
        <h2>{title}</h2>
      </summary>
      <div className="panel-body">{children}</div>
    </details>
  );
}
