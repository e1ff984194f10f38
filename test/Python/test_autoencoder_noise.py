"""The seeded corruption of denoising autoencoders: enc.mask_noise drops
exactly the elements whose hashed uniform (the documented hashUniform of the
seed and the row-major index, recomputed here) is below the rate, and keeps
the others unchanged; enc.gaussian_noise adds draws whose mean and spread
are those of std · N(0, 1). Both give the same result on every call and
other results for another seed. (With a noise operand both are checked
against PyTorch in test/Numerics, loss_autoencoder.)"""

import numpy as np
import pytest

import encoder
from conftest import hash_uniform
from encoder import builder


def compile_noise(kind, level, seed):
    m = builder.Module()
    f = m.function("main")
    x = f.input("x", [None, 13])
    if kind == "mask":
        f.output("y", f.mask_noise(x, level, seed=seed))
    else:
        f.output("y", f.gaussian_noise(x, level, seed=seed))
    return encoder.compile(str(m))["main"]


@pytest.mark.parametrize("rate,seed", [(0.3, 5), (0.0, 1), (1.0, 2), (0.5, 0)])
def test_mask_noise_drops_where_the_draw_is_below_the_rate(rng, rate, seed):
    run = compile_noise("mask", rate, seed)
    x = rng.standard_normal((7, 13)).astype(np.float32) + 3.0  # no zeros
    y = run(x)
    draws = np.array([hash_uniform(seed, i) for i in range(x.size)]).reshape(x.shape)
    expected = np.where(draws < np.float32(rate), np.float32(0), x)
    np.testing.assert_array_equal(y, expected)
    np.testing.assert_array_equal(run(x), y)


def test_mask_noise_rate_and_seeds():
    x = np.ones((400, 13), np.float32)
    first = compile_noise("mask", 0.25, 11)(x)
    dropped = np.mean(first == 0)
    # 5200 Bernoulli(0.25) draws: 5 standard deviations is 0.03.
    assert abs(dropped - 0.25) < 0.03
    assert not np.array_equal(first, compile_noise("mask", 0.25, 12)(x))


def test_gaussian_noise_statistics_and_seeds():
    run = compile_noise("gaussian", 0.5, 7)
    x = np.full((2000, 13), 2.0, np.float32)
    y = run(x)
    noise = y - 2.0
    # 26000 draws of N(0, 0.25): the mean within 5 standard errors, the
    # standard deviation within 3%.
    assert abs(noise.mean()) < 5 * 0.5 / np.sqrt(noise.size)
    assert abs(noise.std() - 0.5) < 0.015
    np.testing.assert_array_equal(run(x), y)
    assert not np.array_equal(y, compile_noise("gaussian", 0.5, 8)(x))


def test_empty_batch():
    for kind in ("mask", "gaussian"):
        y = compile_noise(kind, 0.5, 3)(np.zeros((0, 13), np.float32))
        assert y.shape == (0, 13)
