//===- ONNXModel.cpp - reading an ONNX file with ONNX's library -----------===//
//
// Built with exceptions (lib/Frontend/ONNX/CMakeLists.txt): ONNX's checker
// throws, and protobuf may throw bad_alloc.
//
//===----------------------------------------------------------------------===//

#include "ONNXModel.h"

#include "onnx/checker.h"
#include "onnx/defs/schema.h"

#include <cstring>
#include <fstream>
#include <sstream>

using namespace encoder::onnximport;

namespace {

bool readFile(const std::string &path, std::string &contents,
              std::string &error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot open the file: " + std::string(std::strerror(errno));
    return false;
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  contents = buffer.str();
  return true;
}

std::string directoryOf(const std::string &path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

/// The first line of an exception's message: ONNX's messages carry a
/// context block after a newline.
std::string firstLine(const std::string &what) {
  std::string line = what.substr(0, what.find('\n'));
  while (!line.empty() && (line.back() == ' ' || line.back() == '\r'))
    line.pop_back();
  return line;
}

/// How many elements `tensor` stores (raw_data bytes / width, or its typed
/// field's length); -1 when its type is not one the importer reads.
int64_t storedElements(const onnx::TensorProto &tensor, int width) {
  if (tensor.has_raw_data())
    return width ? static_cast<int64_t>(tensor.raw_data().size()) / width : -1;
  switch (tensor.data_type()) {
  case onnx::TensorProto::FLOAT:
    return tensor.float_data_size();
  case onnx::TensorProto::DOUBLE:
    return tensor.double_data_size();
  case onnx::TensorProto::INT64:
    return tensor.int64_data_size();
  case onnx::TensorProto::UINT32:
  case onnx::TensorProto::UINT64:
    return tensor.uint64_data_size();
  case onnx::TensorProto::STRING:
    return tensor.string_data_size();
  default:
    return tensor.int32_data_size();
  }
}

bool checkTensor(const onnx::TensorProto &tensor, const std::string &where,
                 std::string &error) {
  if (tensor.data_location() == onnx::TensorProto::EXTERNAL)
    return true; // read, and checked, when imported
  int64_t count = elementCount(tensor);
  if (count < 0) {
    error = where + " has a negative dimension or more than 2^56 elements";
    return false;
  }
  int width = elementInfo(tensor.data_type()).bytes;
  bool rawMismatch =
      tensor.has_raw_data() && width &&
      static_cast<int64_t>(tensor.raw_data().size()) != count * width;
  int64_t stored = storedElements(tensor, width);
  if (rawMismatch ||
      (stored >= 0 && stored != count && !(tensor.has_raw_data() && !width))) {
    error = where + " holds " + std::to_string(stored) +
            " elements of data for a shape of " + std::to_string(count);
    return false;
  }
  return true;
}

bool checkTensorSizes(const onnx::GraphProto &graph, std::string &error) {
  for (const onnx::TensorProto &tensor : graph.initializer())
    if (!checkTensor(tensor, "initializer '" + tensor.name() + "'", error))
      return false;
  for (const onnx::NodeProto &node : graph.node())
    for (const onnx::AttributeProto &attr : node.attribute()) {
      std::string where = "attribute '" + attr.name() + "' of node '" +
                          node.name() + "' (" + node.op_type() + ")";
      if (attr.has_t() && !checkTensor(attr.t(), where, error))
        return false;
      for (const onnx::TensorProto &tensor : attr.tensors())
        if (!checkTensor(tensor, where, error))
          return false;
      if (attr.has_g() && !checkTensorSizes(attr.g(), error))
        return false;
      for (const onnx::GraphProto &sub : attr.graphs())
        if (!checkTensorSizes(sub, error))
          return false;
    }
  return true;
}

} // namespace

ElementInfo encoder::onnximport::elementInfo(int32_t dataType) {
  switch (dataType) {
  case onnx::TensorProto::FLOAT:
    return {"float32", 4, "F32"};
  case onnx::TensorProto::DOUBLE:
    return {"float64", 8, "F64"};
  case onnx::TensorProto::FLOAT16:
    return {"float16", 2, "F16"};
  case onnx::TensorProto::BFLOAT16:
    return {"bfloat16", 2, "BF16"};
  case onnx::TensorProto::INT64:
    return {"int64", 8, "I64"};
  case onnx::TensorProto::INT32:
    return {"int32", 4, "I32"};
  case onnx::TensorProto::BOOL:
    return {"bool", 1, "BOOL"};
  case onnx::TensorProto::INT8:
    return {"int8", 1, "I8"};
  case onnx::TensorProto::INT16:
    return {"int16", 2, "I16"};
  case onnx::TensorProto::UINT8:
    return {"uint8", 1, "U8"};
  case onnx::TensorProto::UINT16:
    return {"uint16", 2, "U16"};
  case onnx::TensorProto::UINT32:
    return {"uint32", 4, "U32"};
  case onnx::TensorProto::UINT64:
    return {"uint64", 8, "U64"};
  case onnx::TensorProto::STRING:
    return {"string", 0, ""};
  case onnx::TensorProto::COMPLEX64:
    return {"complex64", 0, ""};
  case onnx::TensorProto::COMPLEX128:
    return {"complex128", 0, ""};
  default:
    return {"undefined", 0, ""};
  }
}

namespace {

template <typename T>
int64_t readAs(const std::vector<char> &bytes, int64_t i) {
  T value;
  std::memcpy(&value, bytes.data() + i * sizeof(T), sizeof(T));
  return static_cast<int64_t>(value);
}

} // namespace

int64_t encoder::onnximport::integerElement(const std::vector<char> &bytes,
                                            int32_t dataType, int64_t i) {
  switch (dataType) {
  case onnx::TensorProto::INT64:
    return readAs<int64_t>(bytes, i);
  case onnx::TensorProto::INT32:
    return readAs<int32_t>(bytes, i);
  case onnx::TensorProto::INT16:
    return readAs<int16_t>(bytes, i);
  case onnx::TensorProto::INT8:
    return readAs<int8_t>(bytes, i);
  case onnx::TensorProto::UINT64:
    return readAs<uint64_t>(bytes, i);
  case onnx::TensorProto::UINT32:
    return readAs<uint32_t>(bytes, i);
  case onnx::TensorProto::UINT16:
    return readAs<uint16_t>(bytes, i);
  case onnx::TensorProto::UINT8:
    return readAs<uint8_t>(bytes, i);
  default: // bool
    return readAs<uint8_t>(bytes, i) != 0;
  }
}

int64_t encoder::onnximport::elementCount(const onnx::TensorProto &tensor) {
  // Up to 2^56 elements: beyond, a byte count of 8-byte elements would
  // overflow (and no file holds that much).
  constexpr int64_t kMaxElements = int64_t(1) << 56;
  int64_t count = 1;
  for (int64_t dim : tensor.dims()) {
    if (dim < 0)
      return -1;
    if (dim != 0 && count > kMaxElements / dim)
      return -1;
    count *= dim;
  }
  return count;
}

bool encoder::onnximport::loadModel(const std::string &path, LoadedModel &model,
                                    std::string &error) {
  std::string contents;
  if (!readFile(path, contents, error))
    return false;
  if (contents.empty()) {
    error = "the file is empty, not an ONNX model";
    return false;
  }
  try {
    if (contents.size() > static_cast<size_t>(INT32_MAX) ||
        !model.proto.ParseFromArray(contents.data(),
                                    static_cast<int>(contents.size()))) {
      // A model starts with ir_version (field 1, varint: byte 0x08).
      error = contents[0] == 0x08
                  ? "not a complete ONNX model: the protobuf is truncated "
                    "or corrupt"
                  : "not an ONNX model (the file is not a ModelProto "
                    "protobuf)";
      return false;
    }
    if (!model.proto.has_graph() || model.proto.ir_version() <= 0) {
      error = "not an ONNX model (no graph or ir_version in the protobuf)";
      return false;
    }
    for (const onnx::OperatorSetIdProto &opset : model.proto.opset_import())
      model.opsets[opset.domain() == "ai.onnx" ? "" : opset.domain()] =
          opset.version();
    model.directory = directoryOf(path);
    // Every tensor's data against its shape, before anything reads it
    // (libonnx 1.12's own readers copy past the end of short data).
    if (!checkTensorSizes(model.proto.graph(), error))
      return false;
    // The checker accepts opsets newer than this ONNX knows; their ops'
    // semantics are not ours to guess.
    const auto &known =
        onnx::OpSchemaRegistry::DomainToVersionRange::Instance().Map();
    for (const auto &[domain, version] : model.opsets) {
      // Other domains (ai.onnx.ml, com.microsoft) matter only where a node
      // uses them, and such nodes are refused by name.
      if (!domain.empty())
        continue;
      auto range = known.find("");
      if (range == known.end())
        continue;
      if (version > range->second.second) {
        error = "the model imports opset " + std::to_string(version) +
                " of domain " + (domain.empty() ? "ai.onnx" : domain) +
                "; the ONNX library the importer uses knows up to " +
                std::to_string(range->second.second);
        return false;
      }
    }
    // The checker reports unknown ops and opsets, cycles (nodes out of
    // topological order) and inputs nothing produces. With external data it
    // takes the path, to resolve the files beside the model (and parses the
    // model again); else the parsed model.
    bool external = false;
    for (const onnx::TensorProto &tensor : model.proto.graph().initializer())
      external |= tensor.data_location() == onnx::TensorProto::EXTERNAL;
    if (external)
      onnx::checker::check_model(path);
    else
      onnx::checker::check_model(model.proto);
    // No onnx::shape_inference: ONNX 1.12's per-op inference crashes on
    // malformed models (the onnx fuzz target found a division by zero and
    // null dereferences in the conv/pool rules within minutes), and the
    // importer derives every shape and element type itself anyway (it must,
    // to keep dynamic sizes as the inputs' own dimensions).
  } catch (const onnx::checker::ValidationError &e) {
    error = "the ONNX checker rejects the model: " + firstLine(e.what());
    return false;
  } catch (const std::exception &e) {
    error = "reading the model failed: " + firstLine(e.what());
    return false;
  }
  return true;
}

namespace {

/// Copies `count` typed values to `bytes` as `Out`.
template <typename Out, typename Field>
void copyField(const Field &field, std::vector<char> &bytes) {
  bytes.resize(field.size() * sizeof(Out));
  for (int i = 0; i < field.size(); ++i) {
    Out value = static_cast<Out>(field.Get(i));
    std::memcpy(bytes.data() + i * sizeof(Out), &value, sizeof(Out));
  }
}

bool externalBytes(const onnx::TensorProto &tensor,
                   const std::string &directory, std::vector<char> &bytes,
                   std::string &error) {
  std::string location;
  int64_t offset = 0, length = -1;
  for (const onnx::StringStringEntryProto &entry : tensor.external_data()) {
    try {
      if (entry.key() == "location")
        location = entry.value();
      else if (entry.key() == "offset")
        offset = std::stoll(entry.value());
      else if (entry.key() == "length")
        length = std::stoll(entry.value());
    } catch (const std::exception &) {
      error = "initializer '" + tensor.name() + "' has external data " +
              entry.key() + " '" + entry.value() + "' that is not a number";
      return false;
    }
  }
  if (location.empty()) {
    error = "initializer '" + tensor.name() +
            "' is stored externally but names no location";
    return false;
  }
  std::string file = directory + "/" + location;
  std::ifstream in(file, std::ios::binary | std::ios::ate);
  if (!in) {
    error = "initializer '" + tensor.name() + "' is stored in '" + file +
            "', which cannot be opened: " + std::strerror(errno);
    return false;
  }
  int64_t size = static_cast<int64_t>(in.tellg());
  if (length < 0)
    length = size - offset;
  if (offset < 0 || length < 0 || offset + length > size) {
    error = "initializer '" + tensor.name() + "' reads bytes " +
            std::to_string(offset) + ".." + std::to_string(offset + length) +
            " of '" + file + "', which has " + std::to_string(size);
    return false;
  }
  bytes.resize(length);
  in.seekg(offset);
  in.read(bytes.data(), length);
  return static_cast<bool>(in);
}

} // namespace

bool encoder::onnximport::tensorData(const onnx::TensorProto &tensor,
                                     const std::string &directory,
                                     std::vector<char> &storage,
                                     const char *&data, size_t &size,
                                     std::string &error) {
  ElementInfo info = elementInfo(tensor.data_type());
  int64_t count = elementCount(tensor);
  if (info.bytes > 0 && count >= 0 &&
      tensor.data_location() != onnx::TensorProto::EXTERNAL &&
      tensor.has_raw_data() &&
      static_cast<int64_t>(tensor.raw_data().size()) == count * info.bytes) {
    data = tensor.raw_data().data();
    size = tensor.raw_data().size();
    return true;
  }
  if (!tensorBytes(tensor, directory, storage, error))
    return false;
  data = storage.data();
  size = storage.size();
  return true;
}

bool encoder::onnximport::tensorBytes(const onnx::TensorProto &tensor,
                                      const std::string &directory,
                                      std::vector<char> &bytes,
                                      std::string &error) {
  ElementInfo info = elementInfo(tensor.data_type());
  if (info.bytes == 0) {
    error = "tensor '" + tensor.name() + "' has element type " + info.name +
            ", which the importer does not support";
    return false;
  }
  int64_t count = elementCount(tensor);
  if (count < 0) {
    error = "tensor '" + tensor.name() +
            "' has a negative dimension or more than 2^56 elements";
    return false;
  }
  if (tensor.data_location() == onnx::TensorProto::EXTERNAL) {
    if (!externalBytes(tensor, directory, bytes, error))
      return false;
  } else if (tensor.has_raw_data()) {
    bytes.assign(tensor.raw_data().begin(), tensor.raw_data().end());
  } else {
    switch (tensor.data_type()) {
    case onnx::TensorProto::FLOAT:
      copyField<float>(tensor.float_data(), bytes);
      break;
    case onnx::TensorProto::DOUBLE:
      copyField<double>(tensor.double_data(), bytes);
      break;
    case onnx::TensorProto::INT64:
      copyField<int64_t>(tensor.int64_data(), bytes);
      break;
    case onnx::TensorProto::INT32:
      copyField<int32_t>(tensor.int32_data(), bytes);
      break;
    case onnx::TensorProto::FLOAT16:
    case onnx::TensorProto::BFLOAT16:
      // Stored as the 16-bit patterns in int32_data.
      copyField<uint16_t>(tensor.int32_data(), bytes);
      break;
    case onnx::TensorProto::BOOL:
    case onnx::TensorProto::UINT8:
      copyField<uint8_t>(tensor.int32_data(), bytes);
      break;
    case onnx::TensorProto::INT8:
      copyField<int8_t>(tensor.int32_data(), bytes);
      break;
    case onnx::TensorProto::INT16:
      copyField<int16_t>(tensor.int32_data(), bytes);
      break;
    case onnx::TensorProto::UINT16:
      copyField<uint16_t>(tensor.int32_data(), bytes);
      break;
    case onnx::TensorProto::UINT32:
    case onnx::TensorProto::UINT64:
      // Stored in uint64_data.
      if (tensor.data_type() == onnx::TensorProto::UINT32)
        copyField<uint32_t>(tensor.uint64_data(), bytes);
      else
        copyField<uint64_t>(tensor.uint64_data(), bytes);
      break;
    default:
      break;
    }
  }
  int64_t expected = count * info.bytes;
  if (static_cast<int64_t>(bytes.size()) != expected) {
    error = "tensor '" + tensor.name() + "' holds " +
            std::to_string(bytes.size()) +
            " bytes of data, but its shape and " + info.name + " need " +
            std::to_string(expected);
    return false;
  }
  return true;
}
