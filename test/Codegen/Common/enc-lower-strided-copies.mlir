// RUN: encoder-opt %s -enc-lower-strided-copies -split-input-file | FileCheck %s

// A copy out of a slice becomes linalg.copy (loops later), not a call to
// MLIR's memrefCopy runtime function.
// CHECK-LABEL: func.func @strided
// CHECK-SAME: (%[[SRC:.*]]: memref<3x10xf32, strided<[70, 1]>>, %[[DST:.*]]: memref<3x10xf32>)
// CHECK: linalg.copy ins(%[[SRC]] : memref<3x10xf32, strided<[70, 1]>>) outs(%[[DST]] : memref<3x10xf32>)
// CHECK-NOT: memref.copy
func.func @strided(%src: memref<3x10xf32, strided<[70, 1]>>, %dst: memref<3x10xf32>) {
  memref.copy %src, %dst : memref<3x10xf32, strided<[70, 1]>> to memref<3x10xf32>
  return
}

// -----

// Contiguous copies stay memref.copy: they lower to llvm.memcpy.
// CHECK-LABEL: func.func @contiguous
// CHECK: memref.copy
// CHECK-NOT: linalg.copy
func.func @contiguous(%src: memref<?x10xf32>, %dst: memref<?x10xf32>) {
  memref.copy %src, %dst : memref<?x10xf32> to memref<?x10xf32>
  return
}
