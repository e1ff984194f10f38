#!/usr/bin/python3
"""Random weights and inputs for a compiled artifact, from its metadata.

  make_random_data.py MODEL.so --encoder-run=PATH --weights=W.safetensors
                      [--inputs=DIR] [--function=main] [--seed=0]

Reads the artifact's signature (`encoder-run MODEL.so --metadata`) and writes
every checkpoint tensor it binds (parameters, and the sources of packed
parameters) as a safetensors file, and with --inputs one .npy file per
input, named after it (input_ids.npy, ...). Weights are N(0, 0.02) as in BERT's
initialisation, except normalization scales (1) and biases (0). Integer
inputs with a recorded range (token ids) are drawn from it; other integer
inputs (attention masks) are all ones; float inputs are N(0, 1). Dynamic
dimensions get a small size. Only NumPy is needed.
"""

import argparse
import json
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "python-bindings"))
from encoder import safetensors  # noqa: E402

NUMPY = {"f32": np.float32, "f64": np.float64, "f16": np.float16, "i64": np.int64,
         "i32": np.int32, "i16": np.int16, "i8": np.int8, "u8": np.uint8, "i1": np.bool_}


def random_weight(rng, name, dtype, shape):
    lowered = name.lower()
    if len(shape) == 1 and "norm" in lowered and lowered.endswith("weight"):
        return np.ones(shape, NUMPY[dtype])
    if lowered.endswith("bias"):
        return np.zeros(shape, NUMPY[dtype])
    return (rng.standard_normal(shape) * 0.02).astype(NUMPY[dtype])


def concrete_shape(value):
    """Dynamic dims: a short sequence (within the recorded bound), a batch of
    2, one second of 16 kHz audio."""
    names = value.get("dim_names", [""] * len(value["shape"]))
    bounds = value.get("dim_max", [-1] * len(value["shape"]))
    shape = []
    for size, name, bound in zip(value["shape"], names, bounds):
        if size >= 0:
            shape.append(size)
        elif name == "samples":
            shape.append(16000)
        elif name == "sequence":
            shape.append(min(16, bound) if bound > 0 else 16)
        else:
            shape.append(2)
    return shape


def random_input(rng, value):
    shape = concrete_shape(value)
    dtype = value["dtype"]
    if dtype.startswith("f"):
        return rng.standard_normal(shape).astype(NUMPY[dtype])
    if "range" in value:
        lo, hi = value["range"]
        return rng.integers(lo, hi, shape).astype(NUMPY[dtype])
    return np.ones(shape, NUMPY[dtype])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model")
    parser.add_argument("--encoder-run", required=True)
    parser.add_argument("--weights", required=True)
    parser.add_argument("--inputs")
    parser.add_argument("--function", default="main")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    metadata = json.loads(subprocess.run(
        [args.encoder_run, args.model, "--metadata"],
        check=True, capture_output=True, text=True).stdout)
    functions = {f["name"]: f for f in metadata["functions"]}
    if args.function not in functions:
        parser.error(f"no function '{args.function}'; the artifact has {', '.join(functions)}")
    rng = np.random.default_rng(args.seed)

    # A packed parameter (merged projections, panel-packed weights) is built
    # by the runtime from checkpoint tensors: write those, by their names.
    weights = {}
    for function in metadata["functions"]:
        for param in function["params"]:
            sources = param["pack"]["sources"] if "pack" in param else [param]
            for source in sources:
                weights.setdefault(source["name"], random_weight(
                    rng, source["name"], param["dtype"], source["shape"]))
    safetensors.save_file(weights, args.weights)

    if args.inputs:
        os.makedirs(args.inputs, exist_ok=True)
        for i, value in enumerate(functions[args.function]["inputs"]):
            np.save(os.path.join(args.inputs, f"{value['name']}.npy"), random_input(rng, value))


if __name__ == "__main__":
    main()
