import { useDeferredValue, useMemo } from 'react';
import type { RunData } from './runRecord.ts';
import { shownRuns, useRunStore } from './runStore.ts';

/** The runs drawn on the charts (active first, then overlaid; at most 4). */
export function useShownRuns(): RunData[] {
  const runs = useRunStore((s) => s.runs);
  const activeId = useRunStore((s) => s.activeId);
  const overlay = useRunStore((s) => s.overlay);
  return useMemo(() => shownRuns({ runs, activeId, overlay }), [runs, activeId, overlay]);
}

/**
 * Whether `older` differs from `newer` only by metrics appended since: the same runs in the same
 * order, with the same names and statuses, none of them with fewer points.
 */
export function onlyGrew(older: readonly RunData[], newer: readonly RunData[]): boolean {
  return (
    older.length === newer.length &&
    older.every((a, i) => {
      const b = newer[i]!;
      return (
        a.id === b.id &&
        a.name === b.name &&
        a.status === b.status &&
        a.steps.length <= b.steps.length &&
        a.evals.length <= b.evals.length
      );
    })
  );
}

/**
 * The shown runs, for the charts. While a run trains, the charts may draw its newest points a
 * render late (a deferred value: the controls stay responsive while the charts redraw). Anything
 * else — runs restored from IndexedDB, a new or removed run, a status or name change, metrics cut
 * back on resume — reaches the charts in the same render as the status bar, so a run is never
 * shown as interrupted (or finished) over a chart that has not drawn its metrics yet.
 */
export function useChartRuns(): RunData[] {
  const now = useShownRuns();
  const deferred = useDeferredValue(now);
  return deferred === now || onlyGrew(deferred, now) ? deferred : now;
}
