// RUN: encoder-opt %s -split-input-file -verify-diagnostics -enc-merge-gpu-modules | FileCheck %s

// Three outlined modules become one, @enc_kernels, each kernel named after
// its old module; the two identical kernels (the same op in two layers) are
// one, launched from both sites.

// CHECK: gpu.module @enc_kernels {
// CHECK-NEXT: gpu.func @k0(%{{.*}}: memref<4xf32>) kernel
// CHECK: arith.addf
// CHECK: gpu.func @k2(%{{.*}}: memref<4xf32>) kernel
// CHECK: arith.mulf
// CHECK-NOT: gpu.module
// CHECK-LABEL: func.func @host(
// CHECK: gpu.launch_func @enc_kernels::@k0
// CHECK: gpu.launch_func @enc_kernels::@k0
// CHECK: gpu.launch_func @enc_kernels::@k2
module attributes {gpu.container_module} {
  gpu.module @k0 {
    gpu.func @main_kernel(%m: memref<4xf32>) kernel {
      %c0 = arith.constant 0 : index
      %v = memref.load %m[%c0] : memref<4xf32>
      %w = arith.addf %v, %v : f32
      memref.store %w, %m[%c0] : memref<4xf32>
      gpu.return
    }
  }
  gpu.module @k1 {
    gpu.func @main_kernel(%m: memref<4xf32>) kernel {
      %c0 = arith.constant 0 : index
      %v = memref.load %m[%c0] : memref<4xf32>
      %w = arith.addf %v, %v : f32
      memref.store %w, %m[%c0] : memref<4xf32>
      gpu.return
    }
  }
  gpu.module @k2 {
    gpu.func @main_kernel(%m: memref<4xf32>) kernel {
      %c0 = arith.constant 0 : index
      %v = memref.load %m[%c0] : memref<4xf32>
      %w = arith.mulf %v, %v : f32
      memref.store %w, %m[%c0] : memref<4xf32>
      gpu.return
    }
  }
  func.func @host(%m: memref<4xf32>) {
    %c1 = arith.constant 1 : index
    gpu.launch_func @k0::@main_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%m : memref<4xf32>)
    gpu.launch_func @k1::@main_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%m : memref<4xf32>)
    gpu.launch_func @k2::@main_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%m : memref<4xf32>)
    return
  }
}

// -----

// Modules must hold kernels only (the pass runs right after outlining).
module attributes {gpu.container_module} {
  gpu.module @k0 {
    // expected-error @+1 {{enc-merge-gpu-modules: expected only kernels in k0 (run it right after outlining)}}
    llvm.func @helper()
    gpu.func @main_kernel() kernel {
      gpu.return
    }
  }
}
