//===- Frontend.cpp - enc IR from Hugging Face style model configs
//----------===//

#include "encoder/Frontend/Frontend.h"

#include "Families.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

using namespace mlir;
using namespace mlir::enc;
using namespace mlir::enc::frontend;

namespace {

using Builder = LogicalResult (*)(FamilyContext &);

struct Family {
  StringRef modelType;
  Builder build;
};

const Family kFamilies[] = {
    {"bert", buildTextEncoder},          {"roberta", buildTextEncoder},
    {"distilbert", buildTextEncoder},    {"electra", buildTextEncoder},
    {"albert", buildTextEncoder},        {"vit", buildVisionEncoder},
    {"dinov2", buildVisionEncoder},      {"vit_mae", buildVisionEncoder},
    {"clip", buildDualEncoder},          {"siglip", buildDualEncoder},
    {"wav2vec2", buildAudioEncoder},     {"whisper", buildAudioEncoder},
    {"hubert", buildAudioEncoder},       {"t5", buildSeq2SeqEncoder},
    {"mt5", buildSeq2SeqEncoder},        {"bart", buildSeq2SeqEncoder},
    {"deberta-v2", buildDebertaEncoder}, {"swin", buildSwinEncoder},
    {"xlnet", buildXlnetEncoder},
};

} // namespace

ArrayRef<StringRef> mlir::enc::supportedModelTypes() {
  static const SmallVector<StringRef> types = [] {
    SmallVector<StringRef> result;
    for (const Family &family : kFamilies)
      result.push_back(family.modelType);
    return result;
  }();
  return types;
}

bool mlir::enc::isModelConfigPath(StringRef path) {
  return llvm::sys::fs::is_directory(path) || path.ends_with(".json");
}

std::string frontend::checkpointPrefix(const FamilyContext &ctx,
                                       StringRef anchor, StringRef fallback) {
  if (ctx.checkpoint.empty())
    return fallback.str();
  return ctx.checkpoint.prefixOf(anchor);
}

ActivationKind frontend::activationFromConfig(ConfigReader &config,
                                              StringRef key,
                                              StringRef fallback) {
  std::string name = config.string(key, fallback);
  FailureOr<ActivationKind> kind = activationNamed(name);
  if (failed(kind)) {
    config.invalid(key, "'" + name +
                            "' is not an activation the compiler knows "
                            "(gelu, gelu_new, gelu_pytorch_tanh, quick_gelu, "
                            "relu, silu, tanh)");
    return ActivationKind::gelu;
  }
  return *kind;
}

void frontend::checkHeads(ConfigReader &config, int64_t hidden, int64_t heads,
                          StringRef hiddenKey, StringRef headsKey) {
  if (heads <= 0 || hidden <= 0 || hidden % heads != 0)
    config.invalid(headsKey, "(" + Twine(heads) + ") must divide " + hiddenKey +
                                 " (" + Twine(hidden) + ")");
}

SmallVector<InputSpec>
frontend::textInputs(MLIRContext *ctx, int64_t maxSequence, bool tokenTypes) {
  auto ids =
      RankedTensorType::get({kDynamic, kDynamic}, IntegerType::get(ctx, 64));
  SmallVector<int64_t> bounds = {-1, maxSequence};
  SmallVector<InputSpec> inputs = {
      {"input_ids", ids, {"batch", "sequence"}, bounds},
      {"attention_mask", ids, {"batch", "sequence"}, bounds, "ones"}};
  if (tokenTypes)
    inputs.push_back(
        {"token_type_ids", ids, {"batch", "sequence"}, bounds, "zeros"});
  return inputs;
}

bool frontend::addSentencePooling(FamilyContext &ctx, GraphBuilder &g,
                                  ModelFunction &fn, Value hidden, Value mask) {
  if (ctx.options.pool == SentencePooling::none)
    return false;
  Value pooled = ctx.options.pool == SentencePooling::cls
                     ? g.pool(PoolKind::cls, hidden)
                     : g.pool(PoolKind::mean, hidden, mask);
  if (ctx.options.normalize)
    pooled = g.l2Normalize(pooled);
  fn.addOutput("sentence_embedding", pooled);
  return true;
}

OwningOpRef<ModuleOp>
mlir::enc::importModelConfig(MLIRContext *context, StringRef path,
                             const FrontendOptions &options,
                             std::string &error) {
  SmallString<256> configPath(path);
  SmallString<256> directory(path);
  if (llvm::sys::fs::is_directory(path))
    llvm::sys::path::append(configPath, "config.json");
  else
    llvm::sys::path::remove_filename(directory);

  auto file = llvm::MemoryBuffer::getFile(configPath, /*IsText=*/true);
  if (!file) {
    error = ("cannot read '" + configPath + "': " + file.getError().message())
                .str();
    return nullptr;
  }
  llvm::Expected<llvm::json::Value> json =
      llvm::json::parse((*file)->getBuffer());
  if (!json) {
    error = ("'" + configPath +
             "' is not valid JSON: " + llvm::toString(json.takeError()))
                .str();
    return nullptr;
  }
  const llvm::json::Object *object = json->getAsObject();
  if (!object) {
    error = ("'" + configPath + "' is not a JSON object").str();
    return nullptr;
  }
  std::optional<StringRef> modelType = object->getString("model_type");
  if (!modelType) {
    error = ("'" + configPath + "' has no \"model_type\"").str();
    return nullptr;
  }
  const Family *family = llvm::find_if(
      kFamilies, [&](const Family &f) { return f.modelType == *modelType; });
  if (family == std::end(kFamilies)) {
    error = ("'" + configPath + "': model_type '" + *modelType +
             "' is not supported; supported: " +
             llvm::join(supportedModelTypes(), ", "))
                .str();
    return nullptr;
  }

  // Options that only some families have are errors elsewhere, not
  // silently ignored.
  bool textFamily = family->build == buildTextEncoder ||
                    family->build == buildSeq2SeqEncoder ||
                    family->build == buildDebertaEncoder ||
                    family->build == buildXlnetEncoder;
  if (options.pool != SentencePooling::none && !textFamily) {
    error = ("'" + configPath +
             "': --pool pools the last hidden state of a text encoder (bert, "
             "roberta, distilbert, electra, albert, t5, mt5, bart, "
             "deberta-v2, xlnet); "
             "model_type '" +
             *modelType + "' is not one")
                .str();
    return nullptr;
  }
  if (options.audioInput && *modelType != "whisper") {
    error = ("'" + configPath +
             "': --audio-input computes Whisper's log-mel features in the "
             "artifact; model_type '" +
             *modelType + "' is not whisper")
                .str();
    return nullptr;
  }

  FailureOr<CheckpointNames> checkpoint =
      CheckpointNames::read(directory, error);
  if (failed(checkpoint))
    return nullptr;

  OwningOpRef<ModuleOp> module =
      ModuleOp::create(FileLineColLoc::get(context, configPath, 0, 0));
  ConfigReader config(*object, ("'" + configPath + "'").str(),
                      modelType->str());
  FamilyContext ctx{*module, family->modelType, config, *checkpoint, options};
  if (failed(family->build(ctx)) || !config.ok()) {
    error = config.ok() ? ("'" + configPath + "': unsupported model").str()
                        : config.getError();
    return nullptr;
  }
  return module;
}
