//===- GPUWarps.cpp - Warp-level building blocks of GPU kernels
//------------===//

#include "GPUWarps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;

Value mlir::enc::warpAllReduce(OpBuilder &b, Location loc, Value value,
                               function_ref<Value(Value, Value)> combine,
                               int64_t lanes) {
  for (int64_t offset = lanes / 2; offset > 0; offset /= 2) {
    Value other = gpu::ShuffleOp::create(b, loc, value, offset, kWarpSize,
                                         gpu::ShuffleMode::XOR)
                      .getShuffleResult();
    value = combine(value, other);
  }
  return value;
}

mlir::enc::WarpRow mlir::enc::buildWarpPerRowLaunch(OpBuilder &b, Location loc,
                                                    Value rows,
                                                    int64_t warpsPerBlock,
                                                    bool laneZeroOnly) {
  auto index = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  Value zero = index(0), one = index(1);
  Value warps = index(warpsPerBlock), warpSize = index(kWarpSize);
  // A grid of zero blocks is an error to CUDA.
  Value any =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, rows, zero);
  auto nonEmpty = scf::IfOp::create(b, loc, any, /*withElseRegion=*/false);
  b.setInsertionPointToStart(nonEmpty.thenBlock());
  Value blocks = arith::CeilDivUIOp::create(b, loc, rows, warps);
  Value threads = index(kWarpSize * warpsPerBlock);
  auto launch =
      gpu::LaunchOp::create(b, loc, blocks, one, one, threads, one, one);
  b.setInsertionPointToStart(&launch.getBody().front());
  Value tid = launch.getThreadIds().x;
  WarpRow result;
  result.lane = arith::RemUIOp::create(b, loc, tid, warpSize);
  Value firstRow = arith::MulIOp::create(b, loc, launch.getBlockIds().x, warps);
  Value warp = arith::DivUIOp::create(b, loc, tid, warpSize);
  result.row = arith::AddIOp::create(b, loc, firstRow, warp);
  Value inside = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                       result.row, rows);
  if (laneZeroOnly)
    inside = arith::AndIOp::create(
        b, loc, inside,
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, result.lane,
                              zero));
  // Whole warps enter or skip: shuffles need all 32 lanes.
  auto guard = scf::IfOp::create(b, loc, inside, /*withElseRegion=*/false);
  gpu::TerminatorOp::create(b, loc);
  b.setInsertionPointToStart(guard.thenBlock());
  return result;
}

IRMapping mlir::enc::cloneBodyAt(OpBuilder &b, Location loc,
                                 linalg::GenericOp op, ArrayRef<Value> index,
                                 IRMapping mapping, Operation *skip) {
  for (OpOperand *in : op.getDpsInputOperands()) {
    BlockArgument arg = op.getMatchingBlockArgument(in);
    if (mapping.contains(arg) || arg.use_empty())
      continue;
    SmallVector<Value> indices;
    for (AffineExpr e : op.getMatchingIndexingMap(in).getResults())
      indices.push_back(index[cast<AffineDimExpr>(e).getPosition()]);
    mapping.map(arg, memref::LoadOp::create(b, loc, in->get(), indices));
  }
  for (Operation &o : op.getBlock()->without_terminator())
    if (&o != skip)
      b.clone(o, mapping);
  return mapping;
}

SmallVector<Value> mlir::enc::delinearize(OpBuilder &b, Location loc,
                                          Value linear, ArrayRef<Value> sizes) {
  SmallVector<Value> indices(sizes.size());
  for (size_t d = sizes.size(); d-- > 0;) {
    if (d == 0) {
      indices[d] = linear;
      break;
    }
    indices[d] = arith::RemUIOp::create(b, loc, linear, sizes[d]);
    linear = arith::DivUIOp::create(b, loc, linear, sizes[d]);
  }
  return indices;
}

Value mlir::enc::readOnlyBuffer(OpBuilder &b, Location loc, Value tensor) {
  auto type = cast<RankedTensorType>(tensor.getType());
  auto layout = StridedLayoutAttr::get(
      b.getContext(), ShapedType::kDynamic,
      SmallVector<int64_t>(type.getRank(), ShapedType::kDynamic));
  auto memrefType =
      MemRefType::get(type.getShape(), type.getElementType(), layout);
  return bufferization::ToBufferOp::create(b, loc, memrefType, tensor,
                                           /*read_only=*/true);
}

void mlir::enc::replaceWithKernelOutput(OpBuilder &b, Location loc,
                                        Operation *op, Value out) {
  Value result = bufferization::ToTensorOp::create(
      b, loc, op->getResult(0).getType(), out, /*restrict=*/b.getUnitAttr(),
      /*writable=*/b.getUnitAttr());
  op->replaceAllUsesWith(ValueRange{result});
  op->erase();
}
