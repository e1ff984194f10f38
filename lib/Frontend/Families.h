//===- Families.h - the model families the frontend builds -----*- C++ -*-===//
//
// One builder per group of families. Each reads its config keys through
// `config` (which also carries the first error), names parameters as the
// checkpoint does (`checkpoint`, possibly empty), and adds one public
// function `main` to `module`.
//
//===----------------------------------------------------------------------===//

#ifndef ENCODER_LIB_FRONTEND_FAMILIES_H
#define ENCODER_LIB_FRONTEND_FAMILIES_H

#include "GraphBuilder.h"
#include "ModelConfig.h"

#include "encoder/Frontend/Frontend.h"

namespace mlir::enc::frontend {

struct FamilyContext {
  ModuleOp module;
  StringRef modelType;
  ConfigReader &config;
  const CheckpointNames &checkpoint;
  const FrontendOptions &options;
};

/// bert, roberta, distilbert, electra, albert.
LogicalResult buildTextEncoder(FamilyContext &ctx);
/// vit, dinov2, vit_mae.
LogicalResult buildVisionEncoder(FamilyContext &ctx);
/// clip, siglip.
LogicalResult buildDualEncoder(FamilyContext &ctx);
/// wav2vec2, hubert, whisper.
LogicalResult buildAudioEncoder(FamilyContext &ctx);
/// t5, mt5, bart: the encoders of encoder-decoder models.
LogicalResult buildSeq2SeqEncoder(FamilyContext &ctx);
/// deberta-v2 (DeBERTa-v2 and v3).
LogicalResult buildDebertaEncoder(FamilyContext &ctx);
/// swin.
LogicalResult buildSwinEncoder(FamilyContext &ctx);
/// xlnet.
LogicalResult buildXlnetEncoder(FamilyContext &ctx);

/// The checkpoint prefix before `anchor`, or `fallback` without a
/// checkpoint ("bert." for "bert.embeddings.word_embeddings.weight").
std::string checkpointPrefix(const FamilyContext &ctx, StringRef anchor,
                             StringRef fallback = "");

/// A text encoder's inputs: input_ids, attention_mask (default ones) and,
/// with `tokenTypes`, token_type_ids (default zeros), all [batch, sequence]
/// i64 with the sequence at most `maxSequence` (-1: unbounded).
SmallVector<InputSpec> textInputs(MLIRContext *ctx, int64_t maxSequence,
                                  bool tokenTypes = false);

/// Reads `hidden_act` (or `key`) as an activation kind.
ActivationKind activationFromConfig(ConfigReader &config, StringRef key,
                                    StringRef fallback);

/// Requires `heads` to divide `hidden`.
void checkHeads(ConfigReader &config, int64_t hidden, int64_t heads,
                StringRef hiddenKey, StringRef headsKey);

/// Sentence-BERT pooling of `hidden` ([batch, seq, dim]) per the options;
/// adds `sentence_embedding`. Returns false when no pooling was asked for.
bool addSentencePooling(FamilyContext &ctx, GraphBuilder &g, ModelFunction &fn,
                        Value hidden, Value mask);

} // namespace mlir::enc::frontend

#endif // ENCODER_LIB_FRONTEND_FAMILIES_H
