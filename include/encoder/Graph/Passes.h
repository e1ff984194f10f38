//===- Passes.h - graph-level passes on enc -------------------*- C++ -*-===//
//
// The passes of lib/Graph/ (include/encoder/Graph/Passes.td has
// their descriptions).
//
//===----------------------------------------------------------------------===//

#ifndef ENCODER_GRAPH_PASSES_H
#define ENCODER_GRAPH_PASSES_H

#include "mlir/Pass/Pass.h"

namespace mlir::enc {

#define GEN_PASS_DECL
#include "encoder/Graph/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "encoder/Graph/Passes.h.inc"

} // namespace mlir::enc

#endif // ENCODER_GRAPH_PASSES_H
