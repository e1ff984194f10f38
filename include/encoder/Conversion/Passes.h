//===- Passes.h - conversion passes of the encoder compiler -----*- C++ -*-===//

#ifndef ENCODER_CONVERSION_PASSES_H
#define ENCODER_CONVERSION_PASSES_H

#include "mlir/Pass/Pass.h"

namespace mlir {
class RewritePatternSet;
class TypeConverter;

namespace enc {

#define GEN_PASS_DECL
#include "encoder/Conversion/Passes.h.inc"

/// Patterns lowering enc ops to linalg/tensor/arith/math, by op family.
void populateLayersToLinalgPatterns(RewritePatternSet &patterns);
/// The packed-weight linear micro-kernel (vector dialect, scf.forall).
void populateMatmulToLinalgPatterns(RewritePatternSet &patterns);
void populateAttentionToLinalgPatterns(RewritePatternSet &patterns);
void populateEmbeddingsToLinalgPatterns(RewritePatternSet &patterns);
void populateAudioToLinalgPatterns(RewritePatternSet &patterns);
void populatePoolingToLinalgPatterns(RewritePatternSet &patterns);
void populateLossesToLinalgPatterns(RewritePatternSet &patterns);
/// All of the above.
void populateEncToLinalgPatterns(RewritePatternSet &patterns);

#define GEN_PASS_REGISTRATION
#include "encoder/Conversion/Passes.h.inc"

} // namespace enc
} // namespace mlir

#endif // ENCODER_CONVERSION_PASSES_H
