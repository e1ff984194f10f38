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
// LinearOp
//===----------------------------------------------------------------------===//

LogicalResult LinearOp::verify() {
  RankedTensorType input = verify::tensorType(getInput());
  RankedTensorType weight = verify::tensorType(getWeight());
  if (input.getRank() < 1)
    return emitOpError("input must have rank >= 1, got ") << input;
  if (weight.getRank() != 2)
    return emitOpError("weight must have rank 2 ([out, in]), got ") << weight;
  if (failed(verify::sameElementType(*this, getInput(),
                                   {{getWeight(), "weight"},
                                    {getBias(), "bias"},
                                    {getResult(), "result"}})))
    return failure();

  int64_t in = input.getShape().back();
  int64_t out = weight.getDimSize(0);
  if (!verify::dimsMatch(weight.getDimSize(1), in))
    return emitOpError("weight must be [out, in] with in = ")
           << verify::dimStr(in) << " (the last dimension of input), got " << weight;
  if (getBias() &&
      failed(verify::shape(*this, "bias", verify::tensorType(getBias()), {out})))
    return failure();

  SmallVector<int64_t> expected(input.getShape());
  expected.back() = out;
  return verify::shape(*this, "result", verify::tensorType(getResult()), expected);
}

//===----------------------------------------------------------------------===//
// LayerNormOp
//===----------------------------------------------------------------------===//

LogicalResult LayerNormOp::verify() {
  RankedTensorType input = verify::tensorType(getInput());
  if (input.getRank() < 1)
    return emitOpError("input must have rank >= 1, got ") << input;
  if (failed(verify::sameElementType(
          *this, getInput(), {{getScale(), "scale"}, {getBias(), "bias"}})))
    return failure();
  int64_t dim = input.getShape().back();
  if (getScale() &&
      failed(verify::shape(*this, "scale", verify::tensorType(getScale()), {dim})))
    return failure();
  if (getBias() &&
      failed(verify::shape(*this, "bias", verify::tensorType(getBias()), {dim})))
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
  if (getScale() && failed(verify::shape(*this, "scale",
                                         verify::tensorType(getScale()),
                                         {channels})))
    return failure();
  if (getBias() && failed(verify::shape(*this, "bias",
                                        verify::tensorType(getBias()),
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
  if (failed(verify::divisible(*this, "input channels", in, groups,
                               "groups")) ||
      failed(verify::divisible(*this, "output channels", out, groups,
                               "groups")))
    return failure();
  int64_t perGroup = ShapedType::isDynamic(in) ? in : in / groups;
  if (!verify::dimsMatch(weight.getDimSize(1), perGroup))
    return emitOpError("weight must be [out, in / groups, kernel] with "
                       "in / groups = ")
           << verify::dimStr(perGroup) << ", got " << weight;
  if (getBias() && failed(verify::shape(*this, "bias",
                                        verify::tensorType(getBias()),
                                        {out})))
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
    return emitOpError("dim ") << dim << " is out of range for v of rank "
                               << v.getRank();
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

