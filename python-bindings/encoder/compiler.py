"""encoder.compile: the encoder-compile driver from Python.

The options mirror the command line:

    encoder-compile M.mlir -o M.so --cpu=skylake-avx512 --disable=epilogue-fusion
        --op-config=enc.linear:tile=4x32 --report=k.md --report-dims=batch=1
    encoder.compile("M.mlir", cpu="skylake-avx512", disable=["epilogue-fusion"],
                    op_config={"enc.linear": {"tile": (4, 32)}},
                    report="k.md", report_dims={"batch": 1})

Errors raise encoder.CompileError with the message encoder-compile prints
(located diagnostics for bad IR).
"""

import os
import tempfile
import weakref

from . import _compiler
from ._compiler import CompileError
from .runtime import Module

STAGES = ("enc", "linalg", "llvm", "llvm-ir", "asm", "ptx")


def _op_config(op_config):
    """SELECTOR:KEY=VALUE strings from a list of them or a dict
    {selector: {key: value}}; tuples of sizes become AxB, bools lower case."""
    if op_config is None:
        return []
    if isinstance(op_config, str):
        return [op_config]
    if not hasattr(op_config, "items"):
        return [str(entry) for entry in op_config]
    entries = []
    for selector, knobs in op_config.items():
        parts = [selector]
        for key, value in knobs.items():
            if isinstance(value, bool):
                value = "true" if value else "false"
            elif isinstance(value, (list, tuple)):
                value = "x".join(str(v) for v in value)
            parts.append(f"{key}={value}")
        entries.append(":".join(parts))
    return entries


def _report_dims(report_dims):
    if report_dims is None:
        return []
    if hasattr(report_dims, "items"):
        return [f"{name}={size}" for name, size in report_dims.items()]
    return [str(entry) for entry in report_dims]


def _source(source):
    """(text or path, is_text, name for messages)."""
    if hasattr(source, "to_mlir"):  # an encoder.builder.Module
        return source.to_mlir(), True, "<builder>"
    if isinstance(source, os.PathLike):
        return os.fspath(source), False, os.fspath(source)
    if not isinstance(source, str):
        raise TypeError(
            "source must be IR text, a path (.mlir file, model directory or "
            f"config.json) or an encoder.builder.Module, not {type(source).__name__}"
        )
    stripped = source.lstrip()
    looks_like_ir = "\n" in source or stripped.startswith(
        ("module", "func.func", "#", "//", "{", '"')
    )
    if looks_like_ir and not os.path.exists(source):
        return source, True, "<string>"
    return source, False, source


def _checkpoint_weights(path):
    """A model directory's own weights (what encoder-run --weights=DIR
    binds): the directory when it has model.safetensors or a sharded
    checkpoint's index, else None (compiled from a config alone)."""
    directory = path if os.path.isdir(path) else (
        os.path.dirname(path) if path.endswith(".json") else None)
    if directory is None:
        return None
    for name in ("model.safetensors", "model.safetensors.index.json"):
        if os.path.isfile(os.path.join(directory or ".", name)):
            return directory or "."
    return None


def compile(  # noqa: A001, C901
    source,
    target="cpu",
    *,
    emit=None,
    output=None,
    cpu="host",
    tuning_record=None,
    gpu_arch="sm_90",
    gpu_matmul="tf32",
    cuda_path=None,
    opt_level=3,
    disable=(),
    op_config=None,
    report=None,
    report_dims=None,
    peak_gflops=230.0,
    bandwidth_gbps=25.0,
    pool=None,
    normalize=False,
    audio_input=False,
    linker=None,
    weights=None,
    device=None,
    num_threads=0,
    load=True,
):
    """Compiles `source` and returns the loaded Module, or the IR text of
    stage `emit` ("enc", "linalg", "llvm", "llvm-ir", "asm"; "ptx" for
    target "cuda").

    source      enc IR text, a .mlir path, an ONNX model (.onnx), a Hugging
                Face style model directory or config.json, or an
                encoder.builder.Module
    target      "cpu" or "cuda" (--target); gpu_arch "sm_90" (--gpu-arch),
                gpu_matmul "tf32", "bf16" or "f32" (--gpu-matmul), cuda_path
                (--cuda-path)
    output      where the artifact goes (-o); a temporary file, removed with
                the module, when None
    cpu         "host" or an LLVM CPU name (--cpu)
    tuning_record  the CPU tuning record to read (--tuning-record; None:
                the default, "none": the model of the target only)
    disable     optimizations to switch off (--disable): attention-
                recognition, projection-merging, head-transpose-folding,
                epilogue-fusion, residual-norm-fusion, weight-packing,
                kernel-formation, weight-hoisting
    op_config   per-op knobs (--op-config): ["enc.linear:tile=4x32"] or
                {"enc.linear": {"tile": (4, 32)}, "enc.linear#0": {"fuse": False}}
    report      write the per-kernel report there (--report; JSON for
                *.json, an HTML page with an SVG of the kernels before and
                after fusion for *.html); True to keep it as text in
                module.report
    report_dims sizes of the dynamic dims for the report (--report-dims):
                {"batch": 1, "sequence": 128}
    pool, normalize, audio_input   model configs (--pool, --normalize,
                --audio-input)
    weights, device, num_threads   passed to encoder.load; device defaults
                to the target's ("cuda" for target "cuda"); a model
                directory's own checkpoint is bound when weights is None, and
                an ONNX model's initializers (written beside the artifact as
                MODEL.safetensors, as encoder-compile does)
    load        False: only write the artifact to `output` and return its
                path (to compile for a GPU this machine lacks, say)
    """
    if not load and not output:
        raise CompileError("load=False needs an output path for the artifact")
    if emit is not None and emit not in STAGES:
        raise CompileError(
            f"unknown stage '{emit}' (expected one of {', '.join(STAGES)})"
        )
    if pool not in (None, "none", "mean", "cls"):
        raise CompileError(f"unknown pooling '{pool}' (expected mean or cls)")
    text, is_text, name = _source(source)
    keep_report = report is True
    scratch = tempfile.TemporaryDirectory(prefix="encoder-")
    try:
        if keep_report:
            report = os.path.join(scratch.name, "report.md")
        options = {
            "target": target,
            "cpu": cpu,
            "tuning_record": os.fspath(tuning_record) if tuning_record else "",
            "gpu_arch": gpu_arch,
            "gpu_matmul": gpu_matmul,
            "cuda_path": os.fspath(cuda_path) if cuda_path else "",
            "opt_level": int(opt_level),
            "emit": emit or "artifact",
            "disable": [disable] if isinstance(disable, str) else list(disable),
            "op_config": _op_config(op_config),
            "report": os.fspath(report) if report else "",
            "report_dims": _report_dims(report_dims),
            "peak_gflops": float(peak_gflops),
            "bandwidth_gbps": float(bandwidth_gbps),
            "pool": pool or "none",
            "normalize": bool(normalize),
            "audio_input": bool(audio_input),
            "linker": linker or "",
        }
        artifact = os.fspath(output) if output else os.path.join(scratch.name, "model.so")
        onnx_weights = None
        if not is_text and text.lower().endswith(".onnx"):
            onnx_weights = os.path.splitext(artifact)[0] + ".safetensors"
            options["weights_output"] = onnx_weights if not emit else ""
        stage = _compiler.compile(text, is_text, name, options, artifact if not emit else "")
        if emit:
            return stage
        if not load:
            return artifact
        if device is None:
            device = "cuda" if target == "cuda" else "cpu"
        if weights is None and onnx_weights is not None:
            weights = onnx_weights
        elif weights is None and not is_text:
            weights = _checkpoint_weights(text)
        module = Module(artifact, weights, device, 0, num_threads)
        module.report = open(report).read() if keep_report else None
        if not output:
            # The artifact lives as long as the module: it stays on disk for
            # whoever wants to copy it (module.path).
            weakref.finalize(module, scratch.cleanup)
            scratch = None
        return module
    finally:
        if scratch is not None:
            scratch.cleanup()


def canonicalize(text, pipeline=""):
    """Parses and verifies IR text (raising CompileError with located
    diagnostics) and prints it in the dialects' own syntax, after running a
    textual pass pipeline when given (e.g. "builtin.module(cse)")."""
    return _compiler.canonicalize(text, "<string>", pipeline)


def import_model(path, pool=None, normalize=False, audio_input=False):
    """The enc IR encoder-compile builds for a model directory or config.json."""
    options = {
        "pool": pool or "none",
        "normalize": bool(normalize),
        "audio_input": bool(audio_input),
    }
    return _compiler.import_model(os.fspath(path), options)
