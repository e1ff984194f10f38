// RUN: encoder-opt %s -split-input-file -enc-fold-head-transposes | FileCheck %s

// The head split of Q, K and V and the merge after attention fold into a
// sequence-major attention on the projections' own layout; mask, scale and
// causal carry over.
// CHECK-LABEL: func.func @split_and_merge
// CHECK-SAME: (%[[Q:.*]]: tensor<2x8x4x16xf32>, %[[K:.*]]: tensor<2x8x4x16xf32>, %[[V:.*]]: tensor<2x8x4x16xf32>, %[[M:.*]]: tensor<2x1x1x8xi64>)
// CHECK-NOT: linalg.transpose
// CHECK: %[[O:.*]] = enc.attention %[[Q]], %[[K]], %[[V]] mask %[[M]] {causal, scale = 2.500000e-01 : f64, sequence_major} : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x1x1x8xi64>) -> tensor<2x8x4x16xf32>
// CHECK-NOT: linalg.transpose
// CHECK: return %[[O]]
func.func @split_and_merge(%q: tensor<2x8x4x16xf32>, %k: tensor<2x8x4x16xf32>, %v: tensor<2x8x4x16xf32>, %m: tensor<2x1x1x8xi64>) -> tensor<2x8x4x16xf32> {
  %e0 = tensor.empty() : tensor<2x4x8x16xf32>
  %qt = linalg.transpose ins(%q : tensor<2x8x4x16xf32>) outs(%e0 : tensor<2x4x8x16xf32>) permutation = [0, 2, 1, 3]
  %kt = linalg.transpose ins(%k : tensor<2x8x4x16xf32>) outs(%e0 : tensor<2x4x8x16xf32>) permutation = [0, 2, 1, 3]
  %vt = linalg.transpose ins(%v : tensor<2x8x4x16xf32>) outs(%e0 : tensor<2x4x8x16xf32>) permutation = [0, 2, 1, 3]
  %a = enc.attention %qt, %kt, %vt mask %m {causal, scale = 0.25 : f64} : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x1x1x8xi64>) -> tensor<2x4x8x16xf32>
  %e1 = tensor.empty() : tensor<2x8x4x16xf32>
  %o = linalg.transpose ins(%a : tensor<2x4x8x16xf32>) outs(%e1 : tensor<2x8x4x16xf32>) permutation = [0, 2, 1, 3]
  return %o : tensor<2x8x4x16xf32>
}

// -----

// Dynamic batch and sequence; a user that is not the merge transpose reads
// the result transposed back to [batch, heads, seq, dim].
// CHECK-LABEL: func.func @other_user
// CHECK: %[[O:.*]] = enc.attention %arg0, %arg0, %arg0 {sequence_major} : (tensor<?x?x2x16xf32>, tensor<?x?x2x16xf32>, tensor<?x?x2x16xf32>) -> tensor<?x?x2x16xf32>
// CHECK: %[[BACK:.*]] = linalg.transpose ins(%[[O]] : tensor<?x?x2x16xf32>) outs(%{{.*}} : tensor<?x2x?x16xf32>) permutation = [0, 2, 1, 3]
// CHECK: return %[[BACK]]
func.func @other_user(%x: tensor<?x?x2x16xf32>) -> tensor<?x2x?x16xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %b = tensor.dim %x, %c0 : tensor<?x?x2x16xf32>
  %s = tensor.dim %x, %c1 : tensor<?x?x2x16xf32>
  %e = tensor.empty(%b, %s) : tensor<?x2x?x16xf32>
  %t = linalg.transpose ins(%x : tensor<?x?x2x16xf32>) outs(%e : tensor<?x2x?x16xf32>) permutation = [0, 2, 1, 3]
  %a = enc.attention %t, %t, %t : (tensor<?x2x?x16xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x16xf32>) -> tensor<?x2x?x16xf32>
  return %a : tensor<?x2x?x16xf32>
}

// -----

// Not every operand a head split (V comes as it is), or another
// permutation: left alone.
// CHECK-LABEL: func.func @partial
// CHECK: linalg.transpose
// CHECK: enc.attention
// CHECK-NOT: sequence_major
func.func @partial(%q: tensor<2x8x4x16xf32>, %v: tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32> {
  %e0 = tensor.empty() : tensor<2x4x8x16xf32>
  %qt = linalg.transpose ins(%q : tensor<2x8x4x16xf32>) outs(%e0 : tensor<2x4x8x16xf32>) permutation = [0, 2, 1, 3]
  %a = enc.attention %qt, %qt, %v : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32>
  return %a : tensor<2x4x8x16xf32>
}

// -----

// CHECK-LABEL: func.func @other_permutation
// CHECK-NOT: sequence_major
func.func @other_permutation(%q: tensor<2x4x16x8xf32>) -> tensor<2x4x8x16xf32> {
  %e0 = tensor.empty() : tensor<2x4x8x16xf32>
  %qt = linalg.transpose ins(%q : tensor<2x4x16x8xf32>) outs(%e0 : tensor<2x4x8x16xf32>) permutation = [0, 1, 3, 2]
  %a = enc.attention %qt, %qt, %qt : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32>
  return %a : tensor<2x4x8x16xf32>
}
