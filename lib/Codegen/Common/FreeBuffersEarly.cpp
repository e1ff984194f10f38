//===- FreeBuffersEarly.cpp - the enc-free-buffers-early pass
//--------------===//
//
// Moves the deallocations the ownership-based deallocation put at the end
// of a function body to just after each buffer's last use in that block
// (see the pass description in Passes.td). Aliases are over-approximated:
// every memref result of an op that takes the buffer or an alias is an
// alias too, so a use through any of them keeps the buffer alive; a buffer
// whose alias reaches a return is left alone.
//
//===----------------------------------------------------------------------===//

#include "encoder/Codegen/Common/BufferAllocation.h"

#include "Enc/IR/EncAttributeNames.h"
#include "encoder/Codegen/Common/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "llvm/ADT/SetVector.h"

namespace mlir::enc {
#define GEN_PASS_DEF_ENCFREEBUFFERSEARLY
#include "encoder/Codegen/Common/Passes.h.inc"
} // namespace mlir::enc

using namespace mlir;
using namespace mlir::enc;

namespace {

/// Positions of a block's ops before any dealloc moved. Moving deallocs
/// keeps the other ops' order, so their positions stay comparable; asking
/// the block instead (isBeforeInBlock) would renumber it after every move,
/// quadratic in the ops (22 s for a 200-layer model).
using Positions = DenseMap<Operation *, unsigned>;

/// The last op of `block` that uses `root` or a value that may alias it,
/// or null when nothing uses it; failure when an alias escapes (a return),
/// is used outside `block` or by another dealloc (whose position moves).
/// `except` (the dealloc) is not a use.
FailureOr<Operation *> lastUse(Value root, Block &block, Operation *except,
                               const Positions &position) {
  SmallVector<Value> worklist = {root};
  llvm::SmallPtrSet<Value, 16> aliases = {root};
  Operation *last = nullptr;
  while (!worklist.empty()) {
    Value value = worklist.pop_back_val();
    for (OpOperand &use : value.getUses()) {
      Operation *user = use.getOwner();
      if (user == except)
        continue;
      if (isa<func::ReturnOp, memref::DeallocOp>(user))
        return failure();
      auto addAlias = [&](Value result) {
        if (isa<BaseMemRefType>(result.getType()) &&
            aliases.insert(result).second)
          worklist.push_back(result);
      };
      for (Value result : user->getResults())
        addAlias(result);
      // A terminator passing it on makes the parent's results aliases.
      if (user->hasTrait<OpTrait::IsTerminator>())
        if (Operation *parent = user->getParentOp())
          for (Value result : parent->getResults())
            addAlias(result);
      Operation *inBlock = block.findAncestorOpInBlock(*user);
      if (!inBlock)
        return failure(); // used outside this block: keep it simple
      if (!last || position.lookup(last) < position.lookup(inBlock))
        last = inBlock;
    }
  }
  return last;
}

struct EncFreeBuffersEarlyPass
    : enc::impl::EncFreeBuffersEarlyBase<EncFreeBuffersEarlyPass> {
  void runOnOperation() override {
    func::FuncOp function = getOperation();
    if (function.isExternal())
      return;
    Block &body = function.getBody().front();
    SmallVector<memref::DeallocOp> deallocs(body.getOps<memref::DeallocOp>());
    Positions position;
    unsigned next = 0;
    for (Operation &op : body)
      position[&op] = next++;
    for (memref::DeallocOp dealloc : deallocs) {
      Value root = allocationOf(dealloc.getMemref());
      if (!root.getDefiningOp<memref::AllocOp>() ||
          root.getDefiningOp()->getBlock() != &body)
        continue;
      FailureOr<Operation *> last = lastUse(root, body, dealloc, position);
      if (failed(last))
        continue;
      // Right after the last use, or the allocation when nothing uses it
      // (the op defining a view the dealloc names is itself a use); only
      // ever earlier than where it is.
      Operation *after = *last ? *last : root.getDefiningOp();
      if (position.lookup(after) < position.lookup(dealloc))
        dealloc->moveAfter(after);
    }
  }
};

} // namespace
