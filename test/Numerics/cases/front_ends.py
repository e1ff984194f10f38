"""Front-end cases: convolutions and normalizations (wav2vec 2.0), position
encodings (RoPE, T5, sinusoids), image patching and masking (ViT, MAE) and
the log-mel spectrogram (Whisper). Each case draws weights and inputs with
`c` and returns the expected outputs (see reference.py); the references are
torch.nn.functional / torchaudio where PyTorch has the op, else the
published formula written out here."""

import math

import numpy as np
import torch
import torch.nn.functional as F
import torchaudio


def fe_group_norm(c):
    x = c.input(c.normal((2, 6, 10), 2.0, 1.0))
    d = c.input(c.normal((3, 8, 13)))
    img = c.input(c.normal((2, 4, 3, 5)))
    g = c.weight("weight", c.normal((6,), 0.2, 1.0))
    b = c.weight("bias", c.normal((6,), 0.2))
    return [
        F.group_norm(x, 3, g, b, eps=1e-5),
        F.group_norm(d, 8, eps=1e-5),
        F.group_norm(img, 1, eps=1e-6),
    ]


def fe_conv(c):
    audio = c.input(c.normal((2, 1, 400)))
    x = c.input(c.normal((3, 4, 11)))  # dynamic batch and time
    h = c.input(c.normal((2, 8, 16)))
    w0 = c.weight("conv0.weight", c.normal((6, 1, 10), 0.3))
    w1 = c.weight("conv1.weight", c.normal((5, 4, 3), 0.3))
    b1 = c.weight("conv1.bias", c.normal((5,), 0.1))
    w2 = c.weight("conv2.weight", c.normal((8, 2, 4), 0.3))
    b2 = c.weight("conv2.bias", c.normal((8,), 0.1))
    return [
        F.conv1d(audio, w0, stride=5),
        F.conv1d(x, w1, b1, stride=2, padding=1),
        F.conv1d(h, w2, b2, padding=2, groups=4),
    ]


def fe_weight_norm(c):
    h = c.input(c.normal((2, 8, 9)))  # dynamic batch and sequence
    g0 = c.weight("w0.weight_g", c.normal((1, 1, 5), 0.5, 1.0))
    v0 = c.weight("w0.weight_v", c.normal((6, 3, 5)))
    g1 = c.weight("w1.weight_g", c.normal((4, 1, 1), 0.5, 1.0))
    v1 = c.weight("w1.weight_v", c.normal((4, 3, 2)))
    gc = c.weight("pos_conv.weight_g", c.normal((1, 1, 6), 0.5, 1.0))
    vc = c.weight("pos_conv.weight_v", c.normal((8, 2, 6)))
    bc = c.weight("pos_conv.bias", c.normal((8,), 0.1))
    # wav2vec 2.0's positional convolution, as torch.nn.utils.weight_norm
    # builds it from weight_g and weight_v.
    conv = torch.nn.Conv1d(8, 8, 6, padding=3, groups=4, dtype=torch.float64)
    conv = torch.nn.utils.weight_norm(conv, name="weight", dim=2)
    with torch.no_grad():
        conv.weight_g.copy_(gc)
        conv.weight_v.copy_(vc)
        conv.bias.copy_(bc)
        out = conv(h)
    return [
        torch._weight_norm(v0, g0, 2),
        torch._weight_norm(v1, g1, 0),
        out,
    ]


def rope(x, rotary_dim=None, base=10000.0, offset=0):
    """GPT-NeoX / LLaMA rotary embedding (rotate_half), in float64."""
    rotary_dim = x.shape[-1] if rotary_dim is None else rotary_dim
    seq = x.shape[-2]
    inv_freq = 1.0 / base ** (torch.arange(0, rotary_dim, 2, dtype=torch.float64) / rotary_dim)
    t = torch.arange(offset, offset + seq, dtype=torch.float64)
    freqs = torch.outer(t, inv_freq)
    emb = torch.cat([freqs, freqs], dim=-1)
    rot, rest = x[..., :rotary_dim], x[..., rotary_dim:]
    x1, x2 = rot[..., : rotary_dim // 2], rot[..., rotary_dim // 2 :]
    rotate_half = torch.cat([-x2, x1], dim=-1)
    return torch.cat([rot * emb.cos() + rotate_half * emb.sin(), rest], dim=-1)


def fe_rotary(c):
    x = c.input(c.normal((2, 3, 7, 8)))
    d = c.input(c.normal((3, 2, 11, 6)))
    return [rope(x), rope(x, 4, offset=5), rope(d, base=500.0), rope(x, offset=4000)]


def t5_bucket(relative_position, bidirectional, num_buckets, max_distance):
    """T5Attention._relative_position_bucket from Hugging Face transformers."""
    relative_buckets = 0
    if bidirectional:
        num_buckets //= 2
        relative_buckets += (relative_position > 0).to(torch.long) * num_buckets
        relative_position = torch.abs(relative_position)
    else:
        relative_position = -torch.min(relative_position, torch.zeros_like(relative_position))
    max_exact = num_buckets // 2
    is_small = relative_position < max_exact
    relative_position_if_large = max_exact + (
        torch.log(relative_position.float() / max_exact)
        / math.log(max_distance / max_exact)
        * (num_buckets - max_exact)
    ).to(torch.long)
    relative_position_if_large = torch.min(
        relative_position_if_large, torch.full_like(relative_position_if_large, num_buckets - 1))
    relative_buckets += torch.where(is_small, relative_position, relative_position_if_large)
    return relative_buckets


def t5_bias(table, q_len, k_len, bidirectional, num_buckets, max_distance):
    """T5Attention.compute_bias: [1, heads, q_len, k_len]."""
    context = torch.arange(q_len, dtype=torch.long)[:, None]
    memory = torch.arange(k_len, dtype=torch.long)[None, :]
    buckets = t5_bucket(memory - context, bidirectional, num_buckets, max_distance)
    return F.embedding(buckets, table).permute([2, 0, 1]).unsqueeze(0)


def fe_relative_position_bias(c):
    # 150 positions: offsets beyond max_distance 128 reach the last buckets.
    c.input(c.normal((1, 150, 4)))
    c.input(c.normal((2, 97, 4)))
    t = c.weight("relative_attention_bias.weight", c.normal((32, 4)))
    u = c.weight("decoder.relative_attention_bias.weight", c.normal((8, 2)))
    return [
        t5_bias(t, 150, 150, True, 32, 128),
        t5_bias(t, 150, 97, True, 32, 128),
        t5_bias(u, 150, 150, False, 8, 20),
    ]


def sinusoidal(seq, dim, base=10000.0, offset=0):
    """Vaswani et al.: sin at even features, cos at odd ones."""
    position = torch.arange(offset, offset + seq, dtype=torch.float64)[:, None]
    div = base ** (torch.arange(0, dim, 2, dtype=torch.float64) / dim)
    pe = torch.zeros(seq, dim, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(position / div)
    pe[:, 1::2] = torch.cos(position / div)
    return pe


def whisper_sinusoids(length, channels, max_timescale=10000):
    """openai/whisper's sinusoids(), in float64."""
    log_timescale_increment = math.log(max_timescale) / (channels // 2 - 1)
    inv_timescales = torch.exp(-log_timescale_increment * torch.arange(channels // 2, dtype=torch.float64))
    scaled_time = torch.arange(length, dtype=torch.float64)[:, None] * inv_timescales[None, :]
    return torch.cat([torch.sin(scaled_time), torch.cos(scaled_time)], dim=1)


def fe_positional(c):
    x = c.input(c.normal((3, 9, 8)))
    s = c.input(c.normal((2, 5, 8)))
    a = c.input(c.normal((1, 1500, 16)))
    d = c.input(c.normal((2, 7, 10)))
    table = c.weight("position_embeddings.weight", c.normal((20, 8)))
    return [
        x + table[2:2 + 9],
        s + sinusoidal(5, 8, offset=3),
        a + whisper_sinusoids(1500, 16),
        d + sinusoidal(7, 10, base=100.0),
    ]


def fe_patch_embed(c):
    p = c.input(c.normal((2, 3, 8, 12)))
    q = c.input(c.normal((3, 2, 12, 8)))  # dynamic batch, height and width
    w = c.weight("patch_embeddings.projection.weight", c.normal((6, 3, 4, 4), 0.2))
    b = c.weight("patch_embeddings.projection.bias", c.normal((6,), 0.1))
    cls = c.weight("cls_token", c.normal((1, 1, 6)))
    w2 = c.weight("rect.weight", c.normal((5, 2, 4, 2), 0.2))
    b2 = c.weight("rect.bias", c.normal((5,), 0.1))

    def embed(pixels, weight, bias, patch):
        conv = torch.nn.Conv2d(weight.shape[1], weight.shape[0], patch, stride=patch,
                               dtype=torch.float64)
        with torch.no_grad():
            conv.weight.copy_(weight)
            conv.bias.copy_(bias)
            return conv(pixels).flatten(2).transpose(1, 2)

    tokens = embed(p, w, b, (4, 4))
    return [
        torch.cat([cls.expand(2, -1, -1), tokens], dim=1),
        embed(q, w2, b2, (4, 2)),
    ]


def mae_patchify(imgs, p, q):
    """MAE's patchify (models_mae.py), generalized to p x q patches."""
    n, ch, hh, ww = imgs.shape
    h, w = hh // p, ww // q
    x = imgs.reshape(n, ch, h, p, w, q)
    x = torch.einsum("nchpwq->nhwpqc", x)
    return x.reshape(n, h * w, p * q * ch)


def mae_normalize(target):
    """MAE's norm_pix_loss target: torch.var is unbiased by default."""
    mean = target.mean(dim=-1, keepdim=True)
    var = target.var(dim=-1, keepdim=True)
    return (target - mean) / (var + 1.0e-6) ** 0.5


def fe_patchify(c):
    p = c.input(c.normal((2, 3, 8, 8), 1.0, 0.5))
    q = c.input(c.normal((3, 2, 8, 12)))  # dynamic batch, height and width
    return [mae_patchify(p, 4, 4), mae_normalize(mae_patchify(p, 4, 4)),
            mae_normalize(mae_patchify(q, 2, 4))]


def mae_random_masking(noise, mask_ratio):
    """MAE's random_masking, from a given noise."""
    n, length = noise.shape
    len_keep = int(length * (1 - mask_ratio))
    ids_shuffle = torch.argsort(noise, dim=1)
    ids_restore = torch.argsort(ids_shuffle, dim=1)
    ids_keep = ids_shuffle[:, :len_keep]
    mask = torch.ones([n, length], dtype=torch.float64)
    mask[:, :len_keep] = 0
    mask = torch.gather(mask, dim=1, index=ids_restore)
    return ids_keep, mask, ids_restore


def fe_random_mask(c):
    tokens = c.input(c.normal((3, 10, 4)))
    noise = c.input(c.rng.random((3, 10)).astype(np.float32))
    decoder_tokens = c.input(c.normal((3, 10, 4)))
    c.input(c.normal((2, 13, 3)))
    noise2 = c.input(c.rng.random((2, 13)).astype(np.float32))
    ids_keep, mask, ids_restore = mae_random_masking(noise, 0.75)
    visible = torch.gather(tokens, 1, ids_keep.unsqueeze(-1).repeat(1, 1, 4))
    unshuffled = torch.gather(decoder_tokens, 1, ids_restore.unsqueeze(-1).repeat(1, 1, 4))
    keep2, mask2, restore2 = mae_random_masking(noise2, 0.6)
    return [ids_keep, mask, ids_restore, visible, unshuffled, keep2, mask2, restore2]


def whisper_log_mel(audio, n_fft, hop, n_mels, sample_rate):
    """Hugging Face's WhisperFeatureExtractor (torch path), with torchaudio's
    Slaney filterbank (librosa's defaults); per-sample maximum."""
    window = torch.hann_window(n_fft, dtype=torch.float64)
    stft = torch.stft(audio, n_fft, hop, window=window, center=True, pad_mode="reflect",
                      return_complex=True)
    magnitudes = stft[..., :-1].abs() ** 2
    default_dtype = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)  # torchaudio builds the bank in it
    try:
        filters = torchaudio.functional.melscale_fbanks(
            n_fft // 2 + 1, 0.0, sample_rate / 2.0, n_mels, sample_rate,
            norm="slaney", mel_scale="slaney")
    finally:
        torch.set_default_dtype(default_dtype)
    mel_spec = filters.T @ magnitudes
    log_spec = torch.clamp(mel_spec, min=1e-10).log10()
    max_val = log_spec.amax(dim=(1, 2), keepdim=True)
    log_spec = torch.maximum(log_spec, max_val - 8.0)
    return (log_spec + 4.0) / 4.0


def fe_log_mel(c):
    # Quiet and loud samples: the floor at max - 8 applies per sample.
    audio = c.input(c.normal((2, 4000), 0.1) * np.array([[1.0], [0.01]], dtype=np.float32))
    d = c.input(c.normal((3, 1000), 0.5))
    return [whisper_log_mel(audio, 400, 160, 80, 16000),
            whisper_log_mel(d, 64, 16, 20, 8000)]


def swin_window_partition(x, w):
    """Hugging Face's window_partition: [B, H, W, C] -> [B, nW, w², C]."""
    b, h, wd, ch = x.shape
    x = x.view(b, h // w, w, wd // w, w, ch).permute(0, 1, 3, 2, 4, 5)
    return x.reshape(b, -1, w * w, ch)


def swin_window_reverse(windows, w, h, wd):
    """Hugging Face's window_reverse: [B, nW, w², C] -> [B, H, W, C]."""
    b, ch = windows.shape[0], windows.shape[-1]
    x = windows.view(b, h // w, wd // w, w, w, ch).permute(0, 1, 3, 2, 4, 5)
    return x.reshape(b, h, wd, ch)


def swin_window_bias(table, w, shift, h, wd):
    """SwinSelfAttention's relative position bias (relative_position_index)
    plus SwinLayer.get_attn_mask's -100 between regions, as
    [1, nW · heads, w², w²]."""
    coords = torch.stack(torch.meshgrid(torch.arange(w), torch.arange(w), indexing="ij")).flatten(1)
    rel = (coords[:, :, None] - coords[:, None, :]).permute(1, 2, 0).contiguous()
    rel[:, :, 0] += w - 1
    rel[:, :, 1] += w - 1
    rel[:, :, 0] *= 2 * w - 1
    index = rel.sum(-1)
    heads = table.shape[1]
    bias = table[index.view(-1)].view(w * w, w * w, heads).permute(2, 0, 1)
    windows = (h // w) * (wd // w)
    mask = torch.zeros(windows, w * w, w * w)
    if shift > 0:
        img = torch.zeros(1, h, wd, 1)
        count = 0
        for hs in (slice(0, -w), slice(-w, -shift), slice(-shift, None)):
            for ws in (slice(0, -w), slice(-w, -shift), slice(-shift, None)):
                img[:, hs, ws, :] = count
                count += 1
        m = swin_window_partition(img, w).view(-1, w * w)
        mask = m.unsqueeze(1) - m.unsqueeze(2)
        mask = mask.masked_fill(mask != 0, -100.0).masked_fill(mask == 0, 0.0)
    full = bias.unsqueeze(0) + mask.unsqueeze(1)
    return full.reshape(1, windows * heads, w * w, w * w)


def fe_windows(c):
    x = c.input(c.normal((2, 8, 12, 5)))
    y = c.input(c.normal((3, 6, 16, 5)))
    t = c.weight("relative_position_bias_table", c.normal((49, 3)))
    return [
        swin_window_partition(torch.roll(x, (-2, -2), (1, 2)), 4),
        torch.roll(swin_window_reverse(y, 4, 8, 12), (2, 2), (1, 2)),
        swin_window_bias(t, 4, 2, 8, 12),
        swin_window_bias(t, 4, 0, 8, 12),
    ]


class BahdanauAttention(torch.nn.Module):
    """The additive attention of PyTorch's seq2seq translation tutorial
    (Bahdanau et al., 2015): Va(tanh(Wa(query) + Ua(keys))), softmax over
    the sequence, weights · keys; padded positions masked to -inf."""

    def __init__(self, state, annotations, units):
        super().__init__()
        self.Wa = torch.nn.Linear(state, units)
        self.Ua = torch.nn.Linear(annotations, units)
        self.Va = torch.nn.Linear(units, 1)

    def forward(self, query, keys, mask=None):
        scores = self.Va(torch.tanh(self.Wa(query).unsqueeze(1) + self.Ua(keys))).squeeze(2)
        if mask is not None:
            scores = scores.masked_fill(mask == 0, float("-inf"))
        weights = F.softmax(scores, dim=-1)
        return torch.bmm(weights.unsqueeze(1), keys).squeeze(1), weights


def fe_additive_attention(c):
    state = c.input(c.normal((3, 12)))
    states = c.input(c.normal((3, 7, 10)))
    mask = np.ones((3, 7), dtype=np.int64)
    mask[1, 4:] = mask[2, 1:] = 0
    mask_t = c.input(mask)
    module = BahdanauAttention(12, 10, 16).double()
    with torch.no_grad():
        for name, parameter in module.named_parameters():
            if name == "Va.bias":
                continue  # adds the same to every score: not an input of ours
            # Va's [1, units] weight is our score vector [units].
            shape = (16,) if name == "Va.weight" else tuple(parameter.shape)
            value = c.weight(name, c.normal(shape, 0.3))
            parameter.copy_(value.reshape(parameter.shape))
        masked = module(state, states, mask_t)
        plain = module(state, states)
    return [masked[0], masked[1], plain[0], plain[1]]


def fe_image_pooling(c):
    x = c.input(c.normal((2, 3, 11, 12)))
    return [
        F.max_pool2d(x, 3, 2, 1),
        F.max_pool2d(x, 3, 2, 1, dilation=2, ceil_mode=True),
        F.max_pool2d(x, (2, 3), (1, 2), (1, 1), ceil_mode=True),
        F.avg_pool2d(x, 3, 2, 1),
        F.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False),
        F.avg_pool2d(x, 2),
        F.adaptive_avg_pool2d(x, 1),
        F.adaptive_avg_pool2d(x, (3, 4)),
    ]


def fe_upsample(c):
    # PyTorch resizes a float32 image in float32 (its source positions too):
    # the reference runs in float32 like the op, then widens.
    x = c.input(c.normal((2, 2, 5, 7)))
    x32 = x.float()

    def resize(size, mode, align_corners=None):
        return F.interpolate(x32, size=size, mode=mode, align_corners=align_corners).double()

    return [
        resize((10, 14), "nearest"),
        resize((10, 14), "bilinear", False),
        resize((10, 14), "bilinear", True),
        resize((8, 10), "nearest"),
        resize((8, 10), "bilinear", False),
        resize((3, 4), "bilinear", False),
    ]


CASES = [fe_group_norm, fe_conv, fe_weight_norm, fe_rotary, fe_relative_position_bias, fe_windows,
         fe_additive_attention, fe_image_pooling, fe_upsample,
         fe_positional, fe_patch_embed, fe_patchify, fe_random_mask, fe_log_mel]
