#!/usr/bin/env python3
"""The GPU target on a device, in two steps (the compiler and the GPU never
share a machine; see bench/gpu/README.md):

  1. here (the compiler, Debian's PyTorch for the references):
       check_cuda.py --prepare OUT [--gpu-arch sm_90]
     For each case: draws seeded weights and inputs and computes the PyTorch
     float64 reference with test/Numerics/reference.py (the references of
     the test suite, independent of the compiler), compiles the case's model
     with --target=cuda into OUT/<case>/model.so (TF32 tensor cores),
     model_bf16.so (bf16 tensor cores) and model_f32.so (exact f32), and
     copies encoder-run and libencrt.so into OUT/bin and OUT/lib.
  2. there (a GPU, its driver; numpy only):
       check_cuda.py --check OUT [--repeats 20]
     Runs every artifact with `encoder-run --device=cuda` on the inputs,
     compares each output with the reference (relative L2 error, tolerance
     1e-3 for TF32 and f32, 1e-2 for bf16), times it (encoder-run
     --benchmark: median wall time of a call, host copies included), and
     writes a markdown table with the device, the commands and the
     versions to bench/results/ (--results).

Each case is compiled three times, with its contractions on the tensor
cores with TF32 operands (the default) or bf16 operands (--gpu-matmul=bf16)
and in exact f32 (--gpu-matmul=f32), each held to the issue's bound for its
precision. Exit status 1 when any case fails.

The timing comparisons the GPU issue asks for (SDPA, cuBLAS, torch.compile)
belong with the fast kernels; this script checks correctness and records
what the first GPU path costs.
"""

import argparse
import datetime
import glob
import json
import os
import platform
import re
import shutil
import subprocess
import sys

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODELS = os.path.join(REPO, "test", "Numerics", "models")
EXAMPLES = os.path.join(REPO, "examples")

# (case in test/Numerics/cases, model source, function[, compile flags]).
# Not tensor_core_large_blocks: its 128x128 blocks need millions of outputs,
# 119 MB of inputs and references, past the 64 MB the device tool carries;
# BERT-base at batch 32 (bench_cuda.py, checked against transformers) runs
# those blocks on the device.
CASES = [
    ("linear", os.path.join(MODELS, "linear.mlir"), "main"),
    ("tensor_core_matmul", os.path.join(MODELS, "tensor_core_matmul.mlir"), "main"),
    ("tensor_core_split_k", os.path.join(MODELS, "tensor_core_split_k.mlir"), "main"),
    ("layer_norm", os.path.join(MODELS, "layer_norm.mlir"), "main"),
    ("activations", os.path.join(MODELS, "activations.mlir"), "main"),
    ("attention", os.path.join(MODELS, "attention.mlir"), "main"),
    ("attention_long", os.path.join(MODELS, "attention_long.mlir"), "main"),
    ("attention_wide", os.path.join(MODELS, "attention_wide.mlir"), "main"),
    ("embedding", os.path.join(MODELS, "embedding.mlir"), "main"),
    ("pool", os.path.join(MODELS, "pool.mlir"), "main"),
    ("cross_entropy", os.path.join(MODELS, "cross_entropy.mlir"), "main"),
    ("loss_clip", os.path.join(MODELS, "loss_clip.mlir"), "main"),
    ("encoder_block", os.path.join(MODELS, "encoder_block.mlir"), "main"),
    ("tiny_bert", os.path.join(EXAMPLES, "tiny_bert.mlir"), "main"),
    ("family_bert", os.path.join(EXAMPLES, "bert", "config.json"), "main"),
    ("family_vit", os.path.join(EXAMPLES, "vit", "config.json"), "main"),
    ("family_vit_mae", os.path.join(EXAMPLES, "vit_mae", "config.json"), "main"),
    ("family_clip", os.path.join(EXAMPLES, "clip", "config.json"), "main"),
    ("family_wav2vec2", os.path.join(EXAMPLES, "wav2vec2", "config.json"), "main"),
    ("family_whisper_audio", os.path.join(EXAMPLES, "whisper", "config.json"), "main",
     "--audio-input"),
]
SEED = 20261124
# Each case is compiled three times: contractions on the tensor cores (TF32
# or bf16 operands rounded to nearest, f32 accumulation; TF32 is the
# default) and exact f32 on the CUDA cores. (variant, artifact, flags,
# relative error bound): the GPU issue's 1e-3 for TF32 and f32, 1e-2 for
# bf16.
VARIANTS = [("tf32", "model.so", [], 1e-3),
            ("bf16", "model_bf16.so", ["--gpu-matmul=bf16"], 1e-2),
            ("f32", "model_f32.so", ["--gpu-matmul=f32"], 1e-3)]


# A hung kernel must not eat the device tool's ten minutes: each command
# gets this long, then counts as failed.
COMMAND_TIMEOUT_S = int(os.environ.get("ENCODER_GPU_COMMAND_TIMEOUT", "240"))


def run(command, **kwargs):
    try:
        return subprocess.run(command, capture_output=True, text=True,
                              timeout=COMMAND_TIMEOUT_S, **kwargs)
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(
            command, 124, "", f"timed out after {COMMAND_TIMEOUT_S} s: {' '.join(command)}")


def prepare(out, gpu_arch, build):
    compiler = os.path.join(build, "bin", "encoder-compile")
    os.makedirs(os.path.join(out, "bin"), exist_ok=True)
    os.makedirs(os.path.join(out, "lib"), exist_ok=True)
    shutil.copy2(os.path.join(build, "bin", "encoder-run"), os.path.join(out, "bin"))
    for library in glob.glob(os.path.join(build, "lib", "libencrt.so*")):
        shutil.copy2(library, os.path.join(out, "lib"), follow_symlinks=False)
    manifest = []
    for case, model, function, *flags in CASES:
        directory = os.path.join(out, case)
        shutil.rmtree(directory, ignore_errors=True)
        os.makedirs(directory)
        reference = [
            sys.executable,
            os.path.join(REPO, "test", "Numerics", "reference.py"),
            case,
            directory,
            str(SEED),
        ]
        result = run(reference)
        if result.returncode:
            sys.exit(f"reference of {case} failed:\n{result.stderr}")
        source = model
        if model.endswith(".json"):  # as the test harness: a checkpoint dir
            source = os.path.join(directory, "checkpoint")
            os.makedirs(source)
            shutil.copy2(model, os.path.join(source, "config.json"))
            shutil.copy2(
                os.path.join(directory, "weights.safetensors"),
                os.path.join(source, "model.safetensors"),
            )
        variants = []
        for variant, artifact, variant_flags, bound in VARIANTS:
            command = [compiler, source, "-o", os.path.join(directory, artifact),
                       "--target=cuda", f"--gpu-arch={gpu_arch}", *flags, *variant_flags]
            result = run(command)
            if result.returncode:
                sys.exit(f"compiling {case} failed:\n{' '.join(command)}\n{result.stderr}")
            variants.append({"variant": variant, "artifact": artifact,
                             "tolerance": bound, "compile": " ".join(command)})
        manifest.append({"case": case, "function": function, "variants": variants})
        print(f"prepared {case}")
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump({"gpu_arch": gpu_arch, "seed": SEED, "cases": manifest}, f, indent=1)


def relative_error(actual, expected):
    actual = actual.astype(np.float64)
    expected = expected.astype(np.float64)
    norm = np.linalg.norm(expected)
    return float(np.linalg.norm(actual - expected) / (norm if norm else 1.0))


def device_name():
    try:
        result = run(["nvidia-smi", "--query-gpu=name,driver_version", "--format=csv,noheader"])
    except OSError:
        return "unknown (no nvidia-smi)"
    return result.stdout.strip() or "unknown (nvidia-smi failed)"


def runtime_for(out, force_build):
    """encoder-run and its library directory: the ones carried in OUT when
    they run here, else the runtime built from this checkout (it needs no
    MLIR: -DENCODER_RUNTIME_ONLY=ON), e.g. where the C library is older than
    the build machine's."""
    carried = os.path.join(out, "bin", "encoder-run")
    lib = os.path.join(out, "lib")
    env = dict(os.environ, LD_LIBRARY_PATH=lib + ":" + os.environ.get("LD_LIBRARY_PATH", ""))
    if not force_build:
        try:
            if run([carried, "--help"], env=env).returncode == 0:
                return carried, lib
        except OSError:
            pass
    build = os.path.join("/tmp", "encoder-runtime-build")
    for command in (["cmake", "-S", REPO, "-B", build, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release",
                     "-DENCODER_RUNTIME_ONLY=ON"], ["cmake", "--build", build]):
        result = run(command)
        if result.returncode:
            sys.exit(f"building the runtime failed: {' '.join(command)}\n{result.stdout}{result.stderr}")
    print(f"using the runtime built here ({build})")
    return os.path.join(build, "bin", "encoder-run"), os.path.join(build, "lib")


def check(out, repeats, tolerance, results, force_build=False):
    manifest = json.load(open(os.path.join(out, "manifest.json")))
    runner, lib = runtime_for(out, force_build)
    env = dict(os.environ, LD_LIBRARY_PATH=lib + ":" + os.environ.get("LD_LIBRARY_PATH", ""))
    rows, failed = [], False
    for entry in manifest["cases"]:
        case = entry["case"]
        directory = os.path.join(out, case)
        inputs = sorted(glob.glob(os.path.join(directory, "input_*.npy")),
                        key=lambda p: int(p.rsplit("_", 1)[1].split(".")[0]))
        expected = sorted(glob.glob(os.path.join(directory, "expected_*.npy")),
                          key=lambda p: int(p.rsplit("_", 1)[1].split(".")[0]))
        for variant in entry["variants"]:
            name = variant["variant"]
            outputs = [os.path.join(directory, f"actual_{name}_{i}.npy")
                       for i in range(len(expected))]
            command = [runner, os.path.join(directory, variant["artifact"]), "--device=cuda",
                       f"--function={entry['function']}",
                       f"--weights={os.path.join(directory, 'weights.safetensors')}"]
            command += [f"--input=@{p}" for p in inputs]
            command += [f"--output=@{p}" for p in outputs]
            result = run(command, env=env)
            if result.returncode:
                failed = True
                reason = (result.stderr.strip().splitlines() or ["?"])[-1]
                rows.append([case, name, "-", "error: " + reason, "-", "FAIL"])
                continue
            timing_command = [c for c in command if not c.startswith("--output=")]
            timing = run(timing_command + [f"--benchmark={repeats}"], env=env)
            found = re.search(r"median ([0-9.]+ ms)", timing.stdout)
            median = found.group(1) if found else "no timing"
            for i, (e, a) in enumerate(zip(expected, outputs)):
                error = relative_error(np.load(a), np.load(e))
                bound = tolerance if tolerance is not None else variant["tolerance"]
                ok = error <= bound
                failed |= not ok
                rows.append([case, name, str(i), f"{error:.2e}", median if i == 0 else "",
                             "pass" if ok else "FAIL"])

    lines = [
        "# The GPU target on a device: numerics against PyTorch",
        "",
        f"Date: {datetime.date.today()}. Device: {device_name()}. Host: {platform.node()}.",
        f"Artifacts compiled for {manifest['gpu_arch']} (`check_cuda.py --prepare`), run with",
        f"`check_cuda.py --check {out} --repeats {repeats}`; references: test/Numerics/reference.py,",
        f"PyTorch float64, seed {manifest['seed']}; tolerance "
        f"{tolerance if tolerance is not None else 'per precision: tf32 and f32 1e-3, bf16 1e-2'}"
        " (relative L2).",
        "",
        "| case | matmul | output | relative error | median time of a call | result |",
        "|---|---|---|---|---|---|",
    ]
    lines += [f"| {' | '.join(row)} |" for row in rows]
    text = "\n".join(lines) + "\n"
    print(text)
    os.makedirs(os.path.dirname(results), exist_ok=True)
    with open(results, "w") as f:
        f.write(text)
    return 1 if failed else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--prepare", metavar="OUT")
    mode.add_argument("--check", metavar="OUT")
    parser.add_argument("--gpu-arch", default="sm_90")
    parser.add_argument("--build", default=os.path.join(REPO, "build"))
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--tolerance", type=float, default=None,
                        help="one bound for every variant (default: each its own)")
    parser.add_argument("--build-runtime", action="store_true",
                        help="--check: build libencrt and encoder-run from this checkout "
                        "instead of using the carried ones")
    parser.add_argument(
        "--results",
        default=os.path.join(REPO, "bench", "results", f"gpu-check-{datetime.date.today()}.md"),
    )
    args = parser.parse_args()
    if args.prepare:
        prepare(args.prepare, args.gpu_arch, args.build)
        return 0
    return check(args.check, args.repeats, args.tolerance, args.results, args.build_runtime)


if __name__ == "__main__":
    sys.exit(main())
