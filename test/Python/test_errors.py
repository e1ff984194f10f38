"""Every failure the command line reports raises a Python exception with
the same message, checked against encoder-compile and encoder-run run on
the same files; nothing crashes the interpreter."""

import os
import shutil

import numpy as np
import pytest

import encoder
from encoder.safetensors import save_file

from conftest import EXAMPLES, bert_inputs, random_weights, tool

BAD_IR = """module {
  func.func @main(%x: tensor<2x3xf32>) -> tensor<2x4xf32> {
    %w = enc.param "w" : tensor<4x5xf32>
    %y = enc.linear %x, %w : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x4xf32>
    return %y : tensor<2x4xf32>
  }
}
"""


def run_error(*args):
    """The message encoder-run prints after 'encoder-run: error: '."""
    result = tool("encoder-run", *args)
    assert result.returncode != 0
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith("encoder-run: error: "), result.stderr
    return line[len("encoder-run: error: ") :]


@pytest.fixture(scope="module")
def artifact(tmp_path_factory, tiny_bert):
    """The tiny BERT artifact on disk, with weights and inputs as files."""
    directory = tmp_path_factory.mktemp("errors")
    path = directory / "bert.so"
    shutil.copy(tiny_bert.path, path)
    rng = np.random.default_rng(7)
    weights = random_weights(tiny_bert, rng)
    save_file(weights, str(directory / "w.safetensors"))
    ids, mask, types = bert_inputs(rng)
    for name, array in (("ids", ids), ("mask", mask), ("types", types)):
        np.save(directory / f"{name}.npy", array)
    return directory, weights, (ids, mask, types)


def inputs_args(directory, ids="ids"):
    return [f"--input=@{directory / ids}.npy", f"--input=@{directory}/mask.npy", f"--input=@{directory}/types.npy"]


def test_invalid_ir_has_the_location_encoder_compile_prints(tmp_path):
    path = tmp_path / "bad.mlir"
    path.write_text(BAD_IR)
    cli = tool("encoder-compile", str(path), "-o", str(tmp_path / "bad.so"))
    assert cli.returncode != 0
    with pytest.raises(encoder.CompileError) as error:
        encoder.compile(str(path))
    assert str(error.value) == cli.stderr.strip()
    assert f"{path}:4:10: error:" in str(error.value)
    # IR text gets the same diagnostic, located in "<string>".
    with pytest.raises(encoder.CompileError, match=r"<string>:4:10: error: 'enc.linear' op"):
        encoder.compile(BAD_IR)


def test_bad_model_config_and_options(tmp_path):
    (tmp_path / "config.json").write_text('{"model_type": "bert", "hidden_size": 64}')
    cli = tool("encoder-compile", str(tmp_path), "-o", str(tmp_path / "m.so"))
    with pytest.raises(encoder.CompileError) as error:
        encoder.compile(str(tmp_path))
    assert cli.stderr.strip() == "encoder-compile: error: " + str(error.value)
    assert "missing key 'vocab_size'" in str(error.value)
    with pytest.raises(encoder.CompileError, match="unknown optimization 'nope'"):
        encoder.compile(os.path.join(EXAMPLES, "bert"), disable=["nope"])
    with pytest.raises(encoder.CompileError, match="unknown CPU|not a recognized|cpu"):
        encoder.compile(os.path.join(EXAMPLES, "bert"), cpu="no-such-cpu", emit="llvm")


def test_wrong_shape_and_dtype(artifact):
    directory, weights, (ids, mask, types) = artifact
    module = encoder.load(directory / "bert.so", weights=weights)
    bad_shape = ids[:, :5]  # a sequence length that disagrees with the mask
    np.save(directory / "short.npy", np.ascontiguousarray(bad_shape))
    with pytest.raises(encoder.InvalidArgumentError) as error:
        module.main(np.ascontiguousarray(bad_shape), mask, types)
    expected = run_error(str(directory / "bert.so"), f"--weights={directory}/w.safetensors", *inputs_args(directory, "short"))
    assert str(error.value) == expected

    np.save(directory / "float_ids.npy", ids.astype(np.float32))
    with pytest.raises(encoder.InvalidArgumentError) as error:
        module.main(ids.astype(np.float32), mask, types)
    expected = run_error(str(directory / "bert.so"), f"--weights={directory}/w.safetensors", *inputs_args(directory, "float_ids"))
    assert str(error.value) == expected


def test_missing_and_misshapen_parameters(artifact, tmp_path):
    directory, weights, inputs = artifact
    partial = dict(weights)
    partial.pop("pooler.dense.bias")
    save_file(partial, str(tmp_path / "partial.safetensors"))
    module = encoder.load(directory / "bert.so", weights=str(tmp_path / "partial.safetensors"))
    with pytest.raises(encoder.NotFoundError) as error:
        module.main(*inputs)
    expected = run_error(str(directory / "bert.so"), f"--weights={tmp_path}/partial.safetensors", *inputs_args(directory))
    assert str(error.value) == expected
    assert "pooler.dense.bias" in str(error.value)

    wrong = dict(weights, **{"pooler.dense.bias": np.zeros(3, np.float32)})
    save_file(wrong, str(tmp_path / "wrong.safetensors"))
    with pytest.raises(encoder.InvalidArgumentError) as error:
        encoder.load(directory / "bert.so", weights=str(tmp_path / "wrong.safetensors"))
    expected = run_error(str(directory / "bert.so"), f"--weights={tmp_path}/wrong.safetensors", *inputs_args(directory))
    assert str(error.value) == expected
    # The same shape check on a dict of arrays.
    with pytest.raises(encoder.InvalidArgumentError, match="pooler.dense.bias"):
        encoder.load(directory / "bert.so", weights=wrong)


@pytest.mark.parametrize("damage", ["truncated", "bad-header"])
def test_damaged_safetensors(artifact, tmp_path, damage):
    directory, _, _ = artifact
    data = (directory / "w.safetensors").read_bytes()
    path = tmp_path / "damaged.safetensors"
    if damage == "truncated":
        path.write_bytes(data[: len(data) // 2])
    else:
        path.write_bytes(data[:8] + b"{not json" + data[17:])
    module = encoder.load(directory / "bert.so")
    with pytest.raises(encoder.DataError) as error:
        module.bind(str(path))
    expected = run_error(str(directory / "bert.so"), f"--weights={path}", *inputs_args(directory))
    assert str(error.value) == expected


def test_not_an_artifact_and_missing_files(tmp_path):
    path = tmp_path / "notes.so"
    path.write_text("not a shared object")
    with pytest.raises(encoder.Error) as error:
        encoder.load(path)
    assert str(error.value) == run_error(str(path))
    with pytest.raises(encoder.NotFoundError) as error:
        encoder.load(tmp_path / "missing.so")
    assert str(error.value) == run_error(str(tmp_path / "missing.so"))


def test_unknown_function(artifact):
    directory, weights, _ = artifact
    module = encoder.load(directory / "bert.so", weights=weights)
    with pytest.raises(encoder.NotFoundError) as error:
        module["encode"]
    expected = run_error(str(directory / "bert.so"), "--function=encode")
    assert str(error.value) == expected
    with pytest.raises(AttributeError):
        module.encode


def test_wrong_calls_are_type_errors(tiny_bert, rng):
    ids, mask, types = bert_inputs(rng)
    with pytest.raises(TypeError, match="missing inputs: input_ids"):
        tiny_bert.main(attention_mask=mask)
    with pytest.raises(TypeError, match="no input 'labels'"):
        tiny_bert.main(ids, mask, types, labels=ids)
    with pytest.raises(encoder.InvalidArgumentError, match="does not convert"):
        tiny_bert.main([["a"]], mask, types)
