"""examples/python/ runs and its variants agree."""

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
