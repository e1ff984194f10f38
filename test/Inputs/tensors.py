#!/usr/bin/python3
"""Writes small test fixtures: safetensors and .npy files.

  tensors.py safetensors OUT NAME=DTYPE:DIMS[=FILL] ...
  tensors.py npy OUT DTYPE:DIMS[=FILL]

DIMS is like 4x3 (empty for a scalar); without FILL the values are
0, 1, 2, ... in row-major order.
"""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "python-bindings"))
from encoder import safetensors  # noqa: E402

DTYPES = {"f32": np.float32, "f64": np.float64, "i64": np.int64, "i32": np.int32}


def parse(spec):
    dtype, _, rest = spec.partition(":")
    dims, _, fill = rest.partition("=")
    shape = tuple(int(d) for d in dims.split("x")) if dims else ()
    if fill:
        array = np.full(shape, float(fill), dtype=DTYPES[dtype])
    else:
        array = np.arange(int(np.prod(shape)), dtype=DTYPES[dtype]).reshape(shape)
    return array


def main():
    kind, out, specs = sys.argv[1], sys.argv[2], sys.argv[3:]
    if kind == "npy":
        np.save(out, parse(specs[0]))
        return
    tensors = {}
    for spec in specs:
        name, _, rest = spec.partition("=")
        tensors[name] = parse(rest)
    safetensors.save_file(tensors, out)


if __name__ == "__main__":
    main()
