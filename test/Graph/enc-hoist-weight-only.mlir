// RUN: encoder-opt %s -enc-hoist-weight-only -split-input-file | FileCheck %s

// A projection of a parameter (DeBERTa's relative embeddings through a
// layer norm and a linear) moves to @__derive_f, which returns it; @f reads
// it as a derived parameter and no longer takes the parameters only the
// derivation read (the derivation takes its parameters in argument order). The linear on the input stays, its weight a parameter.
// CHECK-LABEL: func.func @f
// CHECK-SAME: (%[[X:.*]]: tensor<2x8xf32>, %[[W:.*]]: tensor<8x8xf32> {enc.param = "w"}, %[[D:.*]]: tensor<16x8xf32> {enc.derive = {function = "__derive_f", output = 0 : i64}, enc.param = "f#derived0"})
// CHECK-NOT: enc.layer_norm
// CHECK: %[[Y:.*]] = enc.linear %[[X]], %[[W]]
// CHECK: enc.linear %[[Y]], %[[D]]
// CHECK-LABEL: func.func @__derive_f
// CHECK-SAME: (%[[WW:.*]]: tensor<8x8xf32> {enc.param = "w"}, %[[REL:.*]]: tensor<16x8xf32> {enc.param = "rel"}, %[[G:.*]]: tensor<8xf32> {enc.param = "g"}, %[[B:.*]]: tensor<8xf32> {enc.param = "b"}) -> tensor<16x8xf32>
// CHECK-SAME: attributes {enc.internal}
// CHECK: %[[N:.*]] = enc.layer_norm %[[REL]] scale %[[G]] bias %[[B]]
// CHECK: %[[P:.*]] = enc.linear %[[N]], %[[WW]]
// CHECK: return %[[P]]
func.func @f(%x: tensor<2x8xf32>, %w: tensor<8x8xf32> {enc.param = "w"}, %rel: tensor<16x8xf32> {enc.param = "rel"}, %g: tensor<8xf32> {enc.param = "g"}, %b: tensor<8xf32> {enc.param = "b"}) -> tensor<2x16xf32> {
  %y = enc.linear %x, %w : (tensor<2x8xf32>, tensor<8x8xf32>) -> tensor<2x8xf32>
  %n = enc.layer_norm %rel scale %g bias %b {epsilon = 1.0e-7 : f64} : (tensor<16x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<16x8xf32>
  %p = enc.linear %n, %w : (tensor<16x8xf32>, tensor<8x8xf32>) -> tensor<16x8xf32>
  %s = enc.linear %y, %p : (tensor<2x8xf32>, tensor<16x8xf32>) -> tensor<2x16xf32>
  return %s : tensor<2x16xf32>
}

// -----

// Views of parameters alone are not worth a copy: a reshape feeding the
// computation stays, and nothing is derived.
// CHECK-LABEL: func.func @views
// CHECK: tensor.collapse_shape
// CHECK-NOT: enc.derive
// CHECK-NOT: __derive_views
func.func @views(%x: tensor<2x8xf32>, %w: tensor<8x2x4xf32> {enc.param = "w"}) -> tensor<2x8xf32> {
  %m = tensor.collapse_shape %w [[0], [1, 2]] : tensor<8x2x4xf32> into tensor<8x8xf32>
  %y = enc.linear %x, %m : (tensor<2x8xf32>, tensor<8x8xf32>) -> tensor<2x8xf32>
  return %y : tensor<2x8xf32>
}

// -----

// What depends on an input stays, even when it also reads parameters; a
// weight-only value behind views and broadcasts is derived before them (its
// smallest form), and the views stay in the function.
// CHECK-LABEL: func.func @frontier
// CHECK-SAME: %[[D:[^:]*]]: tensor<8x8xf32> {enc.derive = {function = "__derive_frontier", output = 0 : i64}, enc.param = "frontier#derived0"}
// CHECK-NOT: linalg.transpose
// CHECK: %[[V:.*]] = tensor.expand_shape %[[D]]
// CHECK: arith.addf %{{.*}}, %[[V]]
// CHECK-LABEL: func.func @__derive_frontier
// CHECK: %[[T:.*]] = linalg.transpose
// CHECK-NEXT: return %[[T]]
func.func @frontier(%x: tensor<1x8x8xf32>, %w: tensor<8x8xf32> {enc.param = "w"}) -> tensor<1x8x8xf32> {
  %e = tensor.empty() : tensor<8x8xf32>
  %t = linalg.transpose ins(%w : tensor<8x8xf32>) outs(%e : tensor<8x8xf32>) permutation = [1, 0]
  %v = tensor.expand_shape %t [[0, 1], [2]] output_shape [1, 8, 8] : tensor<8x8xf32> into tensor<1x8x8xf32>
  %s = arith.addf %x, %v : tensor<1x8x8xf32>
  return %s : tensor<1x8x8xf32>
}

// -----

// Dynamic shapes stay (the runtime keeps derived values of static shape),
// and functions without parameters are left alone.
// CHECK-LABEL: func.func @dynamic
// CHECK-NOT: enc.derive
// CHECK-LABEL: func.func @no_params
// CHECK-NOT: __derive
func.func @dynamic(%x: tensor<?x8xf32>, %w: tensor<8x8xf32> {enc.param = "w"}) -> tensor<?x8xf32> {
  %y = enc.linear %x, %w : (tensor<?x8xf32>, tensor<8x8xf32>) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}
func.func @no_params(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = arith.addf %x, %x : tensor<4xf32>
  return %y : tensor<4xf32>
}
