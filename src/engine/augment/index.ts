/** Views: EDA text edits, ConSERT embedding-level views, and the preview the UI shows. */
export * from './consert.ts';
export { eda, edaCount } from './eda.ts';
export * from './preview.ts';
export { CHINESE_STOP_WORDS, ENGLISH_STOP_WORDS, isStopWord } from './stopwords.ts';
export * from './synonyms.ts';
export { detectLanguage, tokeniseWords } from './tokenise.ts';
export * from './types.ts';
