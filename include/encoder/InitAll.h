//===- InitAll.h - register everything the encoder tools use ----*- C++ -*-===//
//
// One place that every tool (encoder-opt, encoder-compile, the Python
// compiler module) calls, so they agree on dialects, passes and pipelines.
//
//===----------------------------------------------------------------------===//

#ifndef ENCODER_INITALL_H
#define ENCODER_INITALL_H

namespace mlir {
class DialectRegistry;

namespace enc {

/// The enc dialect, every upstream dialect, and the upstream extensions
/// (bufferization and LLVM-conversion interfaces, inliner, ...).
void registerAllDialects(DialectRegistry &registry);

/// The enc passes and pipelines, and every upstream pass.
void registerAllPasses();

} // namespace enc
} // namespace mlir

#endif // ENCODER_INITALL_H
