// RUN: encoder-opt %s -enc-free-buffers-early -split-input-file | FileCheck %s

// Each buffer is freed right after its last use, through views and kernel
// loops; the deallocs at the end move up.
// CHECK-LABEL: func.func @layers
// CHECK: %[[A:.*]] = memref.alloc
// CHECK: scf.forall
// CHECK: %[[V:.*]] = memref.subview %[[A]]
// CHECK: memref.copy %[[V]]
// CHECK-NEXT: memref.dealloc %[[A]]
// CHECK: %[[B:.*]] = memref.alloc
// CHECK: memref.copy %[[B]]
// CHECK-NEXT: memref.dealloc %[[B]]
// CHECK-NEXT: return
func.func @layers(%x: memref<8xf32>, %y: memref<4xf32>) {
  %a = memref.alloc() : memref<8xf32>
  scf.forall (%i) in (8) {
    %v = memref.load %x[%i] : memref<8xf32>
    memref.store %v, %a[%i] : memref<8xf32>
  }
  %view = memref.subview %a[0] [4] [1] : memref<8xf32> to memref<4xf32, strided<[1]>>
  memref.copy %view, %y : memref<4xf32, strided<[1]>> to memref<4xf32>
  %b = memref.alloc() : memref<4xf32>
  memref.copy %y, %b : memref<4xf32> to memref<4xf32>
  memref.copy %b, %y : memref<4xf32> to memref<4xf32>
  memref.dealloc %a : memref<8xf32>
  memref.dealloc %b : memref<4xf32>
  return
}

// -----

// A buffer that is returned (through a cast) keeps its place; one that
// flows through a loop's results stays alive past the loop's users.
// CHECK-LABEL: func.func @escapes
// CHECK: %[[R:.*]] = scf.for
// CHECK: memref.copy %[[R]]
// CHECK-NEXT: memref.dealloc %[[T:.*]] :
// CHECK: return %[[CAST:.*]] :
func.func @escapes(%y: memref<4xf32>, %n: index) -> memref<?xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %t = memref.alloc() : memref<4xf32>
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %t) -> (memref<4xf32>) {
    scf.yield %acc : memref<4xf32>
  }
  memref.copy %r, %y : memref<4xf32> to memref<4xf32>
  %out = memref.alloc() : memref<4xf32>
  %cast = memref.cast %out : memref<4xf32> to memref<?xf32>
  memref.copy %y, %y : memref<4xf32> to memref<4xf32>
  memref.dealloc %t : memref<4xf32>
  return %cast : memref<?xf32>
}
