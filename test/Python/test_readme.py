"""The README's examples run as written, so that they cannot rot.

Every ```sh block after the quick start (which builds and tests: this is
part of that) runs line by line, in order, in a scratch directory that
sees the repository's examples/ and this build as build/; then the
```python blocks run there as one session, with the files the commands
made. Lines
marked "# needs a GPU" are skipped.
"""

import os
import re
import subprocess
import sys

from conftest import SOURCE_DIR, TOOLS_DIR

README = os.path.join(SOURCE_DIR, "README.md")


def blocks(language):
    text = open(README).read()
    return re.findall(r"```" + language + r"\n(.*?)```", text, re.S)


def commands(block):
    """Shell commands of a block: continuation lines joined, comment lines
    dropped."""
    joined = re.sub(r"\\\n\s*", " ", block)
    return [line for line in joined.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def test_readme_examples_run(tmp_path):
    build = os.path.dirname(TOOLS_DIR)
    os.symlink(build, tmp_path / "build")
    os.symlink(os.path.join(SOURCE_DIR, "examples"), tmp_path / "examples")
    env = dict(os.environ, PYTHONPATH=os.path.join(build, "python_packages"))
    ran = 0
    for block in blocks("sh"):
        if "scripts/" in block:  # the quick start: the build and this very test
            continue
        for command in commands(block):
            if "needs a GPU" in command:
                continue
            result = subprocess.run(["bash", "-euo", "pipefail", "-c", command], cwd=tmp_path,
                                    env=env, capture_output=True, text=True)
            assert result.returncode == 0, f"README command failed: {command}\n{result.stderr}"
            ran += 1
    assert ran >= 15
    # The Python blocks continue one session.
    code = "\n".join(blocks("python"))
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, f"README Python failed:\n{code}\n{result.stderr}"
