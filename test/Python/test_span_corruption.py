"""enc.span_corruption (T5's span corruption) against a reference written
from its documentation and from Hugging Face's FlaxDataCollatorForT5MLM:
the noise mask from the documented selection sampling over splitmix64
uniforms, then Hugging Face's create_sentinel_ids / filter_input_ids (in
NumPy) build the expected inputs and targets. Also: the pair reconstructs
the row, the counts follow T5's formulas, seeds and rows differ, the span
lengths are uniformly random compositions, short rows are refused."""

import collections
import itertools

import numpy as np
import pytest

import encoder
from conftest import hash_uniform, tool
from encoder import builder

SENTINEL, EOS = 32099, 1
uniform = hash_uniform


def counts(length, density, mean_span):
    noise = min(max(round(length * density), 1), length - 1)
    spans = max(round(min(noise, length - noise) / mean_span), 1)
    return noise, spans


def noise_mask(row, length, seed, density, mean_span):
    """The documented walk: spans alternate clean/noise from clean; after the
    t-th token of a kind (n of it, m breaks placed), the span ends when
    t = n - 1 or u · (n - 1 - t) < spans - 1 - m."""
    noise, spans = counts(length, density, mean_span)
    total = {True: noise, False: length - noise}
    seen = {True: 0, False: 0}
    placed = {True: 0, False: 0}
    is_noise, mask = False, []
    for _ in range(length):
        mask.append(is_noise)
        t, n = seen[is_noise], total[is_noise]
        u = uniform(seed, (2 * row + (0 if is_noise else 1)) * length + t)
        last = t == n - 1
        chosen = u * (n - 1 - t) < spans - 1 - placed[is_noise]
        placed[is_noise] += chosen and not last
        seen[is_noise] += 1
        if last or chosen:
            is_noise = not is_noise
    return np.array(mask)


def create_sentinel_ids(mask_indices, vocabulary):
    """Hugging Face's FlaxDataCollatorForT5MLM.create_sentinel_ids."""
    mask_indices = mask_indices.astype(np.int64)
    start_indices = mask_indices - np.roll(mask_indices, 1, axis=-1) * mask_indices
    start_indices[:, 0] = mask_indices[:, 0]
    sentinel_ids = np.where(start_indices != 0, np.cumsum(start_indices, axis=-1), start_indices)
    sentinel_ids = np.where(sentinel_ids != 0, vocabulary - sentinel_ids, 0)
    sentinel_ids -= mask_indices - start_indices
    return sentinel_ids


def filter_input_ids(input_ids, sentinel_ids):
    """Hugging Face's FlaxDataCollatorForT5MLM.filter_input_ids."""
    batch = input_ids.shape[0]
    full = np.where(sentinel_ids != 0, sentinel_ids, input_ids)
    kept = full[full >= 0].reshape((batch, -1))
    return np.concatenate([kept, np.full((batch, 1), EOS, dtype=np.int64)], axis=-1)


def reference(ids, seed, density, mean_span):
    batch, length = ids.shape
    mask = np.stack([noise_mask(b, length, seed, density, mean_span) for b in range(batch)])
    vocabulary = SENTINEL + 1  # len(tokenizer): <extra_id_0> is its last id
    inputs = filter_input_ids(ids, create_sentinel_ids(mask, vocabulary))
    targets = filter_input_ids(ids, create_sentinel_ids(~mask, vocabulary))
    return inputs, targets, mask


@pytest.fixture(scope="module")
def corrupt():
    artifacts = {}

    def run(ids, seed, density=0.15, mean_span=3.0):
        key = (density, mean_span)
        if key not in artifacts:
            m = builder.Module()
            f = m.function("main")
            x = f.input("input_ids", [None, None], dtype="i64")
            s = f.input("seed", [], dtype="i64")
            inputs, targets = f.span_corruption(x, s, density, SENTINEL, mean_noise_span_length=mean_span,
                                                eos_id=EOS)
            f.output("input_ids", inputs)
            f.output("labels", targets)
            artifacts[key] = encoder.compile(str(m))
        return artifacts[key]["main"](ids, np.array(seed, dtype=np.int64))

    return run


@pytest.mark.parametrize("length,density,mean_span", [
    (40, 0.15, 3.0), (512, 0.15, 3.0), (2, 0.15, 3.0), (7, 0.5, 1.0), (33, 0.9, 2.0), (100, 0.3, 7.5),
])
def test_matches_the_reference(corrupt, length, density, mean_span):
    rng = np.random.default_rng(length)
    ids = rng.integers(2, 32000, (3, length), dtype=np.int64)
    for seed in (0, 1, -5, 2**40 + 3):
        inputs, targets = corrupt(ids, seed, density, mean_span)
        want_inputs, want_targets, mask = reference(ids, seed, density, mean_span)
        np.testing.assert_array_equal(inputs, want_inputs)
        np.testing.assert_array_equal(targets, want_targets)
        noise, spans = counts(length, density, mean_span)
        assert (mask.sum(axis=1) == noise).all()
        assert inputs.shape == (3, length - noise + spans + 1)
        assert targets.shape == (3, noise + spans + 1)


def test_pair_reconstructs_the_row(corrupt):
    # T5's format: inputs [c0, <X0>, c1, <X1>, ...], targets [<X0>, n0, <X1>,
    # n1, ...]: each sentinel of the inputs stands for the tokens after the
    # same sentinel in the targets; sentinels count down from <extra_id_0>.
    rng = np.random.default_rng(1)
    ids = rng.integers(2, 32000, (4, 64), dtype=np.int64)
    inputs, targets = corrupt(ids, 11)
    assert (inputs[:, -1] == EOS).all() and (targets[:, -1] == EOS).all()
    for row in range(4):
        hidden, current = {}, None
        for token in targets[row][:-1]:
            if token > 32000:
                current = hidden.setdefault(token, [])
            else:
                current.append(token)
        sentinels = [t for t in inputs[row][:-1] if t > 32000]
        assert sentinels == list(range(SENTINEL, SENTINEL - len(sentinels), -1))
        assert sorted(hidden) == sorted(sentinels) and all(hidden.values())
        rebuilt = []
        for token in inputs[row][:-1]:
            rebuilt.extend(hidden[token] if token > 32000 else [token])
        np.testing.assert_array_equal(rebuilt, ids[row])


def test_deterministic_and_seeded(corrupt):
    ids = np.tile(np.arange(100, 228, dtype=np.int64), (2, 1))
    first, _ = corrupt(ids, 3)
    again, _ = corrupt(ids, 3)
    other, _ = corrupt(ids, 4)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)
    # Identical rows draw their own spans.
    assert not np.array_equal(first[0], first[1])


def test_span_lengths_are_uniform_compositions(corrupt):
    # length 10, density 0.3, mean span 1: 3 noise tokens in 3 spans, 7
    # clean ones in 3 parts: C(6, 2) = 15 compositions, each as likely.
    ids = np.arange(10, 10 + 10 * 600, dtype=np.int64).reshape(600, 10)
    seen = collections.Counter()
    for seed in range(5):
        _, _, mask = reference(ids, seed, 0.3, 1.0)
        inputs, _ = corrupt(ids, seed, 0.3, 1.0)
        for row in range(600):
            runs = [len(list(g)) for noisy, g in itertools.groupby(mask[row]) if not noisy]
            seen[tuple(runs)] += 1
        assert (inputs[:, :-1] > 32000).sum(axis=1).tolist() == [3] * 600
    assert len(seen) == 15
    assert max(seen.values()) < 1.4 * min(seen.values()), seen


def test_gpu_lowering_under_emulation(tmp_path):
    # The CUDA pipeline's host code runs the scan (no kernel is worth it for
    # a few thousand integers); under --gpu-emulation it must agree.
    m = builder.Module()
    f = m.function("main")
    x = f.input("input_ids", [None, None], dtype="i64")
    s = f.input("seed", [], dtype="i64")
    inputs, targets = f.span_corruption(x, s, 0.15, SENTINEL)
    f.output("input_ids", inputs)
    f.output("labels", targets)
    source = tmp_path / "span.mlir"
    source.write_text(str(m))
    artifact = tmp_path / "span.so"
    result = tool("encoder-compile", str(source), "--target=cuda", "--gpu-emulation", "-o", str(artifact))
    assert result.returncode == 0, result.stderr
    ids = np.random.default_rng(2).integers(2, 32000, (3, 57), dtype=np.int64)
    got = encoder.load(str(artifact))["main"](ids, np.array(9, dtype=np.int64))
    want_inputs, want_targets, _ = reference(ids, 9, 0.15, 3.0)
    np.testing.assert_array_equal(got[0], want_inputs)
    np.testing.assert_array_equal(got[1], want_targets)


def test_empty_batch_and_i32_ids(corrupt):
    inputs, targets = corrupt(np.zeros((0, 40), dtype=np.int64), 1)
    assert inputs.shape == (0, 37) and targets.shape == (0, 9)
    # Ids of another integer type keep it.
    m = builder.Module()
    f = m.function("main")
    x = f.input("input_ids", [None, None], dtype="i32")
    s = f.input("seed", [], dtype="i64")
    i32_inputs, i32_targets = f.span_corruption(x, s, 0.15, SENTINEL)
    f.output("input_ids", i32_inputs)
    f.output("labels", i32_targets)
    ids = np.random.default_rng(4).integers(2, 32000, (2, 30), dtype=np.int64)
    got = encoder.compile(str(m))["main"](ids.astype(np.int32), np.array(5, dtype=np.int64))
    want_inputs, want_targets, _ = reference(ids, 5, 0.15, 3.0)
    assert got[0].dtype == np.int32
    np.testing.assert_array_equal(got[0], want_inputs)
    np.testing.assert_array_equal(got[1], want_targets)


def test_short_rows_are_refused(corrupt):
    with pytest.raises(encoder.InvalidArgumentError, match="minimum 2"):
        corrupt(np.zeros((2, 1), dtype=np.int64), 0)


def test_verifier_rejects_bad_attributes():
    m = builder.Module()
    f = m.function("main")
    x = f.input("input_ids", [2, 8], dtype="i64")
    s = f.input("seed", [], dtype="i64")
    inputs, targets = f.span_corruption(x, s, 1.5, SENTINEL)
    f.output("a", inputs)
    with pytest.raises(encoder.CompileError, match="noise_density must be in"):
        encoder.compile(str(m))
