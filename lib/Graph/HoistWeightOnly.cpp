//===- HoistWeightOnly.cpp - the enc-hoist-weight-only pass ---------------===//
//
// A value computed from parameters alone is the same on every call until
// the weights are rebound. This pass moves such values, where they feed the
// computation on the inputs, into an internal function the runtime calls
// once per binding (docs/rationale/graph-passes.md, 'enc-hoist-weight-only').
//
//===----------------------------------------------------------------------===//

#include "Enc/IR/EncAttributeNames.h"
#include "Enc/IR/EncOps.h"
#include "encoder/Graph/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/RegionUtils.h"

#include "llvm/ADT/SetVector.h"

namespace mlir::enc {
#define GEN_PASS_DEF_ENCHOISTWEIGHTONLY
#include "encoder/Graph/Passes.h.inc"
} // namespace mlir::enc

using namespace mlir;
using namespace mlir::enc;

namespace {

constexpr StringLiteral kDerivePrefix = "__derive_";

/// Ops that cost nothing worth keeping a copy for: views, broadcasts and
/// constants.
bool isFree(Operation *op) {
  return op->hasTrait<OpTrait::ConstantLike>() ||
         isa<tensor::CollapseShapeOp, tensor::ExpandShapeOp, tensor::CastOp,
             tensor::EmptyOp, tensor::DimOp, linalg::BroadcastOp>(op);
}

/// An op whose results depend only on `weightOnly` values: pure, no
/// operand or captured value from elsewhere.
bool computesFrom(Operation *op, const DenseSet<Value> &weightOnly) {
  if (!isMemoryEffectFree(op) || op->getNumResults() == 0)
    return false;
  for (Value operand : op->getOperands())
    if (!weightOnly.contains(operand))
      return false;
  SetVector<Value> captured;
  for (Region &region : op->getRegions())
    getUsedValuesDefinedAbove(region, captured);
  return llvm::all_of(captured,
                      [&](Value v) { return weightOnly.contains(v); });
}

LogicalResult hoist(func::FuncOp func, ModuleOp module) {
  Block &body = func.getBody().front();
  DenseSet<Value> weightOnly;
  for (BlockArgument arg : func.getArguments())
    if (func.getArgAttr(arg.getArgNumber(), kParamAttrName))
      weightOnly.insert(arg);
  SmallVector<Operation *> weightOps; // in block order
  for (Operation &op : body.without_terminator()) {
    if (!computesFrom(&op, weightOnly))
      continue;
    weightOps.push_back(&op);
    for (Value result : op.getResults())
      weightOnly.insert(result);
  }

  // Frontier: weight-only results some other op (or the return) uses,
  // statically shaped, whose slice does work.
  DenseSet<Operation *> isWeightOp(weightOps.begin(), weightOps.end());
  SmallVector<Value> frontier;
  for (Operation *op : weightOps) {
    for (Value result : op->getResults()) {
      auto type = dyn_cast<RankedTensorType>(result.getType());
      if (!type || !type.hasStaticShape())
        continue;
      bool usedOutside = llvm::any_of(result.getUsers(), [&](Operation *u) {
        return !isWeightOp.contains(func.getBody().findAncestorOpInRegion(*u));
      });
      if (!usedOutside)
        continue;
      // Does the backward slice do work?
      SmallVector<Operation *> worklist = {op};
      DenseSet<Operation *> seen;
      bool works = false;
      while (!worklist.empty() && !works) {
        Operation *next = worklist.pop_back_val();
        if (!seen.insert(next).second)
          continue;
        works = !isFree(next);
        for (Value operand : next->getOperands())
          if (Operation *producer = operand.getDefiningOp())
            worklist.push_back(producer);
      }
      if (!works)
        continue;
      // Derive the smallest form: broadcasts and reshapes of it stay in
      // the function (the tiny BERT's position rows, not their copy per
      // batch row).
      Value core = result;
      while (Operation *def = core.getDefiningOp()) {
        Value source;
        if (auto broadcast = dyn_cast<linalg::BroadcastOp>(def))
          source = broadcast.getInput();
        else if (isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp,
                     tensor::CastOp>(def))
          source = def->getOperand(0);
        if (!source || !source.getDefiningOp() ||
            !cast<RankedTensorType>(source.getType()).hasStaticShape())
          break;
        core = source;
      }
      if (core.getDefiningOp() && !isFree(core.getDefiningOp()) &&
          !llvm::is_contained(frontier, core))
        frontier.push_back(core);
    }
  }
  if (frontier.empty())
    return success();

  // The slice of the frontier, in block order, and the parameters it reads.
  DenseSet<Operation *> needed;
  SmallVector<Value> worklist(frontier.begin(), frontier.end());
  SetVector<BlockArgument> params;
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    if (auto arg = dyn_cast<BlockArgument>(v)) {
      params.insert(arg);
      continue;
    }
    Operation *op = v.getDefiningOp();
    if (!needed.insert(op).second)
      continue;
    llvm::append_range(worklist, op->getOperands());
    SetVector<Value> captured;
    for (Region &region : op->getRegions())
      getUsedValuesDefinedAbove(region, captured);
    llvm::append_range(worklist, captured);
  }

  // The internal function: the parameters in argument order, the slice,
  // the frontier values returned.
  OpBuilder b(module.getContext());
  b.setInsertionPointAfter(func);
  std::string name = (kDerivePrefix + func.getSymName()).str();
  SmallVector<BlockArgument> paramList(params.begin(), params.end());
  llvm::sort(paramList, [](BlockArgument a, BlockArgument c) {
    return a.getArgNumber() < c.getArgNumber();
  });
  SmallVector<Type> argTypes, resultTypes;
  for (BlockArgument arg : paramList)
    argTypes.push_back(arg.getType());
  for (Value v : frontier)
    resultTypes.push_back(v.getType());
  auto derive = func::FuncOp::create(b, func.getLoc(), name,
                                     b.getFunctionType(argTypes, resultTypes));
  derive->setAttr(kInternalAttrName, b.getUnitAttr());
  for (auto [i, arg] : llvm::enumerate(paramList))
    derive.setArgAttrs(i, func.getArgAttrDict(arg.getArgNumber()));
  Block *entry = derive.addEntryBlock();
  IRMapping mapping;
  for (auto [arg, newArg] : llvm::zip(paramList, entry->getArguments()))
    mapping.map(arg, newArg);
  b.setInsertionPointToStart(entry);
  for (Operation *op : weightOps)
    if (needed.contains(op))
      b.clone(*op, mapping);
  SmallVector<Value> results;
  for (Value v : frontier)
    results.push_back(mapping.lookup(v));
  func::ReturnOp::create(b, func.getLoc(), results);

  // The function reads the derived values as parameters.
  for (auto [k, v] : llvm::enumerate(frontier)) {
    NamedAttribute deriveAttr = b.getNamedAttr(
        kDeriveAttrName,
        b.getDictionaryAttr(
            {b.getNamedAttr("function", b.getStringAttr(name)),
             b.getNamedAttr("output",
                            b.getI64IntegerAttr(static_cast<int64_t>(k)))}));
    std::string paramName = (func.getSymName() + "#derived" + Twine(k)).str();
    unsigned index = func.getNumArguments();
    if (failed(func.insertArgument(
            index, v.getType(),
            b.getDictionaryAttr(
                {b.getNamedAttr(kParamAttrName, b.getStringAttr(paramName)),
                 deriveAttr}),
            v.getLoc())))
      return failure();
    v.replaceAllUsesWith(func.getArgument(index));
  }
  // What only the derived values needed is dead now, and so are the
  // parameters only it read.
  for (Operation *op : llvm::reverse(weightOps))
    if (op->use_empty())
      op->erase();
  llvm::BitVector unused(func.getNumArguments());
  for (BlockArgument arg : func.getArguments())
    if (arg.use_empty() && func.getArgAttr(arg.getArgNumber(), kParamAttrName))
      unused.set(arg.getArgNumber());
  return func.eraseArguments(unused);
}

struct EncHoistWeightOnlyPass
    : enc::impl::EncHoistWeightOnlyBase<EncHoistWeightOnlyPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> functions;
    for (auto func : module.getOps<func::FuncOp>())
      if (func.isPublic() && !func.isExternal() &&
          !func->hasAttr(kInternalAttrName))
        functions.push_back(func);
    for (func::FuncOp func : functions)
      if (failed(hoist(func, module)))
        return signalPassFailure();
  }
};

} // namespace
