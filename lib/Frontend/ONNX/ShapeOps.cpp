//===- ShapeOps.cpp - ONNX shape ops --------------------------------------===//
//
// Shape, Size, Reshape, Flatten, Squeeze, Unsqueeze, Transpose, Concat and
// Expand: ops that read or change shapes, not which elements there are
// (IndexingOps.cpp has those). Shape arithmetic
// (a Shape, the ops on its result, the Reshape or Expand that reads it)
// folds at import: Importer.h says how.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::enc;
using namespace mlir::enc::onnx_import;

namespace {

/// Axes from the attribute (before `inputSince`) or input `input`; null
/// when absent.
FailureOr<std::optional<SmallVector<int64_t>>>
axesOperand(Importer &im, StringRef attr, unsigned input, int64_t inputSince) {
  if (im.opset() < inputSince)
    return im.attrInts(attr);
  if (!im.hasInput(input))
    return std::optional<SmallVector<int64_t>>();
  std::optional<SmallVector<int64_t>> axes = im.constantInts(input);
  if (!axes) {
    (void)im.fail("input " + Twine(input) + " (" + attr +
                  ") must be a constant");
    return failure();
  }
  return axes;
}

LogicalResult convertShape(Importer &im) {
  Sizes shape;
  int64_t rank = im.inputRank(0);
  if (const Sizes *known = im.contents(0)) {
    if (rank == 1)
      shape.push_back(im.index(known->size()));
  } else {
    FailureOr<Value> x = im.input(0);
    if (failed(x))
      return failure();
    shape = im.sizes(*x);
  }
  int64_t start = im.attrInt("start", 0), end = im.attrInt("end", rank);
  if (start < 0)
    start += rank;
  if (end < 0)
    end += rank;
  start = std::clamp<int64_t>(start, 0, rank);
  end = std::clamp<int64_t>(end, start, rank);
  Sizes result(shape.begin() + start, shape.begin() + end);
  im.setOutputContents(0, result, im.builder().getI64Type(), 1);
  return success();
}

LogicalResult convertSize(Importer &im) {
  if (const Sizes *known = im.contents(0)) {
    im.setOutputContents(0, {im.index(known->size())},
                         im.builder().getI64Type(), 0);
    return success();
  }
  FailureOr<Value> x = im.input(0);
  if (failed(x))
    return failure();
  OpFoldResult count = im.index(1);
  for (OpFoldResult s : im.sizes(*x))
    count = im.mul(count, s);
  im.setOutputContents(0, {count}, im.builder().getI64Type(), 0);
  return success();
}

/// Reshape's target sizes: 0 copies the input's size (unless allowzero),
/// -1 is what the element count leaves.
FailureOr<Sizes> reshapeTarget(Importer &im, ArrayRef<OpFoldResult> source,
                               const Sizes &shape, bool allowZero) {
  Sizes target;
  int64_t inferred = -1;
  for (auto [i, entry] : llvm::enumerate(shape)) {
    std::optional<int64_t> c = getConstantIntValue(entry);
    if (c == 0 && !allowZero) {
      if (i >= source.size()) {
        (void)im.fail("shape entry " + Twine(i) +
                      " is 0 (copy) past the input's rank");
        return failure();
      }
      target.push_back(source[i]);
    } else if (c == -1) {
      if (inferred >= 0) {
        (void)im.fail("the shape has more than one -1");
        return failure();
      }
      inferred = i;
      target.push_back(im.index(1));
    } else if (c && *c < -1) {
      (void)im.fail("shape entry " + Twine(i) + " is " + Twine(*c));
      return failure();
    } else {
      target.push_back(entry);
    }
  }
  OpFoldResult total = im.index(1), known = im.index(1);
  for (OpFoldResult s : source)
    total = im.mul(total, s);
  for (auto [i, s] : llvm::enumerate(target))
    if (static_cast<int64_t>(i) != inferred)
      known = im.mul(known, s);
  if (inferred >= 0) {
    target[inferred] = im.divSigned(total, known);
  } else {
    std::optional<int64_t> ct = getConstantIntValue(total),
                           ck = getConstantIntValue(known);
    if (ct && ck && *ct != *ck) {
      (void)im.fail("cannot reshape " + Twine(*ct) + " elements into " +
                    Twine(*ck));
      return failure();
    }
  }
  return target;
}

LogicalResult convertReshape(Importer &im) {
  Sizes shape;
  if (im.opset() < 5) {
    std::optional<SmallVector<int64_t>> attr = im.attrInts("shape");
    for (int64_t s : attr.value_or(SmallVector<int64_t>()))
      shape.push_back(im.index(s));
  } else {
    const Sizes *known = im.contents(1);
    if (!known)
      return im.fail("the target shape must be known when compiling (a "
                     "constant or shape arithmetic on the inputs' sizes)");
    shape = *known;
  }
  bool allowZero = im.attrInt("allowzero", 0) != 0;
  if (const Sizes *data = im.contents(0)) {
    // Known contents keep their values through a rank change.
    Sizes source;
    if (im.inputRank(0) == 1)
      source.push_back(im.index(data->size()));
    FailureOr<Sizes> target = reshapeTarget(im, source, shape, allowZero);
    if (failed(target))
      return failure();
    if (target->size() <= 1) {
      im.setOutputContents(0, *data, im.inputElementType(0), target->size());
      return success();
    }
  }
  FailureOr<Value> x = im.input(0);
  if (failed(x))
    return failure();
  FailureOr<Sizes> target = reshapeTarget(im, im.sizes(*x), shape, allowZero);
  if (failed(target))
    return failure();
  im.setOutput(0, im.reshape(*x, *target));
  return success();
}

LogicalResult convertFlatten(Importer &im) {
  FailureOr<Value> x = im.input(0);
  if (failed(x))
    return failure();
  Sizes source = im.sizes(*x);
  int64_t rank = source.size();
  int64_t axis = im.attrInt("axis", 1);
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis > rank)
    return im.fail("axis " + Twine(im.attrInt("axis", 1)) +
                   " is out of range for rank " + Twine(rank));
  OpFoldResult outer = im.index(1), inner = im.index(1);
  for (int64_t i = 0; i < rank; ++i)
    (i < axis ? outer : inner) = im.mul(i < axis ? outer : inner, source[i]);
  im.setOutput(0, im.reshape(*x, {outer, inner}));
  return success();
}

LogicalResult convertSqueeze(Importer &im) {
  FailureOr<std::optional<SmallVector<int64_t>>> axes =
      axesOperand(im, "axes", 1, 13);
  if (failed(axes))
    return failure();
  int64_t rank = im.inputRank(0);
  if (const Sizes *known = im.contents(0);
      known && rank == 1 && known->size() == 1) {
    im.setOutputContents(0, *known, im.inputElementType(0), 0);
    return success();
  }
  FailureOr<Value> x = im.input(0);
  if (failed(x))
    return failure();
  Sizes source = im.sizes(*x);
  SmallVector<int64_t> positions;
  if (*axes) {
    for (int64_t axis : **axes) {
      FailureOr<int64_t> a = im.normalizeAxis(axis, rank);
      if (failed(a))
        return failure();
      std::optional<int64_t> size = getConstantIntValue(source[*a]);
      if (size && *size != 1)
        return im.fail("cannot squeeze dimension " + Twine(*a) + " of size " +
                       Twine(*size));
      positions.push_back(*a);
    }
  } else {
    // Without axes every dimension of size 1; a dynamic one is taken to
    // be larger.
    for (int64_t i = 0; i < rank; ++i)
      if (getConstantIntValue(source[i]) == 1)
        positions.push_back(i);
  }
  llvm::sort(positions);
  positions.erase(llvm::unique(positions), positions.end());
  Value result = *x;
  if (!positions.empty()) {
    // Collapse needs static unit dims: a dynamic one is cast first.
    SmallVector<int64_t> shape(
        cast<RankedTensorType>(result.getType()).getShape());
    Sizes sizes = source;
    for (int64_t p : positions) {
      shape[p] = 1;
      sizes[p] = im.index(1);
    }
    auto type = RankedTensorType::get(shape, getElementTypeOrSelf(result));
    if (type != result.getType())
      result = im.withSizes(
          tensor::CastOp::create(im.builder(), im.loc(), type, result), sizes);
    result = im.dropUnitDims(result, positions);
  }
  im.setOutput(0, result);
  return success();
}

LogicalResult convertUnsqueeze(Importer &im) {
  FailureOr<std::optional<SmallVector<int64_t>>> axes =
      axesOperand(im, "axes", 1, 13);
  if (failed(axes))
    return failure();
  if (!*axes)
    return im.fail("needs axes");
  int64_t rank = im.inputRank(0) + (*axes)->size();
  SmallVector<int64_t> positions;
  for (int64_t axis : **axes) {
    FailureOr<int64_t> a = im.normalizeAxis(axis, rank);
    if (failed(a))
      return failure();
    positions.push_back(*a);
  }
  llvm::sort(positions);
  if (llvm::unique(positions) != positions.end())
    return im.fail("axes repeat an axis");
  if (const Sizes *known = im.contents(0); known && rank <= 1) {
    im.setOutputContents(0, *known, im.inputElementType(0), rank);
    return success();
  }
  FailureOr<Value> x = im.input(0);
  if (failed(x))
    return failure();
  im.setOutput(0, im.insertUnitDims(*x, positions));
  return success();
}

LogicalResult convertTranspose(Importer &im) {
  FailureOr<Value> x = im.input(0);
  if (failed(x))
    return failure();
  Sizes source = im.sizes(*x);
  int64_t rank = source.size();
  SmallVector<int64_t> perm = im.attrInts("perm").value_or(
      llvm::to_vector(llvm::reverse(llvm::seq<int64_t>(0, rank))));
  SmallVector<int64_t> sorted(perm);
  llvm::sort(sorted);
  if (static_cast<int64_t>(perm.size()) != rank ||
      sorted != llvm::to_vector(llvm::seq<int64_t>(0, rank)))
    return im.fail("perm is not a permutation of the input's " + Twine(rank) +
                   " dimensions");
  Sizes result;
  for (int64_t p : perm)
    result.push_back(source[p]);
  if (llvm::equal(perm, llvm::seq<int64_t>(0, rank))) {
    im.setOutput(0, *x);
    return success();
  }
  Value init = im.empty(result, getElementTypeOrSelf(*x));
  Value transposed =
      linalg::TransposeOp::create(im.builder(), im.loc(), *x, init, perm)
          .getResult()[0];
  im.setOutput(0, transposed, result);
  return success();
}

LogicalResult convertConcat(Importer &im) {
  unsigned n = im.node().input_size();
  if (n == 0)
    return im.fail("needs at least one input");
  // Known contents concatenate at import (shape vectors).
  Sizes joined;
  bool allKnown = true;
  for (unsigned i = 0; i < n && allKnown; ++i) {
    const Sizes *known = im.contents(i);
    if (!known || im.inputRank(i) != 1)
      allKnown = false;
    else
      joined.append(known->begin(), known->end());
  }
  if (allKnown) {
    im.setOutputContents(0, joined, im.inputElementType(0), 1);
    return success();
  }
  SmallVector<Value> parts;
  for (unsigned i = 0; i < n; ++i) {
    FailureOr<Value> v = im.input(i);
    if (failed(v))
      return failure();
    parts.push_back(*v);
  }
  int64_t rank = im.inputRank(0);
  FailureOr<int64_t> axis = im.normalizeAxis(im.attrInt("axis", 0), rank);
  if (failed(axis))
    return failure();
  // The other dimensions: the first static size seen, else the first's.
  Sizes common = im.sizes(parts[0]);
  for (Value part : parts) {
    Sizes s = im.sizes(part);
    if (static_cast<int64_t>(s.size()) != rank)
      return im.fail("inputs have different ranks");
    for (int64_t d = 0; d < rank; ++d)
      if (d != *axis && getConstantIntValue(s[d]) &&
          !getConstantIntValue(common[d]))
        common[d] = s[d];
  }
  OpFoldResult total = im.index(0);
  SmallVector<Value> cast;
  for (Value part : parts) {
    Sizes s = im.sizes(part);
    Sizes want = common;
    want[*axis] = s[*axis];
    total = im.add(total, s[*axis]);
    auto type = Importer::typeFor(want, getElementTypeOrSelf(part));
    cast.push_back(type == part.getType()
                       ? part
                       : Value(tensor::CastOp::create(im.builder(), im.loc(),
                                                      type, part)));
  }
  Sizes result = common;
  result[*axis] = total;
  if (cast.size() == 1) {
    im.setOutput(0, cast[0], result);
    return success();
  }
  Value concat = tensor::ConcatOp::create(im.builder(), im.loc(), *axis, cast);
  Value out = concat;
  auto want = Importer::typeFor(result, getElementTypeOrSelf(concat));
  if (want != concat.getType())
    out = tensor::CastOp::create(im.builder(), im.loc(), want, concat);
  im.setOutput(0, out, result);
  return success();
}

LogicalResult convertExpand(Importer &im) {
  const Sizes *shape = im.contents(1);
  if (!shape)
    return im.fail("the shape must be known when compiling");
  FailureOr<Value> x = im.input(0);
  if (failed(x))
    return failure();
  FailureOr<Sizes> result = im.broadcastShapes(im.sizes(*x), *shape);
  if (failed(result))
    return failure();
  im.setOutput(0, im.broadcastTo(*x, *result), *result);
  return success();
}

} // namespace

void mlir::enc::onnx_import::registerShapeOps(
    llvm::StringMap<Converter> &table) {
  table["Shape"] = convertShape;
  table["Size"] = convertSize;
  table["Reshape"] = convertReshape;
  table["Flatten"] = convertFlatten;
  table["Squeeze"] = convertSqueeze;
  table["Unsqueeze"] = convertUnsqueeze;
  table["Transpose"] = convertTranspose;
  table["Concat"] = convertConcat;
  table["Expand"] = convertExpand;
}
