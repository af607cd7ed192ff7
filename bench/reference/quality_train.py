#!/usr/bin/python3
"""The PyTorch side of `npm run bench -- --quality`: the same unsupervised SimCSE run as the engine's
Trainer, from the same start weights, on the same batches (as token ids), evaluated the same way.

Run by bench/quality/torch.ts with Debian's python3 (python3-torch 1.13, numpy, scipy):

    /usr/bin/python3 bench/reference/quality_train.py --job JOB.json --out RESULT.json

JOB.json (written by bench/quality/prepare.ts):
  start      a model folder (config.json + model.safetensors, HF names, F32) the engine exported;
             the engine's Trainer loads the very same folder
  batches    {"steps": [{"segments": [[ids of row 0, ...], [ids of row 0, ...]]}, ...]}: the token
             ids of each step's two views, as the Trainer drew them (after EDA edits)
  eval       {"sets": {"dev": {"ids1", "ids2", "scores", "s1", "s2"}, "test": {...}}}: token ids of
             the STS pairs (the engine's tokenizer), raw gold scores 0-5, and the texts (lexical
             baselines only)
  settings   seed, steps, lr, warmupSteps, schedule, temperature, symmetric, hiddenDropout,
             attentionDropout (0 when the recipe turns dropout views off), weightDecay, betas, eps

What it runs (each line is what the engine does):
  model     the plain-torch BERT of bench/reference/simcse_step.py (BertEmbeddings, BertLayer:
            dropout after the embeddings, on the attention probabilities, after the attention
            output and after the FFN output), dropout masks from torch's own RNG (manual_seed)
  pooling   mean of the last layer over real tokens (src/engine/model/pooling.ts `mean`); no MLP
  loss      the two views of a batch in one forward (2B rows); z1, z2 = the halves;
            CE(cos(z1_i, z2_j)/tau, i), with `symmetric` the mean of that and CE(cos(z2_i, z1_j)/tau, i)
            (src/engine/objectives/simcse.ts)
  optimiser torch.optim.AdamW with the engine's betas / eps / weight decay (decay off for biases and
            LayerNorm weights, src/engine/train/optim/decay.ts); no clipping
  schedule  lr * lambda(k) for the k-th update (0-based), Hugging Face's linear / constant / cosine
            with warm-up (src/engine/train/optim/schedule.ts)
  eval      eval mode, batches of 64, mean pooling; Spearman / Pearson x 100 of the pair cosines
            (scipy); SimCSE's alignment (pairs with gold > 4) and uniformity (all 2N sentences,
            i < j), Wang & Isola's alpha = 2, t = 2, on unit rows (src/engine/metrics/alignUniform.ts);
            bag-of-words / TF-IDF cosine baselines (src/engine/metrics/lexical.ts) computed anew
"""

import time

T_START = time.perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import unicodedata  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from scipy.stats import pearsonr, spearmanr  # noqa: E402
from torch import nn  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from simcse_step import BertEmbeddings, BertLayer, read_safetensors  # noqa: E402

EVAL_BATCH = 64


class MeanBert(nn.Module):
    """BertModel without the pooler (mean pooling does not use it)."""

    def __init__(self, c):
        super().__init__()
        self.embeddings = BertEmbeddings(c)
        self.layers = nn.ModuleList(BertLayer(c) for _ in range(c["num_hidden_layers"]))

    def forward(self, ids, mask):  # ids, mask [B, L] -> [B, H] masked mean of the last layer
        bias = (1.0 - mask[:, None, None, :].to(torch.float32)) * torch.finfo(torch.float32).min
        x = self.embeddings(ids)  # [B, L, H]
        for layer in self.layers:
            x = layer(x, bias)
        m = mask.to(torch.float32).unsqueeze(-1)  # [B, L, 1]
        return (x * m).sum(1) / m.sum(1)  # [B, H]

    def load(self, w, c):
        """HF names (with or without `bert.`) from the engine's model folder; every shape checked."""
        w = {k[5:] if k.startswith("bert.") else k: v for k, v in w.items()}
        sd = {f"embeddings.{k}": w[f"embeddings.{k}"] for k in (
            "word_embeddings.weight",
            "position_embeddings.weight",
            "token_type_embeddings.weight",
            "LayerNorm.weight",
            "LayerNorm.bias",
        )}
        names = {
            "query": "attention.self.query",
            "key": "attention.self.key",
            "value": "attention.self.value",
            "attn_out": "attention.output.dense",
            "attn_norm": "attention.output.LayerNorm",
            "intermediate": "intermediate.dense",
            "out": "output.dense",
            "out_norm": "output.LayerNorm",
        }
        for i in range(c["num_hidden_layers"]):
            for ours, hf in names.items():
                for p in ("weight", "bias"):
                    sd[f"layers.{i}.{ours}.{p}"] = w[f"encoder.layer.{i}.{hf}.{p}"]
        self.load_state_dict({k: torch.from_numpy(v) for k, v in sd.items()}, strict=True)


def pad(rows, pad_id):
    """Rows of ids -> ids, mask [B, L] (L = the longest row)."""
    L = max(len(r) for r in rows)
    ids = torch.full((len(rows), L), pad_id, dtype=torch.long)
    mask = torch.zeros((len(rows), L), dtype=torch.long)
    for i, r in enumerate(rows):
        ids[i, : len(r)] = torch.tensor(r, dtype=torch.long)
        mask[i, : len(r)] = 1
    return ids, mask


def lr_multiplier(k, warmup, total, schedule):
    """Hugging Face's LambdaLR multipliers, k = updates already applied (schedule.ts)."""
    if k < warmup:
        return k / max(1, warmup)
    if schedule == "constant":
        return 1.0
    if schedule == "linear":
        return max(0.0, (total - k) / max(1, total - warmup))
    if schedule == "cosine":
        progress = (k - warmup) / max(1, total - warmup)
        return max(0.0, 0.5 * (1 + math.cos(math.pi * 2 * 0.5 * progress)))
    raise ValueError(f"schedule {schedule}")


def simcse_loss(z1, z2, temperature, symmetric):
    sim = F.normalize(z1, dim=-1) @ F.normalize(z2, dim=-1).T / temperature  # [B, B]
    target = torch.arange(z1.shape[0])
    loss = F.cross_entropy(sim, target)
    if symmetric:
        loss = 0.5 * (loss + F.cross_entropy(sim.T, target))
    return loss


# ---- evaluation ----


def embed(model, rows, pad_id):
    model.eval()
    out = []
    with torch.no_grad():
        for i in range(0, len(rows), EVAL_BATCH):
            ids, mask = pad(rows[i : i + EVAL_BATCH], pad_id)
            out.append(model(ids, mask))
    return torch.cat(out)  # [N, H]


def evaluate(model, s, pad_id):
    e1, e2 = embed(model, s["ids1"], pad_id), embed(model, s["ids2"], pad_id)
    u1, u2 = F.normalize(e1, dim=-1).double(), F.normalize(e2, dim=-1).double()
    cos = (u1 * u2).sum(1).numpy()
    gold = np.array(s["scores"], dtype=np.float64)
    positive = gold > 4
    alignment = float(((u1[positive] - u2[positive]) ** 2).sum(1).mean()) if positive.any() else float("nan")
    both = torch.cat([u1, u2])
    uniformity = float(torch.pdist(both, p=2).pow(2).mul(-2).exp().mean().log())
    return {
        "spearman": float(spearmanr(cos, gold).correlation * 100),
        "pearson": float(pearsonr(cos, gold)[0] * 100),
        "alignment": alignment,
        "uniformity": uniformity,
        "pairs": len(gold),
    }


def lexical_tokens(text):
    """Runs of Unicode letters or of digits of the lower-cased text (lexical.ts's \\p{L}+|\\p{N}+)."""
    out, cur, kind = [], "", None
    for ch in text.lower():
        cat = unicodedata.category(ch)[0]
        k = cat if cat in ("L", "N") else None
        if k is not None and k == kind:
            cur += ch
            continue
        if cur:
            out.append(cur)
        cur, kind = (ch, k) if k is not None else ("", None)
    if cur:
        out.append(cur)
    return out


def lexical(s):
    """Bag-of-words (counts) and TF-IDF (count x smooth idf over the set's 2N sentences) cosines."""
    docs = [lexical_tokens(t) for t in s["s1"]] + [lexical_tokens(t) for t in s["s2"]]
    vocab = {t: i for i, t in enumerate(sorted({t for d in docs for t in d}))}
    counts = np.zeros((len(docs), len(vocab)))  # [2N, V]
    for r, d in enumerate(docs):
        for t in d:
            counts[r, vocab[t]] += 1
    n = len(docs)
    idf = np.log((1 + n) / (1 + (counts > 0).sum(0))) + 1  # [V]
    m = len(s["s1"])
    gold = s["scores"]

    def rho(x):
        a, b = x[:m], x[m:]
        na, nb = np.linalg.norm(a, axis=1), np.linalg.norm(b, axis=1)
        cos = np.where((na > 0) & (nb > 0), (a * b).sum(1) / np.maximum(na * nb, 1e-300), 0.0)
        cos = np.floor(cos * 1e12 + 0.5) / 1e12
        return float(spearmanr(cos, gold).correlation * 100)

    return {"bagOfWords": rho(counts), "tfidf": rho(counts * idf)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--job", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)

    with open(args.job) as f:
        job = json.load(f)
    st = job["settings"]
    torch.manual_seed(st["seed"])
    with open(os.path.join(job["start"], "config.json")) as f:
        c = json.load(f)
    if c.get("hidden_act", "gelu") != "gelu":
        raise SystemExit(f"quality_train.py: hidden_act {c['hidden_act']} is not supported (gelu only)")
    c = {**c, "hidden_dropout_prob": st["hiddenDropout"], "attention_probs_dropout_prob": st["attentionDropout"]}
    model = MeanBert(c)
    model.load(read_safetensors(os.path.join(job["start"], "model.safetensors")), c)
    with open(job["batches"]) as f:
        batches = json.load(f)["steps"]
    with open(job["eval"]) as f:
        ev = json.load(f)
    pad_id = ev["padId"]
    sets = ev["sets"]

    decay, no_decay = [], []
    for name, p in model.named_parameters():
        (no_decay if name.endswith("bias") or "norm" in name.lower() else decay).append(p)
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": st["weightDecay"]}, {"params": no_decay, "weight_decay": 0.0}],
        lr=st["lr"],
        betas=tuple(st["betas"]),
        eps=st["eps"],
    )

    t0 = time.perf_counter()
    start = {k: evaluate(model, s, pad_id) for k, s in sets.items()}
    lex = {k: lexical(s) for k, s in sets.items()}
    eval_ms = (time.perf_counter() - t0) * 1000

    losses, lrs = [], []
    t1 = time.perf_counter()
    for k in range(st["steps"]):
        segs = batches[k]["segments"]
        n = len(segs[0])
        lr = st["lr"] * lr_multiplier(k, st["warmupSteps"], st["steps"], st["schedule"])
        for g in opt.param_groups:
            g["lr"] = lr
        model.train()
        ids, mask = pad(segs[0] + segs[1], pad_id)
        z = model(ids, mask)  # [2B, H]
        loss = simcse_loss(z[:n], z[n:], st["temperature"], st["symmetric"])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        value = loss.item()
        if not math.isfinite(value):
            raise SystemExit(f"quality_train.py: the loss is {value} at step {k + 1}")
        losses.append(value)
        lrs.append(lr)
    train_ms = (time.perf_counter() - t1) * 1000
    end = {k: evaluate(model, s, pad_id) for k, s in sets.items()}

    with open(args.out, "w") as f:
        json.dump(
            {
                "torch": torch.__version__,
                "threads": torch.get_num_threads(),
                "start": start,
                "end": end,
                "lexical": lex,
                "losses": losses,
                "lrs": lrs,
                "trainMs": train_ms,
                "evalMs": eval_ms,
                "wallMs": (time.perf_counter() - T_START) * 1000,
            },
            f,
        )


if __name__ == "__main__":
    main()
