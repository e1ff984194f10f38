//===- SafeTensors.h - Memory-mapped safetensors files ----------*- C++ -*-===//
//
// Internal to libencrt. An encrt_weights maps a .safetensors file read-only
// and indexes its tensors; views point into the mapping. A sharded
// checkpoint (model.safetensors.index.json and its shards) is one
// encrt_weights over all its shards' mappings.
//
//===----------------------------------------------------------------------===//

#ifndef ENCODER_LIB_RUNTIME_SAFETENSORS_H
#define ENCODER_LIB_RUNTIME_SAFETENSORS_H

#include "encoder/Runtime/Runtime.h"

#include <atomic>
#include <string>
#include <unordered_map>
#include <vector>

struct encrt_weights {
  struct Tensor {
    std::string Name;
    encrt_dtype DType = ENCRT_F32;
    std::vector<int64_t> Dims;
    const void *Data; // into the mapping
    size_t Bytes;
  };

  struct Mapping {
    std::string Path;
    void *Map = nullptr;
    size_t Size = 0;
  };

  std::atomic<int> RefCount{1};
  std::string Path;            // the file, index or directory opened
  std::vector<Mapping> Maps;   // one per safetensors file
  std::vector<Tensor> Tensors; // in header order, shard after shard
  std::unordered_map<std::string, size_t> ByName;

  encrt_weights() = default;
  encrt_weights(const encrt_weights &) = delete;
  encrt_weights &operator=(const encrt_weights &) = delete;
  ~encrt_weights();

  const Tensor *find(const std::string &Name) const {
    auto It = ByName.find(Name);
    return It == ByName.end() ? nullptr : &Tensors[It->second];
  }
};

#endif // ENCODER_LIB_RUNTIME_SAFETENSORS_H
