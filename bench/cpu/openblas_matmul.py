#!/usr/bin/python3
"""Times y = x · wᵀ with numpy's BLAS in a process of its own, so that the
caller can give it an environment of its own: bench.py runs it with
OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset (some hosts set them for old
OpenBLAS builds, and they pin a slower kernel), for this command alone.

  openblas_matmul.py X.npy W.npy TARGET_SECONDS MIN_RUNS MAX_RUNS

Prints one JSON object: median_ms, min_ms, max_ms, runs, times_ms, and the
kernel OpenBLAS chose (openblas_get_corename) with its configuration."""
import ctypes
import json
import math
import statistics
import sys
import time

import numpy as np


def openblas_core():
    with open("/proc/self/maps") as f:
        paths = {line.split()[-1] for line in f if len(line.split()) >= 6}
    for path in sorted(p for p in paths if "blas" in p):
        try:
            lib = ctypes.CDLL(path)
            lib.openblas_get_corename.restype = ctypes.c_char_p
            lib.openblas_get_config.restype = ctypes.c_char_p
            return lib.openblas_get_corename().decode(), lib.openblas_get_config().decode()
        except (OSError, AttributeError):
            continue
    return None, None


def main():
    x, w = np.load(sys.argv[1]), np.load(sys.argv[2])
    target, min_runs, max_runs = float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    y = np.empty((x.shape[0], w.shape[0]), dtype=np.float32)
    wt = w.T
    warm = []
    for _ in range(3):
        t = time.perf_counter()
        np.matmul(x, wt, out=y)
        warm.append(time.perf_counter() - t)
    runs = max(min_runs, min(max_runs, math.ceil(target / max(statistics.median(warm), 1e-6))))
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        np.matmul(x, wt, out=y)
        times.append((time.perf_counter() - t) * 1e3)
    core, config = openblas_core()
    print(json.dumps({"median_ms": statistics.median(times), "min_ms": min(times),
                      "max_ms": max(times), "runs": runs,
                      "times_ms": [round(t, 4) for t in times],
                      "core": core, "config": config}))


if __name__ == "__main__":
    main()
