"""encoder.builder writes IR that encoder-opt accepts, for every enc op;
encoder.models' Python-built text families print exactly what the C++
frontend (encoder-compile's) builds."""

import json
import os

import numpy as np
import pytest

import encoder
from encoder import builder, models
from encoder.safetensors import save_file

from conftest import EXAMPLES, tool


def opt(text, tmp_path, name="ir.mlir"):
    """The IR as encoder-opt prints it (parsed and verified)."""
    path = tmp_path / name
    path.write_text(text)
    result = tool("encoder-opt", str(path))
    assert result.returncode == 0, result.stderr
    return result.stdout


def every_op():
    """One function per group of enc ops, each op used at least once."""
    m = builder.Module()

    f = m.function("layers")
    x = f.input("x", [None, 8, 16], dim_names=["batch", "", ""])
    w, bias = f.param("w", [16, 16]), f.param("b", [16])
    h = f.linear(x, w, bias, residual=x, activation="gelu_tanh")
    h = f.layer_norm(h, f.param("g", [16]), bias, epsilon=1e-6, residual=x)
    h = f.activation("silu", f.rms_norm(h, f.param("rms", [16]), epsilon=1e-5))
    c = f.conv1d(h, f.param("conv", [8, 8, 3]), f.param("conv.b", [8]), stride=2, padding=1)
    c = f.group_norm(c, 4, f.param("gn.w", [8]), f.param("gn.b", [8]))
    wn = f.weight_norm(f.param("wn.g", [1, 1, 3]), f.param("wn.v", [8, 16, 3]), 2)
    f.output("conv", c)
    f.output("weight", wn)

    f = m.function("attention")
    q = f.input("q", [2, 4, 8, 16])
    mask = f.input("mask", [2, 1, 1, 8], dtype="i64")
    r = f.rotary(q, base=500.0, rotary_dim=8)
    bias = f.relative_position_bias(f.param("rel", [32, 4]), f.dim(q, 2), f.dim(q, 2), 32, 128)
    f.output("o", f.attention(r, r, q, mask, scale=0.25))
    f.output("causal", f.attention(q, q, q, causal=True))
    f.output("t5", f.attention(q, q, q, mask, scale=1.0, bias=bias))
    positions = f.param("positions", [1, 4, 16, 16])
    f.output("deberta", f.disentangled_attention(q, q, q, positions, positions, 0.14, mask,
                                                 position_buckets=8, max_relative_positions=24))
    seq = f.dim(q, 2)
    sinusoids = f.relative_sinusoid(seq, seq, 16, clamp=5)
    head_bias = f.param("head_bias", [4, 16])
    xl_positions = f.param("xl_positions", [1, 4, 16, 16])
    segment_ids = f.input("segment_ids", [2, 8], dtype="i64")
    f.output("xlnet", f.relative_attention(q, q, q, xl_positions, head_bias, head_bias, 0.25,
                                           segments=(segment_ids, f.param("segment_embed", [2, 4, 16]),
                                                     head_bias), mask=mask))
    f.output("sinusoids", sinusoids)
    f.output("bias", bias)
    states = f.input("states", [2, None, 16])
    context, _ = f.additive_attention(f.input("decoder", [2, 16]),
                                      states, states, f.param("score", [16]))
    f.output("additive", context)
    grid = f.input("grid", [None, 8, 12, 16])
    windows = f.window_partition(grid, 4, shift=2)
    f.output("windows", f.window_merge(windows, 8, 12, 4, shift=2))
    f.output("window_bias", f.window_bias(f.param("window_table", [49, 4]), 4, (8, 12), shift=2))

    f = m.function("embeddings")
    ids = f.input("ids", [None, 6], dtype="i64")
    pixels = f.input("pixels", [None, 3, 32, 32])
    audio = f.input("audio", [None, 1600])
    e = f.embedding(ids, f.param("table", [100, 48]))
    f.output("positions", f.positional_encoding("sinusoidal", e))
    tokens = f.patch_embed(pixels, f.param("pw", [48, 3, 8, 8]), f.param("pb", [48]), [8, 8], f.param("cls", [1, 1, 48]))
    target = f.patchify(pixels, [8, 8], normalize=True)
    keep, _, restore = f.random_mask(target, 0.75, seed=3)
    f.output("tokens", tokens)
    f.output("visible", f.gather_visible(target, keep))
    f.output("restore", restore)
    f.output("mel", f.log_mel(audio, n_fft=400, hop_length=160, n_mels=80))
    f.output("max_pool", f.max_pool2d(pixels, (3, 3), (2, 2), (1, 1), ceil_mode=True))
    f.output("avg_pool", f.avg_pool2d(pixels, (2, 2), count_include_pad=False))
    f.output("global_pool", f.adaptive_avg_pool2d(pixels, (1, 1)))
    f.output("upsampled", f.upsample2d(pixels, (64, 64), "bilinear", align_corners=True))

    f = m.function("heads")
    a = f.input("a", [None, 32])
    p = f.input("p", [None, 32])
    n = f.input("n", [None, 32])
    hidden = f.input("hidden", [None, None, 32])
    pad = f.input("pad", [None, None], dtype="i64")
    labels = f.input("labels", [None], dtype="i64")
    f.output("mean", f.pool("mean", hidden, pad))
    f.output("max", f.pool("max", hidden))
    logits = f.similarity("dot", f.l2_normalize(a), f.l2_normalize(p), f.param("t", []), f.param("bias", []), exp_scale=True)
    f.output("cosine", f.similarity("cosine", a, p))
    f.output("clip", f.contrastive(logits))
    f.output("siglip", f.sigmoid_contrastive(logits))
    f.output("ce", f.cross_entropy(a, labels, reduction="none"))
    f.output("mse", f.mse(a, p))
    f.output("kl", f.kl_divergence(a, p, reduction="sum"))
    f.output("z", f.reparameterize(a, p, seed=1))
    f.output("bce", _bce(f, hidden, pad))
    f.output("triplet", f.triplet(a, p, n, margin=0.5))
    f.output("nt_xent", f.nt_xent(a, temperature=0.2))
    f.output("moco", f.queue_info_nce(a, p, f.param("queue", [32, 64])))
    f.output("masked", f.mask_noise(a, 0.25, seed=3))
    f.output("noisy", f.gaussian_noise(a, 0.1, noise=p))
    f.output("l1", f.l1_penalty(a))
    f.output("kl_sparsity", f.kl_sparsity(f.activation("sigmoid", a), target=0.1))
    f.output("contractive", f.contractive_penalty(a, f.param("encoder", [32, 16]), activation="tanh"))
    loss, center = f.dino_loss(a, p, f.param("center", [32]))
    f.output("dino", loss)
    f.output("center", center)
    return m


def _bce(f, hidden, pad):
    del pad
    logits = f.pool("cls", hidden)  # [batch, 32]
    targets = f.zeros([f.size(logits, 0), 32], "i64")
    return f.binary_cross_entropy(logits, targets)


def test_every_op_is_accepted_by_encoder_opt(tmp_path):
    m = every_op()
    printed = opt(m.to_mlir(), tmp_path)
    used = {line.split("=", 1)[-1].split()[0] for line in printed.splitlines() if "enc." in line}
    ops = {
        "linear", "layer_norm", "rms_norm", "activation", "group_norm", "conv1d", "weight_norm", "attention",
        "disentangled_attention", "relative_attention", "relative_sinusoid", "rotary",
        "relative_position_bias", "additive_attention", "window_partition", "window_merge", "window_bias",
        "embedding", "positional_encoding", "patch_embed", "patchify",
        "random_mask", "gather_visible", "log_mel", "pool", "max_pool2d", "avg_pool2d", "adaptive_avg_pool2d",
        "upsample2d", "l2_normalize", "similarity", "cross_entropy",
        "contrastive", "sigmoid_contrastive", "mse", "kl_divergence", "reparameterize",
        "binary_cross_entropy", "triplet", "nt_xent", "queue_info_nce", "mask_noise", "gaussian_noise", "l1_penalty",
        "kl_sparsity", "contractive_penalty", "dino_loss", "param",
    }
    missing = {op for op in ops if not any(u.endswith("enc." + op) for u in used)}
    assert not missing, printed
    # The compiler's own printer agrees with encoder-opt's.
    assert m.pretty().strip() == printed.strip()


def test_builder_ir_compiles_and_runs(rng):
    m = builder.Module()
    f = m.function("main")
    x = f.input("x", [None, 4], dim_names=["batch", ""])
    f.output("y", f.activation("relu", f.linear(x, f.param("w", [3, 4]))))
    module = encoder.compile(m, weights={"w": np.eye(3, 4, dtype=np.float32)})
    np.testing.assert_array_equal(module.main(np.array([[-1, 2, -3, 4.0]], np.float32)), [[0, 2, 0]])


def test_builder_errors():
    f = builder.Module().function()
    x = f.input("x", [2, 4])
    with pytest.raises(builder.BuilderError, match="unknown activation 'gelu2'"):
        f.activation("gelu2", x)
    with pytest.raises(builder.BuilderError, match="unknown element type"):
        f.input("y", [2], dtype="f8")
    m = builder.Module()
    f = m.function()
    x = f.input("x", [2, 4])
    f.output("y", f.linear(x, f.param("w", [3, 5])))  # in features disagree
    with pytest.raises(encoder.CompileError, match=r"<string>:\d+:\d+: error: 'enc.linear' op"):
        m.verify()


@pytest.mark.parametrize("family", models.text.TEXT_FAMILIES)
def test_python_text_families_equal_the_frontend(family, tmp_path):
    directory = os.path.join(EXAMPLES, family)
    python = getattr(models, family)(directory)
    frontend = models.frontend(directory)
    assert "enc." in python
    assert opt(python, tmp_path, "python.mlir") == opt(frontend, tmp_path, "frontend.mlir")


def test_sentence_pooling_and_checkpoint_names_equal_the_frontend(tmp_path):
    config = json.load(open(os.path.join(EXAMPLES, "bert", "config.json")))
    directory = tmp_path / "checkpoint"
    directory.mkdir()
    (directory / "config.json").write_text(json.dumps(config))
    # A checkpoint with a `bert.` prefix and no pooler: both change the IR.
    save_file({"bert.embeddings.word_embeddings.weight": np.zeros((1, 1), np.float32)}, str(directory / "model.safetensors"))
    for kwargs in ({}, {"pool": "mean", "normalize": True}, {"pool": "cls"}):
        python = models.bert(str(directory), **kwargs)
        frontend = models.frontend(str(directory), **kwargs)
        assert opt(python, tmp_path, "p.mlir") == opt(frontend, tmp_path, "f.mlir")
    assert '"bert.encoder.layer.0.attention.self.query.weight"' in python
    assert "pooler" not in models.bert(str(directory))
    # A dict works like a config.json.
    assert models.bert(config) == models.bert(os.path.join(EXAMPLES, "bert"))


def test_other_families_come_from_the_frontend():
    ir = models.vit(os.path.join(EXAMPLES, "vit"))
    assert "enc.patch_embed" in ir
    # The families of issue 20, by what makes each one.
    for family, op in (("t5", "enc.rms_norm"), ("mt5", "enc.relative_position_bias"),
                       ("bart", "enc.positional_encoding learned"), ("hubert", "enc.conv1d"),
                       ("deberta-v2", "enc.disentangled_attention"), ("swin", "enc.patch_embed"),
                       ("xlnet", "enc.relative_attention")):
        python_name = family.replace("-", "_")
        assert op in getattr(models, python_name)(os.path.join(EXAMPLES, family)), family
    assert "enc.pool mean" in models.t5(os.path.join(EXAMPLES, "t5"), pool="mean")
    with pytest.raises(encoder.CompileError, match="missing key 'vocab_size'"):
        models.bert({"model_type": "bert"})
