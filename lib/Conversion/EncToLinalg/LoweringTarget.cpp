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
