"""The kernel report describes the artifact: its rows are the kernels the
artifact launches, under the artifact's names, at any --report-dims, and
its FLOPs at those sizes are the FLOPs the launches report to the profiler
when the artifact runs at them (BERT and ViT, whose batch and sequence are
dynamic). Code that runs without a launch is listed and marked inline."""

import json
import os

import numpy as np
import pytest

import encoder

from conftest import EXAMPLES, random_weights


def report_and_profile(tmp_path, model, dims, inputs, runs=3):
    report = tmp_path / "report.json"
    module = encoder.compile(os.path.join(EXAMPLES, model), report=str(report),
                             report_dims=dims)
    module.bind(random_weights(module, np.random.default_rng(1)))
    module.set_profiling(True)
    for _ in range(runs):
        module.main(*inputs)
    rows = json.loads(report.read_text())["kernels"]
    stats = {s["name"]: s for s in module.kernel_stats() if s["calls"]}
    return rows, stats, runs


@pytest.mark.parametrize("model,dims,shape", [
    ("bert", {"batch": 2, "sequence": 16}, None),
    ("bert", {"batch": 1, "sequence": 128}, None),
    ("vit", {"batch": 2}, (2, 3, 32, 32)),
])
def test_report_rows_are_the_profiled_kernels(tmp_path, model, dims, shape):
    rng = np.random.default_rng(2)
    if model == "bert":
        inputs = (rng.integers(0, 1000, (dims["batch"], dims["sequence"])),)
    else:
        inputs = (rng.standard_normal(shape).astype(np.float32),)
    rows, stats, runs = report_and_profile(tmp_path, model, dims, inputs)
    launched = [r for r in rows if r["launched"]]
    assert {r["name"] for r in launched} == set(stats)
    for row in launched:
        stat = stats[row["name"]]
        assert stat["calls"] == runs, row["name"]
        # The report's FLOPs at these sizes are what the launches reported.
        assert row["flops"] >= 0, f"{row['name']}: no FLOPs at {dims}"
        assert stat["flops"] == runs * row["flops"], row["name"]
        assert row["bytes"] > 0, row["name"]
    ops = {op for r in launched for op in r["ops"]}
    assert {"enc.linear", "enc.layer_norm", "enc.attention"} <= ops


def test_inline_code_is_listed_and_marked(tmp_path):
    report = tmp_path / "tiny.json"
    encoder.compile(os.path.join(EXAMPLES, "tiny_bert.mlir"), report=str(report))
    rows = json.loads(report.read_text())["kernels"]
    inline = [r for r in rows if not r["launched"]]
    assert inline and all("_inline" in r["name"] for r in inline)
    assert {"enc.linear", "enc.layer_norm", "enc.embedding"} <= {
        op for r in inline for op in r["ops"]}
