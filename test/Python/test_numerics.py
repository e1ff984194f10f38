"""An encoder block written with encoder.builder, compiled and run from
Python, against PyTorch (float64) on fresh random weights and inputs."""

import numpy as np
import pytest
import torch

import encoder
from encoder import builder

from conftest import random_weights

VOCAB, DIM, HEADS, FFN, CLASSES = 50, 32, 4, 64, 5


def encoder_block():
    """embedding -> layer_norm -> attention (padding mask) -> linear + gelu
    -> mean pool -> classifier -> cross entropy."""
    m = builder.Module()
    f = m.function("main")
    seq = dict(dtype="i64", dim_names=["batch", "sequence"], dim_max=[None, 64])
    ids = f.input("input_ids", [None, None], **seq)
    mask = f.input("attention_mask", [None, None], **seq)
    labels = f.input("labels", [None], dtype="i64", dim_names=["batch"])

    h = f.embedding(ids, f.param("embed", [VOCAB, DIM]))
    h = f.layer_norm(h, f.param("norm.weight", [DIM]), f.param("norm.bias", [DIM]), epsilon=1e-5)

    def heads(x):
        sizes = [f.size(x, 0), f.size(x, 1), HEADS, DIM // HEADS]
        return f.transpose(f.expand_shape(x, [[0], [1], [2, 3]], sizes), [0, 2, 1, 3])

    q, k, v = (heads(f.linear(h, f.param(p + ".weight", [DIM, DIM]), f.param(p + ".bias", [DIM]))) for p in "qkv")
    mask4 = f.expand_shape(mask, [[0], [1, 2, 3]], [f.size(mask, 0), 1, 1, f.size(mask, 1)])
    context = f.collapse_shape(f.transpose(f.attention(q, k, v, mask4), [0, 2, 1, 3]), [[0], [1], [2, 3]])
    attended = f.linear(context, f.param("o.weight", [DIM, DIM]), f.param("o.bias", [DIM]))
    hidden = f.linear(attended, f.param("ffn.weight", [FFN, DIM]), f.param("ffn.bias", [FFN]), activation="gelu")
    pooled = f.pool("mean", hidden, mask)
    logits = f.linear(pooled, f.param("cls.weight", [CLASSES, FFN]), f.param("cls.bias", [CLASSES]))
    f.output("pooled", pooled)
    f.output("loss", f.cross_entropy(logits, labels))
    return m


def reference(w, ids, mask, labels):
    t = {k: torch.tensor(v, dtype=torch.float64) for k, v in w.items()}
    F = torch.nn.functional
    ids, mask, labels = map(torch.tensor, (ids, mask, labels))
    b, s = ids.shape
    h = F.embedding(ids, t["embed"])
    h = F.layer_norm(h, (DIM,), t["norm.weight"], t["norm.bias"], 1e-5)

    def heads(p):
        x = F.linear(h, t[p + ".weight"], t[p + ".bias"])
        return x.view(b, s, HEADS, DIM // HEADS).transpose(1, 2)

    q, k, v = heads("q"), heads("k"), heads("v")
    scores = q @ k.transpose(-1, -2) / (DIM // HEADS) ** 0.5
    scores = scores.masked_fill(mask[:, None, None, :] == 0, float("-inf"))
    context = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, s, DIM)
    attended = F.linear(context, t["o.weight"], t["o.bias"])
    hidden = F.gelu(F.linear(attended, t["ffn.weight"], t["ffn.bias"]))
    m = mask[..., None].double()
    pooled = (hidden * m).sum(1) / m.sum(1)
    logits = F.linear(pooled, t["cls.weight"], t["cls.bias"])
    return pooled.numpy(), F.cross_entropy(logits, labels).numpy()


def relative_error(actual, expected):
    return float(np.max(np.abs(actual - expected)) / max(np.max(np.abs(expected)), 1e-30))


@pytest.fixture(scope="module")
def block():
    return encoder.compile(encoder_block())


@pytest.mark.parametrize("batch,seq", [(2, 7), (3, 16)])
def test_block_matches_pytorch(block, rng, batch, seq):
    w = random_weights(block, rng, scale=0.3)
    block.bind(w)
    ids = rng.integers(0, VOCAB, (batch, seq))
    mask = np.ones((batch, seq), np.int64)
    mask[0, seq - 3 :] = 0  # padding in one row
    labels = rng.integers(0, CLASSES, (batch,))
    pooled, loss = block.main(ids, mask, labels)
    ref_pooled, ref_loss = reference(w, ids, mask, labels)
    assert pooled.shape == (batch, FFN) and loss.shape == ()
    assert relative_error(pooled, ref_pooled) < 1e-5
    assert relative_error(loss, ref_loss) < 1e-5


def test_weights_from_safetensors_equal_weights_from_arrays(block, rng, tmp_path):
    from encoder.safetensors import save_file

    w = random_weights(block, rng)
    path = tmp_path / "w.safetensors"
    save_file(w, str(path))
    ids = rng.integers(0, VOCAB, (2, 9))
    mask = np.ones((2, 9), np.int64)
    labels = np.array([1, 3])
    from_file = encoder.load(block.path, weights=str(path)).main(ids, mask, labels)
    torch_weights = {k: torch.from_numpy(v) for k, v in w.items()}
    from_tensors = encoder.load(block.path, weights=torch_weights).main(ids, mask, labels)
    for a, b in zip(from_file, from_tensors):
        np.testing.assert_array_equal(a, b)
