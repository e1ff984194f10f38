"""Small ONNX models for the importer's lit tests, built with onnx.helper.

  make_model.py NAME OUT.onnx
"""

import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper, save


def value(name, elem, shape):
    return helper.make_tensor_value_info(name, elem, shape)


def const(name, array):
    return numpy_helper.from_array(np.asarray(array), name)


def ints(name, values):
    return const(name, np.array(values, dtype=np.int64))


def head_split():
    """Reshape to Concat(Shape(x)[:2], [2, 4]) and to Concat(Shape(x)[:1], [-1])."""
    nodes = [
        helper.make_node("Shape", ["x"], ["shape"]),
        helper.make_node("Slice", ["shape", "zero", "two"], ["lead"]),
        helper.make_node("Concat", ["lead", "heads"], ["split_shape"], axis=0),
        helper.make_node("Reshape", ["x", "split_shape"], ["split"]),
        helper.make_node("Transpose", ["split"], ["y"], perm=[0, 2, 1, 3]),
        helper.make_node("Gather", ["shape", "zero_scalar"], ["batch"], axis=0),
        helper.make_node("Unsqueeze", ["batch", "zero"], ["batch1"]),
        helper.make_node("Concat", ["batch1", "minus_one"], ["flat_shape"], axis=0),
        helper.make_node("Reshape", ["x", "flat_shape"], ["z"]),
    ]
    inits = [ints("zero", [0]), ints("two", [2]), ints("heads", [2, 4]),
             ints("minus_one", [-1]), const("zero_scalar", np.array(0, dtype=np.int64))]
    return helper.make_graph(nodes, "head_split", [value("x", TensorProto.FLOAT, ["batch", "seq", 8])],
                             [value("y", TensorProto.FLOAT, ["batch", 2, "seq", 4]),
                              value("z", TensorProto.FLOAT, ["batch", None])], inits)


def layer_norm_chain():
    """LayerNorm as torch.onnx.export writes it before opset 17, then exact
    GELU as Div, Erf, Add, Mul, Mul."""
    nodes = [
        helper.make_node("ReduceMean", ["x"], ["mean"], axes=[-1]),
        helper.make_node("Sub", ["x", "mean"], ["centered"]),
        helper.make_node("Pow", ["centered", "two"], ["squared"]),
        helper.make_node("ReduceMean", ["squared"], ["var"], axes=[-1]),
        helper.make_node("Add", ["var", "eps"], ["shifted"]),
        helper.make_node("Sqrt", ["shifted"], ["std"]),
        helper.make_node("Div", ["centered", "std"], ["normed"]),
        helper.make_node("Mul", ["normed", "gamma"], ["scaled"]),
        helper.make_node("Add", ["scaled", "beta"], ["h"]),
        helper.make_node("Div", ["h", "sqrt2"], ["hs"]),
        helper.make_node("Erf", ["hs"], ["e"]),
        helper.make_node("Add", ["e", "one"], ["e1"]),
        helper.make_node("Mul", ["h", "e1"], ["he"]),
        helper.make_node("Mul", ["he", "half"], ["y"]),
    ]
    f = np.float32
    inits = [const("two", f(2.0)), const("eps", f(1e-12)), const("sqrt2", f(np.sqrt(2.0))),
             const("one", f(1.0)), const("half", f(0.5)),
             const("gamma", np.linspace(0.5, 1.5, 32).astype(f)),
             const("beta", np.linspace(-0.1, 0.1, 32).astype(f))]
    return helper.make_graph(nodes, "layer_norm_chain",
                             [value("x", TensorProto.FLOAT, ["batch", 32])],
                             [value("y", TensorProto.FLOAT, ["batch", 32])], inits)


def linear():
    """x · W + b with W an initializer [in, out], as exporters write nn.Linear."""
    nodes = [helper.make_node("MatMul", ["x", "weight"], ["xw"]),
             helper.make_node("Add", ["xw", "bias"], ["y"])]
    inits = [const("weight", np.arange(32 * 24, dtype=np.float32).reshape(32, 24) / 100),
             const("bias", np.arange(24, dtype=np.float32))]
    return helper.make_graph(nodes, "linear", [value("x", TensorProto.FLOAT, ["batch", "seq", 32])],
                             [value("y", TensorProto.FLOAT, ["batch", "seq", 24])], inits)


def unsigned():
    """uint8 inputs and outputs: unsigned division and comparison."""
    nodes = [helper.make_node("Div", ["a", "b"], ["q"]),
             helper.make_node("Less", ["a", "b"], ["lt"])]
    return helper.make_graph(nodes, "unsigned",
                             [value("a", TensorProto.UINT8, [4]), value("b", TensorProto.UINT8, [4])],
                             [value("q", TensorProto.UINT8, [4]), value("lt", TensorProto.BOOL, [4])])


def contrib():
    """A node of ONNX Runtime's own domain."""
    nodes = [helper.make_node("FastGelu", ["x"], ["y"], domain="com.microsoft")]
    return helper.make_graph(nodes, "contrib", [value("x", TensorProto.FLOAT, [4])],
                             [value("y", TensorProto.FLOAT, [4])])


def unsupported():
    nodes = [helper.make_node("TopK", ["x", "k"], ["values", "indices"])]
    return helper.make_graph(nodes, "unsupported", [value("x", TensorProto.FLOAT, [4])],
                             [value("values", TensorProto.FLOAT, [2]),
                              value("indices", TensorProto.INT64, [2])], [ints("k", [2])])


MODELS = {"head_split": head_split, "layer_norm_chain": layer_norm_chain, "linear": linear,
          "unsigned": unsigned, "contrib": contrib, "unsupported": unsupported}

if __name__ == "__main__":
    graph = MODELS[sys.argv[1]]()
    imports = [helper.make_opsetid("", 14)]
    if sys.argv[1] == "contrib":
        imports.append(helper.make_opsetid("com.microsoft", 1))
    save(helper.make_model(graph, opset_imports=imports), sys.argv[2])
