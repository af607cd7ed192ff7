/**
 * The two views of one sentence, as the UI shows them before training: what EDA changed in
 * the text, and what an embedding-level view does to the tokens. Plain data (text and marks),
 * no HTML. It runs the same functions training runs (`eda`, and the ConSERT mask functions on
 * a one-sentence batch); its draws come from `config.seed`: view k (0 or 1) uses
 * `new Rng(mixSeed(seed, k + 1))`, forked once for EDA, then once for the embedding view.
 */
import { mixSeed, Rng } from '../rng.ts';
import {
  featureCutoffMask,
  spanCutoffMask,
  tokenCutoffMask,
  tokenShufflePositions,
} from './consert.ts';
import { eda } from './eda.ts';
import { NO_SYNONYMS } from './synonyms.ts';
import { detectLanguage, tokeniseWords } from './tokenise.ts';
import type { EdaLanguage, EdaOptions, Edit, EmbeddingView, SynonymSource } from './types.ts';

/** What happened to one token. A token has one or more marks; `kept` means untouched. */
export type TokenMark =
  | { kind: 'kept' }
  | { kind: 'replaced'; original: string }
  | { kind: 'inserted'; synonymOf: string }
  | { kind: 'swapped'; originalPosition: number }
  | { kind: 'deleted' }
  | { kind: 'cut' }
  | { kind: 'shuffled'; positionId: number };

export interface PreviewToken {
  text: string;
  marks: TokenMark[];
}

export interface EmbeddingPreview {
  view: EmbeddingView;
  /** The tokens the view acts on (`config.tokenize` of the view's text, else EDA's words). */
  tokens: PreviewToken[];
  /** One sentence saying what the view does beyond the marks. */
  note: string;
}

export interface ViewPreview {
  /** The view's text (after EDA). */
  text: string;
  /** Text-level tokens with EDA's marks; deleted words are included, marked `deleted`. */
  tokens: PreviewToken[];
  edits: Edit[];
  embedding: EmbeddingPreview | null;
  /** True when both views have the same text (dropout-only, or no edit came up). */
  identicalText: boolean;
  /** One sentence the UI shows under the view. */
  note: string;
}

export interface PreviewConfig {
  eda?: EdaOptions | null;
  embedding?: EmbeddingView | null;
  seed: number;
  /** The model's tokenizer, to show embedding views on model tokens ([CLS] … [SEP]). */
  tokenize?: (text: string) => string[];
  language?: EdaLanguage;
  /** The model's hidden size H, for the feature-cutoff note (default 768, BERT-base). */
  hidden?: number;
}

export function preview(
  text: string,
  config: PreviewConfig,
  synonyms: SynonymSource = NO_SYNONYMS,
): [ViewPreview, ViewPreview] {
  const views = [0, 1].map((k) =>
    makeView(text, config, synonyms, new Rng(mixSeed(config.seed, k + 1))),
  );
  const [a, b] = views as [
    Omit<ViewPreview, 'identicalText' | 'note'>,
    Omit<ViewPreview, 'identicalText' | 'note'>,
  ];
  const identicalText = a.text === b.text;
  const note = viewNote(config, identicalText);
  return [
    { ...a, identicalText, note: note(a) },
    { ...b, identicalText, note: note(b) },
  ];
}

function edaActive(options: EdaOptions | null | undefined): options is EdaOptions {
  return (
    !!options &&
    (options.synonymReplacement > 0 ||
      options.randomInsertion > 0 ||
      options.randomSwap > 0 ||
      options.randomDeletion > 0)
  );
}

function makeView(
  text: string,
  config: PreviewConfig,
  synonyms: SynonymSource,
  rng: Rng,
): Omit<ViewPreview, 'identicalText' | 'note'> {
  const edaRng = rng.fork();
  const embeddingRng = rng.fork();
  const language = config.language ?? 'auto';
  let viewText = text;
  let edits: Edit[] = [];
  let tokens: PreviewToken[];
  let words: string[];
  if (edaActive(config.eda)) {
    const r = eda(text, config.eda, edaRng, synonyms, { language });
    viewText = r.text;
    edits = r.edits;
    words = r.tokens;
    tokens = markEdits(r.originalTokens, r.tokens, r.origins, r.edits);
  } else {
    const lang = language === 'auto' ? detectLanguage(text) : language;
    words = tokeniseWords(text, lang, synonyms.lexicon).map((t) => t.text);
    tokens = words.map((w) => ({ text: w, marks: [{ kind: 'kept' }] }));
  }
  const view = config.embedding ?? null;
  const embedding = view
    ? embeddingPreview(
        view,
        config.tokenize ? config.tokenize(viewText) : words,
        embeddingRng,
        config.hidden ?? 768,
      )
    : null;
  return { text: viewText, tokens, edits, embedding };
}

/** Result tokens with their edit marks, and each deleted original word placed where it was. */
function markEdits(
  original: string[],
  result: string[],
  origins: (number | null)[],
  edits: Edit[],
): PreviewToken[] {
  const marks: TokenMark[][] = result.map(() => []);
  const deleted: number[] = [];
  for (const e of edits) {
    if (e.kind === 'delete') deleted.push(e.from!);
    else if (e.kind === 'insert') marks[e.to!]!.push({ kind: 'inserted', synonymOf: e.synonymOf! });
    else if (e.kind === 'replace') marks[e.to!]!.push({ kind: 'replaced', original: e.oldWord! });
    else marks[e.to!]!.push({ kind: 'swapped', originalPosition: e.from! });
  }
  const out: PreviewToken[] = [];
  const pending = deleted.sort((x, y) => x - y);
  result.forEach((w, j) => {
    const o = origins[j];
    // A deleted word goes right before the first surviving word that followed it originally.
    while (pending.length > 0 && o !== null && o !== undefined && pending[0]! < o) {
      out.push({ text: original[pending.shift()!]!, marks: [{ kind: 'deleted' }] });
    }
    out.push({ text: w, marks: marks[j]!.length > 0 ? marks[j]! : [{ kind: 'kept' }] });
  });
  for (const d of pending) out.push({ text: original[d]!, marks: [{ kind: 'deleted' }] });
  return out;
}

function embeddingPreview(
  view: EmbeddingView,
  tokens: string[],
  rng: Rng,
  hidden: number,
): EmbeddingPreview {
  const n = tokens.length;
  const mask = new Int32Array(n).fill(1);
  const kept = (): PreviewToken[] => tokens.map((t) => ({ text: t, marks: [{ kind: 'kept' }] }));
  switch (view.kind) {
    case 'shuffle': {
      const ids = tokenShufflePositions(mask, 1, n, rng);
      return {
        view,
        tokens: tokens.map((t, i) => ({
          text: t,
          marks: [ids[i] === i ? { kind: 'kept' } : { kind: 'shuffled', positionId: ids[i]! }],
        })),
        note: 'Token shuffle: the words stay, their position ids are permuted (all real tokens, [CLS] and [SEP] included, as in ConSERT).',
      };
    }
    case 'token-cutoff':
    case 'span-cutoff': {
      const cut =
        view.kind === 'token-cutoff'
          ? Array.from(tokenCutoffMask(mask, 1, n, view.rate, rng), (m) => m === 0)
          : Array.from(spanCutoffMask(mask, 1, n, view.rate, rng), (m) => m === 0);
      const count = cut.filter(Boolean).length;
      const note =
        view.kind === 'token-cutoff'
          ? `Token cutoff: ${count} of ${n} token embeddings (⌊${n}·${view.rate}⌋) are zeroed.`
          : `Span cutoff: one span of ${n - count} of ${n} tokens is kept; the other ${count} are masked out.`;
      return {
        view,
        tokens: tokens.map((t, i) => ({
          text: t,
          marks: [cut[i] ? { kind: 'cut' } : { kind: 'kept' }],
        })),
        note,
      };
    }
    case 'feature-cutoff': {
      const cols = featureCutoffMask(1, hidden, view.rate, rng).filter((m) => m === 0).length;
      return {
        view,
        tokens: kept(),
        note: `Feature cutoff: every token loses the same ⌊H·${view.rate}⌋ embedding dimensions (${cols} of ${hidden}).`,
      };
    }
    case 'dropout':
      return {
        view,
        tokens: kept(),
        note: `Embedding dropout: each embedding value is zeroed with probability ${view.rate}.`,
      };
    case 'noise':
      return {
        view,
        tokens: kept(),
        note: `Gaussian noise: N(0, ${view.sigma}²) is added to every embedding value.`,
      };
    case 'adversarial':
      return {
        view,
        tokens: kept(),
        note: `Adversarial (FGV): ${view.norm === 'example' ? 'the sentence’s embeddings move' : 'each token embedding moves'} by ε = ${view.epsilon} along the supervised loss’s gradient, computed during training.`,
      };
  }
}

function viewNote(config: PreviewConfig, identicalText: boolean): (v: { edits: Edit[] }) => string {
  const textViews = edaActive(config.eda);
  const view = config.embedding ?? null;
  return (v) => {
    if (!textViews && !view) {
      return 'Both views are the same text; they differ only by the encoder’s dropout masks (unsupervised SimCSE).';
    }
    const parts: string[] = [];
    if (textViews) {
      parts.push(
        v.edits.length === 0
          ? 'EDA left this view unchanged'
          : `EDA made ${v.edits.length} edit${v.edits.length === 1 ? '' : 's'}`,
      );
    } else {
      parts.push('Same text in both views');
    }
    if (view) parts.push(`then the ${view.kind} view acts on its embeddings`);
    parts.push('and the encoder’s dropout masks differ between the views');
    const sentence = `${parts.join(', ')}.`;
    return identicalText && textViews ? `${sentence} Both views have the same text.` : sentence;
  };
}
