// --emit stops after a stage and prints it.
// RUN: encoder-compile %s --emit=enc | FileCheck %s --check-prefix=ENC
// RUN: encoder-compile %s --emit=linalg | FileCheck %s --check-prefix=LINALG
// RUN: encoder-compile %s --emit=llvm | FileCheck %s --check-prefix=LLVM
// RUN: encoder-compile %s --emit=llvm-ir --cpu=x86-64 | FileCheck %s --check-prefix=IR
// RUN: encoder-compile %s --emit=asm --cpu=skylake-avx512 | FileCheck %s --check-prefix=ASM

// Parameters are arguments and the signature is recorded; enc ops remain.
// ENC: module attributes {enc.cpu_kernels = {{.*}}, enc.functions = [{inputs = [{dtype = "f32", name = "x", shape = array<i64: 2, 3>}], name = "main"
// ENC: func.func @main(%{{.*}}: tensor<2x3xf32> {{{.*}}enc.name = "x"}, %{{.*}}: tensor<4x3xf32> {{{.*}}enc.param = "w"})
// The activation is fused into the linear (enc-fuse-linear-epilogue).
// ENC: enc.linear {{.*}}activation = #enc<activation gelu>

// LINALG-NOT: = enc.
// LINALG: linalg.matmul
// LINALG: math.erf

// LLVM: llvm.func @__enc_entry_main(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr)
// LLVM: llvm.mlir.global external constant @enc_artifact_metadata

// The metadata records the target.
// IR: @enc_artifact_metadata = {{.*}}constant [{{[0-9]+}} x i8] c"{{.*}}\22target\22:{\22cpu\22:\22x86-64\22,\22kind\22:\22cpu\22,\22triple\22:\22x86_64{{.*}}\00"
// IR: define void @__enc_entry_main(ptr {{.*}}, ptr {{.*}})
// IR-NOT: define {{.*}}@main

// ASM: .text
// ASM: __enc_entry_main:
// ASM: {{[xyz]mm[0-9]+}}
func.func @main(%x: tensor<2x3xf32> {enc.name = "x"}) -> tensor<2x4xf32> {
  %w = enc.param "w" : tensor<4x3xf32>
  %y = enc.linear %x, %w : (tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<2x4xf32>
  %a = enc.activation gelu %y : tensor<2x4xf32>
  return %a : tensor<2x4xf32>
}
