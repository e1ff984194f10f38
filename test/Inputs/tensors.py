#!/usr/bin/python3
"""Writes small test fixtures: safetensors and .npy files.

  tensors.py safetensors OUT NAME=DTYPE:DIMS[=FILL] ...
  tensors.py npy OUT DTYPE:DIMS[=FILL]

DIMS is like 4x3 (empty for a scalar); without FILL the values are
0, 1, 2, ... in row-major order.
"""

import json
import struct
import sys

import numpy as np

DTYPES = {"f32": np.float32, "f64": np.float64, "i64": np.int64, "i32": np.int32}
SAFETENSORS = {"f32": "F32", "f64": "F64", "i64": "I64", "i32": "I32"}


def parse(spec):
    dtype, _, rest = spec.partition(":")
    dims, _, fill = rest.partition("=")
    shape = tuple(int(d) for d in dims.split("x")) if dims else ()
    if fill:
        array = np.full(shape, float(fill), dtype=DTYPES[dtype])
    else:
        array = np.arange(int(np.prod(shape)), dtype=DTYPES[dtype]).reshape(shape)
    return dtype, array


def main():
    kind, out, specs = sys.argv[1], sys.argv[2], sys.argv[3:]
    if kind == "npy":
        np.save(out, parse(specs[0])[1])
        return
    header, blobs, offset = {}, [], 0
    for spec in specs:
        name, _, rest = spec.partition("=")
        dtype, array = parse(rest)
        data = array.tobytes()
        header[name] = {"dtype": SAFETENSORS[dtype], "shape": list(array.shape),
                        "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    encoded = json.dumps(header).encode()
    encoded += b" " * (-len(encoded) % 8)
    with open(out, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)) + encoded + b"".join(blobs))


if __name__ == "__main__":
    main()
