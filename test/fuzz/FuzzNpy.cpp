//===- FuzzNpy.cpp - .npy files -------------------------------------------===//
//
// Every .npy the runtime accepts is read whole and written back; the file
// it writes must read back equal.
//
//===----------------------------------------------------------------------===//

#include "FuzzSupport.h"

#include "encoder/Runtime/Runtime.h"

#include <cstring>

using namespace encoder_fuzz;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  std::string Path = writeScratch("input.npy", Data, Size);
  encrt_buffer *B = nullptr;
  if (encrt_status *S = encrt_npy_read(Path.c_str(), &B)) {
    if (!encrt_status_message(S)[0])
      std::abort();
    encrt_status_free(S);
    return 0;
  }
  encrt_tensor_view V = encrt_buffer_view(B);
  size_t Bytes = encrt_dtype_size(V.dtype);
  for (size_t D = 0; D < V.rank; ++D)
    Bytes *= static_cast<size_t>(V.dims[D]);
  std::string Copy = scratchDirectory() + "/copy.npy";
  if (encrt_status *S = encrt_npy_write(Copy.c_str(), &V)) {
    encrt_status_free(S); // bf16 has no NumPy dtype
  } else {
    encrt_buffer *Back = nullptr;
    if (encrt_status *S = encrt_npy_read(Copy.c_str(), &Back)) {
      encrt_status_free(S);
      std::abort(); // what the runtime writes, it reads
    }
    encrt_tensor_view W = encrt_buffer_view(Back);
    if (W.dtype != V.dtype || W.rank != V.rank ||
        (Bytes && std::memcmp(W.data, V.data, Bytes) != 0))
      std::abort();
    encrt_buffer_release(Back);
  }
  encrt_buffer_release(B);
  return 0;
}
