// RUN: encoder-opt %s -enc-lower-dynamic-expand-shape -split-input-file | FileCheck %s

// Two dynamic sizes in one group: a reinterpret_cast with row-major strides
// from the output shape.
// CHECK-LABEL: func.func @two_dynamic
// CHECK-SAME: (%[[SRC:.*]]: memref<?x4xf32>, %[[B:.*]]: index, %[[S:.*]]: index)
// CHECK: %[[C4:.*]] = arith.constant 4 : index
// CHECK: %[[STRIDE:.*]] = arith.muli %[[S]], %[[C4]] : index
// CHECK: memref.reinterpret_cast %[[SRC]] to offset: [0], sizes: [%[[B]], %[[S]], 4], strides: [%[[STRIDE]], 4, 1] : memref<?x4xf32> to memref<?x?x4xf32>
// CHECK-NOT: memref.expand_shape
func.func @two_dynamic(%src: memref<?x4xf32>, %b: index, %s: index) -> memref<?x?x4xf32> {
  %0 = memref.expand_shape %src [[0, 1], [2]] output_shape [%b, %s, 4] : memref<?x4xf32> into memref<?x?x4xf32>
  return %0 : memref<?x?x4xf32>
}

// -----

// Three dims in one group, the innermost static.
// CHECK-LABEL: func.func @three_in_group
// CHECK: %[[C8:.*]] = arith.constant 8 : index
// CHECK: %[[S1:.*]] = arith.muli %{{.*}}, %[[C8]] : index
// CHECK: memref.reinterpret_cast %{{.*}} to offset: [0], sizes: [%{{.*}}, %{{.*}}, 8], strides: [%[[S1]], 8, 1]
func.func @three_in_group(%src: memref<?xf32>, %a: index, %b: index) -> memref<?x?x8xf32> {
  %0 = memref.expand_shape %src [[0, 1, 2]] output_shape [%a, %b, 8] : memref<?xf32> into memref<?x?x8xf32>
  return %0 : memref<?x?x8xf32>
}

// -----

// One dynamic size per group is left to expand-strided-metadata.
// CHECK-LABEL: func.func @one_dynamic
// CHECK: memref.expand_shape
func.func @one_dynamic(%src: memref<?x4xf32>, %b: index) -> memref<?x2x4xf32> {
  %0 = memref.expand_shape %src [[0, 1], [2]] output_shape [%b, 2, 4] : memref<?x4xf32> into memref<?x2x4xf32>
  return %0 : memref<?x2x4xf32>
}

// -----

// A strided source is not contiguous: left alone.
// CHECK-LABEL: func.func @strided_source
// CHECK: memref.expand_shape
func.func @strided_source(%src: memref<?x4xf32, strided<[8, 1]>>, %b: index, %s: index) -> memref<?x?x4xf32, strided<[?, 8, 1]>> {
  %0 = memref.expand_shape %src [[0, 1], [2]] output_shape [%b, %s, 4] : memref<?x4xf32, strided<[8, 1]>> into memref<?x?x4xf32, strided<[?, 8, 1]>>
  return %0 : memref<?x?x4xf32, strided<[?, 8, 1]>>
}
