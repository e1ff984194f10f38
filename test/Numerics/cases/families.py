"""Model families: each examples/<model_type>/config.json compiled as a
checkpoint directory (Hugging Face tensor names) against a PyTorch
reference that shares nothing with the compiler.

- bert, roberta, distilbert, electra, albert: embeddings written with
  torch.nn.functional, layers are torch.nn.TransformerEncoderLayer (post-LN)
  with the weights renamed from the Hugging Face names, padding through
  src_key_padding_mask.
- vit: torchvision's VisionTransformer with the weights renamed from
  ViTModel's layout; wav2vec2: torchaudio's wav2vec2_model likewise.
- dinov2, vit_mae, clip, siglip, whisper: Debian's torch, torchvision and
  torchaudio have no such model, so they are written out below, compactly,
  from the papers and the published model code (Hugging Face's modeling
  files, OpenAI's Whisper), with attention spelled as softmax(QKᵀ/√d)V.

Weights are fresh on every run (std ~ 1/sqrt(fan_in), LayerNorm weights
around 1) so activations stay O(1); inputs use batch 2, right padding with
at least one padded row, and a sequence shorter than the maximum (the
artifacts have dynamic batch and sequence). The edge sweep
(test/Python/test_edge_shapes.py) runs the same cases at other shapes:
`c.batch` rows and, where a family has one, a sequence (audio: samples) of
`c.length`, rows of it right-padded to `sweep_lengths`.

Padding masks follow Hugging Face: masked keys score finfo(float32).min
(added, not -inf), so a row whose mask is all zeros averages every key
instead of giving NaN.
"""

import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

from .front_ends import t5_bias

EXAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "examples")
MASKED = torch.finfo(torch.float32).min  # Hugging Face's extended masks


def sweep_lengths(seq, batch):
    """Real tokens per row at a swept shape: the full row, then half of it
    for even lengths, or none at all (a row whose mask is all zeros) for
    odd ones."""
    return [seq if row == 0 else (seq // 2 if seq % 2 == 0 else 0) for row in range(batch)]


def load_config(model_type):
    with open(os.path.join(EXAMPLES, model_type, "config.json")) as f:
        return json.load(f)


# --- weights under Hugging Face names ----------------------------------------


def dense(c, name, n_out, n_in, bias=True):
    weight = c.weight(f"{name}.weight", c.normal((n_out, n_in), n_in**-0.5))
    return weight, (c.weight(f"{name}.bias", c.normal((n_out,), 0.1)) if bias else None)


def norm(c, name, dim):
    return (c.weight(f"{name}.weight", c.normal((dim,), 0.1, 1.0)),
            c.weight(f"{name}.bias", c.normal((dim,), 0.1)))


def layer_norm(x, params, eps):
    return F.layer_norm(x, (x.shape[-1],), *params, eps=eps)


def quick_gelu(x):
    return x * torch.sigmoid(1.702 * x)


def gelu_tanh(x):
    return F.gelu(x, approximate="tanh")


ACTIVATIONS = {
    "gelu": F.gelu,
    "gelu_new": gelu_tanh,
    "gelu_pytorch_tanh": gelu_tanh,
    "gelu_fast": gelu_tanh,
    "quick_gelu": quick_gelu,
    "relu": F.relu,
    "silu": F.silu,
    "swish": F.silu,
}


def right_padded(lengths, seq):
    mask = np.zeros((len(lengths), seq), dtype=np.int64)
    for b, n in enumerate(lengths):
        mask[b, :n] = 1
    return mask


def attention(x, q, k, v, o, heads, keep=None, causal=False):
    """Multi-head self-attention from the definition: per head
    softmax(Q Kᵀ / sqrt(head_dim) + masks) V, then the output projection.
    `keep` ([batch, seq], bool) leaves padded keys out; `causal` hides the
    future. Each of q, k, v, o is (weight, bias or None)."""
    batch, seq, dim = x.shape
    head_dim = dim // heads

    def split(t):
        return t.reshape(batch, seq, heads, head_dim).transpose(1, 2)

    scores = split(F.linear(x, *q)) @ split(F.linear(x, *k)).transpose(-1, -2) / math.sqrt(head_dim)
    if keep is not None:
        scores = scores.masked_fill(~keep[:, None, None, :], MASKED)
    if causal:
        future = torch.ones(seq, seq, dtype=torch.bool).triu(1)
        scores = scores.masked_fill(future, -math.inf)
    context = torch.softmax(scores, dim=-1) @ split(F.linear(x, *v))
    return F.linear(context.transpose(1, 2).reshape(batch, seq, dim), *o)


class PreNormLayer:
    """A pre-LN transformer layer (ViT, DINOv2, CLIP, SigLIP, Whisper):
    h + attn(norm1(h)), then h + mlp(norm2(h)), with DINOv2's optional
    layer scale on both branches. `names` maps its parts to the checkpoint
    names under `prefix`."""

    def __init__(self, c, prefix, names, dim, heads, ffn, eps, act, key_bias=True, layer_scale=False):
        p = prefix + "."
        self.dim, self.heads, self.eps, self.act = dim, heads, eps, act
        self.norm1 = norm(c, p + names["norm1"], dim)
        self.q = dense(c, p + names["q"], dim, dim)
        self.k = dense(c, p + names["k"], dim, dim, bias=key_bias)
        self.v = dense(c, p + names["v"], dim, dim)
        self.o = dense(c, p + names["o"], dim, dim)
        self.scale1 = (c.weight(p + "layer_scale1.lambda1", c.normal((dim,), 0.3, 1.0))
                       if layer_scale else None)
        self.norm2 = norm(c, p + names["norm2"], dim)
        self.fc1 = dense(c, p + names["fc1"], ffn, dim)
        self.fc2 = dense(c, p + names["fc2"], dim, ffn)
        self.scale2 = (c.weight(p + "layer_scale2.lambda1", c.normal((dim,), 0.3, 1.0))
                       if layer_scale else None)

    def __call__(self, h, keep=None, causal=False):
        a = attention(layer_norm(h, self.norm1, self.eps), self.q, self.k, self.v, self.o,
                      self.heads, keep, causal)
        if self.scale1 is not None:
            a = a * self.scale1
        h = h + a
        m = F.linear(self.act(F.linear(layer_norm(h, self.norm2, self.eps), *self.fc1)), *self.fc2)
        if self.scale2 is not None:
            m = m * self.scale2
        return h + m


VIT_NAMES = {"norm1": "layernorm_before", "q": "attention.attention.query",
             "k": "attention.attention.key", "v": "attention.attention.value",
             "o": "attention.output.dense", "norm2": "layernorm_after",
             "fc1": "intermediate.dense", "fc2": "output.dense"}
DINOV2_NAMES = dict(VIT_NAMES, norm1="norm1", norm2="norm2", fc1="mlp.fc1", fc2="mlp.fc2")
CLIP_NAMES = {"norm1": "layer_norm1", "q": "self_attn.q_proj", "k": "self_attn.k_proj",
              "v": "self_attn.v_proj", "o": "self_attn.out_proj", "norm2": "layer_norm2",
              "fc1": "mlp.fc1", "fc2": "mlp.fc2"}
WHISPER_NAMES = dict(CLIP_NAMES, norm1="self_attn_layer_norm", norm2="final_layer_norm",
                     fc1="fc1", fc2="fc2")


def patch_tokens(pixels, weight, bias, patch):
    """[batch, C, H, W] -> [batch, patches, dim], patches row by row."""
    return F.conv2d(pixels, weight, bias, stride=patch).flatten(2).transpose(1, 2)


# --- BERT and its family: nn.TransformerEncoderLayer --------------------------

# (query, key, value, attention output, attention norm, ffn in, ffn out,
#  output norm) of one post-LN layer, relative to its prefix.
BERT_LAYER = ("attention.self.query", "attention.self.key", "attention.self.value",
              "attention.output.dense", "attention.output.LayerNorm", "intermediate.dense",
              "output.dense", "output.LayerNorm")
DISTILBERT_LAYER = ("attention.q_lin", "attention.k_lin", "attention.v_lin", "attention.out_lin",
                    "sa_layer_norm", "ffn.lin1", "ffn.lin2", "output_layer_norm")
ALBERT_LAYER = ("attention.query", "attention.key", "attention.value", "attention.dense",
                "attention.LayerNorm", "ffn", "ffn_output", "full_layer_layer_norm")


def post_norm_layer(c, prefix, names, dim, heads, ffn, eps, activation):
    """torch.nn.TransformerEncoderLayer (post-LN) with the weights of one
    Hugging Face layer, registered under their checkpoint names."""
    q, k, v, out, norm1, fc1, fc2, norm2 = (f"{prefix}.{n}" for n in names)
    wq, wk, wv = (dense(c, n, dim, dim) for n in (q, k, v))
    params = {
        "self_attn.in_proj_weight": torch.cat([wq[0], wk[0], wv[0]]),
        "self_attn.in_proj_bias": torch.cat([wq[1], wk[1], wv[1]]),
    }
    params["self_attn.out_proj.weight"], params["self_attn.out_proj.bias"] = dense(c, out, dim, dim)
    params["norm1.weight"], params["norm1.bias"] = norm(c, norm1, dim)
    params["linear1.weight"], params["linear1.bias"] = dense(c, fc1, ffn, dim)
    params["linear2.weight"], params["linear2.bias"] = dense(c, fc2, dim, ffn)
    params["norm2.weight"], params["norm2.bias"] = norm(c, norm2, dim)
    layer = torch.nn.TransformerEncoderLayer(
        dim, heads, ffn, dropout=0.0,
        activation="gelu" if activation == "gelu" else ACTIVATIONS[activation],
        layer_norm_eps=eps, batch_first=True, norm_first=False, dtype=torch.float64)
    layer.load_state_dict(params)
    layer.eval()
    return layer


def text_encoder(c, model_type, sentence=False, pretraining=False):
    """The base model's outputs; with `pretraining`, the objective of
    BertForPreTraining (masked LM + next sentence, under "bert." and "cls.")
    or ElectraForPreTraining (replaced-token detection on the tokens the
    attention mask keeps) on random labels: [loss, logits...]."""
    cfg = load_config(model_type)
    if model_type == "distilbert":
        vocab, dim, layers = cfg["vocab_size"], cfg["dim"], cfg["n_layers"]
        heads, ffn, act = cfg["n_heads"], cfg["hidden_dim"], cfg.get("activation", "gelu")
        eps, type_vocab, emb = 1e-12, 0, dim  # DistilBERT's eps is fixed in its code
    else:
        vocab, dim, layers = cfg["vocab_size"], cfg["hidden_size"], cfg["num_hidden_layers"]
        heads, ffn = cfg["num_attention_heads"], cfg["intermediate_size"]
        act = cfg.get("hidden_act", "gelu_new" if model_type == "albert" else "gelu")
        eps, type_vocab = cfg.get("layer_norm_eps", 1e-12), cfg.get("type_vocab_size", 2)
        emb = cfg["embedding_size"] if model_type in ("electra", "albert") else dim
    max_positions, pad = cfg["max_position_embeddings"], cfg.get("pad_token_id", 0)
    # RoBERTa numbers positions from padding_idx + 1. Hugging Face gives pad
    # tokens position padding_idx instead; the compiler (enc.positional_encoding,
    # documented in its ODS) gives every token offset + index. The two differ
    # only in last_hidden_state at padded positions (padded keys are masked,
    # so no real token sees the difference); this reference follows the
    # compiler's documented rule: offset + index for every token.
    offset = pad + 1 if model_type == "roberta" else 0
    # ElectraForPreTraining keeps the encoder under "electra.", and
    # BertForPreTraining under "bert."; the others are the base models' names.
    p = "electra." if model_type == "electra" else ("bert." if pretraining else "")

    if c.length is None:
        seq, lengths = 11, [11, 7]
        assert offset + seq <= max_positions
    else:
        seq, lengths = c.length, sweep_lengths(c.length, c.batch)
    mask_np = right_padded(lengths, seq)
    ids_np = c.rng.integers(0, vocab - 1, (c.batch, seq), dtype=np.int64)
    ids_np[ids_np >= pad] += 1  # real tokens are never the pad token
    ids_np[mask_np == 0] = pad
    ids = c.input(ids_np)
    mask = c.input(mask_np)
    if type_vocab > 1:  # a sentence pair: segment 1 from the middle on
        types_np = np.zeros((c.batch, seq), dtype=np.int64)
        for b, n in enumerate(lengths):
            types_np[b, n // 2:n] = 1
        types = c.input(types_np)
    else:
        types = torch.zeros(c.batch, seq, dtype=torch.int64)

    words = c.weight(p + "embeddings.word_embeddings.weight", c.normal((vocab, emb)))
    positions = c.weight(p + "embeddings.position_embeddings.weight", c.normal((max_positions, emb)))
    if offset + seq > max_positions:
        raise IndexError(f"{seq} tokens, {max_positions - offset} positions")
    h = F.embedding(ids, words) + positions[offset:offset + seq]
    if type_vocab > 0:
        table = c.weight(p + "embeddings.token_type_embeddings.weight", c.normal((type_vocab, emb)))
        h = h + F.embedding(types, table)
    h = layer_norm(h, norm(c, p + "embeddings.LayerNorm", emb), eps)
    if model_type == "electra" and emb != dim:
        h = F.linear(h, *dense(c, p + "embeddings_project", dim, emb))
    if model_type == "albert":
        h = F.linear(h, *dense(c, p + "encoder.embedding_hidden_mapping_in", dim, emb))

    # Hugging Face's additive mask (a float key_padding_mask is added).
    padding = torch.zeros(mask.shape, dtype=torch.float64).masked_fill(mask == 0, MASKED)
    if model_type == "albert":
        # One layer group (or a few) shared by all num_hidden_layers.
        groups, inner = cfg.get("num_hidden_groups", 1), cfg.get("inner_group_num", 1)
        shared = [[post_norm_layer(c, f"{p}encoder.albert_layer_groups.{g}.albert_layers.{j}",
                                   ALBERT_LAYER, dim, heads, ffn, eps, act)
                   for j in range(inner)] for g in range(groups)]
        stack = [layer for i in range(layers) for layer in shared[i // (layers // groups)]]
    elif model_type == "distilbert":
        stack = [post_norm_layer(c, f"{p}transformer.layer.{i}", DISTILBERT_LAYER, dim, heads,
                                 ffn, eps, act) for i in range(layers)]
    else:
        stack = [post_norm_layer(c, f"{p}encoder.layer.{i}", BERT_LAYER, dim, heads, ffn, eps,
                                 act) for i in range(layers)]
    # With autograd on: under no_grad, PyTorch 1.13's fused fast path turns
    # a float padding mask into a boolean one (NaN for all-padded rows).
    for layer in stack:
        h = layer(h, src_key_padding_mask=padding).detach()

    if model_type in ("bert", "roberta", "albert"):
        pooler = dense(c, p + ("pooler" if model_type == "albert" else "pooler.dense"), dim, dim)
    if pretraining and model_type == "bert":
        # The MLM head (transform, decoder tied to the word embeddings) on
        # 15% of the real tokens, -100 elsewhere; NSP on the pooled [CLS].
        labels_np = np.where((c.rng.random(mask_np.shape) < 0.15) & (mask_np == 1),
                             c.rng.integers(0, vocab, mask_np.shape), -100).astype(np.int64)
        labels_np[0, 1] = 7  # at least one position counts
        labels = c.input(labels_np)
        next_sentence = c.input(c.rng.integers(0, 2, (c.batch,), dtype=np.int64))
        t = ACTIVATIONS[act](F.linear(h, *dense(c, "cls.predictions.transform.dense", dim, dim)))
        t = layer_norm(t, norm(c, "cls.predictions.transform.LayerNorm", dim), eps)
        logits = F.linear(t, words, c.weight("cls.predictions.bias", c.normal((vocab,), 0.1)))
        relationship = F.linear(torch.tanh(F.linear(h[:, 0], *pooler)),
                                *dense(c, "cls.seq_relationship", 2, dim))
        loss = (F.cross_entropy(logits.reshape(-1, vocab), labels.reshape(-1), ignore_index=-100)
                + F.cross_entropy(relationship, next_sentence))
        return [loss, logits, relationship]
    if sentence:  # Sentence-BERT: masked mean, then L2 normalization
        weights = mask.double().unsqueeze(-1)
        mean = (h * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
        return [F.normalize(mean, dim=-1)]
    outputs = [h]
    if model_type in ("bert", "roberta", "albert"):
        outputs.append(torch.tanh(F.linear(h[:, 0], *pooler)))
    if model_type == "electra":  # the discriminator (replaced-token) head
        d = ACTIVATIONS[act](F.linear(h, *dense(c, "discriminator_predictions.dense", dim, dim)))
        logits = F.linear(d, *dense(c, "discriminator_predictions.dense_prediction", 1, dim))
        outputs.append(logits.squeeze(-1))
        if pretraining:
            replaced = c.input(c.rng.integers(0, 2, mask_np.shape, dtype=np.int64))
            active = mask != 0
            loss = F.binary_cross_entropy_with_logits(logits.squeeze(-1)[active],
                                                      replaced[active].double())
            return [loss, logits.squeeze(-1)]
    return outputs


def family_bert(c):
    return text_encoder(c, "bert")


def family_bert_sentence(c):
    """bert compiled with --pool=mean --normalize: sentence_embedding."""
    return text_encoder(c, "bert", sentence=True)


def family_bert_pretraining(c):
    """BertForPreTraining's objective: `pretraining` -> loss, prediction and
    next-sentence logits."""
    return text_encoder(c, "bert", pretraining=True)


def family_electra_pretraining(c):
    """ElectraForPreTraining's replaced-token detection loss."""
    return text_encoder(c, "electra", pretraining=True)


def family_roberta(c):
    return text_encoder(c, "roberta")


def family_distilbert(c):
    return text_encoder(c, "distilbert")


def family_electra(c):
    return text_encoder(c, "electra")


def family_albert(c):
    return text_encoder(c, "albert")


# --- vision --------------------------------------------------------------------


def vision_config(cfg):
    return (cfg["hidden_size"], cfg["num_hidden_layers"], cfg["num_attention_heads"],
            cfg["image_size"], cfg["patch_size"], cfg.get("num_channels", 3))


def family_vit(c):
    """torchvision's VisionTransformer with ViTModel's weights."""
    from torchvision.models.vision_transformer import VisionTransformer

    cfg = load_config("vit")
    dim, layers, heads, size, patch, channels = vision_config(cfg)
    ffn, eps = cfg["intermediate_size"], cfg.get("layer_norm_eps", 1e-12)
    assert cfg.get("hidden_act", "gelu") == "gelu"  # torchvision's MLP uses exact GELU
    patches = (size // patch) ** 2
    pixels = c.input(c.normal((c.batch, channels, size, size)))

    model = VisionTransformer(size, patch, layers, heads, dim, ffn).double()
    for module in model.modules():  # torchvision's LayerNorms have eps 1e-6
        if isinstance(module, torch.nn.LayerNorm):
            module.eps = eps
    state = {}

    def put(ours, theirs):
        state[f"{ours}.weight"], state[f"{ours}.bias"] = theirs

    put("conv_proj", (
        c.weight("embeddings.patch_embeddings.projection.weight",
                 c.normal((dim, channels, patch, patch), (channels * patch * patch) ** -0.5)),
        c.weight("embeddings.patch_embeddings.projection.bias", c.normal((dim,), 0.1))))
    state["class_token"] = c.weight("embeddings.cls_token", c.normal((1, 1, dim)))
    state["encoder.pos_embedding"] = c.weight("embeddings.position_embeddings",
                                              c.normal((1, patches + 1, dim)))
    for i in range(layers):
        t, p = f"encoder.layers.encoder_layer_{i}", f"encoder.layer.{i}"
        put(f"{t}.ln_1", norm(c, f"{p}.layernorm_before", dim))
        qkv = [dense(c, f"{p}.attention.attention.{n}", dim, dim) for n in ("query", "key", "value")]
        state[f"{t}.self_attention.in_proj_weight"] = torch.cat([w for w, _ in qkv])
        state[f"{t}.self_attention.in_proj_bias"] = torch.cat([b for _, b in qkv])
        put(f"{t}.self_attention.out_proj", dense(c, f"{p}.attention.output.dense", dim, dim))
        put(f"{t}.ln_2", norm(c, f"{p}.layernorm_after", dim))
        put(f"{t}.mlp.0", dense(c, f"{p}.intermediate.dense", ffn, dim))
        put(f"{t}.mlp.3", dense(c, f"{p}.output.dense", dim, ffn))
    put("encoder.ln", norm(c, "layernorm", dim))
    missing, unexpected = model.load_state_dict(state, strict=False)
    assert sorted(missing) == ["heads.head.bias", "heads.head.weight"] and not unexpected, \
        (missing, unexpected)
    pooler = dense(c, "pooler.dense", dim, dim)
    model.eval()
    with torch.no_grad():
        x = model._process_input(pixels)
        x = torch.cat([model.class_token.expand(x.shape[0], -1, -1), x], dim=1)
        h = model.encoder(x)  # + positions, layers, final LayerNorm
    return [h, torch.tanh(F.linear(h[:, 0], *pooler))]


def family_dinov2(c):
    """Dinov2Model: a pre-LN ViT with layer scale; pooler_output is the
    class token after the final LayerNorm (Oquab et al., 2023)."""
    cfg = load_config("dinov2")
    dim, layers, heads, size, patch, channels = vision_config(cfg)
    ffn = int(dim * cfg.get("mlp_ratio", 4))
    eps, act = cfg.get("layer_norm_eps", 1e-6), ACTIVATIONS[cfg.get("hidden_act", "gelu")]
    patches = (size // patch) ** 2
    pixels = c.input(c.normal((c.batch, channels, size, size)))

    cls = c.weight("embeddings.cls_token", c.normal((1, 1, dim)))
    c.weight("embeddings.mask_token", c.normal((1, dim)))  # in the checkpoint, unused here
    positions = c.weight("embeddings.position_embeddings", c.normal((1, patches + 1, dim)))
    w = c.weight("embeddings.patch_embeddings.projection.weight",
                 c.normal((dim, channels, patch, patch), (channels * patch * patch) ** -0.5))
    b = c.weight("embeddings.patch_embeddings.projection.bias", c.normal((dim,), 0.1))
    stack = [PreNormLayer(c, f"encoder.layer.{i}", DINOV2_NAMES, dim, heads, ffn, eps, act,
                          layer_scale=True) for i in range(layers)]
    final = norm(c, "layernorm", dim)

    tokens = patch_tokens(pixels, w, b, patch)
    h = torch.cat([cls.expand(c.batch, -1, -1), tokens], dim=1) + positions
    for layer in stack:
        h = layer(h)
    h = layer_norm(h, final, eps)
    return [h, h[:, 0]]


def family_vit_mae(c):
    """ViTMAEForPreTraining (He et al., 2021): the encoder sees the patches
    kept by random masking with the given noise; the decoder appends mask
    tokens, unshuffles, and predicts the pixels; the loss is the MSE on the
    removed patches."""
    cfg = load_config("vit_mae")
    dim, layers, heads, size, patch, channels = vision_config(cfg)
    ffn, eps = cfg["intermediate_size"], cfg.get("layer_norm_eps", 1e-12)
    act = ACTIVATIONS[cfg.get("hidden_act", "gelu")]
    ddim, dlayers = cfg["decoder_hidden_size"], cfg["decoder_num_hidden_layers"]
    dheads, dffn = cfg["decoder_num_attention_heads"], cfg["decoder_intermediate_size"]
    grid = size // patch
    patches = grid * grid
    pixels = c.input(c.normal((c.batch, channels, size, size)))
    noise = c.input(c.rng.random((c.batch, patches)).astype(np.float32))

    cls = c.weight("vit.embeddings.cls_token", c.normal((1, 1, dim)))
    positions = c.weight("vit.embeddings.position_embeddings", c.normal((1, patches + 1, dim)))
    w = c.weight("vit.embeddings.patch_embeddings.projection.weight",
                 c.normal((dim, channels, patch, patch), (channels * patch * patch) ** -0.5))
    b = c.weight("vit.embeddings.patch_embeddings.projection.bias", c.normal((dim,), 0.1))
    encoder = [PreNormLayer(c, f"vit.encoder.layer.{i}", VIT_NAMES, dim, heads, ffn, eps, act)
               for i in range(layers)]
    final = norm(c, "vit.layernorm", dim)
    embed = dense(c, "decoder.decoder_embed", ddim, dim)
    mask_token = c.weight("decoder.mask_token", c.normal((1, 1, ddim)))
    dpositions = c.weight("decoder.decoder_pos_embed", c.normal((1, patches + 1, ddim)))
    decoder = [PreNormLayer(c, f"decoder.decoder_layers.{i}", VIT_NAMES, ddim, dheads, dffn, eps,
                            act) for i in range(dlayers)]
    dnorm = norm(c, "decoder.decoder_norm", ddim)
    pred = dense(c, "decoder.decoder_pred", patch * patch * channels, ddim)

    # Encoder with random masking.
    x = patch_tokens(pixels, w, b, patch) + positions[:, 1:]
    keep = int(patches * (1 - cfg["mask_ratio"]))
    ids_shuffle = torch.argsort(noise, dim=1)  # ascending: small noise is kept
    ids_restore = torch.argsort(ids_shuffle, dim=1)
    ids_keep = ids_shuffle[:, :keep]
    x = torch.gather(x, 1, ids_keep.unsqueeze(-1).expand(-1, -1, dim))
    batch = c.batch
    mask = torch.ones(batch, patches, dtype=torch.float64)
    mask[:, :keep] = 0
    mask = torch.gather(mask, 1, ids_restore)
    h = torch.cat([(cls + positions[:, :1]).expand(batch, -1, -1), x], dim=1)
    for layer in encoder:
        h = layer(h)
    latent = layer_norm(h, final, eps)

    # Decoder.
    x = F.linear(latent, *embed)
    tokens = torch.cat([x[:, 1:], mask_token.expand(batch, patches - keep, -1)], dim=1)
    tokens = torch.gather(tokens, 1, ids_restore.unsqueeze(-1).expand(-1, -1, ddim))
    x = torch.cat([x[:, :1], tokens], dim=1) + dpositions
    for layer in decoder:
        x = layer(x)
    logits = F.linear(layer_norm(x, dnorm, eps), *pred)[:, 1:]

    # Loss: patchify as MAE does ((row, column, channel) within a patch).
    target = pixels.reshape(batch, channels, grid, patch, grid, patch)
    target = torch.einsum("nchpwq->nhwpqc", target).reshape(batch, patches,
                                                           patch * patch * channels)
    if cfg.get("norm_pix_loss", False):
        mean, var = target.mean(-1, keepdim=True), target.var(-1, keepdim=True)
        target = (target - mean) / (var + 1e-6) ** 0.5
    per_patch = ((logits - target) ** 2).mean(-1)
    loss = (per_patch * mask).sum() / mask.sum()
    return [loss, logits, latent, mask, ids_restore]


# --- CLIP and SigLIP -------------------------------------------------------------


def swin(c, cfg):
    """torchvision's SwinTransformer (swin_t's architecture at the config's
    size) with SwinModel's weights renamed into it: last_hidden_state is
    its features after the final norm, pooler_output their mean. Without
    qkv_bias, torchvision's projection biases are zeros."""
    from torchvision.models.swin_transformer import SwinTransformer

    assert not cfg.get("use_absolute_embeddings", False)
    qkv_bias = cfg.get("qkv_bias", True)
    assert cfg.get("hidden_act", "gelu") == "gelu" and cfg.get("layer_norm_eps", 1e-5) == 1e-5
    patch, dim, window = cfg["patch_size"], cfg["embed_dim"], cfg["window_size"]
    depths, heads, ratio = cfg["depths"], cfg["num_heads"], cfg.get("mlp_ratio", 4.0)
    model = SwinTransformer(patch_size=[patch, patch], embed_dim=dim, depths=depths,
                            num_heads=heads, window_size=[window, window], mlp_ratio=ratio,
                            stochastic_depth_prob=0.0, num_classes=1).double()
    size = cfg["image_size"]
    pixels = c.input(c.normal((c.batch, cfg.get("num_channels", 3), size, size)))
    state = dict(model.state_dict())  # the relative position indices stay

    def put(theirs, params):
        state[f"{theirs}.weight"] = params[0]
        if params[1] is not None:
            state[f"{theirs}.bias"] = params[1]

    channels = cfg.get("num_channels", 3)
    state["features.0.0.weight"] = c.weight("embeddings.patch_embeddings.projection.weight",
                                            c.normal((dim, channels, patch, patch), (channels * patch * patch) ** -0.5))
    state["features.0.0.bias"] = c.weight("embeddings.patch_embeddings.projection.bias", c.normal((dim,), 0.1))
    put("features.0.2", norm(c, "embeddings.norm", dim))
    width = dim
    for s_index, depth in enumerate(depths):
        for j in range(depth):
            ours, theirs = f"encoder.layers.{s_index}.blocks.{j}.", f"features.{2 * s_index + 1}.{j}."
            put(theirs + "norm1", norm(c, ours + "layernorm_before", width))
            q, k, v = (dense(c, f"{ours}attention.self.{n}", width, width, bias=qkv_bias)
                       for n in ("query", "key", "value"))
            state[theirs + "attn.qkv.weight"] = torch.cat([q[0], k[0], v[0]])
            state[theirs + "attn.qkv.bias"] = (torch.cat([q[1], k[1], v[1]]) if qkv_bias
                                               else torch.zeros(3 * width, dtype=torch.float64))
            state[theirs + "attn.relative_position_bias_table"] = c.weight(
                ours + "attention.self.relative_position_bias_table",
                c.normal(((2 * window - 1) ** 2, heads[s_index]), 0.5))
            put(theirs + "attn.proj", dense(c, ours + "attention.output.dense", width, width))
            put(theirs + "norm2", norm(c, ours + "layernorm_after", width))
            inner = int(ratio * width)
            put(theirs + "mlp.0", dense(c, ours + "intermediate.dense", inner, width))
            put(theirs + "mlp.3", dense(c, ours + "output.dense", width, inner))
        if s_index + 1 < len(depths):
            ours, theirs = f"encoder.layers.{s_index}.downsample.", f"features.{2 * s_index + 2}."
            put(theirs + "norm", norm(c, ours + "norm", 4 * width))
            state[theirs + "reduction.weight"] = c.weight(ours + "reduction.weight",
                                                          c.normal((2 * width, 4 * width), (4 * width) ** -0.5))
            width *= 2
    put("norm", norm(c, "layernorm", width))
    model.load_state_dict(state)
    model.eval()
    with torch.no_grad():
        features = model.norm(model.features(pixels))  # [batch, H, W, C]
    hidden = features.reshape(c.batch, features.shape[1] * features.shape[2], width)
    return [hidden, hidden.mean(1)]


def family_swin(c):
    return swin(c, load_config("swin"))


def variant_config(name):
    """test/Numerics/configs/<name>/config.json: a family's other options."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "configs", name, "config.json")
    with open(path) as f:
        return json.load(f)


def family_swin_variant(c):
    """No q/k/v biases, windows of 2 (three stages, the last one window),
    mlp_ratio 2."""
    return swin(c, variant_config("swin-variant"))


def dual_text_ids(c, vocab, seq, lengths, bos=None, eos=None, pad=0):
    """Right-padded ids; CLIP's rows start with BOS and end with EOS (the
    last real token); no other token is BOS or EOS."""
    special = [t for t in (bos, eos) if t is not None]
    ids = c.rng.integers(0, vocab - len(special), (len(lengths), seq), dtype=np.int64)
    for t in sorted(special):
        ids[ids >= t] += 1
    mask = right_padded(lengths, seq)
    for row, n in enumerate(lengths):
        if bos is not None and n > 0:
            ids[row, 0] = bos
        if eos is not None and n > 0:
            ids[row, n - 1] = eos
    ids[mask == 0] = pad
    return ids, mask


class Clip:
    """CLIPModel (Radford et al., 2021) after Hugging Face's modeling_clip:
    a causal text transformer pooled at the end-of-text token and a ViT with
    a class embedding, pre_layrnorm and post_layernorm, both projected
    without bias; logits are exp(logit_scale) times cosine similarities."""

    def __init__(self, c):
        cfg = load_config("clip")
        t, v = cfg["text_config"], cfg["vision_config"]
        self.t, self.v = t, v
        self.projection = cfg.get("projection_dim", 512)
        tdim, vdim = t["hidden_size"], v["hidden_size"]
        self.teps, self.veps = t.get("layer_norm_eps", 1e-5), v.get("layer_norm_eps", 1e-5)
        tact = ACTIVATIONS[t.get("hidden_act", "quick_gelu")]
        vact = ACTIVATIONS[v.get("hidden_act", "quick_gelu")]
        self.eos = t.get("eos_token_id", 2)
        assert self.eos != 2  # with eos 2 Hugging Face pools argmax(ids) (legacy)

        self.tokens = c.weight("text_model.embeddings.token_embedding.weight",
                               c.normal((t["vocab_size"], tdim)))
        self.tpositions = c.weight("text_model.embeddings.position_embedding.weight",
                                   c.normal((t["max_position_embeddings"], tdim)))
        self.tlayers = [PreNormLayer(c, f"text_model.encoder.layers.{i}", CLIP_NAMES, tdim,
                                     t["num_attention_heads"], t["intermediate_size"],
                                     self.teps, tact)
                        for i in range(t["num_hidden_layers"])]
        self.tfinal = norm(c, "text_model.final_layer_norm", tdim)

        size, patch, channels = v["image_size"], v["patch_size"], v.get("num_channels", 3)
        self.patch = patch
        self.cls = c.weight("vision_model.embeddings.class_embedding", c.normal((vdim,)))
        self.patch_weight = c.weight("vision_model.embeddings.patch_embedding.weight",
                                     c.normal((vdim, channels, patch, patch),
                                              (channels * patch * patch) ** -0.5))
        self.vpositions = c.weight("vision_model.embeddings.position_embedding.weight",
                                   c.normal(((size // patch) ** 2 + 1, vdim)))
        self.pre = norm(c, "vision_model.pre_layrnorm", vdim)  # sic
        self.vlayers = [PreNormLayer(c, f"vision_model.encoder.layers.{i}", CLIP_NAMES, vdim,
                                     v["num_attention_heads"], v["intermediate_size"],
                                     self.veps, vact)
                        for i in range(v["num_hidden_layers"])]
        self.post = norm(c, "vision_model.post_layernorm", vdim)
        self.text_projection = c.weight("text_projection.weight",
                                        c.normal((self.projection, tdim), tdim**-0.5))
        self.visual_projection = c.weight("visual_projection.weight",
                                          c.normal((self.projection, vdim), vdim**-0.5))
        # A 0-d parameter, as CLIPModel's.
        self.logit_scale = c.weight("logit_scale", np.array(
            cfg.get("logit_scale_init_value", 2.6592) + 0.1 * c.rng.standard_normal(),
            dtype=np.float32))

    def text_inputs(self, c, lengths, seq):
        t = self.t
        ids, mask = dual_text_ids(c, t["vocab_size"], seq, lengths, bos=t.get("bos_token_id"),
                                  eos=self.eos, pad=t.get("pad_token_id", 1))
        return c.input(ids), c.input(mask)

    def image_input(self, c, batch):
        v = self.v
        return c.input(c.normal((batch, v.get("num_channels", 3), v["image_size"], v["image_size"])))

    def text_features(self, ids, mask):
        seq = ids.shape[1]
        if seq > self.tpositions.shape[0]:
            raise IndexError(f"{seq} tokens, {self.tpositions.shape[0]} positions")
        h = F.embedding(ids, self.tokens) + self.tpositions[:seq]
        for layer in self.tlayers:
            h = layer(h, keep=mask != 0, causal=True)
        h = layer_norm(h, self.tfinal, self.teps)
        # The first end-of-text token of each row (Hugging Face, eos_token_id != 2).
        eos_at = (ids == self.eos).int().argmax(dim=-1)
        pooled = h[torch.arange(h.shape[0]), eos_at]
        return F.linear(pooled, self.text_projection)

    def image_features(self, pixels):
        x = patch_tokens(pixels, self.patch_weight, None, self.patch)
        h = torch.cat([self.cls.expand(x.shape[0], 1, -1), x], dim=1) + self.vpositions
        h = layer_norm(h, self.pre, self.veps)
        for layer in self.vlayers:
            h = layer(h)
        return F.linear(layer_norm(h[:, 0], self.post, self.veps), self.visual_projection)

    def logits_per_text(self, text, image):
        return self.logit_scale.exp() * text @ image.T


def clip_case(c, function):
    model = Clip(c)
    seq, lengths = (9, [9, 6]) if c.length is None else (c.length, sweep_lengths(c.length, c.batch))
    if function == "get_text_features":
        return [model.text_features(*model.text_inputs(c, lengths, seq))]
    if function == "get_image_features":
        return [model.image_features(model.image_input(c, c.batch))]
    # main scores 2 texts against 3 images (independent batches); loss
    # needs pairs.
    ids, mask = model.text_inputs(c, lengths, seq)
    pixels = model.image_input(c, c.batch + 1 if function == "main" else c.batch)
    text = F.normalize(model.text_features(ids, mask), dim=-1)
    image = F.normalize(model.image_features(pixels), dim=-1)
    per_text = model.logits_per_text(text, image)
    if function == "loss":  # symmetric InfoNCE
        labels = torch.arange(c.batch)
        return [(F.cross_entropy(per_text, labels) + F.cross_entropy(per_text.T, labels)) / 2]
    # .contiguous(): np.save would write a transposed view in Fortran order.
    return [per_text.T.contiguous(), per_text, text, image]


def family_clip(c):
    return clip_case(c, "main")


def family_clip_text_features(c):
    return clip_case(c, "get_text_features")


def family_clip_image_features(c):
    return clip_case(c, "get_image_features")


def family_clip_loss(c):
    return clip_case(c, "loss")


class Siglip:
    """SiglipModel (Zhai et al., 2023) after Hugging Face's modeling_siglip:
    a bidirectional text transformer pooled at the last position and a
    linear head; a ViT without class token, post_layernorm and the
    multihead attention pooling head (a learned probe, nn.MultiheadAttention,
    LayerNorm and a residual MLP); logits exp(scale) * cos + bias; the
    pairwise sigmoid loss."""

    def __init__(self, c):
        cfg = load_config("siglip")
        t, v = cfg["text_config"], cfg["vision_config"]
        self.t, self.v = t, v
        tdim, vdim = t["hidden_size"], v["hidden_size"]
        self.teps, self.veps = t.get("layer_norm_eps", 1e-6), v.get("layer_norm_eps", 1e-6)
        tact = ACTIVATIONS[t.get("hidden_act", "gelu_pytorch_tanh")]
        self.vact = ACTIVATIONS[v.get("hidden_act", "gelu_pytorch_tanh")]

        self.tokens = c.weight("text_model.embeddings.token_embedding.weight",
                               c.normal((t["vocab_size"], tdim)))
        self.tpositions = c.weight("text_model.embeddings.position_embedding.weight",
                                   c.normal((t["max_position_embeddings"], tdim)))
        self.tlayers = [PreNormLayer(c, f"text_model.encoder.layers.{i}", CLIP_NAMES, tdim,
                                     t["num_attention_heads"], t["intermediate_size"],
                                     self.teps, tact)
                        for i in range(t["num_hidden_layers"])]
        self.tfinal = norm(c, "text_model.final_layer_norm", tdim)
        self.thead = dense(c, "text_model.head", tdim, tdim)

        size, patch, channels = v["image_size"], v["patch_size"], v.get("num_channels", 3)
        self.patch = patch
        self.patch_embedding = (
            c.weight("vision_model.embeddings.patch_embedding.weight",
                     c.normal((vdim, channels, patch, patch), (channels * patch * patch) ** -0.5)),
            c.weight("vision_model.embeddings.patch_embedding.bias", c.normal((vdim,), 0.1)))
        self.vpositions = c.weight("vision_model.embeddings.position_embedding.weight",
                                   c.normal(((size // patch) ** 2, vdim)))
        self.vlayers = [PreNormLayer(c, f"vision_model.encoder.layers.{i}", CLIP_NAMES, vdim,
                                     v["num_attention_heads"], v["intermediate_size"],
                                     self.veps, self.vact)
                        for i in range(v["num_hidden_layers"])]
        self.post = norm(c, "vision_model.post_layernorm", vdim)
        self.probe = c.weight("vision_model.head.probe", c.normal((1, 1, vdim)))
        self.mha = torch.nn.MultiheadAttention(vdim, v["num_attention_heads"], batch_first=True,
                                               dtype=torch.float64)
        in_w = c.weight("vision_model.head.attention.in_proj_weight",
                        c.normal((3 * vdim, vdim), vdim**-0.5))
        in_b = c.weight("vision_model.head.attention.in_proj_bias", c.normal((3 * vdim,), 0.1))
        out_w, out_b = dense(c, "vision_model.head.attention.out_proj", vdim, vdim)
        self.mha.load_state_dict({"in_proj_weight": in_w, "in_proj_bias": in_b,
                                  "out_proj.weight": out_w, "out_proj.bias": out_b})
        self.mha.eval()
        self.head_norm = norm(c, "vision_model.head.layernorm", vdim)
        self.head_fc1 = dense(c, "vision_model.head.mlp.fc1", v["intermediate_size"], vdim)
        self.head_fc2 = dense(c, "vision_model.head.mlp.fc2", vdim, v["intermediate_size"])
        # [1]-shaped parameters, as SiglipModel's (init log 10 and -10).
        self.logit_scale = c.weight("logit_scale", c.normal((1,), 0.1, math.log(10)))
        self.logit_bias = c.weight("logit_bias", c.normal((1,), 1.0, -10.0))

    def text_input(self, c, seq):
        # SigLIP takes no attention mask (it was trained on max-length
        # padding); a sequence shorter than the maximum is pooled at its end.
        return c.input(c.rng.integers(0, self.t["vocab_size"], (c.batch, seq), dtype=np.int64))

    def image_input(self, c, batch):
        v = self.v
        return c.input(c.normal((batch, v.get("num_channels", 3), v["image_size"], v["image_size"])))

    def text_features(self, ids):
        if ids.shape[1] > self.tpositions.shape[0]:
            raise IndexError(f"{ids.shape[1]} tokens, {self.tpositions.shape[0]} positions")
        h = F.embedding(ids, self.tokens) + self.tpositions[:ids.shape[1]]
        for layer in self.tlayers:
            h = layer(h)
        h = layer_norm(h, self.tfinal, self.teps)
        return F.linear(h[:, -1], *self.thead)

    def image_features(self, pixels):
        h = patch_tokens(pixels, *self.patch_embedding, self.patch) + self.vpositions
        for layer in self.vlayers:
            h = layer(h)
        h = layer_norm(h, self.post, self.veps)
        probe = self.probe.expand(h.shape[0], -1, -1)
        with torch.no_grad():
            attended = self.mha(probe, h, h)[0]
        mlp = F.linear(self.vact(F.linear(layer_norm(attended, self.head_norm, self.veps),
                                          *self.head_fc1)), *self.head_fc2)
        return (attended + mlp)[:, 0]

    def logits_per_text(self, text, image):
        return text @ image.T * self.logit_scale.exp() + self.logit_bias


def siglip_case(c, function):
    model = Siglip(c)
    seq = 10 if c.length is None else c.length  # 10 < max_position_embeddings (16)
    if function == "get_text_features":
        return [model.text_features(model.text_input(c, seq))]
    if function == "get_image_features":
        return [model.image_features(model.image_input(c, c.batch))]
    ids = model.text_input(c, seq)
    pixels = model.image_input(c, c.batch + 1 if function == "main" else c.batch)
    text = F.normalize(model.text_features(ids), dim=-1)
    image = F.normalize(model.image_features(pixels), dim=-1)
    per_text = model.logits_per_text(text, image)
    if function == "loss":  # -sum(log_sigmoid(z * logits)) / n, z = 2I - 1
        z = 2 * torch.eye(c.batch, dtype=torch.float64) - 1
        return [-F.logsigmoid(z * per_text).sum(dim=-1).mean()]
    # .contiguous(): np.save would write a transposed view in Fortran order.
    return [per_text.T.contiguous(), per_text, text, image]


def family_siglip(c):
    return siglip_case(c, "main")


def family_siglip_text_features(c):
    return siglip_case(c, "get_text_features")


def family_siglip_image_features(c):
    return siglip_case(c, "get_image_features")


def family_siglip_loss(c):
    return siglip_case(c, "loss")


# --- audio ---------------------------------------------------------------------


def wav2vec2(c, legacy_names, model_type="wav2vec2"):
    """torchaudio's wav2vec2_model with Wav2Vec2Model's (or HubertModel's)
    weights."""
    import torchaudio

    cfg = load_config(model_type)
    hubert = model_type == "hubert"
    assert cfg.get("feat_proj_layer_norm", True)  # torchaudio always has it
    assert cfg.get("feat_extract_norm", "group") == "group" and not cfg.get("conv_bias", False)
    assert not cfg.get("do_stable_layer_norm", False)
    assert cfg.get("hidden_act", "gelu") == "gelu" and cfg.get("feat_extract_activation", "gelu") == "gelu"
    conv = list(zip(cfg["conv_dim"], cfg["conv_kernel"], cfg["conv_stride"]))
    dim, layers, ffn = cfg["hidden_size"], cfg["num_hidden_layers"], cfg["intermediate_size"]
    kernel, groups = cfg["num_conv_pos_embeddings"], cfg["num_conv_pos_embedding_groups"]
    eps = cfg.get("layer_norm_eps", 1e-5)
    assert eps == 1e-5  # torchaudio's LayerNorms
    model = torchaudio.models.wav2vec2_model(
        extractor_mode="group_norm", extractor_conv_layer_config=conv, extractor_conv_bias=False,
        encoder_embed_dim=dim, encoder_projection_dropout=0.0, encoder_pos_conv_kernel=kernel,
        encoder_pos_conv_groups=groups, encoder_num_layers=layers,
        encoder_num_heads=cfg["num_attention_heads"], encoder_attention_dropout=0.0,
        encoder_ff_interm_features=ffn, encoder_ff_interm_dropout=0.0, encoder_dropout=0.0,
        encoder_layer_norm_first=False, encoder_layer_drop=0.0, aux_num_out=None).double()

    # 1000 samples -> 199 -> 99 -> 49 frames.
    audio = c.input(c.normal((c.batch, 1000 if c.length is None else c.length)))
    state = {}

    def put(theirs, params):
        state[f"{theirs}.weight"], state[f"{theirs}.bias"] = params

    channels = 1
    for i, (out, k, _) in enumerate(conv):
        name = f"feature_extractor.conv_layers.{i}"
        state[f"{name}.conv.weight"] = c.weight(f"{name}.conv.weight",
                                                c.normal((out, channels, k), (channels * k) ** -0.5))
        if i == 0:  # group norm, one group per channel
            put(f"{name}.layer_norm", norm(c, f"{name}.layer_norm", out))
        channels = out
    projection_norm = norm(c, "feature_projection.layer_norm", channels)
    put("encoder.feature_projection.layer_norm", projection_norm)
    put("encoder.feature_projection.projection", dense(c, "feature_projection.projection", dim, channels))
    # Weight norm over the kernel dimension: w = g v / ||v||, ||v|| over the
    # [dim, dim/groups] slice of each kernel tap; g ~ 2 gives std ~ 1/sqrt(fan_in).
    g_name, v_name = (("weight_g", "weight_v") if legacy_names else
                      ("parametrizations.weight.original0", "parametrizations.weight.original1"))
    pos = "encoder.pos_conv_embed.conv"
    state["encoder.transformer.pos_conv_embed.conv.weight_g"] = c.weight(
        f"{pos}.{g_name}", c.normal((1, 1, kernel), 0.2, 2.0))
    state["encoder.transformer.pos_conv_embed.conv.weight_v"] = c.weight(
        f"{pos}.{v_name}", c.normal((dim, dim // groups, kernel), (dim // groups * kernel) ** -0.5))
    state["encoder.transformer.pos_conv_embed.conv.bias"] = c.weight(f"{pos}.bias",
                                                                     c.normal((dim,), 0.1))
    put("encoder.transformer.layer_norm", norm(c, "encoder.layer_norm", dim))
    for i in range(layers):
        ours, theirs = f"encoder.layers.{i}", f"encoder.transformer.layers.{i}"
        for n in ("q_proj", "k_proj", "v_proj", "out_proj"):
            put(f"{theirs}.attention.{n}", dense(c, f"{ours}.attention.{n}", dim, dim))
        put(f"{theirs}.layer_norm", norm(c, f"{ours}.layer_norm", dim))
        put(f"{theirs}.feed_forward.intermediate_dense",
            dense(c, f"{ours}.feed_forward.intermediate_dense", ffn, dim))
        put(f"{theirs}.feed_forward.output_dense",
            dense(c, f"{ours}.feed_forward.output_dense", dim, ffn))
        put(f"{theirs}.final_layer_norm", norm(c, f"{ours}.final_layer_norm", dim))
    # Wav2Vec2Model's checkpoints also hold the SpecAugment embedding.
    c.weight("masked_spec_embed", c.rng.random((dim,)).astype(np.float32))
    model.load_state_dict(state)
    model.eval()
    with torch.no_grad():
        features, _ = model.feature_extractor(audio, None)  # [batch, frames, channels]
        hidden, _ = model(audio)
    if hubert:  # HubertModel returns no extract_features
        return [hidden]
    # Hugging Face's extract_features: the conv features after the feature
    # projection's LayerNorm.
    return [hidden, layer_norm(features, projection_norm, eps)]


def family_wav2vec2(c):
    return wav2vec2(c, legacy_names=False)


def family_wav2vec2_weight_g(c):
    """The older checkpoints' weight-norm names (weight_g, weight_v)."""
    return wav2vec2(c, legacy_names=True)


def family_hubert(c):
    """HuBERT: wav2vec 2.0's network under HubertModel's names."""
    return wav2vec2(c, legacy_names=False, model_type="hubert")


# --- the encoders of T5, mT5 and BART ------------------------------------------


def text_ids(c, vocab, pad, seq, lengths):
    """Right-padded token ids (real tokens never `pad`) and their mask."""
    mask_np = right_padded(lengths, seq)
    ids_np = c.rng.integers(0, vocab - 1, (c.batch, seq), dtype=np.int64)
    ids_np[ids_np >= pad] += 1
    ids_np[mask_np == 0] = pad
    return c.input(ids_np), c.input(mask_np)


def t5_encoder(c, model_type, cfg=None):
    """T5EncoderModel (Hugging Face's modeling_t5), written out: RMS norm
    without bias, unscaled scores plus the first block's bucketed relative
    position bias, relu or gated-gelu feed-forward. Padding follows Hugging
    Face in float32: a padded key's score (bias + finfo.min) rounds to
    finfo.min, so it is set to MASKED here."""
    cfg = cfg or load_config(model_type)
    vocab, dim, d_kv, ffn = cfg["vocab_size"], cfg["d_model"], cfg["d_kv"], cfg["d_ff"]
    layers, heads = cfg["num_layers"], cfg["num_heads"]
    buckets = cfg.get("relative_attention_num_buckets", 32)
    max_distance = cfg.get("relative_attention_max_distance", 128)
    eps = cfg.get("layer_norm_epsilon", 1e-6)
    proj = cfg.get("feed_forward_proj", "gated-gelu" if model_type == "mt5" else "relu")
    gated = proj.startswith("gated-")
    act = ACTIVATIONS["gelu_new" if proj == "gated-gelu" else proj.split("-")[-1]]
    inner = heads * d_kv

    # Long enough that offsets reach the logarithmic buckets.
    if c.length is None:
        seq, lengths = 40, [40, 23]
    else:
        seq, lengths = c.length, sweep_lengths(c.length, c.batch)
    ids, mask = text_ids(c, vocab, cfg.get("pad_token_id", 0), seq, lengths)

    def rms_norm(x, name):
        weight = c.weight(name + ".weight", c.normal((dim,), 0.1, 1.0))
        return weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))

    def weight(name, n_out, n_in):
        return c.weight(name + ".weight", c.normal((n_out, n_in), n_in**-0.5))

    def split(t):
        return t.reshape(c.batch, seq, heads, d_kv).transpose(1, 2)

    h = F.embedding(ids, c.weight("shared.weight", c.normal((vocab, dim))))
    table = c.weight("encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight",
                     c.normal((buckets, heads)))
    position_bias = t5_bias(table, seq, seq, True, buckets, max_distance)
    keep = (mask != 0)[:, None, None, :]
    for i in range(layers):
        p = f"encoder.block.{i}.layer."
        x = rms_norm(h, p + "0.layer_norm")
        q, k, v = (F.linear(x, weight(f"{p}0.SelfAttention.{n}", inner, dim)) for n in "qkv")
        scores = (split(q) @ split(k).transpose(-1, -2) + position_bias).masked_fill(~keep, MASKED)
        context = (torch.softmax(scores, dim=-1) @ split(v)).transpose(1, 2).reshape(c.batch, seq, inner)
        h = h + F.linear(context, weight(p + "0.SelfAttention.o", dim, inner))
        x = rms_norm(h, p + "1.layer_norm")
        f = p + "1.DenseReluDense."
        if gated:
            hidden = act(F.linear(x, weight(f + "wi_0", ffn, dim))) * F.linear(x, weight(f + "wi_1", ffn, dim))
        else:
            hidden = act(F.linear(x, weight(f + "wi", ffn, dim)))
        h = h + F.linear(hidden, weight(f + "wo", dim, ffn))
    return [rms_norm(h, "encoder.final_layer_norm")]


def family_t5(c):
    return t5_encoder(c, "t5")


def family_mt5(c):
    return t5_encoder(c, "mt5")


def family_t5_gated_silu(c):
    """feed_forward_proj gated-silu (T5 v1.1's gating with SiLU)."""
    return t5_encoder(c, "t5", variant_config("t5-gated-silu"))


def deberta_log_bucket(relative, bucket_size, max_position):
    """DeBERTa-v2's make_log_bucket_position (Hugging Face), float32."""
    sign = torch.sign(relative)
    mid = bucket_size // 2
    magnitude = torch.where((relative < mid) & (relative > -mid),
                            torch.tensor(mid - 1).type_as(relative), torch.abs(relative))
    log_position = torch.ceil(torch.log(magnitude / mid)
                              / torch.log(torch.tensor((max_position - 1) / mid))
                              * (mid - 1)) + mid
    return torch.where(magnitude <= mid, relative.type_as(log_position), log_position * sign).long()


def deberta_v2(c, cfg):
    """DebertaV2Model written out from the paper (He et al., disentangled
    attention) and Hugging Face's DisentangledSelfAttention: scores
    (q·k + c2p + p2c) / sqrt((1 + terms) d), c2p gathered from q·pkᵀ at
    clamp(bucket(i - j) + span), p2c from k·pqᵀ at clamp(-bucket(j - i) +
    span) and transposed, as Hugging Face spells them; relative embeddings
    (layer-normed with norm_rel_ebd) projected by the layer's query and key
    projections (share_att_key) or its pos_query_proj / pos_key_proj;
    word (+ absolute position, + token type) embeddings, zeroed at padded
    tokens; a pair counts when both tokens are real."""
    vocab, dim, layers = cfg["vocab_size"], cfg["hidden_size"], cfg["num_hidden_layers"]
    heads, ffn, eps = cfg["num_attention_heads"], cfg["intermediate_size"], cfg["layer_norm_eps"]
    act = ACTIVATIONS[cfg.get("hidden_act", "gelu")]
    buckets = cfg["position_buckets"]
    max_relative = cfg["max_relative_positions"]
    if max_relative < 1:
        max_relative = cfg["max_position_embeddings"]
    terms = cfg["pos_att_type"]
    terms = terms.split("|") if isinstance(terms, str) else terms
    share = cfg["share_att_key"]
    type_vocab = cfg["type_vocab_size"]
    span = buckets if buckets > 0 else max_relative
    head_dim = dim // heads
    # Past max_relative_positions, so that the position indices saturate.
    if c.length is None:
        seq, lengths = 40, [40, 23]
    else:
        seq, lengths = c.length, sweep_lengths(c.length, c.batch)
    ids, mask = text_ids(c, vocab, cfg.get("pad_token_id", 0), seq, lengths)
    if type_vocab > 0:
        types_np = np.zeros((c.batch, seq), dtype=np.int64)
        for b, n in enumerate(lengths):
            types_np[b, n // 2:n] = 1
        types = c.input(types_np)

    h = F.embedding(ids, c.weight("embeddings.word_embeddings.weight", c.normal((vocab, dim))))
    if cfg["position_biased_input"]:
        table = c.weight("embeddings.position_embeddings.weight", c.normal((cfg["max_position_embeddings"], dim)))
        if seq > table.shape[0]:
            raise IndexError(f"{seq} tokens, {table.shape[0]} positions")
        h = h + table[:seq]
    if type_vocab > 0:
        h = h + F.embedding(types, c.weight("embeddings.token_type_embeddings.weight",
                                            c.normal((type_vocab, dim))))
    h = layer_norm(h, norm(c, "embeddings.LayerNorm", dim), eps) * mask[..., None].double()
    rel = c.weight("encoder.rel_embeddings.weight", c.normal((2 * span, dim)))
    if "layer_norm" in cfg.get("norm_rel_ebd", "none"):
        rel = layer_norm(rel, norm(c, "encoder.LayerNorm", dim), eps)
    rel = rel[None]
    position = torch.arange(seq)
    if buckets > 0:
        relative = deberta_log_bucket(position[:, None] - position[None, :], buckets, max_relative)
    else:
        relative = position[:, None] - position[None, :]
    c2p_index = torch.clamp(relative + span, 0, 2 * span - 1).expand(c.batch, heads, seq, seq)
    p2c_index = torch.clamp(-relative + span, 0, 2 * span - 1).expand(c.batch, heads, seq, seq)
    keep = ((mask[:, None, :, None] * mask[:, None, None, :]) != 0)
    scale = math.sqrt(head_dim * (1 + len(terms)))

    def split(t):
        return t.reshape(t.shape[0], t.shape[1], heads, head_dim).transpose(1, 2)

    for i in range(layers):
        p = f"encoder.layer.{i}."
        wq, wk, wv = (dense(c, f"{p}attention.self.{n}_proj", dim, dim) for n in ("query", "key", "value"))
        q, k, v = split(F.linear(h, *wq)), split(F.linear(h, *wk)), split(F.linear(h, *wv))
        scores = q @ k.transpose(-1, -2)
        if "c2p" in terms:
            pk = split(F.linear(rel, *(wk if share else dense(c, f"{p}attention.self.pos_key_proj", dim, dim))))
            scores = scores + torch.gather(q @ pk.transpose(-1, -2), -1, c2p_index)
        if "p2c" in terms:
            pq = split(F.linear(rel, *(wq if share else dense(c, f"{p}attention.self.pos_query_proj", dim, dim))))
            scores = scores + torch.gather(k @ pq.transpose(-1, -2), -1, p2c_index).transpose(-1, -2)
        scores = (scores / scale).masked_fill(~keep, MASKED)
        context = (torch.softmax(scores, -1) @ v).transpose(1, 2).reshape(c.batch, seq, dim)
        attention_output = F.linear(context, *dense(c, p + "attention.output.dense", dim, dim))
        h = layer_norm(h + attention_output, norm(c, p + "attention.output.LayerNorm", dim), eps)
        m = F.linear(act(F.linear(h, *dense(c, p + "intermediate.dense", ffn, dim))),
                     *dense(c, p + "output.dense", dim, ffn))
        h = layer_norm(h + m, norm(c, p + "output.LayerNorm", dim), eps)
    return [h]


def family_deberta_v2(c):
    """DeBERTa-v3's layout: log buckets, layer-normed relative embeddings
    through the shared query/key projections, c2p and p2c."""
    return deberta_v2(c, load_config("deberta-v2"))


def family_deberta_v2_variant(c):
    """The other paths (test/Numerics/configs/deberta-v2-variant): absolute
    positions and token types, no buckets (clamped offsets past
    max_relative_positions 6), no relative layer norm, c2p alone through
    pos_key_proj (share_att_key false)."""
    return deberta_v2(c, variant_config("deberta-v2-variant"))


def family_deberta_v2_p2c(c):
    """p2c alone (pos_att_type "p2c"), with the shared attention key and log
    buckets: the position-to-content term through the query projection."""
    return deberta_v2(c, variant_config("deberta-v2-p2c"))


def xlnet(c, function):
    """XLNetModel / XLNetLMHeadModel written out from Hugging Face's
    modeling_xlnet in its own [len, batch] layout and einsums: relative
    positions as sinusoids over klen .. -qlen + 1 computed in float32 (as
    Hugging Face does), bd through rel_shift_bnij, the segment term from the
    one-hot of token_type_ids[i] != token_type_ids[j], scores (ac + bd + ef)
    / sqrt(d_head) - 1e30 · mask, post-LN, and the two-stream attention
    with mask_emb queries moved through target_mapping. `function`: main
    (content stream), query_stream, or pretraining (the permutation-LM
    cross entropy of lm_loss, tied to the word embeddings)."""
    cfg = load_config("xlnet")
    vocab, dim, layers = cfg["vocab_size"], cfg["d_model"], cfg["n_layer"]
    heads, inner, eps = cfg["n_head"], cfg["d_inner"], cfg["layer_norm_eps"]
    act = ACTIVATIONS[cfg.get("ff_activation", "gelu")]
    head_dim = dim // heads
    if c.length is None:
        seq, lengths = 11, [11, 7]
    else:
        seq, lengths = c.length, sweep_lengths(c.length, c.batch)
    ids, mask = text_ids(c, vocab, cfg.get("pad_token_id", 5), seq, lengths)
    # XLNet's tokenizer: segment A 0, segment B 1, <cls> 2; padding 3.
    types_np = np.full((c.batch, seq), 3, dtype=np.int64)
    for b, n in enumerate(lengths):
        types_np[b, :n // 2] = 0
        types_np[b, n // 2:n] = 1
        if n > 0:
            types_np[b, n - 1] = 2
    types = c.input(types_np)
    two_stream = function != "main"
    predict = 3
    if two_stream:
        # A random factorization order per row: i may not see j when j comes
        # at or after i (so the first position sees nothing in the query
        # stream); the targets are the last `predict` real positions.
        perm_np = np.zeros((c.batch, seq, seq), dtype=np.float32)
        mapping_np = np.zeros((c.batch, predict, seq), dtype=np.float32)
        for b in range(c.batch):
            rank = c.rng.permutation(seq)
            perm_np[b] = (rank[None, :] >= rank[:, None]).astype(np.float32)
            n = lengths[b]
            for m in range(min(predict, n)):
                mapping_np[b, m, n - 1 - m] = 1.0
        perm = c.input(perm_np)
        mapping = c.input(mapping_np)

    words = c.weight("word_embedding.weight", c.normal((vocab, dim)))
    mask_emb = c.weight("mask_emb", c.normal((1, 1, dim)))
    # [len, batch] as Hugging Face transposes them.
    ids_t, types_t = ids.t(), types.t()
    input_mask = 1.0 - mask.t().double()
    data_mask = input_mask[None]
    if two_stream:
        data_mask = data_mask + perm.permute(1, 2, 0)
    attn_mask = (data_mask[:, :, :, None] > 0).double()
    non_tgt_mask = ((attn_mask - torch.eye(seq, dtype=torch.float64)[:, :, None, None]) > 0).double()
    if not two_stream:
        attn_mask = attn_mask.expand(seq, seq, c.batch, 1)
    seg_mat = F.one_hot((types_t[:, None] != types_t[None, :]).long(), num_classes=2).double()

    inv_freq = 1 / torch.pow(10000, torch.arange(0, dim, 2.0) / dim)  # float32
    pos_seq = torch.arange(seq, -seq, -1.0)
    sinusoid = torch.einsum("i,d->id", pos_seq, inv_freq)
    pos_emb = torch.cat([torch.sin(sinusoid), torch.cos(sinusoid)], dim=-1)[:, None, :].double()

    def param(name, shape, scale):
        return c.weight(name, c.normal(shape, scale))

    def core(q, k_h, v_h, k_r, p, mask_4):
        ac = torch.einsum("ibnd,jbnd->bnij", q + p["r_w_bias"], k_h)
        bd = torch.einsum("ibnd,jbnd->bnij", q + p["r_r_bias"], k_r)
        # rel_shift_bnij (max(.., 0): Hugging Face's reshape fails on an empty
        # sequence, whose result is empty).
        b_, n_, i_, j_ = bd.shape
        bd = bd.reshape(b_, n_, j_, i_)[:, :, 1:, :].reshape(b_, n_, i_, max(j_ - 1, 0))[:, :, :, :seq]
        ef = torch.einsum("ibnd,snd->ibns", q + p["r_s_bias"], p["seg_embed"])
        ef = torch.einsum("ijbs,ibns->bnij", seg_mat, ef)
        score = (ac + bd + ef) / math.sqrt(head_dim)
        score = score - 1e30 * torch.einsum("ijbn->bnij", mask_4)
        return torch.einsum("bnij,jbnd->ibnd", torch.softmax(score, dim=3), v_h)

    def post(x, vec, p):
        out = torch.einsum("ibnd,hnd->ibh", vec, p["o"]) + x
        return layer_norm(out, p["layer_norm"], eps)

    h = F.embedding(ids_t, words)
    g = mask_emb.expand(predict, c.batch, dim) if two_stream else None
    mapping_t = mapping.permute(1, 2, 0) if two_stream else None
    for i in range(layers):
        prefix = f"layer.{i}.rel_attn."
        p = {n: param(prefix + n, (dim, heads, head_dim), dim**-0.5) for n in ("q", "k", "v", "o", "r")}
        for n in ("r_w_bias", "r_r_bias", "r_s_bias"):
            p[n] = param(prefix + n, (heads, head_dim), 0.3)
        p["seg_embed"] = param(prefix + "seg_embed", (2, heads, head_dim), 0.3)
        p["layer_norm"] = norm(c, prefix + "layer_norm", dim)  # drawn once: both streams share it
        k_h = torch.einsum("ibh,hnd->ibnd", h, p["k"])
        v_h = torch.einsum("ibh,hnd->ibnd", h, p["v"])
        k_r = torch.einsum("ibh,hnd->ibnd", pos_emb.expand(2 * seq, c.batch, dim), p["r"])
        q_h = torch.einsum("ibh,hnd->ibnd", h, p["q"])
        h_next = post(h, core(q_h, k_h, v_h, k_r, p, non_tgt_mask), p)
        if two_stream:
            q_g = torch.einsum("ibh,hnd->ibnd", g, p["q"])
            q_g = torch.einsum("mbnd,mlb->lbnd", q_g, mapping_t)
            vec_g = core(q_g, k_h, v_h, k_r, p, attn_mask)
            vec_g = torch.einsum("lbnd,mlb->mbnd", vec_g, mapping_t)
            g = post(g, vec_g, p)
        ff = f"layer.{i}.ff."
        w1, w2 = dense(c, ff + "layer_1", inner, dim), dense(c, ff + "layer_2", dim, inner)
        ff_norm = norm(c, ff + "layer_norm", dim)

        def feed_forward(x):
            return layer_norm(F.linear(act(F.linear(x, *w1)), *w2) + x, ff_norm, eps)

        h = feed_forward(h_next)
        if two_stream:
            g = feed_forward(g)
    if function == "main":
        return [h.permute(1, 0, 2)]
    queries = g.permute(1, 0, 2)
    if function == "query_stream":
        return [queries]
    # Labels at the targets, -100 where a row has fewer real tokens.
    labels_np = np.full((c.batch, predict), -100, dtype=np.int64)
    for b in range(c.batch):
        for m in range(min(predict, lengths[b])):
            labels_np[b, m] = c.rng.integers(0, vocab)
    labels = c.input(labels_np)
    logits = F.linear(queries, words, c.weight("lm_loss.bias", c.normal((vocab,), 0.1)))
    loss = F.cross_entropy(logits.reshape(-1, vocab), labels.reshape(-1), ignore_index=-100)
    return [loss, logits]


def family_xlnet(c):
    """XLNetModel's content stream (token types with <cls> 2, padding)."""
    return xlnet(c, "main")


def family_xlnet_query_stream(c):
    """XLNetModel given perm_mask and target_mapping: the query stream."""
    return xlnet(c, "query_stream")


def family_xlnet_pretraining(c):
    """XLNetLMHeadModel's permutation-LM loss over the target mapping."""
    return xlnet(c, "pretraining")


BART_LAYER = ("self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.out_proj",
              "self_attn_layer_norm", "fc1", "fc2", "final_layer_norm")


def family_bart(c):
    """BartModel's encoder: token embeddings times sqrt(d_model) when
    scale_embedding, learned positions read at offset 2, layernorm_embedding,
    then post-LN layers (nn.TransformerEncoderLayer), LayerNorm eps 1e-5."""
    cfg = load_config("bart")
    vocab, dim, layers = cfg["vocab_size"], cfg["d_model"], cfg["encoder_layers"]
    heads, ffn, max_positions = cfg["encoder_attention_heads"], cfg["encoder_ffn_dim"], cfg["max_position_embeddings"]
    act, eps = cfg.get("activation_function", "gelu"), 1e-5
    if c.length is None:
        seq, lengths = 11, [11, 7]
    else:
        seq, lengths = c.length, sweep_lengths(c.length, c.batch)
    ids, mask = text_ids(c, vocab, cfg.get("pad_token_id", 1), seq, lengths)
    words = c.weight("shared.weight", c.normal((vocab, dim)))
    positions = c.weight("encoder.embed_positions.weight", c.normal((max_positions + 2, dim)))
    if seq > max_positions:
        raise IndexError(f"{seq} tokens, {max_positions} positions")
    scale = math.sqrt(dim) if cfg.get("scale_embedding", False) else 1.0
    h = F.embedding(ids, words) * scale + positions[2:2 + seq]
    h = layer_norm(h, norm(c, "encoder.layernorm_embedding", dim), eps)
    padding = torch.zeros(mask.shape, dtype=torch.float64).masked_fill(mask == 0, MASKED)
    for i in range(layers):
        layer = post_norm_layer(c, f"encoder.layers.{i}", BART_LAYER, dim, heads, ffn, eps, act)
        h = layer(h, src_key_padding_mask=padding).detach()
    return [h]


def sinusoids(length, channels, max_timescale=10000):
    """OpenAI Whisper's sinusoidal positions (whisper/model.py)."""
    assert channels % 2 == 0
    log_timescale_increment = np.log(max_timescale) / (channels // 2 - 1)
    inv_timescales = torch.exp(-log_timescale_increment * torch.arange(channels // 2, dtype=torch.float64))
    scaled_time = torch.arange(length, dtype=torch.float64)[:, None] * inv_timescales[None, :]
    return torch.cat([torch.sin(scaled_time), torch.cos(scaled_time)], dim=1)


def log_mel(audio, n_mels, n_fft=400, hop=160, sample_rate=16000):
    """Whisper's log-mel spectrogram (whisper/audio.py), per sample: STFT
    with a periodic Hann window (center, reflect padding), power, Slaney mel
    filters, log10 clamped at 1e-10, floored at the sample's max - 8,
    (x + 4) / 4; the last frame is dropped."""
    import torchaudio

    if audio.shape[0] == 0:  # torch.stft refuses an empty batch
        return torch.zeros(0, n_mels, audio.shape[1] // hop, dtype=torch.float64)
    window = torch.hann_window(n_fft, periodic=True, dtype=torch.float64)
    stft = torch.stft(audio, n_fft, hop, window=window, center=True, pad_mode="reflect",
                      return_complex=True)
    power = stft[..., :-1].abs() ** 2  # [batch, n_fft/2 + 1, frames]
    default = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)  # the filters in float64 too
    try:
        filters = torchaudio.functional.melscale_fbanks(
            n_freqs=n_fft // 2 + 1, f_min=0.0, f_max=sample_rate / 2, n_mels=n_mels,
            sample_rate=sample_rate, norm="slaney", mel_scale="slaney")
    finally:
        torch.set_default_dtype(default)
    mel = filters.double().T @ power
    log = torch.clamp(mel, min=1e-10).log10()
    log = torch.maximum(log, log.amax(dim=(1, 2), keepdim=True) - 8.0)
    return (log + 4.0) / 4.0


def whisper(c, audio_input):
    """WhisperModel's encoder (Radford et al., 2022): two GELU convolutions,
    sinusoidal positions, pre-LN layers (k_proj without bias), a final
    LayerNorm. With audio_input the artifact takes 16 kHz audio and the
    reference computes the log-mel features itself."""
    cfg = load_config("whisper")
    mels, dim, layers = cfg["num_mel_bins"], cfg["d_model"], cfg["encoder_layers"]
    heads, ffn, positions = cfg["encoder_attention_heads"], cfg["encoder_ffn_dim"], cfg["max_source_positions"]
    act = ACTIVATIONS[cfg.get("activation_function", "gelu")]
    frames = 2 * positions  # the encoder takes exactly this many (30 s at full size)
    if audio_input:
        # Hugging Face's feature extractor pads shorter audio with zeros to
        # 30 s (frames * 160 samples) before the log-mel spectrogram.
        samples = frames * 160 if c.length is None else c.length
        audio = c.input(c.normal((c.batch, samples)))
        if samples > frames * 160:
            raise ValueError(f"{samples} samples, more than {frames * 160}")
        features = log_mel(F.pad(audio, (0, frames * 160 - samples)), mels)
    else:
        features = c.input(c.normal((c.batch, mels, frames)))

    conv1 = (c.weight("encoder.conv1.weight", c.normal((dim, mels, 3), (mels * 3) ** -0.5)),
             c.weight("encoder.conv1.bias", c.normal((dim,), 0.1)))
    conv2 = (c.weight("encoder.conv2.weight", c.normal((dim, dim, 3), (dim * 3) ** -0.5)),
             c.weight("encoder.conv2.bias", c.normal((dim,), 0.1)))
    # Hugging Face stores the (fixed) sinusoids as a parameter; the compiler
    # computes them, so they are only part of the checkpoint here.
    embed = sinusoids(positions, dim)
    c.weight("encoder.embed_positions.weight", embed.numpy().astype(np.float32))
    stack = [PreNormLayer(c, f"encoder.layers.{i}", WHISPER_NAMES, dim, heads, ffn, 1e-5, act,
                          key_bias=False) for i in range(layers)]
    final = norm(c, "encoder.layer_norm", dim)

    x = F.gelu(F.conv1d(features, *conv1, padding=1))
    x = F.gelu(F.conv1d(x, *conv2, stride=2, padding=1))
    h = x.transpose(1, 2) + embed
    for layer in stack:
        h = layer(h)
    return [layer_norm(h, final, 1e-5)]


def family_whisper(c):
    return whisper(c, audio_input=False)


def family_whisper_audio(c):
    """Compiled with --audio-input: raw audio through the artifact's log-mel."""
    return whisper(c, audio_input=True)


CASES = [family_bert, family_bert_sentence, family_roberta, family_distilbert, family_electra,
         family_albert, family_vit, family_dinov2, family_vit_mae, family_clip,
         family_clip_text_features, family_clip_image_features, family_clip_loss, family_siglip,
         family_siglip_text_features, family_siglip_image_features, family_siglip_loss,
         family_wav2vec2, family_wav2vec2_weight_g, family_whisper, family_whisper_audio,
         family_hubert, family_t5, family_mt5, family_bart, family_bert_pretraining,
         family_electra_pretraining, family_deberta_v2, family_deberta_v2_variant,
         family_deberta_v2_p2c, family_swin, family_swin_variant, family_t5_gated_silu, family_xlnet,
         family_xlnet_query_stream, family_xlnet_pretraining]
