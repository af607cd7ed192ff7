/**
 * The views preview: the two views of one sentence with the edits marked, computed in the worker
 * (WordNet and the tokenizer live here) and sent to the page as plain text and marks.
 */
import { preview, type ViewPreview } from '../engine/augment/preview.ts';
import { englishSynonyms, NO_SYNONYMS, parseSynonymList } from '../engine/augment/synonyms.ts';
import type { EmbeddingView, SynonymSource } from '../engine/augment/types.ts';
import { AugmentSchema } from '../engine/config/schema.ts';
import { describeIssues } from '../engine/config/validate.ts';
import { BertTokenizer } from '../engine/tokenizer/index.ts';
import type { Command, WorkerMessage } from './protocol.ts';

let tokenizer: Promise<BertTokenizer> | null = null;

export async function runPreview(
  cmd: Extract<Command, { type: 'preview' }>,
  uploads: ReadonlyMap<string, Blob>,
): Promise<WorkerMessage> {
  try {
    const parsed = AugmentSchema.safeParse(cmd.augment);
    if (!parsed.success)
      throw new Error(`augment: ${describeIssues(parsed.error.issues).join('; ')}`);
    const augment = parsed.data;
    let synonyms: SynonymSource = NO_SYNONYMS;
    const edaOn = augment.eda !== null;
    if (edaOn && augment.eda?.synonyms) {
      const name = augment.eda.synonyms.replace(/^upload:/, '');
      const file = uploads.get(name);
      if (!file) throw new Error(`the synonym list ${name} has not been uploaded`);
      synonyms = parseSynonymList(await file.text(), name);
    } else if (edaOn) {
      synonyms = await englishSynonyms();
    }
    tokenizer ??= BertTokenizer.builtin();
    const tok = await tokenizer;
    const tokenize = (t: string) => ['[CLS]', ...tok.tokenize(t), '[SEP]'];
    const emb = augment.embedding;
    const [v1, v2] =
      emb && !('kind' in emb)
        ? [emb.view1 as EmbeddingView | null, emb.view2 as EmbeddingView | null]
        : [emb as EmbeddingView | null, emb as EmbeddingView | null];
    const base = { eda: augment.eda, seed: cmd.seed, tokenize };
    const first = preview(cmd.text, { ...base, embedding: v1 }, synonyms);
    const views: [ViewPreview, ViewPreview] =
      v1 === v2 ? first : [first[0], preview(cmd.text, { ...base, embedding: v2 }, synonyms)[1]];
    return { type: 'preview-result', requestId: cmd.requestId, views };
  } catch (e) {
    return {
      type: 'preview-result',
      requestId: cmd.requestId,
      views: null,
      error: e instanceof Error ? e.message : String(e),
    };
  }
}
