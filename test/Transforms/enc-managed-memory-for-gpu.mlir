// RUN: encoder-opt %s -enc-managed-memory-for-gpu | FileCheck %s

// Host buffers become managed memory (gpu.alloc host_shared) that kernels
// can address; frees go through enc_gpu_free (its aligned pointer), allocas
// are freed at the end of their block, and constants are copied into
// managed memory because kernels cannot read host globals. Kernel code is
// left alone.

// CHECK: func.func private @enc_gpu_free(index)
// CHECK: memref.global "private" constant @table
memref.global "private" constant @table : memref<4xf32> = dense<[1.0, 2.0, 3.0, 4.0]>

// CHECK-LABEL: func.func @host(
// CHECK-SAME: %[[N:.*]]: index
// CHECK: %[[A:.*]] = gpu.alloc  host_shared (%[[N]]) : memref<?xf32>
// CHECK: %[[S:.*]] = gpu.alloc  host_shared () : memref<4xf32>
// CHECK: %[[G:.*]] = memref.get_global @table : memref<4xf32>
// CHECK: %[[T:.*]] = gpu.alloc  host_shared () : memref<4xf32>
// CHECK: memref.copy %[[G]], %[[T]]
// CHECK: gpu.launch
// CHECK: memref.load %[[T]]
// CHECK: memref.store %{{.*}}, %[[A]]
// CHECK: memref.store %{{.*}}, %[[S]]
// CHECK: %[[LOCAL:.*]] = memref.alloc() : memref<2xf32>
// CHECK: gpu.terminator
// CHECK: %[[PA:.*]] = memref.extract_aligned_pointer_as_index %[[A]]
// CHECK: call @enc_gpu_free(%[[PA]]) : (index) -> ()
// CHECK: %[[PS:.*]] = memref.extract_aligned_pointer_as_index %[[S]]
// CHECK: call @enc_gpu_free(%[[PS]])
// CHECK: %[[PT:.*]] = memref.extract_aligned_pointer_as_index %[[T]]
// CHECK: call @enc_gpu_free(%[[PT]])
// CHECK: return
func.func @host(%n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %a = memref.alloc(%n) : memref<?xf32>
  %s = memref.alloca() : memref<4xf32>
  %t = memref.get_global @table : memref<4xf32>
  gpu.launch blocks(%bx, %by, %bz) in (%x = %c1, %y = %c1, %z = %c1)
             threads(%tx, %ty, %tz) in (%u = %c1, %v = %c1, %w = %c1) {
    %v0 = memref.load %t[%c0] : memref<4xf32>
    memref.store %v0, %a[%c0] : memref<?xf32>
    memref.store %v0, %s[%c0] : memref<4xf32>
    %local = memref.alloc() : memref<2xf32>
    gpu.terminator
  }
  memref.dealloc %a : memref<?xf32>
  return
}
