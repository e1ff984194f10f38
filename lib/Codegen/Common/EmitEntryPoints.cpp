//===- EmitEntryPoints.cpp - the enc-emit-entry-points pass
//-----------------===//
//
// The runtime calls every function through one signature,
// `void(void *const *args, void *results)`, so that it needs no code per
// function and no libffi: the packed entry point unpacks the descriptor
// pointers and calls the `_mlir_ciface_` wrapper that func-to-llvm made.
// The layout is docs/artifact-abi.md; this file is its compiler side.
//
//===----------------------------------------------------------------------===//

#include "encoder/Codegen/Common/RuntimeHooks.h"

#include "Enc/IR/EncAttributeNames.h"
#include "encoder/Codegen/Common/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/JSON.h"

namespace mlir::enc {
#define GEN_PASS_DEF_ENCEMITENTRYPOINTS
#include "encoder/Codegen/Common/Passes.h.inc"
} // namespace mlir::enc

using namespace mlir;
using namespace mlir::enc;

namespace {

/// The module's enc.kernels (enc-outline-kernels), as the metadata's
/// "kernels".
llvm::json::Array kernelsToJson(ArrayAttr kernels) {
  llvm::json::Array list;
  for (auto kernel : kernels.getAsRange<DictionaryAttr>()) {
    llvm::json::Array ops;
    for (auto op : kernel.getAs<ArrayAttr>("ops").getAsRange<StringAttr>())
      ops.push_back(op.getValue());
    llvm::json::Object object{
        {"name", kernel.getAs<StringAttr>("name").getValue()},
        {"function", kernel.getAs<StringAttr>("function").getValue()},
        {"ops", std::move(ops)},
        {"flops", kernel.getAs<IntegerAttr>("flops").getInt()},
        {"bytes", kernel.getAs<IntegerAttr>("bytes").getInt()}};
    for (StringRef key : {"flops_formula", "bytes_formula", "config"})
      if (auto text = kernel.getAs<StringAttr>(key))
        object[key] = text.getValue();
    if (auto symbols = kernel.getAs<ArrayAttr>("formula_symbols")) {
      llvm::json::Array names;
      for (auto symbol : symbols.getAsRange<StringAttr>())
        names.push_back(symbol.getValue());
      object["formula_symbols"] = std::move(names);
    }
    list.push_back(std::move(object));
  }
  return list;
}

/// {"symbols": [...], "events": [{"alloc": "formula"} | {"free": i}, ...],
/// "complete": bool} (enc-record-memory).
llvm::json::Object memoryToJson(DictionaryAttr memory) {
  llvm::json::Array symbols, events;
  for (auto symbol :
       memory.getAs<ArrayAttr>("symbols").getAsRange<StringAttr>())
    symbols.push_back(symbol.getValue());
  for (auto event :
       memory.getAs<ArrayAttr>("events").getAsRange<DictionaryAttr>()) {
    if (auto alloc = event.getAs<StringAttr>("alloc"))
      events.push_back(llvm::json::Object{{"alloc", alloc.getValue()}});
    else if (auto free = event.getAs<IntegerAttr>("free"))
      events.push_back(llvm::json::Object{{"free", free.getInt()}});
  }
  return llvm::json::Object{
      {"symbols", std::move(symbols)},
      {"events", std::move(events)},
      {"complete", memory.getAs<BoolAttr>("complete").getValue()}};
}

llvm::json::Array valuesToJson(ArrayAttr values) {
  llvm::json::Array result;
  for (auto value : values.getAsRange<DictionaryAttr>()) {
    llvm::json::Object object;
    object["name"] = value.getAs<StringAttr>("name").getValue();
    object["dtype"] = value.getAs<StringAttr>("dtype").getValue();
    llvm::json::Array shape;
    for (int64_t d : value.getAs<DenseI64ArrayAttr>("shape").asArrayRef())
      shape.push_back(d);
    object["shape"] = std::move(shape);
    if (auto range = value.getAs<DenseI64ArrayAttr>("range"))
      object["range"] = llvm::json::Array{range[0], range[1]};
    if (auto ignore = value.getAs<IntegerAttr>("ignore_value"))
      object["ignore_value"] = ignore.getInt();
    if (auto names = value.getAs<ArrayAttr>("dim_names")) {
      llvm::json::Array list;
      for (auto n : names.getAsRange<StringAttr>())
        list.push_back(n.getValue());
      object["dim_names"] = std::move(list);
    }
    if (auto pack = value.getAs<DictionaryAttr>("pack")) {
      llvm::json::Array sources;
      auto shapes = pack.getAs<ArrayAttr>("source_shapes");
      for (auto [source, shape] :
           llvm::zip(pack.getAs<ArrayAttr>("sources"), shapes)) {
        llvm::json::Array dims;
        for (int64_t d : cast<DenseI64ArrayAttr>(shape).asArrayRef())
          dims.push_back(d);
        sources.push_back(
            llvm::json::Object{{"name", cast<StringAttr>(source).getValue()},
                               {"shape", std::move(dims)}});
      }
      llvm::json::Object packJson{
          {"sources", std::move(sources)},
          {"concat_dim", pack.getAs<IntegerAttr>("concat_dim").getInt()}};
      if (auto panel = pack.getAs<IntegerAttr>("panel"))
        packJson["panel"] = panel.getInt();
      object["pack"] = std::move(packJson);
    }
    if (auto derive = value.getAs<DictionaryAttr>("derive"))
      object["derive"] = llvm::json::Object{
          {"function", derive.getAs<StringAttr>("function").getValue()},
          {"output", derive.getAs<IntegerAttr>("output").getInt()}};
    if (auto max = value.getAs<DenseI64ArrayAttr>("dim_max")) {
      llvm::json::Array list;
      for (int64_t m : max.asArrayRef())
        list.push_back(m);
      object["dim_max"] = std::move(list);
    }
    if (auto min = value.getAs<DenseI64ArrayAttr>("dim_min")) {
      llvm::json::Array list;
      for (int64_t m : min.asArrayRef())
        list.push_back(m);
      object["dim_min"] = std::move(list);
    }
    if (auto fill = value.getAs<StringAttr>("default"))
      object["default"] = fill.getValue();
    result.push_back(std::move(object));
  }
  return result;
}

struct EncEmitEntryPointsPass
    : enc::impl::EncEmitEntryPointsBase<EncEmitEntryPointsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto functions = module->getAttrOfType<ArrayAttr>(kFunctionsAttrName);
    if (!functions) {
      module.emitError("module has no '")
          << kFunctionsAttrName << "' attribute; run enc-record-abi first";
      return signalPassFailure();
    }

    MLIRContext *ctx = &getContext();
    auto ptrType = LLVM::LLVMPointerType::get(ctx);
    auto entryType = LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(ctx),
                                                 {ptrType, ptrType});
    OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
    Location loc = module.getLoc();

    llvm::json::Array jsonFunctions;
    llvm::StringSet<> entryPoints;
    for (auto function : functions.getAsRange<DictionaryAttr>()) {
      StringRef name = function.getAs<StringAttr>("name").getValue();
      auto inputs = function.getAs<ArrayAttr>("inputs");
      auto params = function.getAs<ArrayAttr>("params");
      auto outputs = function.getAs<ArrayAttr>("outputs");
      std::string cifaceName = ("_mlir_ciface_" + name).str();
      auto ciface = module.lookupSymbol<LLVM::LLVMFuncOp>(cifaceName);
      if (!ciface) {
        module.emitError("no '")
            << cifaceName << "' for recorded function '" << name
            << "'; lower func to LLVM with llvm.emit_c_interface first";
        return signalPassFailure();
      }
      unsigned numArgs = inputs.size() + params.size();
      // The C interface returns results through a leading pointer.
      bool resultsFirst = !outputs.empty();
      if (ciface.getNumArguments() != numArgs + (resultsFirst ? 1 : 0)) {
        ciface.emitError("expected ")
            << numArgs << " descriptor arguments"
            << (resultsFirst ? " after the result pointer" : "") << ", got "
            << ciface.getNumArguments() << " arguments";
        return signalPassFailure();
      }

      std::string entryName = (ENC_ENTRY_POINT_PREFIX + name).str();
      auto entry =
          LLVM::LLVMFuncOp::create(b, ciface.getLoc(), entryName, entryType);
      entryPoints.insert(entryName);
      Block *body = entry.addEntryBlock(b);
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(body);
      Value args = body->getArgument(0), results = body->getArgument(1);
      SmallVector<Value> operands;
      if (resultsFirst)
        operands.push_back(results);
      for (unsigned i = 0; i < numArgs; ++i) {
        Value slot = LLVM::GEPOp::create(b, loc, ptrType, ptrType, args,
                                         ArrayRef<LLVM::GEPArg>{int32_t(i)});
        operands.push_back(LLVM::LoadOp::create(b, loc, ptrType, slot));
      }
      LLVM::CallOp::create(b, loc, ciface, operands);
      LLVM::ReturnOp::create(b, loc, ValueRange{});

      llvm::json::Object jsonFunction;
      jsonFunction["name"] = name;
      jsonFunction["entry"] = entryName;
      jsonFunction["inputs"] = valuesToJson(inputs);
      jsonFunction["params"] = valuesToJson(params);
      jsonFunction["outputs"] = valuesToJson(outputs);
      if (auto memory = function.getAs<DictionaryAttr>("memory"))
        jsonFunction["memory"] = memoryToJson(memory);
      if (function.get("internal"))
        jsonFunction["internal"] = true;
      jsonFunctions.push_back(std::move(jsonFunction));
    }

    // Export the entry points and the metadata only, and drop the enc
    // argument attributes, which mean nothing to LLVM.
    auto nameAttr = StringAttr::get(ctx, kNameAttrName);
    for (auto func : module.getOps<LLVM::LLVMFuncOp>()) {
      if (!func.isExternal() && !entryPoints.contains(func.getSymName()))
        func.setLinkage(LLVM::Linkage::Internal);
      // One array for all arguments (removing attribute by attribute would
      // rebuild it per argument, quadratic in the parameters).
      SmallVector<DictionaryAttr> argAttrs;
      for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i) {
        NamedAttrList attrs;
        if (DictionaryAttr existing = func.getArgAttrDict(i))
          attrs.assign(existing.getValue());
        for (StringRef attr :
             {kNameAttrName, kParamAttrName, kPackAttrName, kDeriveAttrName,
              kDimNamesAttrName, kDimMaxAttrName, kDimMinAttrName,
              kDefaultAttrName})
          attrs.erase(attr);
        argAttrs.push_back(attrs.getDictionary(ctx));
      }
      func.setAllArgAttrs(argAttrs);
      for (unsigned i = 0, e = func.getNumResults(); i < e; ++i)
        func.removeResultAttr(i, nameAttr);
    }

    llvm::json::Object target{{"kind", nameOf(targetKind)}};
    if (!targetTriple.empty())
      target["triple"] = targetTriple;
    if (!targetCpu.empty())
      target["cpu"] = targetCpu;
    if (!gpuArch.empty())
      target["gpu_arch"] = gpuArch;
    llvm::json::Object root{{"format", "encoder-artifact"},
                            {"abi_version", ENC_ARTIFACT_ABI_VERSION},
                            {"producer", "encoder-compile"},
                            {"target", std::move(target)},
                            {"functions", std::move(jsonFunctions)}};
    if (auto kernels = module->getAttrOfType<ArrayAttr>(kKernelsAttrName)) {
      root["kernels"] = kernelsToJson(kernels);
      module->removeAttr(kKernelsAttrName);
    }
    if (auto inlined =
            module->getAttrOfType<ArrayAttr>(kInlineKernelsAttrName)) {
      root["inline_kernels"] = kernelsToJson(inlined);
      module->removeAttr(kInlineKernelsAttrName);
    }
    // Every artifact exports the hooks, used or not: the runtime fills them
    // in without knowing which code reads them.
    getOrCreateRuntimeHooks(module);
    std::string json;
    llvm::raw_string_ostream(json) << llvm::json::Value(std::move(root));
    json.push_back('\0');
    auto arrayType =
        LLVM::LLVMArrayType::get(IntegerType::get(ctx, 8), json.size());
    LLVM::GlobalOp::create(b, loc, arrayType, /*isConstant=*/true,
                           LLVM::Linkage::External,
                           ENC_ARTIFACT_METADATA_SYMBOL, b.getStringAttr(json));
    module->removeAttr(kFunctionsAttrName);
  }
};

} // namespace
