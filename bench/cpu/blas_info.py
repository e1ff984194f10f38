#!/usr/bin/python3
"""Prints the BLAS library numpy loads (one path a line, the BLAS first;
--first: only that one); with --is-openblas, prints nothing and exits 0
when it is OpenBLAS, 1 otherwise."""
import sys

import numpy as np

a = np.ones((64, 64), dtype=np.float32)
a @ a
libs = []
with open("/proc/self/maps") as f:
    for line in f:
        fields = line.split()
        if len(fields) >= 6 and ("blas" in fields[-1] or "mkl" in fields[-1]) and fields[-1] not in libs:
            libs.append(fields[-1])
libs.sort(key=lambda p: "lapack" in p)  # the BLAS first
if "--is-openblas" in sys.argv:
    sys.exit(0 if any("openblas" in p for p in libs) else 1)
print("\n".join(libs[:1] if "--first" in sys.argv else libs))
