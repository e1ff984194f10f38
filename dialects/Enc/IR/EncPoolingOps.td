//===- EncPoolingOps.td - enc pooling and similarity -*- tablegen -*-===//
//
// Sequence pooling, normalization of embeddings and similarity matrices.
//
//===----------------------------------------------------------------------===//

#ifndef ENC_ENCPOOLINGOPS_TD
#define ENC_ENCPOOLINGOPS_TD

include "Enc/IR/EncBase.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

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
      are left out (a row with no real token gives `-inf`);
    - `last` takes the last position, or with a `mask` the last real token
      (position `count - 1` for right-padded rows; position 0 when the row
      has none): CLIP's end-of-text token, SigLIP's last position.

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

def Enc_L2NormalizeOp : Enc_Op<"l2_normalize",
    [Pure, AllTypesMatch<["input", "result"]>]> {
  let summary = "divides vectors by their Euclidean norm";
  let description = [{
    `x / max(||x||, epsilon)` along the last dimension, as
    `torch.nn.functional.normalize` (Sentence-BERT's normalize layer, CLIP's
    embeddings).

    Example:

    ```mlir
    %e = enc.l2_normalize %pooled : tensor<?x768xf32>
    ```
  }];
  let arguments = (ins Enc_FloatTensor:$input,
                       DefaultValuedAttr<F64Attr, "1.0e-12">:$epsilon);
  let results = (outs Enc_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def Enc_SimilarityOp : Enc_Op<"similarity", [Pure, AttrSizedOperandSegments]> {
  let summary = "similarity matrix of two sets of embeddings";
  let description = [{
    `result[i, j] = scale * sim(lhs[i], rhs[j]) + bias` for `lhs` `[n, dim]`
    and `rhs` `[m, dim]`, where `sim` is the dot product (`dot`) or the
    cosine similarity (`cosine`, which normalizes both sides first). The
    optional `scale` and `bias` are one-element tensors (shape `[]` or
    `[1]`): CLIP's `logit_scale`, SigLIP's `logit_scale` and `logit_bias`.
    With `exp_scale` the scale is stored as a logarithm and `exp(scale)` is
    used, as both models do (the learnable temperature).

    Example:

    ```mlir
    %logits = enc.similarity dot %text, %image scale %logit_scale {exp_scale}
        : (tensor<?x512xf32>, tensor<?x512xf32>, tensor<f32>) -> tensor<?x?xf32>
    ```
  }];
  let arguments = (ins Enc_SimilarityKindAttr:$kind, Enc_FloatTensor:$lhs,
                       Enc_FloatTensor:$rhs,
                       Optional<Enc_FloatTensor>:$scale,
                       Optional<Enc_FloatTensor>:$bias,
                       UnitAttr:$exp_scale);
  let results = (outs Enc_FloatTensor:$result);
  let assemblyFormat = [{
    custom<EnumKeyword>($kind) $lhs `,` $rhs (`scale` $scale^)? (`bias` $bias^)?
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}


//===----------------------------------------------------------------------===//
// Image pooling (NCHW)
//===----------------------------------------------------------------------===//

class Enc_WindowPool2dOp<string mnemonic> : Enc_Op<mnemonic, [Pure]> {
  let results = (outs Enc_FloatTensor:$result);
  let assemblyFormat = [{
    $input attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  code windowAccessors = [{
    /// The stride: the attribute, or the kernel size (PyTorch's default).
    SmallVector<int64_t> getEffectiveStride() {
      if (std::optional<ArrayRef<int64_t>> stride = getStride())
        return SmallVector<int64_t>(*stride);
      return SmallVector<int64_t>(getKernelSize());
    }
    /// PyTorch's pooled size of one axis (pooling_output_shape); < 1 when
    /// the dilated window does not fit the padded axis.
    static int64_t pooledSize(int64_t size, int64_t kernel, int64_t stride,
                              int64_t pad, int64_t dilation, bool ceil) {
      int64_t span = size + 2 * pad - dilation * (kernel - 1) - 1;
      if (span < 0)
        return 0;
      int64_t out = (ceil ? (span + stride - 1) / stride : span / stride) + 1;
      if (ceil && (out - 1) * stride >= size + pad)
        --out;
      return out;
    }
  }];
}

def Enc_MaxPool2dOp : Enc_WindowPool2dOp<"max_pool2d"> {
  let summary = "2-D max pooling over an NCHW image";
  let description = [{
    `torch.nn.functional.max_pool2d`: the maximum over each
    `kernel_size` window (`[kh, kw]`) of `input` (`[batch, channels,
    height, width]`), moved by `stride` (default: the kernel size), with
    `padding` (`[ph, pw]`, at most half the kernel, implicitly -inf) on both
    sides and `dilation`; `ceil_mode` rounds the output size up (a window
    must still start inside the input or its left padding). Height and
    width are static: the window geometry is fixed at compile time.

    Example:

    ```mlir
    %y = enc.max_pool2d %x {kernel_size = array<i64: 3, 3>,
                            stride = array<i64: 2, 2>, padding = array<i64: 1, 1>}
        : (tensor<?x64x112x112xf32>) -> tensor<?x64x56x56xf32>
    ```
  }];
  let arguments = (ins Enc_FloatTensor:$input,
                       DenseI64ArrayAttr:$kernel_size,
                       OptionalAttr<DenseI64ArrayAttr>:$stride,
                       DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0}">:$padding,
                       DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilation,
                       UnitAttr:$ceil_mode);
  let extraClassDeclaration = windowAccessors;
}

def Enc_AvgPool2dOp : Enc_WindowPool2dOp<"avg_pool2d"> {
  let summary = "2-D average pooling over an NCHW image";
  let description = [{
    `torch.nn.functional.avg_pool2d`: the mean over each `kernel_size`
    window of `input` (`[batch, channels, height, width]`), moved by
    `stride` (default: the kernel size), with zero `padding` (`[ph, pw]`, at
    most half the kernel) on both sides; `ceil_mode` rounds the output size
    up. The divisor is the window's size within the padded input when
    `count_include_pad` (the default), else the number of input elements it
    covers, as PyTorch computes both. Height and width are static.

    Example:

    ```mlir
    %y = enc.avg_pool2d %x {kernel_size = array<i64: 2, 2>}
        : (tensor<?x64x56x56xf32>) -> tensor<?x64x28x28xf32>
    ```
  }];
  let arguments = (ins Enc_FloatTensor:$input,
                       DenseI64ArrayAttr:$kernel_size,
                       OptionalAttr<DenseI64ArrayAttr>:$stride,
                       DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0}">:$padding,
                       UnitAttr:$ceil_mode,
                       DefaultValuedAttr<BoolAttr, "true">:$count_include_pad);
  let extraClassDeclaration = windowAccessors;
}

def Enc_AdaptiveAvgPool2dOp : Enc_Op<"adaptive_avg_pool2d", [Pure]> {
  let summary = "2-D adaptive average pooling to a given output size";
  let description = [{
    `torch.nn.functional.adaptive_avg_pool2d`: `input` (`[batch, channels,
    height, width]`) averaged over bins onto the result's `[oh, ow]`; bin
    `i` of an axis of size `n` covers `[floor(i · n / o), ceil((i + 1) · n /
    o))`. Spatial sizes are static (ResNet's global pooling: `o = 1`).

    Example:

    ```mlir
    %y = enc.adaptive_avg_pool2d %x : (tensor<?x512x7x7xf32>) -> tensor<?x512x1x1xf32>
    ```
  }];
  let arguments = (ins Enc_FloatTensor:$input);
  let results = (outs Enc_FloatTensor:$result);
  let assemblyFormat = [{
    $input attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Enc_Upsample2dOp : Enc_Op<"upsample2d", [Pure]> {
  let summary = "2-D nearest or bilinear resizing of an NCHW image";
  let description = [{
    `torch.nn.functional.interpolate(input, size=(oh, ow), mode=...)` with
    the result's `[oh, ow]`: `nearest` reads source `floor(o · in / out)`,
    `bilinear` blends the four neighbours of source
    `max((o + 0.5) · in / out - 0.5, 0)`, or with `align_corners`
    `o · (in - 1) / (out - 1)`; the source positions are computed in f32, as
    PyTorch's CPU kernels do. Spatial sizes are static (U-Net's 2x up path).

    Example:

    ```mlir
    %y = enc.upsample2d %x {mode = #enc<upsample bilinear>}
        : (tensor<?x64x28x28xf32>) -> tensor<?x64x56x56xf32>
    ```
  }];
  let arguments = (ins Enc_FloatTensor:$input, Enc_UpsampleModeAttr:$mode,
                       UnitAttr:$align_corners);
  let results = (outs Enc_FloatTensor:$result);
  let assemblyFormat = [{
    $input attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

#endif // ENC_ENCPOOLINGOPS_TD
