"""The packed matmul micro-kernel (enc-pack-weights, PackedMatmul.cpp) and
the GPU's tensor-core contractions (enc-matmul-to-tensor-cores): F.linear,
F.conv2d and torch.bmm on the same values, in float64."""

import torch
import torch.nn.functional as F


def packed_linear(c):
    """models/packed_linear.mlir."""
    x = c.input(c.normal((1, 13, 40)))
    r = c.input(c.normal((1, 13, 96)))
    y = c.input(c.normal((3, 40)))
    v = c.input(c.normal((40,)))
    pixels = c.input(c.normal((2, 3, 12, 8)))
    w = c.weight("w", c.normal((96, 40), 40**-0.5))
    b = c.weight("b", c.normal((96,), 0.1))
    pw = c.weight("patch.weight", c.normal((32, 3, 4, 4), 48**-0.5))
    pb = c.weight("patch.bias", c.normal((32,), 0.1))
    cls = c.weight("cls", c.normal((1, 1, 32)))
    patches = F.conv2d(pixels, pw, pb, stride=4).flatten(2).transpose(1, 2)
    tokens = torch.cat([cls.expand(2, 1, 32), patches], dim=1)
    return [
        r + F.gelu(F.linear(x, w, b)),
        F.linear(y, w),
        F.linear(v, w, b),
        tokens,
    ]


def tensor_core_matmul(c):
    """models/tensor_core_matmul.mlir: the GPU's tensor-core contractions
    (x·Wᵀ with 96 rows, a batched product, B as K x N) and a linear layer
    with 15 rows, which takes the fallback kernel."""
    x = c.input(c.normal((2, 48, 64)))
    small = c.input(c.normal((3, 5, 64)))
    a = c.input(c.normal((3, 64, 48)))
    b = c.input(c.normal((3, 48, 32)))
    p = c.input(c.normal((32, 32)))
    q = c.input(c.normal((32, 64)))
    w = c.weight("w", c.normal((96, 64), 64**-0.5))
    bias = c.weight("bias", c.normal((96,), 0.1))
    return [F.linear(x, w, bias), F.linear(small, w, bias), torch.bmm(a, b), p @ q]


def tensor_core_large_blocks(c):
    """models/tensor_core_large_blocks.mlir: the staged kernel's 128x128
    blocks (4096 rows; a batched product with B as K x N) beside the
    64x64 ones it falls back to at run time (4128 rows, 128 rows)."""
    x = c.input(c.normal((8, 512, 64)))
    r = c.input(c.normal((8, 512, 1024)))
    odd = c.input(c.normal((3, 1376, 64)))
    few = c.input(c.normal((2, 64, 64)))
    a = c.input(c.normal((4, 1024, 64)))
    b = c.input(c.normal((4, 64, 1024)))
    w = c.weight("w", c.normal((1024, 64), 64**-0.5))
    bias = c.weight("bias", c.normal((1024,), 0.1))
    return [
        r + F.gelu(F.linear(x, w, bias)),
        F.linear(odd, w, bias),
        F.linear(few, w, bias),
        torch.bmm(a, b),
    ]


def tensor_core_split_k(c):
    """models/tensor_core_split_k.mlir: few blocks, long K, split along K
    (slices of 5, 5 and 4 K-tiles; 2 of 5)."""
    x = c.input(c.normal((2, 32, 448)))
    r = c.input(c.normal((2, 32, 96)))
    a = c.input(c.normal((3, 32, 320)))
    b = c.input(c.normal((3, 320, 32)))
    h = c.input(c.normal((1, 64, 256)))
    w = c.weight("w", c.normal((96, 448), 448**-0.5))
    bias = c.weight("bias", c.normal((96,), 0.1))
    w2 = c.weight("w2", c.normal((128, 256), 256**-0.5))
    return [r + F.gelu(F.linear(x, w, bias)), torch.bmm(a, b), F.linear(h, w2)]


CASES = [packed_linear, tensor_core_matmul, tensor_core_large_blocks,
         tensor_core_split_k]
