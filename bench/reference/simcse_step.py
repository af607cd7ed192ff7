#!/usr/bin/python3
"""The PyTorch side of `npm run bench`: the same SimCSE training step and the same embedding pass
as the TF.js engine, on the same weights and the same token ids, timed the same way.

Run by bench/torch.ts with Debian's python3 (python3-torch 1.13, BLAS from libopenblas0-pthread):

    /usr/bin/python3 bench/reference/simcse_step.py --model bench/tmp/models/tiny \
        --batches bench/tmp/batches.json --threads 2 --warmup 2 --steps 10 --embed-passes 3 \
        --out result.json [--profile]

What it runs (each line is what the engine does, see src/engine/train/trainer.ts):
  model     a plain-torch BertModel written from transformers' modeling_bert.py (train mode:
            dropout 0.1 after the embeddings, on the attention probabilities, after the attention
            output and after the FFN output), loaded from the model folder the TF.js side loads
            (model.safetensors: HF names, PyTorch [out, in] Linear weights) plus SimCSE's MLP
            (`mlp.dense.*`, dense + tanh). No transformers package: it is not installed here.
  step      unsupervised SimCSE (Gao et al. 2021, simcse/models.py cl_forward): the batch of 64
            sentences twice (128 rows), cls pooling with the MLP in training (mlp_only_train):
            z = tanh(W·h[:, 0] + b); loss = CE(cos(z1_i, z2_j) / 0.05, i); backward; the global
            gradient norm and a finiteness check (the engine computes both); AdamW (lr 3e-5,
            weight decay 0.01 except biases and LayerNorm weights, betas 0.9/0.999, eps 1e-8);
            one read of the loss (.item()).
  embed     eval mode, no gradient, the [CLS] hidden state (SimCSE's test-time cls with
            mlp_only_train), over STS-B dev's 3,000 sentences in the engine's batches of 64.
Time to first step counts from the top of this script (before `import torch`).
"""

import time

T_START = time.perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import struct  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402

T_IMPORTED = time.perf_counter()


def read_safetensors(path):
    """name -> float32 numpy array (F32 only: the engine writes F32)."""
    with open(path, "rb") as f:
        buf = f.read()
    (n,) = struct.unpack("<Q", buf[:8])
    header = json.loads(buf[8 : 8 + n].decode("utf-8"))
    header.pop("__metadata__", None)
    data = buf[8 + n :]
    out = {}
    for name, info in header.items():
        assert info["dtype"] == "F32", f"{name}: {info['dtype']}"
        b, e = info["data_offsets"]
        out[name] = np.frombuffer(data[b:e], dtype="<f4").reshape(info["shape"]).copy()
    return out


class BertEmbeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.word_embeddings = nn.Embedding(c["vocab_size"], c["hidden_size"])
        self.position_embeddings = nn.Embedding(c["max_position_embeddings"], c["hidden_size"])
        self.token_type_embeddings = nn.Embedding(c["type_vocab_size"], c["hidden_size"])
        self.LayerNorm = nn.LayerNorm(c["hidden_size"], eps=c["layer_norm_eps"])
        self.dropout = nn.Dropout(c["hidden_dropout_prob"])

    def forward(self, ids):  # [B, L] -> [B, L, H]
        B, L = ids.shape
        pos = torch.arange(L).unsqueeze(0)
        x = self.word_embeddings(ids) + self.position_embeddings(pos) + self.token_type_embeddings(torch.zeros_like(ids))
        return self.dropout(self.LayerNorm(x))


class BertLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        H, I = c["hidden_size"], c["intermediate_size"]
        self.nh = c["num_attention_heads"]
        self.dh = H // self.nh
        self.query, self.key, self.value = nn.Linear(H, H), nn.Linear(H, H), nn.Linear(H, H)
        self.attn_out = nn.Linear(H, H)
        self.attn_norm = nn.LayerNorm(H, eps=c["layer_norm_eps"])
        self.intermediate = nn.Linear(H, I)
        self.out = nn.Linear(I, H)
        self.out_norm = nn.LayerNorm(H, eps=c["layer_norm_eps"])
        self.attn_drop = nn.Dropout(c["attention_probs_dropout_prob"])
        self.hidden_drop = nn.Dropout(c["hidden_dropout_prob"])
        assert c["hidden_act"] == "gelu"

    def forward(self, x, bias):  # x [B, L, H], bias [B, 1, 1, L]
        B, L, H = x.shape

        def heads(t):  # [B, L, H] -> [B, nh, L, dh]
            return t.view(B, L, self.nh, self.dh).permute(0, 2, 1, 3)

        q, k, v = heads(self.query(x)), heads(self.key(x)), heads(self.value(x))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.dh) + bias
        probs = self.attn_drop(torch.softmax(scores, dim=-1))
        ctx = torch.matmul(probs, v).permute(0, 2, 1, 3).reshape(B, L, H)
        x = self.attn_norm(self.hidden_drop(self.attn_out(ctx)) + x)
        h = F.gelu(self.intermediate(x))  # exact erf GELU, BERT's "gelu"
        return self.out_norm(self.hidden_drop(self.out(h)) + x)


class SimcseBert(nn.Module):
    """BertModel (no pooler: SimCSE's cls with the MLP does not use it) + SimCSE's MLP."""

    def __init__(self, c):
        super().__init__()
        self.embeddings = BertEmbeddings(c)
        self.layers = nn.ModuleList(BertLayer(c) for _ in range(c["num_hidden_layers"]))
        self.mlp = nn.Linear(c["hidden_size"], c["hidden_size"])

    def cls(self, ids, mask):  # -> [B, H] last layer's [CLS] row
        bias = (1.0 - mask[:, None, None, :].to(torch.float32)) * torch.finfo(torch.float32).min
        x = self.embeddings(ids)
        for layer in self.layers:
            x = layer(x, bias)
        return x[:, 0]

    def load(self, w, c):
        """HF names (with or without `bert.`) from the engine's model folder."""
        w = {k[5:] if k.startswith("bert.") else k: v for k, v in w.items()}
        sd = {
            "embeddings.word_embeddings.weight": w["embeddings.word_embeddings.weight"],
            "embeddings.position_embeddings.weight": w["embeddings.position_embeddings.weight"],
            "embeddings.token_type_embeddings.weight": w["embeddings.token_type_embeddings.weight"],
            "embeddings.LayerNorm.weight": w["embeddings.LayerNorm.weight"],
            "embeddings.LayerNorm.bias": w["embeddings.LayerNorm.bias"],
            "mlp.weight": w["mlp.dense.weight"],
            "mlp.bias": w["mlp.dense.bias"],
        }
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
        missing, unexpected = self.load_state_dict({k: torch.from_numpy(v) for k, v in sd.items()}, strict=True)
        assert not missing and not unexpected


def simcse_loss(z, n, temperature):
    z1, z2 = z[:n], z[n:]
    sim = F.normalize(z1, dim=-1) @ F.normalize(z2, dim=-1).T / temperature  # [n, n]
    return F.cross_entropy(sim, torch.arange(n))


def summary(xs):
    return {"median": statistics.median(xs), "min": min(xs), "max": max(xs)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--batches", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--embed-passes", type=int, default=3)
    ap.add_argument("--embed-limit", type=int, default=0, help="embed only the first N batches (0: all)")
    ap.add_argument("--temperature", type=float, default=0.05)
    ap.add_argument("--lr", type=float, default=3e-5)
    ap.add_argument("--weight-decay", type=float, default=0.01)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--check", action="store_true", help="dropout off, batch 0: print loss and gradient norm, no timing")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(0)

    t_setup = time.perf_counter()
    with open(os.path.join(args.model, "config.json")) as f:
        c = json.load(f)
    model = SimcseBert(c)
    model.load(read_safetensors(os.path.join(args.model, "model.safetensors")), c)
    with open(args.batches) as f:
        batches = json.load(f)

    def tensors(b):
        L = b["length"]
        ids = torch.tensor(b["inputIds"], dtype=torch.long).view(-1, L)
        mask = torch.tensor(b["attentionMask"], dtype=torch.long).view(-1, L)
        return ids, mask

    train = [tensors(b) for b in batches["train"]]
    embed = [tensors(b) for b in batches["embed"]]
    if args.embed_limit:
        embed = embed[: args.embed_limit]
    # BERT's no_decay rule, as the engine's decay mask (src/engine/train/optim/decay.ts).
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        (no_decay if name.endswith("bias") or "norm" in name.lower() else decay).append(p)
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": args.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
        lr=args.lr,
        betas=(0.9, 0.999),
        eps=1e-8,
    )
    setup_ms = (time.perf_counter() - t_setup) * 1000
    params = list(model.parameters())
    step_no = [0]

    def step():
        s = time.perf_counter()
        ids, mask = train[step_no[0] % len(train)]
        step_no[0] += 1
        n = ids.shape[0]
        model.train()
        z = torch.tanh(model.mlp(model.cls(torch.cat([ids, ids]), torch.cat([mask, mask]))))
        loss = simcse_loss(z, n, args.temperature)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        norm = torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(p.grad) for p in params if p.grad is not None]))
        finite = torch.isfinite(loss) & torch.isfinite(norm)
        opt.step()
        value = loss.item()
        assert bool(finite), "diverged"
        return (time.perf_counter() - s) * 1000, value

    if args.check:
        # The same-step check (bench/verify.ts): no dropout, so both sides compute the same numbers.
        ids, mask = train[0]
        model.eval()
        z = torch.tanh(model.mlp(model.cls(torch.cat([ids, ids]), torch.cat([mask, mask]))))
        loss = simcse_loss(z, ids.shape[0], args.temperature)
        loss.backward()
        norm = torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(p.grad) for p in params if p.grad is not None]))
        with open(args.out, "w") as f:
            json.dump({"loss": loss.item(), "gradNorm": norm.item()}, f)
        return

    first_ms, _ = step()
    ttfs_ms = (time.perf_counter() - T_START) * 1000
    for _ in range(args.warmup):
        step()
    step_ms, losses = [], []
    for _ in range(args.steps):
        ms, loss = step()
        step_ms.append(ms)
        losses.append(loss)

    profile = None
    if args.profile:
        from torch.profiler import ProfilerActivity, profile as tprofile

        with tprofile(activities=[ProfilerActivity.CPU]) as prof:
            step()
        rows = []
        for e in prof.key_averages():
            rows.append({"name": e.key, "ms": e.self_cpu_time_total / 1000, "calls": e.count})
        rows.sort(key=lambda r: -r["ms"])
        profile = {"kernelMs": sum(r["ms"] for r in rows), "kernels": rows[:25]}

    model.eval()

    def embed_pass(bs):
        with torch.inference_mode():
            out = torch.cat([model.cls(ids, mask) for ids, mask in bs])
            out.numpy()  # the read

    lengths = sorted({b[0].shape[1] for b in embed})
    w = time.perf_counter()
    embed_pass([next(b for b in embed if b[0].shape[1] == L) for L in lengths])
    warmup_ms = (time.perf_counter() - w) * 1000
    pass_ms = []
    for _ in range(args.embed_passes):
        s = time.perf_counter()
        embed_pass(embed)
        pass_ms.append((time.perf_counter() - s) * 1000)

    result = {
        "backend": "torch",
        "torch": torch.__version__,
        "python": platform.python_version(),
        "threads": torch.get_num_threads(),
        "blas": os.path.realpath("/usr/lib/x86_64-linux-gnu/libblas.so.3"),
        "parameters": sum(p.numel() for p in params),
        "importMs": (T_IMPORTED - T_START) * 1000,
        "setupMs": setup_ms,
        "firstStepMs": first_ms,
        "timeToFirstStepMs": ttfs_ms,
        "stepMs": step_ms,
        "losses": losses,
        "batchSize": train[0][0].shape[0],
        "maxRssBytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "embed": {
            "sentences": sum(b[0].shape[0] for b in embed),
            "lengths": lengths,
            "warmupMs": warmup_ms,
            "passMs": pass_ms,
        },
        "summary": {"stepMs": summary(step_ms), "embedPassMs": summary(pass_ms)},
    }
    if profile:
        result["profile"] = profile
    with open(args.out, "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main()
