/**
 * UI (issue 7): the loaded run's eval sentences embedded with the current weights, for the
 * Embedding Projector (vectors.tsv + metadata.tsv are written by the page). Eval mode, the same
 * representation evaluation uses.
 */
import { embedTexts } from '../engine/train/evaluate.ts';
import { makeTask } from '../engine/train/tasks.ts';
import type { Trainer } from '../engine/train/trainer.ts';
import type { WorkerMessage } from './protocol.ts';

const MAX_POINTS = 2000;

export async function embedEvalSet(
  trainer: Trainer,
  requestId: number,
): Promise<Extract<WorkerMessage, { type: 'embeddings-result' }>> {
  const set = trainer.evalSet;
  const rows: { text: string; pair?: string; group: string }[] = [];
  if (set) {
    for (const e of set.examples) {
      if (set.kind === 'sts') {
        const g = `score ${Math.round(e.rawScore ?? e.score ?? 0)}`;
        rows.push({ text: e.text, group: g });
        if (e.text2) rows.push({ text: e.text2, group: g });
      } else {
        const g = e.label === undefined ? '' : (set.labelNames?.[e.label] ?? String(e.label));
        rows.push({ text: e.text, ...(e.text2 ? { pair: e.text2 } : {}), group: g });
      }
    }
  } else {
    for (const text of trainer.heldOut) rows.push({ text, group: 'held-out' });
  }
  const take = rows.slice(0, MAX_POINTS);
  if (take.length === 0) throw new Error('this run has no eval or held-out sentences to embed');
  const pairs = take.some((r) => r.pair !== undefined);
  const z = await embedTexts(
    {
      bundle: await trainer.currentBundle(),
      config: trainer.config,
      contrastive: makeTask(trainer.config).contrastive,
    },
    take.map((r) => r.text),
    pairs ? take.map((r) => r.pair ?? '') : undefined,
  ); // [n, D]
  const dim = z.shape[1];
  const vectors = (await z.data()) as Float32Array;
  z.dispose();
  return {
    type: 'embeddings-result',
    requestId,
    vectors,
    dim,
    texts: take.map((r) => (r.pair ? `${r.text} ‖ ${r.pair}` : r.text)),
    groups: take.map((r) => r.group),
  };
}
