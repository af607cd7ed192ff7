#!/usr/bin/env bash
# Remakes the built-in pretrained encoder `builtin:bert-tiny-en` with the playground itself:
# `cplay train --preset pretrain-bert-tiny-en` (the built-in 2×128 BERT, random init, supervised
# contrastive learning on builtin:wordnet-pairs, mean pooling), then scores the result on STS-B
# dev/test with `cplay eval` and writes the model folder with its model card into
# public/builtin/models/bert-tiny-en/. About 20–60 minutes on a 2-core machine.
#   scripts/pretrain-bert-tiny-en.sh [OUT_DIR]   (default bench/tmp/pretrain-bert-tiny-en)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-bench/tmp/pretrain-bert-tiny-en}"
npm run --silent assets
node cli/cplay.mjs train --preset pretrain-bert-tiny-en --backend wasm --out "$out"
npx tsx scripts/pretrain/modelCard.ts "$out" public/builtin/models/bert-tiny-en
