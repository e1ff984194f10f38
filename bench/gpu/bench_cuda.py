#!/usr/bin/env python3
"""The GPU issue's timings: our CUDA artifacts beside PyTorch on one device,
in two steps (the compiler and the GPU never share a machine; see
bench/gpu/README.md):

  1. here (the compiler):
       bench_cuda.py --prepare OUT [--gpu-arch sm_90]
     Writes the BERT-base and ViT-B/16 configs (transformers' defaults) and
     compiles them, and single-op models (a linear layer at BERT-base's
     shapes and 8192^3; attention, batch 8, 12 heads of 64 and 16 of 128,
     sequence 512 to 8192), each as TF32 tensor cores (model.so), bf16
     tensor cores (model_bf16.so) and exact f32 (model_f32.so); copies
     encoder-run and libencrt.so (as
     check_cuda.py does). No weights: they are drawn there.
  2. there (a GPU, PyTorch 2, transformers):
       bench_cuda.py --run OUT [--repeats 20] [--only matmul,attention,models]
     For each case: draws the weights and inputs (seeded), runs ours with
     `encoder-run --device=cuda --benchmark` (median wall time of a call,
     uploads and downloads included, and median device time from CUDA
     events) and PyTorch with CUDA events (median of --repeats after
     warm-up): torch.matmul (cuBLAS) in TF32 and bf16,
     scaled_dot_product_attention in f32 and bf16, and the transformers
     models eager and under torch.compile (TF32 on, as ours). The models'
     outputs are also compared with transformers in float64 (relative L2;
     the issue's bound: 1e-3 for TF32 and f32, 1e-2 for bf16). Writes a
     markdown table
     with the device, the versions and the commands to
     bench/results/gpu-bench-<date>.md.

Our buffers are f32 in memory also in the bf16 variant (its operands are
converted in registers, the products are bf16 on the tensor cores): it
reads twice the bytes of cuBLAS's bf16 matmul. The table says which
precision each side used; the issue's ratios are ours (bf16) against
PyTorch's bf16.

--run --dry-run runs the single-op part on this machine's CPU with tiny
shapes, PyTorch timed by the clock and ours through whatever libcuda.so.1
is on LD_LIBRARY_PATH (the test suite's stand-in driver): it checks the
script, not the numbers.
"""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(REPO, "python-bindings"))
import check_cuda  # noqa: E402  (run, runtime_for, device_name, relative_error)
from encoder import safetensors  # noqa: E402  (pure Python: no extension needed)

SEED = 20261124
VARIANTS = check_cuda.VARIANTS

BERT_BASE = {
    "model_type": "bert", "vocab_size": 30522, "hidden_size": 768,
    "num_hidden_layers": 12, "num_attention_heads": 12, "intermediate_size": 3072,
    "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
    "max_position_embeddings": 512, "type_vocab_size": 2, "initializer_range": 0.02,
    "layer_norm_eps": 1e-12, "pad_token_id": 0,
}
VIT_B16 = {
    "model_type": "vit", "hidden_size": 768, "num_hidden_layers": 12,
    "num_attention_heads": 12, "intermediate_size": 3072, "hidden_act": "gelu",
    "hidden_dropout_prob": 0.0, "attention_probs_dropout_prob": 0.0,
    "initializer_range": 0.02, "layer_norm_eps": 1e-12, "image_size": 224,
    "patch_size": 16, "num_channels": 3, "qkv_bias": True,
}
# (name, config, [(batch, sequence)]); ViT's sequence is its image.
MODELS = [
    ("bert_base", BERT_BASE, [(1, 128), (32, 128), (1, 512), (32, 512)]),
    ("vit_b16", VIT_B16, [(64, None)]),
]
# Linear layers x·Wᵀ: (M, K, N). BERT-base at batch 32 x sequence 128:
# QKV, output projection, FFN in and out; and 8192^3.
MATMULS = [(4096, 768, 2304), (4096, 768, 768), (4096, 768, 3072), (4096, 3072, 768),
           (8192, 8192, 8192)]
# Attention: (batch, heads, sequence, head size).
ATTENTION = [(8, h, s, d) for h, d in ((12, 64), (16, 128)) for s in (512, 1024, 2048, 4096, 8192)]
DRY_MATMULS = [(64, 32, 96)]
DRY_ATTENTION = [(2, 2, 64, 16)]


run = check_cuda.run  # with its per-command time limit


def matmul_model(m, k, n):
    return (f'func.func @main(%x: tensor<{m}x{k}xf32> {{enc.name = "x"}}) -> tensor<{m}x{n}xf32> {{\n'
            f'  %w = enc.param "w" : tensor<{n}x{k}xf32>\n'
            f'  %y = enc.linear %x, %w : (tensor<{m}x{k}xf32>, tensor<{n}x{k}xf32>) -> tensor<{m}x{n}xf32>\n'
            f'  return %y : tensor<{m}x{n}xf32>\n}}\n')


def attention_model(b, h, s, d):
    t = f"tensor<{b}x{h}x{s}x{d}xf32>"
    return (f'func.func @main(%q: {t} {{enc.name = "q"}}, %k: {t} {{enc.name = "k"}}, '
            f'%v: {t} {{enc.name = "v"}}) -> {t} {{\n'
            f'  %o = enc.attention %q, %k, %v : ({t}, {t}, {t}) -> {t}\n'
            f'  return %o : {t}\n}}\n')


def prepare(out, gpu_arch, build, dry):
    compiler = os.path.join(build, "bin", "encoder-compile")
    os.makedirs(os.path.join(out, "bin"), exist_ok=True)
    os.makedirs(os.path.join(out, "lib"), exist_ok=True)
    shutil.copy2(os.path.join(build, "bin", "encoder-run"), os.path.join(out, "bin"))
    for library in os.listdir(os.path.join(build, "lib")):
        if library.startswith("libencrt.so"):
            shutil.copy2(os.path.join(build, "lib", library), os.path.join(out, "lib"),
                         follow_symlinks=False)
    cases = []

    def compile_case(name, source, kind, info):
        directory = os.path.join(out, name)
        os.makedirs(directory, exist_ok=True)
        variants = []
        for variant, artifact, flags, bound in VARIANTS:
            command = [compiler, source, "-o", os.path.join(directory, artifact),
                       "--target=cuda", f"--gpu-arch={gpu_arch}", *flags]
            result = run(command)
            if result.returncode:
                sys.exit(f"compiling {name} failed:\n{' '.join(command)}\n{result.stderr}")
            variants.append({"variant": variant, "artifact": artifact, "tolerance": bound,
                             "compile": " ".join(command)})
        cases.append({"name": name, "kind": kind, "variants": variants, **info})
        print(f"prepared {name}", flush=True)

    for m, k, n in DRY_MATMULS if dry else MATMULS:
        name = f"matmul_{m}x{k}x{n}"
        source = os.path.join(out, name + ".mlir")
        with open(source, "w") as f:
            f.write(matmul_model(m, k, n))
        compile_case(name, source, "matmul", {"shape": [m, k, n]})
    for b, h, s, d in DRY_ATTENTION if dry else ATTENTION:
        name = f"attention_b{b}_h{h}_s{s}_d{d}"
        info = {"shape": [b, h, s, d]}
        source = os.path.join(out, name + ".mlir")
        with open(source, "w") as f:
            f.write(attention_model(b, h, s, d))
        compile_case(name, source, "attention", info)
    if not dry:
        for name, config, shapes in MODELS:
            directory = os.path.join(out, name, "checkpoint")
            os.makedirs(directory, exist_ok=True)
            with open(os.path.join(directory, "config.json"), "w") as f:
                json.dump(config, f, indent=1)
            compile_case(name, directory, "model", {"shapes": shapes})
    with open(os.path.join(out, "bench.json"), "w") as f:
        json.dump({"gpu_arch": gpu_arch, "seed": SEED, "dry_run": dry, "cases": cases}, f, indent=1)


# --- step 2: --run ------------------------------------------------------------


class Timer:
    """Medians of a callable's time: CUDA events on a GPU, the clock on the
    CPU (--dry-run)."""

    def __init__(self, torch, device, repeats, warmup=3):
        self.torch, self.device, self.repeats, self.warmup = torch, device, repeats, warmup

    def __call__(self, fn):
        torch = self.torch
        for _ in range(self.warmup):
            fn()
        times = []
        for _ in range(self.repeats):
            if self.device == "cuda":
                start = torch.cuda.Event(enable_timing=True)
                end = torch.cuda.Event(enable_timing=True)
                start.record()
                fn()
                end.record()
                torch.cuda.synchronize()
                times.append(start.elapsed_time(end))
            else:
                begin = time.perf_counter()
                fn()
                times.append((time.perf_counter() - begin) * 1e3)
        return statistics.median(times)


def ours(runner, env, directory, artifact, weights, inputs, repeats, outputs=()):
    """encoder-run: (wall median ms, device median ms or None, error)."""
    command = [runner, os.path.join(directory, artifact), "--device=cuda",
               f"--benchmark={repeats}"]
    if weights:
        command.append(f"--weights={weights}")
    command += [f"--input=@{p}" for p in inputs]
    command += [f"--output=@{p}" for p in outputs]
    result = run(command, env=env)
    if result.returncode:
        return None, None, (result.stderr.strip().splitlines() or ["?"])[-1]
    wall = re.search(r"median ([0-9.]+) ms", result.stdout)
    device = re.search(r"device time .*?median ([0-9.]+) ms", result.stdout)
    return (float(wall.group(1)) if wall else None,
            float(device.group(1)) if device else None, None)


def fmt(value, digits=3):
    return "-" if value is None else f"{value:.{digits}f}"


def bench_matmul(case, ctx):
    torch, timer, dev = ctx["torch"], ctx["timer"], ctx["device"]
    m, k, n = case["shape"]
    rng = np.random.default_rng(SEED)
    x = rng.standard_normal((m, k), dtype=np.float32)
    w = (rng.standard_normal((n, k), dtype=np.float32) * k**-0.5).astype(np.float32)
    directory = os.path.join(ctx["out"], case["name"])
    np.save(os.path.join(directory, "x.npy"), x)
    safetensors.save_file({"w": w}, os.path.join(directory, "w.safetensors"))
    flops = 2.0 * m * n * k
    xt, wt = torch.from_numpy(x).to(dev), torch.from_numpy(w).to(dev)
    torch.backends.cuda.matmul.allow_tf32 = True
    tf32 = timer(lambda: torch.matmul(xt, wt.t()))
    xb, wb = xt.to(torch.bfloat16), wt.to(torch.bfloat16)
    bf16 = timer(lambda: torch.matmul(xb, wb.t()))
    rows = []
    for variant in case["variants"]:
        wall, device, error = ours(ctx["runner"], ctx["env"], directory, variant["artifact"],
                                   os.path.join(directory, "w.safetensors"),
                                   [os.path.join(directory, "x.npy")], ctx["repeats"])
        t = device or wall
        tflops = flops / (t * 1e9) if t else None
        rows.append([case["name"], variant["variant"], fmt(wall), fmt(device),
                     fmt(tflops, 1), fmt(flops / (tf32 * 1e9), 1), fmt(flops / (bf16 * 1e9), 1),
                     fmt(tf32 / t if t else None, 2), fmt(bf16 / t if t else None, 2),
                     error or ""])
    return rows


def bench_attention(case, ctx):
    torch, timer, dev = ctx["torch"], ctx["timer"], ctx["device"]
    b, h, s, d = case["shape"]
    flops = 4.0 * b * h * s * s * d
    import torch.nn.functional as F

    # PyTorch 1.13 (this machine's, --dry-run) predates SDPA.
    sdpa = getattr(F, "scaled_dot_product_attention", None) or (
        lambda q, k, v: torch.softmax(q @ k.transpose(-1, -2) * q.shape[-1] ** -0.5, -1) @ v)
    rng = np.random.default_rng(SEED)
    q, k, v = (rng.standard_normal((b, h, s, d), dtype=np.float32) for _ in range(3))
    qt, kt, vt = (torch.from_numpy(a).to(dev) for a in (q, k, v))
    f32 = timer(lambda: sdpa(qt, kt, vt))
    qb, kb, vb = (a.to(torch.bfloat16) for a in (qt, kt, vt))
    bf16 = timer(lambda: sdpa(qb, kb, vb))
    directory = os.path.join(ctx["out"], case["name"])
    paths = []
    for name, a in (("q", q), ("k", k), ("v", v)):
        paths.append(os.path.join(directory, name + ".npy"))
        np.save(paths[-1], a)
    rows = []
    for variant in case["variants"]:
        wall, device, error = ours(ctx["runner"], ctx["env"], directory, variant["artifact"],
                                   None, paths, ctx["repeats"])
        t = device or wall
        rows.append([case["name"], variant["variant"], fmt(wall), fmt(device),
                     fmt(flops / (t * 1e9) if t else None, 1), fmt(flops / (f32 * 1e9), 1),
                     fmt(flops / (bf16 * 1e9), 1), fmt(f32 / t if t else None, 2),
                     fmt(bf16 / t if t else None, 2), error or ""])
    return rows


def bench_model(case, ctx):
    """transformers' model with check_hf's seeded weights: numerics against
    it in float64, then latency beside eager and torch.compile."""
    import check_hf

    torch, timer, dev = ctx["torch"], ctx["timer"], ctx["device"]
    name = case["name"]
    directory = os.path.join(ctx["out"], name)
    config = json.load(open(os.path.join(directory, "checkpoint", "config.json")))
    model_type = config["model_type"]
    model = check_hf.build_model(model_type, config, SEED)
    weights = os.path.join(directory, "model.safetensors")
    safetensors.save_file({k: v.detach().float().cpu().numpy()
                           for k, v in model.state_dict().items() if v.is_floating_point()},
                          weights)
    rng = np.random.default_rng(SEED)
    rows = []
    for batch, seq in case["shapes"]:
        if model_type == "vit":
            size = config["image_size"]
            inputs = [("pixel_values", rng.standard_normal((batch, 3, size, size), dtype=np.float32))]
            label = f"{name} b{batch}"
        else:
            ids, mask = check_hf.text_ids(rng, config["vocab_size"], [seq] * batch, seq,
                                          config.get("pad_token_id", 0))
            inputs = [("input_ids", ids), ("attention_mask", mask),
                      ("token_type_ids", np.zeros_like(ids))]
            label = f"{name} b{batch} s{seq}"
        paths = []
        for i, (_, a) in enumerate(inputs):
            paths.append(os.path.join(directory, f"input_{i}.npy"))
            np.save(paths[-1], a)
        # Reference in float64 (the error measured is ours), then timing in
        # float32 with TF32 matmuls, eager and compiled.
        reference = model.to(dev, torch.float64).eval()
        kwargs64 = {k: torch.from_numpy(a).to(dev).double() if a.dtype.kind == "f"
                    else torch.from_numpy(a).to(dev) for k, a in inputs}
        with torch.no_grad():
            expected = reference(**kwargs64)
        expected_outputs = [expected.last_hidden_state]
        if getattr(expected, "pooler_output", None) is not None:
            expected_outputs.append(expected.pooler_output)
        expected_outputs = [e.double().cpu().numpy() for e in expected_outputs]
        model32 = model.to(dev, torch.float32).eval()
        kwargs = {k: torch.from_numpy(a).to(dev) for k, a in inputs}
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
        with torch.no_grad():
            eager = timer(lambda: model32(**kwargs))
            try:
                compiled_model = torch.compile(model32)
                compiled = timer(lambda: compiled_model(**kwargs))
            except Exception as e:  # noqa: BLE001  (reported, not fatal)
                compiled, compile_error = None, str(e).splitlines()[0]
            else:
                compile_error = ""
        for variant in case["variants"]:
            outs = [os.path.join(directory, f"out_{variant['variant']}_{i}.npy")
                    for i in range(len(expected_outputs))]
            wall, device, error = ours(ctx["runner"], ctx["env"], directory, variant["artifact"],
                                       weights, paths, ctx["repeats"], outs)
            errors = []
            if not error:
                for o, e in zip(outs, expected_outputs):
                    errors.append(check_cuda.relative_error(np.load(o), e))
            worst = max(errors) if errors else None
            bound = variant["tolerance"]
            rows.append([label, variant["variant"], fmt(worst, 6) if worst is not None else "-",
                         f"{'pass' if worst is not None and worst <= bound else 'FAIL'} ({bound:g})",
                         fmt(wall), fmt(device), fmt(eager), fmt(compiled),
                         fmt(compiled / wall if compiled and wall else None, 2),
                         error or compile_error])
    return rows


def run_bench(args):
    import torch

    out = args.out
    bench = json.load(open(os.path.join(out, "bench.json")))
    device = "cpu" if args.dry_run else "cuda"
    if device == "cuda" and not torch.cuda.is_available():
        sys.exit("no CUDA device for PyTorch (--dry-run runs the script on the CPU)")
    runner, lib = check_cuda.runtime_for(out, args.build_runtime)
    env = dict(os.environ, LD_LIBRARY_PATH=lib + ":" + os.environ.get("LD_LIBRARY_PATH", ""))
    ctx = {"torch": torch, "device": device, "out": out, "runner": runner, "env": env,
           "repeats": args.repeats, "timer": Timer(torch, device, args.repeats)}
    only = set(args.only.split(",")) if args.only else {"matmul", "attention", "models"}
    tables = {"matmul": [], "attention": [], "model": []}
    for case in bench["cases"]:
        kind = case["kind"]
        if (kind == "model" and "models" not in only) or (kind != "model" and kind not in only):
            continue
        print(f"running {case['name']}", flush=True)
        handler = {"matmul": bench_matmul, "attention": bench_attention, "model": bench_model}[kind]
        tables[kind] += handler(case, ctx)

    lines = [
        "# The GPU target on a device: timings beside PyTorch",
        "",
        f"Date: {datetime.date.today()}. Device: {check_cuda.device_name() if device == 'cuda' else 'CPU (dry run)'}. "
        f"Host: {platform.node()}. torch {torch.__version__}.",
        f"Artifacts compiled for {bench['gpu_arch']} by `bench_cuda.py --prepare`; run with "
        f"`bench_cuda.py --run {out} --repeats {args.repeats}{' --only ' + args.only if args.only else ''}"
        f"{' --dry-run' if args.dry_run else ''}`. Ours: `encoder-run --benchmark` medians, wall time of a call "
        "(uploads and downloads included) and device time (CUDA events, kernels only); PyTorch: CUDA-event "
        "medians. tf32 / bf16 = our tensor cores with TF32 / bf16 operands, f32 = our exact kernels.",
        "",
    ]
    headers = {
        "matmul": ("Linear layers (x·Wᵀ, M x K x N)",
                   "shape | ours | wall ms | device ms | TFLOP/s | cuBLAS TF32 TFLOP/s | "
                   "cuBLAS bf16 TFLOP/s | ratio to TF32 | ratio to bf16 | note"),
        "attention": ("Attention (batch, heads, sequence, head size)",
                      "shape | ours | wall ms | device ms | TFLOP/s | SDPA f32 TFLOP/s | "
                      "SDPA bf16 TFLOP/s | ratio to f32 | ratio to bf16 | note"),
        "model": ("Models (numerics against transformers in float64; latency)",
                  "model | ours | max rel. error | bound | wall ms | device ms | eager ms | "
                  "torch.compile ms | torch.compile / ours (wall) | note"),
    }
    for kind, (title, header) in headers.items():
        if not tables[kind]:
            continue
        lines += [f"## {title}", "", f"| {header} |", "|---" * (header.count("|") + 1) + "|"]
        lines += [f"| {' | '.join(r)} |" for r in tables[kind]] + [""]
    text = "\n".join(lines)
    print(text)
    results = args.results or os.path.join(
        REPO, "bench", "results", f"gpu-bench-{datetime.date.today()}.md")
    os.makedirs(os.path.dirname(results), exist_ok=True)
    with open(results, "w") as f:
        f.write(text)
    failed = any(r[3].startswith("FAIL") for r in tables["model"])
    return 1 if failed else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    step = parser.add_mutually_exclusive_group(required=True)
    step.add_argument("--prepare", metavar="OUT", help="here: write and compile the cases")
    step.add_argument("--run", metavar="OUT", help="there: time them beside PyTorch")
    parser.add_argument("--gpu-arch", default="sm_90")
    parser.add_argument("--build", default=os.path.join(REPO, "build"),
                        help="--prepare: the build directory with encoder-compile")
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--only", help="--run: a comma list of matmul, attention, models")
    parser.add_argument("--results", help="--run: where the table goes")
    parser.add_argument("--build-runtime", action="store_true",
                        help="--run: build libencrt and encoder-run from this checkout")
    parser.add_argument("--dry-run", action="store_true",
                        help="tiny single-op cases; --run on the CPU (checks the script)")
    args = parser.parse_args()
    if args.prepare:
        prepare(args.prepare, args.gpu_arch, args.build, args.dry_run)
        return 0
    args.out = args.run
    return run_bench(args)


if __name__ == "__main__":
    sys.exit(main())
