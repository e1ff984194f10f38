//===- RunGPULaunchesOnHost.cpp - the enc-run-gpu-launches-on-host pass
//----===//
//
// A test vehicle: the GPU pipeline up to kernel formation, then every
// launch as serial loops, then the CPU's lowering. What the device would
// compute, one thread after another, so that the mapping of loops onto
// threads (guards, delinearization, dynamic bounds) and the GPU lowering of
// each op are checked numerically where no GPU is at hand.
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
#define GEN_PASS_DEF_ENCRUNGPULAUNCHESONHOST
#include "encoder/Codegen/CUDA/Passes.h.inc"
} // namespace mlir::enc

using namespace mlir;
using namespace mlir::enc;

namespace {

LogicalResult runOnHost(gpu::LaunchOp launch) {
  Region &body = launch.getBody();
  if (!body.hasOneBlock())
    return launch.emitError("cannot run a launch with control flow across "
                            "blocks on the host");
  if (!launch.getWorkgroupAttributions().empty() ||
      !launch.getPrivateAttributions().empty() || launch.getAsyncToken() ||
      launch.getDynamicSharedMemorySize() || launch.getClusterSizeX())
    return launch.emitError("cannot run a launch with shared memory, "
                            "attributions, clusters or async tokens on the "
                            "host");
  WalkResult barriers = launch.walk([](gpu::BarrierOp barrier) {
    barrier.emitError("cannot run a kernel with barriers on the host");
    return WalkResult::interrupt();
  });
  if (barriers.wasInterrupted())
    return failure();

  OpBuilder b(launch);
  Location loc = launch.getLoc();
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  gpu::KernelDim3 grid = launch.getGridSizeOperandValues();
  gpu::KernelDim3 block = launch.getBlockSizeOperandValues();
  SmallVector<Value> bounds = {grid.x,  grid.y,  grid.z,
                               block.x, block.y, block.z};
  // Blocks outermost, then threads; x innermost of each.
  SmallVector<Value> ivs(6);
  for (int order : {2, 1, 0, 5, 4, 3}) {
    auto loop = scf::ForOp::create(b, loc, zero, bounds[order], one);
    ivs[order] = loop.getInductionVar();
    b.setInsertionPoint(loop.getBody()->getTerminator());
  }

  IRMapping mapping;
  gpu::KernelDim3 blockIds = launch.getBlockIds();
  gpu::KernelDim3 threadIds = launch.getThreadIds();
  gpu::KernelDim3 gridArgs = launch.getGridSize();
  gpu::KernelDim3 blockArgs = launch.getBlockSize();
  mapping.map(blockIds.x, ivs[0]);
  mapping.map(blockIds.y, ivs[1]);
  mapping.map(blockIds.z, ivs[2]);
  mapping.map(threadIds.x, ivs[3]);
  mapping.map(threadIds.y, ivs[4]);
  mapping.map(threadIds.z, ivs[5]);
  mapping.map(gridArgs.x, grid.x);
  mapping.map(gridArgs.y, grid.y);
  mapping.map(gridArgs.z, grid.z);
  mapping.map(blockArgs.x, block.x);
  mapping.map(blockArgs.y, block.y);
  mapping.map(blockArgs.z, block.z);
  for (Operation &op : body.front().without_terminator())
    b.clone(op, mapping);
  launch.erase();
  return success();
}

struct EncRunGPULaunchesOnHostPass
    : enc::impl::EncRunGPULaunchesOnHostBase<EncRunGPULaunchesOnHostPass> {
  void runOnOperation() override {
    SmallVector<gpu::LaunchOp> launches;
    getOperation().walk([&](gpu::LaunchOp l) { launches.push_back(l); });
    for (gpu::LaunchOp launch : launches)
      if (failed(runOnHost(launch)))
        return signalPassFailure();
  }
};

} // namespace
