"""Checkpoints as people have them, and Hugging Face's optional inputs.

- f16, bf16 and f64 weights bind to the f32 artifact, converted once when
  bound: results equal those of the same values given in f32 (conversion is
  exact for f16 and bf16; f64 rounds as NumPy's astype does), from files
  (encoder-run notes the conversion) and from NumPy arrays and torch tensors;
- a sharded checkpoint (model.safetensors.index.json and its shards, names
  under a `bert.` prefix) compiles with the prefix resolved and binds from
  its directory or its index, giving the unsharded results;
- a directory with only pytorch_model.bin, and files that are not
  safetensors, are named for what they are;
- encoder.compile(dir) binds the directory's own weights;
- attention_mask and token_type_ids may be omitted (ones and zeros, as in
  Hugging Face), from Python and the command line, by position or name;
  masks and ids come as bool, int32 or int64 alike.
"""

import json
import os
import shutil
import zipfile

import numpy as np
import pytest
import torch

import encoder
from encoder.safetensors import from_bfloat16, save_file, to_bfloat16

from conftest import EXAMPLES, bert_inputs, tool


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    """examples/bert as a checkpoint directory with random f32 weights."""
    directory = tmp_path_factory.mktemp("bert")
    shutil.copy(os.path.join(EXAMPLES, "bert", "config.json"), directory)
    module = encoder.compile(os.path.join(EXAMPLES, "bert"))
    rng = np.random.default_rng(3)
    weights = {name: (rng.standard_normal(spec.shape) * 0.2).astype(np.float32)
               for name, spec in module.params.items()}
    save_file(weights, str(directory / "model.safetensors"))
    return directory, weights


@pytest.fixture(scope="module")
def bert(checkpoint):
    return encoder.compile(str(checkpoint[0]))


def run(module, weights, inputs):
    module.bind(weights)
    return module.main(*inputs)


def assert_same(actual, expected):
    for a, e in zip(actual, expected):
        np.testing.assert_array_equal(a, e)


@pytest.mark.parametrize("dtype", ["f16", "bf16", "f64"])
def test_half_and_double_checkpoints_bind_converted(tmp_path, bert, checkpoint, dtype):
    _, weights = checkpoint
    if dtype == "bf16":
        stored = {n: to_bfloat16(w) for n, w in weights.items()}
        as_f32 = {n: from_bfloat16(b) for n, b in stored.items()}
    else:
        stored = {n: w.astype(np.float16 if dtype == "f16" else np.float64)
                  for n, w in weights.items()}
        as_f32 = {n: w.astype(np.float32) for n, w in stored.items()}
    path = tmp_path / f"{dtype}.safetensors"
    save_file(stored, str(path))
    inputs = bert_inputs(np.random.default_rng(5))
    expected = run(bert, as_f32, inputs)
    assert_same(run(bert, str(path), inputs), expected)
    if dtype != "bf16":  # NumPy arrays of the checkpoint's dtype bind too
        assert_same(run(bert, stored, inputs), expected)
    else:  # and torch's bfloat16 tensors (no NumPy dtype)
        tensors = {n: torch.from_numpy(w).to(torch.bfloat16) for n, w in weights.items()}
        assert_same(run(bert, tensors, inputs), expected)

    # encoder-run says what it converted, in one line.
    np.save(tmp_path / "ids.npy", inputs[0])
    result = tool("encoder-run", bert.path, f"--weights={path}", f"--input=@{tmp_path}/ids.npy")
    assert result.returncode == 0, result.stderr
    note = [l for l in result.stderr.splitlines() if "note:" in l]
    assert len(note) == 1 and f"converted from {dtype}" in note[0], result.stderr


def test_f32_checkpoint_is_not_copied(bert, checkpoint, tmp_path):
    directory, _ = checkpoint
    np.save(tmp_path / "ids.npy", np.zeros((1, 4), np.int64))
    result = tool("encoder-run", bert.path, f"--weights={directory}/model.safetensors",
                  f"--input=@{tmp_path}/ids.npy")
    assert result.returncode == 0 and "note:" not in result.stderr, result.stderr


def test_sharded_checkpoint_with_prefix(tmp_path, bert, checkpoint):
    directory, weights = checkpoint
    sharded = tmp_path / "sharded"
    sharded.mkdir()
    shutil.copy(directory / "config.json", sharded)
    names = sorted(weights)
    shards = {"model-00001-of-00002.safetensors": names[: len(names) // 2],
              "model-00002-of-00002.safetensors": names[len(names) // 2 :]}
    weight_map = {}
    for shard, members in shards.items():
        save_file({"bert." + n: weights[n] for n in members}, str(sharded / shard))
        weight_map.update({"bert." + n: shard for n in members})
    (sharded / "model.safetensors.index.json").write_text(
        json.dumps({"metadata": {"total_size": 0}, "weight_map": weight_map}))

    inputs = bert_inputs(np.random.default_rng(6))
    expected = run(bert, weights, inputs)
    module = encoder.compile(str(sharded))  # binds the directory's shards
    assert "bert.embeddings.word_embeddings.weight" in module.params
    assert_same(module.main(*inputs), expected)
    assert_same(run(module, str(sharded / "model.safetensors.index.json"), inputs), expected)

    np.save(tmp_path / "ids.npy", inputs[0])
    np.save(tmp_path / "mask.npy", inputs[1])
    out = tmp_path / "hidden.npy"
    result = tool("encoder-run", module.path, f"--weights={sharded}",
                  f"--input=@{tmp_path}/ids.npy", f"--input=attention_mask=@{tmp_path}/mask.npy",
                  f"--output=@{out}")
    assert result.returncode == 0, result.stderr
    np.testing.assert_array_equal(np.load(out), expected[0])

    # An index that names a tensor its shard lacks.
    weight_map["bert.extra"] = "model-00001-of-00002.safetensors"
    (sharded / "model.safetensors.index.json").write_text(json.dumps({"weight_map": weight_map}))
    with pytest.raises(encoder.DataError, match="puts tensor 'bert.extra' in"):
        module.bind(str(sharded))


def test_pickled_checkpoint_is_refused_with_a_hint(tmp_path, bert):
    shutil.copy(os.path.join(EXAMPLES, "bert", "config.json"), tmp_path)
    with zipfile.ZipFile(tmp_path / "pytorch_model.bin", "w") as archive:
        archive.writestr("archive/data.pkl", b"\x80\x02}q\x00.")
    with pytest.raises(encoder.CompileError, match="pytorch_model.bin but no model.safetensors.*"
                       "convert the checkpoint to safetensors"):
        encoder.compile(str(tmp_path))
    compiled = tool("encoder-compile", str(tmp_path), "-o", str(tmp_path / "m.so"))
    assert compiled.returncode == 1 and "safe_serialization=True" in compiled.stderr
    with pytest.raises(encoder.NotFoundError, match="pytorch_model.bin but no model.safetensors"):
        bert.bind(str(tmp_path))
    # The file itself, passed as weights, is named as a zip archive.
    with pytest.raises(encoder.DataError, match="is a zip archive .* not safetensors; the "
                       "runtime does not load pickles"):
        bert.bind(str(tmp_path / "pytorch_model.bin"))


@pytest.mark.parametrize("content,kind", [
    (b"\x80\x04\x95\x00\x00\x00\x00\x00\x00\x00\x00.", "a Python pickle"),
    (b"\x93NUMPY\x01\x00v\x00{'descr': '<f4'}", "a NumPy .npy file"),
    (b'{"weight_map": {}}', "JSON text"),
    (b"plain text that is long enough", "not a safetensors file"),
])
def test_files_that_are_not_safetensors_are_named(tmp_path, bert, content, kind):
    path = tmp_path / "weights.bin"
    path.write_bytes(content)
    with pytest.raises(encoder.DataError, match=f"is {kind}"):
        bert.bind(str(path))
    shutil.copy(os.path.join(EXAMPLES, "bert", "config.json"), tmp_path)
    os.rename(path, tmp_path / "model.safetensors")
    with pytest.raises(encoder.CompileError, match=f"is {kind}"):
        encoder.compile(str(tmp_path))


def test_compile_binds_the_directory_weights(bert, checkpoint):
    _, weights = checkpoint
    fresh = encoder.compile(str(checkpoint[0]))
    inputs = bert_inputs(np.random.default_rng(8))
    assert_same(fresh.main(*inputs), run(bert, weights, inputs))


def test_optional_inputs_take_hugging_face_defaults(bert, checkpoint, tmp_path):
    bert.bind(checkpoint[1])
    ids = np.random.default_rng(9).integers(0, 1000, (2, 7))
    ones, zeros = np.ones((2, 7), np.int64), np.zeros((2, 7), np.int64)
    expected = bert.main(ids, ones, zeros)
    assert_same(bert.main(ids), expected)
    assert_same(bert.main(input_ids=ids, attention_mask=None, token_type_ids=None), expected)
    assert_same(bert.main(ids, token_type_ids=zeros), expected)
    assert [s.default for s in bert.main.inputs] == [None, "ones", "zeros"]
    with pytest.raises(TypeError, match="missing inputs: input_ids"):
        bert.main(attention_mask=ones)
    with pytest.raises(encoder.InvalidArgumentError,
                       match="input 'input_ids' .* is omitted, but it has no default"):
        bert.main(None)

    # Masks and ids of other integer dtypes, and bool masks, are converted.
    mask = np.ones((2, 7), np.int64)
    mask[1, 4:] = 0
    expected = bert.main(ids, mask)
    for dtype in (np.bool_, np.int32, np.uint8, np.int8):
        assert_same(bert.main(ids.astype(np.int32), mask.astype(dtype)), expected)
    assert_same(bert.main(ids, torch.from_numpy(mask).bool()), expected)
    with pytest.raises(encoder.InvalidArgumentError, match=r"element \[0, 0\] is -1, outside"):
        bert.main(np.full((2, 7), -1, np.int32))

    # The command line: omitted, by position and by name.
    np.save(tmp_path / "ids.npy", ids)
    np.save(tmp_path / "mask.npy", mask.astype(np.bool_))
    listed = tool("encoder-run", bert.path, "--list").stdout
    assert "attention_mask: ?x?xi64 (batch, sequence <= 128) optional (default ones)" in listed
    assert "input_ids: ?x?xi64 range [0, 1000) (batch, sequence 1..128)" in listed
    weights = tmp_path / "w.safetensors"
    save_file(checkpoint[1], str(weights))
    for args, want in (([f"--input=@{tmp_path}/ids.npy"], bert.main(ids)),
                       ([f"--input=attention_mask=@{tmp_path}/mask.npy",
                         f"--input=@{tmp_path}/ids.npy"], expected)):
        out = tmp_path / "pooled.npy"
        result = tool("encoder-run", bert.path, f"--weights={weights}", *args,
                      f"--output=@{tmp_path}/hidden.npy", f"--output=@{out}")
        assert result.returncode == 0, result.stderr
        np.testing.assert_array_equal(np.load(out), want[1])
    result = tool("encoder-run", bert.path, f"--weights={weights}",
                  f"--input=attention_mask=@{tmp_path}/mask.npy")
    assert result.returncode == 1
    assert "no --input for 'input_ids'" in result.stderr
