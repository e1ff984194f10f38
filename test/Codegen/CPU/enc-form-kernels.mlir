// RUN: encoder-opt %s -split-input-file -verify-diagnostics -enc-form-kernels -canonicalize -cse | FileCheck %s
// RUN: encoder-opt %s -split-input-file -verify-diagnostics -enc-form-kernels=min-tile-elements=100000 | FileCheck %s --check-prefix=BIG

#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>

// A norm's reduction and its elementwise consumer become one kernel: the
// rows are tiled (32 of 256 columns make 8192 points) and the fill, the
// reduction and the subtraction are computed per tile. The kernel is named
// after the root's origin and costs the work of both ops, reading x once.
// CHECK-LABEL: func.func @norm
// CHECK-DAG: %[[FLOPS:.*]] = arith.constant 65536 : index
// CHECK-DAG: %[[BYTES:.*]] = arith.constant 262144 : index
// CHECK: scf.forall (%[[I:.*]]) = (0) to (128) step (32) shared_outs
// CHECK-NEXT: enc.kernel_info "layer_norm" ["enc.layer_norm"] flops(%[[FLOPS]]) bytes(%[[BYTES]])
// CHECK: tensor.extract_slice %{{.*}}[%[[I]], 0] [32, 256] [1, 1]
// CHECK: linalg.fill {{.*}} -> tensor<32xf32>
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]{{.*}} outs(%{{.*}} : tensor<32xf32>)
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<32x256xf32>)
// CHECK: scf.forall.in_parallel
// CHECK-NOT: linalg.
// CHECK: return
// The whole op is below the threshold: no kernel.
// BIG-LABEL: func.func @norm
// BIG-NOT: scf.forall
// BIG: return
func.func @norm(%x: tensor<128x256xf32>) -> tensor<128x256xf32> {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<128xf32>
  %acc = linalg.fill {enc.origin = "enc.layer_norm"} ins(%zero : f32) outs(%e0 : tensor<128xf32>) -> tensor<128xf32>
  %sum = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<128x256xf32>) outs(%acc : tensor<128xf32>) attrs = {enc.origin = "enc.layer_norm"} {
  ^bb0(%in: f32, %out: f32):
    %s = arith.addf %in, %out : f32
    linalg.yield %s : f32
  } -> tensor<128xf32>
  %e1 = tensor.empty() : tensor<128x256xf32>
  %y = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x, %sum : tensor<128x256xf32>, tensor<128xf32>) outs(%e1 : tensor<128x256xf32>) attrs = {enc.origin = "enc.layer_norm"} {
  ^bb0(%in: f32, %m: f32, %out: f32):
    %d = arith.subf %in, %m : f32
    linalg.yield %d : f32
  } -> tensor<128x256xf32>
  return %y : tensor<128x256xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>

// Knobs: the root's enc.tile_sizes set the tiles; a producer marked
// enc.no_fuse stays out of the kernel (and is a kernel of its own); a
// producer with a user outside the kernel is not fused either, so that
// nothing is computed twice. Dynamic sizes make dynamic costs.
// CHECK-LABEL: func.func @knobs
// CHECK: %[[A:.*]] = scf.forall {{.*}} step (16)
// CHECK-NEXT: enc.kernel_info "activation" ["enc.activation"]
// CHECK: %[[B:.*]] = scf.forall {{.*}} step (8) shared_outs
// CHECK-NEXT: enc.kernel_info "add" ["enc.add", "enc.scale"]
// CHECK: return %[[B]], %[[A]]
func.func @knobs(%x: tensor<?x512xf32>) -> (tensor<?x512xf32>, tensor<?x512xf32>) {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x512xf32>
  %e = tensor.empty(%n) : tensor<?x512xf32>
  %a = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<?x512xf32>) outs(%e : tensor<?x512xf32>) attrs = {enc.origin = "enc.activation", enc.no_fuse, enc.tile_sizes = array<i64: 16>} {
  ^bb0(%in: f32, %out: f32):
    %t = math.tanh %in : f32
    linalg.yield %t : f32
  } -> tensor<?x512xf32>
  %s = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<?x512xf32>) outs(%e : tensor<?x512xf32>) attrs = {enc.origin = "enc.scale"} {
  ^bb0(%in: f32, %out: f32):
    %m = arith.mulf %in, %in : f32
    linalg.yield %m : f32
  } -> tensor<?x512xf32>
  %y = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%a, %s : tensor<?x512xf32>, tensor<?x512xf32>) outs(%e : tensor<?x512xf32>) attrs = {enc.origin = "enc.add", enc.tile_sizes = array<i64: 8>} {
  ^bb0(%l: f32, %r: f32, %out: f32):
    %d = arith.addf %l, %r : f32
    linalg.yield %d : f32
  } -> tensor<?x512xf32>
  return %y, %a : tensor<?x512xf32>, tensor<?x512xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>

func.func @bad_tiles(%x: tensor<64x512xf32>) -> tensor<64x512xf32> {
  %e = tensor.empty() : tensor<64x512xf32>
  // expected-error @below {{enc.tile_sizes has 3 sizes but the op has 2 loops}}
  %y = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<64x512xf32>) outs(%e : tensor<64x512xf32>) attrs = {enc.tile_sizes = array<i64: 1, 2, 3>} {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<64x512xf32>
  return %y : tensor<64x512xf32>
}

// -----

// A loop of static size 0 next to a dynamic one (products with an empty
// queue of negatives) has no work: it stays a plain op, and choosing its
// tiles must not divide by its size.
// CHECK-LABEL: func.func @empty_loop
// CHECK-NOT: scf.forall
// CHECK: linalg.generic
// CHECK-NOT: scf.forall
#qd = affine_map<(d0, d1, d2) -> (d0, d2)>
#dk = affine_map<(d0, d1, d2) -> (d2, d1)>
#qk = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @empty_loop(%q: tensor<?x16xf32>, %queue: tensor<16x0xf32>, %init: tensor<?x0xf32>) -> tensor<?x0xf32> {
  %0 = linalg.generic {indexing_maps = [#qd, #dk, #qk], iterator_types = ["parallel", "parallel", "reduction"]} ins(%q, %queue : tensor<?x16xf32>, tensor<16x0xf32>) outs(%init : tensor<?x0xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<?x0xf32>
  return %0 : tensor<?x0xf32>
}
