//===- Passes.h - code generation both targets share ----------*- C++ -*-===//
//
// The passes of lib/Codegen/Common/ (include/encoder/Codegen/Common/Passes.td
// has their descriptions).
//
//===----------------------------------------------------------------------===//

#ifndef ENCODER_CODEGEN_COMMON_PASSES_H
#define ENCODER_CODEGEN_COMMON_PASSES_H

#include "encoder/Target/TargetInfo.h"

#include "mlir/Pass/Pass.h"

namespace mlir::enc {

#define GEN_PASS_DECL
#include "encoder/Codegen/Common/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "encoder/Codegen/Common/Passes.h.inc"

} // namespace mlir::enc

#endif // ENCODER_CODEGEN_COMMON_PASSES_H
