//===- ThreadPool.cpp - Kernel launches on worker threads -----------------===//
//
// One pool per process, created at the first launch that can use it, with
// one worker per available CPU but one: the launching thread works too.
// A launch is published through `State` (odd while a launch is open);
// participants take chunks of [0, count) from an atomic cursor and subtract
// what they finished from `Remaining`, and the launcher returns when that
// reaches zero, never waiting for a worker to show up. Workers spin briefly
// after a launch, then sleep. One launch uses the pool at a time: a launch
// that finds it busy, a nested launch and every launch in a forked child
// run serially. docs/rationale/runtime.md, 'Thread pool'.
//
//===----------------------------------------------------------------------===//

#include "ThreadPool.h"

#include <algorithm>
#include <chrono>
#include <climits>
#include <condition_variable>
#include <mutex>
#include <pthread.h>
#include <sched.h>
#include <thread>
#include <vector>

using namespace encrt;

namespace {

using Clock = std::chrono::steady_clock;

/// How long an idle worker polls for the next launch before sleeping, and
/// after how long it yields the CPU between polls: on a machine with more
/// runnable threads than cores, a spinning worker must not keep the thread
/// it waits for (the launcher, preempted on the same core) off the CPU.
constexpr auto SpinTime = std::chrono::microseconds(50);
constexpr auto PoliteSpinTime = std::chrono::microseconds(20);

/// Chunks per participant: enough to even out uneven iterations.
constexpr int64_t ChunksPerThread = 4;

inline void cpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

/// Polls `Done` with a pause between tries, yielding the CPU once it has
/// waited long enough that the thread it waits for was likely descheduled.
template <typename Pred> void spinUntil(Pred Done) {
  for (unsigned Spins = 0; !Done(); ++Spins) {
    if (Spins < 256)
      cpuRelax();
    else
      std::this_thread::yield();
  }
}

thread_local const CallContext *CurrentCall = nullptr;
/// Set while this thread runs a kernel body: a launch from inside a body
/// runs serially.
thread_local bool InsideBody = false;

/// Runs `Body` over [0, Count) on the calling thread.
void runSerially(enc_kernel_body Body, void *Context, int64_t Count) {
  bool Saved = InsideBody;
  InsideBody = true;
  Body(Context, 0, Count);
  InsideBody = Saved;
}

class ThreadPool {
public:
  /// The process's pool; null when there is only one CPU, and in the child
  /// of a fork().
  static ThreadPool *get() {
    // Destroyed at exit (or when libencrt is unloaded) so that no worker
    // outlives the code it runs; a forked child, which has none of the
    // workers and may have inherited the pool's mutex, condition variable
    // and counters frozen mid-launch, leaves it alone and runs every launch
    // serially.
    struct Holder {
      ThreadPool *Pool;
      ~Holder() {
        if (!InForkedChild.load(std::memory_order_relaxed))
          delete Pool;
        Pool = nullptr; // launches from later exit-time code run serially
      }
    };
    static Holder H{new ThreadPool(maxParallelism() - 1)};
    if (!H.Pool || H.Pool->Workers.empty() ||
        InForkedChild.load(std::memory_order_relaxed))
      return nullptr;
    return H.Pool;
  }

  explicit ThreadPool(int NumWorkers) {
    if (NumWorkers <= 0)
      return;
    pthread_atfork(nullptr, nullptr, [] {
      InForkedChild.store(true, std::memory_order_relaxed);
    });
    Workers.reserve(static_cast<size_t>(NumWorkers));
    for (int I = 0; I < NumWorkers; ++I)
      Workers.emplace_back([this] { workerLoop(); });
  }

  ~ThreadPool() {
    {
      std::lock_guard<std::mutex> Lock(Mutex);
      Stop.store(true, std::memory_order_seq_cst);
    }
    Wake.notify_all();
    for (std::thread &T : Workers)
      T.join();
  }

  ThreadPool(const ThreadPool &) = delete;
  ThreadPool &operator=(const ThreadPool &) = delete;

  /// Threads a launch can use: the workers and the caller.
  int size() const { return static_cast<int>(Workers.size()) + 1; }

  /// Runs the launch on `Threads` threads (2 <= Threads <= size()), or
  /// returns false at once when another launch holds the pool.
  bool tryRun(enc_kernel_body Body, void *Context, int64_t Count, int Threads,
              const CallContext *Call) {
    bool Expected = false;
    if (!Busy.compare_exchange_strong(Expected, true,
                                      std::memory_order_acquire))
      return false;
    // A worker may still be on its way out of the previous launch, reading
    // its fields; wait until none is before rewriting them.
    spinUntil([&] { return Active.load(std::memory_order_seq_cst) == 0; });

    int64_t Chunk = std::max<int64_t>(1, Count / (ChunksPerThread * Threads));
    Launch.Body = Body;
    Launch.Context = Context;
    Launch.Count = Count;
    Launch.Chunk = Chunk;
    Launch.MaxHelpers = Threads - 1;
    Launch.Call = Call;
    Launch.Next.store(0, std::memory_order_relaxed);
    Launch.Remaining.store(Count, std::memory_order_relaxed);
    Launch.Joined.store(0, std::memory_order_relaxed);
    uint64_t Open = State.load(std::memory_order_relaxed) + 1;
    State.store(Open, std::memory_order_seq_cst);
    if (Sleepers.load(std::memory_order_seq_cst) > 0) {
      // A worker that counted itself asleep holds the mutex until it waits,
      // so taking it here guarantees the notification is not lost.
      {
        std::lock_guard<std::mutex> Lock(Mutex);
      }
      if (Threads - 1 >= static_cast<int>(Workers.size()))
        Wake.notify_all();
      else
        for (int I = 1; I < Threads; ++I)
          Wake.notify_one();
    }

    bool Saved = InsideBody;
    InsideBody = true;
    runChunks();
    InsideBody = Saved;
    spinUntil(
        [&] { return Launch.Remaining.load(std::memory_order_acquire) == 0; });
    State.store(Open + 1, std::memory_order_seq_cst);
    Busy.store(false, std::memory_order_release);
    return true;
  }

private:
  static inline std::atomic<bool> InForkedChild{false};

  struct LaunchState {
    enc_kernel_body Body = nullptr;
    void *Context = nullptr;
    int64_t Count = 0;
    int64_t Chunk = 1;
    int MaxHelpers = 0;
    const CallContext *Call = nullptr;
    // The cursor and the countdown each get their own cache line: every
    // participant updates both once per chunk.
    alignas(64) std::atomic<int64_t> Next{0};
    alignas(64) std::atomic<int64_t> Remaining{0};
    alignas(64) std::atomic<int> Joined{0};
  };

  void runChunks() {
    LaunchState &L = Launch;
    for (;;) {
      int64_t Begin = L.Next.fetch_add(L.Chunk, std::memory_order_relaxed);
      if (Begin >= L.Count)
        return;
      int64_t End = std::min(Begin + L.Chunk, L.Count);
      L.Body(L.Context, Begin, End);
      L.Remaining.fetch_sub(End - Begin, std::memory_order_acq_rel);
    }
  }

  /// Waits for a launch other than `Last` to open; returns its state, or
  /// anything once Stop is set.
  uint64_t waitForLaunch(uint64_t Last) {
    auto Ready = [Last](uint64_t S) { return (S & 1) && S != Last; };
    Clock::time_point Start = Clock::now(), Now = Start;
    do {
      for (int I = 0; I < 64; ++I) {
        uint64_t S = State.load(std::memory_order_acquire);
        if (Ready(S) || Stop.load(std::memory_order_relaxed))
          return S;
        cpuRelax();
      }
      Now = Clock::now();
      if (Now - Start > PoliteSpinTime)
        std::this_thread::yield();
    } while (Now - Start < SpinTime);

    std::unique_lock<std::mutex> Lock(Mutex);
    Sleepers.fetch_add(1, std::memory_order_seq_cst);
    uint64_t S = 0;
    Wake.wait(Lock, [&] {
      S = State.load(std::memory_order_seq_cst);
      return Ready(S) || Stop.load(std::memory_order_relaxed);
    });
    Sleepers.fetch_sub(1, std::memory_order_relaxed);
    return S;
  }

  void workerLoop() {
    uint64_t Last = 0;
    for (;;) {
      uint64_t S = waitForLaunch(Last);
      if (Stop.load(std::memory_order_relaxed))
        return;
      // Announce ourselves before looking at the launch: the next launcher
      // waits for Active == 0 before rewriting its fields, and a launch
      // still open after this increment cannot have been replaced.
      Active.fetch_add(1, std::memory_order_seq_cst);
      if (State.load(std::memory_order_seq_cst) == S) {
        Last = S;
        if (Launch.Joined.fetch_add(1, std::memory_order_relaxed) <
            Launch.MaxHelpers) {
          CurrentCall = Launch.Call;
          InsideBody = true;
          runChunks();
          InsideBody = false;
          CurrentCall = nullptr;
        }
      }
      Active.fetch_sub(1, std::memory_order_release);
    }
  }

  std::vector<std::thread> Workers;
  alignas(64) std::atomic<bool> Busy{false};
  alignas(64) std::atomic<uint64_t> State{0}; // odd while a launch is open
  alignas(64) std::atomic<int> Active{0};     // workers inside a launch
  std::atomic<int> Sleepers{0};               // workers in Wake.wait
  std::atomic<bool> Stop{false};
  std::mutex Mutex;
  std::condition_variable Wake;
  LaunchState Launch;
};

void runLaunch(enc_kernel_body Body, void *Context, int64_t Count,
               const CallContext *Call) {
  if (Count <= 0)
    return;
  int Threads = Call && Call->NumThreads > 0 ? Call->NumThreads : INT_MAX;
  if (Count == 1 || Threads == 1 || InsideBody)
    return runSerially(Body, Context, Count);
  ThreadPool *Pool = ThreadPool::get();
  if (!Pool)
    return runSerially(Body, Context, Count);
  Threads = std::min(Threads, Pool->size());
  if (Count < Threads)
    Threads = static_cast<int>(Count);
  // The cursor overshoots Count by at most one chunk per participant.
  if (Count > INT64_MAX / 2 ||
      !Pool->tryRun(Body, Context, Count, Threads, Call))
    runSerially(Body, Context, Count);
}

} // namespace

void KernelProfile::reset() {
  for (size_t I = 0; I < NumKernels; ++I)
    Kernels[I].reset();
  Unlisted.reset();
}

ScopedCallContext::ScopedCallContext(const CallContext &Call)
    : Saved(CurrentCall) {
  CurrentCall = &Call;
}

ScopedCallContext::~ScopedCallContext() { CurrentCall = Saved; }

void encrt::parallelFor(enc_kernel_body Body, void *Context, int64_t Count,
                        int64_t Kernel, int64_t Flops) {
  const CallContext *Call = CurrentCall;
  KernelProfile *Profile = Call ? Call->Profile : nullptr;
  if (!Profile)
    return runLaunch(Body, Context, Count, Call);
  Clock::time_point Start = Clock::now();
  runLaunch(Body, Context, Count, Call);
  int64_t Nanoseconds =
      std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - Start)
          .count();
  KernelCounters &C = Profile->at(Kernel);
  C.Calls.fetch_add(1, std::memory_order_relaxed);
  C.Nanoseconds.fetch_add(Nanoseconds, std::memory_order_relaxed);
  if (Flops > 0)
    C.Flops.fetch_add(Flops, std::memory_order_relaxed);
}

int encrt::maxParallelism() {
  static const int Count = [] {
    cpu_set_t Set;
    CPU_ZERO(&Set);
    // The CPUs this process may run on (taskset, cgroup cpusets), which
    // can be fewer than the machine has.
    if (sched_getaffinity(0, sizeof(Set), &Set) == 0) {
      int N = CPU_COUNT(&Set);
      if (N > 0)
        return N;
    }
    unsigned N = std::thread::hardware_concurrency();
    return N ? static_cast<int>(N) : 1;
  }();
  return Count;
}
