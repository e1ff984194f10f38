// RUN: encoder-opt %s -enc-lower-workgroup-barriers | FileCheck %s
// RUN: encoder-opt %s -ownership-based-buffer-deallocation | FileCheck %s --check-prefix=DEALLOC

// Each enc.workgroup_barrier becomes a gpu.barrier where it stood, between
// the same stores and loads of the stage.
// CHECK-LABEL: gpu.func @kernel
// CHECK-NOT: enc.workgroup_barrier
// CHECK: memref.store
// CHECK-NEXT: gpu.barrier
// CHECK-NEXT: memref.load
// CHECK: gpu.barrier
// CHECK-NEXT: gpu.return
gpu.module @kernels {
  memref.global "private" @stage : memref<64xf32, #gpu.address_space<workgroup>> {alignment = 16 : i64}
  gpu.func @kernel(%x: f32, %i: index, %j: index, %out: memref<64xf32>) kernel {
    %stage = memref.get_global @stage : memref<64xf32, #gpu.address_space<workgroup>>
    memref.store %x, %stage[%i] : memref<64xf32, #gpu.address_space<workgroup>>
    enc.workgroup_barrier
    %y = memref.load %stage[%j] : memref<64xf32, #gpu.address_space<workgroup>>
    memref.store %y, %out[%i] : memref<64xf32>
    enc.workgroup_barrier
    gpu.return
  }
}

// Why it exists: in a launch written before bufferization, the
// ownership-based deallocation accepts it (gpu.barrier declares no effects
// and is rejected) and frees the launch's output after its last use.
// DEALLOC-LABEL: func.func @before_bufferization
// DEALLOC: gpu.launch
// DEALLOC: enc.workgroup_barrier
// DEALLOC: bufferization.dealloc
func.func @before_bufferization(%x: f32, %i: index) -> f32 {
  %c1 = arith.constant 1 : index
  %out = memref.alloc() : memref<64xf32>
  gpu.launch blocks(%a, %b, %c) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%t, %u, %v) in (%bx = %c1, %by = %c1, %bz = %c1) {
    %stage = memref.get_global @stage : memref<64xf32, #gpu.address_space<workgroup>>
    memref.store %x, %stage[%t] : memref<64xf32, #gpu.address_space<workgroup>>
    enc.workgroup_barrier
    %y = memref.load %stage[%t] : memref<64xf32, #gpu.address_space<workgroup>>
    memref.store %y, %out[%t] : memref<64xf32>
    gpu.terminator
  }
  %r = memref.load %out[%i] : memref<64xf32>
  return %r : f32
}
memref.global "private" @stage : memref<64xf32, #gpu.address_space<workgroup>> {alignment = 16 : i64}
