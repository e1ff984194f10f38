//===- DeviceMemoryForGPU.cpp - the enc-device-memory-for-gpu pass
//---------===//
//
// Every buffer of a CUDA artifact lives in device memory, which host code
// cannot dereference: so after this pass the host side only allocates,
// frees, reshapes and launches, and everything that touches data runs in a
// kernel. Managed memory (one address for both) would need no such rewrite,
// but it costs page migrations and a synchronization after each launch, and
// asking a card for more managed memory than it has free can hang it.
//
// Host allocations stay memref.alloc/dealloc: the CUDA pipeline lowers them
// to the generic allocation functions, which enc-lower-gpu-launches routes
// to the runtime's device allocator. Runs after
// convert-linalg-to-parallel-loops and before enc-map-parallel-loops-to-gpu,
// which turns the loops made here into launches like any other.
//
//===----------------------------------------------------------------------===//

#include "Enc/IR/EncAttributeNames.h"
#include "encoder/Codegen/CUDA/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "llvm/ADT/SetVector.h"

namespace mlir::enc {
#define GEN_PASS_DEF_ENCDEVICEMEMORYFORGPU
#include "encoder/Codegen/CUDA/Passes.h.inc"
} // namespace mlir::enc

using namespace mlir;
using namespace mlir::enc;

namespace {

/// Host code: in a function, outside loops that become kernels and outside
/// kernels.
bool onHost(Operation *op) {
  return op->getParentOfType<func::FuncOp>() &&
         !op->getParentOfType<scf::ParallelOp>() &&
         !op->getParentOfType<gpu::LaunchOp>() &&
         !op->getParentOfType<gpu::GPUFuncOp>();
}

Value alignedPointer(OpBuilder &b, Location loc, Value memref) {
  return memref::ExtractAlignedPointerAsIndexOp::create(b, loc, memref);
}

/// A heap buffer of static `type` freed at the end of `at`'s block.
Value scopedAlloc(OpBuilder &b, Operation *at, MemRefType type,
                  ValueRange dynamicSizes) {
  b.setInsertionPoint(at);
  Value buffer = memref::AllocOp::create(b, at->getLoc(), type, dynamicSizes);
  b.setInsertionPoint(at->getBlock()->getTerminator());
  memref::DeallocOp::create(b, at->getLoc(), buffer);
  return buffer;
}

/// func.func private @name(index...)
void declare(ModuleOp module, StringRef name, unsigned numIndices) {
  if (module.lookupSymbol(name))
    return;
  OpBuilder b(module.getBodyRegion());
  SmallVector<Type> inputs(numIndices, b.getIndexType());
  auto decl = func::FuncOp::create(b, module.getLoc(), name,
                                   b.getFunctionType(inputs, {}));
  decl.setPrivate();
}

/// `memref.copy` as a parallel loop of loads and stores (one kernel).
void copyAsLoop(memref::CopyOp copy) {
  OpBuilder b(copy);
  Location loc = copy.getLoc();
  Value source = copy.getSource(), target = copy.getTarget();
  auto type = cast<MemRefType>(target.getType());
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  SmallVector<Value> lower, upper, steps;
  for (int64_t d = 0; d < type.getRank(); ++d) {
    lower.push_back(zero);
    upper.push_back(b.createOrFold<memref::DimOp>(loc, target, d));
    steps.push_back(one);
  }
  // A rank-0 copy is one iteration.
  bool scalar = type.getRank() == 0;
  if (scalar) {
    lower.push_back(zero);
    upper.push_back(one);
    steps.push_back(one);
  }
  scf::ParallelOp::create(
      b, loc, lower, upper, steps,
      [&](OpBuilder &nested, Location nestedLoc, ValueRange ivs) {
        ValueRange indices = scalar ? ValueRange() : ivs;
        Value element =
            memref::LoadOp::create(nested, nestedLoc, source, indices);
        memref::StoreOp::create(nested, nestedLoc, element, target, indices);
      });
  copy.erase();
}

/// True when `op` reads or writes a buffer's contents (allocation and
/// freeing do not count).
bool touchesMemory(Operation *op) {
  if (isa<memref::AllocOp, memref::AllocaOp, memref::DeallocOp,
          memref::GetGlobalOp, func::CallOp, func::ReturnOp>(op))
    return false;
  auto effects = dyn_cast<MemoryEffectOpInterface>(op);
  if (!effects)
    return false;
  SmallVector<MemoryEffects::EffectInstance> instances;
  effects.getEffects(instances);
  return llvm::any_of(instances, [](const MemoryEffects::EffectInstance &e) {
    return isa<MemoryEffects::Read, MemoryEffects::Write>(e.getEffect());
  });
}

/// A scalar the host loads to pass into kernels (a learned temperature,
/// say) is loaded in each kernel instead, with the pure host arithmetic
/// between: `load` and that arithmetic are cloned into every loop (or
/// kernel written by an earlier pass) that uses them. Fails, changing nothing,
/// when host code needs the value itself.
LogicalResult sinkIntoLoops(memref::LoadOp load) {
  llvm::SetVector<Operation *> slice;
  slice.insert(load);
  llvm::SetVector<Operation *> loops;
  for (size_t i = 0; i < slice.size(); ++i) {
    for (Operation *user : slice[i]->getUsers()) {
      if (!onHost(user)) {
        // The host-level loop that holds the use.
        Operation *at = user;
        while (!onHost(at->getParentOp()))
          at = at->getParentOp();
        Operation *loop = at->getParentOp();
        if (!isa<scf::ParallelOp, gpu::LaunchOp>(loop))
          return failure();
        loops.insert(loop);
        continue;
      }
      if (user->getNumRegions() != 0 || !isMemoryEffectFree(user) ||
          user->hasTrait<OpTrait::IsTerminator>() ||
          user->getBlock() != load->getBlock())
        return failure();
      slice.insert(user);
    }
  }
  SmallVector<Operation *> ordered(slice.begin(), slice.end());
  llvm::sort(ordered,
             [](Operation *a, Operation *b) { return a->isBeforeInBlock(b); });
  for (Operation *loop : loops) {
    OpBuilder b = OpBuilder::atBlockBegin(&loop->getRegion(0).front());
    IRMapping mapping;
    for (Operation *op : ordered)
      b.clone(*op, mapping);
    for (Operation *op : ordered)
      for (Value result : op->getResults())
        result.replaceUsesWithIf(mapping.lookup(result), [&](OpOperand &use) {
          return loop->isProperAncestor(use.getOwner());
        });
  }
  for (Operation *op : llvm::reverse(ordered))
    op->erase();
  return success();
}

/// The straight-line host code that starts at `op`: the shortest run of
/// ops from `op` on that holds every use of its own results, all pure
/// arithmetic or buffer reads and writes. Moving a run keeps its order, so
/// nothing it reads or writes changes. Fails when a result reaches anything
/// else (a call, a return, a kernel, another block).
FailureOr<SmallVector<Operation *>> straightLineRun(Operation *op) {
  SmallVector<Operation *> run;
  Operation *last = op;
  for (Operation *current = op; current; current = current->getNextNode()) {
    if (current->getNumRegions() != 0 ||
        current->hasTrait<OpTrait::IsTerminator>() ||
        (!isMemoryEffectFree(current) && !touchesMemory(current)))
      return failure();
    run.push_back(current);
    for (Operation *user : current->getUsers()) {
      if (user->getBlock() != op->getBlock())
        return failure();
      if (last->isBeforeInBlock(user))
        last = user;
    }
    if (current == last)
      return run;
  }
  return failure();
}

/// Host code that reads or writes buffers (a reduction over every element,
/// the mean of a loss, say) runs in one GPU thread, wrapped in a
/// one-iteration parallel loop: the outermost host loop around `op`, or the
/// straight-line run of code from `op` on. Fails when the host needs what it
/// computes, or when the loop also holds kernels.
LogicalResult runOnOneThread(Operation *op) {
  Operation *root = op;
  for (Operation *parent = op->getParentOp();
       parent && !isa<func::FuncOp>(parent); parent = parent->getParentOp())
    if (isa<scf::ForOp, scf::WhileOp>(parent))
      root = parent;
  SmallVector<Operation *> moved = {root};
  if (root != op) {
    if (!root->use_empty())
      return root->emitOpError("computes a value for the host from device "
                               "memory, which a CUDA artifact cannot do");
    if (root->walk([](scf::ParallelOp) { return WalkResult::interrupt(); })
            .wasInterrupted())
      return root->emitOpError("mixes kernels with host reads and writes of "
                               "device memory, which a CUDA artifact cannot "
                               "do");
  } else {
    FailureOr<SmallVector<Operation *>> slice = straightLineRun(op);
    if (failed(slice))
      return op->emitOpError("reads device memory for the host (its result "
                             "is used by host code), which a CUDA artifact "
                             "cannot do");
    moved = std::move(*slice);
  }
  OpBuilder b(root);
  Location loc = root->getLoc();
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  auto loop = scf::ParallelOp::create(b, loc, ValueRange{zero}, ValueRange{one},
                                      ValueRange{one});
  for (Operation *member : moved)
    member->moveBefore(loop.getBody()->getTerminator());
  return success();
}

/// Host allocas become heap (device) buffers freed at the end of their
/// block; constants are uploaded into one at each call (they are small:
/// index tables, masks). Results never alias either: deallocation copies
/// them.
LogicalResult allocateOnDevice(ModuleOp module, bool uploadConstants) {
  SmallVector<Operation *> buffers;
  module.walk([&](Operation *op) {
    if ((isa<memref::AllocaOp>(op) ||
         (uploadConstants && isa<memref::GetGlobalOp>(op))) &&
        onHost(op))
      buffers.push_back(op);
  });
  OpBuilder b(module.getContext());
  for (Operation *op : buffers) {
    if (auto alloca = dyn_cast<memref::AllocaOp>(op)) {
      alloca.replaceAllUsesWith(
          scopedAlloc(b, alloca, alloca.getType(), alloca.getDynamicSizes()));
      alloca.erase();
      continue;
    }
    auto global = cast<memref::GetGlobalOp>(op);
    MemRefType type = global.getType();
    if (!type.hasStaticShape() || !type.getLayout().isIdentity())
      return global.emitOpError("a constant on the GPU needs a static, "
                                "dense type");
    Type element = type.getElementType();
    int64_t elementBytes =
        element.isIndex()
            ? 8
            : llvm::divideCeil(element.getIntOrFloatBitWidth(), 8);
    declare(module, kGPUUploadFunction, 3);
    Value buffer = scopedAlloc(b, global->getNextNode(), type, {});
    Location loc = global.getLoc();
    b.setInsertionPointAfterValue(buffer);
    auto upload = func::CallOp::create(
        b, loc, kGPUUploadFunction, TypeRange(),
        ValueRange{alignedPointer(b, loc, buffer),
                   alignedPointer(b, loc, global.getResult()),
                   arith::ConstantIndexOp::create(
                       b, loc, type.getNumElements() * elementBytes)});
    global.getResult().replaceUsesWithIf(buffer, [&](OpOperand &use) {
      return use.getOwner()->getBlock() != upload->getBlock() ||
             !use.getOwner()->isBeforeInBlock(upload);
    });
  }
  return success();
}

struct EncDeviceMemoryForGPUPass
    : enc::impl::EncDeviceMemoryForGPUBase<EncDeviceMemoryForGPUPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    // Data movement on the host becomes kernels.
    SmallVector<memref::CopyOp> copies;
    SmallVector<Operation *> touching;
    module.walk([&](Operation *op) {
      if (!onHost(op))
        return;
      if (auto copy = dyn_cast<memref::CopyOp>(op))
        copies.push_back(copy);
      else if (touchesMemory(op))
        touching.push_back(op);
    });
    for (memref::CopyOp copy : copies)
      copyAsLoop(copy);
    // Host loops first, so that scalars loaded for them are then loaded in
    // them like in any kernel.
    auto inHostLoop = [](Operation *op) {
      return op->getParentOfType<scf::ForOp>() ||
             op->getParentOfType<scf::WhileOp>();
    };
    for (bool loops : {true, false})
      for (Operation *op : touching) {
        // Skips what moved into a loop with an earlier op.
        if (!onHost(op) || inHostLoop(op) != loops)
          continue;
        auto load = dyn_cast<memref::LoadOp>(op);
        if (!loops && load && !load->use_empty() &&
            succeeded(sinkIntoLoops(load)))
          continue;
        if (failed(runOnOneThread(op)))
          return signalPassFailure();
      }
    if (failed(allocateOnDevice(module, uploadConstants)))
      return signalPassFailure();
  }
};

} // namespace
