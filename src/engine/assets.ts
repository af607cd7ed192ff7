/**
 * Generated assets (the default corpus, the built-in WordPiece vocabulary, the WordNet
 * synonym table) are written by `scripts/build-assets.ts` into `public/generated/`.
 * The engine never knows how they are fetched: the host (browser worker, Node CLI,
 * tests) installs a loader once.
 */
export type AssetName =
  | 'default-corpus.txt'
  | 'brown-genres-train.tsv'
  | 'brown-genres-test.tsv'
  | 'builtin-vocab.txt'
  | 'wordnet-synonyms.json';

export type AssetLoader = (name: AssetName) => Promise<string>;

let loader: AssetLoader | null = null;
const cache = new Map<AssetName, Promise<string>>();

export function setAssetLoader(next: AssetLoader): void {
  loader = next;
  cache.clear();
}

export function loadAsset(name: AssetName): Promise<string> {
  if (!loader) {
    throw new Error(
      `No asset loader installed: cannot load ${name}. The host must call setAssetLoader() first.`,
    );
  }
  let p = cache.get(name);
  if (!p) {
    p = loader(name);
    cache.set(name, p);
    p.catch(() => cache.delete(name));
  }
  return p;
}
