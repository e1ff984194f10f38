// RUN: encoder-opt %s -enc-lift-params -split-input-file -verify-diagnostics | FileCheck %s

// Each distinct name becomes one trailing argument, in order of first use;
// repeated uses share it.
// CHECK-LABEL: func.func @lift
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>, %[[W:.*]]: tensor<4x3xf32> {enc.param = "fc.weight"}, %[[B:.*]]: tensor<4xf32> {enc.param = "fc.bias"})
// CHECK-NOT: enc.param "
// CHECK: %[[Y:.*]] = enc.linear %[[X]], %[[W]], %[[B]]
// CHECK: %[[Z:.*]] = enc.linear %[[X]], %[[W]], %[[B]]
// CHECK: return %[[Y]], %[[Z]]
func.func @lift(%x: tensor<2x3xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>) {
  %w = enc.param "fc.weight" : tensor<4x3xf32>
  %b = enc.param "fc.bias" : tensor<4xf32>
  %y = enc.linear %x, %w, %b : (tensor<2x3xf32>, tensor<4x3xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  %w2 = enc.param "fc.weight" : tensor<4x3xf32>
  %z = enc.linear %x, %w2, %b : (tensor<2x3xf32>, tensor<4x3xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return %y, %z : tensor<2x4xf32>, tensor<2x4xf32>
}

// -----

// An argument that already carries the parameter is reused (the pass is
// idempotent).
// CHECK-LABEL: func.func @reuse
// CHECK-SAME: (%[[W:.*]]: tensor<4xf32> {enc.param = "w"}) -> tensor<4xf32>
// CHECK-NEXT: return %[[W]]
func.func @reuse(%arg: tensor<4xf32> {enc.param = "w"}) -> tensor<4xf32> {
  %w = enc.param "w" : tensor<4xf32>
  return %w : tensor<4xf32>
}

// -----

// Functions without parameters are left alone.
// CHECK-LABEL: func.func @none(%{{.*}}: tensor<4xf32>) -> tensor<4xf32>
func.func @none(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}

// -----

func.func @conflict() -> (tensor<4xf32>, tensor<5xf32>) {
  // expected-note @+1 {{first used here}}
  %a = enc.param "w" : tensor<4xf32>
  // expected-error @+1 {{parameter 'w' has type 'tensor<5xf32>' here but 'tensor<4xf32>' elsewhere}}
  %b = enc.param "w" : tensor<5xf32>
  return %a, %b : tensor<4xf32>, tensor<5xf32>
}

// -----

// expected-error @+1 {{function 'callee' uses enc.param and is called from elsewhere; inline it before enc-lift-params}}
func.func private @callee() -> tensor<4xf32> {
  %w = enc.param "w" : tensor<4xf32>
  return %w : tensor<4xf32>
}
func.func @caller() -> tensor<4xf32> {
  %0 = func.call @callee() : () -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
