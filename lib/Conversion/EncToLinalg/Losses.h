//===- Losses.h - builders shared by the loss lowerings ---------*- C++ -*-===//
//
// The losses are split over Losses.cpp (cross entropy, regression, VAE,
// binary), ContrastiveLosses.cpp (pairwise and self-distillation) and
// AutoencoderLosses.cpp (corruption noise and the penalties of sparse and
// contractive autoencoders); they end in reductions to 0-d tensors, built
// here.
//
//===----------------------------------------------------------------------===//

#ifndef ENCODER_LIB_CONVERSION_ENCTOLINALG_LOSSES_H
#define ENCODER_LIB_CONVERSION_ENCTOLINALG_LOSSES_H

#include "encoder/Conversion/LoweringUtils.h"

#include "mlir/Transforms/DialectConversion.h"

namespace mlir::enc {

/// The patterns of ContrastiveLosses.cpp and AutoencoderLosses.cpp;
/// populateLossesToLinalgPatterns adds them.
void populateContrastiveLossesToLinalgPatterns(RewritePatternSet &patterns);
void populateAutoencoderLossesToLinalgPatterns(RewritePatternSet &patterns);

namespace lowering {

/// Sums per-element terms over all `numLoops` loops into `numResults` 0-d
/// tensors (starting at 0). `terms` receives the input elements and
/// returns one term per result.
SmallVector<Value> sumToScalars(OpBuilder &b, Location loc, ValueRange inputs,
                                ArrayRef<AffineMap> inputMaps,
                                unsigned numLoops, unsigned numResults,
                                Type elementType, GenericBody terms);

/// A 0-d tensor computed from 0-d tensors by `body` (which receives their
/// elements).
Value mapScalars(OpBuilder &b, Location loc, ValueRange scalars,
                 Type elementType, GenericBody body);

/// A 0-d `numerator / denominator` from a 0-d numerator.
Value divideScalar(OpBuilder &b, Location loc, Value numerator,
                   Value denominator);

/// The mean over the batch of a loss: the 0-d `total` divided by the size
/// of `batched`'s first dimension (times `extraFactor`, e.g. 2 for the two
/// directions of a symmetric loss).
Value meanOverBatch(OpBuilder &b, Location loc, Value total, Value batched,
                    double extraFactor = 1.0);

/// The map from `numDims` loop dims onto their first `count` dims, also for
/// count 0 (a 0-d operand), where leadingDims gives a null map.
AffineMap firstDims(MLIRContext *ctx, unsigned numDims, unsigned count);

/// Row-major strides of a tensor of `sizes`: the counters of seeded draws.
SmallVector<Value> rowMajorStrides(OpBuilder &b, Location loc,
                                   ArrayRef<OpFoldResult> sizes);

/// In the body of a generic over `strides.size()` loops: the draw of the
/// element at the loops' row-major index from `seed`, standard normal
/// (hashNormal) or uniform in [0, 1) (hashUniform), made in f32 for
/// narrower types and rounded once.
Value seededDraw(OpBuilder &b, Location loc, uint64_t seed,
                 ArrayRef<Value> strides, Type elementType, bool normal);

/// `min(x, 0) - log1p(exp(-|x|))`: log(sigmoid(x)) without overflow for
/// large |x| and without cancellation for large negative x.
Value logSigmoid(OpBuilder &b, Location loc, Value x);

} // namespace lowering
} // namespace mlir::enc

#endif // ENCODER_LIB_CONVERSION_ENCTOLINALG_LOSSES_H
