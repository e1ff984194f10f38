// RUN: encoder-opt %s -enc-fuse-residual-norm -split-input-file | FileCheck %s

// The add becomes the norm's residual; scale, bias and epsilon are kept.
// CHECK-LABEL: func.func @post_ln
// CHECK-SAME: (%[[X:.*]]: tensor<2x8x16xf32>, %[[R:.*]]: tensor<2x8x16xf32>, %[[G:.*]]: tensor<16xf32>, %[[B:.*]]: tensor<16xf32>)
// CHECK-NEXT: %[[Y:.*]] = enc.layer_norm %[[X]] residual %[[R]] scale %[[G]] bias %[[B]] {epsilon = 9.9999999999999998E-13 : f64}
// CHECK-NEXT: return %[[Y]]
func.func @post_ln(%x: tensor<2x8x16xf32>, %r: tensor<2x8x16xf32>, %g: tensor<16xf32>,
                   %b: tensor<16xf32>) -> tensor<2x8x16xf32> {
  %s = arith.addf %x, %r : tensor<2x8x16xf32>
  %y = enc.layer_norm %s scale %g bias %b {epsilon = 1.0e-12 : f64}
      : (tensor<2x8x16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<2x8x16xf32>
  return %y : tensor<2x8x16xf32>
}

// -----

// Dynamic shapes, no affine parameters.
// CHECK-LABEL: func.func @dynamic
// CHECK-SAME: (%[[X:.*]]: tensor<?x?x16xf32>, %[[R:.*]]: tensor<?x?x16xf32>)
// CHECK-NEXT: %[[Y:.*]] = enc.layer_norm %[[X]] residual %[[R]] : (tensor<?x?x16xf32>, tensor<?x?x16xf32>) -> tensor<?x?x16xf32>
// CHECK-NEXT: return %[[Y]]
func.func @dynamic(%x: tensor<?x?x16xf32>, %r: tensor<?x?x16xf32>) -> tensor<?x?x16xf32> {
  %s = arith.addf %x, %r : tensor<?x?x16xf32>
  %y = enc.layer_norm %s : (tensor<?x?x16xf32>) -> tensor<?x?x16xf32>
  return %y : tensor<?x?x16xf32>
}

// -----

// The sum is used elsewhere: it must still be computed, nothing is fused.
// CHECK-LABEL: func.func @sum_used
// CHECK: %[[S:.*]] = arith.addf
// CHECK: enc.layer_norm %[[S]] :
// CHECK: return
func.func @sum_used(%x: tensor<4x16xf32>, %r: tensor<4x16xf32>) -> (tensor<4x16xf32>, tensor<4x16xf32>) {
  %s = arith.addf %x, %r : tensor<4x16xf32>
  %y = enc.layer_norm %s : (tensor<4x16xf32>) -> tensor<4x16xf32>
  return %y, %s : tensor<4x16xf32>, tensor<4x16xf32>
}

// -----

// The norm already has a residual; its input is not an add.
// CHECK-LABEL: func.func @not_fusible
// CHECK: %[[S:.*]] = arith.addf
// CHECK: enc.layer_norm %[[S]] residual
// CHECK: %[[M:.*]] = arith.mulf
// CHECK: enc.layer_norm %[[M]] :
func.func @not_fusible(%x: tensor<4x16xf32>, %r: tensor<4x16xf32>) -> (tensor<4x16xf32>, tensor<4x16xf32>) {
  %s = arith.addf %x, %r : tensor<4x16xf32>
  %y = enc.layer_norm %s residual %r : (tensor<4x16xf32>, tensor<4x16xf32>) -> tensor<4x16xf32>
  %m = arith.mulf %x, %r : tensor<4x16xf32>
  %z = enc.layer_norm %m : (tensor<4x16xf32>) -> tensor<4x16xf32>
  return %y, %z : tensor<4x16xf32>, tensor<4x16xf32>
}

// -----

// The add is outside the loop that normalizes: left alone.
// CHECK-LABEL: func.func @other_block
// CHECK: %[[S:.*]] = arith.addf
// CHECK: scf.for
// CHECK: enc.layer_norm %[[S]] :
func.func @other_block(%x: tensor<4x16xf32>, %r: tensor<4x16xf32>, %n: index) -> tensor<4x16xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %s = arith.addf %x, %r : tensor<4x16xf32>
  %o = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %x) -> tensor<4x16xf32> {
    %y = enc.layer_norm %s : (tensor<4x16xf32>) -> tensor<4x16xf32>
    scf.yield %y : tensor<4x16xf32>
  }
  return %o : tensor<4x16xf32>
}
