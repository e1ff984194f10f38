//===- LoweringUtils.cpp - helpers shared by the enc-to-linalg patterns
//------===//

#include "encoder/Conversion/LoweringUtils.h"

#include "Enc/IR/EncOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <cmath>

using namespace mlir;
using namespace mlir::enc;

SmallVector<OpFoldResult> lowering::sizesOf(OpBuilder &b, Location loc,
                                            Value tensor) {
  return tensor::getMixedSizes(b, loc, tensor);
}

Value lowering::indexProduct(OpBuilder &b, Location loc,
                             ArrayRef<OpFoldResult> factors, int64_t scale) {
  Value result = arith::ConstantIndexOp::create(b, loc, scale);
  for (OpFoldResult factor : factors)
    result = arith::MulIOp::create(
        b, loc, result, getValueOrCreateConstantIndexOp(b, loc, factor));
  return result;
}

Value lowering::emptyTensor(OpBuilder &b, Location loc,
                            ArrayRef<OpFoldResult> sizes, Type elementType) {
  return tensor::EmptyOp::create(b, loc, sizes, elementType);
}

Value lowering::filledTensor(OpBuilder &b, Location loc,
                             ArrayRef<OpFoldResult> sizes, Value value) {
  Value empty = emptyTensor(b, loc, sizes, value.getType());
  return linalg::FillOp::create(b, loc, ValueRange{value}, ValueRange{empty})
      .getResult(0);
}

Value lowering::floatConstant(OpBuilder &b, Location loc, Type type,
                              double value) {
  if (auto vector = dyn_cast<VectorType>(type))
    return arith::ConstantOp::create(
        b, loc, vector,
        DenseElementsAttr::get(vector,
                               b.getFloatAttr(vector.getElementType(), value)));
  return arith::ConstantOp::create(b, loc, type, b.getFloatAttr(type, value));
}

Value lowering::negativeInfinity(OpBuilder &b, Location loc, Type type) {
  auto floatType = cast<FloatType>(type);
  APFloat inf = APFloat::getInf(floatType.getFloatSemantics(),
                                /*Negative=*/true);
  return arith::ConstantOp::create(b, loc, type, b.getFloatAttr(type, inf));
}

Value lowering::maskedScore(OpBuilder &b, Location loc, Type type) {
  auto floatType = cast<FloatType>(type);
  APFloat lowest = APFloat::getLargest(floatType.getFloatSemantics(),
                                       /*Negative=*/true);
  return arith::ConstantOp::create(b, loc, type, b.getFloatAttr(type, lowest));
}

Value lowering::dimAsFloat(OpBuilder &b, Location loc, Value tensor,
                           int64_t dim, Type type) {
  auto tensorType = cast<RankedTensorType>(tensor.getType());
  if (!tensorType.isDynamicDim(dim))
    return floatConstant(b, loc, type,
                         static_cast<double>(tensorType.getDimSize(dim)));
  Value size = tensor::DimOp::create(b, loc, tensor, dim);
  Value asInt = arith::IndexCastOp::create(b, loc, b.getI64Type(), size);
  return arith::SIToFPOp::create(b, loc, type, asInt);
}

SmallVector<utils::IteratorType> lowering::iterators(unsigned parallel,
                                                     unsigned reduction) {
  SmallVector<utils::IteratorType> result(parallel,
                                          utils::IteratorType::parallel);
  result.append(reduction, utils::IteratorType::reduction);
  return result;
}

AffineMap lowering::projection(MLIRContext *ctx, unsigned numDims,
                               ArrayRef<unsigned> results) {
  SmallVector<AffineExpr> exprs;
  for (unsigned d : results)
    exprs.push_back(getAffineDimExpr(d, ctx));
  return AffineMap::get(numDims, 0, exprs, ctx);
}

AffineMap lowering::leadingDims(MLIRContext *ctx, unsigned numDims,
                                unsigned count) {
  // getMajorSubMap(0) is a null map, not the map to no results.
  if (count == 0)
    return AffineMap::get(numDims, 0, {}, ctx);
  return AffineMap::getMultiDimIdentityMap(numDims, ctx).getMajorSubMap(count);
}

SmallVector<Value>
lowering::buildGeneric(OpBuilder &b, Location loc, ValueRange inputs,
                       ValueRange outputs, ArrayRef<AffineMap> maps,
                       ArrayRef<utils::IteratorType> iteratorTypes,
                       GenericBody body) {
  auto generic = linalg::GenericOp::create(
      b, loc, outputs.getTypes(), inputs, outputs, maps, iteratorTypes,
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        SmallVector<Value> yielded = body(nested, nestedLoc, args);
        linalg::YieldOp::create(nested, nestedLoc, yielded);
      });
  return SmallVector<Value>(generic.getResults());
}

Value lowering::clampedIndex(OpBuilder &b, Location loc, Value id, Value size) {
  Value index = arith::IndexCastOp::create(b, loc, b.getIndexType(), id);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  Value last = arith::SubIOp::create(b, loc, size, one);
  Value low = arith::MaxSIOp::create(b, loc, index, zero);
  return arith::MinSIOp::create(b, loc, low, last);
}

Value lowering::maskToWeight(OpBuilder &b, Location loc, Value element,
                             Type type) {
  Type elementType = element.getType();
  if (isa<FloatType>(elementType)) {
    unsigned from = elementType.getIntOrFloatBitWidth();
    unsigned to = type.getIntOrFloatBitWidth();
    if (elementType == type)
      return element;
    if (from < to)
      return arith::ExtFOp::create(b, loc, type, element);
    return arith::TruncFOp::create(b, loc, type, element);
  }
  Value zero = arith::ConstantOp::create(b, loc, elementType,
                                         b.getIntegerAttr(elementType, 0));
  Value nonzero =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, element, zero);
  return arith::UIToFPOp::create(b, loc, type, nonzero);
}

static constexpr uint64_t kGolden = 0x9E3779B97F4A7C15ull;

/// The top 24 bits of splitmix64(mixedSeed + counter), as an i64, where
/// mixedSeed (i64) is seed * golden.
static Value hashBits(OpBuilder &b, Location loc, Value mixedSeed,
                      Value counter) {
  Type i64 = b.getI64Type();
  auto constant = [&](uint64_t v) {
    return arith::ConstantOp::create(
        b, loc, i64, b.getI64IntegerAttr(static_cast<int64_t>(v)));
  };
  auto mixStep = [&](Value z, uint64_t shift, uint64_t multiplier) {
    Value shifted = arith::ShRUIOp::create(b, loc, z, constant(shift));
    Value mixed = arith::XOrIOp::create(b, loc, z, shifted);
    return arith::MulIOp::create(b, loc, mixed, constant(multiplier));
  };
  Value index = arith::IndexCastUIOp::create(b, loc, i64, counter);
  Value z = arith::AddIOp::create(b, loc, index, mixedSeed);
  z = mixStep(z, 30, 0xBF58476D1CE4E5B9ull);
  z = mixStep(z, 27, 0x94D049BB133111EBull);
  z = arith::XOrIOp::create(b, loc, z,
                            arith::ShRUIOp::create(b, loc, z, constant(31)));
  return arith::ShRUIOp::create(b, loc, z, constant(40));
}

Value lowering::hashUniform(OpBuilder &b, Location loc, uint64_t seed,
                            Value counter, Type type) {
  Value mixedSeed = arith::ConstantOp::create(
      b, loc, b.getI64Type(),
      b.getI64IntegerAttr(static_cast<int64_t>(seed * kGolden)));
  return hashUniform(b, loc, mixedSeed, counter, type, /*mixed=*/true);
}

Value lowering::hashUniform(OpBuilder &b, Location loc, Value seed,
                            Value counter, Type type, bool mixed) {
  Value mixedSeed = seed;
  if (!mixed) {
    Value golden = arith::ConstantOp::create(
        b, loc, b.getI64Type(),
        b.getI64IntegerAttr(static_cast<int64_t>(kGolden)));
    mixedSeed = arith::MulIOp::create(b, loc, seed, golden);
  }
  // In f32 at least: f16 cannot hold the 24-bit integer.
  Type wide = type.getIntOrFloatBitWidth() < 32 ? b.getF32Type() : type;
  Value bits = hashBits(b, loc, mixedSeed, counter);
  Value asFloat = arith::UIToFPOp::create(b, loc, wide, bits);
  Value uniform = arith::MulFOp::create(b, loc, asFloat,
                                        floatConstant(b, loc, wide, 0x1p-24));
  return wide == type
             ? uniform
             : arith::TruncFOp::create(b, loc, type, uniform).getResult();
}

Value lowering::hashNormal(OpBuilder &b, Location loc, uint64_t seed,
                           Value counter, Type type) {
  // In f32 at least: in f16, u1 + 2^-24 would round back to 0.
  Type wide = type.getIntOrFloatBitWidth() < 32 ? b.getF32Type() : type;
  Value two = arith::ConstantIndexOp::create(b, loc, 2);
  Value first = arith::MulIOp::create(b, loc, counter, two);
  Value second = arith::AddIOp::create(
      b, loc, first, arith::ConstantIndexOp::create(b, loc, 1));
  // u1 in (0, 1] so that its log is finite.
  // One creation per statement (argument order is unspecified in C++).
  Value uniform = hashUniform(b, loc, seed, first, wide);
  Value nudge = floatConstant(b, loc, wide, 0x1p-24);
  Value u1 = arith::AddFOp::create(b, loc, uniform, nudge);
  Value u2 = hashUniform(b, loc, seed, second, wide);
  Value minusTwo = floatConstant(b, loc, wide, -2.0);
  Value logU1 = math::LogOp::create(b, loc, u1);
  Value radius = math::SqrtOp::create(
      b, loc, arith::MulFOp::create(b, loc, minusTwo, logU1));
  Value angle = arith::MulFOp::create(
      b, loc, u2, floatConstant(b, loc, wide, 6.283185307179586));
  Value normal =
      arith::MulFOp::create(b, loc, radius, math::CosOp::create(b, loc, angle));
  return wide == type
             ? normal
             : arith::TruncFOp::create(b, loc, type, normal).getResult();
}

SmallVector<OpFoldResult>
lowering::staticWhereKnown(OpBuilder &b, RankedTensorType type,
                           ArrayRef<OpFoldResult> sizes) {
  SmallVector<OpFoldResult> result(sizes);
  for (auto [i, size] : llvm::enumerate(type.getShape()))
    if (!ShapedType::isDynamic(size))
      result[i] = b.getIndexAttr(size);
  return result;
}

Value lowering::indexValue(OpBuilder &b, Location loc, OpFoldResult size) {
  if (auto value = dyn_cast<Value>(size))
    return value;
  return arith::ConstantIndexOp::create(
      b, loc, cast<IntegerAttr>(cast<Attribute>(size)).getInt());
}

OpFoldResult lowering::divideSize(OpBuilder &b, Location loc, OpFoldResult size,
                                  int64_t divisor) {
  if (auto attr = dyn_cast<Attribute>(size))
    return b.getIndexAttr(cast<IntegerAttr>(attr).getInt() / divisor);
  return arith::DivUIOp::create(b, loc, cast<Value>(size),
                                arith::ConstantIndexOp::create(b, loc, divisor))
      .getResult();
}

OpFoldResult lowering::multiplySizes(OpBuilder &b, Location loc,
                                     OpFoldResult lhs, OpFoldResult rhs) {
  std::optional<int64_t> l = getConstantIntValue(lhs);
  std::optional<int64_t> r = getConstantIntValue(rhs);
  if (l && r)
    return b.getIndexAttr(*l * *r);
  Value lhsValue = indexValue(b, loc, lhs);
  Value rhsValue = indexValue(b, loc, rhs);
  return arith::MulIOp::create(b, loc, lhsValue, rhsValue).getResult();
}

RankedTensorType lowering::tensorTypeOf(ArrayRef<OpFoldResult> sizes,
                                        Type elementType) {
  SmallVector<int64_t> shape;
  for (OpFoldResult size : sizes)
    shape.push_back(getConstantIntValue(size).value_or(ShapedType::kDynamic));
  return RankedTensorType::get(shape, elementType);
}

Value lowering::castTo(OpBuilder &b, Location loc, Value value, Type type) {
  if (value.getType() == type)
    return value;
  return tensor::CastOp::create(b, loc, type, value);
}

Value lowering::floatTensorConstant(OpBuilder &b, Location loc,
                                    ArrayRef<int64_t> shape,
                                    ArrayRef<double> values, Type elementType) {
  const llvm::fltSemantics &semantics =
      cast<FloatType>(elementType).getFloatSemantics();
  SmallVector<APFloat> elements;
  elements.reserve(values.size());
  for (double v : values) {
    APFloat element(v);
    bool losesInfo = false;
    element.convert(semantics, APFloat::rmNearestTiesToEven, &losesInfo);
    elements.push_back(element);
  }
  auto type = RankedTensorType::get(shape, elementType);
  return arith::ConstantOp::create(b, loc, type,
                                   DenseElementsAttr::get(type, elements));
}

Value lowering::intTensorConstant(OpBuilder &b, Location loc,
                                  ArrayRef<int64_t> shape,
                                  ArrayRef<int64_t> values, Type elementType) {
  unsigned width = elementType.getIntOrFloatBitWidth();
  SmallVector<APInt> elements;
  elements.reserve(values.size());
  for (int64_t v : values)
    elements.push_back(APInt(width, v, /*isSigned=*/true));
  auto type = RankedTensorType::get(shape, elementType);
  return arith::ConstantOp::create(b, loc, type,
                                   DenseElementsAttr::get(type, elements));
}

Value lowering::reducedAngle(OpBuilder &b, Location loc, Value angle,
                             Type type) {
  Type f64 = b.getF64Type();
  constexpr double twoPi = 6.283185307179586;
  // fptosi truncates (floor for non-negative angles; a negative angle keeps
  // its sign and stays within 2π of zero); it needs no libm, unlike
  // math.floor on f64 without SSE4.1.
  Value turns = arith::MulFOp::create(b, loc, angle,
                                      floatConstant(b, loc, f64, 1.0 / twoPi));
  Value whole = arith::FPToSIOp::create(b, loc, b.getI64Type(), turns);
  Value wholeAsFloat = arith::SIToFPOp::create(b, loc, f64, whole);
  Value reduced = arith::SubFOp::create(
      b, loc, angle,
      arith::MulFOp::create(b, loc, wholeAsFloat,
                            floatConstant(b, loc, f64, twoPi)));
  if (type == f64)
    return reduced;
  return arith::TruncFOp::create(b, loc, type, reduced);
}

Value lowering::activation(OpBuilder &b, Location loc, ActivationKind kind,
                           Value x) {
  Type type = x.getType();
  auto constant = [&](double v) { return floatConstant(b, loc, type, v); };
  auto sigmoid = [&](Value v) {
    Value negated = arith::NegFOp::create(b, loc, v);
    Value one = constant(1.0);
    Value exponential = math::ExpOp::create(b, loc, negated);
    Value denominator = arith::AddFOp::create(b, loc, one, exponential);
    return arith::DivFOp::create(b, loc, constant(1.0), denominator);
  };
  switch (kind) {
  case ActivationKind::gelu: {
    Value scaled = arith::MulFOp::create(b, loc, x, constant(M_SQRT1_2));
    Value one = constant(1.0);
    Value erf = math::ErfOp::create(b, loc, scaled);
    Value cdf = arith::AddFOp::create(b, loc, one, erf);
    Value half = arith::MulFOp::create(b, loc, x, constant(0.5));
    return arith::MulFOp::create(b, loc, half, cdf);
  }
  case ActivationKind::gelu_tanh: {
    Value cube =
        arith::MulFOp::create(b, loc, x, arith::MulFOp::create(b, loc, x, x));
    Value inner = arith::AddFOp::create(
        b, loc, x, arith::MulFOp::create(b, loc, cube, constant(0.044715)));
    Value scaled =
        arith::MulFOp::create(b, loc, inner, constant(std::sqrt(2.0 / M_PI)));
    Value one = constant(1.0);
    Value tanh = math::TanhOp::create(b, loc, scaled);
    Value cdf = arith::AddFOp::create(b, loc, one, tanh);
    Value half = arith::MulFOp::create(b, loc, x, constant(0.5));
    return arith::MulFOp::create(b, loc, half, cdf);
  }
  case ActivationKind::quick_gelu:
    return arith::MulFOp::create(
        b, loc, x, sigmoid(arith::MulFOp::create(b, loc, x, constant(1.702))));
  case ActivationKind::relu:
    return arith::MaximumFOp::create(b, loc, x, constant(0.0));
  case ActivationKind::silu:
    return arith::MulFOp::create(b, loc, x, sigmoid(x));
  case ActivationKind::sigmoid:
    return sigmoid(x);
  case ActivationKind::tanh:
    return math::TanhOp::create(b, loc, x);
  }
  llvm_unreachable("unknown activation kind");
}

Value lowering::prependClassToken(OpBuilder &b, Location loc, Value patches,
                                  Value classToken, OpFoldResult batch,
                                  OpFoldResult dim,
                                  RankedTensorType resultType) {
  if (!classToken)
    return castTo(b, loc, patches, resultType);
  // [b, 1 + patches, e]: the class token broadcast into row 0, the patches
  // after it.
  Type elementType = resultType.getElementType();
  OpFoldResult numPatches = sizesOf(b, loc, patches)[1];
  Value patchCount = indexValue(b, loc, numPatches);
  Value oneToken = arith::ConstantIndexOp::create(b, loc, 1);
  Value tokens = arith::AddIOp::create(b, loc, patchCount, oneToken);
  SmallVector<OpFoldResult> outSizes =
      staticWhereKnown(b, resultType, {batch, tokens, dim});
  Value tokenRow = tensor::CollapseShapeOp::create(
      b, loc, classToken, ArrayRef<ReassociationIndices>{{0, 1, 2}});
  OpFoldResult one = b.getIndexAttr(1);
  OpFoldResult zero = b.getIndexAttr(0);
  Value classRows =
      linalg::BroadcastOp::create(
          b, loc, tokenRow, emptyTensor(b, loc, {batch, one, dim}, elementType),
          {0, 1})
          .getResult()[0];
  Value result = emptyTensor(b, loc, outSizes, elementType);
  result = tensor::InsertSliceOp::create(b, loc, classRows, result,
                                         {zero, zero, zero}, {batch, one, dim},
                                         {one, one, one});
  result =
      tensor::InsertSliceOp::create(b, loc, patches, result, {zero, one, zero},
                                    {batch, numPatches, dim}, {one, one, one});
  return castTo(b, loc, result, resultType);
}

SmallVector<int64_t> lowering::swapHeadsAndSequence(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> swapped(shape);
  std::swap(swapped[1], swapped[2]);
  return swapped;
}

Value lowering::swapHeadsAndSequence(OpBuilder &b, Location loc, Value x) {
  SmallVector<OpFoldResult> sizes = sizesOf(b, loc, x);
  std::swap(sizes[1], sizes[2]);
  Value init = emptyTensor(
      b, loc, sizes, cast<RankedTensorType>(x.getType()).getElementType());
  return linalg::TransposeOp::create(b, loc, x, init,
                                     ArrayRef<int64_t>{0, 2, 1, 3})
      .getResult()[0];
}
