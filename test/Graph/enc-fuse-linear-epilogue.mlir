// RUN: encoder-opt %s -enc-fuse-linear-epilogue -split-input-file | FileCheck %s

// linear -> gelu -> add becomes one op: the activation first, then the
// residual; the residual may be defined between the linear and the add.
// CHECK-LABEL: func.func @chain
// CHECK-SAME: (%[[X:.*]]: tensor<2x8x16xf32>, %[[W:.*]]: tensor<32x16xf32>, %[[B:.*]]: tensor<32xf32>, %[[R:.*]]: tensor<2x8x32xf32>)
// CHECK-NEXT: %[[R2:.*]] = arith.mulf %[[R]], %[[R]]
// CHECK-NEXT: %[[Y:.*]] = enc.linear %[[X]], %[[W]], %[[B]] residual %[[R2]] {activation = #enc<activation gelu>}
// CHECK-NEXT: return %[[Y]]
func.func @chain(%x: tensor<2x8x16xf32>, %w: tensor<32x16xf32>, %b: tensor<32xf32>,
                 %r: tensor<2x8x32xf32>) -> tensor<2x8x32xf32> {
  %y = enc.linear %x, %w, %b : (tensor<2x8x16xf32>, tensor<32x16xf32>, tensor<32xf32>) -> tensor<2x8x32xf32>
  %a = enc.activation gelu %y : tensor<2x8x32xf32>
  %r2 = arith.mulf %r, %r : tensor<2x8x32xf32>
  %z = arith.addf %a, %r2 : tensor<2x8x32xf32>
  return %z : tensor<2x8x32xf32>
}

// -----

// The residual on the left, dynamic shapes, no bias.
// CHECK-LABEL: func.func @residual_lhs_dynamic
// CHECK-SAME: (%[[X:.*]]: tensor<?x?x16xf32>, %[[W:.*]]: tensor<16x16xf32>, %[[R:.*]]: tensor<?x?x16xf32>)
// CHECK-NEXT: %[[Y:.*]] = enc.linear %[[X]], %[[W]] residual %[[R]] :
// CHECK-NOT: activation
// CHECK-NEXT: return %[[Y]]
func.func @residual_lhs_dynamic(%x: tensor<?x?x16xf32>, %w: tensor<16x16xf32>,
                                %r: tensor<?x?x16xf32>) -> tensor<?x?x16xf32> {
  %y = enc.linear %x, %w : (tensor<?x?x16xf32>, tensor<16x16xf32>) -> tensor<?x?x16xf32>
  %z = arith.addf %r, %y : tensor<?x?x16xf32>
  return %z : tensor<?x?x16xf32>
}

// -----

// Every activation kind; rank-1 input.
// CHECK-LABEL: func.func @tanh_rank1
// CHECK-NEXT: %[[Y:.*]] = enc.linear %{{.*}}, %{{.*}}, %{{.*}} {activation = #enc<activation tanh>} : (tensor<16xf32>, tensor<8x16xf32>, tensor<8xf32>) -> tensor<8xf32>
// CHECK-NEXT: return %[[Y]]
func.func @tanh_rank1(%x: tensor<16xf32>, %w: tensor<8x16xf32>, %b: tensor<8xf32>) -> tensor<8xf32> {
  %y = enc.linear %x, %w, %b : (tensor<16xf32>, tensor<8x16xf32>, tensor<8xf32>) -> tensor<8xf32>
  %a = enc.activation tanh %y : tensor<8xf32>
  return %a : tensor<8xf32>
}

// -----

// The linear's result has another user: nothing is fused.
// CHECK-LABEL: func.func @other_user
// CHECK: %[[Y:.*]] = enc.linear
// CHECK-NOT: activation
// CHECK: enc.activation relu %[[Y]]
// CHECK: arith.addf %[[Y]]
func.func @other_user(%x: tensor<4x16xf32>, %w: tensor<16x16xf32>) -> (tensor<4x16xf32>, tensor<4x16xf32>) {
  %y = enc.linear %x, %w : (tensor<4x16xf32>, tensor<16x16xf32>) -> tensor<4x16xf32>
  %a = enc.activation relu %y : tensor<4x16xf32>
  %z = arith.addf %y, %x : tensor<4x16xf32>
  return %a, %z : tensor<4x16xf32>, tensor<4x16xf32>
}

// -----

// The activation has another user: the activation is fused, the add then
// is not (the fused linear has two users).
// CHECK-LABEL: func.func @activation_other_user
// CHECK: %[[Y:.*]] = enc.linear {{.*}} {activation = #enc<activation silu>}
// CHECK: %[[Z:.*]] = arith.addf %[[Y]], %{{.*}}
// CHECK: return %[[Y]], %[[Z]]
func.func @activation_other_user(%x: tensor<4x16xf32>, %w: tensor<16x16xf32>) -> (tensor<4x16xf32>, tensor<4x16xf32>) {
  %y = enc.linear %x, %w : (tensor<4x16xf32>, tensor<16x16xf32>) -> tensor<4x16xf32>
  %a = enc.activation silu %y : tensor<4x16xf32>
  %z = arith.addf %a, %x : tensor<4x16xf32>
  return %a, %z : tensor<4x16xf32>, tensor<4x16xf32>
}

// -----

// An activation after a residual cannot be an epilogue (it is applied
// before the residual); a second residual cannot either.
// CHECK-LABEL: func.func @after_residual
// CHECK: %[[Y:.*]] = enc.linear %{{.*}}, %{{.*}} residual %{{.*}} :
// CHECK: %[[A:.*]] = enc.activation relu %[[Y]]
// CHECK: %[[Y2:.*]] = enc.linear %{{.*}}, %{{.*}} residual %{{.*}} :
// CHECK: arith.addf %[[Y2]]
func.func @after_residual(%x: tensor<4x16xf32>, %w: tensor<16x16xf32>) -> (tensor<4x16xf32>, tensor<4x16xf32>) {
  %y = enc.linear %x, %w residual %x : (tensor<4x16xf32>, tensor<16x16xf32>, tensor<4x16xf32>) -> tensor<4x16xf32>
  %a = enc.activation relu %y : tensor<4x16xf32>
  %y2 = enc.linear %x, %w residual %x : (tensor<4x16xf32>, tensor<16x16xf32>, tensor<4x16xf32>) -> tensor<4x16xf32>
  %z = arith.addf %y2, %x : tensor<4x16xf32>
  return %a, %z : tensor<4x16xf32>, tensor<4x16xf32>
}

// -----

// A linear that already has an activation still takes a residual.
// CHECK-LABEL: func.func @activation_then_residual
// CHECK-NEXT: %[[Y:.*]] = enc.linear %{{.*}}, %{{.*}} residual %{{.*}} {activation = #enc<activation relu>}
// CHECK-NEXT: return %[[Y]]
func.func @activation_then_residual(%x: tensor<4x16xf32>, %w: tensor<16x16xf32>) -> tensor<4x16xf32> {
  %y = enc.linear %x, %w {activation = #enc<activation relu>} : (tensor<4x16xf32>, tensor<16x16xf32>) -> tensor<4x16xf32>
  %z = arith.addf %y, %x : tensor<4x16xf32>
  return %z : tensor<4x16xf32>
}

// -----

// x + x: the linear has two uses.
// CHECK-LABEL: func.func @self_add
// CHECK: %[[Y:.*]] = enc.linear
// CHECK: arith.addf %[[Y]], %[[Y]]
func.func @self_add(%x: tensor<4x16xf32>, %w: tensor<16x16xf32>) -> tensor<4x16xf32> {
  %y = enc.linear %x, %w : (tensor<4x16xf32>, tensor<16x16xf32>) -> tensor<4x16xf32>
  %z = arith.addf %y, %y : tensor<4x16xf32>
  return %z : tensor<4x16xf32>
}

// -----

// An add whose only user is a layer norm is left to enc-fuse-residual-norm
// (post-LN blocks); the activation before it is still fused.
// CHECK-LABEL: func.func @post_ln
// CHECK: %[[Y:.*]] = enc.linear {{.*}} {activation = #enc<activation gelu>}
// CHECK: %[[S:.*]] = arith.addf %[[Y]], %{{.*}}
// CHECK: enc.layer_norm %[[S]]
func.func @post_ln(%x: tensor<4x16xf32>, %w: tensor<16x16xf32>) -> tensor<4x16xf32> {
  %y = enc.linear %x, %w : (tensor<4x16xf32>, tensor<16x16xf32>) -> tensor<4x16xf32>
  %a = enc.activation gelu %y : tensor<4x16xf32>
  %s = arith.addf %a, %x : tensor<4x16xf32>
  %n = enc.layer_norm %s : (tensor<4x16xf32>) -> tensor<4x16xf32>
  return %n : tensor<4x16xf32>
}

// -----

// The add's sum also feeds something else than the norm (pre-LN residual
// stream): fused into the linear.
// CHECK-LABEL: func.func @pre_ln
// CHECK: %[[Y:.*]] = enc.linear %{{.*}}, %{{.*}} residual %{{.*}} :
// CHECK: enc.layer_norm %[[Y]]
// CHECK: return
func.func @pre_ln(%x: tensor<4x16xf32>, %w: tensor<16x16xf32>) -> (tensor<4x16xf32>, tensor<4x16xf32>) {
  %y = enc.linear %x, %w : (tensor<4x16xf32>, tensor<16x16xf32>) -> tensor<4x16xf32>
  %s = arith.addf %y, %x : tensor<4x16xf32>
  %n = enc.layer_norm %s : (tensor<4x16xf32>) -> tensor<4x16xf32>
  return %n, %s : tensor<4x16xf32>, tensor<4x16xf32>
}

// -----

// The consumer is in another block (a loop body): not fused, so the matmul
// is not moved into the loop.
// CHECK-LABEL: func.func @other_block
// CHECK: %[[Y:.*]] = enc.linear
// CHECK-NOT: activation
// CHECK: scf.for
// CHECK: enc.activation relu %[[Y]]
func.func @other_block(%x: tensor<4x16xf32>, %w: tensor<16x16xf32>, %n: index) -> tensor<4x16xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %y = enc.linear %x, %w : (tensor<4x16xf32>, tensor<16x16xf32>) -> tensor<4x16xf32>
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %x) -> tensor<4x16xf32> {
    %a = enc.activation relu %y : tensor<4x16xf32>
    scf.yield %a : tensor<4x16xf32>
  }
  return %r : tensor<4x16xf32>
}

// -----

// A scalar add or an add with fast-math flags is left alone.
// CHECK-LABEL: func.func @fastmath
// CHECK: %[[Y:.*]] = enc.linear
// CHECK: arith.addf %[[Y]], %{{.*}} fastmath<fast>
func.func @fastmath(%x: tensor<4x16xf32>, %w: tensor<16x16xf32>) -> tensor<4x16xf32> {
  %y = enc.linear %x, %w : (tensor<4x16xf32>, tensor<16x16xf32>) -> tensor<4x16xf32>
  %z = arith.addf %y, %x fastmath<fast> : tensor<4x16xf32>
  return %z : tensor<4x16xf32>
}
