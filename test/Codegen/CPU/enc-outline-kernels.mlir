// RUN: encoder-opt %s -enc-outline-kernels -cse -split-input-file | FileCheck %s

// Each outermost scf.forall becomes a call of a launch declaration; its
// body moves into a function of the captured values and a range of the
// linearized iterations. Two loops with the same body share one body
// function and keep a launch (a kernel number) each. A description left
// outside any loop (its loop folded away: straight-line code) is recorded
// in enc.inline_kernels and removed.

// CHECK: module attributes {
// CHECK-SAME: enc.inline_kernels = [{bytes = 2048 : i64, flops = 512 : i64, function = "main", name = "main_inline0_folded", ops = []}]
// CHECK-SAME: enc.kernels = [
// CHECK-SAME: {bytes = 2048 : i64, flops = 512 : i64, function = "main", name = "main_k0_scale", ops = ["enc.scale"]},
// CHECK-SAME: {bytes = -1 : i64, flops = -1 : i64, function = "main", name = "main_k1_scale", ops = ["enc.scale"]},
// CHECK-SAME: {bytes = -1 : i64, flops = -1 : i64, function = "main", name = "main_k2_loop", ops = []}]}

// CHECK-LABEL: func.func @main
// CHECK-SAME: (%[[A:.*]]: memref<16x32xf32>, %[[B:.*]]: memref<16x32xf32>, %[[N:.*]]: index)
// CHECK-NOT: scf.forall
// CHECK-NOT: enc.kernel_info
// CHECK-DAG: %[[C4:.*]] = arith.constant 4 : index
// CHECK-DAG: %[[C512:.*]] = arith.constant 512 : index
// CHECK: call @main_k0_scale_launch(%[[A]], %[[B]], %[[C4]], %[[C512]])
// CHECK: call @main_k1_scale_launch(%[[B]], %[[A]], %[[C4]], %[[N]])
// CHECK: %[[TRIPS:.*]] = arith.ceildivsi
// CHECK: %[[COUNT:.*]] = arith.muli %[[TRIPS]], %{{.*}} : index
// CHECK: call @main_k2_loop_launch(%[[A]], %[[COUNT]], %{{.*}})

// The body runs [begin, end) of the iterations; what it needs of the
// bounds is rematerialized (constants) or passed (dynamic).
// CHECK-LABEL: func.func private @main_k0_scale
// CHECK-SAME: (%[[IN:.*]]: memref<16x32xf32>, %[[OUT:.*]]: memref<16x32xf32>, %[[BEGIN:.*]]: index, %[[END:.*]]: index)
// CHECK: scf.for %[[IT:.*]] = %[[BEGIN]] to %[[END]]
// CHECK: %[[OFFSET:.*]] = arith.muli %[[IT]], %{{.*}} : index
// CHECK: %[[ROW:.*]] = arith.addi %{{.*}}, %[[OFFSET]] : index
// CHECK: memref.subview %[[IN]][%[[ROW]], 0] [4, 32]
// CHECK-NOT: func.func private @main_k1_scale(
// CHECK: func.func private @main_k0_scale_launch(memref<16x32xf32>, memref<16x32xf32>, index, index) attributes {enc.kernel_launch = {body = @main_k0_scale, kernel = 0 : i64}}
// CHECK: func.func private @main_k1_scale_launch(memref<16x32xf32>, memref<16x32xf32>, index, index) attributes {enc.kernel_launch = {body = @main_k0_scale, kernel = 1 : i64}}

// A 2-D loop is linearized row-major: the last index varies fastest.
// CHECK-LABEL: func.func private @main_k2_loop
// CHECK-SAME: (%{{.*}}: memref<16x32xf32>, %[[BEGIN:.*]]: index, %[[END:.*]]: index)
// CHECK: scf.for %[[IT:.*]] = %[[BEGIN]] to %[[END]]
// CHECK: arith.remsi %[[IT]], %[[C32:.*]] : index
// CHECK: arith.divsi %[[IT]], %[[C32]] : index
// CHECK: memref.store
func.func @main(%a: memref<16x32xf32>, %b: memref<16x32xf32>, %n: index) {
  %flops = arith.constant 512 : index
  %bytes = arith.constant 2048 : index
  %two = arith.constant 2.0 : f32
  scf.forall (%i) = (0) to (16) step (4) {
    enc.kernel_info "scale" ["enc.scale"] flops(%flops) bytes(%bytes)
    %in = memref.subview %a[%i, 0] [4, 32] [1, 1] : memref<16x32xf32> to memref<4x32xf32, strided<[32, 1], offset: ?>>
    %out = memref.subview %b[%i, 0] [4, 32] [1, 1] : memref<16x32xf32> to memref<4x32xf32, strided<[32, 1], offset: ?>>
    linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
        ins(%in : memref<4x32xf32, strided<[32, 1], offset: ?>>) outs(%out : memref<4x32xf32, strided<[32, 1], offset: ?>>) {
    ^bb0(%x: f32, %y: f32):
      %m = arith.mulf %x, %two : f32
      linalg.yield %m : f32
    }
  }
  // The same loop on other buffers, with costs known only at run time.
  scf.forall (%i) = (0) to (16) step (4) {
    enc.kernel_info "scale" ["enc.scale"] flops(%n) bytes(%n)
    %in = memref.subview %b[%i, 0] [4, 32] [1, 1] : memref<16x32xf32> to memref<4x32xf32, strided<[32, 1], offset: ?>>
    %out = memref.subview %a[%i, 0] [4, 32] [1, 1] : memref<16x32xf32> to memref<4x32xf32, strided<[32, 1], offset: ?>>
    linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
        ins(%in : memref<4x32xf32, strided<[32, 1], offset: ?>>) outs(%out : memref<4x32xf32, strided<[32, 1], offset: ?>>) {
    ^bb0(%x: f32, %y: f32):
      %m = arith.mulf %x, %two : f32
      linalg.yield %m : f32
    }
  }
  // No description: a kernel named "loop" of unknown cost.
  %zero = arith.constant 0.0 : f32
  scf.forall (%i, %j) in (%n, 32) {
    memref.store %zero, %a[%i, %j] : memref<16x32xf32>
  }
  enc.kernel_info "folded" [] flops(%flops) bytes(%bytes)
  return
}

// -----

// Costs known only at run time get a formula in the sizes of the inputs,
// named as the signature (enc.functions) names them; an unnamed dimension
// is "<input>.<dimension>". Sizes come through allocations and reshapes.
// CHECK: enc.kernels = [{bytes = -1 : i64, bytes_formula = "(s0 * s1) * 4", flops = -1 : i64, flops_formula = "(s0 * s1) * 2", formula_symbols = ["batch", "x.1"], function = "dyn", name = "dyn_k0_scale", ops = ["enc.scale"]}]
module attributes {enc.functions = [{name = "dyn", inputs = [{name = "x", dim_names = ["batch", ""]}]}]} {
func.func @dyn(%x: memref<?x?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %b = memref.dim %x, %c0 : memref<?x?xf32>
  %n = memref.dim %x, %c1 : memref<?x?xf32>
  %buffer = memref.alloc(%b, %n) : memref<?x?xf32>
  %flat = memref.collapse_shape %buffer [[0, 1]] : memref<?x?xf32> into memref<?xf32>
  %size = memref.dim %flat, %c0 : memref<?xf32>
  %flops = arith.muli %size, %c2 : index
  %bytes = arith.muli %size, %c4 : index
  scf.forall (%i) in (%b) {
    enc.kernel_info "scale" ["enc.scale"] flops(%flops) bytes(%bytes)
    %zero = arith.constant 0.0 : f32
    memref.store %zero, %buffer[%i, %c0] : memref<?x?xf32>
  }
  return
}
}
