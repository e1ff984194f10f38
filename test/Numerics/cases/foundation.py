"""Foundation cases: the first op set, a full encoder block and the
tiny_bert example. Each case draws weights and inputs with `c` and returns
the expected outputs (see reference.py)."""

import math

import numpy as np
import torch
import torch.nn.functional as F

def encoder_block(c):
    batch, seq, vocab, dim, heads, ffn, classes = 2, 8, 50, 32, 4, 64, 5
    ids = c.input(c.rng.integers(0, vocab, (batch, seq), dtype=np.int64))
    lengths = [seq, 5]
    mask_np = np.zeros((batch, seq), dtype=np.int64)
    for b, n in enumerate(lengths):
        mask_np[b, :n] = 1
    mask = c.input(mask_np)
    labels = c.input(c.rng.integers(0, classes, (batch,), dtype=np.int64))

    table = c.weight("embeddings.word_embeddings.weight", c.normal((vocab, dim)))
    ln_w = c.weight("embeddings.LayerNorm.weight", c.normal((dim,), 0.1, 1.0))
    ln_b = c.weight("embeddings.LayerNorm.bias", c.normal((dim,), 0.1))
    proj = {}
    for name in ["query", "key", "value", "output"]:
        proj[name] = (
            c.weight(f"attention.{name}.weight", c.normal((dim, dim), dim**-0.5)),
            c.weight(f"attention.{name}.bias", c.normal((dim,), 0.1)),
        )
    w1 = c.weight("intermediate.dense.weight", c.normal((ffn, dim), dim**-0.5))
    b1 = c.weight("intermediate.dense.bias", c.normal((ffn,), 0.1))
    w2 = c.weight("output.dense.weight", c.normal((dim, ffn), ffn**-0.5))
    b2 = c.weight("output.dense.bias", c.normal((dim,), 0.1))
    wc = c.weight("classifier.weight", c.normal((classes, dim), dim**-0.5))
    bc = c.weight("classifier.bias", c.normal((classes,), 0.1))

    h = F.layer_norm(F.embedding(ids, table), (dim,), ln_w, ln_b, eps=1e-12)
    mha = torch.nn.MultiheadAttention(dim, heads, batch_first=True, dtype=torch.float64)
    with torch.no_grad():
        mha.in_proj_weight.copy_(torch.cat([proj[n][0] for n in ["query", "key", "value"]]))
        mha.in_proj_bias.copy_(torch.cat([proj[n][1] for n in ["query", "key", "value"]]))
        mha.out_proj.weight.copy_(proj["output"][0])
        mha.out_proj.bias.copy_(proj["output"][1])
    mha.eval()
    with torch.no_grad():
        attn, _ = mha(h, h, h, key_padding_mask=(mask == 0), need_weights=False)
    ff = F.linear(F.gelu(F.linear(attn + h, w1, b1)), w2, b2)
    weights = mask.double().unsqueeze(-1)
    pooled = (ff * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
    logits = F.linear(pooled, wc, bc)
    return [F.cross_entropy(logits, labels), logits, pooled]


def tiny_bert(c):
    """examples/tiny_bert.mlir: BERT layers are nn.TransformerEncoderLayer
    (post-LN, GELU), the pooler is tanh(Linear) on the first token."""
    batch, seq, vocab, dim, heads, ffn, layers, classes = 2, 16, 1000, 64, 4, 256, 2, 3
    ids = c.input(c.rng.integers(0, vocab, (batch, seq), dtype=np.int64))
    mask_np = np.ones((batch, seq), dtype=np.int64)
    mask_np[1, 11:] = 0
    mask = c.input(mask_np)

    def dense(name, n_out, n_in):
        return (c.weight(f"{name}.weight", c.normal((n_out, n_in), n_in**-0.5)),
                c.weight(f"{name}.bias", c.normal((n_out,), 0.1)))

    def norm(name):
        return (c.weight(f"{name}.weight", c.normal((dim,), 0.1, 1.0)),
                c.weight(f"{name}.bias", c.normal((dim,), 0.1)))

    words = c.weight("bert.embeddings.word_embeddings.weight", c.normal((vocab, dim)))
    positions = c.weight("bert.embeddings.position_embeddings.weight", c.normal((512, dim)))
    emb_norm = norm("bert.embeddings.LayerNorm")
    h = F.embedding(ids, words) + positions[:seq]
    h = F.layer_norm(h, (dim,), *emb_norm, eps=1e-12)
    for i in range(layers):
        p = f"bert.encoder.layer.{i}"
        q, k, v = (dense(f"{p}.attention.self.{n}", dim, dim) for n in ["query", "key", "value"])
        layer = torch.nn.TransformerEncoderLayer(
            dim, heads, ffn, dropout=0.0, activation="gelu", layer_norm_eps=1e-12,
            batch_first=True, dtype=torch.float64)
        params = {
            "self_attn.in_proj_weight": torch.cat([q[0], k[0], v[0]]),
            "self_attn.in_proj_bias": torch.cat([q[1], k[1], v[1]]),
        }
        for ours, theirs in [("attention.output.dense", "self_attn.out_proj"),
                             ("intermediate.dense", "linear1"), ("output.dense", "linear2")]:
            n_out, n_in = {"linear1": (ffn, dim), "linear2": (dim, ffn)}.get(theirs, (dim, dim))
            params[f"{theirs}.weight"], params[f"{theirs}.bias"] = dense(f"{p}.{ours}", n_out, n_in)
        for ours, theirs in [("attention.output.LayerNorm", "norm1"), ("output.LayerNorm", "norm2")]:
            params[f"{theirs}.weight"], params[f"{theirs}.bias"] = norm(f"{p}.{ours}")
        layer.load_state_dict(params)
        layer.eval()
        with torch.no_grad():
            h = layer(h, src_key_padding_mask=(mask == 0))
    pooled = torch.tanh(F.linear(h[:, 0], *dense("bert.pooler.dense", dim, dim)))
    logits = F.linear(pooled, *dense("classifier", classes, dim))
    return [logits, pooled]


def linear(c):
    x = c.input(c.normal((3, 5, 7)))
    v = c.input(c.normal((7,)))
    d = c.input(c.normal((2, 9, 7)))  # the model's dynamic input
    w = c.weight("w", c.normal((4, 7)))
    b = c.weight("b", c.normal((4,)))
    return [F.linear(x, w, b), F.linear(v, w), F.linear(d, w, b)]


def layer_norm(c):
    # Rows whose mean is large against their spread: a one-pass variance
    # (E[x²] - E[x]²) loses ~3e-5 here, the two-pass one ~2e-6.
    x = c.input(c.normal((4, 6, 48), 1.0, 30.0))
    g = c.weight("weight", c.normal((48,), 0.2, 1.0))
    b = c.weight("bias", c.normal((48,), 0.2))
    return [F.layer_norm(x, (48,), g, b, eps=1e-5), F.layer_norm(x, (48,), eps=1e-6)]


def rms_norm(c):
    # T5LayerNorm's forward (Hugging Face transformers), and without a scale.
    def t5_layer_norm(x, weight, eps):
        y = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps)
        return y if weight is None else weight * y

    x = c.input(c.normal((4, 6, 48), 1.0, 3.0))
    g = c.weight("weight", c.normal((48,), 0.2, 1.0))
    return [t5_layer_norm(x, g, 1e-6), t5_layer_norm(x, None, 1e-3)]


def activations(c):
    x = c.input(c.normal((16, 64), 3.0))
    return [
        F.gelu(x),
        F.gelu(x, approximate="tanh"),
        x * torch.sigmoid(1.702 * x),
        F.relu(x),
        F.silu(x),
        torch.sigmoid(x),
        torch.tanh(x),
    ]


def sdpa(q, k, v, bias=None, keep=None, causal=False, scale=None):
    """softmax(q kᵀ · scale + bias) v, written from the definition."""
    scale = q.shape[-1] ** -0.5 if scale is None else scale
    scores = q @ k.transpose(-1, -2) * scale
    if bias is not None:
        scores = scores + bias
    if keep is not None:
        scores = scores.masked_fill(~keep, -math.inf)
    if causal:
        future = torch.ones(q.shape[-2], k.shape[-2], dtype=torch.bool).triu(1)
        scores = scores.masked_fill(future, -math.inf)
    return torch.softmax(scores, dim=-1) @ v


def attention(c):
    q = c.input(c.normal((2, 3, 6, 8)))
    k = c.input(c.normal((2, 3, 6, 8)))
    v = c.input(c.normal((2, 3, 6, 5)))
    kl = c.input(c.normal((2, 3, 9, 8)))
    vl = c.input(c.normal((2, 3, 9, 5)))
    additive = c.input(c.normal((2, 1, 1, 6), 2.0))
    keep_np = c.rng.random((1, 3, 6, 6)) > 0.3
    keep_np[..., 0] = True  # every query sees at least one key
    keep = c.input(keep_np)
    padding_np = np.array([[1, 1, 1, 1, 1, 1], [1, 1, 1, 0, 0, 0]], dtype=np.int64).reshape(2, 1, 1, 6)
    padding = c.input(padding_np)
    bias = c.input(c.normal((1, 3, 6, 6), 2.0))
    query_bias = c.input(c.normal((1, 1, 6, 9), 2.0))
    return [
        sdpa(q, k, v, bias=additive),
        sdpa(q, k, v, causal=True),
        sdpa(q, kl, vl, causal=True),
        sdpa(q, k, v, keep=keep),
        sdpa(q, k, v, keep=padding != 0, scale=0.3),
        sdpa(q, k, v, bias=bias, keep=padding != 0, scale=1.0),
        sdpa(q, kl, vl, bias=query_bias, causal=True),
    ]


def embedding(c):
    ids = c.input(c.rng.integers(0, 30, (2, 6), dtype=np.int64))
    ids32 = c.input(c.rng.integers(0, 30, (5,), dtype=np.int32))
    table = c.weight("table", c.normal((30, 12)))
    return [F.embedding(ids, table), F.embedding(ids32.long(), table)]


def pool(c):
    h = c.input(c.normal((3, 7, 10)))
    mask_np = np.zeros((3, 7), dtype=np.int64)
    for b, n in enumerate([7, 4, 1]):
        mask_np[b, :n] = 1
    mask = c.input(mask_np)
    float_mask = c.input(mask_np[:, ::-1].astype(np.float32).copy())
    weights = mask.double().unsqueeze(-1)
    masked_max = h.masked_fill(float_mask.unsqueeze(-1) == 0, -math.inf).amax(1)
    return [
        h[:, 0],
        h.mean(1),
        (h * weights).sum(1) / weights.sum(1).clamp(min=1e-9),
        h.amax(1),
        masked_max,
        h[:, -1],
        h[torch.arange(3), mask.sum(1) - 1],  # the last real token
    ]


def cross_entropy(c):
    logits = c.input(c.normal((2, 6, 11), 2.0))
    labels_np = c.rng.integers(0, 11, (2, 6), dtype=np.int64)
    labels_np[0, 2] = labels_np[1, 5] = -100
    labels = c.input(labels_np)
    logits2 = c.input(c.normal((5, 4), 2.0))
    labels2 = c.input(np.array([0, 3, 1, 0, 2], dtype=np.int32))
    by_class = logits.permute(0, 2, 1)  # PyTorch wants classes in dim 1
    return [
        F.cross_entropy(by_class, labels),
        F.cross_entropy(by_class, labels, reduction="sum"),
        F.cross_entropy(by_class, labels, reduction="none"),
        F.cross_entropy(logits2, labels2.long(), ignore_index=0),
    ]


CASES = [encoder_block, tiny_bert, linear, layer_norm, rms_norm, activations, attention, embedding, pool,
         cross_entropy]
