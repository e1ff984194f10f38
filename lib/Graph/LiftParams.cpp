//===- LiftParams.cpp - the enc-lift-params pass
//----------------------------===//
//
// Weights enter compiled code as arguments, so that one artifact serves any
// checkpoint of the same shapes and compile time does not depend on weight
// values (docs/rationale/graph-passes.md, 'enc-lift-params').
//
//===----------------------------------------------------------------------===//

#include "Enc/IR/EncAttributeNames.h"
#include "Enc/IR/EncOps.h"
#include "encoder/Graph/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/SymbolTable.h"

namespace mlir::enc {
#define GEN_PASS_DEF_ENCLIFTPARAMS
#include "encoder/Graph/Passes.h.inc"
} // namespace mlir::enc

using namespace mlir;
using namespace mlir::enc;

namespace {

/// An enc.param or enc.packed_param: the argument's name, its type, and
/// the argument attributes that describe it.
struct ParamSite {
  Operation *op;
  std::string name;
  Type type;
  DictionaryAttr attrs;
};

ParamSite describe(Builder &b, Operation *op) {
  if (auto param = dyn_cast<ParamOp>(op))
    return {op, param.getName().str(), param.getType(),
            b.getDictionaryAttr(b.getNamedAttr(
                kParamAttrName, b.getStringAttr(param.getName())))};
  auto packed = cast<PackedParamOp>(op);
  std::string name = packed.getArgumentName();
  SmallVector<NamedAttribute> pack = {
      b.getNamedAttr("sources", packed.getSources()),
      b.getNamedAttr("source_shapes", packed.getSourceShapes()),
      b.getNamedAttr("concat_dim", packed.getConcatDimAttr())};
  if (IntegerAttr panel = packed.getPanelAttr())
    pack.push_back(b.getNamedAttr("panel", panel));
  return {op, name, packed.getType(),
          b.getDictionaryAttr(
              {b.getNamedAttr(kParamAttrName, b.getStringAttr(name)),
               b.getNamedAttr(kPackAttrName, b.getDictionaryAttr(pack))})};
}

LogicalResult liftParams(func::FuncOp func, ModuleOp module) {
  SmallVector<Operation *> params;
  func.walk([&](Operation *op) {
    if (isa<ParamOp, PackedParamOp>(op))
      params.push_back(op);
  });
  if (params.empty())
    return success();

  if (std::optional<SymbolTable::UseRange> uses =
          SymbolTable::getSymbolUses(func, module);
      uses && !uses->empty())
    return func.emitError("function '")
           << func.getSymName()
           << "' uses enc.param and is called from elsewhere; inline it "
              "before enc-lift-params";

  // Arguments that already carry a parameter (a second run, or IR written
  // that way) are reused.
  llvm::StringMap<BlockArgument> argumentOf;
  for (BlockArgument arg : func.getArguments())
    if (auto name = func.getArgAttrOfType<StringAttr>(arg.getArgNumber(),
                                                      kParamAttrName))
      argumentOf[name.getValue()] = arg;

  // Type and location of each name's first use (the op itself is erased).
  // The new arguments are added in one step: adding them one at a time
  // would make a function type and an argument attribute array per
  // parameter, quadratic in their number (seconds and gigabytes for a
  // thousand layers).
  llvm::StringMap<std::pair<Type, Location>> firstUse;
  llvm::StringMap<unsigned> newArgumentOf; // name -> position among the new
  SmallVector<unsigned> newIndices;
  SmallVector<Type> newTypes;
  SmallVector<DictionaryAttr> newAttrs;
  SmallVector<Location> newLocs;
  SmallVector<std::string> nameOf;
  Builder builder(func.getContext());
  unsigned oldCount = func.getNumArguments();
  for (Operation *op : params) {
    ParamSite site = describe(builder, op);
    auto [it, inserted] = firstUse.try_emplace(
        site.name, std::make_pair(site.type, op->getLoc()));
    if (!inserted && it->second.first != site.type) {
      InFlightDiagnostic diag = op->emitError("parameter '")
                                << site.name << "' has type " << site.type
                                << " here but " << it->second.first
                                << " elsewhere";
      diag.attachNote(it->second.second) << "first used here";
      return diag;
    }
    auto existing = argumentOf.find(site.name);
    if (existing != argumentOf.end()) {
      if (existing->second.getType() != site.type)
        return op->emitError("parameter '")
               << site.name << "' has type " << site.type
               << " but its function argument has type "
               << existing->second.getType();
    } else if (newArgumentOf.try_emplace(site.name, newTypes.size()).second) {
      newIndices.push_back(oldCount);
      newTypes.push_back(site.type);
      newAttrs.push_back(site.attrs);
      newLocs.push_back(op->getLoc());
    }
    nameOf.push_back(std::move(site.name));
  }
  if (!newTypes.empty() &&
      failed(func.insertArguments(newIndices, newTypes, newAttrs, newLocs)))
    return func.emitError("could not add arguments for its parameters");

  for (auto [op, name] : llvm::zip_equal(params, nameOf)) {
    auto existing = argumentOf.find(name);
    Value argument =
        existing != argumentOf.end()
            ? Value(existing->second)
            : Value(func.getArgument(oldCount + newArgumentOf.lookup(name)));
    op->getResult(0).replaceAllUsesWith(argument);
    op->erase();
  }
  return success();
}

struct EncLiftParamsPass : enc::impl::EncLiftParamsBase<EncLiftParamsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    for (auto func : module.getOps<func::FuncOp>())
      if (failed(liftParams(func, module)))
        return signalPassFailure();
  }
};

} // namespace
