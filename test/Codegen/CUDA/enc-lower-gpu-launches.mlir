// RUN: encoder-opt %s -split-input-file -verify-diagnostics -enc-lower-gpu-launches | FileCheck %s

// The PTX becomes a NUL-terminated constant; the launch stores each kernel
// parameter in an entry-block stack slot, their addresses in an array, and
// calls enc_runtime_hooks.gpu_launch (field 3) with the PTX, the kernel
// name, grid, block, shared memory and the parameters. The generic
// allocation functions host buffers were lowered to call gpu_alloc (field 1)
// and gpu_free (field 2), enc_gpu_upload calls gpu_upload (field 4).
// Nothing of the gpu dialect is left.

// CHECK-NOT: gpu.container_module
// CHECK-DAG: llvm.mlir.global internal constant @__enc_kernel_k_k("k\00")
// CHECK-DAG: llvm.mlir.global internal constant @__enc_ptx_k("//\0A.version 8.0\0A.target sm_90\0A.visible .entry k(\0A.param .u64 k_param_0,\0A.param .u64 k_param_1\0A)\0A{\0Aret;\0A}\0A\00")
// CHECK-DAG: llvm.mlir.global external @enc_runtime_hooks() {addr_space = 0 : i32} : !llvm.struct<(ptr, ptr, ptr, ptr, ptr)>

// CHECK-LABEL: llvm.func internal @_mlir_memref_to_llvm_alloc(
// CHECK-SAME: %[[SIZE:.*]]: i64) -> !llvm.ptr
// CHECK: %[[SLOT:.*]] = llvm.getelementptr %{{.*}}[0, 1] : (!llvm.ptr) -> !llvm.ptr, !llvm.struct<(ptr, ptr, ptr, ptr, ptr)>
// CHECK: %[[ALLOC:.*]] = llvm.load %[[SLOT]] : !llvm.ptr -> !llvm.ptr
// CHECK: %[[P:.*]] = llvm.call %[[ALLOC]](%[[SIZE]]) : !llvm.ptr, (i64) -> !llvm.ptr
// CHECK: llvm.return %[[P]]

// CHECK-LABEL: llvm.func internal @_mlir_memref_to_llvm_free(
// CHECK-SAME: %[[PTR:.*]]: !llvm.ptr)
// CHECK: llvm.getelementptr %{{.*}}[0, 2]
// CHECK: %[[FREE:.*]] = llvm.load
// CHECK: llvm.call %[[FREE]](%[[PTR]]) : !llvm.ptr, (!llvm.ptr) -> ()

// CHECK-LABEL: llvm.func internal @enc_gpu_upload(
// CHECK-SAME: %[[DST:.*]]: i64, %[[SRC:.*]]: i64, %[[BYTES:.*]]: i64)
// CHECK: llvm.getelementptr %{{.*}}[0, 4]
// CHECK: %[[UPLOAD:.*]] = llvm.load
// CHECK: %[[D:.*]] = llvm.inttoptr %[[DST]] : i64 to !llvm.ptr
// CHECK: %[[S:.*]] = llvm.inttoptr %[[SRC]] : i64 to !llvm.ptr
// CHECK: llvm.call %[[UPLOAD]](%[[D]], %[[S]], %[[BYTES]]) : !llvm.ptr, (!llvm.ptr, !llvm.ptr, i64) -> ()

// CHECK-LABEL: llvm.func @host(
// CHECK-SAME: %[[N:.*]]: i64, %[[BUF:.*]]: !llvm.ptr)
// CHECK: %[[S0:.*]] = llvm.alloca %{{.*}} x !llvm.ptr
// CHECK: %[[S1:.*]] = llvm.alloca %{{.*}} x i64
// CHECK: %[[PARAMS:.*]] = llvm.alloca %{{.*}} x !llvm.ptr
// CHECK: llvm.store %[[BUF]], %[[S0]]
// CHECK: %[[E0:.*]] = llvm.getelementptr %[[PARAMS]][0]
// CHECK: llvm.store %[[S0]], %[[E0]]
// CHECK: llvm.store %[[N]], %[[S1]]
// CHECK: %[[E1:.*]] = llvm.getelementptr %[[PARAMS]][1]
// CHECK: llvm.store %[[S1]], %[[E1]]
// CHECK: %[[ZERO:.*]] = llvm.mlir.constant(0 : i64) : i64
// CHECK: llvm.getelementptr %{{.*}}[0, 3]
// CHECK: %[[LAUNCH:.*]] = llvm.load
// CHECK: %[[PTX:.*]] = llvm.mlir.addressof @__enc_ptx_k
// CHECK: %[[NAME:.*]] = llvm.mlir.addressof @__enc_kernel_k_k
// CHECK: %[[TWO:.*]] = llvm.mlir.constant(2 : i64) : i64
// CHECK: llvm.call %[[LAUNCH]](%[[PTX]], %[[NAME]], %[[N]], %[[ONE:.*]], %[[ONE]], %[[N]], %[[ONE]], %[[ONE]], %[[ZERO]], %[[PARAMS]], %[[TWO]])
// CHECK-NOT: gpu.
module attributes {gpu.container_module} {
  gpu.binary @k [#gpu.object<#nvvm.target<chip = "sm_90">, assembly = "//\0A.version 8.0\0A.target sm_90\0A.visible .entry k(\0A.param .u64 k_param_0,\0A.param .u64 k_param_1\0A)\0A{\0Aret;\0A}\0A">]
  llvm.func @_mlir_memref_to_llvm_alloc(i64) -> !llvm.ptr
  llvm.func @_mlir_memref_to_llvm_free(!llvm.ptr)
  llvm.func @enc_gpu_upload(i64, i64, i64)
  llvm.func @host(%n: i64, %buf: !llvm.ptr) {
    %one = llvm.mlir.constant(1 : i64) : i64
    gpu.launch_func @k::@k blocks in (%n, %one, %one) threads in (%n, %one, %one) : i64 args(%buf : !llvm.ptr, %n : i64)
    llvm.return
  }
}

// -----

// Other GPU runtime calls have no hook: an error names them.
module {
  // expected-error @+1 {{the GPU host code calls 'mgpuStreamCreate', which artifacts do not provide}}
  llvm.func @mgpuStreamCreate() -> !llvm.ptr
  llvm.func @_mlir_memref_to_llvm_alloc(i64) -> !llvm.ptr
}

// -----

// Kernels must be PTX, not a fatbin (the runtime JIT-compiles PTX).
module attributes {gpu.container_module} {
  // expected-error @+1 {{expected PTX (gpu-module-to-binary format=isa)}}
  gpu.binary @k [#gpu.object<#nvvm.target<chip = "sm_90">, bin = "\00\01">]
}
