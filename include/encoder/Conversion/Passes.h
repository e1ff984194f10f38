//===- Passes.h - conversion passes of the encoder compiler -----*- C++ -*-===//

#ifndef ENCODER_CONVERSION_PASSES_H
#define ENCODER_CONVERSION_PASSES_H

#include "mlir/Pass/Pass.h"

namespace mlir {
class RewritePatternSet;
class TypeConverter;

namespace enc {

/// The vector registers the hand-written kernels (matmul, attention) are
/// blocked for: AVX-512 has 32 of 512 bits, AVX2 and SSE 16. Zero bits: no
/// host vector kernels at all (GPU code generation): attention lowers to
/// plain linalg, and packed weights are not supported.
struct VectorTarget {
  int64_t bits = 512;
  int64_t registers = 32;
  static VectorTarget ofWidth(int64_t bits) {
    return {bits, bits >= 512 ? 32 : bits == 0 ? 0 : 16};
  }
};

#define GEN_PASS_DECL
#include "encoder/Conversion/Passes.h.inc"

/// Patterns lowering enc ops to linalg/tensor/arith/math, by op family.
void populateLayersToLinalgPatterns(RewritePatternSet &patterns);
/// The packed-weight linear micro-kernel (vector dialect, scf.forall).
void populateMatmulToLinalgPatterns(RewritePatternSet &patterns,
                                    VectorTarget target = {});
void populateAttentionToLinalgPatterns(RewritePatternSet &patterns,
                                       VectorTarget target = {});
void populateEmbeddingsToLinalgPatterns(RewritePatternSet &patterns,
                                        VectorTarget target = {});
void populateAudioToLinalgPatterns(RewritePatternSet &patterns);
void populatePoolingToLinalgPatterns(RewritePatternSet &patterns);
void populateLossesToLinalgPatterns(RewritePatternSet &patterns);
/// All of the above.
void populateEncToLinalgPatterns(RewritePatternSet &patterns,
                                 VectorTarget target = {});

#define GEN_PASS_REGISTRATION
#include "encoder/Conversion/Passes.h.inc"

} // namespace enc
} // namespace mlir

#endif // ENCODER_CONVERSION_PASSES_H
