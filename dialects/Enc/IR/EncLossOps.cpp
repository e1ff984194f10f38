//===- EncLossOps.cpp - enc loss verifiers ---===//
//
// Verifiers of the ops in EncLossOps.td.
//
//===----------------------------------------------------------------------===//

#include "EncVerifyUtils.h"

#include "Enc/IR/EncOps.h"

#include <cmath>

using namespace mlir;
using namespace mlir::enc;

//===----------------------------------------------------------------------===//
// CrossEntropyOp
//===----------------------------------------------------------------------===//

LogicalResult CrossEntropyOp::verify() {
  RankedTensorType logits = verify::tensorType(getLogits());
  if (logits.getRank() < 1)
    return emitOpError("logits must have rank >= 1 ([..., classes]), got ")
           << logits;
  if (failed(verify::sameElementType(*this, getLogits(),
                                     {{getResult(), "result"}})))
    return failure();
  ArrayRef<int64_t> positions = logits.getShape().drop_back();
  if (failed(verify::shape(*this, "labels", verify::tensorType(getLabels()),
                           positions)))
    return failure();
  if (getReduction() == Reduction::none)
    return verify::shape(*this, "result with reduction none",
                         verify::tensorType(getResult()), positions);
  return verify::shape(*this, "reduced result", verify::tensorType(getResult()),
                       {});
}

/// A square [n, n] similarity matrix and a 0-d result.
static LogicalResult verifyPairLoss(Operation *op, Value logits, Value result) {
  RankedTensorType type = verify::tensorType(logits);
  if (failed(verify::rank(op, "logits", type, 2, "[n, n]")) ||
      failed(verify::sameElementType(op, logits, {{result, "result"}})))
    return failure();
  if (!verify::dimsMatch(type.getDimSize(0), type.getDimSize(1)))
    return op->emitOpError("logits must be square (pairs on the diagonal), "
                           "got ")
           << type;
  return verify::shape(op, "result", verify::tensorType(result), {});
}

//===----------------------------------------------------------------------===//
// ContrastiveOp, SigmoidContrastiveOp
//===----------------------------------------------------------------------===//

LogicalResult ContrastiveOp::verify() {
  return verifyPairLoss(*this, getLogits(), getResult());
}

LogicalResult SigmoidContrastiveOp::verify() {
  return verifyPairLoss(*this, getLogits(), getResult());
}

//===----------------------------------------------------------------------===//
// MseOp
//===----------------------------------------------------------------------===//

LogicalResult MseOp::verify() {
  RankedTensorType prediction = verify::tensorType(getPrediction());
  if (failed(verify::sameElementType(*this, getPrediction(),
                                     {{getTarget(), "target"},
                                      {getMask(), "mask"},
                                      {getResult(), "result"}})) ||
      failed(verify::shape(*this, "target", verify::tensorType(getTarget()),
                           prediction.getShape())))
    return failure();
  if (getMask()) {
    if (prediction.getRank() < 1)
      return emitOpError("a mask needs a prediction of rank >= 1");
    if (failed(verify::shape(*this, "mask", verify::tensorType(getMask()),
                             prediction.getShape().drop_back())))
      return failure();
  }
  return verify::shape(*this, "result", verify::tensorType(getResult()), {});
}

//===----------------------------------------------------------------------===//
// KlDivergenceOp, ReparameterizeOp
//===----------------------------------------------------------------------===//

LogicalResult KlDivergenceOp::verify() {
  RankedTensorType mu = verify::tensorType(getMu());
  if (mu.getRank() < 1)
    return emitOpError("mu must have rank >= 1 ([batch, ...]), got ") << mu;
  if (failed(verify::sameElementType(
          *this, getMu(),
          {{getLogvar(), "logvar"}, {getResult(), "result"}})) ||
      failed(verify::shape(*this, "logvar", verify::tensorType(getLogvar()),
                           mu.getShape())))
    return failure();
  if (getReduction() == Reduction::none)
    return verify::shape(*this, "result with reduction none",
                         verify::tensorType(getResult()), {mu.getDimSize(0)});
  return verify::shape(*this, "reduced result", verify::tensorType(getResult()),
                       {});
}

LogicalResult ReparameterizeOp::verify() {
  RankedTensorType mu = verify::tensorType(getMu());
  if (failed(verify::sameElementType(
          *this, getMu(), {{getLogvar(), "logvar"}, {getNoise(), "noise"}})) ||
      failed(verify::shape(*this, "logvar", verify::tensorType(getLogvar()),
                           mu.getShape())))
    return failure();
  if (getNoise())
    return verify::shape(*this, "noise", verify::tensorType(getNoise()),
                         mu.getShape());
  return success();
}

//===----------------------------------------------------------------------===//
// BinaryCrossEntropyOp
//===----------------------------------------------------------------------===//

LogicalResult BinaryCrossEntropyOp::verify() {
  RankedTensorType logits = verify::tensorType(getLogits());
  if (failed(verify::sameElementType(*this, getLogits(),
                                     {{getResult(), "result"}})) ||
      failed(verify::shape(*this, "targets", verify::tensorType(getTargets()),
                           logits.getShape())))
    return failure();
  if (getMask() &&
      failed(verify::shape(*this, "mask", verify::tensorType(getMask()),
                           logits.getShape())))
    return failure();
  if (getReduction() == Reduction::none)
    return verify::shape(*this, "result with reduction none",
                         verify::tensorType(getResult()), logits.getShape());
  return verify::shape(*this, "reduced result", verify::tensorType(getResult()),
                       {});
}

//===----------------------------------------------------------------------===//
// TripletOp
//===----------------------------------------------------------------------===//

LogicalResult TripletOp::verify() {
  RankedTensorType anchor = verify::tensorType(getAnchor());
  if (failed(verify::rank(*this, "anchor", anchor, 2, "[n, dim]")) ||
      failed(verify::sameElementType(*this, getAnchor(),
                                     {{getPositive(), "positive"},
                                      {getNegative(), "negative"},
                                      {getResult(), "result"}})) ||
      failed(verify::shape(*this, "positive", verify::tensorType(getPositive()),
                           anchor.getShape())) ||
      failed(verify::shape(*this, "negative", verify::tensorType(getNegative()),
                           anchor.getShape())))
    return failure();
  double margin = getMargin().convertToDouble();
  if (!std::isfinite(margin))
    return emitOpError("margin must be finite");
  return verify::shape(*this, "result", verify::tensorType(getResult()), {});
}

//===----------------------------------------------------------------------===//
// DinoLossOp
//===----------------------------------------------------------------------===//

LogicalResult DinoLossOp::verify() {
  RankedTensorType student = verify::tensorType(getStudent());
  if (failed(
          verify::rank(*this, "student", student, 2, "[batch, prototypes]")) ||
      failed(verify::sameElementType(*this, getStudent(),
                                     {{getTeacher(), "teacher"},
                                      {getCenter(), "center"},
                                      {getLoss(), "loss"},
                                      {getNewCenter(), "new_center"}})) ||
      failed(verify::shape(*this, "teacher", verify::tensorType(getTeacher()),
                           student.getShape())) ||
      failed(verify::shape(*this, "center", verify::tensorType(getCenter()),
                           {student.getDimSize(1)})) ||
      failed(verify::shape(*this, "loss", verify::tensorType(getLoss()), {})) ||
      failed(verify::shape(*this, "new_center",
                           verify::tensorType(getNewCenter()),
                           {student.getDimSize(1)})))
    return failure();
  for (auto [value, name] :
       {std::pair(getStudentTemperature(), "student_temperature"),
        std::pair(getTeacherTemperature(), "teacher_temperature")})
    if (!(value.convertToDouble() > 0.0) ||
        !std::isfinite(value.convertToDouble()))
      return emitOpError() << name << " must be positive and finite";
  double momentum = getCenterMomentum().convertToDouble();
  if (!(momentum >= 0.0 && momentum <= 1.0))
    return emitOpError("center_momentum must be in [0, 1], got ") << momentum;
  return success();
}

//===----------------------------------------------------------------------===//
// NtXentOp, QueueInfoNceOp
//===----------------------------------------------------------------------===//

namespace {

LogicalResult verifyTemperature(Operation *op, const APFloat &temperature) {
  double value = temperature.convertToDouble();
  if (!std::isfinite(value) || value <= 0.0)
    return op->emitOpError("temperature must be finite and positive, got ")
           << value;
  return success();
}

} // namespace

LogicalResult NtXentOp::verify() {
  RankedTensorType embeddings = verify::tensorType(getEmbeddings());
  if (failed(verify::rank(*this, "embeddings", embeddings, 2,
                          "[2 · n, dim]: two views of n samples")) ||
      failed(verify::sameElementType(*this, getEmbeddings(),
                                     {{getResult(), "result"}})) ||
      failed(verify::divisible(*this, "embeddings' rows",
                               embeddings.getDimSize(0), 2, "the two views")) ||
      failed(verifyTemperature(*this, getTemperature())))
    return failure();
  return verify::shape(*this, "result", verify::tensorType(getResult()), {});
}

LogicalResult QueueInfoNceOp::verify() {
  RankedTensorType query = verify::tensorType(getQuery());
  RankedTensorType queue = verify::tensorType(getQueue());
  if (failed(verify::rank(*this, "query", query, 2, "[n, dim]")) ||
      failed(verify::rank(*this, "queue", queue, 2,
                          "[dim, k]: one negative key per column")) ||
      failed(verify::sameElementType(*this, getQuery(),
                                     {{getKey(), "key"},
                                      {getQueue(), "queue"},
                                      {getResult(), "result"}})) ||
      failed(verify::shape(*this, "key", verify::tensorType(getKey()),
                           query.getShape())) ||
      failed(verify::shape(*this, "queue", queue,
                           {query.getDimSize(1), queue.getDimSize(1)})) ||
      failed(verifyTemperature(*this, getTemperature())))
    return failure();
  return verify::shape(*this, "result", verify::tensorType(getResult()), {});
}

//===----------------------------------------------------------------------===//
// Autoencoders: MaskNoiseOp, GaussianNoiseOp, L1PenaltyOp, KlSparsityOp,
// ContractivePenaltyOp
//===----------------------------------------------------------------------===//

LogicalResult MaskNoiseOp::verify() {
  double rate = getRate().convertToDouble();
  if (!(rate >= 0.0 && rate <= 1.0))
    return emitOpError("rate must be in [0, 1], got ") << rate;
  if (getNoise())
    return verify::shape(*this, "noise", verify::tensorType(getNoise()),
                         verify::tensorType(getInput()).getShape());
  return success();
}

LogicalResult GaussianNoiseOp::verify() {
  double std = getStd().convertToDouble();
  if (!std::isfinite(std) || std < 0.0)
    return emitOpError("std must be finite and non-negative, got ") << std;
  if (getNoise())
    return verify::shape(*this, "noise", verify::tensorType(getNoise()),
                         verify::tensorType(getInput()).getShape());
  return success();
}

LogicalResult L1PenaltyOp::verify() {
  if (verify::tensorType(getHidden()).getRank() < 1)
    return emitOpError("hidden must have a batch dimension, got a 0-d tensor");
  if (failed(verify::sameElementType(*this, getHidden(),
                                     {{getResult(), "result"}})))
    return failure();
  return verify::shape(*this, "result", verify::tensorType(getResult()), {});
}

LogicalResult KlSparsityOp::verify() {
  if (failed(verify::rank(*this, "hidden", verify::tensorType(getHidden()), 2,
                          "[batch, units]")) ||
      failed(verify::sameElementType(*this, getHidden(),
                                     {{getResult(), "result"}})))
    return failure();
  double target = getTarget().convertToDouble();
  if (!(target > 0.0 && target < 1.0))
    return emitOpError("target must be in (0, 1), got ") << target;
  return verify::shape(*this, "result", verify::tensorType(getResult()), {});
}

LogicalResult ContractivePenaltyOp::verify() {
  RankedTensorType hidden = verify::tensorType(getHidden());
  RankedTensorType weight = verify::tensorType(getWeight());
  if (failed(verify::rank(*this, "hidden", hidden, 2, "[batch, units]")) ||
      failed(verify::rank(*this, "weight", weight, 2, "[units, in]")) ||
      failed(verify::sameElementType(
          *this, getHidden(),
          {{getWeight(), "weight"}, {getResult(), "result"}})) ||
      failed(verify::shape(*this, "weight", weight,
                           {hidden.getDimSize(1), weight.getDimSize(1)})))
    return failure();
  ActivationKind kind = getActivation();
  if (kind != ActivationKind::sigmoid && kind != ActivationKind::tanh &&
      kind != ActivationKind::relu)
    return emitOpError("has a closed form for sigmoid, tanh and relu, not ")
           << stringifyActivationKind(kind);
  return verify::shape(*this, "result", verify::tensorType(getResult()), {});
}
