//===- EncEmbeddingOps.td - enc embeddings and front ends -*- tablegen -*-===//
//
// Token and position embeddings, image patching (ViT, MAE) and the audio front end (Whisper).
//
//===----------------------------------------------------------------------===//

#ifndef ENC_ENCEMBEDDINGOPS_TD
#define ENC_ENCEMBEDDINGOPS_TD

include "Enc/IR/EncBase.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Enc_EmbeddingOp : Enc_Op<"embedding", [Pure]> {
  let summary = "row lookup in an embedding table";
  let description = [{
    Gathers rows of `table` (`[num_embeddings, dim]`) at `indices` (any
    shape, `i32` or `i64`), like `torch.nn.functional.embedding`: the result
    has the shape of `indices` followed by `dim`.

    Indices must lie in `[0, num_embeddings)`. When `indices` is a function
    argument, the compiler records that range in the artifact and the
    runtime rejects a call whose ids fall outside it; compiled code also
    clamps every index, so an id that slips through can never read outside
    the table.

    Example:

    ```mlir
    %e = enc.embedding %ids, %table
        : (tensor<2x128xi64>, tensor<30522x768xf32>) -> tensor<2x128x768xf32>
    ```
  }];
  let arguments = (ins Enc_IndexTensor:$indices, Enc_FloatTensor:$table);
  let results = (outs Enc_FloatTensor:$result);
  let assemblyFormat = [{
    $indices `,` $table attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Enc_PositionalEncodingOp : Enc_Op<"positional_encoding",
    [Pure, AllTypesMatch<["input", "result"]>]> {
  let summary = "adds position encodings to a sequence of vectors";
  let description = [{
    Adds to each position `s` of `input` (`[batch, seq, dim]`) the encoding
    of position `offset + s`:

    - `learned`: row `offset + s` of `table` (`[max_positions, dim]`, an
      `nn.Embedding` weight; BERT uses offset 0, RoBERTa `padding_idx + 1`).
      The sequence must fit: `offset + seq <= max_positions` (the runtime
      checks call shapes against the bound the frontend records).
    - `sinusoidal`: `sin(p / base^(2i/dim))` at feature `2i` and `cos` at
      `2i + 1` (Vaswani et al.).
    - `sinusoidal_concat`: the sines of all frequencies, then the cosines,
      with frequencies `base^(-i / (dim/2 - 1))` (tensor2tensor, Whisper).

    Example:

    ```mlir
    %h = enc.positional_encoding learned %x table %pos {offset = 2 : i64}
        : (tensor<?x?x768xf32>, tensor<514x768xf32>) -> tensor<?x?x768xf32>
    %a = enc.positional_encoding sinusoidal_concat %frames
        : (tensor<?x1500x384xf32>) -> tensor<?x1500x384xf32>
    ```
  }];
  let arguments = (ins Enc_PositionKindAttr:$kind, Enc_FloatTensor:$input,
                       Optional<Enc_FloatTensor>:$table,
                       DefaultValuedAttr<ConfinedAttr<I64Attr, [IntNonNegative]>,
                                         "0">:$offset,
                       DefaultValuedAttr<F64Attr, "10000.0">:$base);
  let results = (outs Enc_FloatTensor:$result);
  let assemblyFormat = [{
    custom<EnumKeyword>($kind) $input (`table` $table^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Enc_RelativeSinusoidOp : Enc_Op<"relative_sinusoid", [Pure]> {
  let summary = "sinusoid encodings of relative distances (Transformer-XL)";
  let description = [{
    The `[q_len + kv_len, dim]` table whose row `r` encodes the distance
    `d = kv_len - r`, from `kv_len` down to `1 - q_len` (XLNet's
    `relative_positional_encoding` with `attn_type` `bi`), clamped to
    `[-clamp, clamp]` when `clamp` is positive: `sin(d · f_i)` at feature
    `i < dim / 2`, then `cos(d · f_i)`, with `f_i = base^(-2i / dim)`.
    Each `f_i` and each product `d · f_i` is rounded to float32, as the
    reference implementations compute them in float32; sine and cosine are
    then evaluated on the exactly reduced angle.

    Example:

    ```mlir
    %r = enc.relative_sinusoid %q_len, %kv_len {clamp = 0 : i64}
        : (index, index) -> tensor<?x768xf32>
    ```
  }];
  let arguments = (ins Index:$query_length, Index:$key_length,
                       DefaultValuedAttr<ConfinedAttr<I64Attr, [IntNonNegative]>,
                                         "0">:$clamp,
                       DefaultValuedAttr<F64Attr, "10000.0">:$base);
  let results = (outs Enc_FloatTensor:$result);
  let assemblyFormat = [{
    $query_length `,` $key_length attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Enc_SpanCorruptionOp : Enc_Op<"span_corruption", [Pure]> {
  let summary = "T5's span corruption: sentinel-masked inputs and targets";
  let description = [{
    Builds T5's pre-training pair from `ids` (`[batch, length]`, every
    token real: T5 packs text into full rows) as Raffel et al. (2020) and
    Hugging Face's `FlaxDataCollatorForT5MLM` do:

    - `noise = round(length · noise_density)`, held in `[1, length - 1]`;
      `spans = max(round(min(noise, length - noise) /
      mean_noise_span_length), 1)` (rounding half to even, as NumPy's
      `round`; the minimum is Hugging Face's guard against more spans than
      tokens of a kind); the row is `spans` non-noise spans
      interleaved with `spans` noise spans, starting with non-noise.
    - `inputs` (`[batch, length - noise + spans + 1]`): the non-noise tokens,
      each noise span replaced by one sentinel, then `eos_id`;
      `targets` (`[batch, noise + spans + 1]`): each non-noise span replaced
      by one sentinel, the noise tokens, then `eos_id`. Sentinel `k` is
      `sentinel_id - k` (T5's `<extra_id_k>` count down from
      `sentinel_id`, e.g. 32099).
    - The span lengths are uniformly random compositions of `noise` and
      `length - noise` into `spans` positive parts, drawn by selection
      sampling: after the `t`-th token of a kind (`n` of that kind, `m`
      span breaks placed so far), a span ends when `t = n - 1` or when
      `u · (n - 1 - t) < spans - 1 - m`, `u` the uniform in [0, 1) of
      `hashUniform(seed · φ, (2 · row + kind) · length + t)` (kind 0 noise,
      1 non-noise; splitmix64, docs/rationale/enc-to-linalg.md). The result
      depends only on `ids`' shape, `seed` and the row: deterministic, with
      no state between calls.

    `seed` is a 0-d i64 tensor, so one artifact draws new spans per batch.
    `length` must be at least 2 (the runtime refuses shorter rows).

    Example:

    ```mlir
    %inputs, %targets = enc.span_corruption %ids seed %seed
        {noise_density = 0.15 : f64, mean_noise_span_length = 3.0 : f64,
         sentinel_id = 32099 : i64, eos_id = 1 : i64}
        : (tensor<?x?xi64>, tensor<i64>) -> (tensor<?x?xi64>, tensor<?x?xi64>)
    ```
  }];
  let arguments = (ins Enc_IndexTensor:$ids, TensorOf<[I64]>:$seed,
                       F64Attr:$noise_density,
                       DefaultValuedAttr<F64Attr, "3.0">:$mean_noise_span_length,
                       ConfinedAttr<I64Attr, [IntNonNegative]>:$sentinel_id,
                       DefaultValuedAttr<ConfinedAttr<I64Attr, [IntNonNegative]>,
                                         "1">:$eos_id);
  let results = (outs Enc_IndexTensor:$inputs, Enc_IndexTensor:$targets);
  let assemblyFormat = [{
    $ids `seed` $seed attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The noise tokens and spans of a row of `length` (at least 2).
    static std::pair<int64_t, int64_t> getNoise(int64_t length,
                                                double noiseDensity,
                                                double meanSpanLength);
  }];
}

def Enc_PatchEmbedOp : Enc_Op<"patch_embed", [Pure]> {
  let summary = "image to patch embeddings (ViT), with an optional class token";
  let description = [{
    Cuts `pixels` (`[batch, channels, height, width]`, NCHW) into
    non-overlapping `patch_size` patches and projects each with `weight`
    (`[dim, channels, patch_h, patch_w]`, the checkpoint's convolution
    weight) and `bias` (`[dim]`): a stride-`patch_size` convolution, with the
    patches then listed row by row as `[batch, patches, dim]`. With a
    `class_token` (`[1, 1, dim]`) it is prepended to every sequence, giving
    `[batch, 1 + patches, dim]`. Height and width must be multiples of the
    patch size.

    Like `enc.linear`'s, the weight may be packed for the CPU micro-kernel
    (`enc-pack-weights`): `[dim / p, channels * patch_h * patch_w, p]`, the
    panels of the `[dim, channels * patch_h * patch_w]` matrix the
    convolution weight is.

    Example:

    ```mlir
    %tokens = enc.patch_embed %pixels, %w, %b class_token %cls {patch_size = array<i64: 16, 16>}
        : (tensor<?x3x224x224xf32>, tensor<768x3x16x16xf32>, tensor<768xf32>, tensor<1x1x768xf32>)
        -> tensor<?x197x768xf32>
    ```
  }];
  let arguments = (ins Enc_FloatTensor:$pixels, Enc_FloatTensor:$weight,
                       Enc_FloatTensor:$bias,
                       Optional<Enc_FloatTensor>:$class_token,
                       DenseI64ArrayAttr:$patch_size);
  let results = (outs Enc_FloatTensor:$result);
  let assemblyFormat = [{
    $pixels `,` $weight `,` $bias (`class_token` $class_token^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// True when the weight is packed in panels (rank 3).
    bool hasPackedWeight() {
      return ::llvm::cast<::mlir::RankedTensorType>(getWeight().getType())
                 .getRank() == 3;
    }
  }];
}

def Enc_PatchifyOp : Enc_Op<"patchify", [Pure]> {
  let summary = "image to flattened patches: the MAE reconstruction target";
  let description = [{
    Rearranges `pixels` (`[batch, channels, height, width]`) into
    `[batch, patches, patch_h * patch_w * channels]`, each patch's pixels in
    (row, column, channel) order, as MAE's `patchify`. With `normalize`
    each patch is standardized by its own mean and unbiased variance
    (`(x - mean) / sqrt(var + 1e-6)`, MAE's `norm_pix_loss`).

    Example:

    ```mlir
    %target = enc.patchify %pixels {patch_size = array<i64: 16, 16>, normalize}
        : (tensor<?x3x224x224xf32>) -> tensor<?x196x768xf32>
    ```
  }];
  let arguments = (ins Enc_FloatTensor:$pixels, DenseI64ArrayAttr:$patch_size,
                       UnitAttr:$normalize);
  let results = (outs Enc_FloatTensor:$result);
  let assemblyFormat = "$pixels attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Enc_RandomMaskOp : Enc_Op<"random_mask", [Pure]> {
  let summary = "MAE random masking: which tokens stay visible";
  let description = [{
    Chooses, for every sample of `tokens` (`[batch, patches, dim]`; only its
    shape is read), the `keep = floor(patches * (1 - mask_ratio))` patches
    that stay visible, as MAE does: patches are ranked by a noise value in
    [0, 1) and the lowest `keep` are kept. The results are

    - `ids_keep` (`[batch, keep]`, i64): the kept patches, by rank;
    - `mask` (`[batch, patches]`, the token type): 0 kept, 1 removed;
    - `ids_restore` (`[batch, patches]`, i64): each patch's rank, to undo
      the shuffle with `enc.gather_visible` in the decoder.

    The noise is the `noise` operand (`[batch, patches]`) when given, which
    reproduces a reference that draws it (Hugging Face's ViTMAE takes it as
    an argument); otherwise it is a deterministic hash of `seed`, the
    sample and the patch index, so the same call masks the same patches.

    Example:

    ```mlir
    %keep, %mask, %restore = enc.random_mask %tokens {mask_ratio = 0.75 : f64, seed = 0 : i64}
        : (tensor<?x196x768xf32>) -> (tensor<?x49xi64>, tensor<?x196xf32>, tensor<?x196xi64>)
    ```
  }];
  let arguments = (ins Enc_FloatTensor:$tokens,
                       Optional<Enc_FloatTensor>:$noise,
                       F64Attr:$mask_ratio,
                       DefaultValuedAttr<I64Attr, "0">:$seed);
  let results = (outs Enc_IndexTensor:$ids_keep, Enc_FloatTensor:$mask,
                      Enc_IndexTensor:$ids_restore);
  let assemblyFormat = [{
    $tokens (`noise` $noise^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// floor(patches * (1 - mask_ratio)) for a static patch count.
    static int64_t getKeepCount(int64_t patches, double maskRatio);
  }];
}

def Enc_GatherVisibleOp : Enc_Op<"gather_visible", [Pure]> {
  let summary = "per-sample gather of tokens by index (MAE)";
  let description = [{
    `result[b, k] = tokens[b, indices[b, k]]` for `tokens` `[batch, n, dim]`
    and `indices` `[batch, k]`: the visible tokens after `enc.random_mask`
    (with `ids_keep`), or the decoder's unshuffle (with `ids_restore`), as
    `torch.gather` along dimension 1. Indices are clamped into `[0, n)`.

    Example:

    ```mlir
    %visible = enc.gather_visible %tokens, %keep
        : (tensor<?x196x768xf32>, tensor<?x49xi64>) -> tensor<?x49x768xf32>
    ```
  }];
  let arguments = (ins Enc_FloatTensor:$tokens, Enc_IndexTensor:$indices);
  let results = (outs Enc_FloatTensor:$result);
  let assemblyFormat = [{
    $tokens `,` $indices attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Enc_LogMelOp : Enc_Op<"log_mel", [Pure]> {
  let summary = "log-mel spectrogram of 16 kHz audio (Whisper's front end)";
  let description = [{
    Computes Whisper's input features from `audio` (`[batch, samples]`):
    a short-time Fourier transform with a periodic Hann window of `n_fft`
    samples every `hop_length` samples (defaults: 25 ms and 10 ms at 16
    kHz), reflect-padded by `n_fft / 2` at both ends; the power spectrum;
    `n_mels` Slaney-style mel filters (librosa's defaults) up to
    `sample_rate / 2`; then `log10(max(mel, 1e-10))`, floored at the
    sample's maximum minus 8, and mapped by `(x + 4) / 4`. The result is
    `[batch, n_mels, samples / hop_length]` (the last STFT frame is dropped,
    as Whisper does).

    Example:

    ```mlir
    %features = enc.log_mel %audio : (tensor<?x480000xf32>) -> tensor<?x80x3000xf32>
    ```
  }];
  let arguments = (ins Enc_FloatTensor:$audio,
                       DefaultValuedAttr<ConfinedAttr<I64Attr, [IntPositive]>,
                                         "400">:$n_fft,
                       DefaultValuedAttr<ConfinedAttr<I64Attr, [IntPositive]>,
                                         "160">:$hop_length,
                       DefaultValuedAttr<ConfinedAttr<I64Attr, [IntPositive]>,
                                         "80">:$n_mels,
                       DefaultValuedAttr<ConfinedAttr<I64Attr, [IntPositive]>,
                                         "16000">:$sample_rate);
  let results = (outs Enc_FloatTensor:$result);
  let assemblyFormat = "$audio attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}


#endif // ENC_ENCEMBEDDINGOPS_TD
