//===- ModelConfig.cpp - reading config.json and checkpoint names -----------===//

#include "ModelConfig.h"

#include "llvm/Support/Endian.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"

using namespace mlir;
using namespace mlir::enc::frontend;

void ConfigReader::missing(StringRef key, StringRef expected) {
  if (!error->empty())
    return;
  *error = where + ": " +
           (object.get(key) ? "key '" + key.str() + "' is not " +
                                  expected.str()
                            : "missing key '" + key.str() + "'") +
           " (needed for model_type " + modelType + ")";
}

void ConfigReader::invalid(StringRef key, const Twine &why) {
  if (error->empty())
    *error = (where + ": " + key + " " + why + " (model_type " + modelType +
              ")")
                 .str();
}

int64_t ConfigReader::integer(StringRef key) {
  if (std::optional<int64_t> value = object.getInteger(key))
    return *value;
  missing(key, "an integer");
  return 0;
}

double ConfigReader::number(StringRef key) {
  if (std::optional<double> value = object.getNumber(key))
    return *value;
  missing(key, "a number");
  return 0.0;
}

std::string ConfigReader::string(StringRef key) {
  if (std::optional<StringRef> value = object.getString(key))
    return value->str();
  missing(key, "a string");
  return "";
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
    result.push_back(*value);
  }
  return result;
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

FailureOr<CheckpointNames> CheckpointNames::read(StringRef path,
                                                 std::string &error) {
  CheckpointNames result;
  if (!llvm::sys::fs::exists(path))
    return result;
  auto fail = [&](const Twine &why) {
    error = ("'" + path + "' " + why).str();
    return failure();
  };
  auto file = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                          /*RequiresNullTerminator=*/false);
  if (!file)
    return fail("cannot be read: " + file.getError().message());
  StringRef bytes = (*file)->getBuffer();
  if (bytes.size() < 8)
    return fail("is not a safetensors file: shorter than its 8-byte header "
                "length");
  uint64_t length =
      llvm::support::endian::read64le(bytes.data());
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
      result.names.insert(entry.first.str());
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
