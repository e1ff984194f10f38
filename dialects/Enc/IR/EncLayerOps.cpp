//===- EncLayerOps.cpp - enc parameter and layer verifiers ---===//
//
// Verifiers of the ops in EncLayerOps.td.
//
//===----------------------------------------------------------------------===//

#include "EncVerifyUtils.h"

#include "Enc/IR/EncOps.h"

#include <cmath>

using namespace mlir;
using namespace mlir::enc;

//===----------------------------------------------------------------------===//
// ParamOp
//===----------------------------------------------------------------------===//

LogicalResult ParamOp::verify() {
  if (getName().empty())
    return emitOpError("needs a non-empty parameter name");
  return success();
}

//===----------------------------------------------------------------------===//
// PackedParamOp
//===----------------------------------------------------------------------===//

std::string PackedParamOp::getArgumentName() {
  std::string name;
  for (auto [i, source] : llvm::enumerate(getSources()))
    name += (i ? "+" : "") + cast<StringAttr>(source).getValue().str();
  if (std::optional<uint64_t> panel = getPanel())
    name += "#panel" + std::to_string(*panel);
  return name;
}

LogicalResult PackedParamOp::verify() {
  ArrayAttr sources = getSources(), shapes = getSourceShapes();
  if (sources.empty())
    return emitOpError("needs at least one source");
  if (sources.size() != shapes.size())
    return emitOpError("has ") << sources.size() << " sources but "
                               << shapes.size() << " source shapes";
  for (Attribute source : sources)
    if (cast<StringAttr>(source).getValue().empty())
      return emitOpError("has a source with an empty name");
  ArrayRef<int64_t> first = cast<DenseI64ArrayAttr>(shapes[0]).asArrayRef();
  int64_t rank = first.size();
  int64_t dim = getConcatDim();
  if (dim >= rank)
    return emitOpError("concat_dim ")
           << dim << " is out of range for rank " << rank;
  SmallVector<int64_t> concat(first);
  for (Attribute shapeAttr : shapes.getValue().drop_front()) {
    ArrayRef<int64_t> shape = cast<DenseI64ArrayAttr>(shapeAttr).asArrayRef();
    bool ok = static_cast<int64_t>(shape.size()) == rank;
    for (int64_t i = 0; ok && i < rank; ++i)
      ok = i == dim || shape[i] == first[i];
    if (!ok)
      return emitOpError("sources must agree in every dimension but "
                         "concat_dim ")
             << dim;
    concat[dim] += shape[dim];
  }
  if (llvm::any_of(concat, [](int64_t d) { return d < 0; }))
    return emitOpError("source shapes must be static");
  SmallVector<int64_t> expected(concat);
  if (std::optional<uint64_t> panel = getPanel()) {
    int64_t p = *panel;
    // Higher ranks are matrices [d0, d1 * d2 * ...] (a convolution weight
    // [out, c, kh, kw] is the weight of its im2col matmul).
    if (rank < 2 || (rank > 2 && dim != 0))
      return emitOpError("panels need sources of rank 2, or higher ranks "
                         "concatenated along dimension 0; got rank ")
             << rank << " along " << dim;
    if (p <= 0 || concat[0] % p != 0)
      return emitOpError("panel ")
             << p << " must divide the " << concat[0] << " rows";
    int64_t columns = 1;
    for (int64_t d : ArrayRef(concat).drop_front())
      columns *= d;
    expected = {concat[0] / p, columns, p};
  }
  return verify::shape(*this, "result", verify::tensorType(getResult()),
                       expected);
}

//===----------------------------------------------------------------------===//
// LinearOp
//===----------------------------------------------------------------------===//

int64_t LinearOp::getOutFeatures() {
  RankedTensorType weight = verify::tensorType(getWeight());
  if (weight.getRank() == 2)
    return weight.getDimSize(0);
  if (weight.isDynamicDim(0) || weight.isDynamicDim(2))
    return ShapedType::kDynamic;
  return weight.getDimSize(0) * weight.getDimSize(2);
}

LogicalResult LinearOp::verify() {
  RankedTensorType input = verify::tensorType(getInput());
  RankedTensorType weight = verify::tensorType(getWeight());
  if (input.getRank() < 1)
    return emitOpError("input must have rank >= 1, got ") << input;
  if (weight.getRank() != 2 && weight.getRank() != 3)
    return emitOpError("weight must have rank 2 ([out, in]) or 3 (packed, "
                       "[out / p, in, p]), got ")
           << weight;
  if (failed(verify::sameElementType(*this, getInput(),
                                     {{getWeight(), "weight"},
                                      {getBias(), "bias"},
                                      {getResidual(), "residual"},
                                      {getResult(), "result"}})))
    return failure();

  int64_t in = input.getShape().back();
  int64_t out = getOutFeatures();
  if (!verify::dimsMatch(weight.getDimSize(1), in))
    return emitOpError("weight must be ")
           << (weight.getRank() == 2 ? "[out, in]" : "[out / p, in, p]")
           << " with in = " << verify::dimStr(in)
           << " (the last dimension of input), got " << weight;
  if (getBias() && failed(verify::shape(*this, "bias",
                                        verify::tensorType(getBias()), {out})))
    return failure();

  SmallVector<int64_t> expected(input.getShape());
  expected.back() = out;
  if (getResidual() &&
      failed(verify::shape(*this, "residual", verify::tensorType(getResidual()),
                           expected)))
    return failure();
  return verify::shape(*this, "result", verify::tensorType(getResult()),
                       expected);
}

//===----------------------------------------------------------------------===//
// LayerNormOp
//===----------------------------------------------------------------------===//

LogicalResult LayerNormOp::verify() {
  RankedTensorType input = verify::tensorType(getInput());
  if (input.getRank() < 1)
    return emitOpError("input must have rank >= 1, got ") << input;
  if (failed(verify::sameElementType(*this, getInput(),
                                     {{getResidual(), "residual"},
                                      {getScale(), "scale"},
                                      {getBias(), "bias"}})))
    return failure();
  if (getResidual() &&
      failed(verify::shape(*this, "residual", verify::tensorType(getResidual()),
                           input.getShape())))
    return failure();
  int64_t dim = input.getShape().back();
  if (getScale() && failed(verify::shape(
                        *this, "scale", verify::tensorType(getScale()), {dim})))
    return failure();
  if (getBias() && failed(verify::shape(*this, "bias",
                                        verify::tensorType(getBias()), {dim})))
    return failure();
  double epsilon = getEpsilon().convertToDouble();
  if (!(epsilon >= 0.0) || !std::isfinite(epsilon))
    return emitOpError("epsilon must be finite and non-negative, got ")
           << epsilon;
  return success();
}

//===----------------------------------------------------------------------===//
// RMSNormOp
//===----------------------------------------------------------------------===//

LogicalResult RMSNormOp::verify() {
  RankedTensorType input = verify::tensorType(getInput());
  if (input.getRank() < 1)
    return emitOpError("input must have rank >= 1, got ") << input;
  if (failed(
          verify::sameElementType(*this, getInput(), {{getScale(), "scale"}})))
    return failure();
  if (getScale() &&
      failed(verify::shape(*this, "scale", verify::tensorType(getScale()),
                           {input.getShape().back()})))
    return failure();
  double epsilon = getEpsilon().convertToDouble();
  if (!(epsilon >= 0.0) || !std::isfinite(epsilon))
    return emitOpError("epsilon must be finite and non-negative, got ")
           << epsilon;
  return success();
}

//===----------------------------------------------------------------------===//
// GroupNormOp
//===----------------------------------------------------------------------===//

LogicalResult GroupNormOp::verify() {
  RankedTensorType input = verify::tensorType(getInput());
  if (input.getRank() < 2)
    return emitOpError("input must have rank >= 2 ([batch, channels, ...]), "
                       "got ")
           << input;
  if (failed(verify::sameElementType(
          *this, getInput(), {{getScale(), "scale"}, {getBias(), "bias"}})))
    return failure();
  int64_t channels = input.getDimSize(1);
  if (failed(verify::divisible(*this, "channels", channels, getNumGroups(),
                               "num_groups")))
    return failure();
  if (getScale() &&
      failed(verify::shape(*this, "scale", verify::tensorType(getScale()),
                           {channels})))
    return failure();
  if (getBias() &&
      failed(verify::shape(*this, "bias", verify::tensorType(getBias()),
                           {channels})))
    return failure();
  double epsilon = getEpsilon().convertToDouble();
  if (!(epsilon >= 0.0) || !std::isfinite(epsilon))
    return emitOpError("epsilon must be finite and non-negative, got ")
           << epsilon;
  return success();
}

//===----------------------------------------------------------------------===//
// Conv1dOp
//===----------------------------------------------------------------------===//

LogicalResult Conv1dOp::verify() {
  RankedTensorType input = verify::tensorType(getInput());
  RankedTensorType weight = verify::tensorType(getWeight());
  if (failed(verify::rank(*this, "input", input, 3, "[batch, in, time]")) ||
      failed(verify::rank(*this, "weight", weight, 3,
                          "[out, in / groups, kernel]")) ||
      failed(verify::sameElementType(*this, getInput(),
                                     {{getWeight(), "weight"},
                                      {getBias(), "bias"},
                                      {getResult(), "result"}})))
    return failure();
  int64_t groups = getGroups();
  int64_t in = input.getDimSize(1), out = weight.getDimSize(0);
  if (failed(
          verify::divisible(*this, "input channels", in, groups, "groups")) ||
      failed(
          verify::divisible(*this, "output channels", out, groups, "groups")))
    return failure();
  int64_t perGroup = ShapedType::isDynamic(in) ? in : in / groups;
  if (!verify::dimsMatch(weight.getDimSize(1), perGroup))
    return emitOpError("weight must be [out, in / groups, kernel] with "
                       "in / groups = ")
           << verify::dimStr(perGroup) << ", got " << weight;
  if (getBias() && failed(verify::shape(*this, "bias",
                                        verify::tensorType(getBias()), {out})))
    return failure();

  int64_t time = input.getDimSize(2), kernel = weight.getDimSize(2);
  int64_t outTime = ShapedType::kDynamic;
  if (!ShapedType::isDynamic(time) && !ShapedType::isDynamic(kernel)) {
    int64_t padded = time + 2 * getPadding();
    if (padded < kernel)
      return emitOpError("input of ")
             << time << " steps (padded: " << padded
             << ") is shorter than the kernel (" << kernel << ")";
    outTime = (padded - kernel) / getStride() + 1;
  }
  return verify::shape(*this, "result", verify::tensorType(getResult()),
                       {input.getDimSize(0), out, outTime});
}

//===----------------------------------------------------------------------===//
// WeightNormOp
//===----------------------------------------------------------------------===//

LogicalResult WeightNormOp::verify() {
  RankedTensorType g = verify::tensorType(getG());
  RankedTensorType v = verify::tensorType(getV());
  int64_t dim = getDim();
  if (dim >= v.getRank())
    return emitOpError("dim ")
           << dim << " is out of range for v of rank " << v.getRank();
  if (failed(verify::sameElementType(*this, getV(),
                                     {{getG(), "g"}, {getResult(), "result"}})))
    return failure();
  SmallVector<int64_t> gShape(v.getRank(), 1);
  gShape[dim] = v.getDimSize(dim);
  if (failed(verify::shape(*this, "g", g, gShape)))
    return failure();
  return verify::shape(*this, "result", verify::tensorType(getResult()),
                       v.getShape());
}
