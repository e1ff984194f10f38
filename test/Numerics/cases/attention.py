"""Attention cases at lengths the flash lowering must cut into uneven blocks.
Each case draws inputs with `c` and returns the expected outputs (see
reference.py); the references are written from the definition of
scaled dot-product attention, in float64."""

import math

import numpy as np
import torch


def reference_attention(q, k, v, bias=None, keep=None, causal=False, scale=None):
    """softmax(q kᵀ · scale + bias) v over the last two dimensions, with
    `keep` (broadcast) dropping scores and a top-left causal cut."""
    scale = q.shape[-1] ** -0.5 if scale is None else scale
    scores = torch.matmul(q, k.transpose(-1, -2)) * scale
    if bias is not None:
        scores = scores + bias
    if keep is not None:
        scores = scores.masked_fill(~keep, -math.inf)
    if causal:
        future = torch.ones(q.shape[-2], k.shape[-2], dtype=torch.bool).triu(1)
        scores = scores.masked_fill(future, -math.inf)
    return torch.matmul(torch.softmax(scores, dim=-1), v)


def attention_long(c):
    """models/attention_long.mlir: 333 queries and 517 keys (dynamic)."""
    batch, heads, q_len, kv_len, head_dim, v_dim = 2, 4, 333, 517, 64, 48
    q = c.input(c.normal((batch, heads, q_len, head_dim)))
    k = c.input(c.normal((batch, heads, kv_len, head_dim)))
    v = c.input(c.normal((batch, heads, kv_len, v_dim)))
    # The second sequence is padded on both sides: its first 150 keys (more
    # than two key blocks) are hidden from every query.
    padding_np = np.ones((batch, 1, 1, kv_len), dtype=np.int64)
    padding_np[1, ..., :150] = 0
    padding_np[1, ..., -40:] = 0
    padding = c.input(padding_np)
    keep_np = c.rng.random((1, heads, q_len, kv_len)) > 0.4
    keep_np[..., 0] = True  # with the causal cut, query 0 sees key 0 only
    keep = c.input(keep_np)
    additive = c.input(c.normal((batch, 1, q_len, kv_len), 2.0))
    return [
        reference_attention(q, k, v, keep=padding != 0),
        reference_attention(q, k, v, causal=True),
        reference_attention(q, k, v, keep=keep, causal=True),
        reference_attention(k, q, q, causal=True, scale=0.1),
        reference_attention(q, k, v, bias=additive),
    ]


def attention_wide(c):
    """models/attention_wide.mlir: heads of 128 and 256 (smaller key
    blocks on the tensor cores), and keys and values as every other element
    of wider rows; 77 queries and 141 keys (dynamic)."""
    q_len, kv_len = 77, 141
    q = c.input(c.normal((1, 2, q_len, 128)))
    k = c.input(c.normal((1, 2, kv_len, 128)))
    v = c.input(c.normal((1, 2, kv_len, 128)))
    padding_np = np.ones((1, 1, 1, kv_len), dtype=np.int64)
    padding_np[..., 100:] = 0
    padding = c.input(padding_np)
    q2 = c.input(c.normal((1, 2, q_len, 256)))
    k2 = c.input(c.normal((1, 2, kv_len, 256)))
    v2 = c.input(c.normal((1, 2, kv_len, 80)))
    q3 = c.input(c.normal((1, 2, q_len, 64)))
    wide = c.input(c.normal((1, 2, kv_len, 128)))
    return [
        reference_attention(q, k, v, keep=padding != 0, causal=True),
        reference_attention(q2, k2, v2),
        reference_attention(q3, wide[..., 0::2], wide[..., 1::2], causal=True),
    ]


CASES = [attention_long, attention_wide]
