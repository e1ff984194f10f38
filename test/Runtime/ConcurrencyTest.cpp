//===- ConcurrencyTest.cpp - One module, many calling threads -------------===//
//
// A server calls one loaded module from many threads at once. Eight threads
// call the fake artifacts' functions (different functions, different
// shapes, omitted and converted inputs, kernel launches through the shared
// pool) and every result must be what a serial call gives; a ninth thread
// rebinds parameters (caller memory, weights files, sources of packed
// parameters) meanwhile, and every call must see one whole binding, old or
// new, never a mix. The CI runs this under ThreadSanitizer too.
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"

#include <atomic>
#include <mutex>
#include <string>
#include <thread>

using namespace encrt_test;

namespace {

constexpr int kCallers = 8;
constexpr int kCallsEach = 60;

/// The message of `S` ("" for success); frees it.
std::string messageOf(encrt_status *S) {
  std::string Message = S ? encrt_status_message(S) : "";
  encrt_status_free(S);
  return Message;
}

const std::vector<float> BiasA = {0.5f, -1.0f, 2.0f};
const std::vector<float> BiasB = {10.0f, 20.0f, 30.0f};
const std::vector<float> Table = {1.0f, 2.0f, 4.0f, 8.0f};

/// add_bias on `Rows` rows: y - x must be BiasA or BiasB, whole.
bool addBiasIsWhole(encrt_module *M, const encrt_function *F, int64_t Rows,
                    bool AllowB, std::string &Why) {
  std::vector<float> X(static_cast<size_t>(Rows) * 3);
  for (size_t I = 0; I < X.size(); ++I)
    X[I] = static_cast<float>(I % 7) - 3.0f;
  std::vector<int64_t> Dims = {Rows, 3};
  encrt_tensor_view In = viewOf(ENCRT_F32, Dims, X);
  encrt_buffer *Out = nullptr;
  Why = messageOf(encrt_module_call(M, F, &In, 1, &Out));
  if (!Why.empty())
    return false;
  const float *Y = static_cast<const float *>(encrt_buffer_view(Out).data);
  bool IsA = true, IsB = AllowB;
  for (size_t I = 0; I < X.size(); ++I) {
    IsA &= Y[I] == X[I] + BiasA[I % 3];
    IsB &= Y[I] == X[I] + BiasB[I % 3];
  }
  encrt_buffer_release(Out);
  if (!IsA && !IsB)
    Why = "add_bias mixed two bindings or computed garbage";
  return IsA || IsB;
}

/// masked_sum with the mask omitted or given as bool: the serial answer.
bool maskedSumIsRight(encrt_module *M, const encrt_function *F, int Seed,
                      std::string &Why) {
  int64_t Rows = 1 + Seed % 3, Cols = 1 + Seed % 5;
  std::vector<int64_t> Ids(static_cast<size_t>(Rows * Cols));
  std::vector<uint8_t> Mask(Ids.size());
  int64_t Expected = 0;
  for (size_t I = 0; I < Ids.size(); ++I) {
    Ids[I] = static_cast<int64_t>(I) + Seed;
    Mask[I] = (I + Seed) % 2;
    if (Seed % 2 == 0 || Mask[I])
      Expected += Ids[I];
  }
  std::vector<int64_t> Dims = {Rows, Cols};
  std::vector<encrt_tensor_view> In = {
      viewOf(ENCRT_I64, Dims, Ids), encrt_tensor_view{}, encrt_tensor_view{}};
  if (Seed % 2)
    In[1] = viewOf(ENCRT_BOOL, Dims, Mask);
  encrt_buffer *Out = nullptr;
  Why = messageOf(encrt_module_call(M, F, In.data(), In.size(), &Out));
  if (!Why.empty())
    return false;
  int64_t Total = *static_cast<const int64_t *>(encrt_buffer_view(Out).data);
  encrt_buffer_release(Out);
  if (Total != Expected)
    Why = "masked_sum gave " + std::to_string(Total) + ", expected " +
          std::to_string(Expected);
  return Total == Expected;
}

} // namespace

TEST_CASE("concurrency: eight threads call one module, results as serial",
          "[concurrency]") {
  LoadedModule L(ENCRT_FAKE_ARTIFACT);
  std::vector<int64_t> BiasDims = {3}, TableDims = {4};
  encrt_tensor_view Bias = viewOf(ENCRT_F32, BiasDims, BiasA);
  encrt_tensor_view TableView = viewOf(ENCRT_F32, TableDims, Table);
  requireOk(
      encrt_module_bind_parameter(L.Module, "bias", &Bias, nullptr, nullptr));
  requireOk(encrt_module_bind_parameter(L.Module, "table", &TableView, nullptr,
                                        nullptr));
  const encrt_function *AddBias = L.function("add_bias");
  const encrt_function *Lookup = L.function("lookup");
  const encrt_function *MaskedSum = L.function("masked_sum");

  std::atomic<int> Failures{0};
  std::string FirstFailure;
  std::mutex FailureMutex;
  auto fail = [&](const std::string &Why) {
    std::lock_guard<std::mutex> Lock(FailureMutex);
    if (Failures++ == 0)
      FirstFailure = Why;
  };
  std::vector<std::thread> Threads;
  for (int T = 0; T < kCallers; ++T)
    Threads.emplace_back([&, T] {
      for (int I = 0; I < kCallsEach; ++I) {
        std::string Why;
        switch ((T + I) % 3) {
        case 0:
          if (!addBiasIsWhole(L.Module, AddBias, 1 + (T * 7 + I) % 13,
                              /*AllowB=*/false, Why))
            fail(Why);
          break;
        case 1: {
          std::vector<int64_t> Ids = {I % 4, -100, (T + I) % 4};
          std::vector<int64_t> Dims = {3};
          encrt_tensor_view In = viewOf(ENCRT_I64, Dims, Ids);
          encrt_buffer *Out = nullptr;
          Why = messageOf(encrt_module_call(L.Module, Lookup, &In, 1, &Out));
          if (!Why.empty()) {
            fail(Why);
            break;
          }
          float Total =
              *static_cast<const float *>(encrt_buffer_view(Out).data);
          if (Total != Table[I % 4] + Table[(T + I) % 4])
            fail("lookup gave a wrong total");
          encrt_buffer_release(Out);
          break;
        }
        default:
          if (!maskedSumIsRight(L.Module, MaskedSum, T * 100 + I, Why))
            fail(Why);
        }
      }
    });
  for (std::thread &T : Threads)
    T.join();
  INFO(FirstFailure);
  CHECK(Failures == 0);
}

TEST_CASE("concurrency: rebinding while calls run is safe", "[concurrency]") {
  // Before the module: its last binding is released when it goes.
  std::atomic<int> Released{0}, Rebinds{0};
  LoadedModule L(ENCRT_FAKE_ARTIFACT);
  TempDir Dir;
  std::string FileB = Dir.path("b.safetensors");
  writeFile(FileB, makeSafeTensors({{"bias", "F32", {3}, bytesOf(BiasB)}}));
  std::vector<int64_t> BiasDims = {3};
  encrt_tensor_view Bias = viewOf(ENCRT_F32, BiasDims, BiasA);
  requireOk(
      encrt_module_bind_parameter(L.Module, "bias", &Bias, nullptr, nullptr));
  const encrt_function *AddBias = L.function("add_bias");

  std::atomic<bool> Done{false};
  // Alternately caller memory (released through the callback once no call
  // uses it) and a weights file.
  std::thread Rebinder([&] {
    encrt_weights *W = nullptr;
    requireOk(encrt_weights_open(FileB.c_str(), &W));
    while (!Done) {
      if (Rebinds % 2 == 0) {
        encrt_status *S = encrt_module_bind_weights(L.Module, W);
        if (S)
          encrt_status_free(S);
      } else {
        encrt_status *S = encrt_module_bind_parameter(
            L.Module, "bias", &Bias,
            [](void *Count) { ++*static_cast<std::atomic<int> *>(Count); },
            &Released);
        if (S)
          encrt_status_free(S);
      }
      ++Rebinds;
      std::this_thread::yield();
    }
    encrt_weights_release(W);
  });
  std::atomic<int> Failures{0};
  std::vector<std::thread> Callers;
  for (int T = 0; T < kCallers; ++T)
    Callers.emplace_back([&, T] {
      for (int I = 0; I < kCallsEach; ++I) {
        std::string Why;
        if (!addBiasIsWhole(L.Module, AddBias, 1 + (T + I) % 9,
                            /*AllowB=*/true, Why))
          ++Failures;
      }
    });
  for (std::thread &T : Callers)
    T.join();
  Done = true;
  Rebinder.join();
  CHECK(Failures == 0);
  CHECK(Rebinds > 0);
  // Every binding of caller memory but the current one was released.
  int Bound = Rebinds / 2; // odd rebinds bound caller memory
  CHECK(Released >= Bound - 1);
}

TEST_CASE("concurrency: launches and packed parameters from many threads",
          "[concurrency][parallel]") {
  LoadedModule L(ENCRT_FAKE_PARALLEL_ARTIFACT);
  std::vector<float> Q = {1, 2, 3, 4, 5, 6}, K = {7, 8, 9, 10, 11, 12};
  std::vector<float> Bias = {1, 1, 1}, A = {100, 200};
  std::vector<int64_t> QDims = {2, 3}, BDims = {3}, ADims = {2, 1};
  for (auto [Name, View] : {std::pair<const char *, encrt_tensor_view>{
                                "q.weight", viewOf(ENCRT_F32, QDims, Q)},
                            {"k.weight", viewOf(ENCRT_F32, QDims, K)},
                            {"bias", viewOf(ENCRT_F32, BDims, Bias)},
                            {"a", viewOf(ENCRT_F32, ADims, A)}})
    requireOk(
        encrt_module_bind_parameter(L.Module, Name, &View, nullptr, nullptr));
  const encrt_function *Mark = L.function("mark");
  const encrt_function *Packed = L.function("packed");
  std::atomic<int> Failures{0};
  std::vector<std::thread> Threads;
  for (int T = 0; T < kCallers; ++T)
    Threads.emplace_back([&, T] {
      for (int I = 0; I < kCallsEach / 2; ++I) {
        if ((T + I) % 2) {
          encrt_buffer *Out[4] = {};
          if (encrt_status *S =
                  encrt_module_call(L.Module, Packed, nullptr, 0, Out)) {
            encrt_status_free(S);
            ++Failures;
            continue;
          }
          // qa packs q (2x3) and a (2x1) along dimension 1.
          const float *Qa =
              static_cast<const float *>(encrt_buffer_view(Out[2]).data);
          if (Qa[0] != 1 || Qa[3] != 100 || Qa[4] != 4 || Qa[7] != 200)
            ++Failures;
          for (encrt_buffer *B : Out)
            encrt_buffer_release(B);
          continue;
        }
        int64_t N = 1 + (T * 131 + I * 17) % 5000;
        std::vector<float> X(static_cast<size_t>(N), 1.0f);
        std::vector<int64_t> Dims = {N};
        encrt_tensor_view In = viewOf(ENCRT_F32, Dims, X);
        encrt_buffer *Out[4] = {};
        if (encrt_status *S = encrt_module_call(L.Module, Mark, &In, 1, Out)) {
          encrt_status_free(S);
          ++Failures;
          continue;
        }
        const int32_t *Hits =
            static_cast<const int32_t *>(encrt_buffer_view(Out[1]).data);
        for (int64_t J = 0; J < N; ++J)
          if (Hits[J] != 1) {
            ++Failures;
            break;
          }
        for (encrt_buffer *B : Out)
          encrt_buffer_release(B);
      }
    });
  for (std::thread &T : Threads)
    T.join();
  CHECK(Failures == 0);
}
