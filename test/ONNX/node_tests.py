#!/usr/bin/env python3
"""ONNX's backend node tests (Debian's libonnx-testdata) through the importer.

Every node test whose ops the importer supports (encoder-compile
--list-onnx-ops) is compiled with encoder-compile and run with the Python
runtime on each of its test_data_set_* inputs; the outputs are compared with
the expected ones at ONNX's backend-test tolerances (rtol 1e-3, atol 1e-7).
Each test runs in its own process, so that a crash is a failure, not the end
of the run. Writes a per-op table (markdown) and exits non-zero when fewer
than --min-pass of the tests run pass.

  node_tests.py --build build [--jobs 2] [--report docs/onnx-node-tests.md]
                [--min-pass 0.95] [--filter SUBSTRING] [--verbose]
"""

import argparse
import collections
import concurrent.futures
import glob
import json
import os
import subprocess
import sys
import tempfile
import time

DEFAULT_DATA = "/usr/share/libonnx-testdata/data/node"
RTOL, ATOL = 1e-3, 1e-7


def op_types(model_path):
    import onnx

    model = onnx.load(model_path, load_external_data=False)
    ops = set()
    for node in model.graph.node:
        domain = node.domain or "ai.onnx"
        ops.add(node.op_type if domain == "ai.onnx" else f"{domain}:{node.op_type}")
    return ops


def compile_model(compiler, model_path, artifact):
    return subprocess.run(
        [compiler, model_path, "-o", artifact],
        capture_output=True, text=True, timeout=300,
        env=dict(os.environ, ENCODER_TUNING_RECORD="none"))


def with_constant_inputs(test_dir, scratch):
    """The test's model with its integer inputs of rank <= 1 (axes, shapes,
    starts, splits: operands that decide shapes) and its scalars (a ratio, a
    training flag, a pad value) made initializers holding
    test_data_set_0's values, as onnx-mlir's CONSTANT_INPUT does; returns
    (path, names) or None when there are none."""
    import onnx

    model = onnx.load(os.path.join(test_dir, "model.onnx"), load_external_data=False)
    initializers = {t.name for t in model.graph.initializer}
    inputs = [i for i in model.graph.input if i.name not in initializers]
    made = []
    for index, info in enumerate(inputs):
        tensor_type = info.type.tensor_type
        rank = len(tensor_type.shape.dim)
        integer = tensor_type.elem_type in (onnx.TensorProto.INT64, onnx.TensorProto.INT32)
        if rank > 1 or (rank == 1 and not integer):
            continue
        path = os.path.join(test_dir, "test_data_set_0", f"input_{index}.pb")
        if not os.path.exists(path):
            continue
        tensor = onnx.TensorProto()
        with open(path, "rb") as f:
            tensor.ParseFromString(f.read())
        tensor.name = info.name
        model.graph.initializer.append(tensor)
        model.graph.input.remove(info)
        made.append(info.name)
    if not made:
        return None
    path = os.path.join(scratch, "constant-inputs.onnx")
    onnx.save(model, path)
    return path, made


def run_one(test_dir, build, scratch):
    """Compiles and runs one node test; returns {"status", "detail"}."""
    import numpy as np
    import onnx
    from onnx import numpy_helper

    compiler = os.path.join(build, "bin", "encoder-compile")
    artifact = os.path.join(scratch, "model.so")
    weights = os.path.join(scratch, "model.safetensors")
    model_path = os.path.join(test_dir, "model.onnx")
    proc = compile_model(compiler, model_path, artifact)
    constants = []
    if proc.returncode != 0 and ("known when compiling" in proc.stderr
                                 or "must be a constant" in proc.stderr):
        variant = with_constant_inputs(test_dir, scratch)
        if variant:
            model_path, constants = variant
            proc = compile_model(compiler, model_path, artifact)
    if proc.returncode != 0:
        lines = [line for line in proc.stderr.splitlines() if line.strip()]
        message = lines[0] if lines else f"exit {proc.returncode}"
        if proc.returncode < 0 or "PLEASE submit a bug report" in proc.stderr:
            message = f"compiler crashed ({proc.returncode}): {message}"
        return {"status": "compile", "detail": message}

    sys.path.insert(0, os.path.join(build, "python_packages"))
    import encoder

    model = onnx.load(os.path.join(test_dir, "model.onnx"), load_external_data=False)
    initializers = {t.name for t in model.graph.initializer}
    inputs = [i.name for i in model.graph.input if i.name not in initializers]
    # Data set files are numbered by the original inputs.
    outputs = [o.name for o in model.graph.output]
    try:
        module = encoder.load(artifact, weights if os.path.exists(weights) else None)
    except Exception as error:  # noqa: BLE001 - reported, not hidden
        return {"status": "run", "detail": f"load: {error}"}
    worst = 0.0
    for data_set in sorted(glob.glob(os.path.join(test_dir, "test_data_set_*"))):
        args = {}
        for i, name in enumerate(inputs):
            path = os.path.join(data_set, f"input_{i}.pb")
            if name in constants or not os.path.exists(path):
                continue
            tensor = onnx.TensorProto()
            with open(path, "rb") as f:
                tensor.ParseFromString(f.read())
            args[name] = numpy_helper.to_array(tensor)
        try:
            result = module.main(**args)
        except Exception as error:  # noqa: BLE001
            return {"status": "run", "detail": str(error).splitlines()[0]}
        if not isinstance(result, (tuple, list)):
            result = (result,)
        if hasattr(result, "_asdict"):
            result = tuple(result)
        for i, name in enumerate(outputs):
            tensor = onnx.TensorProto()
            with open(os.path.join(data_set, f"output_{i}.pb"), "rb") as f:
                tensor.ParseFromString(f.read())
            expected = numpy_helper.to_array(tensor)
            got = np.asarray(result[i])
            if got.shape != expected.shape:
                return {"status": "wrong",
                        "detail": f"output '{name}': shape {got.shape}, expected "
                                  f"{expected.shape}"}
            if expected.dtype == np.bool_ or np.issubdtype(expected.dtype, np.integer):
                if not np.array_equal(got.astype(expected.dtype), expected):
                    return {"status": "wrong",
                            "detail": f"output '{name}': values differ"}
                continue
            try:
                np.testing.assert_allclose(got.astype(np.float64),
                                           expected.astype(np.float64),
                                           rtol=RTOL, atol=ATOL)
            except AssertionError:
                diff = np.abs(got.astype(np.float64) - expected.astype(np.float64))
                return {"status": "wrong",
                        "detail": f"output '{name}': max abs error "
                                  f"{np.nanmax(diff) if diff.size else 0:.3g}"}
            if got.size:
                worst = max(worst, float(np.nanmax(np.abs(
                    got.astype(np.float64) - expected.astype(np.float64)))))
    detail = f"max abs error {worst:.2g}"
    if constants:
        detail += f"; constant inputs {', '.join(constants)}"
    return {"status": "pass", "detail": detail, "constant_inputs": bool(constants)}


def child(test_dir, build):
    with tempfile.TemporaryDirectory(prefix="onnx-node-") as scratch:
        try:
            result = run_one(test_dir, build, scratch)
        except subprocess.TimeoutExpired:
            result = {"status": "compile", "detail": "compile timed out"}
    print("RESULT " + json.dumps(result))


def run_isolated(test_dir, build):
    proc = subprocess.run([sys.executable, __file__, "--build", build, "--one", test_dir],
                          capture_output=True, text=True, timeout=600)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT "):])
    tail = (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1]
    return {"status": "run", "detail": f"crashed ({proc.returncode}): {tail}"}


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", required=True)
    parser.add_argument("--data", default=DEFAULT_DATA)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--report")
    parser.add_argument("--min-pass", type=float, default=0.0)
    parser.add_argument("--filter", default="")
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    build = os.path.abspath(args.build)
    if args.one:
        child(args.one, build)
        return 0
    if not os.path.isdir(args.data):
        print(f"node_tests: no ONNX node tests at {args.data} (Debian: libonnx-testdata)")
        return 1

    supported = set(subprocess.run(
        [os.path.join(build, "bin", "encoder-compile"), "--list-onnx-ops"],
        capture_output=True, text=True, check=True).stdout.split())
    tests = sorted(d for d in glob.glob(os.path.join(args.data, "test_*"))
                   if os.path.exists(os.path.join(d, "model.onnx")) and args.filter in d)
    in_scope, by_test_ops = [], {}
    for test in tests:
        ops = op_types(os.path.join(test, "model.onnx"))
        by_test_ops[test] = ops
        if ops and ops <= supported:
            in_scope.append(test)

    started = time.time()
    results = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = {pool.submit(run_isolated, t, build): t for t in in_scope}
        for future in concurrent.futures.as_completed(futures):
            test = futures[future]
            results[test] = future.result()
            if args.verbose or results[test]["status"] != "pass":
                print(f"{os.path.basename(test)}: {results[test]['status']}: "
                      f"{results[test]['detail']}", flush=True)

    per_op = collections.defaultdict(lambda: [0, 0, []])
    for test, result in results.items():
        # A test counts for the op it is named after: its main op (the other
        # ops of a node test's model are usually Constant or a cast).
        ops = sorted(by_test_ops[test] - {"Constant"}) or ["Constant"]
        main_op = next((op for op in ops if op.lower() in os.path.basename(test).replace("_", "").lower()),
                       ops[0])
        entry = per_op[main_op]
        entry[1] += 1
        if result["status"] == "pass":
            entry[0] += 1
        else:
            entry[2].append(f"{os.path.basename(test)} ({result['status']}: {result['detail']})")
    passed = sum(1 for r in results.values() if r["status"] == "pass")
    constant = sum(1 for r in results.values() if r.get("constant_inputs"))
    run = len(results)
    ratio = passed / run if run else 0.0
    summary = (f"{passed} of {run} node tests of supported ops pass ({100 * ratio:.1f}%; "
               f"{constant} of them with their shape operands and scalars as constants, "
               f"as onnx-mlir's CONSTANT_INPUT); "
               f"{len(tests)} node tests in the package, {len(tests) - run} use an op "
               f"outside the supported set; {time.time() - started:.0f} s")
    print(summary)
    if args.report:
        lines = ["| op | passed / run | failures |", "|---|---|---|"]
        for op in sorted(per_op):
            ok, total, failures = per_op[op]
            lines.append(f"| {op} | {ok} / {total} | {'; '.join(failures) or ''} |")
        with open(args.report, "w") as f:
            f.write("<!-- written by test/ONNX/node_tests.py -->\n\n" + summary + "\n\n"
                    + "\n".join(lines) + "\n")
    if run == 0 or ratio < args.min_pass:
        print(f"node_tests: pass rate {100 * ratio:.1f}% is below {100 * args.min_pass:.0f}%")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
