#!/usr/bin/python3
"""CPU benchmark: encoder against ONNX Runtime, OpenBLAS (numpy) and PyTorch.

Run it through bench/run.sh, which installs what it needs first. Directly:

  OPENBLAS_NUM_THREADS=2 /usr/bin/python3 bench/cpu/bench.py [--quick]
      [--threads=2] [--only=peak,matmul,attention,models] [--build=build]
      [--work=bench/.work] [--results=bench/results]

Writes bench/results/cpu-<date>.md and .json (--quick: quick-<date>.*;
--only: partial-<date>.*). See bench/README.md for what each part measures.
Exit status 1 when any measurement could not be made (an error, not a
missed target); the report says which.
"""

import argparse
import datetime
import json
import math
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import time

# OpenBLAS reads its thread count when it is loaded: before numpy.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")

import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import models  # noqa: E402

TOLERANCE = 1e-4  # relative L2 error between implementations
# Environment variables some hosts set for old OpenBLAS builds; they pin a
# kernel (e.g. Prescott) far below what the CPU can do. Unset for the
# OpenBLAS baseline command alone, never for tests.
OPENBLAS_PINS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
# The targets of issue 18, met on the median of the per-round ratios.
PEAK_SHARE_TARGET = 0.85
ORT_TARGETS = {"tiny-bert": 1.5, "bert-base": 1.1, "vit-b16": 1.1, "swin-t": 1.0,
               "deberta-v3-base": 1.0}
ATTENTION_TARGET = 1.0

FULL = {
    "target_seconds": 1.5, "min_runs": 5, "max_runs": 200, "compile_repeats": 3,
    "peak_seconds": 0.5, "rounds": 5, "neighbour_seconds": 240,
    "matmuls": [(128, 768, 768), (128, 3072, 768), (128, 768, 3072), (2048, 2048, 2048)],
    "attention": [128, 512, 2048],
    "models": [("tiny-bert", 1, 32), ("bert-base", 1, 128), ("bert-base", 8, 128),
               ("vit-b16", 1, None), ("swin-t", 1, None), ("deberta-v3-base", 1, 128)],
}
QUICK = {
    "target_seconds": 0.5, "min_runs": 3, "max_runs": 20, "compile_repeats": 1,
    "peak_seconds": 0.1, "rounds": 3, "neighbour_seconds": 120,
    "matmuls": [(128, 768, 768), (128, 3072, 768), (128, 768, 3072), (512, 512, 512)],
    "attention": [128, 512],
    "models": [("tiny-bert", 1, 32), ("bert-base", 1, 128), ("vit-b16", 1, None)],
}
SECTIONS = ("peak", "matmul", "attention", "models", "neighbour", "onnx")
HEADS, HEAD_DIM = 12, 64

START = time.time()


def cpu_busy_seconds():
    """Busy CPU time of the whole machine so far (all CPUs), from /proc/stat."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds():
    """CPU time of this process and every child it waited for."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def log(msg):
    print(f"[bench {time.time() - START:7.1f}s] {msg}", file=sys.stderr, flush=True)


# --- helpers ------------------------------------------------------------------------------


def sh(cmd, **kw):
    """Runs a command (a list), returns stdout; raises with stderr's tail on failure."""
    p = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if p.returncode != 0:
        tail = (p.stderr or p.stdout).strip().splitlines()[-5:]
        raise RuntimeError(f"`{shlex.join(cmd)}` exited {p.returncode}: " + " | ".join(tail))
    return p.stdout


def rel_err(ours, ref):
    ours = np.asarray(ours, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    if ours.shape != ref.shape:
        return float("inf")
    denom = np.linalg.norm(ref)
    return float(np.linalg.norm(ours - ref) / (denom if denom > 0 else 1.0))


def runs_for(estimate_s, policy):
    n = math.ceil(policy["target_seconds"] / max(estimate_s, 1e-6))
    return max(policy["min_runs"], min(policy["max_runs"], n))


def summary(times_ms):
    return {"median_ms": statistics.median(times_ms), "min_ms": min(times_ms),
            "max_ms": max(times_ms), "runs": len(times_ms),
            "times_ms": [round(t, 4) for t in times_ms]}


def ratio_stats(ratios):
    return {"median": statistics.median(ratios), "min": min(ratios), "max": max(ratios),
            "rounds": [round(r, 4) for r in ratios]}


def pooled(timings):
    """One side's rounds as one timing: the median of the rounds' medians."""
    medians = [t["median_ms"] for t in timings]
    return {"median_ms": statistics.median(medians), "min_ms": min(t["min_ms"] for t in timings),
            "max_ms": max(t["max_ms"] for t in timings), "runs": sum(t["runs"] for t in timings),
            "round_medians_ms": [round(m, 4) for m in medians]}


def alternate(rounds, ours, peer):
    """Rounds of (ours, peer), each side a fresh process per round; returns
    both sides' timings and the per-round ratios peer time / our time."""
    ours_t, peer_t = [], []
    for i in range(rounds):
        ours_t.append(ours(i))
        peer_t.append(peer(i))
    ratios = [p["median_ms"] / o["median_ms"] for o, p in zip(ours_t, peer_t)]
    return pooled(ours_t), pooled(peer_t), ratio_stats(ratios)


def time_python(fn, policy, warmup=3):
    """Median of per-call wall times after `warmup` calls; the number of
    calls follows the policy from the warm-up median."""
    warm = []
    for _ in range(warmup):
        t = time.perf_counter()
        fn()
        warm.append(time.perf_counter() - t)
    times = []
    for _ in range(runs_for(statistics.median(warm), policy)):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1e3)
    return dict(summary(times), warmup=warmup)


class Env:
    """Tools, paths and the record of every command run."""

    def __init__(self, args, policy):
        self.args, self.policy = args, policy
        self.build = os.path.abspath(args.build)
        self.compile = os.path.join(self.build, "bin", "encoder-compile")
        self.run = os.path.join(self.build, "bin", "encoder-run")
        self.work = os.path.abspath(args.work)
        self.threads = args.threads
        self.commands = []  # (what, command)
        self.errors = []
        usage = subprocess.run([self.run], capture_output=True, text=True)
        self.run_has_threads = "--threads" in (usage.stdout + usage.stderr)
        self.our_threads = os.cpu_count() or 1
        # Our runtime: all cores; nothing inherited that another library reads.
        self.our_env = {k: v for k, v in os.environ.items()
                        if k not in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")}
        self.node = shutil.which("node") or "node"
        self.node_path = os.path.join(self.work, "node", "node_modules")

    def record(self, what, cmd):
        self.commands.append((what, cmd if isinstance(cmd, str) else shlex.join(cmd)))

    def rel(self, path):
        return os.path.relpath(path, REPO)

    # -- ours

    def compile_artifact(self, source, out, what):
        cmd = [self.compile, source, "-o", out]
        t = time.perf_counter()
        sh(cmd)
        seconds = time.perf_counter() - t
        self.record(f"compile {what}", [self.rel(c) if c.startswith(REPO) else c for c in cmd])
        return seconds

    def metadata(self, so):
        meta = json.loads(sh([self.run, so, "--metadata"]))
        return next(f for f in meta["functions"] if f["name"] == "main")

    def our_inputs(self, so, files):
        """--input flags in the artifact's argument order; files: name -> path."""
        fn = self.metadata(so)
        names = [i["name"] for i in fn["inputs"]]
        missing = [n for n in names if n not in files]
        if missing:
            raise RuntimeError(f"{so}: no input file for {missing}")
        return [f"--input=@{files[n]}" for n in names], [o["name"] for o in fn["outputs"]]

    def run_ours(self, so, weights, files, out_dir, what, runs=None):
        """One call writing every output (correctness), then encoder-run
        --benchmark=N with N from that call's wall time. Returns (outputs
        name -> array, timing dict). With `runs`, only the timed process
        (a later round)."""
        inputs, output_names = self.our_inputs(so, files)
        os.makedirs(out_dir, exist_ok=True)
        outs = {n: os.path.join(out_dir, f"{n}.npy") for n in output_names}
        base = [self.run, so] + ([f"--weights={weights}"] if weights else []) + inputs
        if self.run_has_threads:
            base.append(f"--threads={self.our_threads}")
        if runs is None:
            t = time.perf_counter()
            sh(base + [f"--output=@{p}" for p in outs.values()], env=self.our_env)
            estimate = time.perf_counter() - t
            runs = runs_for(estimate, self.policy)
        n = runs
        cmd = base + [f"--benchmark={n}"]
        out = sh(cmd, env=self.our_env)
        m = re.search(r"(\d+) runs after (\d+) warm-up runs: median ([0-9.]+) ms, "
                      r"min ([0-9.]+) ms, max ([0-9.]+) ms", out)
        if not m:
            raise RuntimeError(f"no 'median X ms' in encoder-run's output: {out[-300:]}")
        self.record(f"ours: {what}", [self.rel(c) if c.startswith(REPO) else
                                      c.replace(REPO + "/", "") for c in cmd])
        timing = {"median_ms": float(m.group(3)), "min_ms": float(m.group(4)),
                  "max_ms": float(m.group(5)), "runs": int(m.group(1)),
                  "warmup": int(m.group(2)) + 1}
        return {n: np.load(p) for n, p in outs.items()}, timing

    def ours_rounds(self, so, weights, files, out_dir, what):
        """A closure for alternate(): round 0 checks and sizes the run,
        later rounds reuse its count. Keeps round 0's outputs."""
        state = {}

        def one(i):
            if i == 0:
                state["outs"], t = self.run_ours(so, weights, files, out_dir, what)
                state["runs"] = t["runs"]
                return t
            return self.run_ours(so, weights, files, out_dir, what, runs=state["runs"])[1]
        return one, state

    # -- OpenBLAS

    def run_openblas(self, x_path, w_path, what):
        """np.matmul in a process of its own, without the OpenBLAS pins."""
        cmd = [sys.executable, os.path.join(HERE, "openblas_matmul.py"), x_path, w_path,
               str(self.policy["target_seconds"]), str(self.policy["min_runs"]),
               str(self.policy["max_runs"])]
        env = {k: v for k, v in os.environ.items() if k not in OPENBLAS_PINS}
        result = json.loads(sh(cmd, env=env).strip().splitlines()[-1])
        unset = " ".join(f"-u {k}" for k in OPENBLAS_PINS)
        self.record(f"OpenBLAS: {what}", f"env {unset} " + shlex.join(
            [c.replace(REPO + "/", "") for c in cmd]))
        return result

    # -- ONNX Runtime

    def run_ort(self, onnx, files, out_dir, what):
        cmd = [self.node, os.path.join(HERE, "ort_bench.js"), f"--model={onnx}"]
        cmd += [f"--input={n}=@{p}" for n, p in files.items()]
        cmd += [f"--threads={self.threads}", "--warmup=3",
                f"--min-runs={self.policy['min_runs']}", f"--max-runs={self.policy['max_runs']}",
                f"--target-seconds={self.policy['target_seconds']}", f"--outputs={out_dir}"]
        env = dict(os.environ, NODE_PATH=self.node_path)
        result = json.loads(sh(cmd, env=env).strip().splitlines()[-1])
        self.record(f"ORT: {what}", "NODE_PATH=bench/.work/node/node_modules " + shlex.join(
            [c.replace(REPO + "/", "") for c in cmd]))
        outs = {n: np.load(p) for n, p in result["outputs"].items()}
        timing = {k: result[k] for k in ("median_ms", "min_ms", "max_ms", "runs", "warmup",
                                         "session_create_ms")}
        timing["times_ms"] = [round(t, 4) for t in result["times_ms"]]
        return outs, timing, result["ort_version"]


def guarded(env, results, key, fn):
    """Runs one measurement; an exception is recorded, not fatal."""
    try:
        results[key] = fn()
    except Exception as e:  # noqa: BLE001 - every failure goes into the report
        msg = f"{type(e).__name__}: {e}"
        log(f"ERROR in {key}: {msg}")
        env.errors.append((key, msg))
        results[key] = {"error": msg}


# --- machine ----------------------------------------------------------------------------------


def blas_info():
    """The BLAS library numpy actually loaded, and OpenBLAS's own report."""
    import ctypes

    a = np.ones((64, 64), dtype=np.float32)
    a @ a  # make sure the library is loaded
    libs = []
    with open("/proc/self/maps") as f:
        for line in f:
            path = line.split()[-1] if len(line.split()) >= 6 else ""
            if ("blas" in path or "mkl" in path) and path not in libs:
                libs.append(path)
    info = {"libraries": libs, "openblas": any("openblas" in p for p in libs)}
    for path in libs:
        try:
            lib = ctypes.CDLL(path)
            lib.openblas_get_config.restype = ctypes.c_char_p
            info["openblas_config"] = lib.openblas_get_config().decode()
            info["openblas_core"] = (lambda f: (setattr(f, "restype", ctypes.c_char_p), f())[1])(
                lib.openblas_get_corename).decode()
            info["openblas_threads"] = lib.openblas_get_num_threads()
            break
        except (OSError, AttributeError):
            continue
    return info


def blocking(env):
    """Where our kernels' blocking comes from on this host: a tuning record
    (encoder-tune) or the model of the target."""
    src = os.path.join(env.work, "blocking.mlir")
    with open(src, "w") as f:
        f.write(LINEAR_IR.format(M=8, N=64, K=64))
    out = sh([env.compile, src, "--emit=enc"])
    m = re.search(r"enc.cpu_kernels = \{([^}]*)\}", out)
    if not m:
        return "unknown (no enc.cpu_kernels)"
    fields = dict(re.findall(r'(\w+) = "?([\w.]+)"?', m.group(1)))
    source = fields.pop("source", "?")
    params = ", ".join(f"{k} {v}" for k, v in sorted(fields.items()))
    where = ("a tuning record (encoder-tune; " + os.environ.get(
        "ENCODER_TUNING_RECORD", "~/.cache/encoder/cpu-tuning.json") + ")"
             if source == "record" else "the model of the target (no tuning record)")
    return f"{where}: {params}"


def machine_info(env):
    def first(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True).stdout.strip()
        except OSError:
            return ""

    lscpu = {}
    for line in first(["lscpu"]).splitlines():
        if ":" in line:
            k, v = line.split(":", 1)
            lscpu[k.strip()] = v.strip()
    mem_kib = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
    flags = lscpu.get("Flags", "").split()
    import torch
    import torchvision

    stale = first(["ninja", "-C", env.build, "-n"])
    stale_steps = len([line for line in stale.splitlines() if line.startswith("[")])
    return {
        "cpu_model": lscpu.get("Model name", platform.processor()),
        "cpus": int(lscpu.get("CPU(s)", os.cpu_count() or 0)),
        "threads_per_core": lscpu.get("Thread(s) per core", "?"),
        "cores_per_socket": lscpu.get("Core(s) per socket", "?"),
        "sockets": lscpu.get("Socket(s)", "?"),
        "caches": {k: lscpu[k] for k in ("L1d cache", "L2 cache", "L3 cache") if k in lscpu},
        "simd": [f for f in ("avx2", "fma", "avx512f", "avx512bw", "avx512_bf16") if f in flags],
        "hypervisor": lscpu.get("Hypervisor vendor", ""),
        "memory_gib": round(mem_kib / 2**20, 1),
        "kernel": platform.release(),
        "os": first(["sh", "-c", ". /etc/os-release && echo $PRETTY_NAME"]),
        "loadavg_start": open("/proc/loadavg").read().split()[:3],
        "python": platform.python_version(),
        "numpy": np.__version__,
        "blas": blas_info(),
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "node": first([env.node, "--version"]),
        "clang": first(["clang-22", "--version"]).splitlines()[0] if shutil.which("clang-22") else "",
        "git_commit": first(["git", "-C", REPO, "rev-parse", "--short=12", "HEAD"]),
        "git_dirty_files": len(first(["git", "-C", REPO, "status", "--porcelain",
                                      "--untracked-files=no"]).splitlines()),
        "build_dir": env.rel(env.build),
        "build_stale_steps": stale_steps,
        "encoder_run_threads_flag": env.run_has_threads,
    }


# --- peak -------------------------------------------------------------------------------------


def measure_peak(env):
    exe = os.path.join(env.work, "fma_peak")
    src = os.path.join(HERE, "fma_peak.c")
    cmd = ["clang-22", "-O3", "-march=native", "-pthread", src, "-o", exe]
    sh(cmd)
    env.record("FMA peak: build", shlex.join(cmd).replace(REPO + "/", ""))
    out = {}
    thread_counts = sorted({1, 2, os.cpu_count() or 1})
    for t in thread_counts:
        run = [exe, str(t), str(env.policy["peak_seconds"])]
        m = re.search(r"lanes (\d+) gflops ([0-9.]+)", sh(run))
        env.record(f"FMA peak: {t} thread(s)", shlex.join(run).replace(REPO + "/", ""))
        out[str(t)] = float(m.group(2))
        out["lanes"] = int(m.group(1))
    return out


# --- matmul -------------------------------------------------------------------------------------


LINEAR_IR = """\
// y = x · wᵀ with the weight layout [N, K], written by bench/cpu/bench.py.
func.func @main(%x: tensor<{M}x{K}xf32> {{enc.name = "x"}}) -> (tensor<{M}x{N}xf32> {{enc.name = "y"}}) {{
  %w = enc.param "w" : tensor<{N}x{K}xf32>
  %y = enc.linear %x, %w : (tensor<{M}x{K}xf32>, tensor<{N}x{K}xf32>) -> tensor<{M}x{N}xf32>
  return %y : tensor<{M}x{N}xf32>
}}
"""


def bench_matmul(env, m, n, k):
    d = os.path.join(env.work, "matmul", f"{m}x{n}x{k}")
    os.makedirs(d, exist_ok=True)
    rng = np.random.default_rng(m * 7 + n * 11 + k * 13)
    x = rng.standard_normal((m, k), dtype=np.float32)
    w = rng.standard_normal((n, k), dtype=np.float32)
    np.save(os.path.join(d, "x.npy"), x)
    models.safetensors.save_file({"w": w}, os.path.join(d, "w.safetensors"))
    with open(os.path.join(d, "linear.mlir"), "w") as f:
        f.write(LINEAR_IR.format(M=m, N=n, K=k))
    flops = 2.0 * m * n * k
    res = {"M": m, "N": n, "K": k, "gflop": flops * 1e-9}

    np.save(os.path.join(d, "w.npy"), w)
    y = np.matmul(x, w.T)

    so = os.path.join(d, "linear.so")
    res["compile_s"] = env.compile_artifact(os.path.join(d, "linear.mlir"), so,
                                            f"matmul {m}x{n}x{k}")
    what = f"matmul {m}x{n}x{k}"
    ours_fn, state = env.ours_rounds(so, os.path.join(d, "w.safetensors"),
                                     {"x": os.path.join(d, "x.npy")}, os.path.join(d, "out"), what)
    blas_runs = []

    def blas_fn(_):
        blas_runs.append(env.run_openblas(os.path.join(d, "x.npy"), os.path.join(d, "w.npy"),
                                          what))
        return blas_runs[-1]
    ours, blas, ratios = alternate(env.policy["rounds"], ours_fn, blas_fn)
    ref = x.astype(np.float64) @ w.T.astype(np.float64)
    res["rel_err_ours"] = rel_err(state["outs"]["y"], ref)
    res["rel_err_openblas"] = rel_err(y, ref)
    gf = lambda t: flops / (t["median_ms"] * 1e-3) * 1e-9  # noqa: E731
    res["openblas"] = dict(blas, gflops=gf(blas), core=blas_runs[0]["core"],
                           config=blas_runs[0]["config"])
    res["ours"] = dict(ours, gflops=gf(ours))
    res["ours_vs_openblas"] = ratios["median"]
    res["ours_vs_openblas_rounds"] = ratios
    return res


# --- attention ----------------------------------------------------------------------------------


ATTENTION_IR = """\
// softmax(Q Kᵀ / √d) V, batch 1, written by bench/cpu/bench.py.
func.func @main(%q: tensor<{T}> {{enc.name = "q"}}, %k: tensor<{T}> {{enc.name = "k"}},
                %v: tensor<{T}> {{enc.name = "v"}}) -> (tensor<{T}> {{enc.name = "out"}}) {{
  %o = enc.attention %q, %k, %v : (tensor<{T}>, tensor<{T}>, tensor<{T}>) -> tensor<{T}>
  return %o : tensor<{T}>
}}
"""


def bench_attention(env, seq):
    import torch

    d = os.path.join(env.work, "attention", f"s{seq}")
    os.makedirs(d, exist_ok=True)
    rng = np.random.default_rng(seq)
    shape = (1, HEADS, seq, HEAD_DIM)
    qkv = {n: rng.standard_normal(shape, dtype=np.float32) for n in ("q", "k", "v")}
    files = {}
    for n, a in qkv.items():
        files[n] = os.path.join(d, f"{n}.npy")
        np.save(files[n], a)
    flops = 4.0 * HEADS * seq * seq * HEAD_DIM
    res = {"seq": seq, "heads": HEADS, "head_dim": HEAD_DIM, "gflop": flops * 1e-9}
    gf = lambda t: flops / (t["median_ms"] * 1e-3) * 1e-9  # noqa: E731

    module = models.attention_module()
    tensors = [torch.from_numpy(qkv[n]) for n in ("q", "k", "v")]
    with torch.inference_mode():
        ref = module(*tensors).numpy()
        t = time_python(lambda: module(*tensors), env.policy)
    env.record(f"PyTorch: attention seq {seq}",
               f"python: torch.softmax(q @ k.transpose(-1, -2) / 8, -1) @ v, f32{list(shape)}, "
               f"torch.set_num_threads({env.threads}), inference_mode")
    res["torch"] = dict(t, gflops=gf(t))

    with open(os.path.join(d, "attention.mlir"), "w") as f:
        f.write(ATTENTION_IR.format(T="x".join(map(str, shape)) + "xf32"))
    so = os.path.join(d, "attention.so")
    res["compile_s"] = env.compile_artifact(os.path.join(d, "attention.mlir"), so,
                                            f"attention seq {seq}")
    onnx = os.path.join(d, "attention.onnx")
    stamp = {"v": models.GENERATOR_VERSION, "torch": torch.__version__, "shape": shape}
    if not cached(onnx, stamp):
        models.export_onnx(module, qkv, ["out"], onnx)
        write_stamp(onnx, stamp)
    what = f"attention seq {seq}"
    ours_fn, state = env.ours_rounds(so, None, files, os.path.join(d, "out"), what)
    ort_state = {}

    def ort_fn(_):
        ort_state["outs"], t, ort_state["version"] = env.run_ort(
            onnx, files, os.path.join(d, "ort-out"), what)
        return t
    ours, ort, ratios = alternate(env.policy["rounds"], ours_fn, ort_fn)
    res["rel_err_ours"] = rel_err(state["outs"]["out"], ref)
    res["ours"] = dict(ours, gflops=gf(ours))
    res["rel_err_ort"] = rel_err(ort_state["outs"]["out"], ref)
    res["ort"] = dict(ort, gflops=gf(ort))
    res["ort_version"] = ort_state["version"]
    res["ort_vs_ours"] = ratios["median"]
    res["ort_vs_ours_rounds"] = ratios
    res["torch_vs_ours"] = res["torch"]["median_ms"] / res["ours"]["median_ms"]
    return res


# --- models -----------------------------------------------------------------------------------


def cached(path, stamp):
    try:
        with open(path + ".stamp.json") as f:
            return os.path.exists(path) and json.load(f) == json.loads(json.dumps(stamp))
    except (OSError, ValueError):
        return False


def write_stamp(path, stamp):
    with open(path + ".stamp.json", "w") as f:
        json.dump(stamp, f)


def checkpoint(env, name):
    """The checkpoint directory of `name`, generated once (seeded)."""
    d = os.path.join(env.work, "models", name)
    st = os.path.join(d, "model.safetensors")
    stamp = {"v": models.GENERATOR_VERSION, "config": models.CONFIGS[name],
             "seed": models.SEEDS[name]}
    if not cached(st, stamp):
        log(f"generating the {name} checkpoint")
        models.write_checkpoint(name, d)
        write_stamp(st, stamp)
    env.record(f"checkpoint {name}",
               f"python: bench/cpu/models.py write_checkpoint('{name}') -> {env.rel(d)}/"
               f"{{config.json,model.safetensors}} (seed {models.SEEDS[name]})")
    return d


def compile_model(env, name, ckpt, repeats):
    so = os.path.join(ckpt, "model.so")
    times = [env.compile_artifact(ckpt, so, f"{name} (checkpoint dir)") for _ in range(repeats)]
    return so, {"median_s": statistics.median(times), "times_s": times}


def bench_model(env, name, batch, seq, so):
    import torch

    ckpt = os.path.join(env.work, "models", name)
    cfg = models.CONFIGS[name]
    label = f"{name} b{batch}" + (f" s{seq}" if seq else "")
    d = os.path.join(ckpt, f"b{batch}" + (f"s{seq}" if seq else ""))
    os.makedirs(d, exist_ok=True)
    weights = models.load_safetensors(os.path.join(ckpt, "model.safetensors"))
    module = models.build(name, weights)
    inputs = models.model_inputs(name, batch, seq, seed=100 + batch)
    files = {}
    for n, a in inputs.items():
        files[n] = os.path.join(d, f"{n}.npy")
        np.save(files[n], a)
    # Images: the tokens of the first layer (ViT: patches and the class token).
    grid = (cfg["image_size"] // cfg["patch_size"]) ** 2 if not seq else 0
    res = {"model": name, "batch": batch,
           "seq": seq if seq else grid + (1 if cfg["model_type"] == "vit" else 0)}

    tensors = [torch.from_numpy(a) for a in inputs.values()]
    with torch.inference_mode():
        ref = [o.numpy() for o in module(*tensors)]
        res["torch"] = time_python(lambda: module(*tensors), env.policy)
    what = {"vit": "torchvision VisionTransformer + pooler",
            "swin": "torchvision SwinTransformer (swin_t) + mean pooling",
            "deberta-v2": "DebertaPlain (DeBERTa-v3 written out, gathers for c2p/p2c)"}.get(
        cfg["model_type"], "BertPlain (nn.Linear/LayerNorm, explicit attention)")
    env.record(f"PyTorch: {label}", f"python: bench/cpu/models.py {what}, eval, inference_mode, "
               f"torch.set_num_threads({env.threads}), inputs {env.rel(d)}/*.npy")

    onnx = os.path.join(d, "model.onnx")
    stamp = {"v": models.GENERATOR_VERSION, "torch": torch.__version__, "batch": batch,
             "seq": seq, "config": cfg}
    if not cached(onnx, stamp):
        log(f"exporting {label} to ONNX")
        models.export_onnx(module, inputs, models.output_names(name), onnx,
                           train_mode=cfg["model_type"] == "vit")
        write_stamp(onnx, stamp)
    ours_fn, state = env.ours_rounds(so, os.path.join(ckpt, "model.safetensors"), files,
                                     os.path.join(d, "out"), label)
    ort_state = {}

    def ort_fn(_):
        ort_state["outs"], t, ort_state["version"] = env.run_ort(
            onnx, files, os.path.join(d, "ort-out"), label)
        return t
    res["ours"], res["ort"], ratios = alternate(env.policy["rounds"], ours_fn, ort_fn)
    res["ort_version"] = ort_state["version"]
    res["rel_err_ort"] = max(rel_err(ort_state["outs"][n], r)
                             for n, r in zip(models.output_names(name), ref))
    res["rel_err_ours"] = max(rel_err(state["outs"][n], r)
                              for n, r in zip(models.output_names(name), ref))
    res["ort_vs_ours"] = ratios["median"]
    res["ort_vs_ours_rounds"] = ratios
    res["files"] = files
    res["torch_vs_ours"] = res["torch"]["median_ms"] / res["ours"]["median_ms"]
    return res


# --- a busy neighbour ----------------------------------------------------------------------------

SPIN = """import os, sys, time
os.sched_setaffinity(0, {int(sys.argv[1])})
end = time.time() + float(sys.argv[2])
while time.time() < end:
    pass
"""


def bench_neighbour(env, quiet):
    """BERT-base b1 s128 (ours and ORT alternating, as in the models
    section) while a busy loop runs on the last CPU: started here, bounded
    in time, killed when the rounds end. Slow-down = loaded / quiet median."""
    ckpt = os.path.join(env.work, "models", "bert-base")
    files = quiet["files"]
    d = os.path.dirname(next(iter(files.values())))
    label = "bert-base b1 s128 beside a busy core"
    ours_fn, _ = env.ours_rounds(os.path.join(ckpt, "model.so"),
                                 os.path.join(ckpt, "model.safetensors"), files,
                                 os.path.join(d, "out-busy"), label)

    def ort_fn(_):
        return env.run_ort(os.path.join(d, "model.onnx"), files, os.path.join(d, "ort-busy"),
                           label)[1]
    cpu = (os.cpu_count() or 1) - 1
    spin = [sys.executable, "-c", SPIN, str(cpu), str(env.policy["neighbour_seconds"])]
    env.record("busy neighbour (started before the rounds, killed after)",
               shlex.join(spin[:2] + ["<busy loop pinned to CPU %d>" % cpu] + spin[3:]))
    spinner = subprocess.Popen(spin)
    try:
        ours, ort, ratios = alternate(env.policy["rounds"], ours_fn, ort_fn)
    finally:
        spinner.kill()
        spinner.wait()
    return {"cpu": cpu, "ours": ours, "ort": ort, "ort_vs_ours_rounds": ratios,
            "ours_slowdown": ours["median_ms"] / quiet["ours"]["median_ms"],
            "ort_slowdown": ort["median_ms"] / quiet["ort"]["median_ms"]}


# --- report -----------------------------------------------------------------------------------


# --- the ONNX import ----------------------------------------------------------------------------

ONNX_VS_NATIVE_TARGET = 1.05  # imported / native time
ONNX_ORT_TARGET = 1.0


def bench_onnx(env, quiet):
    """BERT-base b1 s128 compiled from the very .onnx file ORT runs
    (encoder-compile model.onnx), alternating with ORT on that file and with
    the artifact compiled from the checkpoint directory."""
    ckpt = os.path.join(env.work, "models", "bert-base")
    files = quiet["files"]
    d = os.path.dirname(next(iter(files.values())))
    onnx = os.path.join(d, "model.onnx")
    so = os.path.join(d, "from-onnx.so")
    res = {"compile_s": env.compile_artifact(onnx, so, "bert-base b1 s128 (from ONNX)")}
    label = "bert-base b1 s128 from ONNX"
    ours_fn, state = env.ours_rounds(so, os.path.join(d, "from-onnx.safetensors"), files,
                                     os.path.join(d, "out-onnx"), label)
    native_fn, _ = env.ours_rounds(os.path.join(ckpt, "model.so"),
                                   os.path.join(ckpt, "model.safetensors"), files,
                                   os.path.join(d, "out"), "bert-base b1 s128")

    ort_outs = {}

    def ort_fn(_):
        outs, t, _ = env.run_ort(onnx, files, os.path.join(d, "ort-out"), label)
        ort_outs.update(outs)
        return t
    res["ours"], res["ort"], res["ort_vs_ours_rounds"] = alternate(
        env.policy["rounds"], ours_fn, ort_fn)
    res["ort_vs_ours"] = res["ort_vs_ours_rounds"]["median"]
    _, res["native"], native_ratio = alternate(env.policy["rounds"], ours_fn, native_fn)
    # The per-round ratio is native time / imported time.
    res["native_vs_ours_rounds"] = native_ratio
    res["onnx_vs_native"] = 1.0 / native_ratio["median"]
    res["rel_err_vs_ort"] = max(rel_err(state["outs"][n], ort_outs[n])
                                for n in models.OUTPUT_NAMES)
    return res


def ok(flag):
    return "PASS" if flag else "FAIL"


def fmt_ms(t):
    return f"{t['median_ms']:.3f}" if t["median_ms"] < 10 else f"{t['median_ms']:.1f}"


def spread(r):
    return f"{r['median']:.2f} [{r['min']:.2f}, {r['max']:.2f}]"


def targets(data):
    """(target, measured, met) rows; ratios are medians of the per-round
    ratios, [min, max] beside them."""
    rows = []
    peak = data.get("peak", {})
    pk = peak.get(str(data["threads"])) if peak and "error" not in peak else None
    share = f"{100 * PEAK_SHARE_TARGET:.0f}%"
    for key, r in data["matmul"].items():
        what = f"matmul {key}: ours ≥ {share} of the measured {data['threads']}-thread FMA limit"
        if "error" in r or not pk:
            rows.append((what, "error" if "error" in r else "no FMA limit measured", False))
            continue
        rows.append((what, f"{100 * r['ours']['gflops'] / pk:.0f}%",
                     r["ours"]["gflops"] / pk >= PEAK_SHARE_TARGET))
    for key, r in data["attention"].items():
        what = f"attention {key}: ORT time / our time ≥ {ATTENTION_TARGET:.1f}"
        if "error" in r:
            rows.append((what, "error", False))
            continue
        rows.append((what, spread(r["ort_vs_ours_rounds"]), r["ort_vs_ours"] >= ATTENTION_TARGET))
    for key, r in data["models"].items():
        goal = ORT_TARGETS.get(key.split()[0], 1.0)
        what = f"{key}: ORT time / our time ≥ {goal:.1f}"
        if "error" in r:
            rows.append((what, "error", False))
            continue
        rows.append((what, spread(r["ort_vs_ours_rounds"]), r["ort_vs_ours"] >= goal))
    n = data.get("neighbour")
    if n:
        what = "bert-base b1 beside a busy core: our slow-down ≤ ORT's"
        if "error" in n:
            rows.append((what, "error", False))
        else:
            rows.append((what, f"ours {n['ours_slowdown']:.2f}x, ORT {n['ort_slowdown']:.2f}x",
                         n["ours_slowdown"] <= n["ort_slowdown"]))
    o = data.get("onnx")
    if o:
        what = "bert-base b1 s128 from its ONNX file: ORT time / our time ≥ 1.0 (same file)"
        what2 = "bert-base b1 s128 from ONNX: time ≤ 1.05x the checkpoint directory's"
        if "error" in o:
            rows += [(what, "error", False), (what2, "error", False)]
        else:
            rows.append((what, spread(o["ort_vs_ours_rounds"]), o["ort_vs_ours"] >= ONNX_ORT_TARGET))
            rows.append((what2, f"{o['onnx_vs_native']:.2f}x",
                         o["onnx_vs_native"] <= ONNX_VS_NATIVE_TARGET))
    for key, r in data["compile"].items():
        if key == "tiny-bert":
            continue
        if "error" in r:
            rows.append((f"compile {key} ≤ 5 s", "error", False))
            continue
        rows.append((f"compile {key} ≤ 5 s", f"{r['median_s']:.2f} s", r["median_s"] <= 5.0))
    return rows


def correctness_rows(data):
    rows = []
    for key, r in data["matmul"].items():
        if "error" not in r:
            rows.append((f"matmul {key}", "ours vs float64 x·wᵀ", r["rel_err_ours"]))
    for key, r in data["attention"].items():
        if "error" not in r:
            rows.append((f"attention {key}", "ours vs PyTorch", r["rel_err_ours"]))
            rows.append((f"attention {key}", "ORT vs PyTorch", r["rel_err_ort"]))
    for key, r in data["models"].items():
        if "error" not in r:
            rows.append((key, "ours vs PyTorch", r["rel_err_ours"]))
            rows.append((key, "ORT vs PyTorch", r["rel_err_ort"]))
    return rows


def write_report(data, md_path):
    mode = data["mode"]
    mi = data["machine"]
    peak = data.get("peak", {})
    L = []
    title = "CPU benchmark" + (" (QUICK MODE: plumbing check, not comparable)" if mode == "quick"
                               else " (partial)" if mode == "partial" else "")
    L += [f"# {title}: {data['date']}", ""]
    if mode != "full":
        L += ["> Quick/partial mode: fewer repeats and smaller sizes (matmul 512³ instead of "
              "2048³, no attention at 2048, no BERT-base batch 8, one compile). Use "
              "`bench/run.sh` (full) for numbers to quote.", ""]
    L += [f"Command: `{data['command']}`  ",
          f"Started {data['started']}, took {data['elapsed_s'] / 60:.1f} min.  ",
          f"Tree: `{mi['git_commit']}`" + (f" with {mi['git_dirty_files']} modified tracked "
                                           "file(s)" if mi["git_dirty_files"] else "") +
          f"; compiler from `{mi['build_dir']}/`" +
          (f" (**out of date: `ninja -n` has {mi['build_stale_steps']} step(s) to run**)"
           if mi["build_stale_steps"]
           else " (up to date)") + ".", ""]

    L += ["## Machine", "",
          f"- CPU: {mi['cpu_model']}, {mi['cpus']} CPU(s) ({mi['sockets']} socket(s) × "
          f"{mi['cores_per_socket']} core(s) × {mi['threads_per_core']} thread(s))"
          + (f", {mi['hypervisor']} guest" if mi["hypervisor"] else "")
          + f"; SIMD {', '.join(mi['simd'])}; caches "
          + ", ".join(f"{k} {v}" for k, v in mi["caches"].items()),
          f"- Memory: {mi['memory_gib']} GiB; {mi['os']}, Linux {mi['kernel']}",
          f"- Other processes used {data['other_cpu_s']:.0f} CPU-seconds during the run, "
          f"{100 * data['other_cpu_share']:.0f}% of the machine"
          + (" **(the machine was busy: these numbers are not reliable)**"
             if data["other_cpu_share"] > 0.05 else " (quiet enough)")
          + f"; load average at start {' '.join(mi['loadavg_start'])}, at end "
          f"{' '.join(data['loadavg_end'])}",
          f"- Software: numpy {mi['numpy']} with "
          + (f"OpenBLAS ({mi['blas'].get('openblas_config', '?')}, core "
             f"{mi['blas'].get('openblas_core', '?')}, {mi['blas'].get('openblas_threads', '?')} "
             "threads)" if mi["blas"]["openblas"] else
             f"**not OpenBLAS** ({', '.join(mi['blas']['libraries'])})")
          + f"; PyTorch {mi['torch']}, torchvision {mi['torchvision']}; "
          f"onnxruntime-node {data.get('ort_version', '?')} on node {mi['node']}; {mi['clang']}",
          f"- Threads: ONNX Runtime intra-op {data['threads']} (inter-op 1, sequential, all graph "
          f"optimizations); PyTorch set_num_threads({data['threads']}); "
          f"OPENBLAS_NUM_THREADS={data['openblas_threads']}; ours: "
          + (f"`--threads={data['our_threads']}` (all cores)" if mi["encoder_run_threads_flag"]
             else "the runtime's default (encoder-run has no --threads yet)"),
          ""]
    if peak and "error" not in peak:
        counts = sorted(k for k in peak if k.isdigit())
        L += [f"- FMA limit measured on this host ({mi['cpu_model']}; bench/cpu/fma_peak.c, "
              f"{peak.get('lanes', '?')}-lane FMAs in registers, best of 5): "
              + ", ".join(f"{peak[c]:.1f} GFLOP/s on {c} thread(s)" for c in counts)
              + f". Percentages of the limit below use the {data['threads']}-thread figure.",
              f"- Kernel blocking of our artifacts: {data.get('blocking', '?')}", ""]
    elif peak:
        L += [f"- FMA peak: error ({peak['error']})", ""]

    L += ["## Targets", "", "| target | measured | status |", "|---|---|---|"]
    rows = targets(data)
    L += [f"| {t} | {m} | **{ok(p)}** |" for t, m, p in rows]
    passed = sum(p for _, _, p in rows)
    L += ["", f"{passed} of {len(rows)} targets met. Ratios: the median of "
          f"{data['policy']['rounds']} rounds, each timing ours and the peer in fresh processes "
          "one after the other, [min, max] of the rounds.", ""]

    pk = peak.get(str(data["threads"])) if peak and "error" not in peak else None
    L += ["## Matmul (f32, y = x·Wᵀ, W stored [N, K])", "",
          "GFLOP/s = 2·M·N·K / median time. OpenBLAS: `np.matmul(x, w.T, out=y)` in a process of "
          "its own with " + " and ".join(f"`{k}`" for k in OPENBLAS_PINS) + " unset; ours: an "
          "`enc.linear` artifact timed by `encoder-run --benchmark`. OpenBLAS ran its "
          + ", ".join(sorted({f"`{r['openblas'].get('core')}`" for r in data["matmul"].values()
                              if "error" not in r})) + " kernel.", "",
          "| M×N×K | OpenBLAS ms | OpenBLAS GFLOP/s | ours ms | ours GFLOP/s | "
          "ours / OpenBLAS [min, max] |"
          + (" OpenBLAS % limit | ours % limit |" if pk else ""),
          "|---|---|---|---|---|---|" + ("---|---|" if pk else "")]
    for key, r in data["matmul"].items():
        if "error" in r:
            L.append(f"| {key} | error: {r['error']} |")
            continue
        row = (f"| {r['M']}×{r['N']}×{r['K']} | {fmt_ms(r['openblas'])} | "
               f"{r['openblas']['gflops']:.1f} | {fmt_ms(r['ours'])} | {r['ours']['gflops']:.1f} | "
               f"{spread(r['ours_vs_openblas_rounds'])} |")
        if pk:
            row += (f" {100 * r['openblas']['gflops'] / pk:.0f}% | "
                    f"{100 * r['ours']['gflops'] / pk:.0f}% |")
        L.append(row)
    L.append("")

    L += [f"## Attention (batch 1, {HEADS} heads, head dim {HEAD_DIM}, no mask)", "",
          "GFLOP/s = 4·H·S²·D / median time. PyTorch: `softmax(QKᵀ/√d)V` spelled out; ORT: that "
          "module exported to ONNX; ours: an `enc.attention` artifact.", "",
          "| seq | PyTorch ms | ORT ms | ours ms | PyTorch GFLOP/s | ORT GFLOP/s | ours GFLOP/s | "
          "ORT / ours [min, max] | PyTorch / ours |", "|---|---|---|---|---|---|---|---|---|"]
    for key, r in data["attention"].items():
        if "error" in r:
            L.append(f"| {key} | error: {r['error']} |")
            continue
        L.append(f"| {r['seq']} | {fmt_ms(r['torch'])} | {fmt_ms(r['ort'])} | {fmt_ms(r['ours'])} "
                 f"| {r['torch']['gflops']:.1f} | {r['ort']['gflops']:.1f} | "
                 f"{r['ours']['gflops']:.1f} | {spread(r['ort_vs_ours_rounds'])} | "
                 f"{r['torch_vs_ours']:.2f} |")
    L.append("")

    L += ["## Models (f32)", "",
          "Ratio = other's median time / our median time (> 1: we are faster).", "",
          "| model | batch × seq | PyTorch ms | ORT ms | ours ms | ORT / ours [min, max] | "
          "PyTorch / ours |",
          "|---|---|---|---|---|---|---|"]
    for key, r in data["models"].items():
        if "error" in r:
            L.append(f"| {key} | error: {r['error']} |")
            continue
        L.append(f"| {r['model']} | {r['batch']} × {r['seq']} | {fmt_ms(r['torch'])} | "
                 f"{fmt_ms(r['ort'])} | {fmt_ms(r['ours'])} | {spread(r['ort_vs_ours_rounds'])} | "
                 f"{r['torch_vs_ours']:.2f} |")
    L.append("")

    n = data.get("neighbour")
    if n:
        L += ["## Beside a busy core (BERT-base b1 s128)", "",
              "A busy loop pinned to one CPU (started by the bench, killed after) while ours and "
              "ORT alternate as above. Slow-down = median with the neighbour / median without.", ""]
        if "error" in n:
            L += [f"error: {n['error']}", ""]
        else:
            L += ["| | quiet ms | beside the busy loop ms | slow-down |", "|---|---|---|---|",
                  f"| ours | {fmt_ms(data['models']['bert-base b1 s128']['ours'])} | "
                  f"{fmt_ms(n['ours'])} | {n['ours_slowdown']:.2f}x |",
                  f"| ORT | {fmt_ms(data['models']['bert-base b1 s128']['ort'])} | "
                  f"{fmt_ms(n['ort'])} | {n['ort_slowdown']:.2f}x |", ""]

    o = data.get("onnx")
    if o:
        L += ["## From ONNX (BERT-base b1 s128, `encoder-compile model.onnx`)", "",
              "The artifact compiled from the .onnx file ORT runs, alternating with ORT on that "
              "file and with the artifact compiled from the checkpoint directory.", ""]
        if "error" in o:
            L += [f"error: {o['error']}", ""]
        else:
            L += ["| | ms | ratio |", "|---|---|---|",
                  f"| ours, from ONNX | {fmt_ms(o['ours'])} | |",
                  f"| ORT, same file | {fmt_ms(o['ort'])} | ORT / ours "
                  f"{spread(o['ort_vs_ours_rounds'])} |",
                  f"| ours, from the checkpoint directory | {fmt_ms(o['native'])} | "
                  f"from ONNX / native {o['onnx_vs_native']:.2f} |",
                  f"| compile from ONNX (import, weights written) | {o['compile_s']:.2f} s | |",
                  "", f"Outputs from ONNX vs ORT's: relative L2 error {o['rel_err_vs_ort']:.1e}.", ""]

    L += ["## Compile time (`encoder-compile DIR -o model.so`, wall clock)", "",
          "| model | median s | runs |", "|---|---|---|"]
    for key, r in data["compile"].items():
        if "error" in r:
            L.append(f"| {key} | error: {r['error']} | |")
            continue
        L.append(f"| {key} | {r['median_s']:.2f} | "
                 + ", ".join(f"{t:.2f}" for t in r["times_s"]) + " |")
    L.append("")

    L += ["## Same computation? (relative L2 error, tolerance "
          f"{TOLERANCE:g})", "", "| case | comparison | error | status |", "|---|---|---|---|"]
    L += [f"| {c} | {w} | {e:.1e} | {ok(e < TOLERANCE)} |" for c, w, e in correctness_rows(data)]
    L.append("")

    L += ["## Timing method", "",
          f"Each side of a comparison runs {data['policy']['rounds']} times, alternating with "
          "its peer (ours, peer, ours, peer, ...), each time in a fresh process; a side's time "
          "is the median of its rounds' medians and a ratio the median of the rounds' ratios. "
          f"Every time is the median over repeats after warm-up (PyTorch, OpenBLAS and ORT: 3 "
          f"warm-up calls; encoder-run: one checked call and 3 warm-up calls). The number of "
          f"timed calls aims at {data['policy']['target_seconds']} s per measurement, between "
          f"{data['policy']['min_runs']} and {data['policy']['max_runs']}; the JSON beside this "
          "file has min, max and the count of every measurement. PyTorch and OpenBLAS are timed "
          "in-process with `time.perf_counter` around one call; ORT around one "
          "`await session.run(feeds)` in node; ours by encoder-run around one "
          "`encrt_module_call` (result allocation included, process start and weight loading "
          "not). Nothing else may run on the machine meanwhile (2 cores: one busy core halves "
          "every 2-thread number).", ""]

    L += ["## Commands", "", "Run from the repository root (artifacts and data under "
          "`bench/.work/`). Each timed `encoder-run` is preceded by the same call with "
          "`--output=@...` for every result (the correctness check, whose wall time also sets "
          "`--benchmark=N`); `ort_bench.js` writes ORT's outputs itself.", "", "```"]
    L += [f"# {what}\n{cmd}" for what, cmd in data["commands"]]
    L += ["```", ""]
    if data["errors"]:
        L += ["## Errors", ""] + [f"- {k}: {m}" for k, m in data["errors"]] + [""]
    with open(md_path, "w") as f:
        f.write("\n".join(L))


# --- main -------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats, smaller sizes")
    parser.add_argument("--threads", type=int, default=2,
                        help="threads for ORT, PyTorch and OpenBLAS (default 2)")
    parser.add_argument("--only", default="", help=f"comma-separated subset of {','.join(SECTIONS)}")
    parser.add_argument("--build", default=os.environ.get("ENCODER_BUILD_DIR",
                                                          os.path.join(REPO, "build")))
    parser.add_argument("--work", default=os.path.join(REPO, "bench", ".work"))
    parser.add_argument("--results", default=os.path.join(REPO, "bench", "results"))
    parser.add_argument("--command", default=None, help="the command line to record")
    parser.add_argument("--rounds", type=int, default=None,
                        help="alternating rounds per comparison (default 5, quick 3)")
    parser.add_argument("--models", default="",
                        help="comma-separated subset of the models section's models "
                             f"({','.join(models.CONFIGS)})")
    args = parser.parse_args()
    only = [s for s in args.only.split(",") if s]
    bad = [s for s in only if s not in SECTIONS]
    if bad:
        parser.error(f"unknown section(s) {bad}; choose from {SECTIONS}")
    sections = only or list(SECTIONS)
    policy = dict(QUICK if args.quick else FULL)
    if args.rounds:
        policy["rounds"] = args.rounds
    picked = [m for m in args.models.split(",") if m]
    if [m for m in picked if m not in models.CONFIGS]:
        parser.error(f"unknown model(s) in --models; choose from {','.join(models.CONFIGS)}")
    if picked:
        policy["models"] = [m for m in policy["models"] if m[0] in picked]
    mode = "partial" if only or picked else "quick" if args.quick else "full"

    import torch

    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    if os.environ["OPENBLAS_NUM_THREADS"] != str(args.threads):
        log(f"warning: OPENBLAS_NUM_THREADS={os.environ['OPENBLAS_NUM_THREADS']}, "
            f"--threads={args.threads}")

    for tool in ("encoder-compile", "encoder-run"):
        if not os.access(os.path.join(args.build, "bin", tool), os.X_OK):
            sys.exit(f"bench: {args.build}/bin/{tool} is missing; build first (scripts/build.sh)")
    env = Env(args, policy)
    os.makedirs(env.work, exist_ok=True)
    os.makedirs(args.results, exist_ok=True)
    now = datetime.datetime.now()
    data = {
        "mode": mode, "date": now.strftime("%Y-%m-%d"), "started": now.strftime("%Y-%m-%d %H:%M:%S"),
        "command": args.command or shlex.join([sys.executable] + sys.argv),
        "threads": args.threads, "our_threads": env.our_threads,
        "openblas_threads": os.environ["OPENBLAS_NUM_THREADS"],
        "policy": {k: policy[k] for k in ("target_seconds", "min_runs", "max_runs",
                                          "compile_repeats", "rounds")},
        "tolerance": TOLERANCE,
        "matmul": {}, "attention": {}, "models": {}, "compile": {},
    }
    busy0, own0 = cpu_busy_seconds(), own_cpu_seconds()
    data["machine"] = machine_info(env)
    log(f"mode {mode}; {data['machine']['cpu_model']}, {data['machine']['cpus']} CPUs; "
        f"load {' '.join(data['machine']['loadavg_start'])}")
    if not data["machine"]["blas"]["openblas"]:
        log("warning: numpy's BLAS is not OpenBLAS: " + ", ".join(data["machine"]["blas"]["libraries"]))

    if "peak" in sections:
        log("FMA peak")
        guarded(env, data, "peak", lambda: measure_peak(env))
    if "matmul" in sections:
        for m, n, k in policy["matmuls"]:
            log(f"matmul {m}x{n}x{k}")
            guarded(env, data["matmul"], f"{m}x{n}x{k}", lambda: bench_matmul(env, m, n, k))
    if "attention" in sections:
        for s in policy["attention"]:
            log(f"attention seq {s}")
            guarded(env, data["attention"], f"seq {s}", lambda: bench_attention(env, s))
    if "models" in sections:
        artifacts = {}
        for name in dict.fromkeys(n for n, _, _ in policy["models"]):
            def prepare():
                ckpt = checkpoint(env, name)
                repeats = 1 if name == "tiny-bert" else policy["compile_repeats"]
                log(f"compile {name} ({repeats}x)")
                so, times = compile_model(env, name, ckpt, repeats)
                artifacts[name] = so
                return times
            guarded(env, data["compile"], name, prepare)
        for name, batch, seq in policy["models"]:
            key = f"{name} b{batch}" + (f" s{seq}" if seq else "")
            if name not in artifacts:
                data["models"][key] = {"error": "not compiled (see compile)"}
                env.errors.append((key, "not compiled"))
                continue
            log(key)
            guarded(env, data["models"], key,
                    lambda: bench_model(env, name, batch, seq, artifacts[name]))
    if "neighbour" in sections:
        quiet = data["models"].get("bert-base b1 s128")
        if quiet and "error" not in quiet:
            log("bert-base b1 beside a busy core")
            guarded(env, data, "neighbour", lambda: bench_neighbour(env, quiet))
        elif "models" in sections:
            data["neighbour"] = {"error": "no quiet bert-base b1 s128 measurement"}
    if "onnx" in sections:
        quiet = data["models"].get("bert-base b1 s128")
        if quiet and "error" not in quiet:
            log("bert-base b1 s128 from ONNX")
            guarded(env, data, "onnx", lambda: bench_onnx(env, quiet))
        elif "models" in sections:
            data["onnx"] = {"error": "no bert-base b1 s128 measurement"}
    data["blocking"] = blocking(env)
    versions = [r.get("ort_version") for sec in ("attention", "models")
                for r in data[sec].values() if r.get("ort_version")]
    data["ort_version"] = versions[0] if versions else "?"
    data["commands"] = env.commands
    data["errors"] = env.errors
    data["loadavg_end"] = open("/proc/loadavg").read().split()[:3]
    data["elapsed_s"] = time.time() - START
    others = max(0.0, (cpu_busy_seconds() - busy0) - (own_cpu_seconds() - own0))
    data["other_cpu_s"] = others
    data["other_cpu_share"] = others / max(1e-9, data["elapsed_s"] * (os.cpu_count() or 1))

    prefix = {"full": "cpu", "quick": "quick", "partial": "partial"}[mode]
    md = os.path.join(args.results, f"{prefix}-{data['date']}.md")
    with open(md[:-3] + ".json", "w") as f:
        json.dump(data, f, indent=1)
    write_report(data, md)
    log(f"wrote {os.path.relpath(md, REPO)} and .json ({len(env.errors)} error(s))")
    return 1 if env.errors else 0


if __name__ == "__main__":
    sys.exit(main())
