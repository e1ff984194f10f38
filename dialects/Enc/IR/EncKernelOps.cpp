//===- EncKernelOps.cpp - verifiers of the kernel annotations
//---------------===//

#include "Enc/IR/EncOps.h"

using namespace mlir;
using namespace mlir::enc;

LogicalResult KernelInfoOp::verify() {
  // A loop of one iteration folds away and leaves its description outside
  // any loop; that is valid (enc-outline-kernels drops it), so only the
  // operands are checked, against the loop when there is one.
  Operation *parent = (*this)->getParentOp();
  // By name: the dialect does not depend on scf for one check.
  if (!parent || parent->getName().getStringRef() != "scf.forall")
    return success();
  for (Value operand : getOperands())
    if (parent->isAncestor(operand.getParentRegion()->getParentOp()))
      return emitOpError("flops and bytes must be defined outside the loop");
  return success();
}
