/**
 * BERT's "basic tokenizer" on its own (normalise, then split on whitespace and punctuation), from
 * the same `@huggingface/tokenizers` components the full tokenizer runs. It gives the words a
 * vocabulary is learned from before any vocabulary exists.
 */
import { BertNormalizer, BertPreTokenizer } from '@huggingface/tokenizers';
import { DEFAULT_NORMALIZER, type NormalizerOptions } from './tokenizerConfig.ts';
import { bertNormalizerJson } from './tokenizerJson.ts';
import { textFixes } from './unicodeFixes.ts';

/** text → words; with the default options this is the uncased BERT pre-tokenisation. */
export function createPreTokenizer(
  options: NormalizerOptions = DEFAULT_NORMALIZER,
): (text: string) => string[] {
  const config = bertNormalizerJson(options) as unknown as ConstructorParameters<
    typeof BertNormalizer
  >[0];
  const normalizer = new BertNormalizer(config);
  const preTokenizer = new BertPreTokenizer();
  const fix = textFixes(options);
  return (text) => preTokenizer.pre_tokenize_text(normalizer.normalize(fix(text)));
}
