// RUN: encoder-opt %s -enc-record-memory | FileCheck %s

// The body's allocations in order, each in bytes as a formula of the named
// input dimensions (s0 = batch, s1 = x.1), and the frees by allocation
// index; a free through a view counts for its allocation. An allocation
// inside a loop (a kernel's tile) is not listed.
// CHECK: memory = {complete = true, events = [{alloc = "(s0 * s1) * 4"}, {alloc = "s0 * 256"}, {free = 0 : i64}, {alloc = "16"}, {free = 1 : i64}], symbols = ["batch", "x.1"]}
module attributes {enc.functions = [{name = "main", inputs = [{name = "x", dim_names = ["batch", ""]}]}]} {
func.func @main(%x: memref<?x?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %b = memref.dim %x, %c0 : memref<?x?xf32>
  %n = memref.dim %x, %c1 : memref<?x?xf32>
  %a = memref.alloc(%b, %n) : memref<?x?xf32>
  %w = memref.alloc(%b) : memref<?x64xf32>
  %flat = memref.collapse_shape %a [[0, 1]] : memref<?x?xf32> into memref<?xf32>
  memref.dealloc %flat : memref<?xf32>
  scf.forall (%i) in (4) {
    %tile = memref.alloc() : memref<8xf32>
    memref.dealloc %tile : memref<8xf32>
  }
  %s = memref.alloc() : memref<2x2xf32>
  memref.dealloc %w : memref<?x64xf32>
  return
}
}
