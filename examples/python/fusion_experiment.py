#!/usr/bin/env python3
"""A fusion experiment in a few lines: one BERT compiled two ways.

    PYTHONPATH=build/python_packages /usr/bin/python3 \
        examples/python/fusion_experiment.py [--config examples/bert] \
        [--batch 4] [--seq 128] [--repeats 20] [--tile 4x32]

Variant A is the default pipeline (epilogues, residual + norm and Q/K/V
fused). Variant B switches the graph fusions off, or, with --tile, keeps
them and changes the micro-kernel's register block of every linear
instead. Both get the same random weights and inputs; the script checks
that their outputs agree, prints the median time of each, and the per-kernel
report of both (which enc ops each kernel fused, FLOPs, bytes, roofline).
"""

import argparse
import os
import statistics
import sys
import time

import numpy as np

import encoder

HERE = os.path.dirname(os.path.abspath(__file__))
GRAPH_FUSIONS = ["epilogue-fusion", "residual-norm-fusion", "projection-merging"]


def median_ms(function, args, repeats):
    function(*args)  # warm up (weights are packed at the first call)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function(*args)
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--config", default=os.path.join(HERE, "..", "bert"))
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--seq", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--tile", help="variant B: rows x panel of every linear, e.g. 4x32")
    args = parser.parse_args(argv)

    dims = {"batch": args.batch, "sequence": args.seq}
    fused = encoder.compile(args.config, report=True, report_dims=dims)
    if args.tile:
        label = f"tile {args.tile}"
        other = encoder.compile(
            args.config, report=True, report_dims=dims, op_config={"enc.linear": {"tile": args.tile}}
        )
    else:
        label = "graph fusions off"
        other = encoder.compile(args.config, report=True, report_dims=dims, disable=GRAPH_FUSIONS)

    rng = np.random.default_rng(0)
    weights = {
        name: (rng.standard_normal(spec.shape) * 0.05).astype(np.float32)
        for name, spec in fused.params.items()
    }
    fused.bind(weights)
    other.bind(weights)
    function = fused.main
    vocab = next(s.range for s in function.inputs if s.name == "input_ids")
    inputs = {
        "input_ids": rng.integers(0, vocab[1] if vocab else 100, (args.batch, args.seq)),
        "attention_mask": np.ones((args.batch, args.seq), np.int64),
        "token_type_ids": np.zeros((args.batch, args.seq), np.int64),
    }
    ordered = [inputs[s.name] for s in function.inputs]

    a = fused.main.call_dict(*ordered)
    b = other.main.call_dict(*ordered)
    worst = 0.0
    for name in a:
        error = float(np.max(np.abs(a[name] - b[name])) / max(np.max(np.abs(a[name])), 1e-30))
        worst = max(worst, error)
    agree = worst < 1e-4
    print(f"outputs agree: {agree} (largest relative difference {worst:.2e})")

    t_a = median_ms(fused.main, ordered, args.repeats)
    t_b = median_ms(other.main, ordered, args.repeats)
    print(f"batch {args.batch}, sequence {args.seq}, median of {args.repeats}:")
    print(f"  A  default pipeline   {t_a:8.3f} ms")
    print(f"  B  {label:<18} {t_b:8.3f} ms   (B / A = {t_b / t_a:.2f})")
    print()
    print("## A: kernels of the default pipeline\n")
    print(fused.report)
    print(f"## B: kernels with {label}\n")
    print(other.report)
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
