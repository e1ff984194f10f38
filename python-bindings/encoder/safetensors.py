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


def to_bfloat16(array):
    """The bits of float32 `array` rounded to bfloat16 (nearest even), as
    uint16: NumPy has no bfloat16 (NaN stays NaN)."""
    bits = np.ascontiguousarray(array, dtype=np.float32).view(np.uint32)
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16
    nan = np.isnan(np.asarray(array, dtype=np.float32))
    return np.where(nan, (bits >> 16) | 0x40, rounded).astype(np.uint16)


def from_bfloat16(bits):
    """float32 values of bfloat16 `bits` (uint16)."""
    return (np.asarray(bits, dtype=np.uint16).astype(np.uint32) << 16).view(np.float32)


def save_file(tensors, path, metadata=None):
    """Writes `tensors` (a dict of name -> NumPy array) to `path`. uint16
    arrays are written as BF16 (their bits, see to_bfloat16)."""
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = dict(metadata)
    for name, array in tensors.items():
        # np.asarray keeps 0-d arrays 0-d (ascontiguousarray makes them 1-d);
        # tobytes() writes C order whatever the strides.
        array = np.asarray(array)
        dtype = "BF16" if array.dtype == np.uint16 else DTYPES.get(array.dtype)
        if dtype is None:
            raise ValueError(f"tensor '{name}': dtype {array.dtype} has no safetensors equivalent")
        data = array.astype(array.dtype.newbyteorder("<")).tobytes(order="C")
        header[name] = {"dtype": dtype, "shape": list(array.shape),
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
