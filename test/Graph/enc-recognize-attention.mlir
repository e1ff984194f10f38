// RUN: encoder-opt %s -enc-recognize-attention -split-input-file | FileCheck %s

// The [B*H, S, D] form: batch_matmul with a transposed K, a scale, an
// additive mask, softmax over the keys, batch_matmul with V.
// CHECK-LABEL: func.func @bmm_scale_mask
// CHECK-SAME: (%[[Q:.*]]: tensor<6x5x8xf32>, %[[K:.*]]: tensor<6x7x8xf32>, %[[V:.*]]: tensor<6x7x4xf32>, %[[M:.*]]: tensor<6x5x7xf32>)
// CHECK-DAG: %[[Q4:.*]] = tensor.expand_shape %[[Q]] {{\[\[}}0, 1], [2], [3]] output_shape [1, 6, 5, 8] : tensor<6x5x8xf32> into tensor<1x6x5x8xf32>
// CHECK-DAG: %[[K4:.*]] = tensor.expand_shape %[[K]] {{\[\[}}0, 1], [2], [3]] output_shape [1, 6, 7, 8] : tensor<6x7x8xf32> into tensor<1x6x7x8xf32>
// CHECK-DAG: %[[V4:.*]] = tensor.expand_shape %[[V]] {{\[\[}}0, 1], [2], [3]] output_shape [1, 6, 7, 4] : tensor<6x7x4xf32> into tensor<1x6x7x4xf32>
// CHECK-DAG: %[[M4:.*]] = tensor.expand_shape %[[M]] {{\[\[}}0, 1], [2], [3]] output_shape [1, 6, 5, 7] : tensor<6x5x7xf32> into tensor<1x6x5x7xf32>
// CHECK: %[[A:.*]] = enc.attention %[[Q4]], %[[K4]], %[[V4]] mask %[[M4]] {scale = 0.353553{{[0-9]*}} : f64} : (tensor<1x6x5x8xf32>, tensor<1x6x7x8xf32>, tensor<1x6x7x4xf32>, tensor<1x6x5x7xf32>) -> tensor<1x6x5x4xf32>
// CHECK: %[[O:.*]] = tensor.collapse_shape %[[A]] {{\[\[}}0, 1], [2], [3]] : tensor<1x6x5x4xf32> into tensor<6x5x4xf32>
// CHECK-NOT: linalg.softmax
// CHECK-NOT: linalg.batch_matmul
// CHECK: return %[[O]]
func.func @bmm_scale_mask(%q: tensor<6x5x8xf32>, %k: tensor<6x7x8xf32>, %v: tensor<6x7x4xf32>,
                          %m: tensor<6x5x7xf32>) -> tensor<6x5x4xf32> {
  %zero = arith.constant 0.0 : f32
  %kt_init = tensor.empty() : tensor<6x8x7xf32>
  %kt = linalg.transpose ins(%k : tensor<6x7x8xf32>) outs(%kt_init : tensor<6x8x7xf32>) permutation = [0, 2, 1]
  %s_init = tensor.empty() : tensor<6x5x7xf32>
  %s_zero = linalg.fill ins(%zero : f32) outs(%s_init : tensor<6x5x7xf32>) -> tensor<6x5x7xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<6x5x8xf32>, tensor<6x8x7xf32>) outs(%s_zero : tensor<6x5x7xf32>) -> tensor<6x5x7xf32>
  %c = arith.constant dense<0.353553385> : tensor<6x5x7xf32>
  %s2 = arith.mulf %s, %c : tensor<6x5x7xf32>
  %s3 = arith.addf %s2, %m : tensor<6x5x7xf32>
  %p = linalg.softmax dimension(2) ins(%s3 : tensor<6x5x7xf32>) outs(%s_init : tensor<6x5x7xf32>) -> tensor<6x5x7xf32>
  %o_init = tensor.empty() : tensor<6x5x4xf32>
  %o_zero = linalg.fill ins(%zero : f32) outs(%o_init : tensor<6x5x4xf32>) -> tensor<6x5x4xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<6x5x7xf32>, tensor<6x7x4xf32>) outs(%o_zero : tensor<6x5x4xf32>) -> tensor<6x5x4xf32>
  return %o : tensor<6x5x4xf32>
}

// -----

// Dynamic B*H and sequence lengths: the reshapes take their sizes from
// the operands. Scores divided by a constant (scale = 1/c; a linalg.fill,
// as a dynamic tensor cannot be an arith.constant), the mask on the left
// of the add.
// CHECK-LABEL: func.func @dynamic_div
// CHECK-SAME: (%[[Q:.*]]: tensor<?x?x8xf32>, %[[K:.*]]: tensor<?x?x8xf32>, %[[V:.*]]: tensor<?x?x8xf32>, %[[M:.*]]: tensor<?x?x?xf32>)
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[QB:.*]] = tensor.dim %[[Q]], %[[C0]]
// CHECK-DAG: %[[Q4:.*]] = tensor.expand_shape %[[Q]] {{\[\[}}0, 1], [2], [3]] output_shape [1, %[[QB]], %{{.*}}, 8] : tensor<?x?x8xf32> into tensor<1x?x?x8xf32>
// CHECK-DAG: %[[M4:.*]] = tensor.expand_shape %[[M]] {{\[\[}}0, 1], [2], [3]] output_shape [1, %{{.*}}, %{{.*}}, %{{.*}}] : tensor<?x?x?xf32> into tensor<1x?x?x?xf32>
// CHECK: %[[A:.*]] = enc.attention %[[Q4]], %{{.*}}, %{{.*}} mask %[[M4]] {scale = 2.500000e-01 : f64} : (tensor<1x?x?x8xf32>, tensor<1x?x?x8xf32>, tensor<1x?x?x8xf32>, tensor<1x?x?x?xf32>) -> tensor<1x?x?x8xf32>
// CHECK: %[[O:.*]] = tensor.collapse_shape %[[A]] {{\[\[}}0, 1], [2], [3]] : tensor<1x?x?x8xf32> into tensor<?x?x8xf32>
// CHECK: return %[[O]]
func.func @dynamic_div(%q: tensor<?x?x8xf32>, %k: tensor<?x?x8xf32>, %v: tensor<?x?x8xf32>,
                       %m: tensor<?x?x?xf32>) -> tensor<?x?x8xf32> {
  %zero = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %bh = tensor.dim %q, %c0 : tensor<?x?x8xf32>
  %sq = tensor.dim %q, %c1 : tensor<?x?x8xf32>
  %skv = tensor.dim %k, %c1 : tensor<?x?x8xf32>
  %kt_init = tensor.empty(%bh, %skv) : tensor<?x8x?xf32>
  %kt = linalg.transpose ins(%k : tensor<?x?x8xf32>) outs(%kt_init : tensor<?x8x?xf32>) permutation = [0, 2, 1]
  %s_init = tensor.empty(%bh, %sq, %skv) : tensor<?x?x?xf32>
  %s_zero = linalg.fill ins(%zero : f32) outs(%s_init : tensor<?x?x?xf32>) -> tensor<?x?x?xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<?x?x8xf32>, tensor<?x8x?xf32>) outs(%s_zero : tensor<?x?x?xf32>) -> tensor<?x?x?xf32>
  %four = arith.constant 4.0 : f32
  %c = linalg.fill ins(%four : f32) outs(%s_init : tensor<?x?x?xf32>) -> tensor<?x?x?xf32>
  %s2 = arith.divf %s, %c : tensor<?x?x?xf32>
  %s3 = arith.addf %m, %s2 : tensor<?x?x?xf32>
  %p = linalg.softmax dimension(2) ins(%s3 : tensor<?x?x?xf32>) outs(%s_init : tensor<?x?x?xf32>) -> tensor<?x?x?xf32>
  %o_init = tensor.empty(%bh, %sq) : tensor<?x?x8xf32>
  %o_zero = linalg.fill ins(%zero : f32) outs(%o_init : tensor<?x?x8xf32>) -> tensor<?x?x8xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<?x?x?xf32>, tensor<?x?x8xf32>) outs(%o_zero : tensor<?x?x8xf32>) -> tensor<?x?x8xf32>
  return %o : tensor<?x?x8xf32>
}

// -----

// A batch_matmul with a transposed-B map reads K as it is; no scale: the
// hand-written form did not scale, so the scale is 1.0, not 1/sqrt(D).
// CHECK-LABEL: func.func @transposed_map_no_scale
// CHECK-SAME: (%[[Q:.*]]: tensor<6x5x8xf32>, %[[K:.*]]: tensor<6x7x8xf32>, %[[V:.*]]: tensor<6x7x4xf32>)
// CHECK-DAG: %[[K4:.*]] = tensor.expand_shape %[[K]]
// CHECK: enc.attention %{{.*}}, %[[K4]], %{{.*}} {scale = 1.000000e+00 : f64} :
// CHECK-NOT: mask
func.func @transposed_map_no_scale(%q: tensor<6x5x8xf32>, %k: tensor<6x7x8xf32>,
                                   %v: tensor<6x7x4xf32>) -> tensor<6x5x4xf32> {
  %zero = arith.constant 0.0 : f32
  %s_init = tensor.empty() : tensor<6x5x7xf32>
  %s_zero = linalg.fill ins(%zero : f32) outs(%s_init : tensor<6x5x7xf32>) -> tensor<6x5x7xf32>
  %s = linalg.batch_matmul
      indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>,
                       affine_map<(b, m, n, k) -> (b, n, k)>,
                       affine_map<(b, m, n, k) -> (b, m, n)>]
      ins(%q, %k : tensor<6x5x8xf32>, tensor<6x7x8xf32>) outs(%s_zero : tensor<6x5x7xf32>) -> tensor<6x5x7xf32>
  %p = linalg.softmax dimension(2) ins(%s : tensor<6x5x7xf32>) outs(%s_init : tensor<6x5x7xf32>) -> tensor<6x5x7xf32>
  %o_zero = arith.constant dense<0.0> : tensor<6x5x4xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<6x5x7xf32>, tensor<6x7x4xf32>) outs(%o_zero : tensor<6x5x4xf32>) -> tensor<6x5x4xf32>
  return %o : tensor<6x5x4xf32>
}

// -----

// The [B, H, S, D] form with linalg.generic contractions (K read through a
// transposed map), the scale constant on the left, and a padding bias
// [B, S_kv] broadcast over heads and queries: the mask is the bias
// reshaped to [B, 1, 1, S_kv]. No reshape of q, k, v.
#q = affine_map<(b, h, m, n, k) -> (b, h, m, k)>
#kt = affine_map<(b, h, m, n, k) -> (b, h, n, k)>
#v = affine_map<(b, h, m, n, k) -> (b, h, k, n)>
#o = affine_map<(b, h, m, n, k) -> (b, h, m, n)>
// CHECK-LABEL: func.func @generic_rank4
// CHECK-SAME: (%[[Q:.*]]: tensor<2x3x?x8xf32>, %[[K:.*]]: tensor<2x3x?x8xf32>, %[[V:.*]]: tensor<2x3x?x8xf32>, %[[BIAS:.*]]: tensor<2x?xf32>)
// CHECK: %[[M:.*]] = tensor.expand_shape %[[BIAS]] {{\[\[}}0], [1, 2, 3]] output_shape [2, 1, 1, %{{.*}}] : tensor<2x?xf32> into tensor<2x1x1x?xf32>
// CHECK: %[[A:.*]] = enc.attention %[[Q]], %[[K]], %[[V]] mask %[[M]] {scale = 1.250000e-01 : f64} : (tensor<2x3x?x8xf32>, tensor<2x3x?x8xf32>, tensor<2x3x?x8xf32>, tensor<2x1x1x?xf32>) -> tensor<2x3x?x8xf32>
// CHECK-NOT: linalg.generic
// CHECK: return %[[A]]
func.func @generic_rank4(%q: tensor<2x3x?x8xf32>, %k: tensor<2x3x?x8xf32>, %v: tensor<2x3x?x8xf32>,
                         %bias: tensor<2x?xf32>) -> tensor<2x3x?x8xf32> {
  %zero = arith.constant 0.0 : f32
  %c2 = arith.constant 2 : index
  %sq = tensor.dim %q, %c2 : tensor<2x3x?x8xf32>
  %skv = tensor.dim %k, %c2 : tensor<2x3x?x8xf32>
  %s_init = tensor.empty(%sq, %skv) : tensor<2x3x?x?xf32>
  %s_zero = linalg.fill ins(%zero : f32) outs(%s_init : tensor<2x3x?x?xf32>) -> tensor<2x3x?x?xf32>
  %s = linalg.generic {indexing_maps = [#q, #kt, #o],
                       iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : tensor<2x3x?x8xf32>, tensor<2x3x?x8xf32>) outs(%s_zero : tensor<2x3x?x?xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %mul = arith.mulf %a, %b : f32
    %add = arith.addf %acc, %mul : f32
    linalg.yield %add : f32
  } -> tensor<2x3x?x?xf32>
  %eighth = arith.constant 0.125 : f32
  %c = linalg.fill ins(%eighth : f32) outs(%s_init : tensor<2x3x?x?xf32>) -> tensor<2x3x?x?xf32>
  %s2 = arith.mulf %c, %s : tensor<2x3x?x?xf32>
  %mb = linalg.broadcast ins(%bias : tensor<2x?xf32>) outs(%s_init : tensor<2x3x?x?xf32>) dimensions = [1, 2]
  %s3 = arith.addf %s2, %mb : tensor<2x3x?x?xf32>
  %p = linalg.softmax dimension(3) ins(%s3 : tensor<2x3x?x?xf32>) outs(%s_init : tensor<2x3x?x?xf32>) -> tensor<2x3x?x?xf32>
  %o_init = tensor.empty(%sq) : tensor<2x3x?x8xf32>
  %o_zero = linalg.fill ins(%zero : f32) outs(%o_init : tensor<2x3x?x8xf32>) -> tensor<2x3x?x8xf32>
  %o = linalg.generic {indexing_maps = [#q, #v, #o],
                       iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p, %v : tensor<2x3x?x?xf32>, tensor<2x3x?x8xf32>) outs(%o_zero : tensor<2x3x?x8xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %mul = arith.mulf %b, %a : f32
    %add = arith.addf %mul, %acc : f32
    linalg.yield %add : f32
  } -> tensor<2x3x?x8xf32>
  return %o : tensor<2x3x?x8xf32>
}

// -----

// One head, [S, D], with linalg.matmul and a transposed K.
// CHECK-LABEL: func.func @matmul_rank2
// CHECK-SAME: (%[[Q:.*]]: tensor<5x8xf32>, %[[K:.*]]: tensor<7x8xf32>, %[[V:.*]]: tensor<7x4xf32>)
// CHECK: %[[Q4:.*]] = tensor.expand_shape %[[Q]] {{\[\[}}0, 1, 2], [3]] output_shape [1, 1, 5, 8] : tensor<5x8xf32> into tensor<1x1x5x8xf32>
// CHECK: %[[A:.*]] = enc.attention %[[Q4]], %{{.*}}, %{{.*}} {scale = 5.000000e-01 : f64} : (tensor<1x1x5x8xf32>, tensor<1x1x7x8xf32>, tensor<1x1x7x4xf32>) -> tensor<1x1x5x4xf32>
// CHECK: %[[O:.*]] = tensor.collapse_shape %[[A]] {{\[\[}}0, 1, 2], [3]] : tensor<1x1x5x4xf32> into tensor<5x4xf32>
// CHECK: return %[[O]]
func.func @matmul_rank2(%q: tensor<5x8xf32>, %k: tensor<7x8xf32>, %v: tensor<7x4xf32>) -> tensor<5x4xf32> {
  %zero = arith.constant 0.0 : f32
  %kt_init = tensor.empty() : tensor<8x7xf32>
  %kt = linalg.transpose ins(%k : tensor<7x8xf32>) outs(%kt_init : tensor<8x7xf32>) permutation = [1, 0]
  %s_init = tensor.empty() : tensor<5x7xf32>
  %s_zero = linalg.fill ins(%zero : f32) outs(%s_init : tensor<5x7xf32>) -> tensor<5x7xf32>
  %s = linalg.matmul ins(%q, %kt : tensor<5x8xf32>, tensor<8x7xf32>) outs(%s_zero : tensor<5x7xf32>) -> tensor<5x7xf32>
  %c = arith.constant dense<0.5> : tensor<5x7xf32>
  %s2 = arith.mulf %s, %c : tensor<5x7xf32>
  %p = linalg.softmax dimension(1) ins(%s2 : tensor<5x7xf32>) outs(%s_init : tensor<5x7xf32>) -> tensor<5x7xf32>
  %o_init = tensor.empty() : tensor<5x4xf32>
  %o_zero = linalg.fill ins(%zero : f32) outs(%o_init : tensor<5x4xf32>) -> tensor<5x4xf32>
  %o = linalg.matmul ins(%p, %v : tensor<5x7xf32>, tensor<7x4xf32>) outs(%o_zero : tensor<5x4xf32>) -> tensor<5x4xf32>
  return %o : tensor<5x4xf32>
}

// -----

// Not recognized: the scores have another user (returned).
// CHECK-LABEL: func.func @scores_used
// CHECK-NOT: enc.attention
// CHECK: linalg.softmax
func.func @scores_used(%q: tensor<6x5x8xf32>, %kt: tensor<6x8x7xf32>, %v: tensor<6x7x4xf32>)
    -> (tensor<6x5x4xf32>, tensor<6x5x7xf32>) {
  %zero = arith.constant 0.0 : f32
  %s_init = tensor.empty() : tensor<6x5x7xf32>
  %s_zero = linalg.fill ins(%zero : f32) outs(%s_init : tensor<6x5x7xf32>) -> tensor<6x5x7xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<6x5x8xf32>, tensor<6x8x7xf32>) outs(%s_zero : tensor<6x5x7xf32>) -> tensor<6x5x7xf32>
  %p = linalg.softmax dimension(2) ins(%s : tensor<6x5x7xf32>) outs(%s_init : tensor<6x5x7xf32>) -> tensor<6x5x7xf32>
  %o_init = tensor.empty() : tensor<6x5x4xf32>
  %o_zero = linalg.fill ins(%zero : f32) outs(%o_init : tensor<6x5x4xf32>) -> tensor<6x5x4xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<6x5x7xf32>, tensor<6x7x4xf32>) outs(%o_zero : tensor<6x5x4xf32>) -> tensor<6x5x4xf32>
  return %o, %s : tensor<6x5x4xf32>, tensor<6x5x7xf32>
}

// -----

// Not recognized: K is not transposed (the product is Q K, not Q Kᵀ); the
// transpose swaps the batch dimension; softmax over the queries; the
// accumulator is not zero; the scale is not a splat; the mask is added
// before the scale; the scale is zero (enc.attention needs a nonzero one).
// CHECK-LABEL: func.func @not_attention
// CHECK-NOT: enc.attention
// CHECK: return
func.func @not_attention(%q: tensor<8x8x8xf32>, %k: tensor<8x8x8xf32>, %v: tensor<8x8x8xf32>,
                         %m: tensor<8x8x8xf32>, %acc: tensor<8x8x8xf32>)
    -> (tensor<8x8x8xf32>, tensor<8x8x8xf32>, tensor<8x8x8xf32>, tensor<8x8x8xf32>, tensor<8x8x8xf32>, tensor<8x8x8xf32>, tensor<8x8x8xf32>) {
  %zero = arith.constant 0.0 : f32
  %init = tensor.empty() : tensor<8x8x8xf32>
  %z = linalg.fill ins(%zero : f32) outs(%init : tensor<8x8x8xf32>) -> tensor<8x8x8xf32>

  %s0 = linalg.batch_matmul ins(%q, %k : tensor<8x8x8xf32>, tensor<8x8x8xf32>) outs(%z : tensor<8x8x8xf32>) -> tensor<8x8x8xf32>
  %p0 = linalg.softmax dimension(2) ins(%s0 : tensor<8x8x8xf32>) outs(%init : tensor<8x8x8xf32>) -> tensor<8x8x8xf32>
  %o0 = linalg.batch_matmul ins(%p0, %v : tensor<8x8x8xf32>, tensor<8x8x8xf32>) outs(%z : tensor<8x8x8xf32>) -> tensor<8x8x8xf32>

  %kt1 = linalg.transpose ins(%k : tensor<8x8x8xf32>) outs(%init : tensor<8x8x8xf32>) permutation = [1, 0, 2]
  %s1 = linalg.batch_matmul ins(%q, %kt1 : tensor<8x8x8xf32>, tensor<8x8x8xf32>) outs(%z : tensor<8x8x8xf32>) -> tensor<8x8x8xf32>
  %p1 = linalg.softmax dimension(2) ins(%s1 : tensor<8x8x8xf32>) outs(%init : tensor<8x8x8xf32>) -> tensor<8x8x8xf32>
  %o1 = linalg.batch_matmul ins(%p1, %v : tensor<8x8x8xf32>, tensor<8x8x8xf32>) outs(%z : tensor<8x8x8xf32>) -> tensor<8x8x8xf32>

  %kt = linalg.transpose ins(%k : tensor<8x8x8xf32>) outs(%init : tensor<8x8x8xf32>) permutation = [0, 2, 1]
  %s2 = linalg.batch_matmul ins(%q, %kt : tensor<8x8x8xf32>, tensor<8x8x8xf32>) outs(%z : tensor<8x8x8xf32>) -> tensor<8x8x8xf32>
  %p2 = linalg.softmax dimension(1) ins(%s2 : tensor<8x8x8xf32>) outs(%init : tensor<8x8x8xf32>) -> tensor<8x8x8xf32>
  %o2 = linalg.batch_matmul ins(%p2, %v : tensor<8x8x8xf32>, tensor<8x8x8xf32>) outs(%z : tensor<8x8x8xf32>) -> tensor<8x8x8xf32>

  %s3 = linalg.batch_matmul ins(%q, %kt : tensor<8x8x8xf32>, tensor<8x8x8xf32>) outs(%z : tensor<8x8x8xf32>) -> tensor<8x8x8xf32>
  %p3 = linalg.softmax dimension(2) ins(%s3 : tensor<8x8x8xf32>) outs(%init : tensor<8x8x8xf32>) -> tensor<8x8x8xf32>
  %o3 = linalg.batch_matmul ins(%p3, %v : tensor<8x8x8xf32>, tensor<8x8x8xf32>) outs(%acc : tensor<8x8x8xf32>) -> tensor<8x8x8xf32>

  %s4 = linalg.batch_matmul ins(%q, %kt : tensor<8x8x8xf32>, tensor<8x8x8xf32>) outs(%z : tensor<8x8x8xf32>) -> tensor<8x8x8xf32>
  %s4s = arith.mulf %s4, %m : tensor<8x8x8xf32>
  %p4 = linalg.softmax dimension(2) ins(%s4s : tensor<8x8x8xf32>) outs(%init : tensor<8x8x8xf32>) -> tensor<8x8x8xf32>
  %o4 = linalg.batch_matmul ins(%p4, %v : tensor<8x8x8xf32>, tensor<8x8x8xf32>) outs(%z : tensor<8x8x8xf32>) -> tensor<8x8x8xf32>

  %s5 = linalg.batch_matmul ins(%q, %kt : tensor<8x8x8xf32>, tensor<8x8x8xf32>) outs(%z : tensor<8x8x8xf32>) -> tensor<8x8x8xf32>
  %s5m = arith.addf %s5, %m : tensor<8x8x8xf32>
  %c = arith.constant dense<0.5> : tensor<8x8x8xf32>
  %s5s = arith.mulf %s5m, %c : tensor<8x8x8xf32>
  %p5 = linalg.softmax dimension(2) ins(%s5s : tensor<8x8x8xf32>) outs(%init : tensor<8x8x8xf32>) -> tensor<8x8x8xf32>
  %o5 = linalg.batch_matmul ins(%p5, %v : tensor<8x8x8xf32>, tensor<8x8x8xf32>) outs(%z : tensor<8x8x8xf32>) -> tensor<8x8x8xf32>

  %s6 = linalg.batch_matmul ins(%q, %kt : tensor<8x8x8xf32>, tensor<8x8x8xf32>) outs(%z : tensor<8x8x8xf32>) -> tensor<8x8x8xf32>
  %c0 = arith.constant dense<0.0> : tensor<8x8x8xf32>
  %s6s = arith.mulf %s6, %c0 : tensor<8x8x8xf32>
  %p6 = linalg.softmax dimension(2) ins(%s6s : tensor<8x8x8xf32>) outs(%init : tensor<8x8x8xf32>) -> tensor<8x8x8xf32>
  %o6 = linalg.batch_matmul ins(%p6, %v : tensor<8x8x8xf32>, tensor<8x8x8xf32>) outs(%z : tensor<8x8x8xf32>) -> tensor<8x8x8xf32>
  return %o0, %o1, %o2, %o3, %o4, %o5, %o6 : tensor<8x8x8xf32>, tensor<8x8x8xf32>, tensor<8x8x8xf32>, tensor<8x8x8xf32>, tensor<8x8x8xf32>, tensor<8x8x8xf32>, tensor<8x8x8xf32>
}
