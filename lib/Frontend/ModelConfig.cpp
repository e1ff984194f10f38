//===- ModelConfig.cpp - reading config.json and checkpoint names
//-----------===//

#include "ModelConfig.h"

#include "encoder/Support/FileKind.h"

#include <cmath>
#include <cstdio>

#include "llvm/Support/Endian.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

using namespace mlir;
using namespace mlir::enc::frontend;

void ConfigReader::missing(StringRef key, StringRef expected) {
  if (!error->empty())
    return;
  *error = where + ": " +
           (object.get(key) ? "key '" + key.str() + "' is not " + expected.str()
                            : "missing key '" + key.str() + "'") +
           " (needed for model_type " + modelType + ")";
}

void ConfigReader::invalid(StringRef key, const Twine &why) {
  if (error->empty())
    *error =
        (where + ": " + key + " " + why + " (model_type " + modelType + ")")
            .str();
}

/// Integer keys that may be 0: token ids, a vocabulary of token types that
/// is absent, and layer counts (an encoder of embeddings alone is valid).
/// Every other integer of a config is a size or a count and must be
/// positive; none may be negative.
static constexpr int64_t kMaxConfigInteger = int64_t(1) << 31;

static bool mayBeZero(StringRef key) {
  return key.ends_with("_token_id") || key == "type_vocab_size" ||
         key == "num_hidden_layers" || key == "n_layers" ||
         key == "encoder_layers" || key == "decoder_num_hidden_layers";
}

int64_t ConfigReader::integer(StringRef key) {
  std::optional<int64_t> value = object.getInteger(key);
  if (!value) {
    missing(key, "an integer");
    return 0;
  }
  if (*value < 0 || (*value == 0 && !mayBeZero(key))) {
    invalid(key, "must be a " +
                     Twine(mayBeZero(key) ? "non-negative" : "positive") +
                     " integer, got " + Twine(*value));
    return 0;
  }
  // No real model comes near; the bound keeps products of two sizes (the
  // builders multiply heads by head sizes, grids by grids) inside int64.
  if (*value > kMaxConfigInteger) {
    invalid(key, "(" + Twine(*value) + ") must be at most " +
                     Twine(kMaxConfigInteger));
    return 0;
  }
  return *value;
}

/// "-5", "1e-12": a number as a config would spell it.
static std::string shortNumber(double value) {
  char text[32];
  std::snprintf(text, sizeof(text), "%g", value);
  return text;
}

double ConfigReader::number(StringRef key) {
  std::optional<double> value = object.getNumber(key);
  if (!value) {
    missing(key, "a number");
    return 0.0;
  }
  // Epsilons and ratios of sizes are positive; a mask ratio keeps some
  // patches (found by the model-config fuzzer: a negative layer_norm_eps
  // built IR that did not verify).
  bool fraction = key == "mask_ratio";
  bool positive =
      !fraction && (key.ends_with("_eps") || key.ends_with("_epsilon") ||
                    key.ends_with("_ratio"));
  if (!std::isfinite(*value) || (positive && !(*value > 0)) ||
      (fraction && !(*value >= 0 && *value < 1))) {
    invalid(key, "must be " +
                     Twine(fraction   ? "in [0, 1)"
                           : positive ? "a positive number"
                                      : "a finite number") +
                     ", got " + shortNumber(*value));
    return 0.0;
  }
  return *value;
}

std::string ConfigReader::string(StringRef key) {
  if (std::optional<StringRef> value = object.getString(key))
    return value->str();
  missing(key, "a string");
  return "";
}

std::optional<int64_t> ConfigReader::optionalSize(StringRef key) {
  if (!object.get(key) || object.get(key)->kind() == llvm::json::Value::Null)
    return std::nullopt;
  std::optional<int64_t> value = object.getInteger(key);
  if (!value) {
    missing(key, "an integer");
    return std::nullopt;
  }
  if (*value <= 0)
    return std::nullopt;
  return *value;
}

int64_t ConfigReader::integer(StringRef key, int64_t fallback) {
  return object.get(key) ? integer(key) : fallback;
}

double ConfigReader::number(StringRef key, double fallback) {
  return object.get(key) ? number(key) : fallback;
}

bool ConfigReader::boolean(StringRef key, bool fallback) {
  if (!object.get(key))
    return fallback;
  if (std::optional<bool> value = object.getBoolean(key))
    return *value;
  missing(key, "a boolean");
  return fallback;
}

std::string ConfigReader::string(StringRef key, StringRef fallback) {
  const llvm::json::Value *value = object.get(key);
  if (!value || value->kind() == llvm::json::Value::Null)
    return fallback.str();
  return string(key);
}

SmallVector<int64_t> ConfigReader::integers(StringRef key) {
  SmallVector<int64_t> result;
  const llvm::json::Array *array = object.getArray(key);
  if (!array) {
    missing(key, "a list of integers");
    return result;
  }
  for (const llvm::json::Value &element : *array) {
    std::optional<int64_t> value = element.getAsInteger();
    if (!value) {
      missing(key, "a list of integers");
      return {};
    }
    if (*value <= 0 || *value > kMaxConfigInteger) {
      invalid(key, "must hold positive integers up to " +
                       Twine(kMaxConfigInteger) + ", got " + Twine(*value));
      return {};
    }
    result.push_back(*value);
  }
  return result;
}

SmallVector<std::string> ConfigReader::stringList(StringRef key,
                                                  char separator) {
  SmallVector<std::string> result;
  const llvm::json::Value *value = object.get(key);
  if (!value || value->kind() == llvm::json::Value::Null)
    return result;
  if (std::optional<StringRef> joined = value->getAsString()) {
    SmallVector<StringRef> parts;
    joined->split(parts, separator, -1, /*KeepEmpty=*/false);
    for (StringRef part : parts)
      result.push_back(part.trim().str());
    return result;
  }
  if (const llvm::json::Array *array = value->getAsArray()) {
    for (const llvm::json::Value &element : *array) {
      std::optional<StringRef> item = element.getAsString();
      if (!item) {
        missing(key, "a list of strings");
        return {};
      }
      result.push_back(item->str());
    }
    return result;
  }
  missing(key, "a list of strings");
  return {};
}

std::optional<ConfigReader> ConfigReader::nested(StringRef key) {
  const llvm::json::Object *child = object.getObject(key);
  if (!child) {
    missing(key, "an object");
    return std::nullopt;
  }
  ConfigReader reader(*child, where + ": " + key.str(), modelType);
  reader.error = error; // one error for the whole config
  return reader;
}

/// The tensor names in the header of safetensors file `path`.
static LogicalResult readSafetensorsNames(StringRef path,
                                          llvm::StringSet<> &names,
                                          std::string &error) {
  auto fail = [&](const Twine &why) {
    error = ("'" + path + "' " + why).str();
    return failure();
  };
  auto file = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                          /*RequiresNullTerminator=*/false);
  if (!file)
    return fail("cannot be read: " + file.getError().message());
  StringRef bytes = (*file)->getBuffer();
  std::string kind = encoder::nonSafetensorsKind(
      reinterpret_cast<const unsigned char *>(bytes.data()),
      std::min<size_t>(bytes.size(), 64), bytes.size());
  if (!kind.empty())
    return fail("is " + kind + ", not safetensors");
  if (bytes.size() < 8)
    return fail("is not a safetensors file: shorter than its 8-byte header "
                "length");
  uint64_t length = llvm::support::endian::read64le(bytes.data());
  if (length > bytes.size() - 8)
    return fail("is truncated: header says " + Twine(length) +
                " bytes, the file has " + Twine(bytes.size() - 8));
  llvm::Expected<llvm::json::Value> header =
      llvm::json::parse(bytes.substr(8, length));
  if (!header)
    return fail("has a header that is not valid JSON: " +
                llvm::toString(header.takeError()));
  const llvm::json::Object *tensors = header->getAsObject();
  if (!tensors)
    return fail("has a header that is not a JSON object");
  for (const auto &entry : *tensors)
    if (entry.first != "__metadata__")
      names.insert(entry.first.str());
  return success();
}

/// The tensor names a sharded checkpoint's index maps to its shards.
static LogicalResult readIndexNames(StringRef path, llvm::StringSet<> &names,
                                    std::string &error) {
  auto file = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!file) {
    error =
        ("'" + path + "' cannot be read: " + file.getError().message()).str();
    return failure();
  }
  llvm::Expected<llvm::json::Value> index =
      llvm::json::parse((*file)->getBuffer());
  if (!index) {
    error = ("'" + path +
             "' is not valid JSON: " + llvm::toString(index.takeError()))
                .str();
    return failure();
  }
  const llvm::json::Object *map =
      index->getAsObject() ? index->getAsObject()->getObject("weight_map")
                           : nullptr;
  if (!map) {
    error = ("'" + path + "' has no object \"weight_map\"").str();
    return failure();
  }
  for (const auto &entry : *map)
    names.insert(entry.first.str());
  return success();
}

FailureOr<CheckpointNames> CheckpointNames::read(StringRef directory,
                                                 std::string &error) {
  CheckpointNames result;
  auto inDirectory = [&](StringRef name) {
    SmallString<256> joined(directory);
    llvm::sys::path::append(joined, name);
    return joined;
  };
  SmallString<256> single = inDirectory("model.safetensors");
  SmallString<256> index = inDirectory("model.safetensors.index.json");
  if (llvm::sys::fs::exists(single)) {
    if (failed(readSafetensorsNames(single, result.names, error)))
      return failure();
    return result;
  }
  if (llvm::sys::fs::exists(index)) {
    if (failed(readIndexNames(index, result.names, error)))
      return failure();
    return result;
  }
  for (StringRef pickle : {"pytorch_model.bin", "pytorch_model.bin.index.json"})
    if (llvm::sys::fs::exists(inDirectory(pickle))) {
      error = ("'" + directory + "' has " + pickle +
               " but no model.safetensors: the compiler and the runtime do "
               "not load pickles (they can run code); convert the checkpoint "
               "to safetensors (transformers: save_pretrained(dir, "
               "safe_serialization=True))")
                  .str();
      return failure();
    }
  return result;
}

std::string CheckpointNames::prefixOf(StringRef anchor) const {
  // The shortest, so the answer does not depend on hash order when a head
  // repeats the anchor deeper down.
  std::optional<StringRef> best;
  for (const auto &entry : names) {
    StringRef name = entry.getKey();
    if (!name.ends_with(anchor))
      continue;
    StringRef prefix = name.drop_back(anchor.size());
    if (!prefix.empty() && !prefix.ends_with("."))
      continue;
    if (!best || prefix.size() < best->size())
      best = prefix;
  }
  return best ? best->str() : "";
}
