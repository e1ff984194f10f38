//===- NNOps.cpp - ONNX contractions, softmax, reductions and norms -------===//
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
        arith::MulFOp::create(b, im.loc(), y, im.splatLike(y, alpha)), shape);
  if (bias && beta != 0.0) {
    Value c = im.broadcastTo(bias, shape);
    if (beta != 1.0)
      c = arith::MulFOp::create(b, im.loc(), c, im.splatLike(c, beta));
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
      arith::AddFOp::create(b, loc, variance, im.splatLike(variance, epsilon));
  Value invStd =
      im.withSizes(math::RsqrtOp::create(b, loc, shifted), reducedShape);
  // 1 / sqrt, exactly (rsqrt may be approximated).
  invStd =
      im.withSizes(arith::DivFOp::create(b, loc, im.splatLike(variance, 1),
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
            im.broadcastTo(im.channelVector(batchMean, rank), shape)),
        shape);
    Value batchVar = reduce(
        im,
        im.withSizes(arith::MulFOp::create(b, loc, centered, centered), shape),
        dims, ReduceKind::mean, false);
    double momentum = im.attrFloat("momentum", 0.9f);
    auto blend = [&](Value running, Value batch) {
      Value kept = arith::MulFOp::create(b, loc, running,
                                         im.splatLike(running, momentum));
      Value added = arith::MulFOp::create(b, loc, batch,
                                          im.splatLike(batch, 1.0 - momentum));
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
      arith::AddFOp::create(b, loc, var, im.splatLike(var, epsilon));
  Value factor =
      im.withSizes(arith::DivFOp::create(b, loc, in[1],
                                         math::SqrtOp::create(b, loc, shifted)),
                   c);
  auto full = [&](Value v) {
    return im.broadcastTo(im.channelVector(v, rank), shape);
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
  FailureOr<Value> y = affine(im, n.y, im.channelVector(*scale, rank),
                              im.channelVector(*bias, rank));
  if (failed(y))
    return failure();
  im.setOutput(0, *y, shape);
  return success();
}

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
  table["GlobalAveragePool"] = convertGlobalAveragePool;
  table["GlobalMaxPool"] = convertGlobalMaxPool;
}
