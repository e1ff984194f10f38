"""Graph-level fusion cases: models whose compiled form goes through
enc-recognize-attention, enc-merge-projections, enc-fuse-linear-epilogue
and enc-fuse-residual-norm. The references compute what the model says,
written from the definitions (or PyTorch modules), never from the fused
forms."""

import math

import numpy as np
import torch
import torch.nn.functional as F


def attend(q, k, v, scale, bias=None):
    scores = q @ k.transpose(-1, -2) * scale
    if bias is not None:
        scores = scores + bias
    return torch.softmax(scores, dim=-1) @ v


def fusion_attention(c):
    """models/fusion_attention.mlir: hand-written attention in four forms."""
    bh, sq, skv = 6, 5, 7
    q = c.input(c.normal((bh, sq, 8)))
    k = c.input(c.normal((bh, skv, 8)))
    v = c.input(c.normal((bh, skv, 4)))
    mask = c.input(c.normal((bh, sq, skv), 2.0))
    q4 = c.input(c.normal((2, 3, 5, 8)))
    k4 = c.input(c.normal((2, 3, 7, 8)))
    v4 = c.input(c.normal((2, 3, 7, 4)))
    padding = np.zeros((2, 7), dtype=np.float32)
    padding[1, 4:] = -1e4  # the second sequence has four real keys
    bias = c.input(padding)
    q2 = c.input(c.normal((5, 8)))
    k2 = c.input(c.normal((7, 8)))
    v2 = c.input(c.normal((7, 4)))
    # The model's f32 constant for 1/sqrt(8).
    inv_sqrt_d = float(np.float32(1 / math.sqrt(8)))
    return [
        attend(q, k, v, inv_sqrt_d, mask),
        attend(q4, k4, v4, 0.125, bias[:, None, None, :]),
        attend(q, k, v, 0.5),
        attend(q2, k2, v2, 1.0),
    ]


def fusion_post_ln(c):
    """models/fusion_post_ln.mlir: nn.TransformerEncoderLayer (post-LN,
    GELU) on a padded batch, then tail = out + tanh(Linear(out)) and its
    layer norm."""
    batch, seq, dim, heads, ffn = 2, 6, 32, 4, 64
    x = c.input(c.normal((batch, seq, dim)))
    mask_np = np.ones((batch, seq), dtype=np.int64)
    mask_np[1, 4:] = 0
    mask = c.input(mask_np)

    def dense(name, n_out, n_in):
        return (c.weight(f"{name}.weight", c.normal((n_out, n_in), n_in**-0.5)),
                c.weight(f"{name}.bias", c.normal((n_out,), 0.1)))

    def norm(name):
        return (c.weight(f"{name}.weight", c.normal((dim,), 0.1, 1.0)),
                c.weight(f"{name}.bias", c.normal((dim,), 0.1)))

    q, k, v = (dense(f"attention.{n}", dim, dim) for n in ["query", "key", "value"])
    layer = torch.nn.TransformerEncoderLayer(
        dim, heads, ffn, dropout=0.0, activation="gelu", layer_norm_eps=1e-12,
        batch_first=True, dtype=torch.float64)
    params = {
        "self_attn.in_proj_weight": torch.cat([q[0], k[0], v[0]]),
        "self_attn.in_proj_bias": torch.cat([q[1], k[1], v[1]]),
    }
    params["self_attn.out_proj.weight"], params["self_attn.out_proj.bias"] = \
        dense("attention.output.dense", dim, dim)
    params["norm1.weight"], params["norm1.bias"] = norm("attention.output.LayerNorm")
    params["linear1.weight"], params["linear1.bias"] = dense("intermediate.dense", ffn, dim)
    params["linear2.weight"], params["linear2.bias"] = dense("output.dense", dim, ffn)
    params["norm2.weight"], params["norm2.bias"] = norm("output.LayerNorm")
    layer.load_state_dict(params)
    layer.eval()
    with torch.no_grad():
        out = layer(x, src_key_padding_mask=(mask == 0))
    tail = out + torch.tanh(F.linear(out, *dense("tail", dim, dim)))
    return [out, tail, F.layer_norm(tail, (dim,), eps=1e-5)]


def fusion_projections(c):
    """models/fusion_projections.mlir: F.linear per projection."""
    x = c.input(c.normal((2, 3, 16)))
    u = c.input(c.normal((16,)))

    def w(name, n_out, bias=True):
        weight = c.weight(f"{name}.weight", c.normal((n_out, 16), 0.25))
        return weight, (c.weight(f"{name}.bias", c.normal((n_out,), 0.1)) if bias else None)

    a, b, cc = w("a", 8), w("b", 4), w("c", 12)
    d, e = w("d", 4, bias=False), w("e", 6, bias=False)
    f, g = w("f", 5), w("g", 3)
    return [F.linear(x, *a), F.linear(x, *b), F.linear(x, *cc), F.linear(x, *d),
            F.linear(x, *e), F.linear(u, *f), F.linear(u, *g)]


CASES = [fusion_attention, fusion_post_ln, fusion_projections]
