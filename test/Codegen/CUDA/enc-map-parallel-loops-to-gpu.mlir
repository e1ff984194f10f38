// RUN: encoder-opt %s -split-input-file -enc-map-parallel-loops-to-gpu | FileCheck %s
// RUN: not encoder-opt %s -split-input-file -enc-map-parallel-loops-to-gpu=block-size=2048 2>&1 | FileCheck %s --check-prefix=BLOCK

// BLOCK: error: enc-map-parallel-loops-to-gpu: block-size must be in [1, 1024], got 2048

// A 2-D loop with a dynamic bound becomes one launch over its linearized
// space: ceil(total / 256) blocks of 256 threads; each thread recovers its
// indices (innermost fastest) and runs the body when in range. An empty
// space launches nothing.

// CHECK-LABEL: func.func @copy(
// CHECK-SAME: %[[SRC:.*]]: memref<?x8xf32>, %[[DST:.*]]: memref<?x8xf32>, %[[N:.*]]: index)
// CHECK: %[[TRIP0:.*]] = arith.ceildivsi
// CHECK: %[[TRIP1:.*]] = arith.ceildivsi
// CHECK: %[[TOTAL:.*]] = arith.muli %{{.*}}, %[[TRIP1]]
// CHECK: %[[C256:.*]] = arith.constant 256 : index
// CHECK: %[[BLOCKS:.*]] = arith.ceildivsi %[[TOTAL]], %[[C256]]
// CHECK: %[[ANY:.*]] = arith.cmpi sgt, %[[TOTAL]]
// CHECK: scf.if %[[ANY]] {
// CHECK: gpu.launch blocks(%[[BX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[BLOCKS]], %{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) threads(%[[TX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[C256]],
// CHECK: %[[BASE:.*]] = arith.muli %[[BX]], %[[C256]]
// CHECK: %[[ID:.*]] = arith.addi %[[BASE]], %[[TX]]
// CHECK: %[[IN:.*]] = arith.cmpi slt, %[[ID]], %[[TOTAL]]
// CHECK: scf.if %[[IN]] {
// CHECK: %[[J:.*]] = arith.remsi %[[ID]], %[[TRIP1]]
// CHECK: %[[I:.*]] = arith.divsi %[[ID]], %[[TRIP1]]
// CHECK: %[[V:.*]] = memref.load %[[SRC]]
// CHECK: memref.store %[[V]], %[[DST]]
// CHECK: gpu.terminator
// CHECK-NOT: scf.parallel
func.func @copy(%src: memref<?x8xf32>, %dst: memref<?x8xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%n, %c8) step (%c1, %c1) {
    %v = memref.load %src[%i, %j] : memref<?x8xf32>
    memref.store %v, %dst[%i, %j] : memref<?x8xf32>
    scf.reduce
  }
  return
}

// -----

// Nested parallel loops run inside the outer loop's thread; loops with
// reductions stay on the host.

// CHECK-LABEL: func.func @nested_and_reduction(
// CHECK: gpu.launch
// CHECK: scf.parallel
// CHECK: gpu.terminator
// CHECK: scf.parallel {{.*}} -> f32
func.func @nested_and_reduction(%m: memref<4x4xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %zero = arith.constant 0.0 : f32
  scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
    scf.parallel (%j) = (%c0) to (%c4) step (%c1) {
      memref.store %zero, %m[%i, %j] : memref<4x4xf32>
      scf.reduce
    }
    scf.reduce
  }
  %sum = scf.parallel (%i) = (%c0) to (%c4) step (%c1) init (%zero) -> f32 {
    %v = memref.load %m[%i, %i] : memref<4x4xf32>
    scf.reduce(%v : f32) {
    ^bb0(%a: f32, %b: f32):
      %s = arith.addf %a, %b : f32
      scf.reduce.return %s : f32
    }
  }
  return %sum : f32
}

