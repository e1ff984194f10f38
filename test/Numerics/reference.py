#!/usr/bin/python3
"""PyTorch references for the numerics tests (Numerics/*Test.cpp).

For one case (a model under models/ or examples/), draws fresh random
weights and inputs from the given seed, computes the expected outputs with
PyTorch in float64 from the same float32 values, and writes:

  DIR/weights.safetensors   the parameters, by the names the model uses
  DIR/input_<i>.npy         the function's inputs, in argument order
  DIR/expected_<i>.npy      the reference outputs, in result order

The cases live in cases/*.py, each module listing its case functions in
CASES. The references are PyTorch modules and torch.nn.functional where
PyTorch has them, else formulas written from the op's definition or the
paper; nothing here comes from the code under test.

Usage: reference.py CASE OUT_DIR SEED
"""

import importlib
import os
import pkgutil
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "python-bindings"))
sys.path.insert(0, HERE)
from encoder import safetensors  # noqa: E402


class Case:
    """Random float32 weights and inputs, with float64 torch views."""

    def __init__(self, seed, batch=2, length=None):
        self.rng = np.random.default_rng(seed)
        self.weights = {}
        self.inputs = []
        # The shape a case draws its inputs at: `batch` rows and, for the
        # cases with a sequence or audio, `length` (None: the case's own).
        self.batch = batch
        self.length = length

    def normal(self, shape, scale=1.0, shift=0.0):
        return (self.rng.standard_normal(shape) * scale + shift).astype(np.float32)

    def weight(self, name, array):
        self.weights[name] = array
        return torch.from_numpy(array).double()

    def input(self, array):
        self.inputs.append(array)
        if array.dtype.kind == "f":
            return torch.from_numpy(array).double()
        return torch.from_numpy(array)



def all_cases():
    import cases
    found = {}
    for module in pkgutil.iter_modules(cases.__path__):
        for function in importlib.import_module(f"cases.{module.name}").CASES:
            if function.__name__ in found:
                sys.exit(f"case {function.__name__} is defined twice")
            found[function.__name__] = function
    return found


def main():
    cases = all_cases()
    if len(sys.argv) != 4 or sys.argv[1] not in cases:
        sys.exit(f"usage: reference.py {{{'|'.join(sorted(cases))}}} OUT_DIR SEED")
    name, out_dir, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
    torch.manual_seed(seed)
    c = Case(seed)
    outputs = cases[name](c)
    os.makedirs(out_dir, exist_ok=True)
    safetensors.save_file(c.weights, os.path.join(out_dir, "weights.safetensors"))
    for i, array in enumerate(c.inputs):
        np.save(os.path.join(out_dir, f"input_{i}.npy"), array)
    for i, tensor in enumerate(outputs):
        # C order (the runtime's .npy reader refuses Fortran order); copy()
        # keeps 0-d arrays 0-d, unlike ascontiguousarray.
        np.save(os.path.join(out_dir, f"expected_{i}.npy"),
                tensor.detach().numpy().copy(order="C"))


if __name__ == "__main__":
    main()
