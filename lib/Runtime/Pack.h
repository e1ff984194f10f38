//===- Pack.h - Building packed parameters ----------------------*- C++ -*-===//
//
// Internal to libencrt. A packed parameter (`pack` in docs/artifact-abi.md)
// is not a checkpoint tensor: the runtime builds it from the tensors bound to
// its sources, concatenated and, with a panel, laid out so that a matmul
// micro-kernel reads a panel of output columns contiguously.
//
//===----------------------------------------------------------------------===//

#ifndef ENCODER_LIB_RUNTIME_PACK_H
#define ENCODER_LIB_RUNTIME_PACK_H

#include "Artifact.h"

#include <vector>

namespace encrt {

/// Builds packed parameter `Param` (Param.Pack is set) from `Sources`, one
/// dense row-major tensor per source of its PackSpec, of the declared shapes
/// and dtype. Returns memory from allocateTensorMemory (aligned to
/// TensorAlignment and zero-padded to a multiple of it, released with
/// free()), or null when the tensor is empty; throws std::bad_alloc.
void *buildPackedTensor(const ValueDesc &Param,
                        const std::vector<const void *> &Sources);

} // namespace encrt

#endif // ENCODER_LIB_RUNTIME_PACK_H
