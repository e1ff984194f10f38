//===- MapParallelLoopsToGPU.cpp - the enc-map-parallel-loops-to-gpu pass
//---===//
//
// One thread per iteration of each outermost scf.parallel, over a 1-D grid:
// the iteration space is linearized (innermost dimension fastest) so that
// any rank and any dynamic bound maps the same way, which upstream's
// block/thread mapping (convert-parallel-loops-to-gpu) does not: it needs
// tiled loops whose inner bounds are launch-invariant.
//
//===----------------------------------------------------------------------===//

#include "Enc/IR/EncAttributeNames.h"
#include "encoder/Codegen/CUDA/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"

namespace mlir::enc {
#define GEN_PASS_DEF_ENCMAPPARALLELLOOPSTOGPU
#include "encoder/Codegen/CUDA/Passes.h.inc"
} // namespace mlir::enc

using namespace mlir;
using namespace mlir::enc;

namespace {

/// ceil((ub - lb) / step) iterations, or 0 when ub <= lb.
Value tripCount(OpBuilder &b, Location loc, Value lb, Value ub, Value step) {
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value span = arith::SubIOp::create(b, loc, ub, lb);
  Value positive = arith::MaxSIOp::create(b, loc, span, zero);
  return arith::CeilDivSIOp::create(b, loc, positive, step);
}

void mapToLaunch(scf::ParallelOp loop, int64_t blockSize) {
  OpBuilder b(loop);
  Location loc = loop.getLoc();
  SmallVector<Value> counts;
  Value total = arith::ConstantIndexOp::create(b, loc, 1);
  for (auto [lb, ub, step] :
       llvm::zip(loop.getLowerBound(), loop.getUpperBound(), loop.getStep())) {
    counts.push_back(tripCount(b, loc, lb, ub, step));
    total = arith::MulIOp::create(b, loc, total, counts.back());
  }
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  Value threads = arith::ConstantIndexOp::create(b, loc, blockSize);
  Value blocks = arith::CeilDivSIOp::create(b, loc, total, threads);
  // A grid of zero blocks is an error to CUDA: skip empty spaces.
  Value any =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, total, zero);
  auto guard = scf::IfOp::create(b, loc, any, /*withElseRegion=*/false);
  b.setInsertionPointToStart(guard.thenBlock());
  auto launch =
      gpu::LaunchOp::create(b, loc, blocks, one, one, threads, one, one);

  b.setInsertionPointToStart(&launch.getBody().front());
  Value blockId = launch.getBlockIds().x;
  Value threadId = launch.getThreadIds().x;
  Value id = arith::AddIOp::create(
      b, loc, arith::MulIOp::create(b, loc, blockId, threads), threadId);
  Value inRange =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, id, total);
  auto body = scf::IfOp::create(b, loc, inRange, /*withElseRegion=*/false);
  gpu::TerminatorOp::create(b, loc);

  b.setInsertionPointToStart(body.thenBlock());
  IRMapping mapping;
  Value rest = id;
  for (int64_t d = loop.getNumLoops() - 1; d >= 0; --d) {
    Value index =
        d == 0 ? rest : arith::RemSIOp::create(b, loc, rest, counts[d]);
    if (d > 0)
      rest = arith::DivSIOp::create(b, loc, rest, counts[d]);
    Value offset = arith::MulIOp::create(b, loc, index, loop.getStep()[d]);
    mapping.map(loop.getInductionVars()[d],
                arith::AddIOp::create(b, loc, loop.getLowerBound()[d], offset));
  }
  for (Operation &op : loop.getBody()->without_terminator())
    b.clone(op, mapping);
  loop.erase();
}

struct EncMapParallelLoopsToGPUPass
    : enc::impl::EncMapParallelLoopsToGPUBase<EncMapParallelLoopsToGPUPass> {
  using Base::Base;

  void runOnOperation() override {
    if (blockSize <= 0 || blockSize > 1024) {
      getOperation().emitError("enc-map-parallel-loops-to-gpu: block-size "
                               "must be in [1, 1024], got ")
          << static_cast<int64_t>(blockSize);
      return signalPassFailure();
    }
    SmallVector<scf::ParallelOp> outermost;
    getOperation().walk([&](scf::ParallelOp loop) {
      bool nested = loop->getParentOfType<scf::ParallelOp>() ||
                    loop->getParentOfType<gpu::LaunchOp>();
      // Reductions need a cross-thread combination: they stay on the host.
      if (!nested && loop.getNumResults() == 0)
        outermost.push_back(loop);
    });
    for (scf::ParallelOp loop : outermost)
      mapToLaunch(loop, blockSize);
  }
};

} // namespace
