"""ONNX import: real torch.onnx.export outputs against PyTorch, dynamic
shapes, weights beside the artifact, external data, and bad files.

The node-by-node conformance is test/ONNX/node_tests.py (ctest
onnx.node-tests); this file checks whole exported models and the errors."""

import os
import subprocess
import sys
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

import encoder  # noqa: E402

SOURCE = os.environ.get("ENCODER_SOURCE_DIR",
                        os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
TOOLS = os.environ.get("ENCODER_TOOLS_DIR", "")


def bench_models():
    sys.path.insert(0, os.path.join(SOURCE, "bench", "cpu"))
    try:
        import models
    finally:
        sys.path.pop(0)
    return models


def export(model, args, path, opset, names, outputs, dynamic):
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, args, path, opset_version=opset, input_names=names,
                          output_names=outputs, dynamic_axes=dynamic)


@pytest.mark.parametrize("opset", [14, 17])
def test_bert_export_with_dynamic_batch_and_sequence(tmp_path, opset):
    models = bench_models()
    cfg = dict(models.TINY_BERT)
    model = models.build_bert(cfg, models.random_weights(models.bert_layout(cfg), 5))
    names = ["input_ids", "attention_mask", "token_type_ids"]
    outputs = ["last_hidden_state", "pooler_output"]
    dynamic = {n: {0: "batch", 1: "sequence"} for n in names + outputs[:1]}
    dynamic["pooler_output"] = {0: "batch"}
    ids = torch.randint(0, cfg["vocab_size"], (2, 8))
    path = str(tmp_path / "bert.onnx")
    export(model, (ids, torch.ones_like(ids), torch.zeros_like(ids)), path, opset, names,
           outputs, dynamic)

    artifact = str(tmp_path / "bert.so")
    module = encoder.compile(path, output=artifact)
    assert os.path.exists(str(tmp_path / "bert.safetensors"))
    main = module.main
    assert [s.dim_names for s in main.inputs][0] == ("batch", "sequence")
    # The exporters' attention, projections and norms reach the enc kernels.
    ir = encoder.compile(path, emit="enc")
    assert "enc.attention" in ir and "enc.linear" in ir
    if opset >= 17:
        assert "enc.layer_norm" in ir

    rng = np.random.default_rng(0)
    for batch, seq in [(1, 1), (2, 16), (3, 37)]:
        ids = rng.integers(0, cfg["vocab_size"], (batch, seq))
        mask = np.ones((batch, seq), np.int64)
        mask[-1, seq // 2 + 1:] = 0
        types = rng.integers(0, 2, (batch, seq))
        with torch.no_grad():
            want = model(torch.from_numpy(ids), torch.from_numpy(mask), torch.from_numpy(types))
        got = main(input_ids=ids, attention_mask=mask, token_type_ids=types)
        for g, w in zip(got, want):
            np.testing.assert_allclose(np.asarray(g), w.numpy(), rtol=1e-4, atol=1e-4)


def test_convnet_export(tmp_path):
    nn = torch.nn
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(3, 8, 3, stride=2, padding=1), nn.BatchNorm2d(8), nn.ReLU(),
        nn.MaxPool2d(3, stride=2, padding=1),
        nn.Conv2d(8, 8, 3, padding=1, groups=2), nn.BatchNorm2d(8), nn.ReLU(),
        nn.AvgPool2d(2), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 5)).eval()
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.uniform_(-0.5, 0.5)
            m.running_var.uniform_(0.5, 2.0)
    x = torch.randn(2, 3, 32, 32)
    path = str(tmp_path / "convnet.onnx")
    export(model, (x,), path, 13, ["pixel_values"], ["logits"], {"pixel_values": {0: "batch"}})
    module = encoder.compile(path)
    for batch in (1, 3):
        x = torch.randn(batch, 3, 32, 32)
        with torch.no_grad():
            want = model(x).numpy()
        got = module.main(pixel_values=x.numpy())
        np.testing.assert_allclose(np.asarray(got), want, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("opset", [14, 17])
def test_vit_export(tmp_path, opset):
    """torchvision's VisionTransformer, exported the bench's way (train mode,
    TrainingMode.PRESERVE, dropout 0: eval mode takes the fused
    MultiheadAttention path the exporter rejects); dynamic batch."""
    models = bench_models()
    cfg = dict(models.VIT_BASE, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
               intermediate_size=128, image_size=32, patch_size=8)
    model = models.build_vit(cfg, models.random_weights(models.vit_layout(cfg), 11))
    x = torch.randn(2, 3, 32, 32)
    path = str(tmp_path / "vit.onnx")
    for parent in list(model.modules()):
        for name, child in list(parent.named_children()):
            if isinstance(child, torch.nn.Dropout):
                setattr(parent, name, torch.nn.Identity())
    model.train()
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (x,), path, opset_version=opset, input_names=["pixel_values"],
                          output_names=["last_hidden_state", "pooler_output"],
                          training=torch.onnx.TrainingMode.PRESERVE,
                          dynamic_axes={"pixel_values": {0: "batch"},
                                        "last_hidden_state": {0: "batch"},
                                        "pooler_output": {0: "batch"}})
    model.eval()
    module = encoder.compile(path)
    assert "enc.attention" in encoder.compile(path, emit="enc")
    for batch in (1, 3):
        x = torch.randn(batch, 3, 32, 32)
        with torch.no_grad():
            want = model(x)
        got = module.main(pixel_values=x.numpy())
        for g, w in zip(got, want):
            np.testing.assert_allclose(np.asarray(g), w.numpy(), rtol=1e-4, atol=1e-4)


def test_audio_front_end_export(tmp_path):
    """wav2vec 2.0's feature encoder shape: strided Conv1d, GroupNorm (exported
    as InstanceNormalization on a reshape), GELU; then a grouped positional
    Conv1d with padding, as its encoder has; dynamic batch and samples."""
    nn = torch.nn
    torch.manual_seed(3)

    class FrontEnd(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv0 = nn.Conv1d(1, 16, 10, stride=5, bias=False)
            self.norm = nn.GroupNorm(16, 16)
            self.conv1 = nn.Conv1d(16, 16, 3, stride=2, bias=False)
            self.position = nn.Conv1d(16, 16, 5, padding=2, groups=4)

        def forward(self, input_values):
            h = nn.functional.gelu(self.norm(self.conv0(input_values[:, None])))
            h = nn.functional.gelu(self.conv1(h))
            return h + nn.functional.gelu(self.position(h))

    model = FrontEnd().eval()
    path = str(tmp_path / "audio.onnx")
    export(model, (torch.randn(2, 400),), path, 14, ["input_values"], ["features"],
           {"input_values": {0: "batch", 1: "samples"}, "features": {0: "batch", 2: "frames"}})
    module = encoder.compile(path)
    for batch, samples in ((1, 400), (2, 1000)):
        x = torch.randn(batch, samples)
        with torch.no_grad():
            want = model(x).numpy()
        got = module.main(input_values=x.numpy())
        np.testing.assert_allclose(np.asarray(got), want, rtol=1e-4, atol=1e-4)


def linear_model(weight_shape=(4, 3), data=None):
    w = numpy_helper.from_array(
        np.arange(np.prod(weight_shape), dtype=np.float32).reshape(weight_shape) / 10, "w")
    if data is not None:
        w.raw_data = data
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["y"])], "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 3])], [w])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)])


def test_external_data(tmp_path):
    model = linear_model()
    path = str(tmp_path / "big.onnx")
    onnx.save_model(model, path, save_as_external_data=True, all_tensors_to_one_file=True,
                    location="big.weights", size_threshold=0)
    assert os.path.exists(str(tmp_path / "big.weights"))
    module = encoder.compile(path)
    x = np.random.default_rng(1).standard_normal((5, 4)).astype(np.float32)
    want = x @ (np.arange(12, dtype=np.float32).reshape(4, 3) / 10)
    np.testing.assert_allclose(np.asarray(module.main(x=x)), want, rtol=1e-5, atol=1e-6)


def compile_error(path):
    with pytest.raises(encoder.CompileError) as info:
        encoder.compile(str(path))
    message = str(info.value)
    assert len(message.strip().splitlines()) == 1, message  # one line
    if TOOLS:
        proc = subprocess.run([os.path.join(TOOLS, "encoder-compile"), str(path), "-o",
                               str(path) + ".so"], capture_output=True, text=True)
        assert proc.returncode == 1, proc.stderr
        assert "PLEASE submit" not in proc.stderr
        assert str(path) in proc.stderr
    return message


def save(model, path):
    with open(path, "wb") as f:
        f.write(model.SerializeToString())
    return path


def test_bad_files(tmp_path):
    text = tmp_path / "notes.onnx"
    text.write_text("this is not a model\n")
    assert "not an ONNX model" in compile_error(text)

    good = save(linear_model(), tmp_path / "good.onnx")
    data = open(good, "rb").read()
    truncated = tmp_path / "truncated.onnx"
    truncated.write_bytes(data[: len(data) // 2])
    assert "truncated" in compile_error(truncated)

    empty = tmp_path / "empty.onnx"
    empty.write_bytes(b"")
    assert "empty" in compile_error(empty)

    missing = tmp_path / "absent.onnx"
    assert "cannot open" in compile_error(missing)


def test_bad_graphs(tmp_path):
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [2])

    def model(nodes, opset=14, domain="", inputs=(x,), initializers=()):
        graph = helper.make_graph(nodes, "g", list(inputs), [y], list(initializers))
        return helper.make_model(graph, opset_imports=[helper.make_opsetid(domain, opset)])

    unknown_op = save(model([helper.make_node("Frobnicate", ["x"], ["y"])]),
                      tmp_path / "op.onnx")
    assert "Frobnicate" in compile_error(unknown_op)

    unsupported = save(model([helper.make_node("Hardmax", ["x"], ["y"])]),
                       tmp_path / "hardmax.onnx")
    message = compile_error(unsupported)
    assert "Hardmax" in message and "ai.onnx" in message and "opset 14" in message

    opset = save(model([helper.make_node("Relu", ["x"], ["y"])], opset=99),
                 tmp_path / "opset.onnx")
    assert "99" in compile_error(opset) or "opset" in compile_error(opset)

    cycle = save(model([helper.make_node("Relu", ["z"], ["y"]),
                        helper.make_node("Relu", ["y"], ["z"])]), tmp_path / "cycle.onnx")
    assert "topological" in compile_error(cycle) or "not output" in compile_error(cycle)

    no_input = save(model([helper.make_node("Add", ["x", "nowhere"], ["y"])]),
                    tmp_path / "input.onnx")
    assert "nowhere" in compile_error(no_input)

    short = linear_model(data=b"\0" * 8)
    assert "holds 2 elements of data for a shape of 12" in compile_error(
        save(short, tmp_path / "short.onnx"))

    external = linear_model()
    onnx.save_model(external, str(tmp_path / "ext.onnx"), save_as_external_data=True,
                    location="gone.bin", size_threshold=0)
    os.remove(tmp_path / "gone.bin")
    assert "gone.bin" in compile_error(tmp_path / "ext.onnx")


ORT_OPTIMIZE = """
const ort = require("onnxruntime-node");
const [input, output, level] = process.argv.slice(2);
ort.InferenceSession.create(input, {graphOptimizationLevel: level,
                                    optimizedModelFilePath: output})
  .then(() => process.exit(0), (e) => { console.error(String(e)); process.exit(1); });
"""


def ort_node_modules():
    path = os.path.join(SOURCE, "bench", ".work", "node", "node_modules")
    has_ort = os.path.isdir(os.path.join(path, "onnxruntime-node"))
    return path if has_ort and os.path.exists("/usr/bin/node") else None


@pytest.mark.skipif(ort_node_modules() is None,
                    reason="onnxruntime-node is installed by bench/run.sh (npm), not by the tests")
def test_files_onnx_runtime_optimized(tmp_path):
    """ORT saves its optimized graph: at "basic" (constant folding, redundant
    nodes removed) it is standard ONNX and compiles; at "all" it holds
    ORT's own com.microsoft fused ops, which are refused by name."""
    models = bench_models()
    cfg = dict(models.TINY_BERT)
    model = models.build_bert(cfg, models.random_weights(models.bert_layout(cfg), 7))
    names = ["input_ids", "attention_mask", "token_type_ids"]
    ids = torch.randint(0, cfg["vocab_size"], (1, 12))
    path = str(tmp_path / "bert.onnx")
    export(model, (ids, torch.ones_like(ids), torch.zeros_like(ids)), path, 14, names,
           ["last_hidden_state", "pooler_output"], None)
    script = tmp_path / "optimize.js"
    script.write_text(ORT_OPTIMIZE)
    env = dict(os.environ, NODE_PATH=ort_node_modules())
    for level in ("basic", "all"):
        out = str(tmp_path / f"ort-{level}.onnx")
        subprocess.run(["/usr/bin/node", str(script), path, out, level], check=True, env=env)
        if level == "basic":
            module = encoder.compile(out)
            mask = torch.ones_like(ids)
            with torch.no_grad():
                want = model(ids, mask, torch.zeros_like(ids))
            got = module.main(input_ids=ids.numpy(), attention_mask=mask.numpy(),
                              token_type_ids=np.zeros_like(ids.numpy()))
            for g, w in zip(got, want):
                np.testing.assert_allclose(np.asarray(g), w.numpy(), rtol=1e-4, atol=1e-4)
        else:
            message = compile_error(out)
            assert "com.microsoft" in message
