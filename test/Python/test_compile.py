"""encoder.compile: every source kind, every stage, options that mirror
encoder-compile's flags and give the same output."""

import os

import numpy as np
import pytest

import encoder

from conftest import EXAMPLES, TOOLS_DIR, bert_inputs, random_weights, tool

BERT = os.path.join(EXAMPLES, "bert")
TINY = os.path.join(EXAMPLES, "tiny_bert.mlir")


@pytest.mark.parametrize(
    "stage,marker",
    [("enc", "enc.linear"), ("linalg", "linalg.generic"), ("llvm", "llvm.func"), ("llvm-ir", "define "), ("asm", ".text")],
)
def test_stages_are_the_command_line_stages(stage, marker, tmp_path):
    text = encoder.compile(BERT, emit=stage)
    assert marker in text
    if stage in ("enc", "linalg"):  # deterministic text: equal to the CLI's
        cli = tool("encoder-compile", BERT, f"--emit={stage}", check=True)
        assert text == cli.stdout


def test_sources_path_text_config_and_output(tmp_path):
    from_path = encoder.compile(TINY, emit="enc")
    from_text = encoder.compile(open(TINY).read(), emit="enc")
    assert from_text == from_path
    out = tmp_path / "m.so"
    module = encoder.compile(TINY, output=out)
    assert out.exists() and module.path == str(out)
    assert encoder.load(out).functions.keys() == module.functions.keys()


def test_temporary_artifacts_go_with_their_module():
    import gc

    module = encoder.compile(TINY)
    path = module.path
    assert os.path.exists(path)
    del module
    gc.collect()
    assert not os.path.exists(path)


def test_op_config_and_disable_mirror_the_flags():
    options = {"enc.layer_norm": {"tile": (1, 16)}, "enc.linear#0": {"fuse": False}}
    text = encoder.compile(BERT, emit="enc", op_config=options)
    cli = tool(
        "encoder-compile", BERT, "--emit=enc", "--op-config=enc.layer_norm:tile=1x16",
        "--op-config=enc.linear#0:fuse=false", check=True,
    )
    assert text == cli.stdout
    assert "enc.tile_sizes = array<i64: 1, 16>" in text
    fused = encoder.compile(BERT, emit="enc")
    unfused = encoder.compile(BERT, emit="enc", disable=["epilogue-fusion", "residual-norm-fusion"])
    assert "residual" in fused and "residual" not in unfused


def test_report_as_file_and_text(tmp_path):
    path = tmp_path / "kernels.md"
    module = encoder.compile(BERT, report=str(path), report_dims={"batch": 4, "sequence": 128})
    cli_report = tmp_path / "cli.md"
    tool("encoder-compile", BERT, "--emit=llvm", "-o", str(tmp_path / "x.mlir"), f"--report={cli_report}",
         "--report-dims=batch=4,sequence=128", check=True)
    assert path.read_text() == cli_report.read_text()
    assert "enc.linear, enc.activation" in path.read_text()
    module = encoder.compile(BERT, report=True)
    assert module.report.startswith("# Kernels")


def test_compiled_module_runs_with_a_cpu_override(rng):
    module = encoder.compile(BERT, cpu="haswell", num_threads=1)
    weights = random_weights(module, rng)
    ids, mask, types = bert_inputs(rng)
    reference = encoder.compile(BERT, weights=weights)
    module.bind(weights)
    np.testing.assert_allclose(module.main(ids, mask, types)[0], reference.main(ids, mask, types)[0], rtol=1e-4, atol=1e-5)


def test_profile(tiny_bert, rng):
    tiny_bert.bind(random_weights(tiny_bert, rng))
    tiny_bert.set_profiling(True)
    tiny_bert.main(*bert_inputs(rng))
    stats = [s for s in tiny_bert.kernel_stats() if s["calls"]]
    tiny_bert.set_profiling(False)
    tiny_bert.reset_profile()
    assert any("enc.linear" in s["ops"] for s in stats)
    assert all(s["total_ms"] >= 0 for s in stats)
    assert "kernel" in tiny_bert.profile_table()


def test_cuda_target_emits_ptx_and_artifacts(tmp_path):
    ptx = encoder.compile(TINY, target="cuda", gpu_arch="sm_80", emit="ptx")
    assert ".target sm_80" in ptx and ".visible .entry main_kernel(" in ptx
    path = encoder.compile(TINY, target="cuda", output=tmp_path / "m.so", load=False)
    assert path == str(tmp_path / "m.so") and os.path.exists(path)
    # Loading needs the CUDA driver, which this machine may lack; without it
    # the error says so.
    try:
        encoder.load(path, device="cuda")
    except encoder.UnavailableError as error:
        assert "CUDA" in str(error)
    with pytest.raises(encoder.InvalidArgumentError, match="compiled for cuda and cannot run on the CPU"):
        encoder.load(path)
    with pytest.raises(encoder.CompileError, match="unknown GPU architecture 'sm_x'"):
        encoder.compile(TINY, target="cuda", gpu_arch="sm_x", emit="ptx")



def test_cuda_calls_through_a_driver(tmp_path):
    """With test/Runtime/fake_cuda_driver.c standing in for libcuda.so.1, a
    CUDA artifact loads and runs from Python (the stand-in runs no kernel,
    so only the plumbing is checked), a profiled call's device time is
    counted, and driver errors raise
    encoder.InternalError with the CUDA error's name."""
    import subprocess
    import sys

    fake = os.path.join(os.path.dirname(TOOLS_DIR), "test", "Runtime", "fake-cuda")
    path = encoder.compile(TINY, target="cuda", output=tmp_path / "m.so", load=False)
    code = (
        "import numpy as np, encoder\n"
        f"m = encoder.load({path!r}, device='cuda')\n"
        "m.bind({n: np.zeros(s.shape, np.float32) for n, s in m.params.items()})\n"
        "ids = np.zeros((2, 16), np.int64)\n"
        "m.set_profiling(True)\n"
        "try:\n"
        "    out = m.main(ids, np.ones((2, 16), np.int64))\n"
        "    print('ran', [o.shape for o in out], 'device calls', m.device_stats()[0])\n"
        "except encoder.InternalError as e:\n"
        "    print('error', e)\n"
    )
    env = dict(os.environ, LD_LIBRARY_PATH=fake)
    ran = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.startswith("ran [(2, 3), (2, 64)] device calls 1"), ran.stdout
    env["FAKE_CUDA_FAIL"] = "cuLaunchKernel"
    failed = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert failed.returncode == 0, failed.stderr
    assert "error CUDA error CUDA_ERROR_LAUNCH_FAILED (unspecified launch failure) in cuLaunchKernel(" in failed.stdout


def test_tuning_record_mirrors_the_flag(tmp_path):
    # A record for a named CPU blocks its kernels; "none" keeps the model's
    # choice; a corrupt record is a CompileError naming the file.
    record = tmp_path / "record.json"
    record.write_text(
        '{"format": "encoder-cpu-tuning", "version": 1, "entries": [{"cpu": "skylake-avx512", '
        '"model_name": "", "features": "", "params": {"matmul_rows": 5, "panel_columns": 16, '
        '"chunk_flops": 65536, "tile_elements": 4096, "attention_query_block": 32, '
        '"attention_key_block": 256}}]}'
    )
    tuned = encoder.compile(TINY, emit="enc", cpu="skylake-avx512", tuning_record=record)
    assert 'matmul_rows = 5 : i64, panel_columns = 16 : i64, source = "record"' in tuned
    assert tuned == tool("encoder-compile", TINY, "--emit=enc", "--cpu=skylake-avx512",
                         f"--tuning-record={record}", check=True).stdout
    model = encoder.compile(TINY, emit="enc", cpu="skylake-avx512", tuning_record="none")
    assert 'source = "model"' in model
    corrupt = tmp_path / "corrupt.json"
    corrupt.write_text("{")
    with pytest.raises(encoder.CompileError, match="corrupt.json is not valid JSON"):
        encoder.compile(TINY, emit="enc", tuning_record=corrupt)
