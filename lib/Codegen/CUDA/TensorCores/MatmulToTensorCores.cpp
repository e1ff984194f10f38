//===- MatmulToTensorCores.cpp - the enc-matmul-to-tensor-cores pass
//-------===//
//
// f32 contractions (linear layers, batched products) as mma.sync on the
// tensor cores, f32 accumulation, operands rounded to nearest to TF32
// (m16n8k8) or bf16 (m16n8k16). Buffers stay f32: the precision is that of
// the products, as with torch's allow_tf32 or a bf16 autocast. 64x64 tiles
// (128x128 on large problems), operands staged in shared memory when
// K % 32 == 0, split along K when few blocks walk a long K; the fill of C,
// elementwise functions of A or B and the elementwise op after C are fused.
// N and K static; M % 32 != 0 falls back to the original op at run time.
// This file matches; TensorCoreLaunches.cpp writes the launches,
// TensorCoreMatmul.cpp and TensorCoreMatmulStaged.cpp the kernels.
// docs/rationale/cuda.md, 'Tensor-core matmul'.
//
//===----------------------------------------------------------------------===//

#include "TensorCoreMatmul.h"

#include "Enc/IR/EncAttributeNames.h"
#include "encoder/Codegen/CUDA/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

#include "llvm/ADT/SetVector.h"

namespace mlir::enc {
#define GEN_PASS_DEF_ENCMATMULTOTENSORCORES
#include "encoder/Codegen/CUDA/Passes.h.inc"
} // namespace mlir::enc

using namespace mlir;
using namespace mlir::enc;

namespace {

/// How `result` follows from `arg` alone inside `body` (values defined
/// outside the body, constants, may be used too).
std::optional<ElementFn> elementFn(Value result, Value arg, Block *body) {
  ElementFn fn{arg, result, {}};
  llvm::SetVector<Operation *> slice;
  SmallVector<Value> work = {result};
  while (!work.empty()) {
    Value v = work.pop_back_val();
    if (v == arg)
      continue;
    if (auto blockArg = dyn_cast<BlockArgument>(v)) {
      if (blockArg.getOwner() == body)
        return std::nullopt; // another argument of the body
      continue;
    }
    Operation *def = v.getDefiningOp();
    if (def->getBlock() != body)
      continue;
    if (def->getNumRegions() != 0 || !isPure(def))
      return std::nullopt;
    if (slice.insert(def))
      llvm::append_range(work, def->getOperands());
  }
  fn.ops.assign(slice.begin(), slice.end());
  llvm::sort(fn.ops,
             [](Operation *a, Operation *b) { return a->isBeforeInBlock(b); });
  return fn;
}

/// The body C += f(a) * g(b): f and g, or nothing.
std::optional<std::pair<ElementFn, ElementFn>> matchBody(linalg::LinalgOp op) {
  Block *body = op.getBlock();
  Value a = body->getArgument(0), bArg = body->getArgument(1),
        acc = body->getArgument(2);
  auto yield = cast<linalg::YieldOp>(body->getTerminator());
  auto sum = yield.getOperand(0).getDefiningOp<arith::AddFOp>();
  if (!sum || !sum->hasOneUse() || !acc.hasOneUse())
    return std::nullopt;
  Value product = sum.getLhs() == acc   ? sum.getRhs()
                  : sum.getRhs() == acc ? sum.getLhs()
                                        : Value();
  auto mul = product ? product.getDefiningOp<arith::MulFOp>() : nullptr;
  if (!mul || !mul->hasOneUse())
    return std::nullopt;
  for (auto [x, y] : {std::pair{mul.getLhs(), mul.getRhs()},
                      std::pair{mul.getRhs(), mul.getLhs()}}) {
    std::optional<ElementFn> fa = elementFn(x, a, body);
    std::optional<ElementFn> fb = elementFn(y, bArg, body);
    // Nothing else may happen in the body.
    if (fa && fb &&
        fa->ops.size() + fb->ops.size() + 3 == body->getOperations().size())
      return std::pair{*fa, *fb};
  }
  return std::nullopt;
}

/// True for an all-parallel generic over C's iteration space that writes
/// one f32 buffer through the identity map, with pure scalar ops only.
bool isElementwiseOverC(linalg::GenericOp op, Value c) {
  auto cType = cast<MemRefType>(c.getType());
  if (!op || !op.hasPureBufferSemantics() || op.getNumDpsInits() != 1 ||
      op.getNumLoops() != unsigned(cType.getRank()) ||
      op.getNumParallelLoops() != op.getNumLoops() ||
      !op.getMatchingIndexingMap(op.getDpsInitOperand(0)).isIdentity() ||
      !cast<MemRefType>(op.getDpsInitOperand(0)->get().getType())
           .getElementType()
           .isF32())
    return false;
  for (OpOperand *in : op.getDpsInputOperands())
    if (!op.getMatchingIndexingMap(in).isProjectedPermutation())
      return false;
  return llvm::all_of(op.getBlock()->without_terminator(), [](Operation &o) {
    return o.getNumRegions() == 0 && isPure(&o);
  });
}

/// The op right before the contraction, when it fills all of C from other
/// buffers (the bias, broadcast) or a scalar: the accumulators start from
/// its values instead of a pass over C.
Operation *matchInit(linalg::LinalgOp op, Value c) {
  Operation *prev = op->getPrevNode();
  if (auto fill = dyn_cast_or_null<linalg::FillOp>(prev))
    return fill.hasPureBufferSemantics() && fill.getOutputs()[0] == c ? prev
                                                                      : nullptr;
  auto generic = dyn_cast_or_null<linalg::GenericOp>(prev);
  if (!isElementwiseOverC(generic, c) ||
      generic.getDpsInitOperand(0)->get() != c ||
      !generic.getMatchingBlockArgument(generic.getDpsInitOperand(0))
           .use_empty())
    return nullptr;
  for (OpOperand *in : generic.getDpsInputOperands())
    if (in->get() == c)
      return nullptr;
  return prev;
}

/// The op right after the contraction, when it maps C elementwise (the
/// residual add, an activation) into one buffer: applied to the
/// accumulators before they are stored.
linalg::GenericOp matchEpilogue(linalg::LinalgOp op, Value c) {
  auto next = dyn_cast_or_null<linalg::GenericOp>(op->getNextNode());
  if (!isElementwiseOverC(next, c))
    return nullptr;
  bool readsC = false;
  for (OpOperand *in : next.getDpsInputOperands()) {
    if (in->get() != c)
      continue;
    if (!next.getMatchingIndexingMap(in).isIdentity())
      return nullptr;
    readsC = true;
  }
  OpOperand *out = next.getDpsInitOperand(0);
  bool outIsC = out->get() == c;
  readsC |= outIsC && !next.getMatchingBlockArgument(out).use_empty();
  // Another output that the body also reads would be read before written:
  // fine elementwise, but only C's value is at hand.
  if (!outIsC && !next.getMatchingBlockArgument(out).use_empty())
    return nullptr;
  return readsC ? next : nullptr;
}

/// The buffer `v` views (through subviews, reshapes, casts).
Value rootBuffer(Value v) {
  while (auto view = v.getDefiningOp<ViewLikeOpInterface>())
    v = view.getViewSource();
  return v;
}

bool isDenseF32(Value v) {
  auto type = dyn_cast<MemRefType>(v.getType());
  return type && type.getElementType().isF32() && type.getLayout().isIdentity();
}

/// The loop dimensions an operand's indexing map lists, in order.
std::optional<SmallVector<int64_t>> dimsOf(AffineMap map) {
  if (!map.isProjectedPermutation())
    return std::nullopt;
  SmallVector<int64_t> dims;
  for (AffineExpr e : map.getResults())
    dims.push_back(cast<AffineDimExpr>(e).getPosition());
  return dims;
}

std::optional<Contraction> match(linalg::LinalgOp op, MmaPrecision precision) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1)
    return std::nullopt;
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  if (failed(dims) || dims->k.empty() || dims->n.size() != 1 || dims->m.empty())
    return std::nullopt;
  std::optional<std::pair<ElementFn, ElementFn>> body = matchBody(op);
  if (!body)
    return std::nullopt;
  Contraction c;
  c.op = op;
  c.aFn = body->first;
  c.bFn = body->second;
  c.a = op.getDpsInputOperand(0)->get();
  c.b = op.getDpsInputOperand(1)->get();
  c.c = op.getDpsInitOperand(0)->get();
  if (!isDenseF32(c.a) || !isDenseF32(c.b) || !isDenseF32(c.c))
    return std::nullopt;
  c.batchDims.assign(dims->batch.begin(), dims->batch.end());
  c.mDims.assign(dims->m.begin(), dims->m.end());
  c.nDim = dims->n[0];
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  auto aDims = dimsOf(maps[0]), bDims = dimsOf(maps[1]),
       cDims = dimsOf(maps[2]);
  if (!aDims || !bDims || !cDims)
    return std::nullopt;
  // A = batch ++ m ++ k, C = batch ++ m ++ [n] (so that both flatten to
  // rows), B = [batch ++] [n] ++ k or k ++ [n]: several k dimensions (heads
  // and head size, into an output projection) flatten into one K.
  SmallVector<int64_t> rows = c.batchDims;
  rows.append(c.mDims);
  if (aDims->size() < rows.size() || cDims->size() != rows.size() + 1 ||
      ArrayRef(*aDims).take_front(rows.size()) != ArrayRef(rows) ||
      ArrayRef(*cDims).drop_back() != ArrayRef(rows) || cDims->back() != c.nDim)
    return std::nullopt;
  c.kDims.assign(aDims->begin() + rows.size(), aDims->end());
  if (c.kDims.size() != dims->k.size())
    return std::nullopt;
  ArrayRef<int64_t> bAll = *bDims;
  c.bBatched = !c.batchDims.empty();
  if (c.bBatched) {
    if (bAll.size() != c.batchDims.size() + 2 ||
        bAll.take_front(c.batchDims.size()) != ArrayRef(c.batchDims))
      return std::nullopt;
    bAll = bAll.drop_front(c.batchDims.size());
  }
  if (bAll.size() != c.kDims.size() + 1)
    return std::nullopt;
  if (bAll.front() == c.nDim && bAll.drop_front() == ArrayRef(c.kDims))
    c.bTransposed = true;
  else if (bAll.back() == c.nDim && bAll.drop_back() == ArrayRef(c.kDims))
    c.bTransposed = false;
  else
    return std::nullopt;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  c.n = ranges[c.nDim];
  c.k = 1;
  for (int64_t d : c.kDims)
    c.k = ShapedType::isDynamic(ranges[d]) || ShapedType::isDynamic(c.k)
              ? ShapedType::kDynamic
              : c.k * ranges[d];
  if (ShapedType::isDynamic(c.n) || ShapedType::isDynamic(c.k) ||
      c.n % kWarpTile != 0 || c.k % mmaStepK(precision) != 0)
    return std::nullopt;
  c.init = matchInit(op, c.c);
  c.epilogue = matchEpilogue(op, c.c);
  // Warps store while others still load: the epilogue must not write into
  // A or B (an in-place residual x += f(x W)).
  if (c.epilogue) {
    Value out = rootBuffer(c.epilogue.getDpsInitOperand(0)->get());
    if (out == rootBuffer(c.a) || out == rootBuffer(c.b))
      c.epilogue = nullptr;
  }
  return c;
}

struct EncMatmulToTensorCoresPass
    : enc::impl::EncMatmulToTensorCoresBase<EncMatmulToTensorCoresPass> {
  using Base::Base;

  void runOnOperation() override {
    std::optional<MmaPrecision> p = tensorCorePrecision(precision);
    if (!p)
      return; // f32: the CUDA cores compute every product
    std::vector<Contraction> matches;
    DenseSet<Operation *> claimed; // fused into an earlier match
    getOperation().walk([&](linalg::LinalgOp op) {
      if (op->getParentOfType<gpu::LaunchOp>() || claimed.contains(op))
        return;
      std::optional<Contraction> c = match(op, *p);
      if (!c)
        return;
      // A contraction's epilogue may be the next one's init: it joins one.
      if (c->init && claimed.contains(c->init))
        c->init = nullptr;
      if (c->epilogue)
        claimed.insert(c->epilogue);
      if (c->init)
        claimed.insert(c->init);
      matches.push_back(*c);
    });
    for (const Contraction &c : matches)
      replaceWithTensorCoreKernel(c, *p, emulate);
  }
};

} // namespace
