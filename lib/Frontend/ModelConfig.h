//===- ModelConfig.h - reading config.json and checkpoint names -*- C++ -*-===//
//
// ConfigReader reads the keys a family needs and remembers the first one
// that is missing or malformed, so a builder reads all its keys and checks
// once. CheckpointNames is the list of tensor names in model.safetensors
// (read from its header only), to settle naming details a config does not
// give.
//
//===----------------------------------------------------------------------===//

#ifndef ENCODER_LIB_FRONTEND_MODELCONFIG_H
#define ENCODER_LIB_FRONTEND_MODELCONFIG_H

#include "mlir/Support/LLVM.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/JSON.h"

#include <optional>
#include <string>

namespace mlir::enc::frontend {

class ConfigReader {
public:
  /// `where` names the object in messages ("config.json",
  /// "config.json: text_config").
  ConfigReader(const llvm::json::Object &object, std::string where,
               std::string modelType)
      : object(object), where(std::move(where)),
        modelType(std::move(modelType)) {}

  /// A required key; records an error (and returns 0 / "") when missing.
  int64_t integer(StringRef key);
  double number(StringRef key);
  std::string string(StringRef key);
  /// An optional key with a default.
  int64_t integer(StringRef key, int64_t fallback);
  double number(StringRef key, double fallback);
  bool boolean(StringRef key, bool fallback);
  std::string string(StringRef key, StringRef fallback);
  /// An optional size whose absence, 0 or a negative value means "none"
  /// (DeBERTa's position_buckets and max_relative_positions spell it -1).
  std::optional<int64_t> optionalSize(StringRef key);
  /// A list of integers (conv_dim, conv_kernel, ...).
  SmallVector<int64_t> integers(StringRef key);
  /// An optional list of strings, also accepted as one string joined by
  /// `separator` (DeBERTa's pos_att_type: ["p2c", "c2p"] or "p2c|c2p").
  SmallVector<std::string> stringList(StringRef key, char separator);
  /// A nested object (text_config, vision_config).
  std::optional<ConfigReader> nested(StringRef key);

  /// Records a problem with the value of `key` (e.g. heads that do not
  /// divide the hidden size).
  void invalid(StringRef key, const Twine &why);

  bool ok() const { return error->empty(); }
  const std::string &getError() const { return *error; }

private:
  void missing(StringRef key, StringRef expected);

  const llvm::json::Object &object;
  std::string where;
  std::string modelType;
  std::shared_ptr<std::string> error = std::make_shared<std::string>();
};

/// Tensor names of a checkpoint: its model.safetensors' header, or the
/// weight_map of a sharded checkpoint's model.safetensors.index.json.
class CheckpointNames {
public:
  /// Reads the names of the checkpoint in `directory`; with none there the
  /// set is empty and the frontend assumes the layout of Hugging Face's
  /// base model classes. A directory holding only a pickled checkpoint
  /// (pytorch_model.bin) is an error.
  static FailureOr<CheckpointNames> read(StringRef directory,
                                         std::string &error);

  bool empty() const { return names.empty(); }
  bool contains(StringRef name) const { return names.contains(name); }

  /// The prefix before `anchor` in the checkpoint ("bert." for
  /// "bert.embeddings.word_embeddings.weight"), or "" when absent.
  std::string prefixOf(StringRef anchor) const;

private:
  llvm::StringSet<> names;
};

} // namespace mlir::enc::frontend

#endif // ENCODER_LIB_FRONTEND_MODELCONFIG_H
