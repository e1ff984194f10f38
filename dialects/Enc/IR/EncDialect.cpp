//===- EncDialect.cpp - enc dialect registration
//----------------------------===//
//
// Registers the operations and attributes of the `enc` dialect.
//
//===----------------------------------------------------------------------===//

#include "Enc/IR/EncDialect.h"
#include "Enc/IR/EncOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/Transforms/InliningUtils.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::enc;

#include "Enc/IR/EncDialect.cpp.inc"
#include "Enc/IR/EncEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "Enc/IR/EncAttrs.cpp.inc"

namespace {

/// Every enc op is pure and region-free, so inlining a function that uses
/// them is always legal. The compile pipelines rely on it: parameters can
/// only be lifted out of functions nobody calls.
struct EncInlinerInterface : DialectInlinerInterface {
  using DialectInlinerInterface::DialectInlinerInterface;

  bool isLegalToInline(Operation *, Region *, bool, IRMapping &) const final {
    return true;
  }
};

} // namespace

void EncDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "Enc/IR/EncOps.cpp.inc"
      >();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "Enc/IR/EncAttrs.cpp.inc"
      >();
  addInterfaces<EncInlinerInterface>();
}
