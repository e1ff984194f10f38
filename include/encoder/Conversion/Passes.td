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

    The patterns are split by op family (layers, attention, embeddings,
    audio, pooling, losses) and exposed as `populate...ToLinalgPatterns` so other
    pipelines can reuse them.

    With `annotate-origins` (the compile pipelines set it), every linalg op
    and loop a pattern creates carries `enc.origin`, the name of the enc op
    it came from, and that op's knobs (`enc.tile_sizes`, `enc.no_fuse`), for
    kernel formation and the kernel report.
  }];
  let options = [
    Option<"annotateOrigins", "annotate-origins", "bool", /*default=*/"false",
           "Tag lowered ops with enc.origin and their enc op's knobs">,
    Option<"vectorBits", "vector-bits", "int64_t", /*default=*/"512",
           "Vector register width the matmul and attention kernels are "
           "blocked for (512: AVX-512, 256: AVX2, 128: SSE; 0: none, for "
           "GPU code generation: attention as plain linalg)">,
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
