// RUN: encoder-opt %s -split-input-file -enc-warp-reductions -canonicalize -cse | FileCheck %s
// RUN: encoder-opt %s -split-input-file -enc-warp-reductions=emulate -canonicalize -cse | FileCheck %s --check-prefix=EMU

// A row sum (layer norm's mean) over the innermost loop: one warp per
// output element, 8 warps a block; lane l reads elements l, l + 32, ...;
// five xor shuffles combine the partial sums; lane 0 adds them to the
// output's initial value.

// CHECK-LABEL: func.func @row_sum(
// CHECK-SAME: %[[X:.*]]: memref<?x?x64xf32>, %[[OUT:.*]]: memref<?x?xf32>)
// CHECK-DAG: %[[C256:.*]] = arith.constant 256 : index
// CHECK-DAG: %[[C64:.*]] = arith.constant 64 : index
// CHECK-DAG: %[[C32:.*]] = arith.constant 32 : index
// CHECK-DAG: %[[C8:.*]] = arith.constant 8 : index
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[ROWS:.*]] = arith.muli
// CHECK: %[[BLOCKS:.*]] = arith.ceildivui %[[ROWS]], %[[C8]]
// CHECK: gpu.launch blocks(%[[BX:[a-z0-9]+]], {{.*}}) in (%{{[a-z0-9]+}} = %[[BLOCKS]], {{.*}}) threads(%[[TID:[a-z0-9]+]], {{.*}}) in (%{{[a-z0-9]+}} = %[[C256]],
// CHECK: %[[LANE:.*]] = arith.remui %[[TID]], %[[C32]]
// CHECK: %[[INSIDE:.*]] = arith.cmpi ult, %{{.*}}, %[[ROWS]]
// CHECK: scf.if %[[INSIDE]] {
// CHECK: %[[PARTIAL:.*]] = scf.for %[[J:.*]] = %[[LANE]] to %[[C64]] step %[[C32]] iter_args(%[[ACC:.*]] = %[[ZERO]]) -> (f32) {
// CHECK: %[[E:.*]] = memref.load %[[X]][%{{.*}}, %{{.*}}, %[[J]]]
// CHECK: %[[SUM:.*]] = arith.addf %[[ACC]], %[[E]] : f32
// CHECK: scf.yield %[[SUM]]
// CHECK: %[[S16:.*]], %{{.*}} = gpu.shuffle  xor %[[PARTIAL]], %{{.*}}, %{{.*}} : f32
// CHECK: %[[P16:.*]] = arith.addf %[[PARTIAL]], %[[S16]]
// CHECK-COUNT-4: gpu.shuffle  xor
// CHECK: %[[FIRST:.*]] = arith.cmpi eq, %[[LANE]], %{{.*}}
// CHECK: scf.if %[[FIRST]] {
// CHECK: %[[INIT:.*]] = memref.load %[[OUT]][
// CHECK: %[[TOTAL:.*]] = arith.addf %[[INIT]], %{{.*}} : f32
// CHECK: memref.store %[[TOTAL]], %[[OUT]][
// CHECK-NOT: linalg.generic

// EMU-LABEL: func.func @row_sum(
// EMU-NOT: gpu.shuffle
// EMU: gpu.launch
// EMU: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args
// EMU-NOT: gpu.shuffle
func.func @row_sum(%x: memref<?x?x64xf32>, %out: memref<?x?xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x : memref<?x?x64xf32>) outs(%out : memref<?x?xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %s = arith.addf %in, %acc : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A max (softmax's) starts each lane at -inf; the variance's body reads a
// per-row input too (the mean), loaded at the row's index.

// CHECK-LABEL: func.func @max_and_variance(
// CHECK-SAME: %[[S:.*]]: memref<4x128xf32>, %[[M:.*]]: memref<4xf32>, %[[MEAN:.*]]: memref<4xf32>, %[[VAR:.*]]: memref<4xf32>)
// CHECK: %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %[[NEGINF]])
// CHECK: arith.maximumf
// CHECK-COUNT-5: gpu.shuffle  xor
// CHECK: gpu.launch
// CHECK: scf.for
// CHECK: %[[E:.*]] = memref.load %[[S]]
// CHECK: %[[MU:.*]] = memref.load %[[MEAN]]
// CHECK: %[[D:.*]] = arith.subf %[[E]], %[[MU]]
// CHECK: arith.mulf %[[D]], %[[D]]
func.func @max_and_variance(%s: memref<4x128xf32>, %m: memref<4xf32>, %mean: memref<4xf32>, %var: memref<4xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>],
                  iterator_types = ["parallel", "reduction"]}
      ins(%s : memref<4x128xf32>) outs(%m : memref<4xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %r = arith.maximumf %acc, %in : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0)>],
                  iterator_types = ["parallel", "reduction"]}
      ins(%s, %mean : memref<4x128xf32>, memref<4xf32>) outs(%var : memref<4xf32>) {
  ^bb0(%in: f32, %mu: f32, %acc: f32):
    %d = arith.subf %in, %mu : f32
    %sq = arith.mulf %d, %d : f32
    %r = arith.addf %acc, %sq : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// Left alone: a reduction over a loop that is not the innermost, a product
// (not a combine the pass knows), and a body that uses the accumulator
// twice.

// CHECK-LABEL: func.func @unsupported(
// CHECK-NOT: gpu.launch
// CHECK-COUNT-3: linalg.generic
// CHECK-NOT: gpu.launch
func.func @unsupported(%x: memref<8x16xf32>, %y: memref<8x4x16xf32>, %cols: memref<8x16xf32>, %rows: memref<8xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d2)>],
                  iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%y : memref<8x4x16xf32>) outs(%cols : memref<8x16xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %s = arith.addf %in, %acc : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>],
                  iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<8x16xf32>) outs(%rows : memref<8xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %p = arith.mulf %in, %acc : f32
    linalg.yield %p : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>],
                  iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<8x16xf32>) outs(%rows : memref<8xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %a = arith.addf %in, %acc : f32
    %b = arith.addf %a, %acc : f32
    linalg.yield %b : f32
  }
  return
}
