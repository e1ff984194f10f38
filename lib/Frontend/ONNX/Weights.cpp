//===- Weights.cpp - the initializers as a safetensors file ---------------===//

#include "Importer.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>

using namespace mlir;
using namespace mlir::enc;
using namespace mlir::enc::onnx_import;

LogicalResult Importer::writeWeights(StringRef weightsPath,
                                     std::string &error) {
  // safetensors: an 8-byte little-endian header length, a JSON header
  // (padded with spaces to 8 bytes), then the tensors' bytes. The header
  // comes from the shapes alone; each tensor is then written straight from
  // the model's bytes (a MatMul weight transposed on the way).
  std::string header = "{";
  uint64_t offset = 0;
  for (auto [i, tensor] : llvm::enumerate(params)) {
    encoder::onnximport::ElementInfo info =
        encoder::onnximport::elementInfo(tensor->data_type());
    std::string name = tensor->name();
    SmallVector<int64_t> dims(tensor->dims().begin(), tensor->dims().end());
    if (transposed.count(tensor)) {
      std::swap(dims[0], dims[1]);
      name += kTransposedSuffix;
    }
    uint64_t bytes = encoder::onnximport::elementCount(*tensor) * info.bytes;
    std::string escaped;
    for (char c : name) {
      if (c == '"' || c == '\\')
        escaped += '\\';
      escaped += c;
    }
    std::string shape = llvm::join(
        llvm::map_range(dims, [](int64_t d) { return std::to_string(d); }),
        ",");
    header += (i ? ",\"" : "\"") + escaped + "\":{\"dtype\":\"" +
              info.safetensors + "\",\"shape\":[" + shape +
              "],\"data_offsets\":[" + std::to_string(offset) + "," +
              std::to_string(offset + bytes) + "]}";
    offset += bytes;
  }
  header += "}";
  while (header.size() % 8)
    header += ' ';
  std::error_code ec;
  llvm::raw_fd_ostream os(weightsPath, ec);
  if (ec) {
    error =
        ("cannot write the weights to '" + weightsPath + "': " + ec.message())
            .str();
    return LogicalResult::failure();
  }
  uint64_t length = header.size();
  char prefix[8];
  for (int k = 0; k < 8; ++k)
    prefix[k] = static_cast<char>((length >> (8 * k)) & 0xff);
  os.write(prefix, 8);
  os << header;
  for (const onnx::TensorProto *tensor : params) {
    std::vector<char> storage;
    const char *data;
    size_t size;
    if (!encoder::onnximport::tensorData(*tensor, model.directory, storage,
                                         data, size, error))
      return LogicalResult::failure();
    if (!transposed.count(tensor)) {
      os.write(data, size);
      continue;
    }
    // A MatMul weight [in, out] stored as enc.linear's [out, in].
    int64_t rows = tensor->dims(0), cols = tensor->dims(1);
    size_t width = size / std::max<int64_t>(rows * cols, 1);
    std::vector<char> swapped(size);
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < cols; ++c)
        std::memcpy(swapped.data() + (c * rows + r) * width,
                    data + (r * cols + c) * width, width);
    os.write(swapped.data(), size);
  }
  os.close();
  if (os.has_error()) {
    error = ("writing the weights to '" + weightsPath + "' failed").str();
    os.clear_error();
    return LogicalResult::failure();
  }
  return success();
}
