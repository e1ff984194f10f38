//===- Pack.cpp - Building packed parameters ------------------------------===//
//
// Concatenation copies whole runs: along concat_dim d every source
// contributes, for each index of the leading d dimensions, one contiguous
// run of its elements. The panel layout [n / p, k, p] is then a blocked
// transpose of the concatenated [n, k] matrix (higher ranks are matrices
// [d0, d1 * d2 * ...]).
//
//===----------------------------------------------------------------------===//

#include "Pack.h"
#include "Buffer.h"
#include "Types.h"

#include <cstdlib>
#include <cstring>
#include <memory>

using namespace encrt;

namespace {

struct FreeDeleter {
  void operator()(void *P) const { std::free(P); }
};

/// allocateTensorMemory rounds sizes up to TensorAlignment; zeroing the
/// tail makes a vector load that runs past the last element read zeros.
void zeroPadding(void *Data, size_t Bytes) {
  size_t Padded =
      (Bytes + TensorAlignment - 1) / TensorAlignment * TensorAlignment;
  std::memset(static_cast<char *>(Data) + Bytes, 0, Padded - Bytes);
}

/// Out[j, c, kk] laid out as [n / P, K, P]: Out[(j * K + kk) * P + c] =
/// In[(j * P + c) * K + kk].
template <typename T>
void layOutPanels(const void *InPtr, void *OutPtr, int64_t N, int64_t K,
                  int64_t P) {
  const T *In = static_cast<const T *>(InPtr);
  T *Out = static_cast<T *>(OutPtr);
  for (int64_t J = 0; J < N / P; ++J) {
    T *Panel = Out + J * K * P;
    for (int64_t C = 0; C < P; ++C) {
      const T *Row = In + (J * P + C) * K;
      for (int64_t KK = 0; KK < K; ++KK)
        Panel[KK * P + C] = Row[KK];
    }
  }
}

} // namespace

void *encrt::buildPackedTensor(const ValueDesc &Param,
                               const std::vector<const void *> &Sources) {
  const PackSpec &Spec = *Param.Pack;
  encrt_dtype DType = Param.Info.dtype;
  size_t Elem = encrt_dtype_size(DType);
  size_t Bytes = 0;
  // Validated when the metadata was read.
  checkedByteSize(DType, Param.Dims.data(), Param.Dims.size(), Bytes);
  if (Bytes == 0)
    return nullptr;

  const std::vector<int64_t> &First = Spec.Sources[0]->Dims;
  size_t D = static_cast<size_t>(Spec.ConcatDim);
  int64_t Outer = 1, Inner = 1, Total = 0;
  for (size_t I = 0; I < D; ++I)
    Outer *= First[I];
  for (size_t I = D + 1; I < First.size(); ++I)
    Inner *= First[I];
  for (const auto &S : Spec.Sources)
    Total += S->Dims[D];

  std::unique_ptr<void, FreeDeleter> Concat(allocateTensorMemory(Bytes));
  zeroPadding(Concat.get(), Bytes);
  char *Base = static_cast<char *>(Concat.get());
  for (int64_t O = 0; O < Outer; ++O) {
    char *Dst = Base + static_cast<size_t>(O * Total * Inner) * Elem;
    for (size_t S = 0; S < Sources.size(); ++S) {
      size_t Run = static_cast<size_t>(Spec.Sources[S]->Dims[D] * Inner) * Elem;
      std::memcpy(Dst, static_cast<const char *>(Sources[S]) + O * Run, Run);
      Dst += Run;
    }
  }
  if (!Spec.Panel)
    return Concat.release();

  // The concatenated [n, k] matrix, n divisible by the panel: rank 2, or a
  // higher rank concatenated along 0 with k the product of the others.
  int64_t N = D == 0 ? Total : First[0];
  int64_t K = D == 0 ? Inner : Total;
  std::unique_ptr<void, FreeDeleter> Panels(allocateTensorMemory(Bytes));
  zeroPadding(Panels.get(), Bytes);
  switch (Elem) {
  case 1:
    layOutPanels<uint8_t>(Base, Panels.get(), N, K, Spec.Panel);
    break;
  case 2:
    layOutPanels<uint16_t>(Base, Panels.get(), N, K, Spec.Panel);
    break;
  case 4:
    layOutPanels<uint32_t>(Base, Panels.get(), N, K, Spec.Panel);
    break;
  default:
    layOutPanels<uint64_t>(Base, Panels.get(), N, K, Spec.Panel);
    break;
  }
  return Panels.release();
}
