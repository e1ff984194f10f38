//===- ParallelTest.cpp - Tests of kernel launches and profiles -----------===//
//
// The runtime's parallel_for, reached two ways: through the calls of
// fake_parallel_artifact.c, whose kernel bodies record which indices ran, and
// directly through the hooks the runtime wrote into that artifact (a second
// dlopen of the file returns the same object). Every check is of a
// property that must hold however the launch was split: each index runs
// exactly once, ranges stay inside the launch.
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <dlfcn.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace encrt_test;

namespace {

using Body = void (*)(void *, int64_t, int64_t);
using ParallelFor = void (*)(Body, void *, int64_t, int64_t, int64_t);

/// An artifact and a module over it, with the given thread count.
struct Fixture : LoadedModule {
  explicit Fixture(const char *Path = ENCRT_FAKE_PARALLEL_ARTIFACT,
                   int NumThreads = 0)
      : LoadedModule(Path, NumThreads) {}
};

template <typename T> std::vector<T> valuesOf(encrt_buffer *B) {
  encrt_tensor_view V = encrt_buffer_view(B);
  size_t N = 1;
  for (size_t I = 0; I < V.rank; ++I)
    N *= static_cast<size_t>(V.dims[I]);
  const T *P = static_cast<const T *>(V.data);
  return std::vector<T>(P, P + N);
}

/// What one call of "mark" reported.
struct MarkResult {
  bool Ok = false;
  std::string Error;
  int64_t Threads = 0;
  bool Correct = false; // y == 2x, every index ran once, no bad range
};

MarkResult callMark(encrt_module *M, const encrt_function *F, int64_t N,
                    float Seed = 0) {
  MarkResult R;
  std::vector<float> X(static_cast<size_t>(N));
  for (int64_t I = 0; I < N; ++I)
    X[static_cast<size_t>(I)] = Seed + static_cast<float>(I % 1000) * 0.5f;
  std::vector<int64_t> Dims = {N};
  encrt_tensor_view In = viewOf(ENCRT_F32, Dims, X);
  encrt_buffer *Out[4] = {};
  if (encrt_status *S = encrt_module_call(M, F, &In, 1, Out)) {
    R.Error = encrt_status_message(S);
    encrt_status_free(S);
    return R;
  }
  R.Ok = true;
  std::vector<float> Y = valuesOf<float>(Out[0]);
  std::vector<int32_t> Hits = valuesOf<int32_t>(Out[1]);
  R.Threads = valuesOf<int64_t>(Out[2])[0];
  int64_t Bad = valuesOf<int64_t>(Out[3])[0];
  R.Correct = Bad == 0 && Y.size() == X.size() && Hits.size() == X.size();
  for (size_t I = 0; R.Correct && I < X.size(); ++I)
    R.Correct = Y[I] == 2 * X[I] && Hits[I] == 1;
  for (encrt_buffer *B : Out)
    encrt_buffer_release(B);
  return R;
}

struct KernelStats {
  int64_t Calls = -1, Flops = -1;
  double Ms = -1;
};

KernelStats statsOf(encrt_module *M, int64_t Kernel) {
  KernelStats S;
  requireOk(encrt_module_kernel_stats(M, Kernel, &S.Calls, &S.Ms, &S.Flops));
  return S;
}

/// The runtime's parallel_for, as written into the loaded fake artifact.
ParallelFor hookOf(const char *Path) {
  void *Handle = dlopen(Path, RTLD_NOW | RTLD_LOCAL | RTLD_NOLOAD);
  REQUIRE(Handle != nullptr);
  auto *Hooks = static_cast<ParallelFor *>(dlsym(Handle, "enc_runtime_hooks"));
  dlclose(Handle); // the artifact still holds its own reference
  REQUIRE(Hooks != nullptr);
  return *Hooks;
}

/// Counts how often each index of a launch ran and any bad range.
struct Coverage {
  std::vector<std::atomic<int>> Hits;
  std::atomic<int> BadRanges{0};
  int64_t Count;
  explicit Coverage(int64_t Count)
      : Hits(static_cast<size_t>(Count)), Count(Count) {}

  static void body(void *Self, int64_t Begin, int64_t End) {
    auto &C = *static_cast<Coverage *>(Self);
    if (Begin < 0 || End > C.Count || Begin >= End) {
      C.BadRanges++;
      return;
    }
    for (int64_t I = Begin; I < End; ++I)
      C.Hits[static_cast<size_t>(I)]++;
  }

  bool exact() const {
    return BadRanges == 0 &&
           std::all_of(Hits.begin(), Hits.end(),
                       [](const std::atomic<int> &H) { return H == 1; });
  }
};

} // namespace

TEST_CASE("parallel: every index runs exactly once", "[parallel]") {
  Fixture Fx;
  const encrt_function *Mark = Fx.function("mark");
  for (int64_t N : {0, 1, 2, 3, 7, 8, 9, 100, 1000, 100003}) {
    INFO("count " << N);
    MarkResult R = callMark(Fx.Module, Mark, N);
    INFO(R.Error);
    REQUIRE(R.Ok);
    CHECK(R.Correct);
    CHECK(R.Threads <=
          std::max<int64_t>(std::thread::hardware_concurrency(), 1));
    if (N == 1)
      CHECK(R.Threads == 1);
  }
}

TEST_CASE("parallel: num_threads = 1 runs on the calling thread",
          "[parallel]") {
  Fixture Fx(ENCRT_FAKE_PARALLEL_ARTIFACT, 1);
  for (int64_t N : {2, 1000, 50000}) {
    MarkResult R = callMark(Fx.Module, Fx.function("mark"), N);
    REQUIRE(R.Ok);
    CHECK(R.Correct);
    CHECK(R.Threads == 1);
  }
}

TEST_CASE("parallel: an artifact without hooks runs serially", "[parallel]") {
  Fixture Fx(ENCRT_FAKE_SERIAL_ARTIFACT);
  encrt_module_set_profiling(Fx.Module, 1);
  for (int64_t N : {0, 5, 10000}) {
    MarkResult R = callMark(Fx.Module, Fx.function("mark"), N);
    REQUIRE(R.Ok);
    CHECK(R.Correct);
    CHECK(R.Threads == (N ? 1 : 0));
  }
  // Nothing went through the runtime, so nothing was profiled.
  CHECK(statsOf(Fx.Module, 0).Calls == 0);
}

TEST_CASE("parallel: launches nested in a body", "[parallel]") {
  Fixture Fx;
  const encrt_function *F = Fx.function("nested");
  for (auto [Rows, Cols] :
       {std::pair<int64_t, int64_t>{1, 1}, {5, 7}, {64, 33}, {3, 2000}}) {
    INFO(Rows << "x" << Cols);
    std::vector<float> X(static_cast<size_t>(Rows * Cols));
    std::vector<int64_t> Dims = {Rows, Cols};
    encrt_tensor_view In = viewOf(ENCRT_F32, Dims, X);
    encrt_buffer *Out[2] = {};
    requireOk(encrt_module_call(Fx.Module, F, &In, 1, Out));
    std::vector<int32_t> Hits = valuesOf<int32_t>(Out[0]);
    CHECK(valuesOf<int64_t>(Out[1])[0] == 0);
    CHECK(Hits.size() == X.size());
    CHECK(std::all_of(Hits.begin(), Hits.end(),
                      [](int32_t H) { return H == 1; }));
    for (encrt_buffer *B : Out)
      encrt_buffer_release(B);
  }
}

TEST_CASE("parallel: concurrent calls share the pool", "[parallel]") {
  Fixture Fx;
  Fixture Other; // a second module, of a second load of the artifact
  const encrt_function *Mark = Fx.function("mark");
  const encrt_function *OtherMark = Other.function("mark");
  encrt_module_set_profiling(Fx.Module, 1);
  std::atomic<int> Failures{0};
  constexpr int Iterations = 60;
  std::vector<std::thread> Threads;
  for (int T = 0; T < 4; ++T) {
    Threads.emplace_back([&, T] {
      encrt_module *M = T % 2 ? Other.Module : Fx.Module;
      const encrt_function *F = T % 2 ? OtherMark : Mark;
      for (int I = 0; I < Iterations; ++I) {
        int64_t N = (I % 3 == 0) ? 20000 : 1 + 37 * I + T;
        MarkResult R = callMark(M, F, N, static_cast<float>(T));
        if (!R.Ok || !R.Correct)
          Failures++;
      }
    });
  }
  for (std::thread &T : Threads)
    T.join();
  CHECK(Failures == 0);
  // Two threads called Fx.Module; every launch was counted once.
  CHECK(statsOf(Fx.Module, 0).Calls == 2 * Iterations);
  CHECK(statsOf(Fx.Module, 1).Calls == 2 * Iterations);
}

TEST_CASE("parallel: a forked child runs kernels serially",
          "[parallel][fork]") {
  Fixture Fx;
  const encrt_function *Mark = Fx.function("mark");
  REQUIRE(callMark(Fx.Module, Mark, 5000).Correct); // the pool is running
  std::fflush(nullptr);
  pid_t Child = fork();
  REQUIRE(Child >= 0);
  if (Child == 0) {
    MarkResult R = callMark(Fx.Module, Mark, 5000);
    // exit() runs the runtime's static destructors, which must not wait
    // for the parent's workers. (The worker threads' std::thread state is
    // unreachable in the child: memcheck calls it a leak, so valgrind runs
    // leave out [fork] or check it without --error-exitcode.)
    std::exit(R.Ok && R.Correct && R.Threads == 1 ? 0 : 1);
  }
  int Status = 0;
  pid_t Done = 0;
  for (int I = 0; I < 1000 && Done == 0; ++I) {
    Done = waitpid(Child, &Status, WNOHANG);
    if (Done == 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (Done == 0) {
    kill(Child, SIGKILL);
    waitpid(Child, &Status, 0);
    FAIL("the forked child did not finish within 10 s");
  }
  CHECK(WIFEXITED(Status));
  CHECK(WEXITSTATUS(Status) == 0);
  // The parent's pool still works.
  CHECK(callMark(Fx.Module, Mark, 5000).Correct);
}

TEST_CASE("parallel: the hook used directly", "[parallel]") {
  Fixture Fx;
  ParallelFor Hook = hookOf(ENCRT_FAKE_PARALLEL_ARTIFACT);
  REQUIRE(Hook != nullptr);

  SECTION("all counts up to 300") {
    for (int64_t N = 0; N <= 300; ++N) {
      Coverage C(N);
      Hook(&Coverage::body, &C, N, 0, 0);
      INFO("count " << N);
      REQUIRE(C.exact());
    }
  }
  SECTION("from several threads at once, with nested launches") {
    std::atomic<int> Failures{0};
    std::vector<std::thread> Threads;
    for (int T = 0; T < 3; ++T) {
      Threads.emplace_back([&, T] {
        for (int I = 0; I < 300; ++I) {
          int64_t N = 1 + (I * 7919 + T * 104729) % 5000;
          Coverage C(N);
          Hook(&Coverage::body, &C, N, 0, 0);
          if (!C.exact())
            Failures++;
          // A body launching another kernel runs it serially and in full.
          struct Outer {
            ParallelFor Hook;
            std::atomic<int> Bad{0};
          } O{Hook};
          Hook(
              [](void *Self, int64_t Begin, int64_t End) {
                auto &O = *static_cast<Outer *>(Self);
                for (int64_t J = Begin; J < End; ++J) {
                  Coverage Inner(J + 1);
                  O.Hook(&Coverage::body, &Inner, J + 1, 0, 0);
                  if (!Inner.exact())
                    O.Bad++;
                }
              },
              &O, 20, 0, 0);
          if (O.Bad)
            Failures++;
        }
      });
    }
    for (std::thread &T : Threads)
      T.join();
    CHECK(Failures == 0);
  }
  SECTION("a count of one runs on the calling thread") {
    std::thread::id Ran;
    Hook(
        [](void *Self, int64_t Begin, int64_t End) {
          if (Begin == 0 && End == 1)
            *static_cast<std::thread::id *>(Self) = std::this_thread::get_id();
        },
        &Ran, 1, 0, 0);
    CHECK(Ran == std::this_thread::get_id());
  }
}

TEST_CASE("profile: launches are counted per kernel", "[parallel][profile]") {
  Fixture Fx;
  const encrt_function *Mark = Fx.function("mark");
  REQUIRE(encrt_artifact_kernel_count(Fx.Artifact) == 5);

  // Off by default.
  REQUIRE(callMark(Fx.Module, Mark, 100).Correct);
  CHECK(statsOf(Fx.Module, 0).Calls == 0);

  encrt_module_set_profiling(Fx.Module, 1);
  for (int I = 0; I < 3; ++I)
    REQUIRE(callMark(Fx.Module, Mark, 1000).Correct);
  KernelStats Scale = statsOf(Fx.Module, 0);
  CHECK(Scale.Calls == 3);
  CHECK(Scale.Flops == 3000); // the launches' flops argument, summed
  CHECK(Scale.Ms > 0);
  KernelStats Tail = statsOf(Fx.Module, 1);
  CHECK(Tail.Calls == 3);
  CHECK(Tail.Flops == 0);
  CHECK(statsOf(Fx.Module, 2).Calls == 3);  // count 0 is still a launch
  CHECK(statsOf(Fx.Module, -1).Calls == 3); // index 99 is not listed
  CHECK(statsOf(Fx.Module, 3).Calls == 0);

  // Nested launches are counted too.
  std::vector<float> X(4 * 5);
  std::vector<int64_t> Dims = {4, 5};
  encrt_tensor_view In = viewOf(ENCRT_F32, Dims, X);
  encrt_buffer *Out[2] = {};
  requireOk(encrt_module_call(Fx.Module, Fx.function("nested"), &In, 1, Out));
  for (encrt_buffer *B : Out)
    encrt_buffer_release(B);
  CHECK(statsOf(Fx.Module, 3).Calls == 1);
  KernelStats Inner = statsOf(Fx.Module, 4);
  CHECK(Inner.Calls == 4);
  CHECK(Inner.Flops == 4 * 5);

  // Null outputs are allowed; other indices are not.
  requireOk(encrt_module_kernel_stats(Fx.Module, 0, nullptr, nullptr, nullptr));
  requireError(
      encrt_module_kernel_stats(Fx.Module, 5, nullptr, nullptr, nullptr),
      ENCRT_INVALID_ARGUMENT,
      {"kernel index 5 is out of range", "lists 5 kernels"});
  requireError(
      encrt_module_kernel_stats(Fx.Module, -2, nullptr, nullptr, nullptr),
      ENCRT_INVALID_ARGUMENT, {"kernel index -2"});

  // A CPU module measures no device time.
  int64_t DeviceCalls = -1;
  double DeviceMs = -1;
  requireOk(encrt_module_device_stats(Fx.Module, &DeviceCalls, &DeviceMs));
  CHECK(DeviceCalls == 0);
  CHECK(DeviceMs == 0);
  requireOk(encrt_module_device_stats(Fx.Module, nullptr, nullptr));
  requireError(encrt_module_device_stats(nullptr, nullptr, nullptr),
               ENCRT_INVALID_ARGUMENT, {"module is NULL"});

  encrt_module_reset_profile(Fx.Module);
  for (int64_t K = -1; K < 5; ++K) {
    KernelStats S = statsOf(Fx.Module, K);
    CHECK(S.Calls == 0);
    CHECK(S.Ms == 0);
    CHECK(S.Flops == 0);
  }
  encrt_module_set_profiling(Fx.Module, 0);
  REQUIRE(callMark(Fx.Module, Mark, 10).Correct);
  CHECK(statsOf(Fx.Module, 0).Calls == 0);
}

TEST_CASE("profile: kernels are listed", "[artifact][profile]") {
  Fixture Fx;
  REQUIRE(encrt_artifact_kernel_count(Fx.Artifact) == 5);
  const encrt_kernel_info *K = encrt_artifact_kernel(Fx.Artifact, 0);
  CHECK(std::string(K->name) == "mark.scale");
  CHECK(std::string(K->function) == "mark");
  CHECK(std::string(K->ops) == "enc.linear,enc.activation");
  CHECK(K->flops == -1);
  CHECK(K->bytes == -1);
  K = encrt_artifact_kernel(Fx.Artifact, 1);
  CHECK(std::string(K->ops).empty());
  CHECK(K->flops == 0);
  CHECK(K->bytes == 8);
  K = encrt_artifact_kernel(Fx.Artifact, 2); // only a name and a function
  CHECK(std::string(K->ops).empty());
  CHECK(K->flops == -1);
  CHECK(encrt_artifact_kernel(Fx.Artifact, 5) == nullptr);

  encrt_artifact *Plain = nullptr;
  requireOk(encrt_artifact_load(ENCRT_FAKE_ARTIFACT, &Plain));
  CHECK(encrt_artifact_kernel_count(Plain) == 0);
  CHECK(encrt_artifact_kernel(Plain, 0) == nullptr);
  encrt_module *M = nullptr;
  requireOk(encrt_module_create(Plain, nullptr, &M));
  KernelStats S = statsOf(M, -1);
  CHECK(S.Calls == 0);
  requireError(encrt_module_kernel_stats(M, 0, nullptr, nullptr, nullptr),
               ENCRT_INVALID_ARGUMENT, {"lists 0 kernels"});
  encrt_module_release(M);
  encrt_artifact_release(Plain);
}

TEST_CASE("parallel: hooks the runtime cannot write", "[parallel][artifact]") {
  encrt_artifact *A = nullptr;
  requireError(encrt_artifact_load(ENCRT_FAKE_READONLY_HOOKS_ARTIFACT, &A),
               ENCRT_DATA_ERROR,
               {ENCRT_FAKE_READONLY_HOOKS_ARTIFACT,
                "enc_runtime_hooks is in read-only memory"});
  requireError(encrt_artifact_load(ENCRT_FAKE_SMALL_HOOKS_ARTIFACT, &A),
               ENCRT_DATA_ERROR, {"enc_runtime_hooks is 4 bytes, too small"});
  CHECK(A == nullptr);
}

// Not run by default: `encrt-tests "[.bench]"` prints the cost of one empty
// launch of two iterations (the smallest that goes to the pool), median of
// several rounds.
TEST_CASE("parallel: launch overhead", "[.bench]") {
  Fixture Fx;
  ParallelFor Hook = hookOf(ENCRT_FAKE_PARALLEL_ARTIFACT);
  Body Empty = [](void *, int64_t, int64_t) {};
  auto measure = [&](int64_t Count, int Launches) {
    std::vector<double> Rounds;
    for (int Round = 0; Round < 9; ++Round) {
      auto Start = std::chrono::steady_clock::now();
      for (int I = 0; I < Launches; ++I)
        Hook(Empty, nullptr, Count, 0, 0);
      std::chrono::duration<double, std::nano> D =
          std::chrono::steady_clock::now() - Start;
      Rounds.push_back(D.count() / Launches);
    }
    std::sort(Rounds.begin(), Rounds.end());
    return Rounds;
  };
  for (int64_t Count : {1, 2, 64}) {
    std::vector<double> R = measure(Count, 20000);
    std::printf("empty launch, count %lld: median %.0f ns (min %.0f, max %.0f)"
                " over 9 rounds of 20000\n",
                static_cast<long long>(Count), R[4], R.front(), R.back());
  }
  // Launches spaced out beyond the workers' spin time pay a wake-up.
  for (int64_t Count : {1, 2}) {
    std::vector<double> Spaced;
    for (int I = 0; I < 200; ++I) {
      std::this_thread::sleep_for(std::chrono::microseconds(500));
      auto Start = std::chrono::steady_clock::now();
      Hook(Empty, nullptr, Count, 0, 0);
      std::chrono::duration<double, std::nano> D =
          std::chrono::steady_clock::now() - Start;
      Spaced.push_back(D.count());
    }
    std::sort(Spaced.begin(), Spaced.end());
    std::printf("empty launch after 500 us idle, count %lld: median %.0f ns\n",
                static_cast<long long>(Count), Spaced[Spaced.size() / 2]);
  }

  // Two iterations of 5 us each, back to back: 5 us when both threads take
  // one, 10 us when the caller runs both. The excess over 5 us is the cost
  // of handing one iteration to a worker.
  struct Busy {
    std::thread::id Caller;
    std::atomic<int> Helped{0};
    static void body(void *Self, int64_t Begin, int64_t End) {
      auto &B = *static_cast<Busy *>(Self);
      if (std::this_thread::get_id() != B.Caller)
        B.Helped++;
      auto Until = std::chrono::steady_clock::now() +
                   std::chrono::microseconds(5) * (End - Begin);
      while (std::chrono::steady_clock::now() < Until) {
      }
    }
  };
  for (bool Serial : {true, false}) {
    std::vector<double> Rounds;
    int Helped = 0, Launches = 0;
    for (int Round = 0; Round < 9; ++Round) {
      Busy B;
      B.Caller = std::this_thread::get_id();
      auto Start = std::chrono::steady_clock::now();
      for (int I = 0; I < 2000; ++I) {
        if (Serial)
          Busy::body(&B, 0, 2);
        else
          Hook(&Busy::body, &B, 2, 0, 0);
      }
      std::chrono::duration<double, std::nano> D =
          std::chrono::steady_clock::now() - Start;
      Rounds.push_back(D.count() / 2000);
      Helped += B.Helped;
      Launches += 2000;
    }
    std::sort(Rounds.begin(), Rounds.end());
    std::printf("2 x 5 us, back to back, %s: median %.0f ns (min %.0f, max "
                "%.0f); a worker took part in %.1f%% of the launches\n",
                Serial ? "serial" : "parallel_for", Rounds[4], Rounds.front(),
                Rounds.back(), 100.0 * Helped / Launches);
  }
}
