/**
 * The data source strings of the experiment config.
 *
 * ```
 * source    = builtin | catalogue | hub | url | file
 * builtin   = "builtin:" name                  ; "builtin:default" = the offline Brown corpus
 * catalogue = "catalogue:" id ["@" split]      ; an entry of catalogue.ts, e.g. catalogue:stsb@test
 * hub       = "hf:" repo [":" config] ["@" split]
 * repo      = [owner "/"] name                 ; letters, digits, "_", ".", "-"; starts alnum
 * config    = 1*(any character but ":", "@", "/" and white space)
 * split     = 1*(letter / digit / "_" / "." / "-")
 * url       = ("http://" / "https://") …       ; a file fetched whole, format from its path
 * upload    = "upload:" name                   ; a file the user uploaded (the host keeps it)
 * file      = ["file:"] path                   ; anything else: opened through DataIO.openFile
 * ```
 * Examples: `hf:mteb/stsbenchmark-sts@test`, `hf:sentence-transformers/all-nli:pair-class@dev`,
 * `hf:rotten_tomatoes`, `catalogue:lcqmc@validation`, `uploads/my.tsv`.
 * A split in the source and `spec.split` must agree when both are given. Without a config the
 * Hub's "default" (or only) config is used; without a split, "train" (or the only split).
 */
import { UserError } from '../errors.ts';

export type ParsedSource =
  | { type: 'builtin'; name: string }
  | { type: 'catalogue'; id: string; split?: string }
  | { type: 'hf'; id: string; config?: string; split?: string }
  | { type: 'url'; url: string }
  /** `path` goes to `DataIO.openFile` as is (an upload keeps its "upload:" prefix); `name` is
   * the file name that picks the format and appears in messages. */
  | { type: 'file'; path: string; name: string };

const HF = /^hf:([A-Za-z0-9][\w.-]*(?:\/[A-Za-z0-9][\w.-]*)?)(?::([^:@/\s]+))?(?:@([\w.-]+))?$/;
const CATALOGUE = /^catalogue:([\w.-]+)(?:@([\w.-]+))?$/;

export function parseSource(source: string): ParsedSource {
  const s = source.trim();
  if (s === '') throw new UserError('The data source is empty.');
  if (s.startsWith('builtin:')) {
    const name = s.slice('builtin:'.length);
    if (!/^[\w.-]+$/.test(name))
      throw new UserError(`The data source "${s}" names no built-in set.`);
    return { type: 'builtin', name };
  }
  if (s.startsWith('catalogue:')) {
    const m = CATALOGUE.exec(s);
    if (!m)
      throw new UserError(`The data source "${s}" is not of the form catalogue:<id>[@<split>].`);
    return m[2]
      ? { type: 'catalogue', id: m[1] as string, split: m[2] }
      : { type: 'catalogue', id: m[1] as string };
  }
  if (s.startsWith('hf:')) {
    const m = HF.exec(s);
    if (!m) {
      throw new UserError(
        `The data source "${s}" is not of the form hf:<owner/name>[:<config>][@<split>].`,
      );
    }
    const out: ParsedSource = { type: 'hf', id: m[1] as string };
    if (m[2]) out.config = m[2];
    if (m[3]) out.split = m[3];
    return out;
  }
  if (/^https?:\/\//i.test(s)) return { type: 'url', url: s };
  if (s.startsWith('upload:')) {
    const name = s.slice('upload:'.length);
    if (name === '') throw new UserError(`The data source "${s}" names no uploaded file.`);
    return { type: 'file', path: s, name };
  }
  const path = s.startsWith('file:') ? s.slice('file:'.length) : s;
  return { type: 'file', path, name: path.split(/[\\/]/).pop() || path };
}

/** The one split to load, from the source and the spec (they must agree). */
export function chooseSplit(
  source: string,
  fromSource?: string,
  fromSpec?: string,
): string | undefined {
  if (fromSource && fromSpec && fromSource !== fromSpec) {
    throw new UserError(
      `The data source "${source}" names split "${fromSource}" but the split field says "${fromSpec}".`,
    );
  }
  return fromSource ?? fromSpec;
}
