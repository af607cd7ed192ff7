import type { RunData } from '../state/runRecord.ts';

/** What alignment's positives were, in words, for the chart's note. */
export function protocolNote(runs: RunData[]): string {
  const protocols = new Set<string>();
  for (const r of runs) for (const e of r.evals) if (e.protocol) protocols.add(e.protocol);
  const words = [...protocols].map((p) =>
    p === 'sts-pairs'
      ? 'STS pairs with gold > 4 (uniformity over all STS sentences), as SimCSE'
      : 'two dropout views of held-out sentences (no STS set loaded)',
  );
  return words.length ? `Positives: ${words.join('; ')}.` : '';
}
