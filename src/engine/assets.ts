/**
 * Assets that ship with the app, in two places under `public/`:
 * - generated ones (the default corpus, the built-in WordPiece vocabulary, the WordNet synonym
 *   table and pairs), written by `scripts/build-assets.ts` into `public/generated/` (git-ignored),
 *   named by their file name (`'default-corpus.txt'`);
 * - committed ones (STS-B dev/test, the Wikipedia sentences, built-in model folders) under
 *   `public/builtin/`, named by their path from `public/` (`'builtin/data/stsb/dev.tsv'`).
 * The engine never knows how they are fetched: the host (browser worker, Node CLI, tests) installs
 * a loader once; `assetPath` says where a name lives relative to the app's base.
 */
export type GeneratedAssetName =
  | 'default-corpus.txt'
  | 'brown-genres-train.tsv'
  | 'brown-genres-test.tsv'
  | 'builtin-vocab.txt'
  | 'wordnet-synonyms.json'
  | 'wordnet-pairs.tsv'
  | 'wordnet-triplets.tsv';

/** A committed file under `public/builtin/`, e.g. `builtin/models/bert-tiny-en/config.json`. */
export type BuiltinAssetName = `builtin/${string}`;

export type AssetName = GeneratedAssetName | BuiltinAssetName;

/** Reads a text asset; throws when it is missing. */
export type AssetLoader = (name: AssetName) => Promise<string>;
/** Reads an asset's bytes (model weights); answers null when the file is absent. */
export type BinaryAssetLoader = (name: AssetName) => Promise<Uint8Array | null>;

let loader: AssetLoader | null = null;
let binaryLoader: BinaryAssetLoader | null = null;
const cache = new Map<AssetName, Promise<string>>();

/** Install the host's loaders; the binary one is needed only for built-in model folders. */
export function setAssetLoader(next: AssetLoader, nextBinary?: BinaryAssetLoader): void {
  loader = next;
  binaryLoader = nextBinary ?? null;
  cache.clear();
}

/** Whether `name` is a committed `builtin/…` path (relative, no `..`, no empty segment). */
export function isBuiltinAssetName(name: string): name is BuiltinAssetName {
  if (!name.startsWith('builtin/')) return false;
  return name
    .split('/')
    .every((seg) => seg !== '' && seg !== '.' && seg !== '..' && !/[\\:?#%\s]/.test(seg));
}

/** Where the asset lives relative to the app's base (and to `public/` in the repository). */
export function assetPath(name: AssetName): string {
  if (name.startsWith('builtin/')) {
    if (!isBuiltinAssetName(name)) throw new Error(`"${name}" is not a valid built-in asset path.`);
    return name;
  }
  return `generated/${name}`;
}

export function loadAsset(name: AssetName): Promise<string> {
  if (!loader) {
    throw new Error(
      `No asset loader installed: cannot load ${name}. The host must call setAssetLoader() first.`,
    );
  }
  assetPath(name); // refuses a malformed builtin/ path before the host sees it
  let p = cache.get(name);
  if (!p) {
    p = loader(name);
    cache.set(name, p);
    p.catch(() => cache.delete(name));
  }
  return p;
}

/** An asset's bytes, or null when the file is absent. Not cached (model weights are large). */
export function loadAssetBytes(name: AssetName): Promise<Uint8Array | null> {
  if (!binaryLoader) {
    throw new Error(
      `No binary asset loader installed: cannot load ${name}. The host must pass one to setAssetLoader().`,
    );
  }
  assetPath(name);
  return binaryLoader(name);
}
