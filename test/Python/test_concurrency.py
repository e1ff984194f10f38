"""One loaded module called from eight Python threads at once (the GIL is
released during calls): the same function at different shapes and
different functions of one artifact, while another thread rebinds the
weights; every result equals that of a serial call with the weights it
saw."""

import os
import threading

import numpy as np

import encoder

from conftest import EXAMPLES, random_weights

THREADS = 8
CALLS = 12


def run_threads(work):
    errors = []

    def guarded(t):
        try:
            work(t)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(f"thread {t}: {error!r}")

    threads = [threading.Thread(target=guarded, args=(t,)) for t in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors


def close(actual, expected):
    return all(np.allclose(a, e, rtol=1e-6, atol=1e-6) for a, e in zip(actual, expected))


def test_clip_functions_and_shapes_from_many_threads():
    module = encoder.compile(os.path.join(EXAMPLES, "clip"))
    rng = np.random.default_rng(4)
    module.bind(random_weights(module, rng))
    size = module.get_image_features.inputs[0].shape[2]
    cases = []
    for i in range(THREADS * CALLS):
        batch, seq = 1 + i % 3, 1 + (7 * i) % 20
        if i % 2:
            args = (rng.integers(0, 100, (batch, seq)), np.ones((batch, seq), np.int64))
            cases.append(("get_text_features", args))
        else:
            cases.append(("get_image_features",
                          (rng.standard_normal((batch, 3, size, size)).astype(np.float32),)))
    serial = [module[name](*args) for name, args in cases]

    def work(t):
        for i in range(t, len(cases), THREADS):
            name, args = cases[i]
            assert close([module[name](*args)], [serial[i]]), f"case {i} ({name})"

    run_threads(work)


def test_rebinding_while_calls_run():
    module = encoder.compile(os.path.join(EXAMPLES, "bert"))
    rng = np.random.default_rng(5)
    first, second = random_weights(module, rng), random_weights(module, rng)
    ids = rng.integers(0, 1000, (2, 9))
    module.bind(first)
    expected_first = module.main(ids)
    module.bind(second)
    expected_second = module.main(ids)
    stop = threading.Event()

    def rebind():
        flip = False
        while not stop.is_set():
            module.bind(first if flip else second)
            flip = not flip

    rebinder = threading.Thread(target=rebind)
    rebinder.start()
    try:
        def work(t):
            for _ in range(CALLS):
                out = module.main(ids)
                assert close(out, expected_first) or close(out, expected_second), \
                    "a call saw a mix of two bindings"

        run_threads(work)
    finally:
        stop.set()
        rebinder.join()
