"""BERT and its family with encoder.builder.

bert, roberta, distilbert, electra and albert, op for op as the C++
frontend builds them (lib/Frontend/TextEncoders.cpp and GraphBuilder.cpp):
the same ops in the same order, so that both print the same IR, which a
test checks. Keep the two in step when either changes.
"""

import json
import os
import struct

from .. import builder as b
from .._compiler import CompileError

TEXT_FAMILIES = ("bert", "roberta", "distilbert", "electra", "albert")

# Hugging Face `hidden_act` names.
ACTIVATIONS = {
    "gelu": "gelu",
    "gelu_new": "gelu_tanh",
    "gelu_pytorch_tanh": "gelu_tanh",
    "gelu_fast": "gelu_tanh",
    "quick_gelu": "quick_gelu",
    "relu": "relu",
    "silu": "silu",
    "swish": "silu",
    "tanh": "tanh",
    "sigmoid": "sigmoid",
}


class ConfigError(CompileError):
    """A config the family cannot build (missing key, bad value), with the
    message encoder-compile gives."""


def _checkpoint_names(directory):
    """Tensor names in DIRECTORY/model.safetensors (its header only)."""
    path = os.path.join(directory, "model.safetensors")
    if not os.path.exists(path):
        return set()
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(length))
    return {name for name in header if name != "__metadata__"}


def read_config(config):
    """(config dict, its name for messages, checkpoint tensor names)."""
    if isinstance(config, dict):
        return config, "'<config>'", set()
    path = os.fspath(config)
    directory = path if os.path.isdir(path) else os.path.dirname(path)
    file = os.path.join(path, "config.json") if os.path.isdir(path) else path
    try:
        with open(file) as f:
            loaded = json.load(f)
    except OSError as error:
        raise ConfigError(f"cannot read '{file}': {error.strerror}") from None
    except json.JSONDecodeError as error:
        raise ConfigError(f"'{file}' is not valid JSON: {error}") from None
    return loaded, f"'{file}'", _checkpoint_names(directory)


class _Reader:
    def __init__(self, config, where):
        self.config, self.where = config, where
        self.model_type = config.get("model_type", "?")

    def _missing(self, key, expected):
        what = f"key '{key}' is not {expected}" if key in self.config else f"missing key '{key}'"
        raise ConfigError(f"{self.where}: {what} (needed for model_type {self.model_type})")

    def invalid(self, key, why):
        raise ConfigError(f"{self.where}: {key} {why} (model_type {self.model_type})")

    def integer(self, key, fallback=None):
        if key not in self.config and fallback is not None:
            return fallback
        value = self.config.get(key)
        if isinstance(value, bool) or not isinstance(value, int):
            self._missing(key, "an integer")
        return value

    def number(self, key, fallback=None):
        if key not in self.config and fallback is not None:
            return fallback
        value = self.config.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self._missing(key, "a number")
        return float(value)

    def activation(self, key, fallback):
        name = self.config.get(key)
        name = fallback if name is None else name
        if name not in ACTIVATIONS:
            self.invalid(
                key,
                f"'{name}' is not an activation the compiler knows (gelu, gelu_new, "
                "gelu_pytorch_tanh, quick_gelu, relu, silu, tanh)",
            )
        return ACTIVATIONS[name]

    def check_heads(self, hidden, heads, hidden_key, heads_key):
        if heads <= 0 or hidden <= 0 or hidden % heads:
            self.invalid(heads_key, f"({heads}) must divide {hidden_key} ({hidden})")


class _Layers:
    """GraphBuilder's helpers: parameters named by checkpoint, and layers."""

    def __init__(self, f, prefix):
        self.f, self.prefix = f, prefix

    def param(self, name, shape):
        return self.f.param(self.prefix + name, shape)

    def linear(self, x, name, out, inp, bias=True):
        weight = self.param(name + ".weight", [out, inp])
        bias_value = self.param(name + ".bias", [out]) if bias else None
        return self.f.linear(x, weight, bias_value)

    def layer_norm(self, x, name, epsilon):
        scale = self.param(name + ".weight", [x.shape[-1]])
        bias = self.param(name + ".bias", [x.shape[-1]])
        return self.f.layer_norm(x, scale, bias, epsilon)

    def mlp(self, x, fc1, fc2, inner, dim, act):
        return self.linear(self.f.activation(act, self.linear(x, fc1, inner, dim)), fc2, dim, inner)

    def split_heads(self, x, heads):
        f = self.f
        sizes = [f.size(x, 0), f.size(x, 1), heads, x.shape[2] // heads]
        return f.transpose(f.expand_shape(x, [[0], [1], [2, 3]], sizes), [0, 2, 1, 3])

    def merge_heads(self, x):
        return self.f.collapse_shape(self.f.transpose(x, [0, 2, 1, 3]), [[0], [1], [2, 3]])

    def attention_mask(self, mask):
        f = self.f
        sizes = [f.size(mask, 0), 1, 1, f.size(mask, 1)]
        return f.expand_shape(mask, [[0], [1, 2, 3]], sizes)

    def self_attention(self, x, layer, names, heads, dim, mask):
        base = layer + "."
        q = self.split_heads(self.linear(x, base + names[0], dim, dim), heads)
        k = self.split_heads(self.linear(x, base + names[1], dim, dim), heads)
        v = self.split_heads(self.linear(x, base + names[2], dim, dim), heads)
        context = self.merge_heads(self.f.attention(q, k, v, mask))
        return self.linear(context, base + names[3], dim, dim)


# Per family: attention projections (q, k, v, out), then the attention
# norm, intermediate, output and output norm, relative to the layer prefix.
_LAYER_NAMES = {
    "bert": (
        ("attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"),
        "attention.output.LayerNorm",
        "intermediate.dense",
        "output.dense",
        "output.LayerNorm",
    ),
    "distilbert": (
        ("attention.q_lin", "attention.k_lin", "attention.v_lin", "attention.out_lin"),
        "sa_layer_norm",
        "ffn.lin1",
        "ffn.lin2",
        "output_layer_norm",
    ),
    "albert": (
        ("attention.query", "attention.key", "attention.value", "attention.dense"),
        "attention.LayerNorm",
        "ffn",
        "ffn_output",
        "full_layer_layer_norm",
    ),
}


def _read(config, where):
    r = _Reader(config, where)
    kind = r.model_type
    c = {}
    if kind == "distilbert":
        c.update(
            vocab=r.integer("vocab_size"),
            hidden=r.integer("dim"),
            layers=r.integer("n_layers"),
            heads=r.integer("n_heads"),
            intermediate=r.integer("hidden_dim"),
            max_positions=r.integer("max_position_embeddings"),
            activation=r.activation("activation", "gelu"),
            epsilon=1e-12,  # fixed in DistilBERT's code
            type_vocab=0,
            position_offset=0,
        )
        c["embedding"] = c["hidden"]
        r.check_heads(c["hidden"], c["heads"], "dim", "n_heads")
        return c
    c.update(
        vocab=r.integer("vocab_size"),
        hidden=r.integer("hidden_size"),
        layers=r.integer("num_hidden_layers"),
        heads=r.integer("num_attention_heads"),
        intermediate=r.integer("intermediate_size"),
        max_positions=r.integer("max_position_embeddings"),
        type_vocab=r.integer("type_vocab_size", 2),
        epsilon=r.number("layer_norm_eps", 1e-12),
        activation=r.activation("hidden_act", "gelu_new" if kind == "albert" else "gelu"),
    )
    c["embedding"] = r.integer("embedding_size") if kind in ("electra", "albert") else c["hidden"]
    # RoBERTa counts positions from padding_idx + 1.
    c["position_offset"] = r.integer("pad_token_id", 1) + 1 if kind == "roberta" else 0
    if kind == "albert":
        c["groups"] = r.integer("num_hidden_groups", 1)
        c["inner_groups"] = r.integer("inner_group_num", 1)
        if c["groups"] < 1 or c["layers"] % c["groups"]:
            r.invalid("num_hidden_groups", "must divide num_hidden_layers")
    r.check_heads(c["hidden"], c["heads"], "hidden_size", "num_attention_heads")
    if c["max_positions"] <= c["position_offset"]:
        r.invalid("max_position_embeddings", "leaves no position for tokens")
    return c


def _prefix(checkpoint, anchor):
    """The checkpoint's prefix before `anchor` ("bert."), shortest first."""
    best = None
    for name in checkpoint:
        if not name.endswith(anchor):
            continue
        prefix = name[: len(name) - len(anchor)]
        if prefix and not prefix.endswith("."):
            continue
        if best is None or len(prefix) < len(best):
            best = prefix
    return best or ""


def _post_norm_layer(g, h, layer, names, c, mask):
    f, base = g.f, layer + "."
    attention = g.self_attention(h, layer, names[0], c["heads"], c["hidden"], mask)
    h = g.layer_norm(f.add(attention, h), base + names[1], c["epsilon"])
    ffn = g.mlp(h, base + names[2], base + names[3], c["intermediate"], c["hidden"], c["activation"])
    return g.layer_norm(f.add(ffn, h), base + names[4], c["epsilon"])


def build(config, where, checkpoint, pool=None, normalize=False):
    """The builder.Module of a text encoder."""
    kind = config["model_type"]
    c = _read(config, where)
    prefix = _prefix(checkpoint, "embeddings.word_embeddings.weight")
    max_seq = c["max_positions"] - c["position_offset"]
    module = b.Module()
    f = module.function("main")
    dims = dict(shape=[None, None], dtype="i64", dim_names=["batch", "sequence"], dim_max=[None, max_seq])
    input_ids = f.input("input_ids", **dims)
    mask = f.input("attention_mask", **dims, default="ones")
    token_types = (f.input("token_type_ids", **dims, default="zeros")
                   if c["type_vocab"] > 1 else None)
    g = _Layers(f, prefix)

    # Embeddings.
    h = f.embedding(input_ids, g.param("embeddings.word_embeddings.weight", [c["vocab"], c["embedding"]]))
    table = g.param("embeddings.position_embeddings.weight", [c["max_positions"], c["embedding"]])
    h = f.positional_encoding("learned", h, table, offset=c["position_offset"])
    if c["type_vocab"] > 0:
        # A single-type vocabulary (RoBERTa) adds its one row everywhere.
        if token_types is None:
            token_types = f.zeros([f.size(input_ids, 0), f.size(input_ids, 1)], "i64")
        types_table = g.param("embeddings.token_type_embeddings.weight", [c["type_vocab"], c["embedding"]])
        h = f.add(h, f.embedding(token_types, types_table))
    h = g.layer_norm(h, "embeddings.LayerNorm", c["epsilon"])
    if kind == "electra" and c["embedding"] != c["hidden"]:
        h = g.linear(h, "embeddings_project", c["hidden"], c["embedding"])
    if kind == "albert":
        h = g.linear(h, "encoder.embedding_hidden_mapping_in", c["hidden"], c["embedding"])

    # Layers.
    attention_mask = g.attention_mask(mask)
    for i in range(c["layers"]):
        if kind == "albert":
            # Layers share weights: layer i runs group i / (layers / groups).
            group = i // (c["layers"] // c["groups"])
            for j in range(c["inner_groups"]):
                layer = f"encoder.albert_layer_groups.{group}.albert_layers.{j}"
                h = _post_norm_layer(g, h, layer, _LAYER_NAMES["albert"], c, attention_mask)
        elif kind == "distilbert":
            h = _post_norm_layer(g, h, f"transformer.layer.{i}", _LAYER_NAMES["distilbert"], c, attention_mask)
        else:
            h = _post_norm_layer(g, h, f"encoder.layer.{i}", _LAYER_NAMES["bert"], c, attention_mask)

    # Outputs.
    if pool not in (None, "none"):
        pooled = f.pool("cls", h) if pool == "cls" else f.pool("mean", h, mask)
        if normalize:
            pooled = f.l2_normalize(pooled)
        f.output("sentence_embedding", pooled)
        return module
    f.output("last_hidden_state", h)
    # Pooler: tanh(dense([CLS])); present in the base models by default.
    pooler = "pooler" if kind == "albert" else "pooler.dense"
    has_pooler = kind not in ("distilbert", "electra") and (
        not checkpoint or prefix + pooler + ".weight" in checkpoint
    )
    if has_pooler:
        cls = f.pool("cls", h)
        f.output("pooler_output", f.activation("tanh", g.linear(cls, pooler, c["hidden"], c["hidden"])))
    # ELECTRA's replaced-token detection head, when the checkpoint has it.
    if kind == "electra" and "discriminator_predictions.dense.weight" in checkpoint:
        head = _Layers(f, "")
        d = f.activation(
            c["activation"], head.linear(h, "discriminator_predictions.dense", c["hidden"], c["hidden"])
        )
        logits = head.linear(d, "discriminator_predictions.dense_prediction", 1, c["hidden"])
        f.output("logits", f.collapse_shape(logits, [[0], [1, 2]]))
    return module
