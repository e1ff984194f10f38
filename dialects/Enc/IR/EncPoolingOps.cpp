//===- EncPoolingOps.cpp - enc pooling verifiers ---===//
//
// Verifiers of the ops in EncPoolingOps.td.
//
//===----------------------------------------------------------------------===//

#include "EncVerifyUtils.h"

#include "Enc/IR/EncOps.h"

#include <cmath>

using namespace mlir;
using namespace mlir::enc;

//===----------------------------------------------------------------------===//
// PoolOp
//===----------------------------------------------------------------------===//

LogicalResult PoolOp::verify() {
  RankedTensorType input = verify::tensorType(getInput());
  if (input.getRank() != 3)
    return emitOpError("input must have rank 3 ([batch, seq, dim]), got ")
           << input;
  if (failed(verify::sameElementType(*this, getInput(),
                                     {{getResult(), "result"}})))
    return failure();
  if (Value mask = getMask()) {
    if (getKind() == PoolKind::cls)
      return emitOpError("cls pooling takes no mask");
    if (failed(verify::shape(*this, "mask", verify::tensorType(mask),
                             {input.getDimSize(0), input.getDimSize(1)})))
      return failure();
  }
  return verify::shape(*this, "result", verify::tensorType(getResult()),
                       {input.getDimSize(0), input.getDimSize(2)});
}

//===----------------------------------------------------------------------===//
// L2NormalizeOp
//===----------------------------------------------------------------------===//

LogicalResult L2NormalizeOp::verify() {
  if (verify::tensorType(getInput()).getRank() < 1)
    return emitOpError("input must have rank >= 1");
  double epsilon = getEpsilon().convertToDouble();
  if (!(epsilon >= 0.0) || !std::isfinite(epsilon))
    return emitOpError("epsilon must be finite and non-negative, got ")
           << epsilon;
  return success();
}

//===----------------------------------------------------------------------===//
// SimilarityOp
//===----------------------------------------------------------------------===//

LogicalResult SimilarityOp::verify() {
  RankedTensorType lhs = verify::tensorType(getLhs());
  RankedTensorType rhs = verify::tensorType(getRhs());
  if (failed(verify::rank(*this, "lhs", lhs, 2, "[n, dim]")) ||
      failed(verify::rank(*this, "rhs", rhs, 2, "[m, dim]")) ||
      failed(verify::sameElementType(*this, getLhs(),
                                     {{getRhs(), "rhs"},
                                      {getScale(), "scale"},
                                      {getBias(), "bias"},
                                      {getResult(), "result"}})))
    return failure();
  if (!verify::dimsMatch(lhs.getDimSize(1), rhs.getDimSize(1)))
    return emitOpError("lhs and rhs embed in ")
           << verify::dimStr(lhs.getDimSize(1)) << " and "
           << verify::dimStr(rhs.getDimSize(1)) << " dimensions";
  if (getScale() && failed(verify::scalarLike(*this, "scale",
                                              verify::tensorType(getScale()))))
    return failure();
  if (getBias() &&
      failed(verify::scalarLike(*this, "bias", verify::tensorType(getBias()))))
    return failure();
  if (getExpScale() && !getScale())
    return emitOpError("exp_scale needs a scale operand");
  return verify::shape(*this, "result", verify::tensorType(getResult()),
                       {lhs.getDimSize(0), rhs.getDimSize(0)});
}

//===----------------------------------------------------------------------===//
// MaxPool2dOp, AvgPool2dOp, AdaptiveAvgPool2dOp
//===----------------------------------------------------------------------===//

namespace {

/// Checks an NCHW image `input` with static height and width.
LogicalResult verifyImage(Operation *op, RankedTensorType input) {
  if (failed(verify::rank(op, "input", input, 4,
                          "[batch, channels, height, width]")))
    return failure();
  if (ShapedType::isDynamic(input.getDimSize(2)) ||
      ShapedType::isDynamic(input.getDimSize(3)))
    return op->emitOpError("needs a static height and width (the window "
                           "geometry is fixed at compile time), got ")
           << input;
  return success();
}

/// The window attributes and the result shape of max_pool2d / avg_pool2d.
template <typename PoolOp>
LogicalResult verifyWindowPool(PoolOp op, ArrayRef<int64_t> dilation) {
  RankedTensorType input = verify::tensorType(op.getInput());
  if (failed(verifyImage(op, input)) ||
      failed(verify::sameElementType(op, op.getInput(),
                                     {{op.getResult(), "result"}})))
    return failure();
  ArrayRef<int64_t> kernel = op.getKernelSize();
  SmallVector<int64_t> stride = op.getEffectiveStride();
  ArrayRef<int64_t> padding = op.getPadding();
  for (auto [name, values] :
       {std::pair<StringRef, ArrayRef<int64_t>>{"kernel_size", kernel},
        {"stride", stride},
        {"padding", padding},
        {"dilation", dilation}}) {
    if (values.size() != 2)
      return op.emitOpError()
             << name << " must have 2 values (height, width), got "
             << values.size();
    for (int64_t v : values)
      if (v < (name == "padding" ? 0 : 1))
        return op.emitOpError()
               << name << " must be "
               << (name == "padding" ? "non-negative" : "positive") << ", got ["
               << values[0] << ", " << values[1] << "]";
  }
  SmallVector<int64_t> expected = {input.getDimSize(0), input.getDimSize(1)};
  for (int axis = 0; axis < 2; ++axis) {
    if (2 * padding[axis] > kernel[axis])
      return op.emitOpError("padding must be at most half the kernel size, "
                            "got ")
             << padding[axis] << " for a kernel of " << kernel[axis];
    int64_t out = PoolOp::pooledSize(input.getDimSize(2 + axis), kernel[axis],
                                     stride[axis], padding[axis],
                                     dilation[axis], op.getCeilMode());
    if (out < 1)
      return op.emitOpError("the window (")
             << kernel[0] << " x " << kernel[1]
             << ", dilated) does not fit the padded input " << input;
    expected.push_back(out);
  }
  return verify::shape(op, "result", verify::tensorType(op.getResult()),
                       expected);
}

} // namespace

LogicalResult MaxPool2dOp::verify() {
  return verifyWindowPool(*this, getDilation());
}

LogicalResult AvgPool2dOp::verify() {
  int64_t one[] = {1, 1};
  return verifyWindowPool(*this, one);
}

/// An NCHW image resized to the result's static [oh, ow] (adaptive pooling,
/// upsampling): batch and channels kept.
static LogicalResult verifyResized(Operation *op, Value inputValue,
                                   Value resultValue) {
  RankedTensorType input = verify::tensorType(inputValue);
  RankedTensorType result = verify::tensorType(resultValue);
  if (failed(verifyImage(op, input)) ||
      failed(
          verify::sameElementType(op, inputValue, {{resultValue, "result"}})) ||
      failed(
          verify::rank(op, "result", result, 4, "[batch, channels, oh, ow]")))
    return failure();
  if (result.isDynamicDim(2) || result.isDynamicDim(3) ||
      result.getDimSize(2) < 1 || result.getDimSize(3) < 1)
    return op->emitOpError("needs a static, positive output size, got ")
           << result;
  return verify::shape(op, "result", result,
                       {input.getDimSize(0), input.getDimSize(1),
                        result.getDimSize(2), result.getDimSize(3)});
}

LogicalResult AdaptiveAvgPool2dOp::verify() {
  return verifyResized(*this, getInput(), getResult());
}

LogicalResult Upsample2dOp::verify() {
  if (getAlignCorners() && getMode() == UpsampleMode::nearest)
    return emitOpError("align_corners applies to bilinear only");
  return verifyResized(*this, getInput(), getResult());
}
