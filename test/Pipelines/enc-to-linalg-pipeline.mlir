// RUN: encoder-opt %s -enc-to-linalg-pipeline | FileCheck %s

// Called helpers are inlined so their parameters can be lifted; the
// signature is recorded before the enc ops are lowered.
// CHECK: module attributes {enc.functions = [{inputs = [{dtype = "f32", name = "x", shape = array<i64: 2, 3>}], name = "main", outputs = [{dtype = "f32", name = "result0", shape = array<i64: 2, 4>}], params = [{dtype = "f32", name = "w", shape = array<i64: 4, 3>}]}]}
// CHECK-NOT: func.func private @layer
// CHECK: func.func @main(%[[X:.*]]: tensor<2x3xf32> {bufferization.writable = false, enc.name = "x"}, %[[W:.*]]: tensor<4x3xf32> {bufferization.writable = false, enc.param = "w"})
// Lowered ops say which enc op they came from (kernel formation names
// kernels after it).
// CHECK: linalg.matmul {{.*}}{enc.origin = "enc.linear"} ins(%[[X]], %[[W]] :
// CHECK-NOT: = enc.
func.func private @layer(%x: tensor<2x3xf32>) -> tensor<2x4xf32> {
  %w = enc.param "w" : tensor<4x3xf32>
  %y = enc.linear %x, %w : (tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<2x4xf32>
  %a = enc.activation relu %y : tensor<2x4xf32>
  return %a : tensor<2x4xf32>
}
func.func @main(%x: tensor<2x3xf32> {enc.name = "x"}) -> tensor<2x4xf32> {
  %0 = func.call @layer(%x) : (tensor<2x3xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}
