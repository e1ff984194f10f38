//===- FuzzSafetensors.cpp - safetensors files and checkpoint indexes -----===//
//
// An input starting with '{' is a sharded checkpoint's index beside one
// valid shard ("model-1.safetensors"); anything else is a .safetensors
// file. Every tensor the runtime accepts is read whole, so a header whose
// offsets escape the file shows up as an ASan report.
//
//===----------------------------------------------------------------------===//

#include "FuzzSupport.h"

#include "encoder/Runtime/Runtime.h"

#include <cstring>

using namespace encoder_fuzz;

namespace {

/// A valid one-tensor shard: "a", F32, shape [2].
const std::string &validShard() {
  static const std::string Shard = [] {
    std::string Header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],"
                         "\"data_offsets\":[0,8]}}";
    Header.resize((Header.size() + 7) / 8 * 8, ' ');
    std::string Bytes(8, '\0');
    uint64_t Length = Header.size();
    std::memcpy(Bytes.data(), &Length, 8);
    return Bytes + Header + std::string(8, '\x01');
  }();
  return Shard;
}

/// Reads every byte of every tensor.
unsigned touchAll(encrt_weights *W) {
  unsigned Sum = 0;
  for (size_t I = 0, E = encrt_weights_count(W); I < E; ++I) {
    encrt_tensor_view V = encrt_weights_view(W, I);
    size_t Count = 1;
    for (size_t D = 0; D < V.rank; ++D)
      Count *= static_cast<size_t>(V.dims[D]);
    const unsigned char *P = static_cast<const unsigned char *>(V.data);
    for (size_t B = 0; B < Count * encrt_dtype_size(V.dtype); ++B)
      Sum += P[B];
    encrt_tensor_view Found;
    if (encrt_status *S =
            encrt_weights_find(W, encrt_weights_name(W, I), &Found)) {
      encrt_status_free(S);
      std::abort(); // every listed tensor can be found by its name
    }
  }
  return Sum;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  std::string Path;
  if (Size && Data[0] == '{') {
    writeScratch("model-1.safetensors", validShard());
    Path = writeScratch("model.safetensors.index.json", Data, Size);
  } else {
    Path = writeScratch("weights.safetensors", Data, Size);
  }
  encrt_weights *W = nullptr;
  if (encrt_status *S = encrt_weights_open(Path.c_str(), &W)) {
    if (!encrt_status_message(S)[0])
      std::abort(); // an error always says what is wrong
    encrt_status_free(S);
    return 0;
  }
  volatile unsigned Sink = touchAll(W);
  (void)Sink;
  encrt_weights_release(W);
  return 0;
}
