//===- IndexingOps.cpp - ONNX ops that pick or make elements by index -----===//
//
// Slice, Split, Gather and Pad (extract_slice, linalg.generic with
// tensor.extract, tensor.pad), ConstantOfShape and Range. Known contents
// (shape vectors) fold here too.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <cstring>

using namespace mlir;
using namespace mlir::enc;
using namespace mlir::enc::onnx_import;

namespace {

/// Reverses `value` along `axis` (a static size).
Value reverse(Importer &im, Value value, int64_t axis) {
  Sizes shape = im.sizes(value);
  int64_t rank = shape.size();
  int64_t size = *getConstantIntValue(shape[axis]);
  MLIRContext *ctx = im.builder().getContext();
  SmallVector<AffineExpr> exprs;
  for (int64_t d = 0; d < rank; ++d)
    exprs.push_back(d == axis ? getAffineConstantExpr(size - 1, ctx) -
                                    getAffineDimExpr(d, ctx)
                              : getAffineDimExpr(d, ctx));
  AffineMap in = AffineMap::get(rank, 0, exprs, ctx);
  AffineMap out = AffineMap::getMultiDimIdentityMap(rank, ctx);
  Value init = im.empty(shape, getElementTypeOrSelf(value));
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      im.builder(), im.loc(), init.getType(), value, init,
      ArrayRef<AffineMap>{in, out}, iterators,
      [](OpBuilder &b, Location loc, ValueRange args) {
        linalg::YieldOp::create(b, loc, args[0]);
      });
  return im.withSizes(generic.getResult(0), shape);
}

LogicalResult convertSlice(Importer &im) {
  Sizes starts, ends;
  SmallVector<int64_t> axes, steps;
  int64_t rank = im.inputRank(0);
  if (im.opset() < 10) {
    for (int64_t s : im.attrInts("starts").value_or(SmallVector<int64_t>()))
      starts.push_back(im.index(s));
    for (int64_t e : im.attrInts("ends").value_or(SmallVector<int64_t>()))
      ends.push_back(im.index(e));
    axes = im.attrInts("axes").value_or(SmallVector<int64_t>());
  } else {
    const Sizes *s = im.contents(1), *e = im.contents(2);
    if (!s || !e)
      return im.fail("starts and ends must be known when compiling");
    starts = *s;
    ends = *e;
    if (im.hasInput(3)) {
      std::optional<SmallVector<int64_t>> a = im.constantInts(3);
      if (!a)
        return im.fail("axes must be a constant");
      axes = *a;
    }
    if (im.hasInput(4)) {
      std::optional<SmallVector<int64_t>> st = im.constantInts(4);
      if (!st)
        return im.fail("steps must be a constant");
      steps = *st;
    }
  }
  if (axes.empty())
    axes = llvm::to_vector(llvm::seq<int64_t>(0, starts.size()));
  if (steps.empty())
    steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() ||
      steps.size() != starts.size())
    return im.fail("starts, ends, axes and steps differ in length");

  const Sizes *known = im.contents(0);
  Value x;
  Sizes shape;
  if (known && rank == 1) {
    shape.push_back(im.index(known->size()));
  } else {
    FailureOr<Value> v = im.input(0);
    if (failed(v))
      return failure();
    x = *v;
    shape = im.sizes(x);
    known = nullptr;
  }
  Sizes offsets(rank, im.index(0)), sizes = shape;
  SmallVector<int64_t> strides(rank, 1);
  SmallVector<int64_t> reversed;
  for (size_t k = 0; k < starts.size(); ++k) {
    FailureOr<int64_t> axis = im.normalizeAxis(axes[k], rank);
    if (failed(axis))
      return failure();
    int64_t step = steps[k];
    if (step == 0)
      return im.fail("a step is 0");
    OpFoldResult dim = shape[*axis];
    // Clamp the bounds the way ONNX does (INT64_MAX ends mean "to the end").
    auto clampBound = [&](OpFoldResult v, bool isEnd) -> OpFoldResult {
      std::optional<int64_t> c = getConstantIntValue(v);
      if (c && *c >= (int64_t(1) << 62))
        return step > 0 ? dim : im.sub(dim, im.index(1));
      if (c && *c <= -(int64_t(1) << 62))
        return step > 0 ? im.index(0) : im.index(-1);
      OpFoldResult w = im.wrapNegative(v, dim);
      if (step > 0)
        return im.min(im.max(w, im.index(0)), dim);
      return im.min(im.max(w, im.index(isEnd ? -1 : 0)),
                    im.sub(dim, im.index(1)));
    };
    OpFoldResult start = clampBound(starts[k], false);
    OpFoldResult end = clampBound(ends[k], true);
    OpFoldResult count;
    if (step > 0)
      count =
          im.max(im.ceilDiv(im.sub(end, start), im.index(step)), im.index(0));
    else
      count =
          im.max(im.ceilDiv(im.sub(start, end), im.index(-step)), im.index(0));
    if (getConstantIntValue(count) == 0) {
      // Empty: any in-bounds offset (the verifier refuses one at the end).
      sizes[*axis] = count;
      continue;
    }
    sizes[*axis] = count;
    strides[*axis] = std::abs(step);
    if (step > 0) {
      offsets[*axis] = start;
    } else {
      // The same elements ascending, then reversed.
      if (!getConstantIntValue(count))
        return im.fail("a negative step needs a size known when compiling");
      offsets[*axis] =
          im.sub(start, im.mul(im.sub(count, im.index(1)), im.index(-step)));
      reversed.push_back(*axis);
    }
  }
  if (known) {
    std::optional<int64_t> off = getConstantIntValue(offsets[0]),
                           cnt = getConstantIntValue(sizes[0]);
    if (off && cnt) {
      Sizes result;
      for (int64_t i = 0; i < *cnt; ++i)
        result.push_back((*known)[*off + i * strides[0]]);
      if (!reversed.empty())
        std::reverse(result.begin(), result.end());
      im.setOutputContents(0, result, im.inputElementType(0), 1);
      return success();
    }
    FailureOr<Value> v = im.input(0);
    if (failed(v))
      return failure();
    x = *v;
  }
  SmallVector<OpFoldResult> strideSizes;
  for (int64_t s : strides)
    strideSizes.push_back(im.index(s));
  auto type = Importer::typeFor(sizes, getElementTypeOrSelf(x));
  Value result = tensor::ExtractSliceOp::create(im.builder(), im.loc(), type, x,
                                                offsets, sizes, strideSizes);
  im.withSizes(result, sizes);
  for (int64_t axis : reversed)
    result = reverse(im, result, axis);
  im.setOutput(0, result, sizes);
  return success();
}

LogicalResult convertSplit(Importer &im) {
  FailureOr<Value> x = im.input(0);
  if (failed(x))
    return failure();
  Sizes shape = im.sizes(*x);
  FailureOr<int64_t> axis =
      im.normalizeAxis(im.attrInt("axis", 0), shape.size());
  if (failed(axis))
    return failure();
  unsigned n = im.numOutputs();
  SmallVector<OpFoldResult> parts;
  std::optional<SmallVector<int64_t>> split;
  if (im.opset() < 13)
    split = im.attrInts("split");
  else if (im.hasInput(1)) {
    split = im.constantInts(1);
    if (!split)
      return im.fail("split must be a constant");
  }
  if (split) {
    if (split->size() != n)
      return im.fail("split has " + Twine(split->size()) + " sizes for " +
                     Twine(n) + " outputs");
    for (int64_t s : *split)
      parts.push_back(im.index(s));
  } else {
    // Equal parts (opset 18: the last one smaller).
    OpFoldResult part = im.ceilDiv(shape[*axis], im.index(n));
    for (unsigned i = 0; i < n; ++i)
      parts.push_back(
          i + 1 < n ? part
                    : im.sub(shape[*axis], im.mul(part, im.index(n - 1))));
  }
  OpFoldResult offset = im.index(0);
  for (unsigned i = 0; i < n; ++i) {
    Sizes offsets(shape.size(), im.index(0)), sizes = shape;
    SmallVector<OpFoldResult> strides(shape.size(), im.index(1));
    offsets[*axis] = getConstantIntValue(parts[i]) == 0 ? im.index(0) : offset;
    sizes[*axis] = parts[i];
    auto type = Importer::typeFor(sizes, getElementTypeOrSelf(*x));
    Value piece =
        getConstantIntValue(parts[i]) == 0
            ? im.empty(sizes, getElementTypeOrSelf(*x)) // nothing to read
            : Value(tensor::ExtractSliceOp::create(
                  im.builder(), im.loc(), type, *x, offsets, sizes, strides));
    im.setOutput(i, piece, sizes);
    offset = im.add(offset, parts[i]);
  }
  return success();
}

LogicalResult convertGather(Importer &im) {
  int64_t rank = im.inputRank(0);
  FailureOr<int64_t> axis = im.normalizeAxis(im.attrInt("axis", 0), rank);
  if (failed(axis))
    return failure();
  // Gathering from known contents (a shape) folds.
  const Sizes *known = im.contents(0);
  std::optional<SmallVector<int64_t>> picks = im.constantInts(1);
  if (known && rank == 1 && picks) {
    Sizes result;
    for (int64_t p : *picks) {
      int64_t i = p < 0 ? p + known->size() : p;
      if (i < 0 || i >= static_cast<int64_t>(known->size()))
        return im.fail("index " + Twine(p) + " is out of range for size " +
                       Twine(known->size()));
      result.push_back((*known)[i]);
    }
    im.setOutputContents(0, result, im.inputElementType(0), im.inputRank(1));
    return success();
  }
  FailureOr<Value> data = im.input(0), indices = im.input(1);
  if (failed(data) || failed(indices))
    return failure();
  Sizes dataSizes = im.sizes(*data), indexSizes = im.sizes(*indices);
  int64_t indexRank = indexSizes.size();
  Sizes result(dataSizes.begin(), dataSizes.begin() + *axis);
  result.append(indexSizes.begin(), indexSizes.end());
  result.append(dataSizes.begin() + *axis + 1, dataSizes.end());
  int64_t outRank = result.size();
  MLIRContext *ctx = im.builder().getContext();
  SmallVector<AffineExpr> indexExprs;
  for (int64_t i = 0; i < indexRank; ++i)
    indexExprs.push_back(getAffineDimExpr(*axis + i, ctx));
  AffineMap indexMap = AffineMap::get(outRank, 0, indexExprs, ctx);
  AffineMap outMap = AffineMap::getMultiDimIdentityMap(outRank, ctx);
  Value init = im.empty(result, getElementTypeOrSelf(*data));
  Value axisSize = im.indexValue(dataSizes[*axis]);
  Value source = *data;
  int64_t gatherAxis = *axis;
  SmallVector<utils::IteratorType> iterators(outRank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      im.builder(), im.loc(), init.getType(), *indices, init,
      ArrayRef<AffineMap>{indexMap, outMap}, iterators,
      [&](OpBuilder &b, Location loc, ValueRange args) {
        Value i = arith::IndexCastOp::create(b, loc, b.getIndexType(), args[0]);
        Value zero = arith::ConstantIndexOp::create(b, loc, 0);
        Value negative =
            arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, i, zero);
        i = arith::SelectOp::create(
            b, loc, negative, arith::AddIOp::create(b, loc, i, axisSize), i);
        // Out-of-range indices are clamped rather than read out of bounds
        // (ONNX leaves them undefined; the kernel cannot raise).
        Value last = arith::SubIOp::create(
            b, loc, axisSize, arith::ConstantIndexOp::create(b, loc, 1));
        i = arith::MaxSIOp::create(
            b, loc, arith::MinSIOp::create(b, loc, i, last), zero);
        SmallVector<Value> coords;
        for (int64_t d = 0; d < gatherAxis; ++d)
          coords.push_back(linalg::IndexOp::create(b, loc, d));
        coords.push_back(i);
        for (int64_t d = gatherAxis + indexRank; d < outRank; ++d)
          coords.push_back(linalg::IndexOp::create(b, loc, d));
        Value element = tensor::ExtractOp::create(b, loc, source, coords);
        linalg::YieldOp::create(b, loc, element);
      });
  im.setOutput(0, generic.getResult(0), result);
  return success();
}

LogicalResult convertConstantOfShape(Importer &im) {
  const Sizes *shape = im.contents(0);
  if (!shape)
    return im.fail("the shape must be known when compiling");
  OpBuilder &b = im.builder();
  Type element = b.getF32Type();
  double value = 0;
  if (const onnx::AttributeProto *attr = im.attribute("value")) {
    const onnx::TensorProto &t = attr->t();
    FailureOr<Type> type = im.elementType(t.data_type(), "the value");
    if (failed(type))
      return im.fail("the value's element type is not supported");
    element = *type;
    std::vector<char> bytes;
    std::string error;
    if (!encoder::onnximport::tensorBytes(t, ".", bytes, error) ||
        bytes.empty())
      return im.fail("the value: " + error);
    switch (t.data_type()) {
    case onnx::TensorProto::FLOAT: {
      float f;
      std::memcpy(&f, bytes.data(), 4);
      value = f;
      break;
    }
    case onnx::TensorProto::DOUBLE:
      std::memcpy(&value, bytes.data(), 8);
      break;
    case onnx::TensorProto::INT64: {
      int64_t i;
      std::memcpy(&i, bytes.data(), 8);
      value = static_cast<double>(i);
      break;
    }
    case onnx::TensorProto::INT32: {
      int32_t i;
      std::memcpy(&i, bytes.data(), 4);
      value = i;
      break;
    }
    case onnx::TensorProto::BOOL:
      value = bytes[0] != 0;
      break;
    default:
      return im.fail("the value's element type is not supported");
    }
  }
  // Small integer results stay known (exporters build shapes this way).
  if (isa<IntegerType>(element) && shape->size() == 1)
    if (std::optional<int64_t> n = getConstantIntValue((*shape)[0]);
        n && *n <= 64) {
      im.setOutputContents(0, Sizes(*n, im.index(static_cast<int64_t>(value))),
                           element, 1);
      return success();
    }
  Value result = im.fill(*shape, im.scalarConstant(element, value));
  im.setOutput(0, result, *shape);
  return success();
}

/// start + i * delta for i in [0, n), the scalars read at run time.
LogicalResult rangeAtRunTime(Importer &im, Type element) {
  OpBuilder &b = im.builder();
  Location loc = im.loc();
  SmallVector<Value> scalars;
  for (unsigned i = 0; i < 3; ++i) {
    FailureOr<Value> v = im.input(i);
    if (failed(v))
      return failure();
    if (!im.sizes(*v).empty())
      return im.fail("start, limit and delta must be scalars");
    scalars.push_back(tensor::ExtractOp::create(b, loc, *v, ValueRange{}));
  }
  Value start = scalars[0], limit = scalars[1], delta = scalars[2];
  Value count;
  if (isa<FloatType>(element)) {
    Value steps = math::CeilOp::create(
        b, loc,
        arith::DivFOp::create(
            b, loc, arith::SubFOp::create(b, loc, limit, start), delta));
    Value i64 = arith::FPToSIOp::create(b, loc, b.getI64Type(), steps);
    count = arith::IndexCastOp::create(b, loc, b.getIndexType(), i64);
  } else {
    Value s = arith::IndexCastOp::create(b, loc, b.getIndexType(), start);
    Value l = arith::IndexCastOp::create(b, loc, b.getIndexType(), limit);
    Value d = arith::IndexCastOp::create(b, loc, b.getIndexType(), delta);
    count = arith::CeilDivSIOp::create(b, loc,
                                       arith::SubIOp::create(b, loc, l, s), d);
  }
  count = arith::MaxSIOp::create(b, loc, count,
                                 arith::ConstantIndexOp::create(b, loc, 0));
  Value init = im.empty({OpFoldResult(count)}, element);
  MLIRContext *ctx = b.getContext();
  auto generic = linalg::GenericOp::create(
      b, loc, init.getType(), ValueRange{}, init,
      ArrayRef<AffineMap>{AffineMap::getMultiDimIdentityMap(1, ctx)},
      ArrayRef<utils::IteratorType>{utils::IteratorType::parallel},
      [&](OpBuilder &nb, Location l, ValueRange) {
        Value i = linalg::IndexOp::create(nb, l, 0);
        Value i64 = arith::IndexCastOp::create(nb, l, nb.getI64Type(), i);
        Value v;
        if (isa<FloatType>(element))
          v = arith::AddFOp::create(
              nb, l, start,
              arith::MulFOp::create(
                  nb, l, arith::SIToFPOp::create(nb, l, element, i64), delta));
        else {
          Value n =
              element.getIntOrFloatBitWidth() == 64
                  ? i64
                  : arith::TruncIOp::create(nb, l, element, i64).getResult();
          v = arith::AddIOp::create(nb, l, start,
                                    arith::MulIOp::create(nb, l, n, delta));
        }
        linalg::YieldOp::create(nb, l, v);
      });
  im.setOutput(0, generic.getResult(0), Sizes{OpFoldResult(count)});
  return success();
}

LogicalResult convertRange(Importer &im) {
  Type element = im.inputElementType(0);
  OpBuilder &b = im.builder();
  if (isa<FloatType>(element)) {
    std::optional<double> start = im.constantScalar(0),
                          limit = im.constantScalar(1),
                          delta = im.constantScalar(2);
    if (!start || !limit || !delta || *delta == 0)
      return rangeAtRunTime(im, element);
    int64_t n = std::max<int64_t>(
        0, static_cast<int64_t>(std::ceil((*limit - *start) / *delta)));
    SmallVector<Attribute> items;
    for (int64_t i = 0; i < n; ++i)
      items.push_back(b.getFloatAttr(element, *start + i * *delta));
    auto type = RankedTensorType::get({n}, element);
    Value c = arith::ConstantOp::create(b, im.loc(),
                                        DenseElementsAttr::get(type, items));
    im.setOutput(0, c);
    return success();
  }
  const Sizes *start = im.contents(0), *limit = im.contents(1),
              *delta = im.contents(2);
  if (!start || !limit || !delta)
    return rangeAtRunTime(im, element);
  std::optional<int64_t> step = getConstantIntValue((*delta)[0]);
  if (!step || *step == 0)
    return rangeAtRunTime(im, element);
  OpFoldResult s = (*start)[0], l = (*limit)[0];
  OpFoldResult n =
      *step > 0
          ? im.max(im.ceilDiv(im.sub(l, s), im.index(*step)), im.index(0))
          : im.max(im.ceilDiv(im.sub(s, l), im.index(-*step)), im.index(0));
  std::optional<int64_t> cs = getConstantIntValue(s),
                         cn = getConstantIntValue(n);
  if (cs && cn && *cn <= 64) {
    Sizes result;
    for (int64_t i = 0; i < *cn; ++i)
      result.push_back(im.index(*cs + i * *step));
    im.setOutputContents(0, result, element, 1);
    return success();
  }
  Value init = im.empty({n}, element);
  Value startValue = im.indexValue(s);
  int64_t stepValue = *step;
  MLIRContext *ctx = b.getContext();
  auto generic = linalg::GenericOp::create(
      b, im.loc(), init.getType(), ValueRange{}, init,
      ArrayRef<AffineMap>{AffineMap::getMultiDimIdentityMap(1, ctx)},
      ArrayRef<utils::IteratorType>{utils::IteratorType::parallel},
      [&](OpBuilder &nb, Location loc, ValueRange) {
        Value i = linalg::IndexOp::create(nb, loc, 0);
        Value v = arith::AddIOp::create(
            nb, loc, startValue,
            arith::MulIOp::create(
                nb, loc, i,
                arith::ConstantIndexOp::create(nb, loc, stepValue)));
        linalg::YieldOp::create(
            nb, loc,
            arith::IndexCastOp::create(nb, loc, element, v).getResult());
      });
  im.setOutput(0, generic.getResult(0), Sizes{n});
  return success();
}

LogicalResult convertPad(Importer &im) {
  std::string mode = im.attrString("mode", "constant");
  if (mode != "constant" && mode != "edge" && mode != "reflect")
    return im.fail("mode '" + mode + "' is not one of constant, edge, reflect");
  FailureOr<Value> x = im.input(0);
  if (failed(x))
    return failure();
  Sizes shape = im.sizes(*x);
  int64_t rank = shape.size();
  std::optional<SmallVector<int64_t>> pads;
  if (im.opset() < 11)
    pads = im.attrInts("pads");
  else {
    pads = im.constantInts(1);
    if (!pads)
      return im.fail("pads must be known when compiling");
  }
  if (!pads || static_cast<int64_t>(pads->size()) != 2 * rank)
    return im.fail("needs 2 x rank pads");
  Sizes low, high, result;
  for (int64_t i = 0; i < rank; ++i) {
    int64_t lo = (*pads)[i], hi = (*pads)[i + rank];
    if (lo < 0 || hi < 0)
      return im.fail("negative pads are not supported");
    low.push_back(im.index(lo));
    high.push_back(im.index(hi));
    result.push_back(im.add(im.add(shape[i], low.back()), high.back()));
  }
  Type element = getElementTypeOrSelf(*x);
  OpBuilder &b = im.builder();
  auto type = Importer::typeFor(result, element);
  if (mode == "constant") {
    // The value: an attribute before opset 11, else an optional scalar
    // input (read at run time when it is not a constant).
    Value value;
    if (im.opset() < 11)
      value = im.scalarConstant(element, im.attrFloat("value", 0.0f));
    else if (!im.hasInput(2))
      value = im.scalarConstant(element, 0.0);
    else if (std::optional<double> c = im.constantScalar(2))
      value = im.scalarConstant(element, *c);
    else {
      FailureOr<Value> v = im.input(2);
      if (failed(v))
        return failure();
      if (getElementTypeOrSelf(*v) != element)
        return im.fail("constant_value has another element type than data");
      SmallVector<Value> zeros(im.sizes(*v).size(),
                               arith::ConstantIndexOp::create(b, im.loc(), 0));
      value = tensor::ExtractOp::create(b, im.loc(), *v, zeros);
    }
    Value padded =
        tensor::PadOp::create(b, im.loc(), type, *x, low, high, value);
    im.setOutput(0, padded, result);
    return success();
  }
  // edge and reflect: each output element reads a clamped or mirrored index.
  SmallVector<Value> sizes;
  for (OpFoldResult size : shape)
    sizes.push_back(im.indexValue(size));
  Value init = im.empty(result, element);
  bool reflect = mode == "reflect";
  SmallVector<int64_t> lows;
  for (int64_t i = 0; i < rank; ++i)
    lows.push_back((*pads)[i]);
  Value source = *x;
  MLIRContext *ctx = b.getContext();
  auto generic = linalg::GenericOp::create(
      b, im.loc(), init.getType(), ValueRange{}, init,
      ArrayRef<AffineMap>{AffineMap::getMultiDimIdentityMap(rank, ctx)},
      SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
      [&](OpBuilder &nb, Location loc, ValueRange) {
        SmallVector<Value> coords;
        Value zero = arith::ConstantIndexOp::create(nb, loc, 0);
        Value one = arith::ConstantIndexOp::create(nb, loc, 1);
        for (int64_t d = 0; d < rank; ++d) {
          Value position = linalg::IndexOp::create(nb, loc, d);
          Value low = arith::ConstantIndexOp::create(nb, loc, lows[d]);
          Value i = arith::SubIOp::create(nb, loc, position, low);
          Value last = arith::SubIOp::create(nb, loc, sizes[d], one);
          if (reflect) {
            // -i before the start, 2 (n - 1) - i past the end.
            Value negative = arith::CmpIOp::create(
                nb, loc, arith::CmpIPredicate::slt, i, zero);
            i = arith::SelectOp::create(
                nb, loc, negative, arith::SubIOp::create(nb, loc, zero, i), i);
            Value beyond = arith::CmpIOp::create(
                nb, loc, arith::CmpIPredicate::sgt, i, last);
            Value mirrored = arith::SubIOp::create(
                nb, loc, arith::AddIOp::create(nb, loc, last, last), i);
            i = arith::SelectOp::create(nb, loc, beyond, mirrored, i);
          }
          i = arith::MaxSIOp::create(
              nb, loc, arith::MinSIOp::create(nb, loc, i, last), zero);
          coords.push_back(i);
        }
        linalg::YieldOp::create(
            nb, loc,
            tensor::ExtractOp::create(nb, loc, source, coords).getResult());
      });
  im.setOutput(0, generic.getResult(0), result);
  return success();
}

} // namespace

void mlir::enc::onnx_import::registerIndexingOps(
    llvm::StringMap<Converter> &table) {
  table["Slice"] = convertSlice;
  table["Split"] = convertSplit;
  table["Gather"] = convertGather;
  table["ConstantOfShape"] = convertConstantOfShape;
  table["Range"] = convertRange;
  table["Pad"] = convertPad;
}
