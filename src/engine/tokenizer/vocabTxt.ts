/**
 * `vocab.txt`: one WordPiece token per line, the token's id is its 0-based line number
 * (the format of Google's BERT release and of Hugging Face's `BertTokenizer`).
 */
import { UserError } from '../errors.ts';

/**
 * Parses a vocab.txt into its tokens, ordered by id. A final newline is optional and a
 * trailing `\r` (a file saved on Windows) is dropped. Throws `UserError` for an empty file, an
 * empty line, or a token listed twice (two ids for one token would make encoding ambiguous).
 */
export function parseVocabTxt(text: string, file = 'vocab.txt'): string[] {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) throw new UserError(`${file} is empty: it must list one token per line.`);
  const seen = new Map<string, number>();
  const tokens: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const token = lines[i]!.endsWith('\r') ? lines[i]!.slice(0, -1) : lines[i]!;
    if (token === '') {
      throw new UserError(`${file} line ${i + 1} is empty: every line must hold one token.`);
    }
    const first = seen.get(token);
    if (first !== undefined) {
      throw new UserError(
        `${file} line ${i + 1} repeats the token "${token}" of line ${first + 1}: each token must appear once.`,
      );
    }
    seen.set(token, i);
    tokens.push(token);
  }
  return tokens;
}

/** The tokens (ordered by id) as a vocab.txt, one per line with a final newline. */
export function formatVocabTxt(tokens: readonly string[]): string {
  return `${tokens.join('\n')}\n`;
}
