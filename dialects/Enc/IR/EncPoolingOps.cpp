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
