//===- ElementwiseOps.cpp - ONNX elementwise ops --------------------------===//
//
// Arithmetic, comparisons, logic, unary math and activations, Cast and
// Where: operands broadcast (NumPy rules) to one shape, then the arith or
// math op on tensors (later linalg.generic, fused by the pipeline).
// Activations that the linear epilogue fusion knows (Relu, Sigmoid) become
// enc.activation. On tensors whose contents are known at import time (shape
// arithmetic) the integer ops fold instead.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "Enc/IR/EncOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::enc;
using namespace mlir::enc::onnx_import;

namespace {

using Build = function_ref<Value(Importer &, ValueRange)>;

/// Broadcasts inputs [first, first + count) to one shape and binds output 0
/// to `build` of them.
LogicalResult elementwise(Importer &im, unsigned first, unsigned count,
                          Build build) {
  SmallVector<Value> operands;
  for (unsigned i = first; i < first + count; ++i) {
    FailureOr<Value> value = im.input(i);
    if (failed(value))
      return failure();
    operands.push_back(*value);
  }
  Sizes shape = im.sizes(operands[0]);
  for (Value operand : ArrayRef(operands).drop_front()) {
    FailureOr<Sizes> joined = im.broadcastShapes(shape, im.sizes(operand));
    if (failed(joined))
      return failure();
    shape = *joined;
  }
  for (Value &operand : operands)
    operand = im.broadcastTo(operand, shape);
  Value result = build(im, operands);
  if (!result)
    return failure();
  im.setOutput(0, result, shape);
  return success();
}

/// Folds a binary integer op over known contents (rank 0 or 1, NumPy
/// broadcasting of a single element). Returns false when not applicable.
bool foldContents(Importer &im,
                  function_ref<OpFoldResult(OpFoldResult, OpFoldResult)> op,
                  Type resultType = {}) {
  const Sizes *lhs = im.contents(0), *rhs = im.contents(1);
  if (!lhs || !rhs)
    return false;
  size_t n = std::max(lhs->size(), rhs->size());
  if ((lhs->size() != n && lhs->size() != 1) ||
      (rhs->size() != n && rhs->size() != 1))
    return false;
  Sizes result;
  for (size_t i = 0; i < n; ++i)
    result.push_back(
        op((*lhs)[lhs->size() == 1 ? 0 : i], (*rhs)[rhs->size() == 1 ? 0 : i]));
  int64_t rank = std::max(im.inputRank(0), im.inputRank(1));
  im.setOutputContents(0, std::move(result),
                       resultType ? resultType : im.inputElementType(0), rank);
  return true;
}

// --- binary arithmetic ---------------------------------------------------

/// Add(linear, bias) with the linear's result read only here: the bias
/// goes into the enc.linear.
bool foldBias(Importer &im) {
  for (unsigned side = 0; side < 2; ++side) {
    StringRef product = im.inputName(side);
    if (im.useCount(product) != 1 || im.inputRank(1 - side) != 1)
      continue;
    FailureOr<Value> lhs = im.input(side);
    if (failed(lhs))
      return false;
    auto linear = lhs->getDefiningOp<LinearOp>();
    if (!linear || linear.getBias() || linear.getResidual() ||
        linear.getActivation())
      continue;
    FailureOr<Value> bias = im.input(1 - side);
    if (failed(bias) ||
        getElementTypeOrSelf(*bias) != getElementTypeOrSelf(*lhs) ||
        !im.sameSize(im.sizes(*bias)[0], im.sizes(*lhs).back()))
      continue;
    // The bias must exist where the linear is (a parameter or constant).
    if (Operation *def = bias->getDefiningOp();
        def && !def->isBeforeInBlock(linear))
      continue;
    Sizes shape = im.sizes(*lhs);
    auto biasType = RankedTensorType::get({linear.getOutFeatures()},
                                          getElementTypeOrSelf(*bias));
    Value b = *bias;
    if (b.getType() != biasType)
      b = tensor::CastOp::create(im.builder(), im.loc(), biasType, b);
    linear.getBiasMutable().assign(b);
    im.setOutput(0, *lhs, shape);
    return true;
  }
  return false;
}

LogicalResult convertAdd(Importer &im) {
  if (foldContents(
          im, [&](OpFoldResult a, OpFoldResult b) { return im.add(a, b); }))
    return success();
  if (isa<FloatType>(im.inputElementType(0)) && foldBias(im))
    return success();
  return elementwise(im, 0, 2, [](Importer &im, ValueRange v) -> Value {
    OpBuilder &b = im.builder();
    if (isFloat(v[0]))
      return arith::AddFOp::create(b, im.loc(), v[0], v[1]);
    return arith::AddIOp::create(b, im.loc(), v[0], v[1]);
  });
}

LogicalResult convertSub(Importer &im) {
  if (foldContents(
          im, [&](OpFoldResult a, OpFoldResult b) { return im.sub(a, b); }))
    return success();
  return elementwise(im, 0, 2, [](Importer &im, ValueRange v) -> Value {
    OpBuilder &b = im.builder();
    if (isFloat(v[0]))
      return arith::SubFOp::create(b, im.loc(), v[0], v[1]);
    return arith::SubIOp::create(b, im.loc(), v[0], v[1]);
  });
}

LogicalResult convertMul(Importer &im) {
  if (foldContents(
          im, [&](OpFoldResult a, OpFoldResult b) { return im.mul(a, b); }))
    return success();
  return elementwise(im, 0, 2, [](Importer &im, ValueRange v) -> Value {
    OpBuilder &b = im.builder();
    if (isFloat(v[0]))
      return arith::MulFOp::create(b, im.loc(), v[0], v[1]);
    return arith::MulIOp::create(b, im.loc(), v[0], v[1]);
  });
}

LogicalResult convertDiv(Importer &im) {
  if (foldContents(im, [&](OpFoldResult a, OpFoldResult b) {
        return im.divSigned(a, b);
      }))
    return success();
  return elementwise(im, 0, 2, [](Importer &im, ValueRange v) -> Value {
    OpBuilder &b = im.builder();
    if (isFloat(v[0]))
      return arith::DivFOp::create(b, im.loc(), v[0], v[1]);
    // ONNX follows C: integer division truncates.
    if (im.isUnsigned(0))
      return arith::DivUIOp::create(b, im.loc(), v[0], v[1]);
    return arith::DivSIOp::create(b, im.loc(), v[0], v[1]);
  });
}

LogicalResult convertMod(Importer &im) {
  bool fmod = im.attrInt("fmod", 0) != 0;
  return elementwise(im, 0, 2, [fmod](Importer &im, ValueRange v) -> Value {
    OpBuilder &b = im.builder();
    Location loc = im.loc();
    if (isFloat(v[0])) {
      Value r = arith::RemFOp::create(b, loc, v[0], v[1]);
      if (fmod)
        return r;
      // NumPy's mod: the sign of the divisor.
      Value zero = im.splatLike(r, 0);
      Value rNeg =
          arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, r, zero);
      Value dNeg =
          arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, v[1], zero);
      Value rNonZero =
          arith::CmpFOp::create(b, loc, arith::CmpFPredicate::ONE, r, zero);
      Value fix = arith::AndIOp::create(
          b, loc, rNonZero, arith::XOrIOp::create(b, loc, rNeg, dNeg));
      return arith::SelectOp::create(b, loc, fix,
                                     arith::AddFOp::create(b, loc, r, v[1]), r);
    }
    if (im.isUnsigned(0))
      return arith::RemUIOp::create(b, loc, v[0], v[1]);
    Value r = arith::RemSIOp::create(b, loc, v[0], v[1]);
    if (fmod)
      return r;
    Value zero = im.splatLike(r, 0);
    Value rNeg =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, r, zero);
    Value dNeg =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, v[1], zero);
    Value rNonZero =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, r, zero);
    Value fix = arith::AndIOp::create(
        b, loc, rNonZero, arith::XOrIOp::create(b, loc, rNeg, dNeg));
    return arith::SelectOp::create(b, loc, fix,
                                   arith::AddIOp::create(b, loc, r, v[1]), r);
  });
}

LogicalResult convertPow(Importer &im) {
  std::optional<double> exponent = im.constantScalar(1);
  FailureOr<Value> base = im.input(0);
  if (failed(base))
    return failure();
  Value x = *base;
  if (exponent && isFloat(x) && im.inputRank(1) == 0 &&
      (*exponent == 1.0 || *exponent == 2.0 || *exponent == 3.0 ||
       *exponent == 0.5)) {
    // The exponents exporters write (variance, GELU's tanh form) as
    // multiplications or a square root: exact and fast.
    OpBuilder &b = im.builder();
    Value result = x;
    if (*exponent == 0.5)
      result = math::SqrtOp::create(b, im.loc(), x);
    else if (*exponent >= 2.0)
      result = arith::MulFOp::create(b, im.loc(), x, x);
    if (*exponent == 3.0)
      result = arith::MulFOp::create(b, im.loc(), result, x);
    im.setOutput(0, result, im.sizes(x));
    return success();
  }
  return elementwise(im, 0, 2, [](Importer &im, ValueRange v) -> Value {
    OpBuilder &b = im.builder();
    Type baseType = getElementTypeOrSelf(v[0]);
    // Integer powers through f64 (exact for the results int32 holds).
    Type computeType = isa<FloatType>(baseType) ? baseType : b.getF64Type();
    Value x = im.convertElements(v[0], computeType, im.isUnsigned(0));
    Value y = im.convertElements(v[1], computeType, im.isUnsigned(1));
    Value result = math::PowFOp::create(b, im.loc(), x, y);
    im.withSizes(result, im.sizes(v[0]));
    return im.convertElements(result, baseType, false, im.isUnsigned(0));
  });
}

/// Max, Min, Sum, Mean: variadic, folded left to right.
template <typename FloatOp, typename IntOp, typename UnsignedOp = IntOp>
LogicalResult variadic(Importer &im, bool mean = false) {
  unsigned n = im.node().input_size();
  if (n == 0)
    return im.fail("needs at least one input");
  return elementwise(im, 0, n, [mean](Importer &im, ValueRange v) -> Value {
    OpBuilder &b = im.builder();
    Value acc = v[0];
    bool isUnsigned = im.isUnsigned(0);
    for (Value next : v.drop_front()) {
      if (isFloat(acc))
        acc = FloatOp::create(b, im.loc(), acc, next);
      else if (isUnsigned)
        acc = UnsignedOp::create(b, im.loc(), acc, next);
      else
        acc = IntOp::create(b, im.loc(), acc, next);
    }
    if (mean && v.size() > 1)
      acc =
          arith::DivFOp::create(b, im.loc(), acc, im.splatLike(v[0], v.size()));
    return acc;
  });
}

LogicalResult convertMax(Importer &im) {
  if (im.node().input_size() == 2 &&
      foldContents(
          im, [&](OpFoldResult a, OpFoldResult b) { return im.max(a, b); }))
    return success();
  return variadic<arith::MaximumFOp, arith::MaxSIOp, arith::MaxUIOp>(im);
}
LogicalResult convertMin(Importer &im) {
  if (im.node().input_size() == 2 &&
      foldContents(
          im, [&](OpFoldResult a, OpFoldResult b) { return im.min(a, b); }))
    return success();
  return variadic<arith::MinimumFOp, arith::MinSIOp, arith::MinUIOp>(im);
}
LogicalResult convertSum(Importer &im) {
  return variadic<arith::AddFOp, arith::AddIOp>(im);
}
LogicalResult convertMean(Importer &im) {
  return variadic<arith::AddFOp, arith::AddIOp>(im, /*mean=*/true);
}

// --- comparisons and logic -------------------------------------------------

template <arith::CmpFPredicate F, arith::CmpIPredicate I,
          arith::CmpIPredicate U = I>
LogicalResult compare(Importer &im) {
  Type i1 = im.builder().getI1Type();
  if (foldContents(
          im,
          [&](OpFoldResult a, OpFoldResult b) { return im.compare(I, a, b); },
          i1))
    return success();
  return elementwise(im, 0, 2, [](Importer &im, ValueRange v) -> Value {
    OpBuilder &b = im.builder();
    if (isFloat(v[0]))
      return arith::CmpFOp::create(b, im.loc(), F, v[0], v[1]);
    return arith::CmpIOp::create(b, im.loc(), im.isUnsigned(0) ? U : I, v[0],
                                 v[1]);
  });
}

template <typename Op> LogicalResult logical(Importer &im) {
  return elementwise(im, 0, 2, [](Importer &im, ValueRange v) -> Value {
    return Op::create(im.builder(), im.loc(), v[0], v[1]);
  });
}

LogicalResult convertNot(Importer &im) {
  if (const Sizes *known = im.contents(0)) {
    Sizes result;
    for (OpFoldResult r : *known)
      result.push_back(im.compare(arith::CmpIPredicate::eq, r, im.index(0)));
    im.setOutputContents(0, result, im.inputElementType(0), im.inputRank(0));
    return success();
  }
  return elementwise(im, 0, 1, [](Importer &im, ValueRange v) -> Value {
    return arith::XOrIOp::create(im.builder(), im.loc(), v[0],
                                 im.splatLike(v[0], 1));
  });
}

LogicalResult convertWhere(Importer &im) {
  const Sizes *cond = im.contents(0), *x = im.contents(1), *y = im.contents(2);
  if (cond && x && y) {
    size_t n = std::max({cond->size(), x->size(), y->size()});
    auto at = [](const Sizes *s, size_t i) {
      return (*s)[s->size() == 1 ? 0 : i];
    };
    if (llvm::all_of(
            std::initializer_list<const Sizes *>{cond, x, y},
            [n](const Sizes *s) { return s->size() == n || s->size() == 1; })) {
      Sizes result;
      for (size_t i = 0; i < n; ++i)
        result.push_back(im.select(at(cond, i), at(x, i), at(y, i)));
      int64_t rank =
          std::max({im.inputRank(0), im.inputRank(1), im.inputRank(2)});
      im.setOutputContents(0, result, im.inputElementType(1), rank);
      return success();
    }
  }
  return elementwise(im, 0, 3, [](Importer &im, ValueRange v) -> Value {
    return arith::SelectOp::create(im.builder(), im.loc(), v[0], v[1], v[2]);
  });
}

// --- unary -----------------------------------------------------------------

template <typename Op> LogicalResult unaryFloat(Importer &im) {
  return elementwise(im, 0, 1, [](Importer &im, ValueRange v) -> Value {
    if (!isFloat(v[0])) {
      (void)im.fail("needs a float input");
      return {};
    }
    return Op::create(im.builder(), im.loc(), v[0]);
  });
}

LogicalResult convertNeg(Importer &im) {
  if (const Sizes *known = im.contents(0)) {
    Sizes result;
    for (OpFoldResult r : *known)
      result.push_back(im.sub(im.index(0), r));
    im.setOutputContents(0, result, im.inputElementType(0), im.inputRank(0));
    return success();
  }
  return elementwise(im, 0, 1, [](Importer &im, ValueRange v) -> Value {
    if (isFloat(v[0]))
      return arith::NegFOp::create(im.builder(), im.loc(), v[0]);
    return arith::SubIOp::create(im.builder(), im.loc(), im.splatLike(v[0], 0),
                                 v[0]);
  });
}

LogicalResult convertAbs(Importer &im) {
  return elementwise(im, 0, 1, [](Importer &im, ValueRange v) -> Value {
    if (isFloat(v[0]))
      return math::AbsFOp::create(im.builder(), im.loc(), v[0]);
    return math::AbsIOp::create(im.builder(), im.loc(), v[0]);
  });
}

LogicalResult convertReciprocal(Importer &im) {
  return elementwise(im, 0, 1, [](Importer &im, ValueRange v) -> Value {
    return arith::DivFOp::create(im.builder(), im.loc(), im.splatLike(v[0], 1),
                                 v[0]);
  });
}

LogicalResult activation(Importer &im, ActivationKind kind) {
  return elementwise(im, 0, 1, [kind](Importer &im, ValueRange v) -> Value {
    if (!isFloat(v[0])) {
      (void)im.fail("needs a float input");
      return {};
    }
    return ActivationOp::create(im.builder(), im.loc(), v[0].getType(), kind,
                                v[0]);
  });
}

LogicalResult convertRelu(Importer &im) {
  if (!isa<FloatType>(im.inputElementType(0)))
    return elementwise(im, 0, 1, [](Importer &im, ValueRange v) -> Value {
      return arith::MaxSIOp::create(im.builder(), im.loc(), v[0],
                                    im.splatLike(v[0], 0));
    });
  return activation(im, ActivationKind::relu);
}
LogicalResult convertSigmoid(Importer &im) {
  return activation(im, ActivationKind::sigmoid);
}

LogicalResult convertLeakyRelu(Importer &im) {
  double alpha = im.attrFloat("alpha", 0.01f);
  return elementwise(im, 0, 1, [alpha](Importer &im, ValueRange v) -> Value {
    OpBuilder &b = im.builder();
    Value zero = im.splatLike(v[0], 0);
    Value negative = arith::CmpFOp::create(
        b, im.loc(), arith::CmpFPredicate::OLT, v[0], zero);
    Value scaled =
        arith::MulFOp::create(b, im.loc(), v[0], im.splatLike(v[0], alpha));
    return arith::SelectOp::create(b, im.loc(), negative, scaled, v[0]);
  });
}

LogicalResult convertClip(Importer &im) {
  // Opset 6-10: min and max attributes; 11+: optional inputs.
  FailureOr<Value> input = im.input(0);
  if (failed(input))
    return failure();
  Value x = *input;
  Sizes shape = im.sizes(x);
  OpBuilder &b = im.builder();
  bool isF = isFloat(x);
  auto bound = [&](unsigned i, StringRef attr, bool lower) -> FailureOr<Value> {
    if (im.opset() < 11) {
      double fallback = lower ? -3.4028234663852886e38 : 3.4028234663852886e38;
      return im.splatLike(x, im.attrFloat(attr, fallback));
    }
    if (!im.hasInput(i))
      return Value();
    FailureOr<Value> v = im.input(i);
    if (failed(v))
      return failure();
    return im.broadcastTo(*v, shape);
  };
  FailureOr<Value> low = bound(1, "min", true), high = bound(2, "max", false);
  if (failed(low) || failed(high))
    return failure();
  bool isU = im.isUnsigned(0);
  if (*low)
    x = isF   ? Value(arith::MaximumFOp::create(b, im.loc(), x, *low))
        : isU ? Value(arith::MaxUIOp::create(b, im.loc(), x, *low))
              : Value(arith::MaxSIOp::create(b, im.loc(), x, *low));
  if (*high)
    x = isF   ? Value(arith::MinimumFOp::create(b, im.loc(), x, *high))
        : isU ? Value(arith::MinUIOp::create(b, im.loc(), x, *high))
              : Value(arith::MinSIOp::create(b, im.loc(), x, *high));
  im.setOutput(0, x, shape);
  return success();
}

LogicalResult convertIdentity(Importer &im) {
  if (const Sizes *known = im.contents(0)) {
    im.setOutputContents(0, *known, im.inputElementType(0), im.inputRank(0));
    return success();
  }
  FailureOr<Value> x = im.input(0);
  if (failed(x))
    return failure();
  im.setOutput(0, *x);
  return success();
}

LogicalResult convertDropout(Importer &im) {
  // Inference: the identity; the optional mask is all true.
  if (im.hasInput(2)) {
    // Training with a ratio of 0 drops nothing; any other ratio draws a
    // random mask, which a compiled inference graph does not.
    std::optional<SmallVector<int64_t>> training = im.constantInts(2);
    std::optional<double> ratio =
        im.hasInput(1) ? im.constantScalar(1) : std::optional<double>(0.5);
    if (!training || ((*training)[0] != 0 && ratio != 0.0))
      return im.fail("training_mode must be a constant false (or the ratio "
                     "0): the importer compiles inference");
  }
  FailureOr<Value> x = im.input(0);
  if (failed(x))
    return failure();
  im.setOutput(0, *x);
  if (im.wantsOutput(1)) {
    Value ones =
        im.fill(im.sizes(*x), im.scalarConstant(im.builder().getI1Type(), 1));
    im.setOutput(1, ones);
  }
  return success();
}

LogicalResult convertCast(Importer &im, Type to) {
  if (const Sizes *known = im.contents(0)) {
    if (isa<IntegerType>(to)) {
      Sizes result = *known;
      if (to.isInteger(1))
        for (OpFoldResult &r : result)
          r = im.compare(arith::CmpIPredicate::ne, r, im.index(0));
      im.setOutputContents(0, result, to, im.inputRank(0));
      return success();
    }
  }
  FailureOr<Value> x = im.input(0);
  if (failed(x))
    return failure();
  im.setOutput(
      0, im.convertElements(*x, to, im.isUnsigned(0), im.isUnsignedOutput(0)),
      im.sizes(*x));
  return success();
}

LogicalResult convertCastOp(Importer &im) {
  FailureOr<Type> to = im.elementType(im.attrInt("to", 0), "Cast's 'to'");
  if (failed(to))
    return im.fail("the target type of the Cast is not supported");
  return convertCast(im, *to);
}

LogicalResult convertCastLike(Importer &im) {
  return convertCast(im, im.inputElementType(1));
}

} // namespace

void mlir::enc::onnx_import::registerElementwiseOps(
    llvm::StringMap<Converter> &table) {
  table["Add"] = convertAdd;
  table["Sub"] = convertSub;
  table["Mul"] = convertMul;
  table["Div"] = convertDiv;
  table["Mod"] = convertMod;
  table["Pow"] = convertPow;
  table["Max"] = convertMax;
  table["Min"] = convertMin;
  table["Sum"] = convertSum;
  table["Mean"] = convertMean;
  table["Equal"] = compare<arith::CmpFPredicate::OEQ, arith::CmpIPredicate::eq>;
  table["Less"] = compare<arith::CmpFPredicate::OLT, arith::CmpIPredicate::slt,
                          arith::CmpIPredicate::ult>;
  table["LessOrEqual"] =
      compare<arith::CmpFPredicate::OLE, arith::CmpIPredicate::sle,
              arith::CmpIPredicate::ule>;
  table["Greater"] =
      compare<arith::CmpFPredicate::OGT, arith::CmpIPredicate::sgt,
              arith::CmpIPredicate::ugt>;
  table["GreaterOrEqual"] =
      compare<arith::CmpFPredicate::OGE, arith::CmpIPredicate::sge,
              arith::CmpIPredicate::uge>;
  table["And"] = logical<arith::AndIOp>;
  table["Or"] = logical<arith::OrIOp>;
  table["Xor"] = logical<arith::XOrIOp>;
  table["Not"] = convertNot;
  table["Where"] = convertWhere;
  table["Neg"] = convertNeg;
  table["Abs"] = convertAbs;
  table["Reciprocal"] = convertReciprocal;
  table["Sqrt"] = unaryFloat<math::SqrtOp>;
  table["Exp"] = unaryFloat<math::ExpOp>;
  table["Log"] = unaryFloat<math::LogOp>;
  table["Erf"] = unaryFloat<math::ErfOp>;
  table["Tanh"] = unaryFloat<math::TanhOp>;
  table["Floor"] = unaryFloat<math::FloorOp>;
  table["Ceil"] = unaryFloat<math::CeilOp>;
  table["Relu"] = convertRelu;
  table["Sigmoid"] = convertSigmoid;
  table["LeakyRelu"] = convertLeakyRelu;
  table["Clip"] = convertClip;
  table["Identity"] = convertIdentity;
  table["Dropout"] = convertDropout;
  table["Cast"] = convertCastOp;
  table["CastLike"] = convertCastLike;
}
