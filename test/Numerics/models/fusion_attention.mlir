// Attention written with upstream ops, as a model imported from PyTorch
// spells it; enc-recognize-attention turns each of these into
// enc.attention (test/Pipelines/fusion.mlir checks that it does):
//   0: [B*H, S, D] with dynamic B*H and lengths: linalg.transpose of K,
//      batch_matmul, scores * 1/sqrt(D) (a linalg.fill: a dynamic tensor
//      cannot be an arith.constant), + an additive mask, softmax,
//      batch_matmul with V;
//   1: [B, H, S, D] with linalg.generic contractions (K read through a
//      transposed map), 0.125 * scores, + a [B, S_kv] padding bias
//      broadcast over heads and queries;
//   2: batch_matmul with a transposed-B map, scores / 2, no mask;
//   3: one head [S, D] with linalg.matmul and no scaling at all.
#q = affine_map<(b, h, m, n, k) -> (b, h, m, k)>
#kt = affine_map<(b, h, m, n, k) -> (b, h, n, k)>
#v = affine_map<(b, h, m, n, k) -> (b, h, k, n)>
#o = affine_map<(b, h, m, n, k) -> (b, h, m, n)>
func.func @main(%q: tensor<?x?x8xf32> {enc.name = "q"}, %k: tensor<?x?x8xf32> {enc.name = "k"},
                %v: tensor<?x?x4xf32> {enc.name = "v"}, %m: tensor<?x?x?xf32> {enc.name = "mask"},
                %q4: tensor<2x3x5x8xf32> {enc.name = "q4"}, %k4: tensor<2x3x7x8xf32> {enc.name = "k4"},
                %v4: tensor<2x3x7x4xf32> {enc.name = "v4"}, %bias: tensor<2x7xf32> {enc.name = "bias"},
                %q2: tensor<5x8xf32> {enc.name = "q2"}, %k2: tensor<7x8xf32> {enc.name = "k2"},
                %v2: tensor<7x4xf32> {enc.name = "v2"})
    -> (tensor<?x?x4xf32>, tensor<2x3x5x4xf32>, tensor<?x?x4xf32>, tensor<5x4xf32>) {
  %zero = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index

  // 0
  %bh = tensor.dim %q, %c0 : tensor<?x?x8xf32>
  %sq = tensor.dim %q, %c1 : tensor<?x?x8xf32>
  %skv = tensor.dim %k, %c1 : tensor<?x?x8xf32>
  %kt_init = tensor.empty(%bh, %skv) : tensor<?x8x?xf32>
  %kt = linalg.transpose ins(%k : tensor<?x?x8xf32>) outs(%kt_init : tensor<?x8x?xf32>) permutation = [0, 2, 1]
  %s_init = tensor.empty(%bh, %sq, %skv) : tensor<?x?x?xf32>
  %s_zero = linalg.fill ins(%zero : f32) outs(%s_init : tensor<?x?x?xf32>) -> tensor<?x?x?xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<?x?x8xf32>, tensor<?x8x?xf32>) outs(%s_zero : tensor<?x?x?xf32>) -> tensor<?x?x?xf32>
  %inv_sqrt_d = arith.constant 0.353553385 : f32
  %scale = linalg.fill ins(%inv_sqrt_d : f32) outs(%s_init : tensor<?x?x?xf32>) -> tensor<?x?x?xf32>
  %s_scaled = arith.mulf %s, %scale : tensor<?x?x?xf32>
  %s_masked = arith.addf %s_scaled, %m : tensor<?x?x?xf32>
  %p = linalg.softmax dimension(2) ins(%s_masked : tensor<?x?x?xf32>) outs(%s_init : tensor<?x?x?xf32>) -> tensor<?x?x?xf32>
  %o_init = tensor.empty(%bh, %sq) : tensor<?x?x4xf32>
  %o_zero = linalg.fill ins(%zero : f32) outs(%o_init : tensor<?x?x4xf32>) -> tensor<?x?x4xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<?x?x?xf32>, tensor<?x?x4xf32>) outs(%o_zero : tensor<?x?x4xf32>) -> tensor<?x?x4xf32>

  // 1
  %s4_init = tensor.empty() : tensor<2x3x5x7xf32>
  %s4_zero = linalg.fill ins(%zero : f32) outs(%s4_init : tensor<2x3x5x7xf32>) -> tensor<2x3x5x7xf32>
  %s4 = linalg.generic {indexing_maps = [#q, #kt, #o],
                        iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q4, %k4 : tensor<2x3x5x8xf32>, tensor<2x3x7x8xf32>) outs(%s4_zero : tensor<2x3x5x7xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %mul = arith.mulf %a, %b : f32
    %add = arith.addf %acc, %mul : f32
    linalg.yield %add : f32
  } -> tensor<2x3x5x7xf32>
  %eighth = arith.constant dense<0.125> : tensor<2x3x5x7xf32>
  %s4_scaled = arith.mulf %eighth, %s4 : tensor<2x3x5x7xf32>
  %bias_b = linalg.broadcast ins(%bias : tensor<2x7xf32>) outs(%s4_init : tensor<2x3x5x7xf32>) dimensions = [1, 2]
  %s4_masked = arith.addf %s4_scaled, %bias_b : tensor<2x3x5x7xf32>
  %p4 = linalg.softmax dimension(3) ins(%s4_masked : tensor<2x3x5x7xf32>) outs(%s4_init : tensor<2x3x5x7xf32>) -> tensor<2x3x5x7xf32>
  %o4_init = tensor.empty() : tensor<2x3x5x4xf32>
  %o4_zero = linalg.fill ins(%zero : f32) outs(%o4_init : tensor<2x3x5x4xf32>) -> tensor<2x3x5x4xf32>
  %o4 = linalg.generic {indexing_maps = [#q, #v, #o],
                        iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p4, %v4 : tensor<2x3x5x7xf32>, tensor<2x3x7x4xf32>) outs(%o4_zero : tensor<2x3x5x4xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %mul = arith.mulf %a, %b : f32
    %add = arith.addf %acc, %mul : f32
    linalg.yield %add : f32
  } -> tensor<2x3x5x4xf32>

  // 2
  %t_init = tensor.empty(%bh, %sq, %skv) : tensor<?x?x?xf32>
  %t_zero = linalg.fill ins(%zero : f32) outs(%t_init : tensor<?x?x?xf32>) -> tensor<?x?x?xf32>
  %t = linalg.batch_matmul
      indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>,
                       affine_map<(b, m, n, k) -> (b, n, k)>,
                       affine_map<(b, m, n, k) -> (b, m, n)>]
      ins(%q, %k : tensor<?x?x8xf32>, tensor<?x?x8xf32>) outs(%t_zero : tensor<?x?x?xf32>) -> tensor<?x?x?xf32>
  %c2f = arith.constant 2.0 : f32
  %two = linalg.fill ins(%c2f : f32) outs(%t_init : tensor<?x?x?xf32>) -> tensor<?x?x?xf32>
  %t_scaled = arith.divf %t, %two : tensor<?x?x?xf32>
  %pt = linalg.softmax dimension(2) ins(%t_scaled : tensor<?x?x?xf32>) outs(%t_init : tensor<?x?x?xf32>) -> tensor<?x?x?xf32>
  %ot_zero = linalg.fill ins(%zero : f32) outs(%o_init : tensor<?x?x4xf32>) -> tensor<?x?x4xf32>
  %ot = linalg.batch_matmul ins(%pt, %v : tensor<?x?x?xf32>, tensor<?x?x4xf32>) outs(%ot_zero : tensor<?x?x4xf32>) -> tensor<?x?x4xf32>

  // 3
  %k2t_init = tensor.empty() : tensor<8x7xf32>
  %k2t = linalg.transpose ins(%k2 : tensor<7x8xf32>) outs(%k2t_init : tensor<8x7xf32>) permutation = [1, 0]
  %s2_init = tensor.empty() : tensor<5x7xf32>
  %s2_zero = linalg.fill ins(%zero : f32) outs(%s2_init : tensor<5x7xf32>) -> tensor<5x7xf32>
  %s2 = linalg.matmul ins(%q2, %k2t : tensor<5x8xf32>, tensor<8x7xf32>) outs(%s2_zero : tensor<5x7xf32>) -> tensor<5x7xf32>
  %p2 = linalg.softmax dimension(1) ins(%s2 : tensor<5x7xf32>) outs(%s2_init : tensor<5x7xf32>) -> tensor<5x7xf32>
  %o2_init = tensor.empty() : tensor<5x4xf32>
  %o2_zero = linalg.fill ins(%zero : f32) outs(%o2_init : tensor<5x4xf32>) -> tensor<5x4xf32>
  %o2 = linalg.matmul ins(%p2, %v2 : tensor<5x7xf32>, tensor<7x4xf32>) outs(%o2_zero : tensor<5x4xf32>) -> tensor<5x4xf32>

  return %o, %o4, %ot, %o2 : tensor<?x?x4xf32>, tensor<2x3x5x4xf32>, tensor<?x?x4xf32>, tensor<5x4xf32>
}
