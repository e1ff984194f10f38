//===- EncAttentionOps.td - enc attention and position ops -*- tablegen -*-===//
//
// Attention, and the position encodings that act on queries and keys.
//
//===----------------------------------------------------------------------===//

#ifndef ENC_ENCATTENTIONOPS_TD
#define ENC_ENCATTENTIONOPS_TD

include "Enc/IR/EncBase.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Enc_AttentionOp : Enc_Op<"attention", [Pure, AttrSizedOperandSegments]> {
  let summary = "scaled dot-product attention over heads";
  let description = [{
    Computes `softmax(Q Kᵀ · scale + bias + mask) V` for every batch and
    head, like `torch.nn.functional.scaled_dot_product_attention`:

    - `query` is `[batch, heads, q_len, head_dim]`, `key` is
      `[batch, heads, kv_len, head_dim]`, `value` is
      `[batch, heads, kv_len, v_dim]`; the result is
      `[batch, heads, q_len, v_dim]`.
    - `scale` defaults to `1 / sqrt(head_dim)`.
    - The optional `mask` has rank 4 and broadcasts to
      `[batch, heads, q_len, kv_len]` (each dimension is 1 or the full
      size). A floating-point mask is added to the scores; an `i1` or
      integer mask keeps the scores where it is nonzero and replaces the
      others by the most negative finite value of the element type, so a
      Hugging Face `attention_mask` reshaped to `[batch, 1, 1, kv_len]` can
      be used as it is and gives Hugging Face's results: its extended masks
      add `finfo.min`, so a row whose mask keeps no key averages all keys
      with equal weights instead of giving NaN.
    - The optional `bias` (floating point, rank 4, broadcasting like the
      mask) is added to the scaled scores before the mask applies: a
      position bias shared by the batch (T5's relative positions, Swin's
      window bias) next to a per-sequence padding mask, so that neither is
      expanded to the other's shape. A row whose keys are all masked by an
      integer mask still averages all keys with equal weights, as Hugging
      Face's `bias + finfo.min` does in float32.
    - `causal` lets query `i` see only keys `j <= i` (top-left aligned, as
      PyTorch's `is_causal`); the keys it cuts are `-inf` and never seen.
    - `sequence_major`: query, key, value and result are
      `[batch, seq, heads, dim]` instead (the layout a projection writes
      before the heads are split off: `enc-fold-head-transposes` uses it to
      drop the transposes around attention). The mask keeps its
      `[batch, heads, q_len, kv_len]` order.

    A row whose every score is `-inf` (an additive mask of `-inf`) gives NaN,
    as in PyTorch.

    Example:

    ```mlir
    %o = enc.attention %q, %k, %v mask %m {scale = 0.125 : f64}
        : (tensor<2x12x128x64xf32>, tensor<2x12x128x64xf32>,
           tensor<2x12x128x64xf32>, tensor<2x1x1x128xf32>)
        -> tensor<2x12x128x64xf32>
    ```
  }];
  let arguments = (ins Enc_FloatTensor:$query, Enc_FloatTensor:$key,
                       Enc_FloatTensor:$value,
                       Optional<Enc_FloatTensor>:$bias,
                       Optional<Enc_MaskTensor>:$mask,
                       OptionalAttr<F64Attr>:$scale,
                       UnitAttr:$causal,
                       UnitAttr:$sequence_major);
  let results = (outs Enc_FloatTensor:$result);
  let assemblyFormat = [{
    $query `,` $key `,` $value (`bias` $bias^)? (`mask` $mask^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The scale applied to Q Kᵀ: the attribute, or 1/sqrt(head_dim).
    double getEffectiveScale();
    /// The operands' dimensions of heads and of the sequence (1 and 2, or
    /// 2 and 1 when sequence_major).
    int64_t getHeadsDim() { return getSequenceMajor() ? 2 : 1; }
    int64_t getSequenceDim() { return getSequenceMajor() ? 1 : 2; }
  }];
}

def Enc_DisentangledAttentionOp : Enc_Op<"disentangled_attention", [Pure]> {
  let summary = "DeBERTa's disentangled attention over content and relative positions";
  let description = [{
    Attention whose scores add, to the content term `q_i · k_j`, a
    content-to-position term `q_i · position_key[δ(i, j)]` and a
    position-to-content term `k_j · position_query[δ(i, j)]` (DeBERTa,
    He et al. 2021; Hugging Face's `DisentangledSelfAttention`):

    `softmax((q_i·k_j + c2p + p2c) · scale + mask) V`

    - `query`, `key` are `[batch, heads, seq, head_dim]`, `value`
      `[batch, heads, kv_len, v_dim]`; the result is
      `[batch, heads, q_len, v_dim]`.
    - `position_query`, `position_key` are the relative position embeddings
      projected by the layer's query and key projections,
      `[1 or batch, heads, 2 · span, head_dim]`; `span` is
      `position_buckets` when positive, else `max_relative_positions`.
    - `δ(i, j) = clamp(bucket(i - j) + span, 0, 2 · span - 1)`, where
      `bucket` is the identity without `position_buckets`, and otherwise
      DeBERTa-v2's log buckets: exact within `position_buckets / 2` of the
      query, logarithmic up to `max_relative_positions` (evaluated in
      float32, as Hugging Face's `make_log_bucket_position`). Both are at
      most 2^20.
    - `content_to_position` and `position_to_content` select the terms
      (Hugging Face's `pos_att_type`); `scale` is
      `1 / sqrt(head_dim · (1 + number of terms))`.
    - `mask` is as `enc.attention`'s.

    Example:

    ```mlir
    %o = enc.disentangled_attention %q, %k, %v positions %pq, %pk mask %m
        {position_buckets = 256 : i64, max_relative_positions = 512 : i64,
         content_to_position, position_to_content, scale = 0.0722 : f64}
        : (tensor<?x12x?x64xf32>, tensor<?x12x?x64xf32>,
           tensor<?x12x?x64xf32>, tensor<1x12x512x64xf32>,
           tensor<1x12x512x64xf32>, tensor<?x1x?x?xi1>)
        -> tensor<?x12x?x64xf32>
    ```
  }];
  let arguments = (ins Enc_FloatTensor:$query, Enc_FloatTensor:$key,
                       Enc_FloatTensor:$value,
                       Enc_FloatTensor:$position_query,
                       Enc_FloatTensor:$position_key,
                       Optional<Enc_MaskTensor>:$mask,
                       DefaultValuedAttr<ConfinedAttr<I64Attr, [IntNonNegative]>,
                                         "0">:$position_buckets,
                       ConfinedAttr<I64Attr, [IntPositive]>:$max_relative_positions,
                       UnitAttr:$content_to_position,
                       UnitAttr:$position_to_content,
                       F64Attr:$scale);
  let results = (outs Enc_FloatTensor:$result);
  let assemblyFormat = [{
    $query `,` $key `,` $value `positions` $position_query `,` $position_key
    (`mask` $mask^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The largest position_buckets and max_relative_positions: the
    /// lowering tabulates every offset up to where the indices saturate.
    static constexpr int64_t kMaxPositions = int64_t(1) << 20;
    /// Half the number of relative positions the embeddings hold.
    int64_t getSpan() {
      return getPositionBuckets() > 0 ? getPositionBuckets()
                                      : getMaxRelativePositions();
    }
  }];
}

def Enc_RelativeAttentionOp : Enc_Op<"relative_attention",
    [Pure, AttrSizedOperandSegments]> {
  let summary = "Transformer-XL and XLNet attention over content, relative "
                "positions and segments";
  let description = [{
    Attention whose scores add three terms (Dai et al. 2019, Yang et al.
    2019; Hugging Face's `XLNetRelativeAttention.rel_attn_core`):

    `softmax(((q_i + u)·k_j + (q_i + w)·r[q_len - i + j]
              + (q_i + t)·e[s_i != s_j]) · scale + mask) V`

    - `query` is `[batch, heads, q_len, head_dim]`, `key`
      `[batch, heads, kv_len, head_dim]`, `value`
      `[batch, heads, kv_len, v_dim]`; the result is
      `[batch, heads, q_len, v_dim]`. The queries are the last `q_len` of
      the `kv_len` positions (memory first, as Transformer-XL).
    - `position_key` (`r`) is the relative position encoding projected by
      the layer, `[1 or batch, heads, q_len + kv_len, head_dim]`; row
      `q_len - i + j` encodes the distance `i - j + kv_len - q_len`
      (`enc.relative_sinusoid`'s rows, Hugging Face's `rel_shift_bnij`).
    - `content_bias` (`u`, `r_w_bias`) and `position_bias` (`w`,
      `r_r_bias`) are `[heads, head_dim]`.
    - `segments`: `segment_ids` `[batch, kv_len]` (any integers; query `i`
      has the id of position `i + kv_len - q_len`), `segment_embed` (`e`,
      `[2, heads, head_dim]`: row 0 for a pair in the same segment, 1 for
      different ones) and `segment_bias` (`t`, `r_s_bias`,
      `[heads, head_dim]`). Without them the term is 0.
    - `mask` is as `enc.attention`'s.

    Example:

    ```mlir
    %o = enc.relative_attention %q, %k, %v positions %r biases %u, %w
        segments %ids, %e, %t mask %m {scale = 0.125 : f64}
        : (tensor<?x12x?x64xf32>, tensor<?x12x?x64xf32>,
           tensor<?x12x?x64xf32>, tensor<1x12x?x64xf32>, tensor<12x64xf32>,
           tensor<12x64xf32>, tensor<?x?xi64>, tensor<2x12x64xf32>,
           tensor<12x64xf32>, tensor<?x1x?x?xi1>)
        -> tensor<?x12x?x64xf32>
    ```
  }];
  let arguments = (ins Enc_FloatTensor:$query, Enc_FloatTensor:$key,
                       Enc_FloatTensor:$value, Enc_FloatTensor:$position_key,
                       Enc_FloatTensor:$content_bias,
                       Enc_FloatTensor:$position_bias,
                       Optional<Enc_IndexTensor>:$segment_ids,
                       Optional<Enc_FloatTensor>:$segment_embed,
                       Optional<Enc_FloatTensor>:$segment_bias,
                       Optional<Enc_MaskTensor>:$mask,
                       F64Attr:$scale);
  let results = (outs Enc_FloatTensor:$result);
  let assemblyFormat = [{
    $query `,` $key `,` $value `positions` $position_key `biases`
    $content_bias `,` $position_bias
    (`segments` $segment_ids^ `,` $segment_embed `,` $segment_bias)?
    (`mask` $mask^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Enc_RotaryOp : Enc_Op<"rotary",
    [Pure, AllTypesMatch<["input", "result"]>]> {
  let summary = "rotary position embedding (RoPE) of queries or keys";
  let description = [{
    Rotates pairs of features of `input` (`[batch, heads, seq, head_dim]`)
    by an angle that grows with the position (`offset + s`), as in RoFormer
    and the "rotate half" convention of GPT-NeoX and LLaMA: the first
    `rotary_dim` features (default: all; must be even) are split into halves
    `x1`, `x2` and become `x1 cos θ - x2 sin θ`, `x2 cos θ + x1 sin θ` with
    `θ_i = position * base^(-2i / rotary_dim)`; the other features pass
    through.

    Example:

    ```mlir
    %q_rot = enc.rotary %q {base = 10000.0 : f64} : tensor<2x12x128x64xf32>
    ```
  }];
  let arguments = (ins Enc_FloatTensor:$input,
                       DefaultValuedAttr<F64Attr, "10000.0">:$base,
                       OptionalAttr<ConfinedAttr<I64Attr, [IntPositive]>>:$rotary_dim,
                       DefaultValuedAttr<ConfinedAttr<I64Attr, [IntNonNegative]>,
                                         "0">:$offset);
  let results = (outs Enc_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def Enc_RelativePositionBiasOp : Enc_Op<"relative_position_bias", [Pure]> {
  let summary = "bucketed relative position bias (T5) for attention";
  let description = [{
    Builds the additive attention bias `[1, heads, q_len, kv_len]` of T5's
    relative attention: the offset `j - i` of key `j` from query `i` falls
    into one of `num_buckets` buckets (exact for small offsets, logarithmic
    up to `max_distance`; signed when `bidirectional`, as in encoders), and
    `table` (`[num_buckets, heads]`, an `nn.Embedding` weight) gives each
    head's bias for that bucket. The result goes to `enc.attention` as its
    bias. `max_distance` is at most 2^20 (the lowering tabulates every
    offset up to it).

    Example:

    ```mlir
    %bias = enc.relative_position_bias %table, %q_len, %kv_len
        {num_buckets = 32 : i64, max_distance = 128 : i64, bidirectional}
        : (tensor<32x8xf32>, index, index) -> tensor<1x8x?x?xf32>
    ```
  }];
  let arguments = (ins Enc_FloatTensor:$table, Index:$query_length,
                       Index:$key_length,
                       ConfinedAttr<I64Attr, [IntPositive]>:$num_buckets,
                       ConfinedAttr<I64Attr, [IntPositive]>:$max_distance,
                       UnitAttr:$bidirectional);
  let results = (outs Enc_FloatTensor:$result);
  let assemblyFormat = [{
    $table `,` $query_length `,` $key_length attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    static constexpr int64_t kMaxDistance = int64_t(1) << 20;
  }];
}


def Enc_AdditiveAttentionOp : Enc_Op<"additive_attention", [Pure]> {
  let summary = "Bahdanau's additive attention of one query over a sequence";
  let description = [{
    Additive attention (Bahdanau et al., 2015) of a decoder state over the
    states of an encoder, from their projections: for `query` `[batch,
    units]` (the state through `W_a`), `keys` `[batch, seq, units]` (the
    encoder states through `U_a`, computed once per sequence), the score
    vector `v` `[units]` and `values` `[batch, seq, dim]` (the encoder
    states):

    `e_t = v · tanh(query + keys_t)`, `weights = softmax_t(e)`,
    `context = sum_t weights_t values_t`

    Results: `context_vector` `[batch, dim]` and `weights` `[batch, seq]`. The
    projections are `enc.linear`s (a bias of `v`'s layer adds the same to
    every score and cancels in the softmax). The optional `mask`
    (`[batch, seq]`, nonzero where a state counts: the lengths of padded
    sequences) gives left-out states the most negative finite score, as
    `enc.attention` does, so they get weight 0 (all of a row's states left
    out: equal weights).

    Example:

    ```mlir
    %context, %weights = enc.additive_attention %q, %k, %h, %v mask %m
        : (tensor<?x128xf32>, tensor<?x?x128xf32>, tensor<?x?x256xf32>,
           tensor<128xf32>, tensor<?x?xi64>)
        -> (tensor<?x256xf32>, tensor<?x?xf32>)
    ```
  }];
  let arguments = (ins Enc_FloatTensor:$query, Enc_FloatTensor:$keys,
                       Enc_FloatTensor:$values, Enc_FloatTensor:$score,
                       Optional<Enc_PaddingMaskTensor>:$mask);
  let results = (outs Enc_FloatTensor:$context_vector, Enc_FloatTensor:$weights);
  let assemblyFormat = [{
    $query `,` $keys `,` $values `,` $score (`mask` $mask^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Swin's (shifted) windows
//===----------------------------------------------------------------------===//

def Enc_WindowPartitionOp : Enc_Op<"window_partition", [Pure]> {
  let summary = "Swin's (shifted) windows of a token grid";
  let description = [{
    Rolls `input` (`[batch, height, width, channels]`) by `-shift` along
    height and width (`torch.roll(x, (-shift, -shift), (1, 2))`, Swin's
    cyclic shift) and cuts it into non-overlapping `window_size` x
    `window_size` windows: the result is `[batch, windows, window_size²,
    channels]`, windows in row-major order over the grid and tokens in
    row-major order within a window (Hugging Face's `window_partition`).
    `height` and `width` are static multiples of `window_size`;
    `0 <= shift < window_size`. `enc.window_merge` is the inverse.

    Example:

    ```mlir
    %w = enc.window_partition %x {window_size = 7 : i64, shift = 3 : i64}
        : (tensor<?x56x56x96xf32>) -> tensor<?x64x49x96xf32>
    ```
  }];
  let arguments = (ins Enc_FloatTensor:$input,
                       ConfinedAttr<I64Attr, [IntPositive]>:$window_size,
                       DefaultValuedAttr<ConfinedAttr<I64Attr, [IntNonNegative]>,
                                         "0">:$shift);
  let results = (outs Enc_FloatTensor:$result);
  let assemblyFormat = [{
    $input attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Enc_WindowMergeOp : Enc_Op<"window_merge", [Pure]> {
  let summary = "the token grid of Swin's (shifted) windows";
  let description = [{
    The inverse of `enc.window_partition`: `input` (`[batch, windows,
    window_size², channels]`) back on the grid `[batch, height, width,
    channels]` of the result type, rolled by `+shift` (Hugging Face's
    `window_reverse` followed by `torch.roll(x, (shift, shift), (1, 2))`).

    Example:

    ```mlir
    %x = enc.window_merge %w {window_size = 7 : i64, shift = 3 : i64}
        : (tensor<?x64x49x96xf32>) -> tensor<?x56x56x96xf32>
    ```
  }];
  let arguments = (ins Enc_FloatTensor:$input,
                       ConfinedAttr<I64Attr, [IntPositive]>:$window_size,
                       DefaultValuedAttr<ConfinedAttr<I64Attr, [IntNonNegative]>,
                                         "0">:$shift);
  let results = (outs Enc_FloatTensor:$result);
  let assemblyFormat = [{
    $input attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Enc_WindowBiasOp : Enc_Op<"window_bias", [Pure]> {
  let summary = "Swin's window attention bias: relative positions and shift mask";
  let description = [{
    The additive attention bias of Swin's window attention, for the windows
    of `enc.window_partition` laid out with the heads as one dimension
    (window-major): the result is `[1, windows · heads, window_size²,
    window_size²]`, for `enc.attention` on queries and keys `[batch,
    windows · heads, window_size², head_dim]`.

    - `table` is the relative position bias table,
      `[(2 · window_size - 1)², heads]` (an `nn.Parameter`); token pair
      `(i, j)` of a window reads row
      `(Δrow + window_size - 1) · (2 · window_size - 1) + Δcol +
      window_size - 1` for the offset of `i` from `j` (Hugging Face's
      `relative_position_index`) and column `head`.
    - With `shift` > 0 (a shifted block), pairs that the roll brought
      together from different regions of the grid (`grid` = `[height,
      width]`, split at `size - window_size` and `size - shift` along each
      axis) get -100 added (Swin's `attn_mask`).

    It depends on the table alone: `enc-hoist-weight-only` computes it once
    per weight binding. Like `enc.relative_position_bias`, it broadcasts
    over the batch.

    Example:

    ```mlir
    %bias = enc.window_bias %table
        {window_size = 7 : i64, shift = 3 : i64, grid = array<i64: 56, 56>}
        : (tensor<169x3xf32>) -> tensor<1x192x49x49xf32>
    ```
  }];
  let arguments = (ins Enc_FloatTensor:$table,
                       ConfinedAttr<I64Attr, [IntPositive]>:$window_size,
                       DefaultValuedAttr<ConfinedAttr<I64Attr, [IntNonNegative]>,
                                         "0">:$shift,
                       DenseI64ArrayAttr:$grid);
  let results = (outs Enc_FloatTensor:$result);
  let assemblyFormat = [{
    $table attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The windows of the grid (rows, columns).
    int64_t getWindowRows() { return getGrid()[0] / getWindowSize(); }
    int64_t getWindowColumns() { return getGrid()[1] / getWindowSize(); }
  }];
}

#endif // ENC_ENCATTENTIONOPS_TD
