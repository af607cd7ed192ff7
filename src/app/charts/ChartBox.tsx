import type { ReactNode } from 'react';

/** A chart's frame: title, optional note (protocol etc.), the chart or an empty-state sentence. */
export function ChartBox({
  title,
  testId,
  note,
  empty,
  children,
  attrs,
  wide,
}: {
  title: string;
  testId: string;
  note?: ReactNode;
  /** Shown instead of the chart when there is nothing to draw yet. */
  empty?: string | null;
  children: ReactNode;
  attrs?: Record<string, string | number>;
  wide?: boolean;
}) {
  const titleId = `${testId}-title`;
  return (
    <figure
      className={`chart-box${wide ? ' wide' : ''}`}
      data-testid={testId}
      aria-labelledby={titleId}
      {...attrs}
    >
      <figcaption>
        <h3 id={titleId}>{title}</h3>
        {note && <span className="chart-note">{note}</span>}
      </figcaption>
      {empty ? <p className="chart-empty">{empty}</p> : children}
    </figure>
  );
}
