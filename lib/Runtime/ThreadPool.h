//===- ThreadPool.h - Kernel launches on worker threads ---------*- C++ -*-===//
//
// Internal to libencrt. Compiled code launches every kernel through
// enc_runtime_hooks::parallel_for (include/encoder/ABI/ArtifactABI.h); the
// runtime implements it with one persistent, process-wide pool of worker
// threads. A call runs with a thread-local CallContext set by
// encrt_module_call: how many threads its launches may use and which profile,
// if any, they are charged to.
//
//===----------------------------------------------------------------------===//

#ifndef ENCODER_LIB_RUNTIME_THREADPOOL_H
#define ENCODER_LIB_RUNTIME_THREADPOOL_H

#include "encoder/ABI/ArtifactABI.h"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace encrt {

/// Launch statistics of one kernel, updated by whichever thread launched it.
struct KernelCounters {
  std::atomic<int64_t> Calls{0};
  std::atomic<int64_t> Nanoseconds{0};
  std::atomic<int64_t> Flops{0};

  void reset() {
    Calls.store(0, std::memory_order_relaxed);
    Nanoseconds.store(0, std::memory_order_relaxed);
    Flops.store(0, std::memory_order_relaxed);
  }
};

/// Per-module launch statistics, one slot per entry of the metadata's
/// "kernels" plus one for launches whose index is not in that list.
class KernelProfile {
public:
  explicit KernelProfile(size_t NumKernels)
      : Kernels(new KernelCounters[NumKernels]), NumKernels(NumKernels) {}

  /// Counters of kernel `Kernel`; the "unlisted" slot when out of range.
  KernelCounters &at(int64_t Kernel) {
    return Kernel >= 0 && static_cast<uint64_t>(Kernel) < NumKernels
               ? Kernels[Kernel]
               : Unlisted;
  }
  const KernelCounters &at(int64_t Kernel) const {
    return const_cast<KernelProfile *>(this)->at(Kernel);
  }
  size_t size() const { return NumKernels; }
  void reset();

private:
  std::unique_ptr<KernelCounters[]> Kernels;
  size_t NumKernels;
  KernelCounters Unlisted;
};

/// What parallel_for needs from the encrt_module_call on its thread.
struct CallContext {
  /// Threads a launch may use, the calling one included; 0: all.
  int NumThreads = 0;
  /// Where launches are charged; null when profiling is off.
  KernelProfile *Profile = nullptr;
};

/// Makes `Call` the calling thread's context until destroyed.
class ScopedCallContext {
public:
  explicit ScopedCallContext(const CallContext &Call);
  ~ScopedCallContext();
  ScopedCallContext(const ScopedCallContext &) = delete;
  ScopedCallContext &operator=(const ScopedCallContext &) = delete;

private:
  const CallContext *Saved;
};

/// The runtime's enc_runtime_hooks::parallel_for. Runs serially (one range,
/// on the calling thread) when count <= 1, when called from inside a body,
/// when the call allows one thread, or when the pool is serving another
/// thread's launch; never deadlocks.
void parallelFor(enc_kernel_body Body, void *Context, int64_t Count,
                 int64_t Kernel, int64_t Flops);

/// Threads a launch can use at most: the CPUs this process may run on.
int maxParallelism();

} // namespace encrt

#endif // ENCODER_LIB_RUNTIME_THREADPOOL_H
