/**
 * builtin-vocab.txt: the WordPiece vocabulary of the built-in encoder, learned by our own code
 * (src/engine/tokenizer/vocabLearner.ts) from default-corpus.txt, which the corpus builder writes
 * first. Uncased: words come from BERT's uncased pre-tokenizer (lower-cased, accents stripped).
 * Ids: [PAD]=0 [UNK]=1 [CLS]=2 [SEP]=3 [MASK]=4, then characters, "##" characters, merges.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPreTokenizer } from '../../src/engine/tokenizer/preTokenize.ts';
import { countWords, learnWordPieceVocab } from '../../src/engine/tokenizer/vocabLearner.ts';
import { formatVocabTxt } from '../../src/engine/tokenizer/vocabTxt.ts';
import type { AssetBuilder } from '../build-assets.ts';

/** The size the built-in encoder's embedding table is made for. */
export const BUILTIN_VOCAB_SIZE = 8000;

/** Learns the built-in vocabulary from corpus text (one sentence per line). */
export function learnBuiltinVocab(corpus: string): string[] {
  const sentences = corpus.split('\n').filter((s) => s.trim() !== '');
  const counts = countWords(sentences, createPreTokenizer());
  return learnWordPieceVocab(counts, { vocabSize: BUILTIN_VOCAB_SIZE, minFrequency: 2 });
}

export const builder: AssetBuilder = {
  outputs: ['builtin-vocab.txt'],
  async build(outDir: string) {
    const corpus = readFileSync(join(outDir, 'default-corpus.txt'), 'utf8');
    writeFileSync(join(outDir, 'builtin-vocab.txt'), formatVocabTxt(learnBuiltinVocab(corpus)));
  },
};
