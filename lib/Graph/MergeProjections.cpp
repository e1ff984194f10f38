//===- MergeProjections.cpp - the enc-merge-projections pass --------------===//
//
// Attention's Q, K and V projections read one input with three weights; as
// one linear on their concatenation (an enc.packed_param, built at bind
// time) the input is read once and the matmul is three times wider:
//
//   %q = enc.linear %x, %wq, %bq    %w = enc.packed_param ["q.w", "k.w"]
//   %k = enc.linear %x, %wk, %bk -> %b = enc.packed_param ["q.b", "k.b"]
//                                   %qk = enc.linear %x, %w, %b
//                                   %q, %k: tensor.extract_slice of %qk
//
// What forms a group and what is refused: docs/rationale/graph-passes.md,
// 'enc-merge-projections'.
//
//===----------------------------------------------------------------------===//

#include "Enc/IR/EncAttributeNames.h"
#include "Enc/IR/EncOps.h"
#include "encoder/Graph/Passes.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/SetVector.h"

namespace mlir::enc {
#define GEN_PASS_DEF_ENCMERGEPROJECTIONS
#include "encoder/Graph/Passes.h.inc"
} // namespace mlir::enc

using namespace mlir;
using namespace mlir::enc;

namespace {

/// What linears must share to be merged.
struct GroupKey {
  Value input;
  int64_t in;
  Type elementType;
  bool hasBias;

  bool operator==(const GroupKey &other) const {
    return input == other.input && in == other.in &&
           elementType == other.elementType && hasBias == other.hasBias;
  }
};

} // namespace

namespace llvm {
template <> struct DenseMapInfo<GroupKey> {
  static GroupKey getEmptyKey() {
    return {DenseMapInfo<Value>::getEmptyKey(), 0, Type(), false};
  }
  static GroupKey getTombstoneKey() {
    return {DenseMapInfo<Value>::getTombstoneKey(), 0, Type(), false};
  }
  static unsigned getHashValue(const GroupKey &key) {
    return hash_combine(key.input, key.in, key.elementType, key.hasBias);
  }
  static bool isEqual(const GroupKey &a, const GroupKey &b) { return a == b; }
};
} // namespace llvm

namespace {

/// The key of a linear that can be merged, or nothing.
std::optional<GroupKey> mergeKey(LinearOp op) {
  if (op.getActivation() || op.getResidual() || op.hasPackedWeight() ||
      op->hasAttr(kNoFuseAttrName))
    return std::nullopt;
  auto weight = op.getWeight().getDefiningOp<ParamOp>();
  if (!weight)
    return std::nullopt;
  if (op.getBias() && !op.getBias().getDefiningOp<ParamOp>())
    return std::nullopt;
  auto weightType = cast<RankedTensorType>(weight.getType());
  auto inputType = cast<RankedTensorType>(op.getInput().getType());
  auto resultType = cast<RankedTensorType>(op.getType());
  // The slices' types are the input's leading dimensions and `out`; a
  // result typed otherwise would need a cast.
  SmallVector<int64_t> expected(inputType.getShape());
  expected.back() = weightType.getDimSize(0);
  if (resultType.getShape() != ArrayRef<int64_t>(expected))
    return std::nullopt;
  return GroupKey{op.getInput(), weightType.getDimSize(1),
                  weightType.getElementType(), static_cast<bool>(op.getBias())};
}

/// An enc.packed_param concatenating the parameters `params` along
/// dimension 0.
Value concatParams(OpBuilder &b, Location loc, ArrayRef<ParamOp> params) {
  SmallVector<StringRef> names;
  SmallVector<Attribute> shapes;
  auto first = cast<RankedTensorType>(ParamOp(params.front()).getType());
  SmallVector<int64_t> shape(first.getShape());
  shape[0] = 0;
  for (ParamOp param : params) {
    auto type = cast<RankedTensorType>(param.getType());
    names.push_back(param.getName());
    shapes.push_back(b.getDenseI64ArrayAttr(type.getShape()));
    shape[0] += type.getDimSize(0);
  }
  auto type = RankedTensorType::get(shape, first.getElementType());
  return PackedParamOp::create(b, loc, type, b.getStrArrayAttr(names),
                               b.getArrayAttr(shapes), b.getI64IntegerAttr(0),
                               IntegerAttr());
}

/// Replaces `group` (at least two linears, in block order) by one linear
/// and slices of its result.
void mergeGroup(IRRewriter &rewriter, ArrayRef<LinearOp> group) {
  SmallVector<Location> locs;
  SmallVector<ParamOp> weights, biases;
  for (LinearOp op : group) {
    locs.push_back(op.getLoc());
    weights.push_back(op.getWeight().getDefiningOp<ParamOp>());
    if (Value bias = op.getBias())
      biases.push_back(bias.getDefiningOp<ParamOp>());
  }
  Location loc = rewriter.getFusedLoc(locs);
  rewriter.setInsertionPoint(group.front());

  Value weight = concatParams(rewriter, loc, weights);
  Value bias = biases.empty() ? Value() : concatParams(rewriter, loc, biases);
  Value input = LinearOp(group.front()).getInput();
  auto inputType = cast<RankedTensorType>(input.getType());
  int64_t rank = inputType.getRank();
  SmallVector<int64_t> shape(inputType.getShape());
  shape.back() = cast<RankedTensorType>(weight.getType()).getDimSize(0);
  auto mergedType = RankedTensorType::get(shape, inputType.getElementType());
  auto mergedOp = LinearOp::create(rewriter, loc, mergedType, input, weight,
                                   bias, Value(), ActivationKindAttr());
  // The first projection's knobs (enc.tile_sizes) apply to the merged one.
  mergedOp->setDiscardableAttrs(group.front()->getDiscardableAttrDictionary());
  Value merged = mergedOp.getResult();

  SmallVector<OpFoldResult> offsets(rank, rewriter.getIndexAttr(0));
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(rewriter, loc, input);
  SmallVector<OpFoldResult> strides(rank, rewriter.getIndexAttr(1));
  int64_t offset = 0;
  for (LinearOp op : group) {
    int64_t out = op.getOutFeatures();
    offsets.back() = rewriter.getIndexAttr(offset);
    sizes.back() = rewriter.getIndexAttr(out);
    Value slice = tensor::ExtractSliceOp::create(
        rewriter, op.getLoc(), cast<RankedTensorType>(op.getType()), merged,
        offsets, sizes, strides);
    rewriter.replaceOp(op, slice);
    offset += out;
  }
  // The parameters are pure; drop those nothing reads any more.
  llvm::SetVector<Operation *> params;
  for (ParamOp param : llvm::concat<ParamOp>(weights, biases))
    params.insert(param);
  for (Operation *param : params)
    if (param->use_empty())
      rewriter.eraseOp(param);
}

struct EncMergeProjectionsPass
    : enc::impl::EncMergeProjectionsBase<EncMergeProjectionsPass> {
  void runOnOperation() override {
    SmallVector<SmallVector<LinearOp>> groups;
    getOperation()->walk([&](Block *block) {
      llvm::MapVector<GroupKey, SmallVector<LinearOp>> byKey;
      for (auto op : block->getOps<LinearOp>())
        if (std::optional<GroupKey> key = mergeKey(op))
          byKey[*key].push_back(op);
      for (auto &[key, ops] : byKey)
        if (ops.size() >= 2)
          groups.push_back(std::move(ops));
    });
    IRRewriter rewriter(&getContext());
    for (ArrayRef<LinearOp> group : groups)
      mergeGroup(rewriter, group);
  }
};

} // namespace
