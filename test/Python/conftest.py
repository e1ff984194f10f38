"""Shared fixtures of the Python bindings' tests.

The package comes from the build tree (PYTHONPATH, set by ctest); the tools
from ENCODER_TOOLS_DIR, to compare the bindings with the command line.
"""

import os
import subprocess

import numpy as np
import pytest

import encoder

SOURCE_DIR = os.environ.get(
    "ENCODER_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", "..")
)
TOOLS_DIR = os.environ.get("ENCODER_TOOLS_DIR", os.path.join(SOURCE_DIR, "build", "bin"))
EXAMPLES = os.path.join(SOURCE_DIR, "examples")


MASK64 = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15


def hash_uniform(seed, counter):
    """The compiler's hashUniform: the top 24 bits of splitmix64(seed · φ +
    counter), as a float in [0, 1)."""
    z = (seed * GOLDEN + counter) & MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    z ^= z >> 31
    return (z >> 40) * 2.0**-24


def tool(name, *args, check=False):
    """Runs build/bin/NAME; returns the completed process (text output)."""
    return subprocess.run(
        [os.path.join(TOOLS_DIR, name), *args], capture_output=True, text=True, check=check
    )


def random_weights(module, rng, scale=0.1):
    """Fresh random parameters for every parameter the module needs."""
    return {
        name: (rng.standard_normal(spec.shape) * scale).astype(np.float32)
        for name, spec in module.params.items()
    }


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


@pytest.fixture(scope="session")
def tiny_bert():
    """examples/bert (2 layers, hidden 64) compiled once per session."""
    return encoder.compile(os.path.join(EXAMPLES, "bert"))


def bert_inputs(rng, batch=2, seq=16, vocab=1000):
    ids = rng.integers(0, vocab, (batch, seq))
    mask = np.ones((batch, seq), np.int64)
    mask[-1, seq // 2 :] = 0
    types = np.zeros((batch, seq), np.int64)
    return ids, mask, types
