// RUN: encoder-opt %s -enc-approximate-math -split-input-file | FileCheck %s

// exp, erf and tanh become arithmetic: no libm call is left, scalar or
// vector.
// CHECK-LABEL: func.func @approximate
// CHECK-NOT: math.exp
// CHECK-NOT: math.erf
// CHECK-NOT: math.tanh
// CHECK-NOT: math.log
// CHECK: arith.mulf
// CHECK: return
func.func @approximate(%x: f32, %v: vector<16xf32>) -> (f32, f32, vector<16xf32>, f32) {
  %0 = math.exp %x : f32
  %1 = math.erf %0 : f32
  %2 = math.tanh %v : vector<16xf32>
  %3 = math.log %1 : f32
  return %1, %0, %2, %3 : f32, f32, vector<16xf32>, f32
}

// -----

// f16 is computed in f32.
// CHECK-LABEL: func.func @half
// CHECK: arith.extf %{{.*}} : f16 to f32
// CHECK-NOT: math.exp
// CHECK: arith.truncf %{{.*}} : f32 to f16
func.func @half(%x: f16) -> f16 {
  %0 = math.exp %x : f16
  return %0 : f16
}
