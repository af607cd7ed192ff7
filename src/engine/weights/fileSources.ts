/**
 * Where a model folder's files come from. A `FileSource` reads one file by its path inside the
 * folder (`config.json`, `1_Pooling/config.json`) and answers null when the file is absent.
 * Implementations here: files a user picked, a URL base, the Hugging Face Hub, a committed
 * built-in folder (through the asset loader). The Node folder source lives in
 * `src/engine/node/folderSource.ts`.
 */
import { type BuiltinAssetName, loadAssetBytes } from '../assets.ts';
import { UserError } from '../errors.ts';

export interface FileSource {
  /** Where the files come from, for messages ("the Hub model bert-base-uncased@main"). */
  readonly describe: string;
  /** The file's bytes, or null when the folder has no such file. */
  read(path: string): Promise<Uint8Array | null>;
  /** Whether the file exists, without downloading it (default: read it). */
  has?(path: string): Promise<boolean>;
}

/** Download progress of one file; `total` is absent when the server sends no Content-Length. */
export interface DownloadProgress {
  phase: 'download';
  file: string;
  loaded: number;
  total?: number;
}

/** A byte cache keyed by URL (the browser host passes one backed by the Cache API). */
export interface ByteCache {
  get(key: string): Promise<Uint8Array | undefined>;
  put(key: string, bytes: Uint8Array): Promise<void>;
}

export interface FetchOptions {
  fetch?: typeof fetch;
  onProgress?: (p: DownloadProgress) => void;
  cache?: ByteCache;
}

/** A picked file: the DOM `File`, or anything Blob-like with a name and optional relative path. */
export interface PickedFile {
  name: string;
  /** Set by `<input webkitdirectory>`: "my-model/1_Pooling/config.json". */
  webkitRelativePath?: string;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/**
 * Files the user picked (a folder via `webkitdirectory`, or single files). Relative paths lose
 * their first segment (the picked folder's own name) when every file shares it.
 */
export function pickedFilesSource(
  files: Iterable<PickedFile>,
  describe = 'the picked files',
): FileSource {
  const list = [...files];
  const paths = list.map((f) => (f.webkitRelativePath || f.name).replace(/\\/g, '/'));
  const roots = new Set(paths.map((p) => (p.includes('/') ? p.slice(0, p.indexOf('/')) : '')));
  const [root] = roots;
  const strip = roots.size === 1 && root ? root.length + 1 : 0;
  const byPath = new Map<string, PickedFile>();
  list.forEach((f, i) => {
    byPath.set(paths[i]!.slice(strip), f);
  });
  return {
    describe,
    async read(path) {
      const f = byPath.get(path);
      return f ? new Uint8Array(await f.arrayBuffer()) : null;
    },
    async has(path) {
      return byPath.has(path);
    },
  };
}

/** Files under a URL base: `{base}/{path}`. */
export function urlSource(
  base: string,
  opts: FetchOptions & { describe?: string } = {},
): FileSource {
  const root = base.replace(/\/+$/, '');
  return httpSource(opts.describe ?? root, (path) => `${root}/${path}`, opts);
}

/**
 * A model on the Hugging Face Hub: `{base}/{id}/resolve/{revision}/{file}`.
 * `base` defaults to https://huggingface.co (tests point it at a local mirror).
 */
export function hubSource(
  id: string,
  revision = 'main',
  opts: FetchOptions & { base?: string | undefined } = {},
): FileSource {
  if (!/^[\w.-]+(\/[\w.-]+)?$/.test(id) || id.includes('..')) {
    throw new UserError(`"${id}" is not a Hugging Face model id (expected owner/name).`);
  }
  const root = (opts.base ?? 'https://huggingface.co').replace(/\/+$/, '');
  const rev = encodeURIComponent(revision);
  const encodePath = (p: string) => p.split('/').map(encodeURIComponent).join('/');
  return httpSource(
    `the Hub model ${id}@${revision}`,
    (path) => `${root}/${id}/resolve/${rev}/${encodePath(path)}`,
    opts,
  );
}

function httpSource(
  describe: string,
  urlOf: (path: string) => string,
  opts: FetchOptions,
): FileSource {
  const doFetch =
    opts.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const request = async (url: string, method: 'GET' | 'HEAD'): Promise<Response | null> => {
    let res: Response;
    try {
      res = await doFetch(url, { method });
    } catch (e) {
      throw new UserError(`Could not download ${url}: ${(e as Error).message}.`);
    }
    if (res.status === 404) return null;
    if (res.status === 401 || res.status === 403) {
      throw new UserError(
        `${url} answered ${res.status}: the model is private or gated, or the address is wrong.`,
      );
    }
    if (!res.ok) throw new UserError(`${url} answered HTTP ${res.status} ${res.statusText}.`);
    return res;
  };
  return {
    describe,
    async read(path) {
      const url = urlOf(path);
      const cached = await opts.cache?.get(url);
      if (cached) return cached;
      const res = await request(url, 'GET');
      if (!res) return null;
      const bytes = await readBody(res, path, opts.onProgress);
      await opts.cache?.put(url, bytes);
      return bytes;
    },
    async has(path) {
      const url = urlOf(path);
      if (await opts.cache?.get(url)) return true;
      return (await request(url, 'HEAD')) !== null;
    },
  };
}

/** The body as bytes, reporting progress chunk by chunk when the body streams. */
async function readBody(
  res: Response,
  file: string,
  onProgress?: (p: DownloadProgress) => void,
): Promise<Uint8Array> {
  const length = Number(res.headers.get('content-length'));
  const total = Number.isFinite(length) && length > 0 ? length : undefined;
  const report = (loaded: number) =>
    onProgress?.({ phase: 'download', file, loaded, ...(total ? { total } : {}) });
  if (!res.body) {
    const bytes = new Uint8Array(await res.arrayBuffer());
    report(bytes.length);
    return bytes;
  }
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  report(0);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    report(loaded);
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(loaded);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/**
 * A folder committed under `public/builtin/` (a built-in model), read through the host's asset
 * loader: the browser worker fetches it from the app's base, Node reads the repository's file.
 */
export function assetFolderSource(folder: BuiltinAssetName, describe: string): FileSource {
  const root = folder.replace(/\/+$/, '');
  return {
    describe,
    read: (path) => loadAssetBytes(`${root}/${path}` as BuiltinAssetName),
  };
}

/**
 * Pretrained encoders that ship with the app (`encoder.source: "builtin:<name>"`): Hugging Face
 * BERT folders committed under public/builtin/models/, read through the asset loader.
 * (`encoder.source: "builtin"` alone is the random-init encoder of `encoder.builtin`.)
 */
export const BUILTIN_ENCODERS: Record<
  string,
  { folder: BuiltinAssetName; short: string; title: string }
> = {
  'bert-tiny-en': {
    folder: 'builtin/models/bert-tiny-en',
    short: 'BERT-tiny, English',
    title:
      'A small BERT (2 layers, hidden 128) pretrained by this playground with supervised contrastive learning on WordNet pairs',
  },
};

/** The built-in encoders' source strings, random init first, for messages and pickers. */
export function builtinEncoderSources(): string[] {
  return ['builtin', ...Object.keys(BUILTIN_ENCODERS).map((k) => `builtin:${k}`)];
}

/**
 * `builtin:<name>` → the committed folder as a FileSource. Unknown names and a folder missing
 * from this build (no config.json) are user errors that say what exists and how to get it;
 * `field` names the setting in them (`encoder.source`, `--model`).
 */
export async function openBuiltinModel(
  source: string,
  field = 'encoder.source',
): Promise<FileSource> {
  const name = source.slice('builtin:'.length);
  const entry = Object.hasOwn(BUILTIN_ENCODERS, name) ? BUILTIN_ENCODERS[name] : undefined;
  if (!entry) {
    throw new UserError(
      `${field}: there is no built-in encoder "${name}"; the built-in encoders are ${builtinEncoderSources()
        .map((s) => `"${s}"`)
        .join(', ')} ("builtin" alone starts from random weights).`,
    );
  }
  // Messages name files as the repository has them: public/builtin/models/<name>/config.json.
  const src = assetFolderSource(entry.folder, `public/${entry.folder}`);
  if ((await src.read('config.json')) === null) {
    throw new UserError(
      `${field}: the built-in encoder ${source} is missing from this build (public/${entry.folder}/config.json not found); it is committed to the repository, so restore it with \`git checkout -- public/${entry.folder}\` and rebuild, or use "builtin" (random init) or a Hub model such as "hf:prajjwal1/bert-tiny".`,
    );
  }
  return src;
}
