"""The benchmark's models: seeded Hugging Face style checkpoints and plain
PyTorch modules built from the same weights.

- BERT (BertModel names: embeddings.*, encoder.layer.N.*, pooler.dense.*):
  `BertPlain` is written with nn.Embedding / nn.Linear / nn.LayerNorm and
  attention spelled out as softmax(QKᵀ/√d + mask)V, not with
  nn.TransformerEncoderLayer, whose fast path torch.onnx rejects.
- ViT (ViTModel names): torchvision's VisionTransformer with the weights
  renamed (as test/Numerics/cases/families.py does), LayerNorm eps set to
  the config's 1e-12, plus ViTModel's pooler (tanh of a linear layer on the
  class token). Exported to ONNX in train mode with
  training=TrainingMode.PRESERVE: in eval mode nn.MultiheadAttention takes
  its fused fast path, which the exporter rejects; its dropout is 0, and the
  nn.Dropout modules (p = 0) are replaced by nn.Identity so that the graph
  carries no Dropout nodes.
- Attention alone: `Attention`, softmax(QKᵀ/√d)V on [batch, heads, seq, dim].

Weights: matrices N(0, 1/fan_in), biases 0.1 N(0, 1), LayerNorm scales
1 + 0.1 N(0, 1), embeddings, class token and positions N(0, 1), so that
activations stay O(1) through 12 layers and a wrong op shows in the output.
Everything is float32, from numpy.random.default_rng(seed).
"""

import json
import math
import os
import struct
import sys
import warnings

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "python-bindings"))
from encoder import safetensors  # noqa: E402

# --- configurations -------------------------------------------------------------

BERT_BASE = {
    "model_type": "bert", "architectures": ["BertModel"],
    "vocab_size": 30522, "hidden_size": 768, "num_hidden_layers": 12,
    "num_attention_heads": 12, "intermediate_size": 3072, "hidden_act": "gelu",
    "hidden_dropout_prob": 0.0, "attention_probs_dropout_prob": 0.0,
    "max_position_embeddings": 512, "type_vocab_size": 2, "initializer_range": 0.02,
    "layer_norm_eps": 1e-12, "pad_token_id": 0, "position_embedding_type": "absolute",
}
TINY_BERT = dict(BERT_BASE, hidden_size=128, num_hidden_layers=2, num_attention_heads=2,
                 intermediate_size=512)
VIT_BASE = {
    "model_type": "vit", "architectures": ["ViTModel"],
    "hidden_size": 768, "num_hidden_layers": 12, "num_attention_heads": 12,
    "intermediate_size": 3072, "hidden_act": "gelu", "hidden_dropout_prob": 0.0,
    "attention_probs_dropout_prob": 0.0, "layer_norm_eps": 1e-12, "image_size": 224,
    "patch_size": 16, "num_channels": 3, "qkv_bias": True,
}
CONFIGS = {"bert-base": BERT_BASE, "tiny-bert": TINY_BERT, "vit-b16": VIT_BASE}
SEEDS = {"bert-base": 1, "tiny-bert": 2, "vit-b16": 3}

# Bump when the weights or the modules change: cached checkpoints and ONNX
# files under bench/.work/ carry it and are rebuilt when it differs.
GENERATOR_VERSION = 1


# --- weights ----------------------------------------------------------------------


def bert_layout(cfg):
    """(name, shape, kind) of every BertModel tensor, in a fixed order."""
    d, f = cfg["hidden_size"], cfg["intermediate_size"]
    out = [("embeddings.word_embeddings.weight", (cfg["vocab_size"], d), "table"),
           ("embeddings.position_embeddings.weight", (cfg["max_position_embeddings"], d), "table"),
           ("embeddings.token_type_embeddings.weight", (cfg["type_vocab_size"], d), "table"),
           ("embeddings.LayerNorm.weight", (d,), "scale"),
           ("embeddings.LayerNorm.bias", (d,), "bias")]
    for i in range(cfg["num_hidden_layers"]):
        p = f"encoder.layer.{i}."
        for name, n_out, n_in in (("attention.self.query", d, d), ("attention.self.key", d, d),
                                  ("attention.self.value", d, d), ("attention.output.dense", d, d)):
            out += [(p + name + ".weight", (n_out, n_in), "matrix"), (p + name + ".bias", (n_out,), "bias")]
        out += [(p + "attention.output.LayerNorm.weight", (d,), "scale"),
                (p + "attention.output.LayerNorm.bias", (d,), "bias"),
                (p + "intermediate.dense.weight", (f, d), "matrix"),
                (p + "intermediate.dense.bias", (f,), "bias"),
                (p + "output.dense.weight", (d, f), "matrix"),
                (p + "output.dense.bias", (d,), "bias"),
                (p + "output.LayerNorm.weight", (d,), "scale"),
                (p + "output.LayerNorm.bias", (d,), "bias")]
    out += [("pooler.dense.weight", (d, d), "matrix"), ("pooler.dense.bias", (d,), "bias")]
    return out


def vit_layout(cfg):
    """(name, shape, kind) of every ViTModel tensor, in a fixed order."""
    d, f = cfg["hidden_size"], cfg["intermediate_size"]
    c, p = cfg["num_channels"], cfg["patch_size"]
    patches = (cfg["image_size"] // p) ** 2
    out = [("embeddings.cls_token", (1, 1, d), "table"),
           ("embeddings.position_embeddings", (1, patches + 1, d), "table"),
           ("embeddings.patch_embeddings.projection.weight", (d, c, p, p), "matrix"),
           ("embeddings.patch_embeddings.projection.bias", (d,), "bias")]
    for i in range(cfg["num_hidden_layers"]):
        q = f"encoder.layer.{i}."
        out += [(q + "layernorm_before.weight", (d,), "scale"), (q + "layernorm_before.bias", (d,), "bias")]
        for name in ("attention.attention.query", "attention.attention.key",
                     "attention.attention.value", "attention.output.dense"):
            out += [(q + name + ".weight", (d, d), "matrix"), (q + name + ".bias", (d,), "bias")]
        out += [(q + "layernorm_after.weight", (d,), "scale"), (q + "layernorm_after.bias", (d,), "bias"),
                (q + "intermediate.dense.weight", (f, d), "matrix"),
                (q + "intermediate.dense.bias", (f,), "bias"),
                (q + "output.dense.weight", (d, f), "matrix"), (q + "output.dense.bias", (d,), "bias")]
    out += [("layernorm.weight", (d,), "scale"), ("layernorm.bias", (d,), "bias"),
            ("pooler.dense.weight", (d, d), "matrix"), ("pooler.dense.bias", (d,), "bias")]
    return out


def random_weights(layout, seed):
    rng = np.random.default_rng(seed)
    weights = {}
    for name, shape, kind in layout:
        x = rng.standard_normal(shape, dtype=np.float32)
        if kind == "matrix":
            x *= np.float32(int(np.prod(shape[1:])) ** -0.5)
        elif kind == "bias":
            x *= np.float32(0.1)
        elif kind == "scale":
            x = np.float32(1.0) + np.float32(0.1) * x
        weights[name] = x
    return weights


def write_checkpoint(name, directory):
    """config.json + model.safetensors for one of CONFIGS."""
    cfg = CONFIGS[name]
    layout = vit_layout(cfg) if cfg["model_type"] == "vit" else bert_layout(cfg)
    weights = random_weights(layout, SEEDS[name])
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
        f.write("\n")
    safetensors.save_file(weights, os.path.join(directory, "model.safetensors"))
    return weights


def load_safetensors(path):
    """name -> numpy array (a read-only memory map, no copy)."""
    kinds = {"F32": np.float32, "F64": np.float64, "I64": np.int64, "I32": np.int32}
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
    data = np.memmap(path, dtype=np.uint8, mode="r", offset=8 + n)
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        out[name] = data[begin:end].view(kinds[info["dtype"]]).reshape(info["shape"])
    return out


# --- PyTorch modules ------------------------------------------------------------------


def _torch():
    import torch
    return torch


def build_bert(cfg, weights):
    """BertPlain with the checkpoint's weights, eval mode, float32."""
    torch = _torch()
    nn, F = torch.nn, torch.nn.functional

    class Layer(nn.Module):
        def __init__(self):
            super().__init__()
            d, f = cfg["hidden_size"], cfg["intermediate_size"]
            eps = cfg["layer_norm_eps"]
            self.heads = cfg["num_attention_heads"]
            self.query, self.key, self.value = nn.Linear(d, d), nn.Linear(d, d), nn.Linear(d, d)
            self.attn_out, self.attn_norm = nn.Linear(d, d), nn.LayerNorm(d, eps=eps)
            self.fc1, self.fc2 = nn.Linear(d, f), nn.Linear(f, d)
            self.out_norm = nn.LayerNorm(d, eps=eps)

        def forward(self, h, additive_mask):
            b, s, d = h.shape
            hd = d // self.heads

            def split(t):
                return t.reshape(b, s, self.heads, hd).transpose(1, 2)

            q, k, v = split(self.query(h)), split(self.key(h)), split(self.value(h))
            scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(hd) + additive_mask
            ctx = torch.matmul(torch.softmax(scores, dim=-1), v)
            ctx = ctx.transpose(1, 2).reshape(b, s, d)
            h = self.attn_norm(h + self.attn_out(ctx))
            return self.out_norm(h + self.fc2(F.gelu(self.fc1(h))))

    class BertPlain(nn.Module):
        def __init__(self):
            super().__init__()
            d = cfg["hidden_size"]
            self.words = nn.Embedding(cfg["vocab_size"], d)
            self.positions = nn.Embedding(cfg["max_position_embeddings"], d)
            self.types = nn.Embedding(cfg["type_vocab_size"], d)
            self.norm = nn.LayerNorm(d, eps=cfg["layer_norm_eps"])
            self.layers = nn.ModuleList(Layer() for _ in range(cfg["num_hidden_layers"]))
            self.pooler = nn.Linear(d, d)

        def forward(self, input_ids, attention_mask, token_type_ids):
            seq = input_ids.shape[1]
            positions = torch.arange(seq, dtype=torch.int64, device=input_ids.device)
            h = self.words(input_ids) + self.positions(positions)[None] + self.types(token_type_ids)
            h = self.norm(h)
            # Hugging Face's extended mask: 0 where attended, the float minimum elsewhere.
            additive = (1.0 - attention_mask[:, None, None, :].to(h.dtype)) * torch.finfo(h.dtype).min
            for layer in self.layers:
                h = layer(h, additive)
            return h, torch.tanh(self.pooler(h[:, 0]))

    model = BertPlain()
    state = {"words.weight": "embeddings.word_embeddings.weight",
             "positions.weight": "embeddings.position_embeddings.weight",
             "types.weight": "embeddings.token_type_embeddings.weight",
             "norm.weight": "embeddings.LayerNorm.weight", "norm.bias": "embeddings.LayerNorm.bias",
             "pooler.weight": "pooler.dense.weight", "pooler.bias": "pooler.dense.bias"}
    for i in range(cfg["num_hidden_layers"]):
        p = f"encoder.layer.{i}."
        for ours, theirs in (("query", "attention.self.query"), ("key", "attention.self.key"),
                             ("value", "attention.self.value"), ("attn_out", "attention.output.dense"),
                             ("attn_norm", "attention.output.LayerNorm"),
                             ("fc1", "intermediate.dense"), ("fc2", "output.dense"),
                             ("out_norm", "output.LayerNorm")):
            for leaf in ("weight", "bias"):
                state[f"layers.{i}.{ours}.{leaf}"] = p + theirs + "." + leaf
    model.load_state_dict({k: torch.from_numpy(np.array(weights[v])) for k, v in state.items()})
    return model.float().eval()


def build_vit(cfg, weights):
    """torchvision VisionTransformer + ViTModel's pooler, eval mode, float32."""
    torch = _torch()
    nn = torch.nn
    from torchvision.models.vision_transformer import VisionTransformer

    d, layers = cfg["hidden_size"], cfg["num_hidden_layers"]
    assert cfg["hidden_act"] == "gelu"  # torchvision's MLP uses exact GELU

    class ViTWithPooler(nn.Module):
        def __init__(self):
            super().__init__()
            self.vit = VisionTransformer(cfg["image_size"], cfg["patch_size"], layers,
                                         cfg["num_attention_heads"], d, cfg["intermediate_size"],
                                         dropout=0.0, attention_dropout=0.0)
            for module in self.vit.modules():  # torchvision's LayerNorms have eps 1e-6
                if isinstance(module, nn.LayerNorm):
                    module.eps = cfg["layer_norm_eps"]
            self.pooler = nn.Linear(d, d)

        def forward(self, pixel_values):
            x = self.vit._process_input(pixel_values)
            x = torch.cat([self.vit.class_token.expand(x.shape[0], -1, -1), x], dim=1)
            h = self.vit.encoder(x)  # + positions, layers, final LayerNorm
            return h, torch.tanh(self.pooler(h[:, 0]))

    model = ViTWithPooler()
    t = lambda name: torch.from_numpy(np.array(weights[name]))  # noqa: E731
    state = {"vit.conv_proj.weight": t("embeddings.patch_embeddings.projection.weight"),
             "vit.conv_proj.bias": t("embeddings.patch_embeddings.projection.bias"),
             "vit.class_token": t("embeddings.cls_token"),
             "vit.encoder.pos_embedding": t("embeddings.position_embeddings"),
             "vit.encoder.ln.weight": t("layernorm.weight"), "vit.encoder.ln.bias": t("layernorm.bias"),
             "pooler.weight": t("pooler.dense.weight"), "pooler.bias": t("pooler.dense.bias")}
    for i in range(layers):
        ours, p = f"vit.encoder.layers.encoder_layer_{i}.", f"encoder.layer.{i}."
        for o, h in (("ln_1", "layernorm_before"), ("self_attention.out_proj", "attention.output.dense"),
                     ("ln_2", "layernorm_after"), ("mlp.0", "intermediate.dense"),
                     ("mlp.3", "output.dense")):
            state[ours + o + ".weight"], state[ours + o + ".bias"] = t(p + h + ".weight"), t(p + h + ".bias")
        names = [p + "attention.attention." + n for n in ("query", "key", "value")]
        state[ours + "self_attention.in_proj_weight"] = torch.cat([t(n + ".weight") for n in names])
        state[ours + "self_attention.in_proj_bias"] = torch.cat([t(n + ".bias") for n in names])
    missing, unexpected = model.load_state_dict(state, strict=False)
    assert sorted(missing) == ["vit.heads.head.bias", "vit.heads.head.weight"] and not unexpected, \
        (missing, unexpected)
    return model.float().eval()


def build(name, weights):
    cfg = CONFIGS[name]
    return build_vit(cfg, weights) if cfg["model_type"] == "vit" else build_bert(cfg, weights)


def attention_module():
    torch = _torch()

    class Attention(torch.nn.Module):
        """softmax(Q Kᵀ / √d) V on [batch, heads, seq, head_dim]."""

        def forward(self, q, k, v):
            scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(q.shape[-1])
            return torch.matmul(torch.softmax(scores, dim=-1), v)

    return Attention().eval()


# --- inputs -----------------------------------------------------------------------------


def model_inputs(name, batch, seq, seed):
    """name -> numpy array, in the order of the ONNX and PyTorch signatures."""
    cfg = CONFIGS[name]
    rng = np.random.default_rng(seed)
    if cfg["model_type"] == "vit":
        size = cfg["image_size"]
        return {"pixel_values": rng.standard_normal((batch, cfg["num_channels"], size, size),
                                                     dtype=np.float32)}
    ids = rng.integers(1, cfg["vocab_size"], (batch, seq), dtype=np.int64)
    types = np.zeros((batch, seq), dtype=np.int64)
    types[:, seq // 2:] = 1  # a sentence pair
    return {"input_ids": ids, "attention_mask": np.ones((batch, seq), dtype=np.int64),
            "token_type_ids": types}


OUTPUT_NAMES = ["last_hidden_state", "pooler_output"]


# --- ONNX -------------------------------------------------------------------------------


def export_onnx(model, inputs, output_names, path, train_mode=False):
    """torch.onnx.export at opset 14 with fixed shapes. train_mode: export in
    training mode with TrainingMode.PRESERVE (ViT: avoids the
    MultiheadAttention fast path); every nn.Dropout must have p = 0."""
    torch = _torch()
    args = tuple(torch.from_numpy(np.ascontiguousarray(x)) for x in inputs.values())
    kwargs = {}
    if train_mode:
        for parent in list(model.modules()):
            for child_name, child in list(parent.named_children()):
                if isinstance(child, torch.nn.Dropout):
                    assert child.p == 0.0, child
                    setattr(parent, child_name, torch.nn.Identity())
        model.train()
        kwargs["training"] = torch.onnx.TrainingMode.PRESERVE
        # Constant folding is for eval-mode graphs (it warns otherwise);
        # ONNX Runtime folds constants itself.
        kwargs["do_constant_folding"] = False
    tmp = path + ".tmp"
    try:
        with torch.no_grad(), warnings.catch_warnings():
            # TracerWarnings about Python floats/bools: the shapes are fixed on purpose.
            warnings.simplefilter("ignore")
            torch.onnx.export(model, args, tmp, opset_version=14, input_names=list(inputs),
                              output_names=output_names, **kwargs)
        os.replace(tmp, path)
    finally:
        model.eval()
        if os.path.exists(tmp):
            os.remove(tmp)
