//===- LoweringUtils.h - helpers shared by the enc-to-linalg patterns -*- C++
//-*-===//
//
// Small builders for the tensors and linalg.generic ops that every op family
// needs. Shapes may be dynamic: sizes travel as OpFoldResults.
//
//===----------------------------------------------------------------------===//

#ifndef ENCODER_CONVERSION_LOWERINGUTILS_H
#define ENCODER_CONVERSION_LOWERINGUTILS_H

#include "Enc/IR/EncDialect.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Builders.h"

namespace mlir::enc::lowering {

/// The sizes of a ranked tensor, static where known.
SmallVector<OpFoldResult> sizesOf(OpBuilder &b, Location loc, Value tensor);

/// scale * the product of `factors`, as an index value (kernel FLOPs and
/// bytes for enc.kernel_info).
Value indexProduct(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> factors,
                   int64_t scale = 1);

/// A `tensor.empty` of the given sizes.
Value emptyTensor(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> sizes,
                  Type elementType);

/// A `tensor.empty` filled with `value` (a scalar of the element type).
Value filledTensor(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> sizes,
                   Value value);

/// A float constant of type `type` (a splat when `type` is a vector).
Value floatConstant(OpBuilder &b, Location loc, Type type, double value);

/// -inf of float type `type`.
Value negativeInfinity(OpBuilder &b, Location loc, Type type);

/// The most negative finite value of float type `type`: the score of a key
/// that an integer or boolean attention mask leaves out. Hugging Face adds
/// finfo.min rather than -inf, so a row with no key left averages every key
/// (finite) instead of dividing 0 by 0; rows with keys left are unchanged,
/// since exp(min - max) is 0.
Value maskedScore(OpBuilder &b, Location loc, Type type);

/// Dimension `dim` of `tensor` as a float of type `type` (for averages).
Value dimAsFloat(OpBuilder &b, Location loc, Value tensor, int64_t dim,
                 Type type);

/// `parallel` iterators followed by `reduction` ones.
SmallVector<utils::IteratorType> iterators(unsigned parallel,
                                           unsigned reduction = 0);

/// The map (d0, ..., d{numDims-1}) -> (d{results[0]}, d{results[1]}, ...).
AffineMap projection(MLIRContext *ctx, unsigned numDims,
                     ArrayRef<unsigned> results);

/// The map from numDims loop dims onto their first `count` dims.
AffineMap leadingDims(MLIRContext *ctx, unsigned numDims, unsigned count);

/// Builds a linalg.generic with one result per output and returns its
/// results. `body` receives the block arguments (inputs, then outputs) and
/// returns the values to yield.
using GenericBody =
    function_ref<SmallVector<Value>(OpBuilder &, Location, ValueRange)>;
SmallVector<Value> buildGeneric(OpBuilder &b, Location loc, ValueRange inputs,
                                ValueRange outputs, ArrayRef<AffineMap> maps,
                                ArrayRef<utils::IteratorType> iteratorTypes,
                                GenericBody body);

/// Converts an integer index value (any width) to `index`, clamped to
/// [0, size - 1] so that a bad id can never address outside a tensor.
Value clampedIndex(OpBuilder &b, Location loc, Value id, Value size);

/// Converts a mask element (i1, integer or float) to a float weight of type
/// `type`: floats pass through, others become 1.0 when nonzero.
Value maskToWeight(OpBuilder &b, Location loc, Value element, Type type);

/// A float of type `type` in [0, 1) that depends only on `seed` and
/// `counter` (an index): the top 24 bits of the splitmix64 finalizer of
/// `seed * 2^64/phi + counter`. Seeded ops (random_mask, reparameterize)
/// draw their noise this way, so a call is deterministic and needs no state.
Value hashUniform(OpBuilder &b, Location loc, uint64_t seed, Value counter,
                  Type type);
/// The same with the seed an i64 value computed at run time (`mixed`: it is
/// already seed * 2^64/phi).
Value hashUniform(OpBuilder &b, Location loc, Value seed, Value counter,
                  Type type, bool mixed = false);

/// A standard normal float from the uniforms of counters 2c and 2c + 1
/// (Box-Muller).
Value hashNormal(OpBuilder &b, Location loc, uint64_t seed, Value counter,
                 Type type);

/// `sizes`, with every dimension that `type` has statically replaced by its
/// constant: tensors built from computed sizes then get exactly `type`.
SmallVector<OpFoldResult> staticWhereKnown(OpBuilder &b, RankedTensorType type,
                                           ArrayRef<OpFoldResult> sizes);

/// `size` as an `index` value (a constant where it is an attribute).
Value indexValue(OpBuilder &b, Location loc, OpFoldResult size);

/// A rank-4 `x` with dimensions 1 and 2 swapped ([b, h, s, d] <-> [b, s, h,
/// d], enc.attention's two layouts), as a linalg.transpose; and a shape so.
Value swapHeadsAndSequence(OpBuilder &b, Location loc, Value x);
SmallVector<int64_t> swapHeadsAndSequence(ArrayRef<int64_t> shape);

/// `size / divisor`, folded where `size` is static.
OpFoldResult divideSize(OpBuilder &b, Location loc, OpFoldResult size,
                        int64_t divisor);

/// `lhs * rhs`, folded where both are static.
OpFoldResult multiplySizes(OpBuilder &b, Location loc, OpFoldResult lhs,
                           OpFoldResult rhs);

/// The ranked tensor type of `sizes` (static where they are constants).
RankedTensorType tensorTypeOf(ArrayRef<OpFoldResult> sizes, Type elementType);

/// `value` as tensor type `type`, through a tensor.cast when the two differ
/// only in what they know statically (a lowering may know more than the
/// op's declared result type).
Value castTo(OpBuilder &b, Location loc, Value value, Type type);

/// A constant tensor of float type `elementType` holding `values` (row-major,
/// computed in double at compile time and rounded once).
Value floatTensorConstant(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                          ArrayRef<double> values, Type elementType);

/// A constant tensor of integer type `elementType` holding `values`.
Value intTensorConstant(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                        ArrayRef<int64_t> values, Type elementType);

/// A non-negative f64 `angle` reduced modulo 2π, then converted to float
/// type `type`. Sinusoids of large positions need this: an f32 angle of a
/// few thousand radians is off by ~1e-4, while the reduction in f64 keeps
/// the sine accurate to f32 precision whatever the position.
Value reducedAngle(OpBuilder &b, Location loc, Value angle, Type type);

/// enc.patch_embed's result from its patches [batch, n, dim]: with a class
/// token ([1, 1, dim] or null), [batch, 1 + n, dim] with the token in row
/// 0; cast to `resultType`.
Value prependClassToken(OpBuilder &b, Location loc, Value patches,
                        Value classToken, OpFoldResult batch, OpFoldResult dim,
                        RankedTensorType resultType);

/// The activation `kind` of `x` (a scalar or a vector of floats).
Value activation(OpBuilder &b, Location loc, ActivationKind kind, Value x);

} // namespace mlir::enc::lowering

#endif // ENCODER_CONVERSION_LOWERINGUTILS_H
