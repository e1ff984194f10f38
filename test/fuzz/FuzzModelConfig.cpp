//===- FuzzModelConfig.cpp - config.json to enc IR
//-------------------------===//
//
// The model-config frontend on arbitrary config.json text, beside a fixed
// small model.safetensors header (BERT's names under a "bert." prefix) so
// that the checkpoint-dependent choices run too. The first byte picks the
// frontend options (pooling, normalization, audio input). Whatever the
// frontend builds must verify: a config that builds invalid IR is a bug.
//
//===----------------------------------------------------------------------===//

#include "FuzzSupport.h"

#include "encoder/Frontend/Frontend.h"
#include "encoder/InitAll.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"

#include <cstring>

using namespace encoder_fuzz;

namespace {

std::string checkpointHeader() {
  std::string Header =
      "{\"bert.embeddings.word_embeddings.weight\":{\"dtype\":\"F32\","
      "\"shape\":[0],\"data_offsets\":[0,0]},"
      "\"bert.pooler.dense.weight\":{\"dtype\":\"F32\",\"shape\":[0],"
      "\"data_offsets\":[0,0]}}";
  std::string Bytes(8, '\0');
  uint64_t Length = Header.size();
  std::memcpy(Bytes.data(), &Length, 8);
  return Bytes + Header;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  static mlir::MLIRContext *Context = [] {
    mlir::DialectRegistry Registry;
    mlir::enc::registerAllDialects(Registry);
    auto *C = new mlir::MLIRContext(Registry);
    C->loadAllAvailableDialects();
    C->disableMultithreading();
    return C;
  }();
  static const bool Written =
      (writeScratch("model.safetensors", checkpointHeader()), true);
  (void)Written;
  if (Size == 0)
    return 0;
  mlir::enc::FrontendOptions Options;
  Options.pool = static_cast<mlir::enc::SentencePooling>(Data[0] % 3);
  Options.normalize = Data[0] & 4;
  Options.audioInput = Data[0] & 8;
  writeScratch("config.json", Data + 1, Size - 1);
  // Diagnostics are expected; they must not reach stderr 10^6 times.
  mlir::ScopedDiagnosticHandler Quiet(
      Context, [](mlir::Diagnostic &) { return mlir::success(); });
  std::string Error;
  mlir::OwningOpRef<mlir::ModuleOp> Module =
      mlir::enc::importModelConfig(Context, scratchDirectory(), Options, Error);
  if (!Module) {
    if (Error.empty())
      std::abort(); // a refusal always says why
    return 0;
  }
  if (mlir::failed(mlir::verify(*Module)))
    std::abort(); // the frontend built invalid IR
  return 0;
}
