//===- NNOps.cpp - ONNX contractions, reductions, norms, conv and pools ---===//
//
// MatMul and Gemm as linalg contractions (batch dimensions broadcast in the
// indexing maps, so nothing is copied), or as enc.linear where the weight
// already has PyTorch's [out, in] layout (Gemm with transB: what
// torch.onnx.export writes for nn.Linear on 2-D inputs); Softmax as
// linalg.softmax (so enc-recognize-attention finds attention); reductions
// as linalg.reduce; LayerNormalization over trailing dimensions as
// enc.layer_norm; convolutions and pools as linalg's NCHW named ops on a
// padded input.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "Enc/IR/EncOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <limits>

using namespace mlir;
using namespace mlir::enc;
using namespace mlir::enc::onnx_import;

namespace {

bool isFloat(Value v) { return isa<FloatType>(getElementTypeOrSelf(v)); }

Value splatLike(Importer &im, Value like, double value) {
  return im.fill(im.sizes(like),
                 im.scalarConstant(getElementTypeOrSelf(like), value));
}

// --- contractions ----------------------------------------------------------

/// a (batch..., m, k) times b (batch..., k, n), or transposed operands;
/// batch dimensions broadcast NumPy-style through the indexing maps.
FailureOr<Value> contraction(Importer &im, Value a, Value b, bool transA,
                             bool transB) {
  Sizes sa = im.sizes(a), sb = im.sizes(b);
  int64_t ra = sa.size(), rb = sb.size();
  Sizes batchA(sa.begin(), sa.end() - 2), batchB(sb.begin(), sb.end() - 2);
  FailureOr<Sizes> batch = im.broadcastShapes(batchA, batchB);
  if (failed(batch))
    return failure();
  OpFoldResult m = transA ? sa[ra - 1] : sa[ra - 2];
  OpFoldResult ka = transA ? sa[ra - 2] : sa[ra - 1];
  OpFoldResult kb = transB ? sb[rb - 1] : sb[rb - 2];
  OpFoldResult n = transB ? sb[rb - 2] : sb[rb - 1];
  std::optional<int64_t> cka = getConstantIntValue(ka),
                         ckb = getConstantIntValue(kb);
  if (cka && ckb && *cka != *ckb) {
    (void)im.fail("the contracted sizes differ: " + Twine(*cka) + " and " +
                  Twine(*ckb));
    return failure();
  }
  int64_t nb = batch->size();
  int64_t loops = nb + 3;
  MLIRContext *ctx = im.builder().getContext();
  AffineExpr dm = getAffineDimExpr(nb, ctx), dn = getAffineDimExpr(nb + 1, ctx),
             dk = getAffineDimExpr(nb + 2, ctx);
  auto operandMap = [&](const Sizes &batchSizes, AffineExpr x, AffineExpr y) {
    SmallVector<AffineExpr> exprs;
    int64_t offset = nb - batchSizes.size();
    for (int64_t i = 0, e = batchSizes.size(); i < e; ++i) {
      bool broadcast = getConstantIntValue(batchSizes[i]) == 1 &&
                       getConstantIntValue((*batch)[i + offset]) != 1;
      exprs.push_back(broadcast ? getAffineConstantExpr(0, ctx)
                                : getAffineDimExpr(i + offset, ctx));
    }
    exprs.push_back(x);
    exprs.push_back(y);
    return AffineMap::get(loops, 0, exprs, ctx);
  };
  AffineMap mapA =
      transA ? operandMap(batchA, dk, dm) : operandMap(batchA, dm, dk);
  AffineMap mapB =
      transB ? operandMap(batchB, dn, dk) : operandMap(batchB, dk, dn);
  SmallVector<AffineExpr> outExprs;
  for (int64_t i = 0; i < nb + 2; ++i)
    outExprs.push_back(getAffineDimExpr(i, ctx));
  AffineMap mapOut = AffineMap::get(loops, 0, outExprs, ctx);
  Sizes result = *batch;
  result.push_back(m);
  result.push_back(n);
  Type element = getElementTypeOrSelf(a);
  Value init = im.fill(result, im.scalarConstant(element, 0));
  SmallVector<utils::IteratorType> iterators(loops - 1,
                                             utils::IteratorType::parallel);
  iterators.push_back(utils::IteratorType::reduction);
  bool floating = isa<FloatType>(element);
  auto generic = linalg::GenericOp::create(
      im.builder(), im.loc(), init.getType(), ValueRange{a, b}, init,
      ArrayRef<AffineMap>{mapA, mapB, mapOut}, iterators,
      [floating](OpBuilder &nb, Location loc, ValueRange args) {
        Value product, sum;
        if (floating) {
          product = arith::MulFOp::create(nb, loc, args[0], args[1]);
          sum = arith::AddFOp::create(nb, loc, args[2], product);
        } else {
          product = arith::MulIOp::create(nb, loc, args[0], args[1]);
          sum = arith::AddIOp::create(nb, loc, args[2], product);
        }
        linalg::YieldOp::create(nb, loc, sum);
      });
  return im.withSizes(generic.getResult(0), result);
}

LogicalResult convertMatMul(Importer &im) {
  if (im.isWeight(1) && im.inputRank(0) >= 2 &&
      isa<FloatType>(im.inputElementType(0))) {
    // x · W with W an initializer [in, out] (torch.onnx.export folds
    // nn.Linear's transpose into it): enc.linear on W stored [out, in], so
    // that the packed micro-kernel and the epilogue fusions apply.
    FailureOr<Value> x = im.input(0);
    if (failed(x))
      return failure();
    Value weight = im.transposedParam(im.inputName(1));
    if (getElementTypeOrSelf(weight) == getElementTypeOrSelf(*x)) {
      Sizes shape = im.sizes(*x), ws = im.sizes(weight);
      if (!im.sameSize(shape.back(), ws[1]))
        return im.fail("the contracted sizes differ");
      shape.back() = ws[0];
      auto type = Importer::typeFor(shape, getElementTypeOrSelf(*x));
      Value linear = LinearOp::create(im.builder(), im.loc(), type, *x, weight,
                                      Value(), Value(), ActivationKindAttr());
      im.setOutput(0, linear, shape);
      return success();
    }
  }
  FailureOr<Value> lhs = im.input(0), rhs = im.input(1);
  if (failed(lhs) || failed(rhs))
    return failure();
  Value a = *lhs, b = *rhs;
  if (getElementTypeOrSelf(a) != getElementTypeOrSelf(b))
    return im.fail("the operands' element types differ");
  int64_t ra = im.sizes(a).size(), rb = im.sizes(b).size();
  if (ra == 0 || rb == 0)
    return im.fail("operands must have rank 1 or more");
  // Vectors: a unit dimension on the side NumPy puts it, dropped after.
  if (ra == 1)
    a = im.insertUnitDims(a, {0});
  if (rb == 1)
    b = im.insertUnitDims(b, {1});
  // Q Kᵀ with Kᵀ one transpose of the head split ([B,S,H,D] -> [B,H,D,S]):
  // read K = the same transpose with its last two dims swapped back,
  // transposed in the contraction's map, the form enc-recognize-attention
  // matches (the first transpose is left dead).
  bool transB = false;
  if (auto transpose = b.getDefiningOp<linalg::TransposeOp>();
      transpose && rb >= 3 &&
      transpose.getPermutation()[rb - 1] < transpose.getPermutation()[rb - 2]) {
    SmallVector<int64_t> perm(transpose.getPermutation());
    std::swap(perm[rb - 1], perm[rb - 2]);
    Value source = transpose.getInput();
    Sizes ss = im.sizes(source), swapped;
    for (int64_t p : perm)
      swapped.push_back(ss[p]);
    if (llvm::equal(perm, llvm::seq<int64_t>(0, rb))) {
      b = source;
    } else {
      Value init = im.empty(swapped, getElementTypeOrSelf(source));
      b = im.withSizes(linalg::TransposeOp::create(im.builder(), im.loc(),
                                                   source, init, perm)
                           .getResult()[0],
                       swapped);
    }
    transB = true;
  }
  FailureOr<Value> product = contraction(im, a, b, false, transB);
  if (failed(product))
    return failure();
  Value result = *product;
  int64_t rank = im.sizes(result).size();
  SmallVector<int64_t> drop;
  if (ra == 1)
    drop.push_back(rank - 2);
  if (rb == 1)
    drop.push_back(rank - 1);
  result = im.dropUnitDims(result, drop);
  im.setOutput(0, result);
  return success();
}

LogicalResult convertGemm(Importer &im) {
  FailureOr<Value> lhs = im.input(0), rhs = im.input(1);
  if (failed(lhs) || failed(rhs))
    return failure();
  bool transA = im.attrInt("transA", 0), transB = im.attrInt("transB", 0);
  double alpha = im.attrFloat("alpha", 1.0f), beta = im.attrFloat("beta", 1.0f);
  if (im.sizes(*lhs).size() != 2 || im.sizes(*rhs).size() != 2)
    return im.fail("A and B must be matrices");
  Value bias;
  if (im.hasInput(2)) {
    FailureOr<Value> c = im.input(2);
    if (failed(c))
      return failure();
    bias = *c;
  }
  // nn.Linear as exported: x Wᵀ + b with W [out, in] -> enc.linear.
  if (transB && !transA && alpha == 1.0 && (beta == 1.0 || !bias) &&
      isFloat(*lhs) && (!bias || im.sizes(bias).size() == 1)) {
    Sizes sa = im.sizes(*lhs), sb = im.sizes(*rhs);
    Sizes result{sa[0], sb[0]};
    if (!bias || im.sameSize(im.sizes(bias)[0], sb[0])) {
      auto type = Importer::typeFor(result, getElementTypeOrSelf(*lhs));
      Value linear = LinearOp::create(im.builder(), im.loc(), type, *lhs, *rhs,
                                      bias, Value(), ActivationKindAttr());
      im.setOutput(0, linear, result);
      return success();
    }
  }
  FailureOr<Value> product = contraction(im, *lhs, *rhs, transA, transB);
  if (failed(product))
    return failure();
  Value y = *product;
  Sizes shape = im.sizes(y);
  OpBuilder &b = im.builder();
  if (alpha != 1.0)
    y = im.withSizes(
        arith::MulFOp::create(b, im.loc(), y, splatLike(im, y, alpha)), shape);
  if (bias && beta != 0.0) {
    Value c = im.broadcastTo(bias, shape);
    if (beta != 1.0)
      c = arith::MulFOp::create(b, im.loc(), c, splatLike(im, c, beta));
    y = isFloat(y) ? Value(arith::AddFOp::create(b, im.loc(), y, c))
                   : Value(arith::AddIOp::create(b, im.loc(), y, c));
  }
  im.setOutput(0, y, shape);
  return success();
}

// --- softmax -----------------------------------------------------------------

LogicalResult softmax(Importer &im, bool logarithm) {
  FailureOr<Value> input = im.input(0);
  if (failed(input))
    return failure();
  Value x = *input;
  Sizes shape = im.sizes(x);
  int64_t rank = shape.size();
  if (rank == 0)
    return im.fail("needs rank 1 or more");
  bool legacy = im.opset() < 13;
  FailureOr<int64_t> axis =
      im.normalizeAxis(im.attrInt("axis", legacy ? 1 : -1), rank);
  if (failed(axis))
    return failure();
  Value operand = x;
  int64_t dimension = *axis;
  if (legacy && *axis != rank - 1) {
    // Before opset 13 the input is a matrix [prod(:axis), prod(axis:)].
    OpFoldResult outer = im.index(1), inner = im.index(1);
    for (int64_t i = 0; i < rank; ++i)
      (i < *axis ? outer : inner) = im.mul(i < *axis ? outer : inner, shape[i]);
    operand = im.reshape(x, {outer, inner});
    dimension = 1;
  }
  Sizes operandShape = im.sizes(operand);
  Value init = im.empty(operandShape, getElementTypeOrSelf(operand));
  Value result =
      linalg::SoftmaxOp::create(im.builder(), im.loc(), init.getType(), operand,
                                init, dimension)
          .getResult()[0];
  im.withSizes(result, operandShape);
  if (logarithm)
    result = im.withSizes(math::LogOp::create(im.builder(), im.loc(), result),
                          operandShape);
  if (operand != x)
    result = im.reshape(result, shape);
  im.setOutput(0, result, shape);
  return success();
}

LogicalResult convertSoftmax(Importer &im) { return softmax(im, false); }
LogicalResult convertLogSoftmax(Importer &im) { return softmax(im, true); }

// --- reductions
// ----------------------------------------------------------------

enum class ReduceKind { sum, mean, max, min, prod, sumSquare, l1, l2 };

/// Reduces `x` over `dims` (sorted), keeping them as unit dimensions when
/// `keep`.
Value reduce(Importer &im, Value x, ArrayRef<int64_t> dims, ReduceKind kind,
             bool keep, bool isUnsigned = false) {
  OpBuilder &b = im.builder();
  Location loc = im.loc();
  Sizes shape = im.sizes(x);
  Type element = getElementTypeOrSelf(x);
  bool floating = isa<FloatType>(element);
  Value source = x;
  if (kind == ReduceKind::sumSquare || kind == ReduceKind::l2)
    source = im.withSizes(floating ? Value(arith::MulFOp::create(b, loc, x, x))
                                   : Value(arith::MulIOp::create(b, loc, x, x)),
                          shape);
  else if (kind == ReduceKind::l1)
    source = im.withSizes(floating ? Value(math::AbsFOp::create(b, loc, x))
                                   : Value(math::AbsIOp::create(b, loc, x)),
                          shape);
  Sizes kept;
  for (int64_t i = 0, e = shape.size(); i < e; ++i)
    if (!llvm::is_contained(dims, i))
      kept.push_back(shape[i]);
  double initial = 0;
  if (kind == ReduceKind::prod)
    initial = 1;
  else if (kind == ReduceKind::max && isUnsigned)
    initial = 0;
  else if (kind == ReduceKind::min && isUnsigned)
    initial = static_cast<double>(
        APInt::getMaxValue(element.getIntOrFloatBitWidth()).getZExtValue());
  else if (kind == ReduceKind::max)
    initial =
        floating ? -std::numeric_limits<double>::infinity()
                 : static_cast<double>(
                       APInt::getSignedMinValue(element.getIntOrFloatBitWidth())
                           .getSExtValue());
  else if (kind == ReduceKind::min)
    initial =
        floating ? std::numeric_limits<double>::infinity()
                 : static_cast<double>(
                       APInt::getSignedMaxValue(element.getIntOrFloatBitWidth())
                           .getSExtValue());
  Value init = im.fill(kept, im.scalarConstant(element, initial));
  auto op = linalg::ReduceOp::create(
      b, loc, source, init, dims,
      [kind, floating, isUnsigned](OpBuilder &nb, Location l, ValueRange args) {
        Value r;
        switch (kind) {
        case ReduceKind::max:
          r = floating
                  ? Value(arith::MaximumFOp::create(nb, l, args[0], args[1]))
              : isUnsigned
                  ? Value(arith::MaxUIOp::create(nb, l, args[0], args[1]))
                  : Value(arith::MaxSIOp::create(nb, l, args[0], args[1]));
          break;
        case ReduceKind::min:
          r = floating
                  ? Value(arith::MinimumFOp::create(nb, l, args[0], args[1]))
              : isUnsigned
                  ? Value(arith::MinUIOp::create(nb, l, args[0], args[1]))
                  : Value(arith::MinSIOp::create(nb, l, args[0], args[1]));
          break;
        case ReduceKind::prod:
          r = floating ? Value(arith::MulFOp::create(nb, l, args[0], args[1]))
                       : Value(arith::MulIOp::create(nb, l, args[0], args[1]));
          break;
        default:
          r = floating ? Value(arith::AddFOp::create(nb, l, args[0], args[1]))
                       : Value(arith::AddIOp::create(nb, l, args[0], args[1]));
        }
        linalg::YieldOp::create(nb, l, r);
      });
  Value result = im.withSizes(op.getResult(0), kept);
  if (kind == ReduceKind::mean) {
    OpFoldResult count = im.index(1);
    for (int64_t d : dims)
      count = im.mul(count, shape[d]);
    Value scalar;
    if (std::optional<int64_t> c = getConstantIntValue(count))
      scalar = im.scalarConstant(element, static_cast<double>(*c));
    else {
      Value i64 = arith::IndexCastOp::create(b, loc, b.getI64Type(),
                                             im.indexValue(count));
      scalar = floating ? Value(arith::SIToFPOp::create(b, loc, element, i64))
                        : Value(arith::TruncIOp::create(b, loc, element, i64));
    }
    Value divisor = im.fill(kept, scalar);
    result = im.withSizes(
        floating ? Value(arith::DivFOp::create(b, loc, result, divisor))
                 : Value(arith::DivSIOp::create(b, loc, result, divisor)),
        kept);
  } else if (kind == ReduceKind::l2) {
    result = im.withSizes(math::SqrtOp::create(b, loc, result), kept);
  }
  if (keep)
    result = im.insertUnitDims(result, dims);
  return result;
}

LogicalResult convertReduce(Importer &im, ReduceKind kind,
                            int64_t axesInputSince) {
  FailureOr<Value> input = im.input(0);
  if (failed(input))
    return failure();
  int64_t rank = im.sizes(*input).size();
  std::optional<SmallVector<int64_t>> axes;
  if (im.opset() < axesInputSince) {
    axes = im.attrInts("axes");
  } else if (im.hasInput(1)) {
    axes = im.constantInts(1);
    if (!axes)
      return im.fail("axes must be a constant");
  }
  bool keep = im.attrInt("keepdims", 1) != 0;
  SmallVector<int64_t> dims;
  if (!axes || axes->empty()) {
    if (im.attrInt("noop_with_empty_axes", 0)) {
      im.setOutput(0, *input);
      return success();
    }
    dims = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  } else {
    for (int64_t a : *axes) {
      FailureOr<int64_t> axis = im.normalizeAxis(a, rank);
      if (failed(axis))
        return failure();
      dims.push_back(*axis);
    }
  }
  llvm::sort(dims);
  dims.erase(llvm::unique(dims), dims.end());
  im.setOutput(0, reduce(im, *input, dims, kind, keep, im.isUnsigned(0)));
  return success();
}

template <ReduceKind kind, int64_t since> LogicalResult reduceOp(Importer &im) {
  return convertReduce(im, kind, since);
}

// --- normalization
// -------------------------------------------------------------

/// (x - mean) * invStd over `dims` (kept), and the mean and invStd.
struct Normalized {
  Value y, mean, invStd;
};

Normalized normalize(Importer &im, Value x, ArrayRef<int64_t> dims,
                     double epsilon) {
  OpBuilder &b = im.builder();
  Location loc = im.loc();
  Sizes shape = im.sizes(x);
  Value mean = reduce(im, x, dims, ReduceKind::mean, /*keep=*/true);
  Value centered = im.withSizes(
      arith::SubFOp::create(b, loc, x, im.broadcastTo(mean, shape)), shape);
  Value variance = reduce(
      im,
      im.withSizes(arith::MulFOp::create(b, loc, centered, centered), shape),
      dims, ReduceKind::mean, true);
  Sizes reducedShape = im.sizes(variance);
  Value shifted =
      arith::AddFOp::create(b, loc, variance, splatLike(im, variance, epsilon));
  Value invStd =
      im.withSizes(math::RsqrtOp::create(b, loc, shifted), reducedShape);
  // 1 / sqrt, exactly (rsqrt may be approximated).
  invStd =
      im.withSizes(arith::DivFOp::create(b, loc, splatLike(im, variance, 1),
                                         math::SqrtOp::create(b, loc, shifted)),
                   reducedShape);
  Value y = im.withSizes(
      arith::MulFOp::create(b, loc, centered, im.broadcastTo(invStd, shape)),
      shape);
  return {y, mean, invStd};
}

/// y * scale + bias, with scale and bias broadcast to y.
FailureOr<Value> affine(Importer &im, Value y, Value scale, Value bias) {
  Sizes shape = im.sizes(y);
  OpBuilder &b = im.builder();
  if (scale)
    y = im.withSizes(
        arith::MulFOp::create(b, im.loc(), y, im.broadcastTo(scale, shape)),
        shape);
  if (bias)
    y = im.withSizes(
        arith::AddFOp::create(b, im.loc(), y, im.broadcastTo(bias, shape)),
        shape);
  return y;
}

LogicalResult convertLayerNorm(Importer &im) {
  FailureOr<Value> input = im.input(0), scaleIn = im.input(1);
  if (failed(input) || failed(scaleIn))
    return failure();
  Value x = *input, scale = *scaleIn, bias;
  if (im.hasInput(2)) {
    FailureOr<Value> c = im.input(2);
    if (failed(c))
      return failure();
    bias = *c;
  }
  if (!isFloat(x))
    return im.fail("needs a float input");
  Sizes shape = im.sizes(x);
  int64_t rank = shape.size();
  FailureOr<int64_t> axis = im.normalizeAxis(im.attrInt("axis", -1), rank);
  if (failed(axis))
    return failure();
  double epsilon = im.attrFloat("epsilon", 1e-5f);
  Sizes trailing(shape.begin() + *axis, shape.end());
  if (!im.wantsOutput(1) && !im.wantsOutput(2)) {
    // enc.layer_norm over one (collapsed) trailing dimension.
    OpFoldResult inner = im.index(1);
    for (OpFoldResult s : trailing)
      inner = im.mul(inner, s);
    Sizes flat(shape.begin(), shape.begin() + *axis);
    flat.push_back(inner);
    Value operand = trailing.size() == 1 ? x : im.reshape(x, flat);
    auto vector = [&](Value v) -> Value {
      if (!v)
        return v;
      Value full = im.broadcastTo(v, trailing);
      return trailing.size() == 1 ? full : im.reshape(full, {inner});
    };
    Value s = vector(scale), bb = vector(bias);
    if (getElementTypeOrSelf(s) != getElementTypeOrSelf(x) ||
        (bb && getElementTypeOrSelf(bb) != getElementTypeOrSelf(x)))
      return im.fail("scale and bias must have the input's element type");
    Sizes operandShape = im.sizes(operand);
    Value norm = LayerNormOp::create(im.builder(), im.loc(), operand.getType(),
                                     operand, Value(), s, bb,
                                     im.builder().getF64FloatAttr(epsilon));
    im.withSizes(norm, operandShape);
    Value result = operand == x ? norm : im.reshape(norm, shape);
    im.setOutput(0, result, shape);
    return success();
  }
  SmallVector<int64_t> dims = llvm::to_vector(llvm::seq<int64_t>(*axis, rank));
  Normalized n = normalize(im, x, dims, epsilon);
  FailureOr<Value> y = affine(im, n.y, scale, bias);
  if (failed(y))
    return failure();
  im.setOutput(0, *y, shape);
  im.setOutput(1, n.mean);
  im.setOutput(2, n.invStd);
  return success();
}

/// A per-channel vector [C] as [C, 1, ...] for an input of `rank`.
Value channelVector(Importer &im, Value v, int64_t rank) {
  SmallVector<int64_t> positions;
  for (int64_t i = 1; i < rank - 1; ++i)
    positions.push_back(i);
  return im.insertUnitDims(v, positions);
}

LogicalResult convertBatchNorm(Importer &im) {
  bool training = im.attrInt("training_mode", 0) != 0;
  if (!training && (im.wantsOutput(1) || im.wantsOutput(2)))
    return im.fail("the running mean and variance are outputs of training "
                   "mode only");
  SmallVector<Value> in;
  for (unsigned i = 0; i < 5; ++i) {
    FailureOr<Value> v = im.input(i);
    if (failed(v))
      return failure();
    in.push_back(*v);
  }
  Value x = in[0];
  Sizes shape = im.sizes(x);
  int64_t rank = shape.size();
  if (rank < 2)
    return im.fail("needs an input of rank 2 or more");
  for (unsigned i = 1; i < 5; ++i)
    if (im.sizes(in[i]).size() != 1)
      return im.fail("scale, bias, mean and variance must be vectors");
  double epsilon = im.attrFloat("epsilon", 1e-5f);
  OpBuilder &b = im.builder();
  Location loc = im.loc();
  Value mean = in[3], var = in[4];
  if (training) {
    // The batch's statistics (biased variance, as ONNX's reference), and
    // the running ones moved towards them.
    SmallVector<int64_t> dims{0};
    for (int64_t i = 2; i < rank; ++i)
      dims.push_back(i);
    Value batchMean = reduce(im, x, dims, ReduceKind::mean, false);
    Value centered = im.withSizes(
        arith::SubFOp::create(
            b, loc, x,
            im.broadcastTo(channelVector(im, batchMean, rank), shape)),
        shape);
    Value batchVar = reduce(
        im,
        im.withSizes(arith::MulFOp::create(b, loc, centered, centered), shape),
        dims, ReduceKind::mean, false);
    double momentum = im.attrFloat("momentum", 0.9f);
    auto blend = [&](Value running, Value batch) {
      Value kept = arith::MulFOp::create(b, loc, running,
                                         splatLike(im, running, momentum));
      Value added = arith::MulFOp::create(b, loc, batch,
                                          splatLike(im, batch, 1.0 - momentum));
      return im.withSizes(arith::AddFOp::create(b, loc, kept, added),
                          im.sizes(running));
    };
    im.setOutput(1, blend(in[3], batchMean));
    im.setOutput(2, blend(in[4], batchVar));
    mean = batchMean;
    var = batchVar;
  }
  // y = (x - mean) * scale / sqrt(var + eps) + bias, per channel.
  Sizes c = im.sizes(var);
  Value shifted =
      arith::AddFOp::create(b, loc, var, splatLike(im, var, epsilon));
  Value factor =
      im.withSizes(arith::DivFOp::create(b, loc, in[1],
                                         math::SqrtOp::create(b, loc, shifted)),
                   c);
  auto full = [&](Value v) {
    return im.broadcastTo(channelVector(im, v, rank), shape);
  };
  Value y = arith::SubFOp::create(b, loc, x, full(mean));
  y = arith::MulFOp::create(b, loc, y, full(factor));
  y = arith::AddFOp::create(b, loc, y, full(in[2]));
  im.setOutput(0, y, shape);
  return success();
}

LogicalResult convertInstanceNorm(Importer &im) {
  FailureOr<Value> input = im.input(0), scale = im.input(1), bias = im.input(2);
  if (failed(input) || failed(scale) || failed(bias))
    return failure();
  Sizes shape = im.sizes(*input);
  int64_t rank = shape.size();
  if (rank < 3)
    return im.fail("needs an input of rank 3 or more");
  if (im.sizes(*scale).size() != 1 || im.sizes(*bias).size() != 1)
    return im.fail("scale and bias must be vectors");
  SmallVector<int64_t> dims = llvm::to_vector(llvm::seq<int64_t>(2, rank));
  Normalized n = normalize(im, *input, dims, im.attrFloat("epsilon", 1e-5f));
  FailureOr<Value> y = affine(im, n.y, channelVector(im, *scale, rank),
                              channelVector(im, *bias, rank));
  if (failed(y))
    return failure();
  im.setOutput(0, *y, shape);
  return success();
}

// --- convolution and pooling
// -----------------------------------------------------

/// Window geometry of a conv or pool over `spatial` dimensions.
struct Window {
  SmallVector<int64_t> kernel, strides, dilations;
  Sizes padBegin, padEnd;
  /// padEnd before ceil_mode's extra padding.
  Sizes declaredEnd;
  Sizes outSizes;
};

FailureOr<Window> window(Importer &im, ArrayRef<OpFoldResult> inSizes,
                         ArrayRef<int64_t> kernel, bool ceilMode) {
  int64_t spatial = kernel.size();
  Window w;
  w.kernel.assign(kernel.begin(), kernel.end());
  w.strides = im.attrInts("strides").value_or(SmallVector<int64_t>(spatial, 1));
  w.dilations =
      im.attrInts("dilations").value_or(SmallVector<int64_t>(spatial, 1));
  SmallVector<int64_t> pads =
      im.attrInts("pads").value_or(SmallVector<int64_t>(2 * spatial, 0));
  if (static_cast<int64_t>(w.strides.size()) != spatial ||
      static_cast<int64_t>(w.dilations.size()) != spatial ||
      static_cast<int64_t>(pads.size()) != 2 * spatial) {
    (void)im.fail("strides, dilations and pads do not match the " +
                  Twine(spatial) + " spatial dimensions");
    return failure();
  }
  std::string autoPad = im.attrString("auto_pad", "NOTSET");
  for (int64_t i = 0; i < spatial; ++i) {
    if (w.strides[i] <= 0 || w.dilations[i] <= 0 || w.kernel[i] <= 0) {
      (void)im.fail("kernel sizes, strides and dilations must be positive");
      return failure();
    }
    OpFoldResult in = inSizes[i];
    int64_t extent = w.dilations[i] * (w.kernel[i] - 1) + 1;
    OpFoldResult begin = im.index(pads[i]), end = im.index(pads[i + spatial]);
    if (autoPad == "VALID") {
      begin = end = im.index(0);
    } else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
      OpFoldResult out = im.ceilDiv(in, im.index(w.strides[i]));
      OpFoldResult total = im.max(im.sub(im.add(im.mul(im.sub(out, im.index(1)),
                                                       im.index(w.strides[i])),
                                                im.index(extent)),
                                         in),
                                  im.index(0));
      OpFoldResult half = im.divSigned(total, im.index(2));
      OpFoldResult rest = im.sub(total, half);
      begin = autoPad == "SAME_UPPER" ? half : rest;
      end = autoPad == "SAME_UPPER" ? rest : half;
    } else if (autoPad != "NOTSET") {
      (void)im.fail("auto_pad '" + autoPad +
                    "' is not one of NOTSET, VALID, "
                    "SAME_UPPER, SAME_LOWER");
      return failure();
    }
    w.declaredEnd.push_back(end);
    OpFoldResult span =
        im.sub(im.add(im.add(in, begin), end), im.index(extent));
    OpFoldResult out;
    if (ceilMode) {
      std::optional<int64_t> s = getConstantIntValue(span),
                             b = getConstantIntValue(begin),
                             n = getConstantIntValue(in);
      if (!s || !b || !n) {
        (void)im.fail("ceil_mode needs spatial sizes known when compiling");
        return failure();
      }
      int64_t o = (*s + w.strides[i] - 1) / w.strides[i] + 1;
      // The last window must start inside the input or its begin padding.
      if ((o - 1) * w.strides[i] >= *n + *b)
        --o;
      out = im.index(o);
      int64_t needed = (o - 1) * w.strides[i] + extent;
      int64_t have = *n + *b + *getConstantIntValue(end);
      if (needed > have)
        end = im.index(*getConstantIntValue(end) + needed - have);
    } else {
      out = im.add(im.divSigned(span, im.index(w.strides[i])), im.index(1));
    }
    if (std::optional<int64_t> o = getConstantIntValue(out); o && *o <= 0) {
      (void)im.fail("the window does not fit the input: output size " +
                    Twine(*o));
      return failure();
    }
    w.padBegin.push_back(begin);
    w.padEnd.push_back(end);
    w.outSizes.push_back(out);
  }
  return w;
}

/// `x` ([N, C, spatial...]) padded with `value` as the window says.
Value pad(Importer &im, Value x, const Window &w, double value) {
  bool any = false;
  for (size_t i = 0; i < w.padBegin.size(); ++i)
    any |= getConstantIntValue(w.padBegin[i]) != 0 ||
           getConstantIntValue(w.padEnd[i]) != 0;
  if (!any)
    return x;
  Sizes shape = im.sizes(x);
  Sizes low{im.index(0), im.index(0)}, high{im.index(0), im.index(0)};
  llvm::append_range(low, w.padBegin);
  llvm::append_range(high, w.padEnd);
  Sizes result;
  for (size_t i = 0; i < shape.size(); ++i)
    result.push_back(im.add(im.add(shape[i], low[i]), high[i]));
  Value padValue = im.scalarConstant(getElementTypeOrSelf(x), value);
  auto type = Importer::typeFor(result, getElementTypeOrSelf(x));
  Value padded = tensor::PadOp::create(im.builder(), im.loc(), type, x, low,
                                       high, padValue);
  return im.withSizes(padded, result);
}

LogicalResult convertConv(Importer &im) {
  FailureOr<Value> input = im.input(0), filter = im.input(1);
  if (failed(input) || failed(filter))
    return failure();
  Value x = *input, wt = *filter;
  if (!isFloat(x))
    return im.fail("needs a float input");
  int64_t rank = im.sizes(x).size();
  if (rank != 3 && rank != 4)
    return im.fail("1-D and 2-D convolutions are supported; this one has " +
                   Twine(rank - 2) + " spatial dimensions");
  if (im.sizes(wt).size() != static_cast<size_t>(rank))
    return im.fail("the weight has rank " + Twine(im.sizes(wt).size()) +
                   "; the input's is " + Twine(rank));
  if (im.hasInput(2) && im.inputRank(2) != 1)
    return im.fail("the bias must be a vector");
  bool oneD = rank == 3;
  if (oneD) {
    // A 1-D convolution is a 2-D one over a unit height.
    x = im.insertUnitDims(x, {2});
    wt = im.insertUnitDims(wt, {2});
  }
  Sizes xs = im.sizes(x), ws = im.sizes(wt);
  SmallVector<int64_t> kernel;
  for (int i = 2; i < 4; ++i) {
    std::optional<int64_t> k = getConstantIntValue(ws[i]);
    if (!k)
      return im.fail("the kernel's size must be known when compiling");
    kernel.push_back(*k);
  }
  if (std::optional<SmallVector<int64_t>> shape = im.attrInts("kernel_shape")) {
    SmallVector<int64_t> expected(oneD ? SmallVector<int64_t>{1}
                                       : SmallVector<int64_t>{});
    expected.append(*shape);
    if (expected != kernel)
      return im.fail("kernel_shape does not match the weight");
  }
  // Attributes are per ONNX spatial dimension: give the unit height its own.
  Window w;
  {
    SmallVector<int64_t> k2 = kernel;
    FailureOr<Window> got = failure();
    if (oneD) {
      FailureOr<Window> one = window(im, {xs[3]}, {kernel[1]}, false);
      if (failed(one))
        return failure();
      w.kernel = {1, one->kernel[0]};
      w.strides = {1, one->strides[0]};
      w.dilations = {1, one->dilations[0]};
      w.padBegin = {im.index(0), one->padBegin[0]};
      w.padEnd = {im.index(0), one->padEnd[0]};
      w.declaredEnd = w.padEnd;
      w.outSizes = {im.index(1), one->outSizes[0]};
    } else {
      got = window(im, {xs[2], xs[3]}, k2, false);
      if (failed(got))
        return failure();
      w = *got;
    }
  }
  int64_t group = im.attrInt("group", 1);
  std::optional<int64_t> channels = getConstantIntValue(xs[1]),
                         features = getConstantIntValue(ws[0]),
                         perGroup = getConstantIntValue(ws[1]);
  if (group <= 0 || !channels || !features || !perGroup ||
      *channels != *perGroup * group || *features % group != 0)
    return im.fail("input channels, weight shape and group (" + Twine(group) +
                   ") do not agree");
  Value padded = pad(im, x, w, 0.0);
  Type element = getElementTypeOrSelf(x);
  OpBuilder &b = im.builder();
  auto strides = b.getI64TensorAttr(w.strides);
  auto dilations = b.getI64TensorAttr(w.dilations);
  Sizes out{xs[0], ws[0], w.outSizes[0], w.outSizes[1]};
  Value result;
  if (group == 1) {
    Value init = im.fill(out, im.scalarConstant(element, 0));
    result = linalg::Conv2DNchwFchwOp::create(b, im.loc(), init.getType(),
                                              ValueRange{padded, wt}, init,
                                              strides, dilations)
                 .getResult(0);
  } else {
    Sizes ps = im.sizes(padded);
    Value xg = im.reshape(padded, {ps[0], im.index(group),
                                   im.index(*channels / group), ps[2], ps[3]});
    // Weights are [M, C/G, kh, kw] with M group-major; the op reads
    // [M/G, G, C/G, kh, kw].
    Value grouped =
        im.reshape(wt, {im.index(group), im.index(*features / group), ws[1],
                        ws[2], ws[3]});
    Sizes wgSizes{im.index(*features / group), im.index(group), ws[1], ws[2],
                  ws[3]};
    Value wgInit = im.empty(wgSizes, element);
    Value wg = im.withSizes(
        linalg::TransposeOp::create(b, im.loc(), grouped, wgInit,
                                    ArrayRef<int64_t>{1, 0, 2, 3, 4})
            .getResult()[0],
        wgSizes);
    Sizes outG{xs[0], im.index(group), im.index(*features / group),
               w.outSizes[0], w.outSizes[1]};
    Value init = im.fill(outG, im.scalarConstant(element, 0));
    Value conv = linalg::Conv2DNgchwFgchwOp::create(b, im.loc(), init.getType(),
                                                    ValueRange{xg, wg}, init,
                                                    strides, dilations)
                     .getResult(0);
    im.withSizes(conv, outG);
    result = im.reshape(conv, out);
  }
  im.withSizes(result, out);
  if (im.hasInput(2)) {
    FailureOr<Value> bias = im.input(2);
    if (failed(bias))
      return failure();
    Value full = im.broadcastTo(channelVector(im, *bias, 4), out);
    result =
        im.withSizes(arith::AddFOp::create(b, im.loc(), result, full), out);
  }
  if (oneD)
    result = im.dropUnitDims(result, {2});
  im.setOutput(0, result);
  return success();
}

LogicalResult pool(Importer &im, bool isMax) {
  if (isMax && im.wantsOutput(1))
    return im.fail("the Indices output is not supported");
  FailureOr<Value> input = im.input(0);
  if (failed(input))
    return failure();
  Value x = *input;
  Type original = getElementTypeOrSelf(x);
  bool isUnsigned = im.isUnsigned(0);
  if (!isFloat(x)) {
    // Integer max pooling in i32 (whose minimum pads), back after.
    if (!isMax || original.getIntOrFloatBitWidth() > 32)
      return im.fail("needs a float input (or an integer of 32 bits or "
                     "fewer for MaxPool)");
    x = im.convertElements(x, im.builder().getI32Type(), isUnsigned);
  }
  int64_t rank = im.sizes(x).size();
  if (rank != 3 && rank != 4)
    return im.fail("1-D and 2-D pooling is supported; this one has " +
                   Twine(rank - 2) + " spatial dimensions");
  std::optional<SmallVector<int64_t>> kernelAttr = im.attrInts("kernel_shape");
  if (!kernelAttr || static_cast<int64_t>(kernelAttr->size()) != rank - 2)
    return im.fail("needs kernel_shape with one size per spatial dimension");
  bool oneD = rank == 3;
  bool ceilMode = im.attrInt("ceil_mode", 0) != 0;
  Sizes xs = im.sizes(x);
  FailureOr<Window> got =
      window(im, Sizes(xs.begin() + 2, xs.end()), *kernelAttr, ceilMode);
  if (failed(got))
    return failure();
  Window w = *got;
  if (oneD) {
    x = im.insertUnitDims(x, {2});
    xs = im.sizes(x);
    w.kernel.insert(w.kernel.begin(), 1);
    w.strides.insert(w.strides.begin(), 1);
    w.dilations.insert(w.dilations.begin(), 1);
    w.padBegin.insert(w.padBegin.begin(), im.index(0));
    w.padEnd.insert(w.padEnd.begin(), im.index(0));
    w.declaredEnd.insert(w.declaredEnd.begin(), im.index(0));
    w.outSizes.insert(w.outSizes.begin(), im.index(1));
  }
  Type element = getElementTypeOrSelf(x);
  OpBuilder &b = im.builder();
  auto strides = b.getI64TensorAttr(w.strides);
  auto dilations = b.getI64TensorAttr(w.dilations);
  Sizes out{xs[0], xs[1], w.outSizes[0], w.outSizes[1]};
  Value windowShape =
      im.empty({im.index(w.kernel[0]), im.index(w.kernel[1])}, element);
  Value result;
  double lowest = isa<FloatType>(element)
                      ? -std::numeric_limits<double>::infinity()
                      : static_cast<double>(INT32_MIN);
  if (isMax) {
    Value padded = pad(im, x, w, lowest);
    Value init = im.fill(out, im.scalarConstant(element, lowest));
    result = linalg::PoolingNchwMaxOp::create(b, im.loc(), init.getType(),
                                              ValueRange{padded, windowShape},
                                              init, strides, dilations)
                 .getResult(0);
  } else {
    auto sumPool = [&](Value source, double padValue) {
      Value padded = pad(im, source, w, padValue);
      Value init = im.fill(out, im.scalarConstant(element, 0));
      return linalg::PoolingNchwSumOp::create(b, im.loc(), init.getType(),
                                              ValueRange{padded, windowShape},
                                              init, strides, dilations)
          .getResult(0);
    };
    Value sum = sumPool(x, 0.0);
    bool includePad = im.attrInt("count_include_pad", 0) != 0;
    Value divisor;
    if (includePad && !ceilMode) {
      divisor =
          im.fill(out, im.scalarConstant(element, w.kernel[0] * w.kernel[1]));
    } else {
      // Count the elements each window covers: the input's, and with
      // count_include_pad the declared padding's (not ceil_mode's extra).
      Value ones = splatLike(im, x, 1.0);
      if (includePad) {
        // The declared padding counts; ceil_mode's extra does not.
        Window declared = w;
        declared.padEnd = w.declaredEnd;
        ones = pad(im, ones, declared, 1.0);
        Window extra = w;
        for (size_t i = 0; i < w.padEnd.size(); ++i) {
          extra.padBegin[i] = im.index(0);
          extra.padEnd[i] = im.sub(w.padEnd[i], w.declaredEnd[i]);
        }
        ones = pad(im, ones, extra, 0.0);
        Value init = im.fill(out, im.scalarConstant(element, 0));
        divisor = linalg::PoolingNchwSumOp::create(
                      b, im.loc(), init.getType(),
                      ValueRange{ones, windowShape}, init, strides, dilations)
                      .getResult(0);
      }
      if (!divisor)
        divisor = sumPool(ones, 0.0);
    }
    result = arith::DivFOp::create(b, im.loc(), sum, divisor);
  }
  im.withSizes(result, out);
  if (oneD)
    result = im.dropUnitDims(result, {2});
  if (getElementTypeOrSelf(result) != original)
    result = im.convertElements(result, original, false, isUnsigned);
  im.setOutput(0, result);
  return success();
}

LogicalResult convertMaxPool(Importer &im) {
  if (im.attrInt("storage_order", 0) != 0)
    return im.fail("storage_order 1 is not supported");
  return pool(im, true);
}
LogicalResult convertAveragePool(Importer &im) { return pool(im, false); }

LogicalResult globalPool(Importer &im, ReduceKind kind) {
  FailureOr<Value> input = im.input(0);
  if (failed(input))
    return failure();
  int64_t rank = im.sizes(*input).size();
  if (rank < 3)
    return im.fail("needs an input of rank 3 or more");
  SmallVector<int64_t> dims = llvm::to_vector(llvm::seq<int64_t>(2, rank));
  im.setOutput(0, reduce(im, *input, dims, kind, true));
  return success();
}

LogicalResult convertGlobalAveragePool(Importer &im) {
  return globalPool(im, ReduceKind::mean);
}
LogicalResult convertGlobalMaxPool(Importer &im) {
  return globalPool(im, ReduceKind::max);
}

} // namespace

void mlir::enc::onnx_import::registerNNOps(llvm::StringMap<Converter> &table) {
  table["MatMul"] = convertMatMul;
  table["Gemm"] = convertGemm;
  table["Softmax"] = convertSoftmax;
  table["LogSoftmax"] = convertLogSoftmax;
  table["ReduceSum"] = reduceOp<ReduceKind::sum, 13>;
  table["ReduceMean"] = reduceOp<ReduceKind::mean, 18>;
  table["ReduceMax"] = reduceOp<ReduceKind::max, 18>;
  table["ReduceMin"] = reduceOp<ReduceKind::min, 18>;
  table["ReduceProd"] = reduceOp<ReduceKind::prod, 18>;
  table["ReduceSumSquare"] = reduceOp<ReduceKind::sumSquare, 18>;
  table["ReduceL1"] = reduceOp<ReduceKind::l1, 18>;
  table["ReduceL2"] = reduceOp<ReduceKind::l2, 18>;
  table["LayerNormalization"] = convertLayerNorm;
  table["BatchNormalization"] = convertBatchNorm;
  table["InstanceNormalization"] = convertInstanceNorm;
  table["Conv"] = convertConv;
  table["MaxPool"] = convertMaxPool;
  table["AveragePool"] = convertAveragePool;
  table["GlobalAveragePool"] = convertGlobalAveragePool;
  table["GlobalMaxPool"] = convertGlobalMaxPool;
}
