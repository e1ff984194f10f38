//===- Passes.td - conversion passes of the encoder compiler -*- tablegen -*-===//
//
// Every dialect conversion of the project, one folder each under
// lib/Conversion/.
//
//===----------------------------------------------------------------------===//

#ifndef ENCODER_CONVERSION_PASSES_TD
#define ENCODER_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertEncToLinalg : Pass<"convert-enc-to-linalg"> {
  let summary = "Lower enc ops to linalg, tensor, arith and math on tensors";
  let description = [{
    Rewrites every `enc` op except `enc.param` into upstream ops on tensors:
    named `linalg` ops where one fits (`linalg.matmul` for `enc.linear`),
    `linalg.generic` otherwise, `tensor` ops for reshapes and slices, and
    `arith` / `math` for the scalar bodies. Shapes may be dynamic.
    `enc.param` is left in place: `enc-lift-params` turns it into a function
    argument first in the compile pipelines.

    The neutral patterns are split by op family (layers, attention,
    embeddings, audio, pooling, losses) and exposed as
    `populate...ToLinalgPatterns`. The `target` adds its own kernels for the
    ops they cover, tried first (`LoweringTarget`): the CPU lowers packed
    `enc.linear` / `enc.patch_embed` to its register-blocked matmul and
    `enc.attention` to flash attention, both blocked for `vector-bits`; the
    CUDA target keeps the neutral lowering (its kernels are made by passes
    around this one). A packed weight with no kernel to take it is an error.

    With `annotate-origins` (the compile pipelines set it), every linalg op
    and loop a pattern creates carries `enc.origin`, the name of the enc op
    it came from, and that op's knobs (`enc.tile_sizes`, `enc.no_fuse`), for
    kernel formation and the kernel report.

    Example (`target=cpu`; the neutral lowering would be a `linalg.matmul`
    on the unpacked weight):

    ```mlir
    // Before
    %y = enc.linear %x, %w, %b {activation = #enc.activation<gelu>}
        : (tensor<8x768xf32>, tensor<96x768x32xf32>, tensor<3072xf32>)
        -> tensor<8x3072xf32>
    // After
    %y = scf.forall (%panel) in (96) shared_outs(%out = %init) -> ... {
      ... vector.fma ... // 8 rows x 32 columns of accumulators, gelu, store
    } {enc.origin = "enc.linear"}
    ```
  }];
  let options = [
    Option<"annotateOrigins", "annotate-origins", "bool", /*default=*/"false",
           "Tag lowered ops with enc.origin and their enc op's knobs">,
    Option<"targetKind", "target", "::mlir::enc::TargetKind",
           /*default=*/"::mlir::enc::TargetKind::cpu",
           "The target whose kernels replace the neutral lowering of the "
           "ops they cover",
           [{::llvm::cl::values(
             clEnumValN(::mlir::enc::TargetKind::cpu, "cpu",
                        "packed matmul and flash attention kernels"),
             clEnumValN(::mlir::enc::TargetKind::cuda, "cuda",
                        "the neutral lowering throughout"))}]>,
    Option<"vectorBits", "vector-bits", "int64_t", /*default=*/"512",
           "CPU: the vector register width its kernels are blocked for "
           "(512: AVX-512, 256: AVX2, 128: SSE)">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::vector::VectorDialect",
  ];
}

#endif // ENCODER_CONVERSION_PASSES_TD
