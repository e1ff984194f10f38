"""Derived parameters (enc-hoist-weight-only): weight-only values computed
by an internal function of the artifact at the first call after a binding.
They must follow the weights: rebinding any tensor they read recomputes
them, and the internal function is not a user-facing function."""

import os
import shutil

import numpy as np

import encoder
from conftest import EXAMPLES, tool


def deberta_weights(module, seed):
    rng = np.random.default_rng(seed)
    weights = {}
    for p in module["main"].params:
        shape = tuple(p.shape)
        scale = 1.0 if p.name.endswith("LayerNorm.weight") else 0.2
        shift = 1.0 if p.name.endswith("LayerNorm.weight") else 0.0
        weights[p.name] = (rng.standard_normal(shape) * 0.1 * scale + shift).astype(np.float32)
    return weights


def test_rebinding_recomputes_derived_values(tmp_path):
    source = os.path.join(EXAMPLES, "deberta-v2")
    module = encoder.compile(source)
    names = [p.name for p in module["main"].params]
    # The relative embeddings are read by the derivation only, yet the user
    # binds them like any checkpoint tensor; no derived name is listed.
    assert "encoder.rel_embeddings.weight" in names
    assert not any("#derived" in n for n in names)
    assert list(module.functions) == ["main"]

    ids = np.array([[5, 17, 42, 7, 99, 3]], dtype=np.int64)
    first = deberta_weights(module, 1)
    second = deberta_weights(module, 2)
    module.bind(first)
    out_first = module["main"](ids)
    module.bind(second)
    out_second = module["main"](ids)
    # A fresh module bound to the second weights agrees: nothing stale.
    fresh = encoder.compile(source)
    fresh.bind(second)
    np.testing.assert_array_equal(out_second, fresh["main"](ids))
    assert not np.allclose(out_first, out_second)
    # Rebinding one tensor that only the derivation reads is enough.
    changed = dict(second)
    changed["encoder.rel_embeddings.weight"] = first["encoder.rel_embeddings.weight"]
    module.bind({"encoder.rel_embeddings.weight": changed["encoder.rel_embeddings.weight"]})
    fresh.bind(changed)
    np.testing.assert_array_equal(module["main"](ids), fresh["main"](ids))


def test_hoisting_can_be_switched_off(tmp_path):
    source = os.path.join(EXAMPLES, "deberta-v2")
    hoisted = encoder.compile(source)
    plain = encoder.compile(source, disable=["weight-hoisting"])
    weights = deberta_weights(hoisted, 3)
    hoisted.bind(weights)
    plain.bind(weights)
    ids = np.array([[5, 17, 42, 7, 99, 3], [8, 9, 10, 0, 0, 0]], dtype=np.int64)
    mask = (ids != 0).astype(np.int64)
    np.testing.assert_allclose(hoisted["main"](ids, mask), plain["main"](ids, mask), rtol=1e-5, atol=1e-5)
    for flags, derived in (([], True), (["--disable=weight-hoisting"], False)):
        ir = tool("encoder-compile", source, "--emit=enc", *flags)
        assert ir.returncode == 0, ir.stderr
        assert ("enc.derive" in ir.stdout) == derived
