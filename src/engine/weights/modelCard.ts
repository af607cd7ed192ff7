/**
 * The README.md model card of an exported folder: where the weights came from, the experiment
 * config, the final metrics, and how to load the model with sentence-transformers and transformers
 * so that the embedding is the one that was evaluated.
 */
import type { BertConfig } from '../model/config.ts';
import type { Pooling } from '../model/pooling.ts';

export interface ModelCardInput {
  name: string;
  baseModel: string;
  /** The pooling the run used. */
  pooling: Pooling;
  /**
   * SimCSE's MLP kept at test time: none; folded into BERT's pooler (after cls_before_pooler, so
   * pooler_output is the embedding); or saved as `mlp.dense.*` after another pooling.
   */
  mlp: 'none' | 'pooler' | 'extra';
  config: BertConfig;
  maxSeqLength: number;
  experimentConfig: unknown;
  metrics: Record<string, number | string | null>;
}

const HUB_ID = /^[\w.-]+\/[\w.-]+$/;

/** Python that computes the pooled embedding from transformers' outputs. */
function transformersPooling(c: ModelCardInput): string {
  const lines: Record<Pooling, string> = {
    cls: "emb = out.pooler_output  # tanh(dense(h[:, 0])), BERT's pooler",
    cls_before_pooler: 'emb = out.last_hidden_state[:, 0]',
    mean: 'emb = masked_mean(out.last_hidden_state)',
    avg_first_last:
      'emb = masked_mean((out.hidden_states[0] + out.hidden_states[-1]) / 2)  # embeddings + last layer',
    avg_top2: 'emb = masked_mean((out.hidden_states[-1] + out.hidden_states[-2]) / 2)',
  };
  let code = lines[c.mlp === 'pooler' ? 'cls' : c.pooling];
  if (c.mlp === 'extra') {
    code += `
# SimCSE's MLP, kept at test time (its weights are mlp.dense.* in model.safetensors)
from safetensors.torch import load_file
sd = load_file(f"{path}/model.safetensors")
emb = torch.tanh(emb @ sd["mlp.dense.weight"].T + sd["mlp.dense.bias"])`;
  }
  return code;
}

function poolingNote(c: ModelCardInput): string {
  if (c.pooling === 'avg_first_last' || c.pooling === 'avg_top2') {
    return `The run pooled with **${c.pooling}** (SimCSE's definition), which sentence-transformers has no pooling mode for: \`1_Pooling\` is set to mean pooling of the last layer, so \`SentenceTransformer\` embeddings are close to, but not the same as, the evaluated ones. Use the transformers snippet for the exact embedding.${c.mlp === 'extra' ? " SimCSE's MLP follows as a `Dense` module (Tanh)." : ''}`;
  }
  if (c.mlp === 'pooler') {
    return "The run pooled the [CLS] row and applied SimCSE's MLP (dense + tanh). As in SimCSE's `simcse_to_huggingface.py`, the MLP is saved as BERT's pooler, so `pooler_output` is the embedding; sentence-transformers applies it as `2_Dense`.";
  }
  if (c.pooling === 'cls') {
    const then = c.mlp === 'extra' ? ", then SimCSE's MLP as `3_Dense`" : '';
    return `The embedding is BERT's \`pooler_output\` (dense + tanh over [CLS])${c.mlp === 'extra' ? " followed by SimCSE's MLP" : ''}; sentence-transformers computes it as [CLS] pooling followed by \`2_Dense\` (the pooler's weights, Tanh)${then}.`;
  }
  return `The embedding is **${c.pooling}** pooling${c.mlp === 'extra' ? " followed by SimCSE's MLP (a `Dense` module with Tanh)" : ''}; sentence-transformers reproduces it exactly.`;
}

function metricsTable(metrics: ModelCardInput['metrics']): string {
  const rows = Object.entries(metrics);
  if (rows.length === 0) return '_No metrics were recorded._';
  const cell = (v: number | string | null) =>
    typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(4)) : String(v ?? '—');
  return ['| metric | value |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${cell(v)} |`)].join(
    '\n',
  );
}

export function modelCard(c: ModelCardInput): string {
  const tags = [
    'sentence-transformers',
    'feature-extraction',
    'sentence-similarity',
    'contrastive-playground',
  ];
  const front = [
    '---',
    'library_name: sentence-transformers',
    'pipeline_tag: sentence-similarity',
    'tags:',
    ...tags.map((t) => `- ${t}`),
    ...(HUB_ID.test(c.baseModel) ? [`base_model: ${c.baseModel}`] : []),
    '---',
  ].join('\n');
  const cfg = c.config;
  const needsHidden = c.pooling === 'avg_first_last' || c.pooling === 'avg_top2';
  return `${front}

# ${c.name}

A BERT sentence encoder trained in the browser with Contrastive Playground.

- **Base model:** ${c.baseModel}
- **Architecture:** BERT, ${cfg.num_hidden_layers} layers, hidden ${cfg.hidden_size}, ${cfg.num_attention_heads} heads, intermediate ${cfg.intermediate_size}, ${cfg.hidden_act}
- **Pooling:** ${c.pooling}${c.mlp !== 'none' ? " + SimCSE's MLP" : ''}
- **Max sequence length:** ${c.maxSeqLength}

${poolingNote(c)}

## Final metrics

${metricsTable(c.metrics)}

Spearman / Pearson values are correlations × 100 between cosine similarity and the gold scores.

## Usage (sentence-transformers)

\`\`\`python
from sentence_transformers import SentenceTransformer

model = SentenceTransformer("path/to/this/folder")
embeddings = model.encode(["A man is playing a guitar.", "Someone plays an instrument."])
\`\`\`

## Usage (transformers)

\`\`\`python
import torch
from transformers import AutoModel, AutoTokenizer

path = "path/to/this/folder"
tokenizer = AutoTokenizer.from_pretrained(path)
model = AutoModel.from_pretrained(path).eval()

batch = tokenizer(["A man is playing a guitar."], padding=True, truncation=True, max_length=${c.maxSeqLength}, return_tensors="pt")
with torch.no_grad():
    out = model(**batch${needsHidden ? ', output_hidden_states=True' : ''})
mask = batch["attention_mask"].unsqueeze(-1).float()
masked_mean = lambda h: (h * mask).sum(1) / mask.sum(1)
${transformersPooling(c)}
\`\`\`

## Experiment config

\`\`\`json
${JSON.stringify(c.experimentConfig, null, 2)}
\`\`\`
`;
}
