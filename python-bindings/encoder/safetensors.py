"""Writes safetensors files from NumPy arrays, with NumPy alone.

The format (https://github.com/huggingface/safetensors): an 8-byte
little-endian header length, a JSON header mapping each tensor name to its
dtype, shape and byte range, padded with spaces to a multiple of 8, then the
raw little-endian data. The API mirrors `safetensors.numpy.save_file`.
"""

import json
import struct

import numpy as np

DTYPES = {
    np.dtype(np.float64): "F64",
    np.dtype(np.float32): "F32",
    np.dtype(np.float16): "F16",
    np.dtype(np.int64): "I64",
    np.dtype(np.int32): "I32",
    np.dtype(np.int16): "I16",
    np.dtype(np.int8): "I8",
    np.dtype(np.uint8): "U8",
    np.dtype(np.bool_): "BOOL",
}


def save_file(tensors, path):
    """Writes `tensors` (a dict of name -> NumPy array) to `path`."""
    header, blobs, offset = {}, [], 0
    for name, array in tensors.items():
        # np.asarray keeps 0-d arrays 0-d (ascontiguousarray makes them 1-d);
        # tobytes() writes C order whatever the strides.
        array = np.asarray(array)
        if array.dtype not in DTYPES:
            raise ValueError(f"tensor '{name}': dtype {array.dtype} has no safetensors equivalent")
        data = array.astype(array.dtype.newbyteorder("<")).tobytes(order="C")
        header[name] = {"dtype": DTYPES[array.dtype], "shape": list(array.shape),
                        "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    encoded = json.dumps(header).encode()
    encoded += b" " * (-len(encoded) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)))
        f.write(encoded)
        for blob in blobs:
            f.write(blob)
