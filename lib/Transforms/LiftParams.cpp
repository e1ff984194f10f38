//===- LiftParams.cpp - the enc-lift-params pass ----------------------------===//
//
// Weights enter compiled code as arguments, so that one artifact serves any
// checkpoint of the same shapes and compile time does not depend on weight
// values (docs/architecture.md).
//
//===----------------------------------------------------------------------===//

#include "Enc/IR/EncOps.h"
#include "encoder/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/SymbolTable.h"

namespace mlir::enc {
#define GEN_PASS_DEF_ENCLIFTPARAMS
#include "encoder/Transforms/Passes.h.inc"
} // namespace mlir::enc

using namespace mlir;
using namespace mlir::enc;

namespace {

LogicalResult liftParams(func::FuncOp func, ModuleOp module) {
  SmallVector<ParamOp> params;
  func.walk([&](ParamOp op) { params.push_back(op); });
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
  llvm::StringMap<std::pair<Type, Location>> firstUse;
  Builder builder(func.getContext());
  for (ParamOp param : params) {
    auto [it, inserted] = firstUse.try_emplace(
        param.getName(), std::make_pair(param.getType(), param.getLoc()));
    if (!inserted && it->second.first != param.getType()) {
      InFlightDiagnostic diag = param.emitError("parameter '")
                                << param.getName() << "' has type "
                                << param.getType() << " here but "
                                << it->second.first << " elsewhere";
      diag.attachNote(it->second.second) << "first used here";
      return diag;
    }

    auto existing = argumentOf.find(param.getName());
    if (existing == argumentOf.end()) {
      unsigned index = func.getNumArguments();
      DictionaryAttr attrs = builder.getDictionaryAttr(builder.getNamedAttr(
          kParamAttrName, builder.getStringAttr(param.getName())));
      if (failed(func.insertArgument(index, param.getType(), attrs,
                                     param.getLoc())))
        return param.emitError("could not add an argument for parameter '")
               << param.getName() << "'";
      existing =
          argumentOf.try_emplace(param.getName(), func.getArgument(index))
              .first;
    } else if (existing->second.getType() != param.getType()) {
      return param.emitError("parameter '")
             << param.getName() << "' has type " << param.getType()
             << " but its function argument has type "
             << existing->second.getType();
    }
    param.replaceAllUsesWith(existing->second);
    param.erase();
  }
  return success();
}

struct EncLiftParamsPass
    : enc::impl::EncLiftParamsBase<EncLiftParamsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    for (auto func : module.getOps<func::FuncOp>())
      if (failed(liftParams(func, module)))
        return signalPassFailure();
  }
};

} // namespace
