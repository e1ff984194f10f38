//===- Frontend.h - enc IR from Hugging Face style model configs -*- C++
//-*-===//
//
// Builds the `enc` module of a model described by a Hugging Face `config.json`
// (a checkpoint directory, or the config file itself). Parameter names are
// the checkpoint's tensor names, so its `model.safetensors` binds unchanged;
// when the directory holds one, its header decides naming details (a
// `bert.` prefix, weight-norm spellings, optional heads). Batch and sequence
// length stay dynamic, bounded by the config's maximum, and the bounds go
// into the artifact's metadata.
//
//===----------------------------------------------------------------------===//

#ifndef ENCODER_FRONTEND_FRONTEND_H
#define ENCODER_FRONTEND_FRONTEND_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Support/LLVM.h"

#include <string>

namespace mlir::enc {

/// A Sentence-BERT style head on top of a text encoder.
enum class SentencePooling { none, cls, mean };

struct FrontendOptions {
  /// Pool the last hidden state into `sentence_embedding` (text encoders).
  SentencePooling pool = SentencePooling::none;
  /// L2-normalize the sentence embedding.
  bool normalize = false;
  /// Whisper: take 16 kHz audio and compute the log-mel features in the
  /// artifact, instead of taking the features.
  bool audioInput = false;
  /// ONNX models: where the importer writes the initializers (safetensors);
  /// empty: nowhere.
  std::string weightsOutput;
};

/// True when `path` is a directory or a file named `*.json`.
bool isModelConfigPath(StringRef path);

/// The model types the frontend builds, for messages and --help.
ArrayRef<StringRef> supportedModelTypes();

/// Builds the module for the model at `path` (a directory holding
/// config.json, or a config file). On failure returns null and sets `error`
/// to one line naming the file and the problem.
OwningOpRef<ModuleOp> importModelConfig(MLIRContext *context, StringRef path,
                                        const FrontendOptions &options,
                                        std::string &error);

} // namespace mlir::enc

#endif // ENCODER_FRONTEND_FRONTEND_H
