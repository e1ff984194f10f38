//===- LoweringTarget.cpp - the registry of lowering targets
//----------------===//
//
// One factory per target kind, registered by the target's own library
// (registerCPULoweringTarget, registerCUDALoweringTarget) when the tools
// register their passes. A mutex guards the table: registration and pass
// runs may overlap in a process that compiles on several threads.
//
//===----------------------------------------------------------------------===//

#include "encoder/Conversion/Passes.h"

#include "Enc/IR/EncAttributeNames.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"

#include <mutex>

using namespace mlir;
using namespace mlir::enc;

LoweringTarget::~LoweringTarget() = default;

namespace {
struct Registry {
  std::mutex mutex;
  LoweringTargetFactory factories[2] = {nullptr, nullptr};
};
Registry &registry() {
  static Registry instance;
  return instance;
}
} // namespace

void mlir::enc::registerLoweringTarget(TargetKind kind,
                                       LoweringTargetFactory factory) {
  Registry &r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  r.factories[static_cast<int>(kind)] = factory;
}

std::unique_ptr<LoweringTarget> mlir::enc::createLoweringTarget(
    TargetKind kind, const LoweringTargetOptions &options, std::string &error) {
  LoweringTargetFactory factory;
  {
    Registry &r = registry();
    std::lock_guard<std::mutex> lock(r.mutex);
    factory = r.factories[static_cast<int>(kind)];
  }
  if (!factory) {
    error = ("no lowering target '" + nameOf(kind) +
             "' is registered (mlir::enc::registerAllPasses registers them)")
                .str();
    return nullptr;
  }
  return factory(options, error);
}

DictionaryAttr mlir::enc::getCPUKernelsAttr(MLIRContext *context,
                                            const CPUKernelParams &params,
                                            KernelParamsSource source) {
  Builder b(context);
  SmallVector<NamedAttribute> fields;
  for (const CPUKernelParamField &field : kCPUKernelParamFields)
    fields.push_back(
        b.getNamedAttr(field.name, b.getI64IntegerAttr(params.*field.member)));
  fields.push_back(b.getNamedAttr("source", b.getStringAttr(nameOf(source))));
  return b.getDictionaryAttr(fields);
}

LogicalResult mlir::enc::readCPUKernelsAttr(Operation *module,
                                            LoweringTargetOptions &options) {
  auto dictionary = module->getAttrOfType<DictionaryAttr>(kCPUKernelsAttrName);
  if (!dictionary) {
    if (module->hasAttr(kCPUKernelsAttrName))
      return module->emitError(kCPUKernelsAttrName) << " must be a dictionary";
    return success();
  }
  CPUKernelParams params;
  for (const CPUKernelParamField &field : kCPUKernelParamFields) {
    auto value = dictionary.getAs<IntegerAttr>(field.name);
    if (!value || value.getInt() < 1)
      return module->emitError(kCPUKernelsAttrName)
             << " needs a positive integer '" << field.name << "'";
    params.*field.member = value.getInt();
  }
  if (params.attentionQueryBlock > kMaxAttentionBlock ||
      params.attentionKeyBlock > kMaxAttentionBlock)
    return module->emitError(kCPUKernelsAttrName)
           << ": attention blocks are at most " << kMaxAttentionBlock
           << " rows or keys";
  KernelParamsSource source = KernelParamsSource::model;
  if (auto name = dictionary.getAs<StringAttr>("source")) {
    if (name.getValue() == "record")
      source = KernelParamsSource::record;
    else if (name.getValue() == "explicit")
      source = KernelParamsSource::explicitOption;
    else if (name.getValue() != "model")
      return module->emitError(kCPUKernelsAttrName)
             << " source must be model, record or explicit, got "
             << name.getValue();
  }
  options.cpuKernels = params;
  options.cpuKernelsSource = source;
  return success();
}
