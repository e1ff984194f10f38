//===- WarpReductions.cpp - the enc-warp-reductions pass
//-------------------===//
//
// Row reductions (softmax's max and sum, pooling, layer norms left to
// linalg) as a warp per output element. A thread per row reads its row
// serially, a row apart from its neighbours (uncoalesced), with few blocks
// in flight; a warp per row reads consecutive elements and combines the 32
// partial results with butterfly shuffles. The reduction must be over the
// innermost loop alone, into an f32 buffer, with a combine that may be
// reassociated (addf, maximumf, maxnumf, minimumf, minnumf) and a pure
// body. docs/rationale/cuda.md, 'Row reductions'.
//
//===----------------------------------------------------------------------===//

#include "GPUWarps.h"

#include "Enc/IR/EncAttributeNames.h"
#include "encoder/Codegen/CUDA/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include <limits>

namespace mlir::enc {
#define GEN_PASS_DEF_ENCWARPREDUCTIONS
#include "encoder/Codegen/CUDA/Passes.h.inc"
} // namespace mlir::enc

using namespace mlir;
using namespace mlir::enc;

namespace {

constexpr int64_t kWarpsPerBlock = 8;

/// A matched reduction: the combining op of the body, and an input
/// dimension that the reduced loop indexes directly (its extent).
struct RowReduction {
  linalg::GenericOp op;
  Operation *combine;
  Value extentOf;
  int64_t extentDim;
};

/// combine(x, y) as the body's combining op computes it.
Value combine(OpBuilder &b, Location loc, Operation *kind, Value x, Value y) {
  OperationState state(loc, kind->getName());
  state.addOperands({x, y});
  state.addTypes(x.getType());
  state.addAttributes(kind->getAttrs());
  return b.create(state)->getResult(0);
}

/// The combining op's identity: what a lane with no element contributes.
Value identity(OpBuilder &b, Location loc, Operation *kind) {
  double value = 0.0;
  if (isa<arith::MaximumFOp, arith::MaxNumFOp>(kind))
    value = -std::numeric_limits<double>::infinity();
  else if (isa<arith::MinimumFOp, arith::MinNumFOp>(kind))
    value = std::numeric_limits<double>::infinity();
  return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(value));
}

std::optional<RowReduction> match(linalg::GenericOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInits() != 1 ||
      op.getNumReductionLoops() != 1 || op.getNumLoops() < 2)
    return std::nullopt;
  unsigned last = op.getNumLoops() - 1;
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  if (iterators[last] != utils::IteratorType::reduction)
    return std::nullopt;
  OpOperand *init = op.getDpsInitOperand(0);
  AffineMap outMap = op.getMatchingIndexingMap(init);
  // The output is indexed by the parallel loops, in order.
  if (outMap.getNumResults() != last ||
      outMap !=
          AffineMap::getMultiDimIdentityMap(op.getNumLoops(), op.getContext())
              .getMajorSubMap(last))
    return std::nullopt;
  if (!cast<MemRefType>(init->get().getType()).getElementType().isF32())
    return std::nullopt;
  for (OpOperand *in : op.getDpsInputOperands())
    if (!op.getMatchingIndexingMap(in).isProjectedPermutation() ||
        in->get() == init->get())
      return std::nullopt;
  Block *body = op.getBlock();
  BlockArgument acc = op.getMatchingBlockArgument(init);
  Operation *yielded = body->getTerminator()->getOperand(0).getDefiningOp();
  if (!yielded || !acc.hasOneUse() ||
      acc.getUses().begin()->getOwner() != yielded ||
      !isa<arith::AddFOp, arith::MaximumFOp, arith::MaxNumFOp,
           arith::MinimumFOp, arith::MinNumFOp>(yielded) ||
      !yielded->hasOneUse())
    return std::nullopt;
  for (Operation &o : body->without_terminator())
    if (o.getNumRegions() != 0 || !isPure(&o))
      return std::nullopt;
  for (OpOperand *in : op.getDpsInputOperands())
    for (auto [pos, e] :
         llvm::enumerate(op.getMatchingIndexingMap(in).getResults()))
      if (cast<AffineDimExpr>(e).getPosition() == last)
        return RowReduction{op, yielded, in->get(), int64_t(pos)};
  return std::nullopt; // the reduced loop reads nothing
}

/// f(inputs) at loop index `index`: the body without its combining op.
Value valueAt(OpBuilder &b, Location loc, const RowReduction &r,
              ArrayRef<Value> index) {
  linalg::GenericOp op = r.op;
  IRMapping mapping = cloneBodyAt(b, loc, op, index, {}, r.combine);
  BlockArgument acc = op.getMatchingBlockArgument(op.getDpsInitOperand(0));
  Value v = r.combine->getOperand(0) == acc ? r.combine->getOperand(1)
                                            : r.combine->getOperand(0);
  return mapping.lookupOrDefault(v);
}

void rewrite(const RowReduction &r, bool emulate) {
  linalg::GenericOp op = r.op;
  OpBuilder b(op);
  Location loc = op.getLoc();
  Value out = op.getDpsInitOperand(0)->get();
  auto outType = cast<MemRefType>(out.getType());
  SmallVector<Value> sizes;
  Value rows = arith::ConstantIndexOp::create(b, loc, 1);
  for (int64_t d = 0; d < outType.getRank(); ++d) {
    sizes.push_back(b.createOrFold<memref::DimOp>(loc, out, d));
    rows = arith::MulIOp::create(b, loc, rows, sizes.back());
  }
  Value extent = b.createOrFold<memref::DimOp>(loc, r.extentOf, r.extentDim);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  WarpRow warp = buildWarpPerRowLaunch(b, loc, rows, kWarpsPerBlock, emulate);
  Value lane = warp.lane;
  SmallVector<Value> index = delinearize(b, loc, warp.row, sizes);
  Value start = emulate ? zero : lane;
  Value step =
      emulate ? one : arith::ConstantIndexOp::create(b, loc, kWarpSize);
  auto loop = scf::ForOp::create(b, loc, start, extent, step,
                                 ValueRange{identity(b, loc, r.combine)});
  {
    OpBuilder::InsertionGuard inner(b);
    b.setInsertionPointToStart(loop.getBody());
    SmallVector<Value> at = index;
    at.push_back(loop.getInductionVar());
    Value v = valueAt(b, loc, r, at);
    scf::YieldOp::create(
        b, loc, combine(b, loc, r.combine, loop.getRegionIterArgs()[0], v));
  }
  Value partial = loop.getResult(0);
  if (!emulate)
    partial = warpAllReduce(b, loc, partial, [&](Value x, Value y) {
      return combine(b, loc, r.combine, x, y);
    });
  // Lane 0 folds the warp's result into the output's initial value.
  Value first =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, lane, zero);
  auto store = scf::IfOp::create(b, loc, first, /*withElseRegion=*/false);
  b.setInsertionPointToStart(store.thenBlock());
  Value init = memref::LoadOp::create(b, loc, out, index);
  memref::StoreOp::create(b, loc, combine(b, loc, r.combine, init, partial),
                          out, index);
  op->erase();
}

struct EncWarpReductionsPass
    : enc::impl::EncWarpReductionsBase<EncWarpReductionsPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<RowReduction> matches;
    getOperation().walk([&](linalg::GenericOp op) {
      if (op->getParentOfType<gpu::LaunchOp>())
        return;
      if (std::optional<RowReduction> r = match(op))
        matches.push_back(*r);
    });
    for (const RowReduction &r : matches)
      rewrite(r, emulate);
  }
};

} // namespace
