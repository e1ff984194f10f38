// RUN: encoder-opt %s -enc-align-workgroup-buffers | FileCheck %s
// RUN: encoder-opt %s -enc-align-workgroup-buffers=alignment=64 | FileCheck %s --check-prefix=ALIGN64

// Every workgroup attribution gets llvm.align 16 (the NVVM lowering would
// align a buffer of f32 to 4 bytes), one that asks for more keeps it;
// private attributions and kernels without attributions are left alone.

// CHECK-LABEL: gpu.func @stages
// CHECK-SAME: workgroup(%{{.*}} : memref<64x36xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}, %{{.*}} : memref<8xf32, #gpu.address_space<workgroup>> {llvm.align = 128 : i64})
// CHECK-SAME: private(%{{.*}} : memref<4xf32, #gpu.address_space<private>>)
// CHECK-LABEL: gpu.func @plain
// CHECK-NOT: llvm.align

// ALIGN64-LABEL: gpu.func @stages
// ALIGN64-SAME: {llvm.align = 64 : i64}
// ALIGN64-SAME: {llvm.align = 128 : i64}
gpu.module @kernels {
  gpu.func @stages(%x: memref<4xf32>)
      workgroup(%a : memref<64x36xf32, #gpu.address_space<workgroup>>,
                %b : memref<8xf32, #gpu.address_space<workgroup>> {llvm.align = 128 : i64})
      private(%p : memref<4xf32, #gpu.address_space<private>>) kernel {
    gpu.return
  }
  gpu.func @plain(%x: memref<4xf32>) kernel {
    gpu.return
  }
}
