"""examples/python/ runs: the fusion experiment's variants agree, the
autoencoder examples compile and run deterministically."""

import os
import subprocess
import sys

import pytest

from conftest import EXAMPLES


@pytest.mark.parametrize("variant", [[], ["--tile", "2x32"]])
def test_fusion_experiment(variant):
    script = os.path.join(EXAMPLES, "python", "fusion_experiment.py")
    result = subprocess.run(
        [sys.executable, script, "--repeats", "2", "--seq", "16", *variant],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "outputs agree: True" in result.stdout
    assert result.stdout.count("# Kernels") == 2
    assert "B / A" in result.stdout


def test_autoencoders():
    script = os.path.join(EXAMPLES, "python", "autoencoders.py")
    result = subprocess.run([sys.executable, script, "--batch", "4"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["contractive", "denoising", "sparse", "standard", "vae"]
    assert all("same on a second call: True" in line for line in lines), result.stdout
