// RUN: encoder-opt %s --enc-cuda-pipeline="gpu-arch=sm_80" | FileCheck %s

// The whole GPU path on a linear + relu: host code in the LLVM dialect with
// the artifact ABI, one PTX module per kernel (sm_80, PTX 7.0), launches and
// (device) allocations through the runtime hooks, and "cuda" metadata
// naming the architecture.

// CHECK-DAG: llvm.mlir.global internal constant @__enc_ptx_enc_kernels("{{.*}}.version 7.0\0A.target sm_80{{.*}}.visible .entry main_kernel(
// CHECK-DAG: llvm.mlir.global external constant @enc_artifact_metadata("{{.*}}\22gpu_arch\22:\22sm_80\22,\22kind\22:\22cuda\22
// CHECK-DAG: llvm.func internal @_mlir_memref_to_llvm_alloc(
// CHECK-DAG: llvm.func @__enc_entry_main(
// CHECK-NOT: gpu.launch_func
// CHECK-NOT: gpu.binary
func.func @main(%x: tensor<4x8xf32> {enc.name = "x"}) -> (tensor<4x16xf32> {enc.name = "y"}) {
  %w = enc.param "w" : tensor<16x8xf32>
  %b = enc.param "b" : tensor<16xf32>
  %y = enc.linear %x, %w, %b {activation = #enc<activation relu>} : (tensor<4x8xf32>, tensor<16x8xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}
