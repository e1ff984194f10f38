//===- ApplyOpConfig.cpp - the enc-apply-op-config pass
//---------------------===//
//
// Per-op knobs from the command line, so that an experiment (another tile
// size, one fusion off) needs neither a rebuilt compiler nor edited IR. The
// knobs are ordinary discardable attributes: the command line only writes
// what a user could have written in the IR, and what is in the IR wins.
//
//===----------------------------------------------------------------------===//

#include "Enc/IR/EncAttributeNames.h"
#include "encoder/Graph/Passes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringExtras.h"

namespace mlir::enc {
#define GEN_PASS_DEF_ENCAPPLYOPCONFIG
#include "encoder/Graph/Passes.h.inc"
} // namespace mlir::enc

using namespace mlir;
using namespace mlir::enc;

namespace {

struct OpConfig {
  std::string opName;
  /// The N-th op of that name, or every one.
  std::optional<int64_t> occurrence;
  SmallVector<NamedAttribute> attributes;
};

FailureOr<OpConfig> parseEntry(MLIRContext *ctx, StringRef entry,
                               Location loc) {
  auto fail = [&](const Twine &why) {
    emitError(loc) << "enc-apply-op-config: '" << entry << "': " << why;
    return failure();
  };
  SmallVector<StringRef> parts;
  entry.split(parts, ':');
  if (parts.size() < 2)
    return fail("expected SELECTOR:KEY=VALUE");
  OpConfig config;
  auto [name, index] = parts[0].split('#');
  if (!name.contains('.'))
    return fail("the selector must be an op name such as enc.layer_norm");
  config.opName = name.str();
  if (!index.empty()) {
    int64_t n;
    if (index.getAsInteger(10, n) || n < 0)
      return fail("'#" + index + "' is not an occurrence number");
    config.occurrence = n;
  }
  Builder b(ctx);
  for (StringRef part : ArrayRef(parts).drop_front()) {
    auto [key, value] = part.split('=');
    if (key == "tile") {
      SmallVector<int64_t> sizes;
      SmallVector<StringRef> items;
      value.split(items, 'x');
      for (StringRef item : items) {
        int64_t size;
        if (item.getAsInteger(10, size) || size < 0)
          return fail("tile sizes are non-negative integers joined by 'x'");
        sizes.push_back(size);
      }
      config.attributes.push_back(
          b.getNamedAttr(kTileSizesAttrName, b.getDenseI64ArrayAttr(sizes)));
    } else if (key == "fuse") {
      if (value != "true" && value != "false")
        return fail("fuse is true or false");
      // fuse=true asks for the default, which is to fuse: no attribute.
      if (value == "false")
        config.attributes.push_back(
            b.getNamedAttr(kNoFuseAttrName, b.getUnitAttr()));
    } else {
      return fail("unknown key '" + key + "' (known: tile, fuse)");
    }
  }
  return config;
}

struct EncApplyOpConfigPass
    : enc::impl::EncApplyOpConfigBase<EncApplyOpConfigPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<OpConfig> configs;
    for (const std::string &entry : config) {
      FailureOr<OpConfig> parsed =
          parseEntry(&getContext(), entry, module.getLoc());
      if (failed(parsed))
        return signalPassFailure();
      configs.push_back(std::move(*parsed));
    }
    if (configs.empty())
      return;

    llvm::StringMap<int64_t> seen;
    SmallVector<bool> matched(configs.size(), false);
    module.walk([&](Operation *op) {
      StringRef name = op->getName().getStringRef();
      int64_t occurrence = seen[name]++;
      for (auto [i, config] : llvm::enumerate(configs)) {
        if (config.opName != name ||
            (config.occurrence && *config.occurrence != occurrence))
          continue;
        matched[i] = true;
        for (const NamedAttribute &attr : config.attributes)
          if (!op->getDiscardableAttr(attr.getName()))
            op->setDiscardableAttr(attr.getName(), attr.getValue());
      }
    });
    // A selector that matches nothing is a typo, not a no-op. The error
    // names the ops there are; it is not attached to the module, which
    // MLIR would print whole.
    for (auto [i, config] : llvm::enumerate(configs)) {
      if (matched[i])
        continue;
      InFlightDiagnostic error =
          mlir::emitError(module.getLoc())
          << "enc-apply-op-config: no op matches '" << config.opName
          << (config.occurrence ? "#" + std::to_string(*config.occurrence)
                                : std::string())
          << "'";
      auto count = seen.find(config.opName);
      if (config.occurrence && count != seen.end()) {
        error << " (the model has " << count->second << " " << config.opName
              << " ops: #0 to #" << count->second - 1 << ")";
      } else {
        SmallVector<StringRef> names;
        for (const auto &entry : seen)
          if (entry.getKey().starts_with("enc."))
            names.push_back(entry.getKey());
        llvm::sort(names);
        error << " (the model's enc ops: " << llvm::join(names, ", ") << ")";
      }
      return signalPassFailure();
    }
  }
};

} // namespace
