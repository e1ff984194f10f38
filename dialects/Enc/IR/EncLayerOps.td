//===- EncLayerOps.td - enc parameters and layers -*- tablegen -*-===//
//
// Parameters, dense layers, convolutions, normalizations and activations.
//
//===----------------------------------------------------------------------===//

#ifndef ENC_ENCLAYEROPS_TD
#define ENC_ENCLAYEROPS_TD

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

def Enc_PackedParamOp : Enc_Op<"packed_param", [Pure]> {
  let summary = "a weight built at bind time from named parameters";
  let description = [{
    A parameter that is a function of checkpoint tensors rather than one of
    them: the parameters named in `sources` (of shapes `source_shapes`) are
    concatenated along `concat_dim`, and with `panel` the result, viewed
    as a matrix `[n, k]` (its first dimension by the product of the others:
    a convolution weight is the matrix of its im2col matmul), is laid out
    as `[n / panel, k, panel]` (element `[j, k, c]` = `[j * panel + c, k]`),
    the layout the CPU matmul micro-kernel reads. Panels of sources of rank
    above 2 need `concat_dim = 0`.

    The runtime builds it once, when its sources are bound, so the work of
    merging Q/K/V projections or packing weights is never paid per call.
    Like `enc.param` it becomes a function argument (`enc-lift-params`);
    the artifact's metadata says how to build it (docs/artifact-abi.md).

    Example:

    ```mlir
    %qkv = enc.packed_param ["q.weight", "k.weight", "v.weight"]
        {source_shapes = [array<i64: 768, 768>, array<i64: 768, 768>, array<i64: 768, 768>],
         concat_dim = 0 : i64, panel = 32 : i64} : tensor<72x768x32xf32>
    ```
  }];
  let arguments = (ins StrArrayAttr:$sources,
                       TypedArrayAttrBase<DenseI64ArrayAttr,
                                          "list of source shapes">:$source_shapes,
                       DefaultValuedAttr<I64Attr, "0">:$concat_dim,
                       OptionalAttr<I64Attr>:$panel);
  let results = (outs Enc_ParamTensor:$result);
  let assemblyFormat = "$sources attr-dict `:` type($result)";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The name of the function argument this parameter becomes: its
    /// sources joined with '+', and '#panel<p>' when packed.
    std::string getArgumentName();
  }];
}

//===----------------------------------------------------------------------===//
// Layers
//===----------------------------------------------------------------------===//

def Enc_LinearOp : Enc_Op<"linear", [Pure, AttrSizedOperandSegments]> {
  let summary = "fully connected layer: act(input * weight^T + bias) + residual";
  let description = [{
    Applies `y = x Wᵀ + b` over the last dimension of `input`, like
    `torch.nn.functional.linear`: `input` is `[..., in]`, `weight` is
    `[out, in]` (the PyTorch and Hugging Face checkpoint layout), the
    optional `bias` is `[out]`, and the result is `[..., out]`.

    The epilogue a kernel can apply before storing is part of the op, so
    that fusion passes can put it there: the optional `activation` is
    applied to `x Wᵀ + b`, then the optional `residual` (the result's shape)
    is added.

    `weight` may also be packed for the CPU micro-kernel: `[out / p, in, p]`
    with element `[j, k, c]` = `W[j * p + c, k]` (see `enc.packed_param`).

    Example:

    ```mlir
    %y = enc.linear %x, %w, %b
        : (tensor<2x128x768xf32>, tensor<3072x768xf32>, tensor<3072xf32>)
        -> tensor<2x128x3072xf32>
    %h = enc.linear %x, %wp, %b residual %r {activation = #enc<activation gelu>}
        : (tensor<2x128x768xf32>, tensor<24x768x32xf32>, tensor<768xf32>,
           tensor<2x128x768xf32>) -> tensor<2x128x768xf32>
    ```
  }];
  let arguments = (ins Enc_FloatTensor:$input, Enc_FloatTensor:$weight,
                       Optional<Enc_FloatTensor>:$bias,
                       Optional<Enc_FloatTensor>:$residual,
                       OptionalAttr<Enc_ActivationKindAttr>:$activation);
  let results = (outs Enc_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? (`residual` $residual^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The number of output features, whatever the weight layout.
    int64_t getOutFeatures();
    /// True when the weight is packed in panels ([out / p, in, p]).
    bool hasPackedWeight() {
      return ::llvm::cast<::mlir::RankedTensorType>(getWeight().getType())
                 .getRank() == 3;
    }
  }];
}

def Enc_LayerNormOp : Enc_Op<"layer_norm",
    [Pure, AttrSizedOperandSegments, AllTypesMatch<["input", "result"]>]> {
  let summary = "layer normalization over the last dimension";
  let description = [{
    Normalizes each vector along the last dimension of `input` to zero mean
    and unit variance (biased variance, as PyTorch computes it), with
    `epsilon` added to the variance, then applies the optional elementwise
    affine transform: `y = (x - mean) / sqrt(var + epsilon) * scale + bias`.
    With a `residual` (the input's shape) the normalized vector is
    `input + residual`: the add of a post-LN residual block, fused so that
    the sum is never written out.
    `scale` and `bias` have the shape of the last dimension.

    Example:

    ```mlir
    %y = enc.layer_norm %x scale %gamma bias %beta {epsilon = 1.0e-12 : f64}
        : (tensor<2x128x768xf32>, tensor<768xf32>, tensor<768xf32>)
        -> tensor<2x128x768xf32>
    ```
  }];
  let arguments = (ins Enc_FloatTensor:$input,
                       Optional<Enc_FloatTensor>:$residual,
                       Optional<Enc_FloatTensor>:$scale,
                       Optional<Enc_FloatTensor>:$bias,
                       DefaultValuedAttr<F64Attr, "1.0e-5">:$epsilon);
  let results = (outs Enc_FloatTensor:$result);
  let assemblyFormat = [{
    $input (`residual` $residual^)? (`scale` $scale^)? (`bias` $bias^)?
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Enc_RMSNormOp : Enc_Op<"rms_norm",
    [Pure, AllTypesMatch<["input", "result"]>]> {
  let summary = "root-mean-square normalization over the last dimension";
  let description = [{
    Scales each vector along the last dimension of `input` by the inverse of
    its root mean square, with `epsilon` added to the mean square, then by
    the optional elementwise `scale`: `y = x / sqrt(mean(x²) + epsilon) *
    scale`. No mean is subtracted and there is no bias: T5's `T5LayerNorm`,
    `torch.nn.RMSNorm`, ONNX's `RMSNormalization`. `scale` has the shape of
    the last dimension. Like `enc.layer_norm`, the statistics are computed
    in the element type.

    Example:

    ```mlir
    %y = enc.rms_norm %x scale %gamma {epsilon = 1.0e-6 : f64}
        : (tensor<2x128x512xf32>, tensor<512xf32>) -> tensor<2x128x512xf32>
    ```
  }];
  let arguments = (ins Enc_FloatTensor:$input,
                       Optional<Enc_FloatTensor>:$scale,
                       DefaultValuedAttr<F64Attr, "1.0e-6">:$epsilon);
  let results = (outs Enc_FloatTensor:$result);
  let assemblyFormat = [{
    $input (`scale` $scale^)? attr-dict `:` functional-type(operands, results)
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

def Enc_GroupNormOp : Enc_Op<"group_norm",
    [Pure, AttrSizedOperandSegments, AllTypesMatch<["input", "result"]>]> {
  let summary = "group normalization over channel groups";
  let description = [{
    Like `torch.nn.functional.group_norm`: `input` is `[batch, channels,
    ...]`; the channels are split into `num_groups` groups, and each group
    of each sample is normalized over its channels and all trailing
    dimensions (biased variance, `epsilon` added), then the optional
    per-channel `scale` and `bias` (`[channels]`) are applied. wav2vec 2.0's
    first feature-encoder layer is a group norm with one group per channel.

    Example:

    ```mlir
    %y = enc.group_norm %x scale %g bias %b {num_groups = 512 : i64, epsilon = 1.0e-5 : f64}
        : (tensor<2x512x3199xf32>, tensor<512xf32>, tensor<512xf32>) -> tensor<2x512x3199xf32>
    ```
  }];
  let arguments = (ins Enc_FloatTensor:$input,
                       Optional<Enc_FloatTensor>:$scale,
                       Optional<Enc_FloatTensor>:$bias,
                       ConfinedAttr<I64Attr, [IntPositive]>:$num_groups,
                       DefaultValuedAttr<F64Attr, "1.0e-5">:$epsilon);
  let results = (outs Enc_FloatTensor:$result);
  let assemblyFormat = [{
    $input (`scale` $scale^)? (`bias` $bias^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Enc_Conv1dOp : Enc_Op<"conv1d", [Pure]> {
  let summary = "1-D convolution over [batch, channels, time]";
  let description = [{
    Like `torch.nn.functional.conv1d`: `input` is `[batch, in, time]`,
    `weight` is `[out, in / groups, kernel]`, the optional `bias` is `[out]`,
    and the result is `[batch, out, (time + 2 padding - kernel) / stride +
    1]`. Zero padding is applied on both sides. With `groups > 1` the
    channels are split into independent groups (wav2vec 2.0's positional
    convolution uses 16).

    Example:

    ```mlir
    %y = enc.conv1d %audio, %w {stride = 5 : i64}
        : (tensor<2x1x16000xf32>, tensor<512x1x10xf32>) -> tensor<2x512x3199xf32>
    ```
  }];
  let arguments = (ins Enc_FloatTensor:$input, Enc_FloatTensor:$weight,
                       Optional<Enc_FloatTensor>:$bias,
                       DefaultValuedAttr<ConfinedAttr<I64Attr, [IntPositive]>,
                                         "1">:$stride,
                       DefaultValuedAttr<ConfinedAttr<I64Attr, [IntNonNegative]>,
                                         "0">:$padding,
                       DefaultValuedAttr<ConfinedAttr<I64Attr, [IntPositive]>,
                                         "1">:$groups);
  let results = (outs Enc_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`bias` $bias^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Enc_WeightNormOp : Enc_Op<"weight_norm", [Pure]> {
  let summary = "weight normalization: g * v / ||v||";
  let description = [{
    Rebuilds a weight stored in `torch.nn.utils.weight_norm` form: the norm
    of `v` is taken over every dimension except `dim`, and `g` (shape 1
    everywhere but `dim`, where it has `v`'s size) scales each slice:
    `w = g * v / ||v||`. Checkpoints of wav2vec 2.0 store its positional
    convolution this way (`weight_g`, `weight_v`, `dim = 2`).

    Example:

    ```mlir
    %w = enc.weight_norm %g, %v {dim = 2 : i64}
        : (tensor<1x1x128xf32>, tensor<768x48x128xf32>) -> tensor<768x48x128xf32>
    ```
  }];
  let arguments = (ins Enc_FloatTensor:$g, Enc_FloatTensor:$v,
                       ConfinedAttr<I64Attr, [IntNonNegative]>:$dim);
  let results = (outs Enc_FloatTensor:$result);
  let assemblyFormat = [{
    $g `,` $v attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}


#endif // ENC_ENCLAYEROPS_TD
