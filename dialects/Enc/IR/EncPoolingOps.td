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


#endif // ENC_ENCPOOLINGOPS_TD
