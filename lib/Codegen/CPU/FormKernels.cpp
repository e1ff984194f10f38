//===- FormKernels.cpp - the enc-form-kernels pass
//--------------------------===//
//
// Groups linalg ops into parallel kernels with upstream tiling and fusion:
// the root (the last op of a chain) is tiled over its leading parallel
// loops into an scf.forall and its producers are fused into the tile
// (scf::tileConsumerAndFuseProducersUsingSCF). A layer norm is then one
// kernel whose tile computes the mean, the variance and the normalized rows
// of a few rows at a time, in cache, instead of three passes over memory.
//
// Ops that already are kernels (the packed matmul's forall) or that are
// not linalg (tensor.extract, reshapes) are left alone.
//
//===----------------------------------------------------------------------===//

#include "Enc/IR/EncAttributeNames.h"
#include "Enc/IR/EncOps.h"
#include "encoder/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/SetVector.h"

namespace mlir::enc {
#define GEN_PASS_DEF_ENCFORMKERNELS
#include "encoder/Codegen/CPU/Passes.h.inc"
} // namespace mlir::enc

using namespace mlir;
using namespace mlir::enc;

namespace {

/// Size guessed for a dynamic loop when choosing tile sizes.
constexpr int64_t kDynamicSizeGuess = 64;

bool isTopLevel(Operation *op) { return isa<func::FuncOp>(op->getParentOp()); }

/// Tile sizes of `op`: its enc.tile_sizes, else the heuristic of the pass
/// description. Empty when the op should not become a kernel.
FailureOr<SmallVector<int64_t>> chooseTileSizes(linalg::LinalgOp op,
                                                int64_t minTileElements) {
  unsigned numLoops = op.getNumLoops();
  if (auto knob = op->getAttrOfType<DenseI64ArrayAttr>(kTileSizesAttrName)) {
    if (knob.size() > numLoops)
      return op->emitError("enc.tile_sizes has ")
             << knob.size() << " sizes but the op has " << numLoops << " loops";
    SmallVector<int64_t> sizes(knob.asArrayRef());
    sizes.resize(numLoops, 0);
    for (auto [size, iterator] : llvm::zip(sizes, op.getIteratorTypesArray()))
      if (size != 0 && iterator != utils::IteratorType::parallel)
        return op->emitError("enc.tile_sizes tiles a reduction loop; "
                             "kernels are tiled over parallel loops only");
    return sizes;
  }

  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  int64_t points = 1;
  for (int64_t r : ranges)
    points *= ShapedType::isDynamic(r) ? kDynamicSizeGuess : r;
  bool dynamic = llvm::any_of(ranges, ShapedType::isDynamic);
  // A loop of static size 0 (an empty queue of negatives): no work, and the
  // split below would divide by it.
  if (llvm::is_contained(ranges, 0))
    return SmallVector<int64_t>{};
  if (numLoops == 0 || iterators[0] != utils::IteratorType::parallel ||
      (!dynamic && points < minTileElements) || op.getNumDpsInits() == 0)
    return SmallVector<int64_t>{};

  // Keep whole the loop that walks the result's innermost dimension: it is
  // the contiguous one the vectorizer wants.
  std::optional<unsigned> innermost;
  AffineMap resultMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  if (resultMap.getNumResults() > 0)
    if (auto dim = dyn_cast<AffineDimExpr>(resultMap.getResults().back()))
      innermost = dim.getPosition();

  SmallVector<unsigned> tiled;
  for (unsigned i = 0; i < numLoops; ++i) {
    if (iterators[i] != utils::IteratorType::parallel)
      break;
    if (innermost != i)
      tiled.push_back(i);
  }
  SmallVector<int64_t> sizes(numLoops, 0);
  if (tiled.empty()) {
    // One loop, the innermost: split it in chunks of whole vectors.
    sizes[0] = llvm::alignTo(minTileElements, 16);
    return sizes;
  }
  int64_t inner = 1;
  for (unsigned i = 0; i < numLoops; ++i)
    if (!llvm::is_contained(tiled, i))
      inner *= ShapedType::isDynamic(ranges[i]) ? kDynamicSizeGuess : ranges[i];
  for (unsigned i : tiled)
    sizes[i] = 1;
  sizes[tiled.back()] =
      std::max<int64_t>(1, llvm::divideCeil(minTileElements, inner));
  return sizes;
}

/// FLOPs per iteration point: the floating-point arith and math ops of the
/// payload (a transcendental counts as one).
int64_t flopsPerPoint(linalg::LinalgOp op) {
  int64_t flops = 0;
  for (Operation &payload : op.getBlock()->without_terminator())
    if (isa<arith::ArithDialect, math::MathDialect>(payload.getDialect()) &&
        payload.getNumResults() == 1 &&
        isa<FloatType>(getElementTypeOrSelf(payload.getResult(0).getType())))
      ++flops;
  return flops;
}

Value product(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> factors,
              int64_t scale) {
  Value result = arith::ConstantIndexOp::create(b, loc, scale);
  for (OpFoldResult factor : factors)
    result = arith::MulIOp::create(
        b, loc, result, getValueOrCreateConstantIndexOp(b, loc, factor));
  return result;
}

/// Bytes of a ranked tensor value.
Value bytesOf(OpBuilder &b, Location loc, Value tensor) {
  auto type = cast<RankedTensorType>(tensor.getType());
  int64_t elementBytes = llvm::divideCeil(type.getElementTypeBitWidth(), 8);
  return product(b, loc, tensor::getMixedSizes(b, loc, tensor), elementBytes);
}

/// The FLOPs and the bytes of one launch of the kernel made of `group`
/// (root first): the work of every op over its whole iteration space, the
/// tensors read from outside the group and the root's results.
std::pair<Value, Value> kernelCost(OpBuilder &b, Location loc,
                                   ArrayRef<linalg::LinalgOp> group) {
  Value flops = arith::ConstantIndexOp::create(b, loc, 0);
  Value bytes = arith::ConstantIndexOp::create(b, loc, 0);
  llvm::SmallPtrSet<Operation *, 8> members;
  for (linalg::LinalgOp op : group)
    members.insert(op);
  llvm::SmallDenseSet<Value> counted;
  for (linalg::LinalgOp op : group) {
    if (int64_t perPoint = flopsPerPoint(op)) {
      SmallVector<OpFoldResult> sizes;
      for (Range range : op.createLoopRanges(b, loc))
        sizes.push_back(range.size);
      flops = arith::AddIOp::create(b, loc, flops,
                                    product(b, loc, sizes, perPoint));
    }
    for (OpOperand *input : op.getDpsInputOperands()) {
      Value value = input->get();
      if (!isa<RankedTensorType>(value.getType()) ||
          members.contains(value.getDefiningOp()) ||
          !counted.insert(value).second)
        continue;
      bytes = arith::AddIOp::create(b, loc, bytes, bytesOf(b, loc, value));
    }
  }
  // The results, by their destinations: the results themselves are defined
  // after the point where the cost must be known.
  linalg::LinalgOp root = group.front();
  for (Value init : root.getDpsInits())
    bytes = arith::AddIOp::create(b, loc, bytes, bytesOf(b, loc, init));
  return {flops, bytes};
}

/// A readable kernel name: the root's origin without the dialect prefix.
StringRef kernelName(Operation *root) {
  if (auto origin = root->getAttrOfType<StringAttr>(kOriginAttrName))
    return origin.getValue()
        .drop_until([](char c) { return c == '.'; })
        .drop_front();
  return root->getName().stripDialect();
}

struct EncFormKernelsPass : enc::impl::EncFormKernelsBase<EncFormKernelsPass> {
  using Base::Base;

  /// Tile elements and where they came from: the option, else the
  /// module's enc.cpu_kernels, else 8192 (32 KiB of f32, a common L1).
  int64_t tileElements = 8192;
  std::string tileSource = "default";

  void runOnOperation() override {
    if (minTileElements > 0) {
      tileElements = minTileElements;
      tileSource = "option";
    } else {
      auto module = dyn_cast<ModuleOp>(getOperation());
      if (!module)
        module = getOperation()->getParentOfType<ModuleOp>();
      if (auto kernels = module ? module->getAttrOfType<DictionaryAttr>(
                                      kCPUKernelsAttrName)
                                : DictionaryAttr()) {
        auto elements = kernels.getAs<IntegerAttr>("tile_elements");
        auto source = kernels.getAs<StringAttr>("source");
        if (elements && elements.getInt() > 0) {
          tileElements = elements.getInt();
          tileSource = source ? source.getValue().str() : "model";
        }
      }
    }
    SmallVector<linalg::LinalgOp> candidates;
    getOperation()->walk([&](linalg::LinalgOp op) {
      if (isTopLevel(op) && op.hasPureTensorSemantics())
        candidates.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    llvm::SmallPtrSet<Operation *, 32> taken;
    for (linalg::LinalgOp root : llvm::reverse(candidates)) {
      if (taken.contains(root))
        continue;
      if (failed(formKernel(rewriter, root, taken)))
        return signalPassFailure();
    }
  }

  LogicalResult formKernel(IRRewriter &rewriter, linalg::LinalgOp root,
                           llvm::SmallPtrSet<Operation *, 32> &taken) {
    FailureOr<SmallVector<int64_t>> sizes = chooseTileSizes(root, tileElements);
    if (failed(sizes))
      return failure();
    if (sizes->empty() || llvm::all_of(*sizes, [](int64_t s) { return !s; })) {
      // Too small to split: it runs on the calling thread. Described all
      // the same, outside any loop, so that the kernel report lists it as
      // straight-line code.
      rewriter.setInsertionPoint(root);
      auto [flops, bytes] = kernelCost(rewriter, root.getLoc(), {root});
      auto origin = root->getAttrOfType<StringAttr>(kOriginAttrName);
      KernelInfoOp::create(
          rewriter, root.getLoc(), kernelName(root),
          rewriter.getStrArrayAttr(
              {origin ? origin.getValue() : root->getName().getStringRef()}),
          flops, bytes, rewriter.getStringAttr("serial: below one tile"));
      return success();
    }
    auto tilingInterface = cast<TilingInterface>(root.getOperation());

    scf::SCFTilingOptions tiling;
    tiling.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
    tiling.setTileSizes(getAsIndexOpFoldResult(&getContext(), *sizes));
    scf::SCFTileAndFuseOptions options;
    options.setTilingOptions(tiling);

    // Fuse a producer only when nothing outside the kernel reads it, so that
    // fusion never computes a value twice, and never across enc.no_fuse.
    SmallVector<linalg::LinalgOp> group{root};
    bool rootFuses = !root->hasAttr(kNoFuseAttrName);
    options.setFusionControlFn(
        [&](tensor::ExtractSliceOp slice, OpResult producer, bool)
            -> std::optional<scf::SCFTileAndFuseOptions::ControlFnResult> {
          auto op = dyn_cast<linalg::LinalgOp>(producer.getOwner());
          if (!rootFuses || !op || !isTopLevel(op) ||
              op->hasAttr(kNoFuseAttrName))
            return std::nullopt;
          // tensor.dim users (the loop bounds of dynamic shapes) read only
          // the destination's sizes, which canonicalization resolves.
          auto loop = slice->getParentOfType<scf::ForallOp>();
          for (Operation *user : op->getUsers())
            if (!llvm::is_contained(group, user) && !isa<tensor::DimOp>(user) &&
                !(loop && loop->isProperAncestor(user)))
              return std::nullopt;
          group.push_back(op);
          return scf::SCFTileAndFuseOptions::ControlFnResult{};
        });

    rewriter.setInsertionPoint(root);
    FailureOr<scf::SCFTileAndFuseResult> result =
        scf::tileConsumerAndFuseProducersUsingSCF(rewriter, tilingInterface,
                                                  options);
    if (failed(result))
      return root->emitError("enc-form-kernels: cannot tile this op");
    auto forall = cast<scf::ForallOp>(result->loops.front().getOperation());

    // Describe the kernel, from the ops before they go.
    rewriter.setInsertionPoint(forall);
    auto [flops, bytes] = kernelCost(rewriter, root.getLoc(), group);
    // The enc ops fused into the kernel, or the linalg ops for what no enc
    // op made (a frontend's head-splitting transposes).
    llvm::SetVector<StringRef> origins;
    for (linalg::LinalgOp op : group) {
      auto origin = op->getAttrOfType<StringAttr>(kOriginAttrName);
      origins.insert(origin ? origin.getValue() : op->getName().getStringRef());
    }
    rewriter.setInsertionPointToStart(forall.getBody());
    std::string config;
    llvm::raw_string_ostream os(config);
    os << "tile ";
    llvm::interleave(*sizes, os, "x");
    os << " (" << (root->hasAttr(kTileSizesAttrName) ? "op knob" : tileSource)
       << ")";
    KernelInfoOp::create(rewriter, root.getLoc(), kernelName(root),
                         rewriter.getStrArrayAttr(origins.getArrayRef()), flops,
                         bytes, rewriter.getStringAttr(config));

    for (auto [original, replacement] : result->replacements)
      rewriter.replaceAllUsesWith(original, replacement);
    for (linalg::LinalgOp op : group) {
      taken.insert(op);
      if (op->use_empty())
        rewriter.eraseOp(op);
    }
    return success();
  }
};

} // namespace
