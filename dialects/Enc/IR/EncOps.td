//===- EncOps.td - enc dialect operations ------------------*- tablegen -*-===//
//
// Operations of the `enc` dialect. Single-operand rules live in the type
// constraints; rules that relate operands, attributes and results are in the
// verifiers (EncOps.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef ENC_OPS_TD
#define ENC_OPS_TD

include "Enc/IR/EncBase.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Parameters
//===----------------------------------------------------------------------===//

def Enc_ParamOp : Enc_Op<"param", [Pure]> {
  let summary = "a named weight, bound at run time by name";
  let description = [{
    Produces the parameter (weight) called `name`. Its value is not part of
    the program: the runtime binds it by name, usually from a safetensors
    file whose tensor names are the parameter names. The type must be
    statically shaped; the runtime checks the bound tensor against it.

    Several `enc.param` ops with one name denote the same tensor and must
    agree on its type.

    Example:

    ```mlir
    %w = enc.param "encoder.layer.0.output.dense.weight" : tensor<768x3072xf32>
    ```
  }];
  let arguments = (ins StrAttr:$name);
  let results = (outs Enc_ParamTensor:$result);
  let assemblyFormat = "$name attr-dict `:` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Layers
//===----------------------------------------------------------------------===//

def Enc_LinearOp : Enc_Op<"linear", [Pure]> {
  let summary = "fully connected layer: input * weight^T + bias";
  let description = [{
    Applies `y = x Wᵀ + b` over the last dimension of `input`, like
    `torch.nn.functional.linear`: `input` is `[..., in]`, `weight` is
    `[out, in]` (the PyTorch and Hugging Face checkpoint layout), the
    optional `bias` is `[out]`, and the result is `[..., out]`.

    Example:

    ```mlir
    %y = enc.linear %x, %w, %b
        : (tensor<2x128x768xf32>, tensor<3072x768xf32>, tensor<3072xf32>)
        -> tensor<2x128x3072xf32>
    ```
  }];
  let arguments = (ins Enc_FloatTensor:$input, Enc_FloatTensor:$weight,
                       Optional<Enc_FloatTensor>:$bias);
  let results = (outs Enc_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Enc_LayerNormOp : Enc_Op<"layer_norm",
    [Pure, AttrSizedOperandSegments, AllTypesMatch<["input", "result"]>]> {
  let summary = "layer normalization over the last dimension";
  let description = [{
    Normalizes each vector along the last dimension of `input` to zero mean
    and unit variance (biased variance, as PyTorch computes it), with
    `epsilon` added to the variance, then applies the optional elementwise
    affine transform: `y = (x - mean) / sqrt(var + epsilon) * scale + bias`.
    `scale` and `bias` have the shape of the last dimension.

    Example:

    ```mlir
    %y = enc.layer_norm %x scale %gamma bias %beta {epsilon = 1.0e-12 : f64}
        : (tensor<2x128x768xf32>, tensor<768xf32>, tensor<768xf32>)
        -> tensor<2x128x768xf32>
    ```
  }];
  let arguments = (ins Enc_FloatTensor:$input,
                       Optional<Enc_FloatTensor>:$scale,
                       Optional<Enc_FloatTensor>:$bias,
                       DefaultValuedAttr<F64Attr, "1.0e-5">:$epsilon);
  let results = (outs Enc_FloatTensor:$result);
  let assemblyFormat = [{
    $input (`scale` $scale^)? (`bias` $bias^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Enc_ActivationOp : Enc_Op<"activation",
    [Pure, AllTypesMatch<["input", "result"]>]> {
  let summary = "elementwise activation function";
  let description = [{
    Applies an activation function elementwise:

    | kind | definition |
    |---|---|
    | `gelu` | `x * Φ(x) = 0.5 x (1 + erf(x / √2))` (exact GELU) |
    | `gelu_tanh` | `0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³)))` |
    | `quick_gelu` | `x * sigmoid(1.702 x)` (CLIP) |
    | `relu` | `max(x, 0)` |
    | `silu` | `x * sigmoid(x)` |
    | `sigmoid` | `1 / (1 + exp(-x))` |
    | `tanh` | `tanh(x)` |

    Example:

    ```mlir
    %y = enc.activation gelu %x : tensor<2x128x3072xf32>
    ```
  }];
  let arguments = (ins Enc_ActivationKindAttr:$kind, Enc_FloatTensor:$input);
  let results = (outs Enc_FloatTensor:$result);
  let assemblyFormat = [{
    custom<EnumKeyword>($kind) $input attr-dict `:` type($input)
  }];
}

//===----------------------------------------------------------------------===//
// Attention
//===----------------------------------------------------------------------===//

def Enc_AttentionOp : Enc_Op<"attention", [Pure]> {
  let summary = "scaled dot-product attention over heads";
  let description = [{
    Computes `softmax(Q Kᵀ · scale + mask) V` for every batch and head, like
    `torch.nn.functional.scaled_dot_product_attention`:

    - `query` is `[batch, heads, q_len, head_dim]`, `key` is
      `[batch, heads, kv_len, head_dim]`, `value` is
      `[batch, heads, kv_len, v_dim]`; the result is
      `[batch, heads, q_len, v_dim]`.
    - `scale` defaults to `1 / sqrt(head_dim)`.
    - The optional `mask` has rank 4 and broadcasts to
      `[batch, heads, q_len, kv_len]` (each dimension is 1 or the full
      size). A floating-point mask is added to the scores; an `i1` or
      integer mask keeps the scores where it is nonzero and drops the others
      (as `-inf`), so a Hugging Face `attention_mask` reshaped to
      `[batch, 1, 1, kv_len]` can be used as it is.
    - `causal` lets query `i` see only keys `j <= i` (top-left aligned, as
      PyTorch's `is_causal`).

    A row that sees no key (every score `-inf`) gives NaN, as in PyTorch.

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
                       Optional<Enc_MaskTensor>:$mask,
                       OptionalAttr<F64Attr>:$scale,
                       UnitAttr:$causal);
  let results = (outs Enc_FloatTensor:$result);
  let assemblyFormat = [{
    $query `,` $key `,` $value (`mask` $mask^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The scale applied to Q Kᵀ: the attribute, or 1/sqrt(head_dim).
    double getEffectiveScale();
  }];
}

//===----------------------------------------------------------------------===//
// Embeddings
//===----------------------------------------------------------------------===//

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

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

def Enc_PoolOp : Enc_Op<"pool", [Pure]> {
  let summary = "pools a sequence of vectors into one vector";
  let description = [{
    Reduces `input` (`[batch, seq, dim]`) over the sequence to
    `[batch, dim]`:

    - `cls` takes the first position (BERT's [CLS], ViT's class token);
    - `mean` averages the positions; with a padding `mask` (`[batch, seq]`,
      nonzero for real tokens, like Hugging Face's `attention_mask`) it
      averages the real tokens only, dividing by `max(count, 1e-9)` as
      Sentence-BERT does;
    - `max` takes the elementwise maximum; with a `mask`, padded positions
      are left out (a row with no real token gives `-inf`).

    `cls` takes no mask.

    Example:

    ```mlir
    %p = enc.pool mean %h mask %attention_mask
        : (tensor<2x128x768xf32>, tensor<2x128xi64>) -> tensor<2x768xf32>
    ```
  }];
  let arguments = (ins Enc_PoolKindAttr:$kind, Enc_FloatTensor:$input,
                       Optional<Enc_PaddingMaskTensor>:$mask);
  let results = (outs Enc_FloatTensor:$result);
  let assemblyFormat = [{
    custom<EnumKeyword>($kind) $input (`mask` $mask^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

def Enc_CrossEntropyOp : Enc_Op<"cross_entropy", [Pure]> {
  let summary = "softmax cross entropy with integer labels";
  let description = [{
    The negative log-likelihood of `labels` under `softmax(logits)`, like
    `torch.nn.functional.cross_entropy` with class indices, except that the
    class dimension is the last one: `logits` is `[..., classes]` and
    `labels` is `[...]` (so MLM logits `[batch, seq, vocab]` go in as they
    are). Positions whose label equals `ignore_index` (default -100)
    contribute nothing.

    `reduction` is `mean` (default: the average over the positions that are
    not ignored; NaN when all are), `sum` (a 0-d result), or `none` (one loss
    per position, 0 where ignored).

    Example:

    ```mlir
    %loss = enc.cross_entropy %logits, %labels {ignore_index = -100 : i64}
        : (tensor<2x128x30522xf32>, tensor<2x128xi64>) -> tensor<f32>
    ```
  }];
  let arguments = (ins Enc_FloatTensor:$logits, Enc_IndexTensor:$labels,
                       DefaultValuedAttr<I64Attr, "-100">:$ignore_index,
                       DefaultValuedAttr<Enc_ReductionAttr,
                                         "::mlir::enc::Reduction::mean">
                           :$reduction);
  let results = (outs Enc_FloatTensor:$result);
  let assemblyFormat = [{
    $logits `,` $labels attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

#endif // ENC_OPS_TD
