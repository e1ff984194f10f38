//===- EncLossOps.td - enc losses -*- tablegen -*-===//
//
// The training objectives of the encoder families.
//
//===----------------------------------------------------------------------===//

#ifndef ENC_ENCLOSSOPS_TD
#define ENC_ENCLOSSOPS_TD

include "Enc/IR/EncBase.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

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

def Enc_ContrastiveOp : Enc_Op<"contrastive", [Pure]> {
  let summary = "InfoNCE / CLIP contrastive loss of a similarity matrix";
  let description = [{
    For `logits` `[n, n]` whose diagonal holds the matching pairs: the mean
    cross entropy of each row against its diagonal entry (InfoNCE), and with
    `symmetric` the average of that and the same for each column (CLIP:
    text-to-image and image-to-text). A 0-d result.

    Example:

    ```mlir
    %loss = enc.contrastive %logits {symmetric} : (tensor<?x?xf32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins Enc_FloatTensor:$logits, UnitAttr:$symmetric);
  let results = (outs Enc_FloatTensor:$result);
  let assemblyFormat = "$logits attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Enc_SigmoidContrastiveOp : Enc_Op<"sigmoid_contrastive", [Pure]> {
  let summary = "SigLIP's pairwise sigmoid loss";
  let description = [{
    For `logits` `[n, n]` (matching pairs on the diagonal): every pair is a
    binary classification, positive on the diagonal and negative elsewhere,
    `-sum(log_sigmoid(z_ij * logits_ij)) / n` with `z = 2 I - 1` (Zhai et
    al., 2023). A 0-d result.

    Example:

    ```mlir
    %loss = enc.sigmoid_contrastive %logits : (tensor<?x?xf32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins Enc_FloatTensor:$logits);
  let results = (outs Enc_FloatTensor:$result);
  let assemblyFormat = "$logits attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Enc_MseOp : Enc_Op<"mse", [Pure]> {
  let summary = "mean squared error, optionally over masked positions (MAE)";
  let description = [{
    Without `mask`: the mean of `(prediction - target)²` over all elements.
    With `mask` (shape of `prediction` without its last dimension, 1 where
    a position counts): each position's mean over the last dimension,
    averaged over the positions weighted by the mask, as MAE's loss on the
    removed patches. A 0-d result.

    Example:

    ```mlir
    %loss = enc.mse %pred, %target mask %mask
        : (tensor<?x196x768xf32>, tensor<?x196x768xf32>, tensor<?x196xf32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins Enc_FloatTensor:$prediction, Enc_FloatTensor:$target,
                       Optional<Enc_FloatTensor>:$mask);
  let results = (outs Enc_FloatTensor:$result);
  let assemblyFormat = [{
    $prediction `,` $target (`mask` $mask^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Enc_KlDivergenceOp : Enc_Op<"kl_divergence", [Pure]> {
  let summary = "KL divergence of a diagonal Gaussian from N(0, I) (VAE)";
  let description = [{
    For posterior means `mu` and log-variances `logvar` (`[batch, ...]`):
    `-0.5 * sum(1 + logvar - mu² - exp(logvar))` over all but the batch
    dimension, then reduced over the batch (`mean`, the default; `sum`; or
    `none`, one value per sample), as in Kingma & Welling.

    Example:

    ```mlir
    %kl = enc.kl_divergence %mu, %logvar : (tensor<?x16xf32>, tensor<?x16xf32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins Enc_FloatTensor:$mu, Enc_FloatTensor:$logvar,
                       DefaultValuedAttr<Enc_ReductionAttr,
                                         "::mlir::enc::Reduction::mean">
                           :$reduction);
  let results = (outs Enc_FloatTensor:$result);
  let assemblyFormat = [{
    $mu `,` $logvar attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Enc_ReparameterizeOp : Enc_Op<"reparameterize",
    [Pure, AllTypesMatch<["mu", "result"]>]> {
  let summary = "VAE reparameterization: mu + eps * exp(logvar / 2)";
  let description = [{
    Samples `z = mu + eps * exp(0.5 * logvar)` with standard normal `eps`:
    the `noise` operand when given (to reproduce a reference), otherwise a
    deterministic function of `seed` and the element index (Box-Muller on
    hashed uniforms).

    Example:

    ```mlir
    %z = enc.reparameterize %mu, %logvar {seed = 7 : i64}
        : (tensor<?x16xf32>, tensor<?x16xf32>) -> tensor<?x16xf32>
    ```
  }];
  let arguments = (ins Enc_FloatTensor:$mu, Enc_FloatTensor:$logvar,
                       Optional<Enc_FloatTensor>:$noise,
                       DefaultValuedAttr<I64Attr, "0">:$seed);
  let results = (outs Enc_FloatTensor:$result);
  let assemblyFormat = [{
    $mu `,` $logvar (`noise` $noise^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Enc_BinaryCrossEntropyOp : Enc_Op<"binary_cross_entropy", [Pure]> {
  let summary = "binary cross entropy with logits (ELECTRA's RTD loss)";
  let description = [{
    `-(t log σ(x) + (1 - t) log(1 - σ(x)))` for `logits` `x` and `targets`
    `t` of the same shape (floats in [0, 1], or integers 0/1), computed
    stably as `torch.nn.functional.binary_cross_entropy_with_logits`. With a
    `mask` (1 where an element counts, like ELECTRA's attention mask) only
    those elements count. `reduction` is `mean` (over the elements that
    count), `sum`, or `none` (masked elements 0).

    Example:

    ```mlir
    %loss = enc.binary_cross_entropy %logits, %replaced mask %attention_mask
        : (tensor<?x?xf32>, tensor<?x?xi64>, tensor<?x?xi64>) -> tensor<f32>
    ```
  }];
  let arguments = (ins Enc_FloatTensor:$logits, Enc_PaddingMaskTensor:$targets,
                       Optional<Enc_PaddingMaskTensor>:$mask,
                       DefaultValuedAttr<Enc_ReductionAttr,
                                         "::mlir::enc::Reduction::mean">
                           :$reduction);
  let results = (outs Enc_FloatTensor:$result);
  let assemblyFormat = [{
    $logits `,` $targets (`mask` $mask^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Enc_TripletOp : Enc_Op<"triplet", [Pure]> {
  let summary = "triplet margin loss of embedding triples";
  let description = [{
    `mean(max(d(a, p) - d(a, n) + margin, 0))` over the rows of `anchor`,
    `positive` and `negative` (`[n, dim]`), with the Euclidean distance
    `d(x, y) = ||x - y + 1e-6||` of `torch.nn.functional.pairwise_distance`,
    as `triplet_margin_loss` (Sentence-BERT's triplet objective). A 0-d
    result.

    Example:

    ```mlir
    %loss = enc.triplet %a, %p, %n {margin = 1.0 : f64}
        : (tensor<?x768xf32>, tensor<?x768xf32>, tensor<?x768xf32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins Enc_FloatTensor:$anchor, Enc_FloatTensor:$positive,
                       Enc_FloatTensor:$negative,
                       DefaultValuedAttr<F64Attr, "1.0">:$margin);
  let results = (outs Enc_FloatTensor:$result);
  let assemblyFormat = [{
    $anchor `,` $positive `,` $negative attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Enc_DinoLossOp : Enc_Op<"dino_loss", [Pure]> {
  let summary = "DINO self-distillation loss and the teacher's new center";
  let description = [{
    For `student` and `teacher` outputs (`[batch, prototypes]`) and the
    running `center` (`[prototypes]`): the teacher is centered and sharpened,
    `p_t = softmax((teacher - center) / teacher_temperature)`, the student
    `log p_s = log_softmax(student / student_temperature)`, and the loss is
    the batch mean of `-sum(p_t * log p_s)` (Caron et al., 2021). The second
    result is the center's update, `center_momentum * center + (1 -
    center_momentum) * mean(teacher)`.

    Example:

    ```mlir
    %loss, %center2 = enc.dino_loss %s, %t, %center
        {student_temperature = 0.1 : f64, teacher_temperature = 0.04 : f64, center_momentum = 0.9 : f64}
        : (tensor<?x4096xf32>, tensor<?x4096xf32>, tensor<4096xf32>) -> (tensor<f32>, tensor<4096xf32>)
    ```
  }];
  let arguments = (ins Enc_FloatTensor:$student, Enc_FloatTensor:$teacher,
                       Enc_FloatTensor:$center,
                       DefaultValuedAttr<F64Attr, "0.1">:$student_temperature,
                       DefaultValuedAttr<F64Attr, "0.04">:$teacher_temperature,
                       DefaultValuedAttr<F64Attr, "0.9">:$center_momentum);
  let results = (outs Enc_FloatTensor:$loss, Enc_FloatTensor:$new_center);
  let assemblyFormat = [{
    $student `,` $teacher `,` $center attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Enc_NtXentOp : Enc_Op<"nt_xent", [Pure]> {
  let summary = "SimCLR's NT-Xent loss of two views";
  let description = [{
    The normalized temperature-scaled cross entropy of SimCLR (Chen et al.,
    2020) over `embeddings` `[2n, dim]`: rows `0 .. n-1` are the first view
    of `n` samples and rows `n .. 2n-1` the second, in the same order (the
    layout of `torch.cat([z_i, z_j])`). Each row is L2-normalized (as
    `torch.nn.functional.normalize`, norms floored at 1e-12), similarities
    are `s[a, b] = z_a · z_b / temperature`, and row `a`'s loss is the cross
    entropy of `s[a, :]` without the self-similarity `s[a, a]` against its
    other view (`a + n` or `a - n`); the result (0-d) is the mean over all
    `2n` rows.

    Example:

    ```mlir
    %loss = enc.nt_xent %z {temperature = 0.5 : f64}
        : (tensor<?x128xf32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins Enc_FloatTensor:$embeddings,
                       DefaultValuedAttr<F64Attr, "0.5">:$temperature);
  let results = (outs Enc_FloatTensor:$result);
  let assemblyFormat = "$embeddings attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Enc_QueueInfoNceOp : Enc_Op<"queue_info_nce", [Pure]> {
  let summary = "MoCo's InfoNCE loss against a queue of negative keys";
  let description = [{
    The InfoNCE loss of MoCo (He et al., 2020) for `query` and its positive
    `key` (`[n, dim]`, one pair per row) against the negatives in `queue`,
    stored as MoCo's reference code keeps its buffer, `[dim, k]` (one key
    per column). Per row the logits are `[q·key, q·queue[:, 0], ...,
    q·queue[:, k-1]] / temperature` and the loss is their cross entropy
    against class 0; the result (0-d) is the mean over the rows. The
    vectors are used as given: MoCo L2-normalizes queries and keys first
    (`enc.l2_normalize`).

    Example:

    ```mlir
    %loss = enc.queue_info_nce %q, %k, %queue {temperature = 0.07 : f64}
        : (tensor<?x128xf32>, tensor<?x128xf32>, tensor<128x65536xf32>)
        -> tensor<f32>
    ```
  }];
  let arguments = (ins Enc_FloatTensor:$query, Enc_FloatTensor:$key,
                       Enc_FloatTensor:$queue,
                       DefaultValuedAttr<F64Attr, "0.07">:$temperature);
  let results = (outs Enc_FloatTensor:$result);
  let assemblyFormat = [{
    $query `,` $key `,` $queue attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Enc_MaskNoiseOp : Enc_Op<"mask_noise",
    [Pure, AllTypesMatch<["input", "result"]>]> {
  let summary = "masking noise of a denoising autoencoder";
  let description = [{
    Sets each element of `input` to zero with probability `rate` (Vincent et
    al., 2008): element `i` is dropped where its uniform draw `u_i` in
    `[0, 1)` is below `rate`. `u` is the `noise` operand when given (to
    reproduce a reference), otherwise a deterministic function of `seed`
    and the element's row-major index (hashed, as `enc.reparameterize`).
    Unlike dropout, the kept elements are not rescaled.

    Example:

    ```mlir
    %x = enc.mask_noise %pixels {rate = 0.25 : f64, seed = 3 : i64}
        : (tensor<?x784xf32>) -> tensor<?x784xf32>
    ```
  }];
  let arguments = (ins Enc_FloatTensor:$input,
                       Optional<Enc_FloatTensor>:$noise,
                       F64Attr:$rate,
                       DefaultValuedAttr<I64Attr, "0">:$seed);
  let results = (outs Enc_FloatTensor:$result);
  let assemblyFormat = [{
    $input (`noise` $noise^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Enc_GaussianNoiseOp : Enc_Op<"gaussian_noise",
    [Pure, AllTypesMatch<["input", "result"]>]> {
  let summary = "additive Gaussian noise of a denoising autoencoder";
  let description = [{
    `input + std · n` with standard normal `n`: the `noise` operand when
    given, otherwise a deterministic function of `seed` and the element's
    row-major index (Box-Muller on hashed uniforms, as
    `enc.reparameterize`).

    Example:

    ```mlir
    %x = enc.gaussian_noise %pixels {std = 0.1 : f64, seed = 3 : i64}
        : (tensor<?x784xf32>) -> tensor<?x784xf32>
    ```
  }];
  let arguments = (ins Enc_FloatTensor:$input,
                       Optional<Enc_FloatTensor>:$noise,
                       F64Attr:$std,
                       DefaultValuedAttr<I64Attr, "0">:$seed);
  let results = (outs Enc_FloatTensor:$result);
  let assemblyFormat = [{
    $input (`noise` $noise^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Enc_L1PenaltyOp : Enc_Op<"l1_penalty", [Pure]> {
  let summary = "L1 activity penalty of a sparse autoencoder";
  let description = [{
    The batch mean of each sample's `sum |h|` over its other dimensions,
    for `hidden` `[batch, ...]`: the sparsity term of a sparse autoencoder
    (weighted by the model, e.g. `loss + λ · penalty`). A 0-d result.

    Example:

    ```mlir
    %p = enc.l1_penalty %h : (tensor<?x64xf32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins Enc_FloatTensor:$hidden);
  let results = (outs Enc_FloatTensor:$result);
  let assemblyFormat = "$hidden attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Enc_KlSparsityOp : Enc_Op<"kl_sparsity", [Pure]> {
  let summary = "KL sparsity penalty of a sparse autoencoder";
  let description = [{
    For activations `hidden` `[batch, units]` in `(0, 1)` (a sigmoid
    layer) and the target activation `target` (ρ): with `ρ̂_j` the batch mean
    of unit `j`, the sum over units of
    `ρ log(ρ / ρ̂_j) + (1 - ρ) log((1 - ρ) / (1 - ρ̂_j))` (Ng's sparse
    autoencoder). A 0-d result.

    Example:

    ```mlir
    %p = enc.kl_sparsity %h {target = 0.05 : f64} : (tensor<?x64xf32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins Enc_FloatTensor:$hidden,
                       DefaultValuedAttr<F64Attr, "0.05">:$target);
  let results = (outs Enc_FloatTensor:$result);
  let assemblyFormat = "$hidden attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Enc_ContractivePenaltyOp : Enc_Op<"contractive_penalty", [Pure]> {
  let summary = "contractive autoencoder's Jacobian penalty, in closed form";
  let description = [{
    The batch mean of `||∂h/∂x||_F²` for an encoder layer
    `h = activation(x Wᵀ + b)` (Rifai et al., 2011), from its output
    `hidden` `[batch, units]` and `weight` `[units, in]`: the Jacobian is
    `diag(g(h)) W`, so its squared Frobenius norm is
    `sum_j g(h_j)² · sum_k W_jk²` with `g` the activation's derivative
    written in its output: `h (1 - h)` for `sigmoid`, `1 - h²` for `tanh`,
    `h > 0` for `relu`. A 0-d result.

    Example:

    ```mlir
    %p = enc.contractive_penalty %h, %w {activation = #enc<activation sigmoid>}
        : (tensor<?x64xf32>, tensor<64x784xf32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins Enc_FloatTensor:$hidden, Enc_FloatTensor:$weight,
                       Enc_ActivationKindAttr:$activation);
  let results = (outs Enc_FloatTensor:$result);
  let assemblyFormat = [{
    $hidden `,` $weight attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}


#endif // ENC_ENCLOSSOPS_TD
