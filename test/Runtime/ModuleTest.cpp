//===- ModuleTest.cpp - Tests of binding parameters and calling -----------===//
//
// Calls the fake artifact's entry points and compares every result with
// values computed here, independently of the runtime.
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"

#include "Formula.h"

#include <atomic>
#include <thread>

using namespace encrt_test;

namespace {

const std::vector<float> BiasValues = {0.5f, -1.0f, 2.0f};
const std::vector<float> TableValues = {10.0f, 20.0f, 30.0f, 40.0f};

/// The fake artifact's module and a scratch directory for weights files.
struct Fixture : LoadedModule {
  TempDir Dir;

  Fixture() : LoadedModule(ENCRT_FAKE_ARTIFACT) {}

  /// Writes a safetensors file, binds it and drops our reference: the
  /// module must keep the weights alive.
  std::string bind(const std::vector<StTensor> &Tensors,
                   const char *Name = "w.safetensors") {
    std::string Path = Dir.path(Name);
    writeFile(Path, makeSafeTensors(Tensors));
    encrt_weights *W = nullptr;
    requireOk(encrt_weights_open(Path.c_str(), &W));
    encrt_status *S = encrt_module_bind_weights(Module, W);
    encrt_weights_release(W);
    requireOk(S);
    return Path;
  }

  std::string bindDefaults() {
    return bind({{"bias", "F32", {3}, bytesOf(BiasValues)},
                 {"table", "F32", {4}, bytesOf(TableValues)},
                 {"unused", "I8", {2}, "ab"}});
  }
};

std::vector<float> floatsOf(encrt_buffer *B) {
  encrt_tensor_view V = encrt_buffer_view(B);
  REQUIRE(V.dtype == ENCRT_F32);
  size_t N = 1;
  for (size_t I = 0; I < V.rank; ++I)
    N *= static_cast<size_t>(V.dims[I]);
  const float *P = static_cast<const float *>(V.data);
  return std::vector<float>(P, P + N);
}

std::vector<int64_t> dimsOf(encrt_buffer *B) {
  encrt_tensor_view V = encrt_buffer_view(B);
  return std::vector<int64_t>(V.dims, V.dims + V.rank);
}

/// Calls add_bias on `Rows` rows and checks y = x + bias.
void checkAddBias(Fixture &Fx, int64_t Rows) {
  INFO("rows " << Rows);
  std::vector<float> X(static_cast<size_t>(Rows) * 3);
  for (size_t I = 0; I < X.size(); ++I)
    X[I] = static_cast<float>(I) * 0.25f - 3.0f;
  std::vector<int64_t> Dims = {Rows, 3};
  encrt_tensor_view In = viewOf(ENCRT_F32, Dims, X);
  encrt_buffer *Out = nullptr;
  requireOk(
      encrt_module_call(Fx.Module, Fx.function("add_bias"), &In, 1, &Out));
  REQUIRE(Out != nullptr);
  CHECK(dimsOf(Out) == Dims);
  std::vector<float> Y = floatsOf(Out);
  REQUIRE(Y.size() == X.size());
  for (size_t I = 0; I < X.size(); ++I)
    CHECK(Y[I] == X[I] + BiasValues[I % 3]);
  encrt_buffer_release(Out);
}

} // namespace

TEST_CASE("module: binds weights and calls with dynamic rows", "[module]") {
  Fixture Fx;
  Fx.bindDefaults();
  requireOk(encrt_module_check_parameters(Fx.Module, Fx.function("add_bias")));
  for (int64_t Rows : {1, 2, 5, 0})
    checkAddBias(Fx, Rows);
}

TEST_CASE("module: 0-d result and index ranges", "[module]") {
  Fixture Fx;
  Fx.bindDefaults();
  const encrt_function *Lookup = Fx.function("lookup");
  std::vector<int64_t> Dims = {5};
  encrt_buffer *Out = nullptr;

  SECTION("valid ids and the ignore value") {
    std::vector<int64_t> Ids = {0, 3, -100, 1, 3};
    encrt_tensor_view In = viewOf(ENCRT_I64, Dims, Ids);
    requireOk(encrt_module_call(Fx.Module, Lookup, &In, 1, &Out));
    encrt_tensor_view V = encrt_buffer_view(Out);
    CHECK(V.rank == 0);
    float Expected =
        TableValues[0] + TableValues[3] + TableValues[1] + TableValues[3];
    CHECK(floatsOf(Out) == std::vector<float>{Expected});
    encrt_buffer_release(Out);
  }
  SECTION("id equal to the upper bound") {
    std::vector<int64_t> Ids = {0, 1, 2, 4, 0};
    encrt_tensor_view In = viewOf(ENCRT_I64, Dims, Ids);
    requireError(encrt_module_call(Fx.Module, Lookup, &In, 1, &Out),
                 ENCRT_INVALID_ARGUMENT,
                 {"input 'ids' (#0) of function 'lookup'", "element [3] is 4",
                  "outside the valid range [0, 4)",
                  "or the ignore value -100"});
    CHECK(Out == nullptr);
  }
  SECTION("negative id") {
    std::vector<int64_t> Ids = {-1, 0, 0, 0, 0};
    encrt_tensor_view In = viewOf(ENCRT_I64, Dims, Ids);
    requireError(encrt_module_call(Fx.Module, Lookup, &In, 1, &Out),
                 ENCRT_INVALID_ARGUMENT, {"element [0] is -1"});
  }
}

TEST_CASE("module: input checks", "[module]") {
  Fixture Fx;
  Fx.bindDefaults();
  const encrt_function *F = Fx.function("add_bias");
  encrt_buffer *Out = nullptr;
  std::vector<float> X(8, 1.0f);
  const std::string Input = "input 'x' (#0) of function 'add_bias'";

  SECTION("wrong dtype") {
    std::vector<int32_t> I32(6, 1);
    std::vector<int64_t> Dims = {2, 3};
    encrt_tensor_view In = viewOf(ENCRT_I32, Dims, I32);
    requireError(encrt_module_call(Fx.Module, F, &In, 1, &Out),
                 ENCRT_INVALID_ARGUMENT,
                 {Input, "expected dtype f32 (?x3xf32), got i32 (2x3xi32)"});
  }
  SECTION("wrong rank") {
    std::vector<int64_t> Dims = {3};
    encrt_tensor_view In = viewOf(ENCRT_F32, Dims, X);
    requireError(encrt_module_call(Fx.Module, F, &In, 1, &Out),
                 ENCRT_INVALID_ARGUMENT,
                 {Input, "expected rank 2 (?x3xf32), got rank 1 (3xf32)"});
  }
  SECTION("wrong static dim") {
    std::vector<int64_t> Dims = {2, 4};
    encrt_tensor_view In = viewOf(ENCRT_F32, Dims, X);
    requireError(encrt_module_call(Fx.Module, F, &In, 1, &Out),
                 ENCRT_INVALID_ARGUMENT,
                 {Input, "expected shape ?x3xf32, got 2x4xf32"});
  }
  SECTION("wrong input count") {
    std::vector<int64_t> Dims = {2, 3};
    encrt_tensor_view In[2] = {viewOf(ENCRT_F32, Dims, X),
                               viewOf(ENCRT_F32, Dims, X)};
    requireError(encrt_module_call(Fx.Module, F, In, 2, &Out),
                 ENCRT_INVALID_ARGUMENT,
                 {"function 'add_bias' takes 1 inputs, got 2"});
    requireError(encrt_module_call(Fx.Module, F, nullptr, 0, &Out),
                 ENCRT_INVALID_ARGUMENT, {"takes 1 inputs, got 0"});
  }
  SECTION("malformed views") {
    std::vector<int64_t> Dims = {2, 3};
    encrt_tensor_view In = viewOf(ENCRT_F32, Dims, X);
    In.data = nullptr;
    requireError(encrt_module_call(Fx.Module, F, &In, 1, &Out),
                 ENCRT_INVALID_ARGUMENT, {Input, "data is NULL"});
    std::vector<int64_t> Negative = {-2, 3};
    In = viewOf(ENCRT_F32, Negative, X);
    requireError(encrt_module_call(Fx.Module, F, &In, 1, &Out),
                 ENCRT_INVALID_ARGUMENT, {Input, "non-negative"});
    In = viewOf(static_cast<encrt_dtype>(99), Dims, X);
    requireError(encrt_module_call(Fx.Module, F, &In, 1, &Out),
                 ENCRT_INVALID_ARGUMENT, {Input, "invalid dtype"});
  }
  CHECK(Out == nullptr);
}

TEST_CASE("module: unbound parameters", "[module]") {
  Fixture Fx;
  const encrt_function *F = Fx.function("add_bias");
  std::vector<float> X(3, 1.0f);
  std::vector<int64_t> Dims = {1, 3};
  encrt_tensor_view In = viewOf(ENCRT_F32, Dims, X);
  encrt_buffer *Out = nullptr;

  requireError(encrt_module_check_parameters(Fx.Module, F), ENCRT_NOT_FOUND,
               {"parameter 'bias' of function 'add_bias' is not bound",
                "no weights file"});
  requireError(encrt_module_call(Fx.Module, F, &In, 1, &Out), ENCRT_NOT_FOUND,
               {"parameter 'bias' of function 'add_bias' is not bound"});

  std::string Path =
      Fx.bind({{"bias", "F32", {3}, bytesOf(BiasValues)}}, "bias.safetensors");
  requireOk(encrt_module_check_parameters(Fx.Module, F));
  requireError(encrt_module_check_parameters(Fx.Module, Fx.function("lookup")),
               ENCRT_NOT_FOUND,
               {"parameter 'table' of function 'lookup' is not bound; the "
                "weights file '" +
                Path + "' has no tensor of that name"});
  std::string Other = Fx.bind({{"other", "U8", {1}, "x"}}, "o.safetensors");
  requireError(encrt_module_check_parameters(Fx.Module, Fx.function("lookup")),
               ENCRT_NOT_FOUND, {"none of the weights files", Path, Other});
}

TEST_CASE("module: parameters of the wrong type bind nothing", "[module]") {
  Fixture Fx;
  std::string Path = Fx.Dir.path("bad.safetensors");
  SECTION("wrong shape") {
    writeFile(Path,
              makeSafeTensors({{"table", "F32", {4}, bytesOf(TableValues)},
                               {"bias", "F32", {4}, bytesOf(TableValues)}}));
    encrt_weights *W = nullptr;
    requireOk(encrt_weights_open(Path.c_str(), &W));
    requireError(encrt_module_bind_weights(Fx.Module, W),
                 ENCRT_INVALID_ARGUMENT,
                 {"weights file '" + Path +
                      "': tensor 'bias' has shape 4, "
                      "the artifact expects 3",
                  "function 'add_bias'"});
    encrt_weights_release(W);
  }
  SECTION("wrong rank") {
    writeFile(Path,
              makeSafeTensors({{"table", "F32", {4}, bytesOf(TableValues)},
                               {"bias", "F32", {1, 3}, bytesOf(BiasValues)}}));
    encrt_weights *W = nullptr;
    requireOk(encrt_weights_open(Path.c_str(), &W));
    requireError(encrt_module_bind_weights(Fx.Module, W),
                 ENCRT_INVALID_ARGUMENT,
                 {"tensor 'bias' has shape 1x3, the artifact expects 3"});
    encrt_weights_release(W);
  }
  SECTION("wrong dtype") {
    // Floats of another width are converted; integers never are.
    std::vector<int64_t> Bias = {1, 2, 3};
    writeFile(Path,
              makeSafeTensors({{"table", "F32", {4}, bytesOf(TableValues)},
                               {"bias", "I64", {3}, bytesOf(Bias)}}));
    encrt_weights *W = nullptr;
    requireOk(encrt_weights_open(Path.c_str(), &W));
    requireError(encrt_module_bind_weights(Fx.Module, W),
                 ENCRT_INVALID_ARGUMENT,
                 {"tensor 'bias' has dtype i64, the artifact expects f32"});
    encrt_weights_release(W);
  }
  // The valid 'table' in the same file was not bound either.
  requireError(encrt_module_check_parameters(Fx.Module, Fx.function("lookup")),
               ENCRT_NOT_FOUND, {"parameter 'table'"});
}

TEST_CASE("module: misaligned inputs are copied", "[module]") {
  Fixture Fx;
  Fx.bindDefaults();
  std::vector<float> X = {1, 2, 3, 4, 5, 6};
  std::vector<char> Storage(X.size() * sizeof(float) + 1);
  std::memcpy(Storage.data() + 1, X.data(), X.size() * sizeof(float));
  std::vector<int64_t> Dims = {2, 3};
  encrt_tensor_view In = viewOf(ENCRT_F32, Dims, X);
  In.data = Storage.data() + 1;
  encrt_buffer *Out = nullptr;
  requireOk(
      encrt_module_call(Fx.Module, Fx.function("add_bias"), &In, 1, &Out));
  CHECK(floatsOf(Out) == std::vector<float>{1.5f, 1, 5, 4.5f, 4, 8});
  encrt_buffer_release(Out);
}

TEST_CASE("module: misaligned weights are copied", "[module]") {
  Fixture Fx;
  // A one-byte tensor first puts 'bias' at an odd offset in the data
  // section; the header is a multiple of 8 bytes, so the mapping is odd too.
  Fx.bind({{"pad", "U8", {1}, "p"},
           {"bias", "F32", {3}, bytesOf(BiasValues)},
           {"table", "F32", {4}, bytesOf(TableValues)}});
  checkAddBias(Fx, 3);
}

namespace {
struct ReleaseCounter {
  std::atomic<int> Calls{0};
  static void release(void *Self) {
    static_cast<ReleaseCounter *>(Self)->Calls++;
  }
};
} // namespace

TEST_CASE("module: binding caller memory", "[module]") {
  ReleaseCounter Counter;
  {
    Fixture Fx;
    Fx.bindDefaults();
    std::vector<float> Bias = {100, 200, 300};
    std::vector<int64_t> Dims = {3};
    encrt_tensor_view View = viewOf(ENCRT_F32, Dims, Bias);
    requireOk(encrt_module_bind_parameter(Fx.Module, "bias", &View,
                                          &ReleaseCounter::release, &Counter));
    CHECK(Counter.Calls == 0);

    std::vector<float> X = {1, 2, 3};
    std::vector<int64_t> XDims = {1, 3};
    encrt_tensor_view In = viewOf(ENCRT_F32, XDims, X);
    encrt_buffer *Out = nullptr;
    requireOk(
        encrt_module_call(Fx.Module, Fx.function("add_bias"), &In, 1, &Out));
    CHECK(floatsOf(Out) == std::vector<float>{101, 202, 303});
    encrt_buffer_release(Out);

    // Rebinding releases the previous memory.
    requireOk(encrt_module_bind_parameter(Fx.Module, "bias", &View,
                                          &ReleaseCounter::release, &Counter));
    CHECK(Counter.Calls == 1);

    // Failed bindings do not take the callback.
    std::vector<int64_t> Wrong = {2};
    encrt_tensor_view Bad = viewOf(ENCRT_F32, Wrong, Bias);
    requireError(encrt_module_bind_parameter(Fx.Module, "bias", &Bad,
                                             &ReleaseCounter::release,
                                             &Counter),
                 ENCRT_INVALID_ARGUMENT,
                 {"parameter 'bias'", "has shape 2, the artifact expects 3"});
    requireError(encrt_module_bind_parameter(Fx.Module, "nope", &View,
                                             &ReleaseCounter::release,
                                             &Counter),
                 ENCRT_NOT_FOUND, {"has no parameter named 'nope'"});
    encrt_tensor_view Odd = View;
    Odd.data = reinterpret_cast<const char *>(Bias.data()) + 1;
    requireError(encrt_module_bind_parameter(Fx.Module, "bias", &Odd,
                                             &ReleaseCounter::release,
                                             &Counter),
                 ENCRT_INVALID_ARGUMENT, {"not aligned"});
    CHECK(Counter.Calls == 1);
  }
  // Releasing the module releases the current binding.
  CHECK(Counter.Calls == 2);
}

TEST_CASE("module: strided results are made contiguous", "[module]") {
  Fixture Fx;
  std::vector<float> X = {1, 2, 3, 4, 5, 6};
  std::vector<int64_t> Dims = {2, 3};
  encrt_tensor_view In = viewOf(ENCRT_F32, Dims, X);
  encrt_buffer *Out = nullptr;
  requireOk(
      encrt_module_call(Fx.Module, Fx.function("transpose"), &In, 1, &Out));
  CHECK(dimsOf(Out) == std::vector<int64_t>{3, 2});
  CHECK(floatsOf(Out) == std::vector<float>{1, 4, 2, 5, 3, 6});
  encrt_buffer_release(Out);
}

TEST_CASE("module: aliased and constant results are copied", "[module]") {
  Fixture Fx;
  std::vector<float> X = {1.5f, -2, 4};
  std::vector<int64_t> Dims = {3};
  encrt_tensor_view In = viewOf(ENCRT_F32, Dims, X);
  encrt_buffer *Out[4] = {};
  requireOk(encrt_module_call(Fx.Module, Fx.function("aliasing"), &In, 1, Out));
  CHECK(floatsOf(Out[0]) == X);
  CHECK(encrt_buffer_view(Out[0]).data != X.data());
  CHECK(floatsOf(Out[1]) == std::vector<float>{3, -4, 8});
  CHECK(floatsOf(Out[2]) == std::vector<float>{3, -4, 8});
  CHECK(encrt_buffer_view(Out[1]).data != encrt_buffer_view(Out[2]).data);
  CHECK(floatsOf(Out[3]) == std::vector<float>{7, 8, 9});
  // Each buffer is independent: release in an order that would expose a
  // double free or a use after free (valgrind runs this test too).
  encrt_buffer_release(Out[1]);
  CHECK(floatsOf(Out[2]) == std::vector<float>{3, -4, 8});
  for (int I : {0, 2, 3})
    encrt_buffer_release(Out[I]);
}

TEST_CASE("module: results outlive the module", "[module]") {
  encrt_buffer *Out = nullptr;
  {
    Fixture Fx;
    Fx.bindDefaults();
    std::vector<float> X = {0, 0, 0};
    std::vector<int64_t> Dims = {1, 3};
    encrt_tensor_view In = viewOf(ENCRT_F32, Dims, X);
    requireOk(
        encrt_module_call(Fx.Module, Fx.function("add_bias"), &In, 1, &Out));
  }
  CHECK(floatsOf(Out) == BiasValues);
  encrt_buffer_release(Out);
}

TEST_CASE("module: concurrent calls", "[module]") {
  Fixture Fx;
  Fx.bindDefaults();
  const encrt_function *F = Fx.function("add_bias");
  std::atomic<int> Failures{0};
  std::vector<std::thread> Threads;
  for (int T = 0; T < 4; ++T) {
    Threads.emplace_back([&, T] {
      for (int Iter = 0; Iter < 50; ++Iter) {
        std::vector<float> X(6, static_cast<float>(T * 100 + Iter));
        std::vector<int64_t> Dims = {2, 3};
        encrt_tensor_view In = viewOf(ENCRT_F32, Dims, X);
        encrt_buffer *Out = nullptr;
        encrt_status *S = encrt_module_call(Fx.Module, F, &In, 1, &Out);
        if (S) {
          encrt_status_free(S);
          Failures++;
          continue;
        }
        const float *Y = static_cast<const float *>(encrt_buffer_data(Out));
        for (int I = 0; I < 6; ++I)
          if (Y[I] != X[I] + BiasValues[I % 3])
            Failures++;
        encrt_buffer_release(Out);
      }
    });
  }
  for (std::thread &T : Threads)
    T.join();
  CHECK(Failures == 0);
}

TEST_CASE("module: functions of another artifact are refused", "[module]") {
  Fixture Fx;
  Fixture Other;
  requireError(
      encrt_module_check_parameters(Fx.Module, Other.function("add_bias")),
      ENCRT_INVALID_ARGUMENT, {"belongs to artifact"});
}

TEST_CASE("buffer: create copies the view", "[buffer]") {
  std::vector<int16_t> Values = {1, -2, 3, -4};
  std::vector<int64_t> Dims = {2, 2};
  encrt_tensor_view View = viewOf(ENCRT_I16, Dims, Values);
  encrt_buffer *B = nullptr;
  requireOk(encrt_buffer_create(&View, &B));
  Values[0] = 99;
  encrt_tensor_view Copy = encrt_buffer_view(B);
  CHECK(Copy.dtype == ENCRT_I16);
  CHECK(dimsOf(B) == Dims);
  CHECK(static_cast<const int16_t *>(Copy.data)[0] == 1);
  CHECK(static_cast<const int16_t *>(Copy.data)[3] == -4);
  CHECK(encrt_buffer_data(B) == Copy.data);
  encrt_buffer_release(B);

  std::vector<int64_t> Huge = {INT64_MAX, 4};
  View = viewOf(ENCRT_I16, Huge, Values);
  requireError(encrt_buffer_create(&View, &B), ENCRT_INVALID_ARGUMENT,
               {"too large"});
}

TEST_CASE("module: f16, bf16 and f64 checkpoints are converted when bound",
          "[module]") {
  // BiasValues (0.5, -1, 2) are exact in every float type, so the converted
  // bias gives exactly the f32 results.
  std::vector<uint16_t> Half = {0x3800, 0xbc00, 0x4000};
  std::vector<uint16_t> BFloat = {0x3f00, 0xbf80, 0x4000};
  std::vector<double> Double = {0.5, -1.0, 2.0};
  struct Case {
    const char *DType;
    std::string Bytes;
    encrt_dtype From;
  } Cases[] = {{"F16", bytesOf(Half), ENCRT_F16},
               {"BF16", bytesOf(BFloat), ENCRT_BF16},
               {"F64", bytesOf(Double), ENCRT_F64}};
  for (const Case &C : Cases) {
    INFO(C.DType);
    Fixture Fx;
    Fx.bind({{"bias", C.DType, {3}, C.Bytes},
             {"table", "F32", {4}, bytesOf(TableValues)}});
    checkAddBias(Fx, 2);
    size_t Count = 0, Bytes = 0;
    unsigned From = 0;
    encrt_module_converted_params(Fx.Module, &Count, &Bytes, &From);
    CHECK(Count == 1); // the f32 table stays mapped
    CHECK(Bytes == 3 * sizeof(float));
    CHECK(From == 1u << C.From);

    // Caller memory of another float dtype is converted the same way.
    std::vector<int64_t> Dims = {3};
    encrt_tensor_view View{C.From, 1, Dims.data(), C.Bytes.data()};
    requireOk(encrt_module_bind_parameter(Fx.Module, "bias", &View, nullptr,
                                          nullptr));
    checkAddBias(Fx, 3);
  }
}

TEST_CASE("module: omitted inputs, integer conversions and least sizes",
          "[module]") {
  Fixture Fx;
  const encrt_function *F = Fx.function("masked_sum");
  const encrt_value_info *Mask = encrt_function_input(F, 1);
  CHECK(encrt_function_input(F, 0)->default_fill == ENCRT_DEFAULT_NONE);
  CHECK(Mask->default_fill == ENCRT_DEFAULT_ONES);
  CHECK(encrt_function_input(F, 2)->default_fill == ENCRT_DEFAULT_ZEROS);
  REQUIRE(encrt_function_input(F, 0)->dim_min != nullptr);
  CHECK(encrt_function_input(F, 0)->dim_min[1] == 1);
  CHECK(Mask->dim_min == nullptr);

  std::vector<int64_t> Ids = {1, 2, 3, 4}, Dims = {2, 2};
  auto total = [&](std::vector<encrt_tensor_view> Inputs) {
    encrt_buffer *Out = nullptr;
    requireOk(
        encrt_module_call(Fx.Module, F, Inputs.data(), Inputs.size(), &Out));
    int64_t Value = *static_cast<const int64_t *>(encrt_buffer_view(Out).data);
    encrt_buffer_release(Out);
    return Value;
  };
  encrt_tensor_view IdsView = viewOf(ENCRT_I64, Dims, Ids);
  encrt_tensor_view Omitted{};
  CHECK(total({IdsView, Omitted, Omitted}) == 10);

  // Masks as bool, int32 and uint8 are the same mask.
  std::vector<uint8_t> Bool = {1, 0, 0, 1};
  std::vector<int32_t> Int32 = {1, 0, 0, 1};
  CHECK(total({IdsView, viewOf(ENCRT_BOOL, Dims, Bool), Omitted}) == 5);
  CHECK(total({IdsView, viewOf(ENCRT_I32, Dims, Int32), Omitted}) == 5);
  CHECK(total({IdsView, viewOf(ENCRT_U8, Dims, Bool), Omitted}) == 5);
  std::vector<int64_t> Offset = {0, 1, 0, 0};
  CHECK(total({IdsView, Omitted, viewOf(ENCRT_I64, Dims, Offset)}) == 1010);

  encrt_buffer *Out = nullptr;
  std::vector<encrt_tensor_view> Inputs = {IdsView, Omitted,
                                           viewOf(ENCRT_I64, Dims, Offset)};
  Offset[1] = 128;
  requireError(encrt_module_call(Fx.Module, F, Inputs.data(), 3, &Out),
               ENCRT_INVALID_ARGUMENT,
               {"input 'offset' (#2) of function 'masked_sum': element "
                "[0, 1] is 128, which the input's dtype i8 cannot hold"});
  Inputs = {Omitted, Omitted, Omitted};
  requireError(encrt_module_call(Fx.Module, F, Inputs.data(), 3, &Out),
               ENCRT_INVALID_ARGUMENT,
               {"input 'ids' (#0) of function 'masked_sum' is omitted, but "
                "it has no default"});
  std::vector<int64_t> Empty = {2, 0};
  Inputs = {viewOf(ENCRT_I64, Empty, std::vector<int64_t>{}), Omitted, Omitted};
  requireError(encrt_module_call(Fx.Module, F, Inputs.data(), 3, &Out),
               ENCRT_INVALID_ARGUMENT,
               {"dimension 1 ('sequence') is 0, less than the minimum 1"});
  // Floats are never converted: a silent f64 -> f32 would hide a bug.
  std::vector<double> X = {1, 2, 3};
  std::vector<int64_t> Row = {1, 3};
  Fx.bindDefaults();
  encrt_tensor_view XView = viewOf(ENCRT_F64, Row, X);
  requireError(
      encrt_module_call(Fx.Module, Fx.function("add_bias"), &XView, 1, &Out),
      ENCRT_INVALID_ARGUMENT, {"expected dtype f32", "got f64"});
}

TEST_CASE("module: bind_parameters binds all or none", "[module]") {
  Fixture Fx;
  Fx.bindDefaults();
  std::vector<float> NewBias = {1, 2, 3}, BadTable = {1, 2, 3};
  std::vector<int64_t> Three = {3};
  const char *Names[] = {"bias", "table"};
  encrt_tensor_view Views[] = {viewOf(ENCRT_F32, Three, NewBias),
                               viewOf(ENCRT_F32, Three, BadTable)};
  int Released = 0;
  auto Count = [](void *P) { ++*static_cast<int *>(P); };
  void *Data[] = {&Released, &Released};
  requireError(
      encrt_module_bind_parameters(Fx.Module, 2, Names, Views, Count, Data),
      ENCRT_INVALID_ARGUMENT,
      {"tensor bound to parameter 'table' has shape 3, the artifact "
       "expects 4"});
  CHECK(Released == 0);
  checkAddBias(Fx, 2); // the old bias is still bound

  std::vector<float> Table = {1, 1, 1, 1};
  std::vector<int64_t> Four = {4};
  Views[1] = viewOf(ENCRT_F32, Four, Table);
  requireOk(
      encrt_module_bind_parameters(Fx.Module, 2, Names, Views, Count, Data));
  std::vector<int64_t> Ids = {0, 3}, IdDims = {2};
  encrt_tensor_view In = viewOf(ENCRT_I64, IdDims, Ids);
  encrt_buffer *Out = nullptr;
  requireOk(encrt_module_call(Fx.Module, Fx.function("lookup"), &In, 1, &Out));
  CHECK(*static_cast<const float *>(encrt_buffer_view(Out).data) == 2.0f);
  encrt_buffer_release(Out);
  encrt_module_release(Fx.Module);
  Fx.Module = nullptr;
  CHECK(Released == 2);
}

TEST_CASE("module: formulas of the metadata", "[module][memory]") {
  std::string Error;
  auto value = [&](const char *Text, std::vector<int64_t> Symbols) {
    std::optional<encrt::Formula> F = encrt::Formula::parse(Text, 2, Error);
    INFO(Text << ": " << Error);
    REQUIRE(F);
    return F->evaluate(Symbols);
  };
  CHECK(value("(s0 * s1) * 1024 + 49920", {2, 3}) == 6 * 1024 + 49920);
  CHECK(value("s0 ceildiv 8", {17, 0}) == 3);
  CHECK(value("s0 floordiv 8 - s1 mod 3", {17, 7}) == 2 - 1);
  CHECK(value("-s0 + 5", {2, 0}) == 3);
  CHECK(value("s0 * s1 * s0 * s1", {int64_t(1) << 20, int64_t(1) << 20}) ==
        std::nullopt); // overflow
  CHECK(value("s0 floordiv s1", {1, 0}) == std::nullopt);
  for (const char *Bad : {"", "s2", "(s0", "s0 +", "s0 ** 2", "x"})
    CHECK_FALSE(encrt::Formula::parse(Bad, 2, Error));
}

TEST_CASE("module: a call beyond the memory limit is refused before it runs",
          "[module][memory]") {
  encrt_artifact *A = nullptr;
  requireOk(encrt_artifact_load(ENCRT_FAKE_ARTIFACT, &A));
  const encrt_function *F = nullptr;
  requireOk(encrt_artifact_find_function(A, "masked_sum", &F));
  std::vector<int64_t> Ids(6, 1), Dims = {2, 3};
  encrt_tensor_view In[3] = {viewOf(ENCRT_I64, Dims, Ids), {}, {}};
  // At batch 2, sequence 3: 6000 bytes, then 8 more, then 6000 - 8 + 8.
  for (int64_t Limit :
       {int64_t(-1), int64_t(0), int64_t(6008), int64_t(6007)}) {
    INFO("limit " << Limit);
    encrt_module_options Options;
    encrt_module_options_init(&Options);
    Options.max_call_bytes = Limit;
    encrt_module *M = nullptr;
    requireOk(encrt_module_create(A, &Options, &M));
    encrt_buffer *Out = nullptr;
    encrt_status *S = encrt_module_call(M, F, In, 3, &Out);
    if (Limit == 6007) {
      requireError(S, ENCRT_INVALID_ARGUMENT,
                   {"function 'masked_sum': a call at batch=2, sequence=3 "
                    "needs an estimated 6008 bytes for its intermediate "
                    "buffers, more than the limit of 6007 bytes "
                    "(encrt_module_options.max_call_bytes)"});
    } else {
      requireOk(S);
      encrt_buffer_release(Out);
    }
    encrt_module_release(M);
  }
  encrt_artifact_release(A);
}
