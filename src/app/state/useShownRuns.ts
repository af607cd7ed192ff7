import { useMemo } from 'react';
import type { RunData } from './runRecord.ts';
import { shownRuns, useRunStore } from './runStore.ts';

/** The runs drawn on the charts (active first, then overlaid; at most 4). */
export function useShownRuns(): RunData[] {
  const runs = useRunStore((s) => s.runs);
  const activeId = useRunStore((s) => s.activeId);
  const overlay = useRunStore((s) => s.overlay);
  return useMemo(() => shownRuns({ runs, activeId, overlay }), [runs, activeId, overlay]);
}
