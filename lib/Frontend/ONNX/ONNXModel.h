//===- ONNXModel.h - reading an ONNX file with ONNX's library ---*- C++ -*-===//
//
// The one place that calls ONNX's C++ library (protobuf parsing, the checker,
// its operator schemas). ONNX reports problems by throwing; this file is built
// with exceptions and turns every one into a message, so the importer (built
// like MLIR, without exceptions) sees a model that parsed and checked, or a
// line that names the file and the problem.
//
//===----------------------------------------------------------------------===//

#ifndef ENCODER_LIB_FRONTEND_ONNX_ONNXMODEL_H
#define ENCODER_LIB_FRONTEND_ONNX_ONNXMODEL_H

#include "onnx/onnx_pb.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace encoder::onnximport {

/// A model read from disk: the checked proto, the opset per
/// domain ("" is the default domain), and the directory external data is
/// relative to.
struct LoadedModel {
  onnx::ModelProto proto;
  std::map<std::string, int64_t> opsets;
  std::string directory;
};

/// Reads and checks the model at `path` (tensor data against shapes, then
/// ONNX's checker). On failure returns
/// false with `error` set to one line (without the file name).
bool loadModel(const std::string &path, LoadedModel &model, std::string &error);

/// The element types the importer knows, by ONNX's TensorProto data type.
/// `bytes` is 0 for the ones it does not (strings, complex, unsigned ...).
struct ElementInfo {
  const char *name; // NumPy's spelling: "float32", "int64", "bool" ...
  int bytes;
  const char *safetensors; // the safetensors dtype: "F32", "I64", "BOOL" ...
};
ElementInfo elementInfo(int32_t dataType);

/// The bytes of `tensor` in row-major order and its element type's width
/// (raw_data, the typed repeated fields or external data, which is read from
/// `directory`). On failure returns false and sets `error` (naming the
/// tensor): data shorter or longer than the shape, a missing external file,
/// an offset past its end.
bool tensorBytes(const onnx::TensorProto &tensor, const std::string &directory,
                 std::vector<char> &bytes, std::string &error);

/// `tensor`'s bytes without a copy when they are its raw_data (checked
/// against its shape), else read into `storage` as tensorBytes does.
bool tensorData(const onnx::TensorProto &tensor, const std::string &directory,
                std::vector<char> &storage, const char *&data, size_t &size,
                std::string &error);

/// Element `i` of integer (or bool) data of ONNX type `dataType`, widened
/// (uint64 past INT64_MAX wraps).
int64_t integerElement(const std::vector<char> &bytes, int32_t dataType,
                       int64_t i);

/// The number of elements of `tensor`'s shape, or -1 for a negative dim or
/// more than 2^56 elements.
int64_t elementCount(const onnx::TensorProto &tensor);

} // namespace encoder::onnximport

#endif // ENCODER_LIB_FRONTEND_ONNX_ONNXMODEL_H
