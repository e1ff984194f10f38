"""The GIL is released while compiled code runs: another Python thread
makes progress during a call."""

import threading
import time

import numpy as np

import encoder
from encoder import builder


def big_matmul():
    m = builder.Module()
    f = m.function("main")
    x = f.input("x", [512, 1024])
    w = f.param("w", [1024, 1024])
    h = x
    for _ in range(8):
        h = f.linear(h, w)
    f.output("y", h)
    return m


def test_another_thread_runs_during_a_call(rng):
    # One thread for the kernels, so the other core is free for the counter.
    module = encoder.compile(big_matmul(), num_threads=1)
    module.bind({"w": (rng.standard_normal((1024, 1024)) * 0.03).astype(np.float32)})
    x = rng.standard_normal((512, 1024)).astype(np.float32)
    module.main(x)  # warm up: packing happens on the first call

    ticks = []
    done = threading.Event()

    def count():
        while not done.is_set():
            ticks.append(time.perf_counter())

    window = []

    def call():
        start = time.perf_counter()
        for _ in range(3):
            module.main(x)
        window.extend([start, time.perf_counter()])
        done.set()

    counter = threading.Thread(target=count)
    worker = threading.Thread(target=call)
    counter.start()
    worker.start()
    worker.join()
    counter.join()
    start, end = window
    assert end - start > 0.05, "the call is too short to show anything"
    inside = [t for t in ticks if start < t < end]
    # A call held under the GIL would leave a gap of a whole call (a third
    # of the window) between two ticks.
    assert len(inside) > 1000
    gaps = np.diff([start] + inside + [end])
    assert gaps.max() < 0.1 * (end - start), f"longest pause {gaps.max():.3f} s"
