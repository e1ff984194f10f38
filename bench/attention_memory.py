#!/usr/bin/python3
"""Peak memory (and optionally time) of enc.attention against sequence length.

Compiles an attention-only model (batch 1, 12 heads, head_dim 64, dynamic
sequence length), runs it with encoder-run on random .npy inputs under
`/usr/bin/time -v` at each sequence length, and prints a Markdown table of
the maximum resident set size beside the size of the [heads, S, S] float32
score matrix that a non-flash lowering materialises (12 * S^2 * 4 bytes).

With --benchmark N it also times N calls per length (encoder-run
--benchmark; the median is reported). On a 2-core machine shared with
builds, timings are only indicative: run on a quiet machine, and repeat.

Usage:
  bench/attention_memory.py [--build DIR] [--seqs 1024 2048 4096]
                            [--causal] [--benchmark N] [--out FILE.md]
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

import numpy as np

HEADS, HEAD_DIM = 12, 64
HERE = os.path.dirname(os.path.abspath(__file__))

MODEL = """\
// Attention alone: [1, 12, S, 64] queries, keys and values, S dynamic.
func.func @main(%q: tensor<1x12x?x64xf32> {{enc.name = "q"}},
                %k: tensor<1x12x?x64xf32> {{enc.name = "k"}},
                %v: tensor<1x12x?x64xf32> {{enc.name = "v"}})
    -> tensor<1x12x?x64xf32> {{
  %0 = enc.attention %q, %k, %v {attrs}
      : (tensor<1x12x?x64xf32>, tensor<1x12x?x64xf32>, tensor<1x12x?x64xf32>)
      -> tensor<1x12x?x64xf32>
  return %0 : tensor<1x12x?x64xf32>
}}
"""


def mib(n_bytes):
    return n_bytes / (1 << 20)


def run(cmd, **kwargs):
    result = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        sys.exit(f"failed ({result.returncode}): {' '.join(cmd)}\n"
                 f"{result.stdout}{result.stderr}")
    return result


def max_rss_kib(time_output):
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)",
                      time_output)
    if not match:
        sys.exit("no 'Maximum resident set size' in /usr/bin/time -v output")
    return int(match.group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build", default=os.path.join(HERE, "..", "build"),
                        help="build directory with bin/encoder-compile and "
                             "bin/encoder-run (default: ../build)")
    parser.add_argument("--compiler", help="encoder-compile (default: BUILD/bin)")
    parser.add_argument("--runner", help="encoder-run (default: BUILD/bin)")
    parser.add_argument("--seqs", type=int, nargs="+", default=[1024, 2048, 4096])
    parser.add_argument("--causal", action="store_true")
    parser.add_argument("--benchmark", type=int, default=0, metavar="N",
                        help="also time N calls per length")
    parser.add_argument("--out", help="write the table to this Markdown file")
    args = parser.parse_args()
    compiler = args.compiler or os.path.join(args.build, "bin", "encoder-compile")
    runner = args.runner or os.path.join(args.build, "bin", "encoder-run")

    rng = np.random.default_rng(0)
    rows = []
    with tempfile.TemporaryDirectory(prefix="attention-memory-") as work:
        model = os.path.join(work, "attention.mlir")
        with open(model, "w") as f:
            f.write(MODEL.format(attrs="{causal}" if args.causal else ""))
        artifact = os.path.join(work, "attention.so")
        run([compiler, model, "-o", artifact])

        for seq in args.seqs:
            inputs = []
            for name in ["q", "k", "v"]:
                path = os.path.join(work, f"{name}.npy")
                np.save(path, rng.standard_normal(
                    (1, HEADS, seq, HEAD_DIM)).astype(np.float32))
                inputs.append(f"--input=@{path}")
            output = os.path.join(work, "out.npy")
            timed = run(["/usr/bin/time", "-v", runner, artifact, *inputs,
                         f"--output=@{output}"])
            rss = max_rss_kib(timed.stderr) * 1024
            if not np.isfinite(np.load(output)).all():
                sys.exit(f"non-finite output at S = {seq}")
            median = None
            if args.benchmark:
                bench = run([runner, artifact, *inputs,
                             f"--benchmark={args.benchmark}"])
                median = float(re.search(r"median ([\d.]+) ms",
                                         bench.stdout).group(1))
            tensors = 4 * HEADS * seq * HEAD_DIM * 4  # q, k, v and the result
            scores = HEADS * seq * seq * 4
            rows.append((seq, rss, tensors, scores, median))
            print(f"S = {seq}: max RSS {mib(rss):.1f} MiB", file=sys.stderr)

    header = ["S", "max RSS (MiB)", "RSS growth from previous S (MiB)",
              "q, k, v, out (MiB)", "score matrix 12·S²·4 (MiB)"]
    if args.benchmark:
        header.append(f"median of {args.benchmark} calls (ms)")
    lines = ["| " + " | ".join(header) + " |",
             "|" + "---|" * len(header)]
    previous = None
    for seq, rss, tensors, scores, median in rows:
        growth = "" if previous is None else f"{mib(rss - previous):+.1f}"
        cells = [str(seq), f"{mib(rss):.1f}", growth, f"{mib(tensors):.1f}",
                 f"{mib(scores):.1f}"]
        if args.benchmark:
            cells.append(f"{median:.2f}")
        lines.append("| " + " | ".join(cells) + " |")
        previous = rss
    table = "\n".join(lines) + "\n"
    print(table, end="")
    if args.out:
        with open(args.out, "w") as f:
            f.write(table)


if __name__ == "__main__":
    main()
