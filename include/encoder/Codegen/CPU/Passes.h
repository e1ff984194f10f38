//===- Passes.h - CPU code generation -------------------------*- C++ -*-===//
//
// The passes of lib/Codegen/CPU/ (include/encoder/Codegen/CPU/Passes.td has
// their descriptions).
//
//===----------------------------------------------------------------------===//

#ifndef ENCODER_CODEGEN_CPU_PASSES_H
#define ENCODER_CODEGEN_CPU_PASSES_H

#include "mlir/Pass/Pass.h"

namespace mlir::enc {

/// Registers the CPU target of convert-enc-to-linalg (LoweringTarget).
void registerCPULoweringTarget();

#define GEN_PASS_DECL
#include "encoder/Codegen/CPU/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "encoder/Codegen/CPU/Passes.h.inc"

} // namespace mlir::enc

#endif // ENCODER_CODEGEN_CPU_PASSES_H
