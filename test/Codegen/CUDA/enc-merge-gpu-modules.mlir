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

// Workgroup globals (enc-attention-to-gpu's stages), cloned by outlining
// into each module whose kernel uses them: one copy of each name in the
// merged module, the two kernels that differ only in their old module
// still one; the host's dead originals are dropped, other globals kept.

// CHECK-LABEL: module attributes {gpu.container_module}
// CHECK-NOT: @__enc_attention_k_64x72xbf16 :
// CHECK: memref.global "private" constant @table
// CHECK-NEXT: gpu.module @enc_kernels {
// CHECK-NEXT: memref.global "private" @__enc_attention_k_64x72xbf16 : memref<64x72xbf16, #gpu.address_space<workgroup>> {alignment = 16 : i64}
// CHECK-NEXT: gpu.func @k0(
// CHECK: memref.get_global @__enc_attention_k_64x72xbf16
// CHECK-NOT: gpu.func
// CHECK-NOT: @__enc_attention_k_64x72xbf16 :
// CHECK: gpu.launch_func @enc_kernels::@k0
// CHECK: gpu.launch_func @enc_kernels::@k0
module attributes {gpu.container_module} {
  memref.global "private" @__enc_attention_k_64x72xbf16 : memref<64x72xbf16, #gpu.address_space<workgroup>> {alignment = 16 : i64}
  memref.global "private" constant @table : memref<2xf32> = dense<[1.0, 2.0]>
  gpu.module @k0 {
    memref.global "private" @__enc_attention_k_64x72xbf16 : memref<64x72xbf16, #gpu.address_space<workgroup>> {alignment = 16 : i64}
    gpu.func @main_kernel(%x: bf16) kernel {
      %c0 = arith.constant 0 : index
      %s = memref.get_global @__enc_attention_k_64x72xbf16 : memref<64x72xbf16, #gpu.address_space<workgroup>>
      memref.store %x, %s[%c0, %c0] : memref<64x72xbf16, #gpu.address_space<workgroup>>
      gpu.return
    }
  }
  gpu.module @k1 {
    memref.global "private" @__enc_attention_k_64x72xbf16 : memref<64x72xbf16, #gpu.address_space<workgroup>> {alignment = 16 : i64}
    gpu.func @main_kernel(%x: bf16) kernel {
      %c0 = arith.constant 0 : index
      %s = memref.get_global @__enc_attention_k_64x72xbf16 : memref<64x72xbf16, #gpu.address_space<workgroup>>
      memref.store %x, %s[%c0, %c0] : memref<64x72xbf16, #gpu.address_space<workgroup>>
      gpu.return
    }
  }
  func.func @host(%x: bf16) -> f32 {
    %c1 = arith.constant 1 : index
    gpu.launch_func @k0::@main_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%x : bf16)
    gpu.launch_func @k1::@main_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%x : bf16)
    %t = memref.get_global @table : memref<2xf32>
    %c0 = arith.constant 0 : index
    %v = memref.load %t[%c0] : memref<2xf32>
    return %v : f32
  }
}

// -----

// Modules must hold kernels and globals only (the pass runs right after
// outlining).
module attributes {gpu.container_module} {
  gpu.module @k0 {
    // expected-error @+1 {{enc-merge-gpu-modules: expected only kernels and globals in k0 (run it right after outlining)}}
    llvm.func @helper()
    gpu.func @main_kernel() kernel {
      gpu.return
    }
  }
}
