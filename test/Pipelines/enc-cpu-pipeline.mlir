// RUN: encoder-opt %s -enc-cpu-pipeline | FileCheck %s

// The whole CPU lowering: only LLVM dialect is left, the artifact exports
// the entry point and the metadata, temporaries are freed, and nothing
// calls libm or MLIR's runner utilities (an artifact must run where only
// the runtime is installed).
// CHECK-NOT: memref.
// CHECK-NOT: linalg.
// CHECK-NOT: math.
// CHECK-NOT: llvm.func @memrefCopy
// CHECK-NOT: llvm.func @expf
// CHECK-NOT: llvm.func @erff
// CHECK-DAG: llvm.func @malloc(i64) -> !llvm.ptr
// CHECK-DAG: llvm.func @free(!llvm.ptr)
// CHECK-DAG: llvm.func internal @main(
// CHECK-DAG: llvm.func @__enc_entry_main(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr)
// CHECK-DAG: llvm.mlir.global external constant @enc_artifact_metadata
// CHECK-DAG: llvm.call @free
func.func @main(%ids: tensor<2x8xi64> {enc.name = "input_ids"},
                %mask: tensor<2x8xi64> {enc.name = "attention_mask"},
                %hidden: tensor<2x8x16xf32> {enc.name = "hidden"})
    -> (tensor<2x16xf32> {enc.name = "pooled"}, tensor<2x16xf32> {enc.name = "cls"}) {
  %table = enc.param "emb" : tensor<50x16xf32>
  %e = enc.embedding %ids, %table : (tensor<2x8xi64>, tensor<50x16xf32>) -> tensor<2x8x16xf32>
  %h = enc.layer_norm %e : (tensor<2x8x16xf32>) -> tensor<2x8x16xf32>
  %a = enc.activation gelu %h : tensor<2x8x16xf32>
  %p = enc.pool mean %a mask %mask : (tensor<2x8x16xf32>, tensor<2x8xi64>) -> tensor<2x16xf32>
  // A slice of a read-only input returned as it is: a strided copy.
  %c = enc.pool cls %hidden : (tensor<2x8x16xf32>) -> tensor<2x16xf32>
  return %p, %c : tensor<2x16xf32>, tensor<2x16xf32>
}
