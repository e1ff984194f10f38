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
SWIN_T = {
    "model_type": "swin", "architectures": ["SwinModel"], "image_size": 224, "patch_size": 4,
    "num_channels": 3, "embed_dim": 96, "depths": [2, 2, 6, 2], "num_heads": [3, 6, 12, 24],
    "window_size": 7, "mlp_ratio": 4.0, "qkv_bias": True, "hidden_act": "gelu",
    "layer_norm_eps": 1e-5, "use_absolute_embeddings": False,
}
DEBERTA_V3_BASE = {
    "model_type": "deberta-v2", "architectures": ["DebertaV2Model"], "vocab_size": 128100,
    "hidden_size": 768, "num_hidden_layers": 12, "num_attention_heads": 12,
    "intermediate_size": 3072, "hidden_act": "gelu", "max_position_embeddings": 512,
    "type_vocab_size": 0, "layer_norm_eps": 1e-7, "relative_attention": True,
    "max_relative_positions": -1, "position_buckets": 256, "norm_rel_ebd": "layer_norm",
    "share_att_key": True, "pos_att_type": ["p2c", "c2p"], "position_biased_input": False,
    "pad_token_id": 0,
}
CONFIGS = {"bert-base": BERT_BASE, "tiny-bert": TINY_BERT, "vit-b16": VIT_BASE, "swin-t": SWIN_T,
           "deberta-v3-base": DEBERTA_V3_BASE}
SEEDS = {"bert-base": 1, "tiny-bert": 2, "vit-b16": 3, "swin-t": 4, "deberta-v3-base": 5}

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


def swin_layout(cfg):
    """(name, shape, kind) of every SwinModel tensor, in a fixed order."""
    c, p, d, w = cfg["num_channels"], cfg["patch_size"], cfg["embed_dim"], cfg["window_size"]
    out = [("embeddings.patch_embeddings.projection.weight", (d, c, p, p), "matrix"),
           ("embeddings.patch_embeddings.projection.bias", (d,), "bias"),
           ("embeddings.norm.weight", (d,), "scale"), ("embeddings.norm.bias", (d,), "bias")]
    stages = len(cfg["depths"])
    for s, (depth, heads) in enumerate(zip(cfg["depths"], cfg["num_heads"])):
        f = int(cfg["mlp_ratio"] * d)
        for j in range(depth):
            q = f"encoder.layers.{s}.blocks.{j}."
            out += [(q + "layernorm_before.weight", (d,), "scale"),
                    (q + "layernorm_before.bias", (d,), "bias"),
                    (q + "attention.self.relative_position_bias_table", ((2 * w - 1) ** 2, heads), "table")]
            for name in ("attention.self.query", "attention.self.key", "attention.self.value",
                         "attention.output.dense"):
                out += [(q + name + ".weight", (d, d), "matrix"), (q + name + ".bias", (d,), "bias")]
            out += [(q + "layernorm_after.weight", (d,), "scale"), (q + "layernorm_after.bias", (d,), "bias"),
                    (q + "intermediate.dense.weight", (f, d), "matrix"),
                    (q + "intermediate.dense.bias", (f,), "bias"),
                    (q + "output.dense.weight", (d, f), "matrix"), (q + "output.dense.bias", (d,), "bias")]
        if s + 1 < stages:
            q = f"encoder.layers.{s}.downsample."
            out += [(q + "norm.weight", (4 * d,), "scale"), (q + "norm.bias", (4 * d,), "bias"),
                    (q + "reduction.weight", (2 * d, 4 * d), "matrix")]
            d *= 2
    out += [("layernorm.weight", (d,), "scale"), ("layernorm.bias", (d,), "bias")]
    return out


def deberta_layout(cfg):
    """(name, shape, kind) of every DebertaV2Model tensor (v3: no absolute
    positions, no token types, shared attention keys)."""
    d, f = cfg["hidden_size"], cfg["intermediate_size"]
    out = [("embeddings.word_embeddings.weight", (cfg["vocab_size"], d), "table"),
           ("embeddings.LayerNorm.weight", (d,), "scale"), ("embeddings.LayerNorm.bias", (d,), "bias"),
           ("encoder.rel_embeddings.weight", (2 * cfg["position_buckets"], d), "table"),
           ("encoder.LayerNorm.weight", (d,), "scale"), ("encoder.LayerNorm.bias", (d,), "bias")]
    for i in range(cfg["num_hidden_layers"]):
        p = f"encoder.layer.{i}."
        for name, n_out, n_in in (("attention.self.query_proj", d, d), ("attention.self.key_proj", d, d),
                                  ("attention.self.value_proj", d, d), ("attention.output.dense", d, d),
                                  ("intermediate.dense", f, d), ("output.dense", d, f)):
            out += [(p + name + ".weight", (n_out, n_in), "matrix"), (p + name + ".bias", (n_out,), "bias")]
        for name in ("attention.output.LayerNorm", "output.LayerNorm"):
            out += [(p + name + ".weight", (d,), "scale"), (p + name + ".bias", (d,), "bias")]
    return out


def layout_of(cfg):
    layouts = {"vit": vit_layout, "swin": swin_layout, "deberta-v2": deberta_layout}
    return layouts.get(cfg["model_type"], bert_layout)(cfg)


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
    layout = layout_of(cfg)
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


def build_swin(cfg, weights):
    """torchvision's SwinTransformer (swin_t at SWIN_T) with SwinModel's
    weights renamed into it; returns the final-norm tokens and their mean."""
    torch = _torch()
    nn = torch.nn
    from torchvision.models.swin_transformer import SwinTransformer

    assert cfg["hidden_act"] == "gelu" and cfg["layer_norm_eps"] == 1e-5

    class SwinWithPooler(nn.Module):
        def __init__(self):
            super().__init__()
            p, w = cfg["patch_size"], cfg["window_size"]
            self.swin = SwinTransformer([p, p], cfg["embed_dim"], cfg["depths"], cfg["num_heads"],
                                        [w, w], mlp_ratio=cfg["mlp_ratio"],
                                        stochastic_depth_prob=0.0, num_classes=1)

        def forward(self, pixel_values):
            x = self.swin.norm(self.swin.features(pixel_values))
            h = x.reshape(x.shape[0], x.shape[1] * x.shape[2], x.shape[3])
            return h, h.mean(1)

    model = SwinWithPooler()
    t = lambda name: torch.from_numpy(np.array(weights[name]))  # noqa: E731
    state = dict(model.state_dict())  # the relative position indices stay
    for ours, theirs in (("swin.features.0.0", "embeddings.patch_embeddings.projection"),
                         ("swin.features.0.2", "embeddings.norm"), ("swin.norm", "layernorm")):
        state[ours + ".weight"], state[ours + ".bias"] = t(theirs + ".weight"), t(theirs + ".bias")
    stages = len(cfg["depths"])
    for s, depth in enumerate(cfg["depths"]):
        for j in range(depth):
            ours, p = f"swin.features.{2 * s + 1}.{j}.", f"encoder.layers.{s}.blocks.{j}."
            for o, h in (("norm1", "layernorm_before"), ("attn.proj", "attention.output.dense"),
                         ("norm2", "layernorm_after"), ("mlp.0", "intermediate.dense"),
                         ("mlp.3", "output.dense")):
                state[ours + o + ".weight"], state[ours + o + ".bias"] = t(p + h + ".weight"), t(p + h + ".bias")
            names = [p + "attention.self." + n for n in ("query", "key", "value")]
            state[ours + "attn.qkv.weight"] = torch.cat([t(n + ".weight") for n in names])
            state[ours + "attn.qkv.bias"] = torch.cat([t(n + ".bias") for n in names])
            state[ours + "attn.relative_position_bias_table"] = t(
                p + "attention.self.relative_position_bias_table")
        if s + 1 < stages:
            ours, p = f"swin.features.{2 * s + 2}.", f"encoder.layers.{s}.downsample."
            state[ours + "norm.weight"], state[ours + "norm.bias"] = t(p + "norm.weight"), t(p + "norm.bias")
            state[ours + "reduction.weight"] = t(p + "reduction.weight")
    model.load_state_dict(state)
    return model.float().eval()


def build_deberta(cfg, weights):
    """DebertaPlain: DeBERTa-v3 (DebertaV2Model's layout, as DEBERTA_V3_BASE
    configures it) written out with torch operators that export to ONNX:
    log-bucketed relative positions, c2p and p2c gathered (GatherElements),
    scores / sqrt(3 d), the pair mask. Its tests' twin is
    test/Numerics/cases/families.py (family_deberta_v2)."""
    torch = _torch()
    nn, F = torch.nn, torch.nn.functional
    d, heads, eps = cfg["hidden_size"], cfg["num_attention_heads"], cfg["layer_norm_eps"]
    span, max_relative = cfg["position_buckets"], cfg["max_position_embeddings"]
    assert cfg["share_att_key"] and not cfg["position_biased_input"] and cfg["type_vocab_size"] == 0

    def bucket(relative):
        sign = torch.sign(relative)
        mid = span // 2
        magnitude = torch.where((relative < mid) & (relative > -mid),
                                torch.tensor(mid - 1).type_as(relative), torch.abs(relative))
        log_position = torch.ceil(torch.log(magnitude / mid)
                                  / torch.log(torch.tensor((max_relative - 1) / mid))
                                  * (mid - 1)) + mid
        return torch.where(magnitude <= mid, relative.type_as(log_position),
                           log_position * sign).long()

    class Layer(nn.Module):
        def __init__(self):
            super().__init__()
            f = cfg["intermediate_size"]
            self.query, self.key, self.value = nn.Linear(d, d), nn.Linear(d, d), nn.Linear(d, d)
            self.attn_out, self.attn_norm = nn.Linear(d, d), nn.LayerNorm(d, eps=eps)
            self.fc1, self.fc2 = nn.Linear(d, f), nn.Linear(f, d)
            self.out_norm = nn.LayerNorm(d, eps=eps)

        def forward(self, h, rel, c2p_index, p2c_index, keep):
            b, s, _ = h.shape
            hd = d // heads

            def split(t):
                return t.reshape(t.shape[0], t.shape[1], heads, hd).transpose(1, 2)

            q, k, v = split(self.query(h)), split(self.key(h)), split(self.value(h))
            pq, pk = split(self.query(rel)), split(self.key(rel))
            c2p = torch.gather(torch.matmul(q, pk.transpose(-1, -2)), -1, c2p_index)
            p2c = torch.gather(torch.matmul(k, pq.transpose(-1, -2)), -1, p2c_index).transpose(-1, -2)
            scores = (torch.matmul(q, k.transpose(-1, -2)) + c2p + p2c) / math.sqrt(hd * 3)
            scores = scores.masked_fill(~keep, torch.finfo(scores.dtype).min)
            ctx = torch.matmul(torch.softmax(scores, dim=-1), v).transpose(1, 2).reshape(b, s, d)
            h = self.attn_norm(h + self.attn_out(ctx))
            return self.out_norm(h + self.fc2(F.gelu(self.fc1(h))))

    class DebertaPlain(nn.Module):
        def __init__(self):
            super().__init__()
            self.words = nn.Embedding(cfg["vocab_size"], d)
            self.norm = nn.LayerNorm(d, eps=eps)
            self.rel = nn.Parameter(torch.zeros(2 * span, d))
            self.rel_norm = nn.LayerNorm(d, eps=eps)
            self.layers = nn.ModuleList(Layer() for _ in range(cfg["num_hidden_layers"]))

        def forward(self, input_ids, attention_mask):
            b, s = input_ids.shape
            h = self.norm(self.words(input_ids)) * attention_mask[..., None].to(torch.float32)
            rel = self.rel_norm(self.rel)[None]
            position = torch.arange(s)
            relative = bucket(position[:, None] - position[None, :])
            c2p_index = torch.clamp(relative + span, 0, 2 * span - 1).expand(b, heads, s, s)
            p2c_index = torch.clamp(-relative + span, 0, 2 * span - 1).expand(b, heads, s, s)
            keep = (attention_mask[:, None, :, None] * attention_mask[:, None, None, :]) != 0
            for layer in self.layers:
                h = layer(h, rel, c2p_index, p2c_index, keep)
            return (h,)

    model = DebertaPlain()
    t = lambda name: torch.from_numpy(np.array(weights[name]))  # noqa: E731
    state = {"words.weight": t("embeddings.word_embeddings.weight"),
             "norm.weight": t("embeddings.LayerNorm.weight"), "norm.bias": t("embeddings.LayerNorm.bias"),
             "rel": t("encoder.rel_embeddings.weight"),
             "rel_norm.weight": t("encoder.LayerNorm.weight"), "rel_norm.bias": t("encoder.LayerNorm.bias")}
    for i in range(cfg["num_hidden_layers"]):
        ours, p = f"layers.{i}.", f"encoder.layer.{i}."
        for o, h in (("query", "attention.self.query_proj"), ("key", "attention.self.key_proj"),
                     ("value", "attention.self.value_proj"), ("attn_out", "attention.output.dense"),
                     ("attn_norm", "attention.output.LayerNorm"), ("fc1", "intermediate.dense"),
                     ("fc2", "output.dense"), ("out_norm", "output.LayerNorm")):
            state[ours + o + ".weight"], state[ours + o + ".bias"] = t(p + h + ".weight"), t(p + h + ".bias")
    model.load_state_dict(state)
    return model.float().eval()


def build(name, weights):
    cfg = CONFIGS[name]
    builders = {"vit": build_vit, "swin": build_swin, "deberta-v2": build_deberta}
    return builders.get(cfg["model_type"], build_bert)(cfg, weights)


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
    if cfg["model_type"] in ("vit", "swin"):
        size = cfg["image_size"]
        return {"pixel_values": rng.standard_normal((batch, cfg["num_channels"], size, size),
                                                     dtype=np.float32)}
    ids = rng.integers(1, cfg["vocab_size"], (batch, seq), dtype=np.int64)
    if cfg.get("type_vocab_size", 2) == 0:  # DeBERTa-v3
        return {"input_ids": ids, "attention_mask": np.ones((batch, seq), dtype=np.int64)}
    types = np.zeros((batch, seq), dtype=np.int64)
    types[:, seq // 2:] = 1  # a sentence pair
    return {"input_ids": ids, "attention_mask": np.ones((batch, seq), dtype=np.int64),
            "token_type_ids": types}


OUTPUT_NAMES = ["last_hidden_state", "pooler_output"]


def output_names(name):
    """The outputs our artifact and the exported module share."""
    return OUTPUT_NAMES[:1] if CONFIGS[name]["model_type"] == "deberta-v2" else OUTPUT_NAMES


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
