/** Hub model ids in encoder.source. No TF.js here: the page's UI thread imports it. */
import { UserError } from '../errors.ts';

/** 'hf:<id>[@rev]' → { id, revision } */
export function parseHubSource(source: string): { id: string; revision: string } {
  const body = source.slice(3);
  const at = body.lastIndexOf('@');
  const id = at > 0 ? body.slice(0, at) : body;
  const revision = at > 0 ? body.slice(at + 1) : 'main';
  if (!/^[\w.-]+(\/[\w.-]+)?$/.test(id)) {
    throw new UserError(
      `encoder.source: "${source}" is not a Hub model id (expected hf:<owner>/<name>[@revision]).`,
    );
  }
  return { id, revision };
}
