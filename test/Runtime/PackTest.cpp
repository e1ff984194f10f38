//===- PackTest.cpp - Tests of packed parameters --------------------------===//
//
// Packed parameters ("pack" in docs/artifact-abi.md) of the fake artifacts:
// what users see and bind (the sources), how the runtime builds and rebuilds
// the packed tensor, and the metadata it refuses. Expected layouts are
// computed here element by element from the ABI's definition, independently
// of the runtime's copying.
//
// Metadata cases use fake_metadata_artifact.c, whose metadata is a writable
// buffer: the test dlopens it, writes the JSON under test and loads the same
// (already open) object with encrt_artifact_load.
//
//===----------------------------------------------------------------------===//

#include "TestUtil.h"

#include <atomic>
#include <dlfcn.h>
#include <thread>

using namespace encrt_test;

namespace {

const std::vector<float> QValues = {1, 2, 3, 4, 5, 6};     // 2x3
const std::vector<float> KValues = {7, 8, 9, 10, 11, 12};  // 2x3
const std::vector<float> AValues = {100, 200};             // 2x1
const std::vector<float> BiasValues = {0.5f, -1.0f, 2.0f}; // 3

/// The bytes of a tensor of `Dims` with elements of `ElemSize` bytes.
struct Tensor {
  std::vector<int64_t> Dims;
  std::vector<uint8_t> Bytes;
};

int64_t numElements(const std::vector<int64_t> &Dims) {
  int64_t N = 1;
  for (int64_t D : Dims)
    N *= D;
  return N;
}

/// Concatenation along `Dim`, element by element: the element at multi-index
/// `I` of the result comes from the source whose slab along `Dim` holds
/// I[Dim].
Tensor concatenate(const std::vector<Tensor> &Sources, size_t Dim,
                   size_t ElemSize) {
  Tensor Out;
  Out.Dims = Sources[0].Dims;
  Out.Dims[Dim] = 0;
  for (const Tensor &S : Sources)
    Out.Dims[Dim] += S.Dims[Dim];
  int64_t N = numElements(Out.Dims);
  Out.Bytes.resize(static_cast<size_t>(N) * ElemSize);
  std::vector<int64_t> Index(Out.Dims.size(), 0);
  for (int64_t E = 0; E < N; ++E) {
    int64_t Along = Index[Dim];
    size_t S = 0;
    while (Along >= Sources[S].Dims[Dim])
      Along -= Sources[S++].Dims[Dim];
    int64_t Flat = 0;
    for (size_t D = 0; D < Index.size(); ++D)
      Flat = Flat * Sources[S].Dims[D] + (D == Dim ? Along : Index[D]);
    std::memcpy(&Out.Bytes[static_cast<size_t>(E) * ElemSize],
                &Sources[S].Bytes[static_cast<size_t>(Flat) * ElemSize],
                ElemSize);
    for (size_t D = Index.size(); D-- > 0;) {
      if (++Index[D] < Out.Dims[D])
        break;
      Index[D] = 0;
    }
  }
  return Out;
}

/// [n, k] laid out as [n / p, k, p]: element [j, k, c] = [j * p + c, k].
/// The panel layout of `In` read as the matrix [d0, d1 * d2 * ...],
/// computed independently of the runtime's code.
Tensor panels(const Tensor &In, int64_t P, size_t ElemSize) {
  int64_t N = In.Dims[0], K = 1;
  for (size_t I = 1; I < In.Dims.size(); ++I)
    K *= In.Dims[I];
  Tensor Out{{N / P, K, P}, std::vector<uint8_t>(In.Bytes.size())};
  for (int64_t J = 0; J < N / P; ++J)
    for (int64_t KK = 0; KK < K; ++KK)
      for (int64_t C = 0; C < P; ++C)
        std::memcpy(
            &Out.Bytes[static_cast<size_t>((J * K + KK) * P + C) * ElemSize],
            &In.Bytes[static_cast<size_t>((J * P + C) * K + KK) * ElemSize],
            ElemSize);
  return Out;
}

template <typename T> std::vector<T> valuesOf(encrt_buffer *B) {
  encrt_tensor_view V = encrt_buffer_view(B);
  size_t N = 1;
  for (size_t I = 0; I < V.rank; ++I)
    N *= static_cast<size_t>(V.dims[I]);
  const T *P = static_cast<const T *>(V.data);
  return std::vector<T>(P, P + N);
}

std::vector<float> asFloats(const Tensor &T) {
  std::vector<float> Out(T.Bytes.size() / sizeof(float));
  std::memcpy(Out.data(), T.Bytes.data(), T.Bytes.size());
  return Out;
}

Tensor tensorOf(const std::vector<int64_t> &Dims,
                const std::vector<float> &Values) {
  Tensor T{Dims, std::vector<uint8_t>(Values.size() * sizeof(float))};
  std::memcpy(T.Bytes.data(), Values.data(), T.Bytes.size());
  return T;
}

/// fake_parallel_artifact.c with a module.
struct Fixture : LoadedModule {
  TempDir Dir;

  Fixture() : LoadedModule(ENCRT_FAKE_PARALLEL_ARTIFACT) {}

  const encrt_function *packed() const { return function("packed"); }

  std::string write(const std::vector<StTensor> &Tensors,
                    const char *Name = "w.safetensors") {
    std::string Path = Dir.path(Name);
    writeFile(Path, makeSafeTensors(Tensors));
    return Path;
  }

  encrt_status *bind(const std::string &Path) {
    encrt_weights *W = nullptr;
    requireOk(encrt_weights_open(Path.c_str(), &W));
    encrt_status *S = encrt_module_bind_weights(Module, W);
    encrt_weights_release(W);
    return S;
  }

  std::string bindAll() {
    std::string Path = write({{"q.weight", "F32", {2, 3}, bytesOf(QValues)},
                              {"k.weight", "F32", {2, 3}, bytesOf(KValues)},
                              {"a", "F32", {2, 1}, bytesOf(AValues)},
                              {"bias", "F32", {3}, bytesOf(BiasValues)}});
    requireOk(bind(Path));
    return Path;
  }

  /// Calls "packed" and checks what its entry point received against the
  /// packing of `Q` (and the fixed k, a and bias) computed here.
  void checkCall(const std::vector<float> &Q) {
    encrt_buffer *Out[4] = {};
    requireOk(encrt_module_call(Module, packed(), nullptr, 0, Out));
    Tensor Qt = tensorOf({2, 3}, Q);
    Tensor Qk =
        panels(concatenate({Qt, tensorOf({2, 3}, KValues)}, 0, sizeof(float)),
               2, sizeof(float));
    Tensor Qa = concatenate({Qt, tensorOf({2, 1}, AValues)}, 1, sizeof(float));
    CHECK(valuesOf<float>(Out[0]) == asFloats(Qk));
    CHECK(valuesOf<float>(Out[1]) == BiasValues);
    CHECK(valuesOf<float>(Out[2]) == asFloats(Qa));
    CHECK(valuesOf<int64_t>(Out[3]) == std::vector<int64_t>{1});
    for (encrt_buffer *B : Out)
      encrt_buffer_release(B);
  }
};

} // namespace

TEST_CASE("pack: users see and bind the sources", "[pack]") {
  Fixture Fx;
  const encrt_function *F = Fx.packed();
  REQUIRE(encrt_function_param_count(F) == 4);
  const char *Names[] = {"q.weight", "k.weight", "bias", "a"};
  const std::vector<int64_t> Shapes[] = {{2, 3}, {2, 3}, {3}, {2, 1}};
  for (size_t I = 0; I < 4; ++I) {
    const encrt_value_info *P = encrt_function_param(F, I);
    CHECK(std::string(P->name) == Names[I]);
    CHECK(P->dtype == ENCRT_F32);
    CHECK(std::vector<int64_t>(P->dims, P->dims + P->rank) == Shapes[I]);
  }
  CHECK(encrt_function_param(F, 4) == nullptr);
}

TEST_CASE("pack: built from two sources with a panel", "[pack]") {
  Fixture Fx;
  Fx.bindAll();
  requireOk(encrt_module_check_parameters(Fx.Module, Fx.packed()));
  Fx.checkCall(QValues);
  // The layout the ABI describes, written out once by hand.
  encrt_buffer *Out[4] = {};
  requireOk(encrt_module_call(Fx.Module, Fx.packed(), nullptr, 0, Out));
  CHECK(valuesOf<float>(Out[0]) ==
        std::vector<float>{1, 4, 2, 5, 3, 6, 7, 10, 8, 11, 9, 12});
  CHECK(valuesOf<float>(Out[2]) ==
        std::vector<float>{1, 2, 3, 100, 4, 5, 6, 200});
  for (encrt_buffer *B : Out)
    encrt_buffer_release(B);
}

TEST_CASE("pack: a missing source is named", "[pack]") {
  Fixture Fx;
  std::string Path = Fx.write({{"q.weight", "F32", {2, 3}, bytesOf(QValues)},
                               {"bias", "F32", {3}, bytesOf(BiasValues)}});
  requireOk(Fx.bind(Path));
  const std::string Expected =
      "parameter 'k.weight' of function 'packed' is not bound; the weights "
      "file '" +
      Path + "' has no tensor of that name";
  requireError(encrt_module_check_parameters(Fx.Module, Fx.packed()),
               ENCRT_NOT_FOUND, {Expected});
  encrt_buffer *Out[4] = {};
  requireError(encrt_module_call(Fx.Module, Fx.packed(), nullptr, 0, Out),
               ENCRT_NOT_FOUND, {Expected});
  CHECK(Out[0] == nullptr);
}

TEST_CASE("pack: sources are checked like parameters", "[pack]") {
  Fixture Fx;
  std::string Path = Fx.write({{"q.weight", "F32", {2, 3}, bytesOf(QValues)},
                               {"k.weight", "F32", {3, 2}, bytesOf(KValues)}});
  requireError(Fx.bind(Path), ENCRT_INVALID_ARGUMENT,
               {"weights file '" + Path +
                    "': tensor 'k.weight' has shape 3x2, the artifact "
                    "expects 2x3",
                "(parameter 'k.weight' of function 'packed')"});
  std::vector<int32_t> Wrong(6);
  std::vector<int64_t> Dims = {2, 3};
  encrt_tensor_view View = viewOf(ENCRT_I32, Dims, Wrong);
  requireError(encrt_module_bind_parameter(Fx.Module, "q.weight", &View,
                                           nullptr, nullptr),
               ENCRT_INVALID_ARGUMENT,
               {"parameter 'q.weight'", "has dtype i32, the artifact "
                                        "expects f32"});
  // The packed tensor's own name is internal.
  View.dtype = ENCRT_F32;
  std::vector<int64_t> PackedDims = {2, 3, 2};
  std::vector<float> Packed(12);
  View = viewOf(ENCRT_F32, PackedDims, Packed);
  requireError(encrt_module_bind_parameter(Fx.Module, "qk.packed", &View,
                                           nullptr, nullptr),
               ENCRT_INVALID_ARGUMENT,
               {"parameter 'qk.packed'",
                "is built by the runtime from 'q.weight', 'k.weight'; bind "
                "those instead"});
}

namespace {
struct ReleaseCounter {
  std::atomic<int> Calls{0};
  static void release(void *Self) {
    static_cast<ReleaseCounter *>(Self)->Calls++;
  }
};
} // namespace

TEST_CASE("pack: rebinding a source rebuilds what uses it", "[pack]") {
  ReleaseCounter Counter;
  {
    Fixture Fx;
    Fx.bindAll();
    Fx.checkCall(QValues);
    std::vector<float> NewQ = {-1, -2, -3, -4, -5, -6};
    std::vector<int64_t> Dims = {2, 3};
    encrt_tensor_view View = viewOf(ENCRT_F32, Dims, NewQ);
    requireOk(encrt_module_bind_parameter(Fx.Module, "q.weight", &View,
                                          &ReleaseCounter::release, &Counter));
    Fx.checkCall(NewQ); // both packs that use q.weight
    Fx.checkCall(NewQ); // and again, from the cached build

    // The packed copy does not keep the caller's memory bound.
    std::vector<float> Third = {9, 9, 9, 9, 9, 9};
    View = viewOf(ENCRT_F32, Dims, Third);
    requireOk(encrt_module_bind_parameter(Fx.Module, "q.weight", &View,
                                          &ReleaseCounter::release, &Counter));
    CHECK(Counter.Calls == 1);
    Fx.checkCall(Third);
  }
  CHECK(Counter.Calls == 2);
}

TEST_CASE("pack: concurrent first calls", "[pack]") {
  Fixture Fx;
  Fx.bindAll();
  const encrt_function *F = Fx.packed(); // Catch's macros are not thread-safe
  std::atomic<int> Failures{0};
  std::vector<std::thread> Threads;
  for (int T = 0; T < 4; ++T) {
    Threads.emplace_back([&] {
      for (int I = 0; I < 50; ++I) {
        encrt_buffer *Out[4] = {};
        if (encrt_status *S =
                encrt_module_call(Fx.Module, F, nullptr, 0, Out)) {
          encrt_status_free(S);
          Failures++;
          continue;
        }
        if (valuesOf<float>(Out[0])[1] != 4 ||
            valuesOf<float>(Out[2])[3] != 100)
          Failures++;
        for (encrt_buffer *B : Out)
          encrt_buffer_release(B);
      }
    });
  }
  for (std::thread &T : Threads)
    T.join();
  CHECK(Failures == 0);
}

//===----------------------------------------------------------------------===//
// Metadata written into fake_metadata_artifact.c
//===----------------------------------------------------------------------===//

namespace {

class PatchedArtifact {
public:
  PatchedArtifact() {
    Handle = dlopen(ENCRT_FAKE_METADATA_ARTIFACT, RTLD_NOW | RTLD_LOCAL);
    REQUIRE(Handle != nullptr);
    Metadata = static_cast<char *>(dlsym(Handle, "enc_artifact_metadata"));
    REQUIRE(Metadata != nullptr);
  }
  ~PatchedArtifact() { dlclose(Handle); }
  PatchedArtifact(const PatchedArtifact &) = delete;
  PatchedArtifact &operator=(const PatchedArtifact &) = delete;

  /// Loads the artifact with `Functions` (JSON objects, comma-separated) and
  /// `Extra` top-level members (each starting with a comma).
  encrt_status *load(const std::string &Functions, encrt_artifact **Out,
                     const std::string &Extra = "") {
    std::string Json = "{\"format\": \"encoder-artifact\", \"abi_version\": "
                       "1, \"target\": {\"kind\": \"cpu\"}, \"functions\": [" +
                       Functions + "]" + Extra + "}";
    REQUIRE(Json.size() < (1u << 14));
    std::memcpy(Metadata, Json.c_str(), Json.size() + 1);
    return encrt_artifact_load(ENCRT_FAKE_METADATA_ARTIFACT, Out);
  }

  /// A function "main" with one parameter and no inputs or outputs.
  static std::string withParam(const std::string &Param,
                               const std::string &Name = "main") {
    return "{\"name\": \"" + Name +
           "\", \"entry\": \"fake_main\", \"inputs\": [], \"params\": [" +
           Param + "], \"outputs\": []}";
  }

private:
  void *Handle = nullptr;
  char *Metadata = nullptr;
};

std::string shapeJson(const std::vector<int64_t> &Dims) {
  std::string Out = "[";
  for (size_t I = 0; I < Dims.size(); ++I)
    Out += (I ? ", " : "") + std::to_string(Dims[I]);
  return Out + "]";
}

/// A packed parameter "p" of `DType` (metadata spelling) from sources s0,
/// s1, ... of the given shapes.
std::string packedParam(const std::string &DType,
                        const std::vector<std::vector<int64_t>> &Sources,
                        int64_t ConcatDim, int64_t Panel,
                        const std::vector<int64_t> &Shape) {
  std::string Json = "{\"name\": \"p\", \"dtype\": \"" + DType +
                     "\", \"shape\": " + shapeJson(Shape) +
                     ", \"pack\": {\"sources\": [";
  for (size_t I = 0; I < Sources.size(); ++I)
    Json += (I ? ", " : "") + std::string("{\"name\": \"s") +
            std::to_string(I) + "\", \"shape\": " + shapeJson(Sources[I]) + "}";
  Json += "], \"concat_dim\": " + std::to_string(ConcatDim);
  if (Panel)
    Json += ", \"panel\": " + std::to_string(Panel);
  return Json + "}}";
}

} // namespace

TEST_CASE("pack: layouts for every element size", "[pack]") {
  struct Case {
    const char *DType;
    encrt_dtype Enum;
    std::vector<std::vector<int64_t>> Sources;
    int64_t ConcatDim, Panel;
  };
  const Case Cases[] = {
      {"f32", ENCRT_F32, {{4, 3}, {2, 3}, {6, 3}}, 0, 4},
      {"i8", ENCRT_I8, {{3, 2}, {3, 5}}, 1, 3},
      {"f16", ENCRT_F16, {{2, 3, 4}, {2, 1, 4}}, 1, 0},
      {"i32", ENCRT_I32, {{1, 2, 2}, {2, 2, 2}}, 0, 0},
      {"f64", ENCRT_F64, {{5, 2}}, 0, 5},
      {"bf16", ENCRT_BF16, {{8, 3}, {8, 5}}, 1, 2},
      {"i64", ENCRT_I64, {{3}, {4}}, 0, 0},
      // A convolution weight [out, c, kh, kw] in panels of its im2col
      // matrix [out, c * kh * kw].
      {"f32", ENCRT_F32, {{4, 3, 2, 2}, {2, 3, 2, 2}}, 0, 2},
  };
  PatchedArtifact Patched;
  for (const Case &C : Cases) {
    INFO("dtype " << C.DType << ", concat_dim " << C.ConcatDim << ", panel "
                  << C.Panel);
    size_t ElemSize = encrt_dtype_size(C.Enum);
    std::vector<Tensor> Sources;
    uint32_t Seed = 12345;
    for (const std::vector<int64_t> &Dims : C.Sources) {
      Tensor T{Dims, std::vector<uint8_t>(
                         static_cast<size_t>(numElements(Dims)) * ElemSize)};
      for (uint8_t &B : T.Bytes) {
        Seed = Seed * 1103515245u + 12345u;
        B = static_cast<uint8_t>(Seed >> 16);
      }
      Sources.push_back(std::move(T));
    }
    Tensor Expected =
        concatenate(Sources, static_cast<size_t>(C.ConcatDim), ElemSize);
    if (C.Panel)
      Expected = panels(Expected, C.Panel, ElemSize);

    std::string Function =
        "{\"name\": \"main\", \"entry\": \"fake_echo" +
        std::to_string(Expected.Dims.size()) +
        "\", \"inputs\": [], \"params\": [" +
        packedParam(C.DType, C.Sources, C.ConcatDim, C.Panel, Expected.Dims) +
        "], \"outputs\": [{\"name\": \"p\", \"dtype\": \"" + C.DType +
        "\", \"shape\": " + shapeJson(Expected.Dims) + "}]}";
    encrt_artifact *A = nullptr;
    requireOk(Patched.load(Function, &A));
    encrt_module *M = nullptr;
    requireOk(encrt_module_create(A, nullptr, &M));
    const encrt_function *F = encrt_artifact_function(A, 0);
    REQUIRE(encrt_function_param_count(F) == Sources.size());
    // Aligned storage for each source.
    std::vector<std::vector<uint64_t>> Storage;
    for (size_t I = 0; I < Sources.size(); ++I) {
      Storage.emplace_back((Sources[I].Bytes.size() + 7) / 8);
      std::memcpy(Storage.back().data(), Sources[I].Bytes.data(),
                  Sources[I].Bytes.size());
      encrt_tensor_view View{};
      View.dtype = C.Enum;
      View.rank = Sources[I].Dims.size();
      View.dims = Sources[I].Dims.data();
      View.data = Storage.back().data();
      std::string Name = "s" + std::to_string(I);
      CHECK(std::string(encrt_function_param(F, I)->name) == Name);
      requireOk(encrt_module_bind_parameter(M, Name.c_str(), &View, nullptr,
                                            nullptr));
    }
    encrt_buffer *Out = nullptr;
    requireOk(encrt_module_call(M, F, nullptr, 0, &Out));
    encrt_tensor_view V = encrt_buffer_view(Out);
    CHECK(std::vector<int64_t>(V.dims, V.dims + V.rank) == Expected.Dims);
    const uint8_t *Got = static_cast<const uint8_t *>(V.data);
    CHECK(std::vector<uint8_t>(Got, Got + Expected.Bytes.size()) ==
          Expected.Bytes);
    encrt_buffer_release(Out);
    encrt_module_release(M);
    encrt_artifact_release(A);
  }
}

TEST_CASE("pack: packed parameters shared by functions", "[pack]") {
  PatchedArtifact Patched;
  std::string P = packedParam("f32", {{2, 2}, {2, 2}}, 0, 2, {2, 2, 2});
  // "s0" is also a plain parameter of g, with a compatible dynamic shape.
  std::string G = "{\"name\": \"g\", \"entry\": \"fake_main\", \"inputs\": "
                  "[], \"params\": [{\"name\": \"s0\", \"dtype\": \"f32\", "
                  "\"shape\": [-1, 2]}, " +
                  P + "], \"outputs\": []}";
  encrt_artifact *A = nullptr;
  requireOk(Patched.load(PatchedArtifact::withParam(P) + ", " + G, &A));
  const encrt_function *F = encrt_artifact_function(A, 1);
  REQUIRE(encrt_function_param_count(F) == 2);
  CHECK(std::string(encrt_function_param(F, 0)->name) == "s0");
  CHECK(encrt_function_param(F, 0)->dims[0] == ENCRT_DYNAMIC_DIM);
  CHECK(std::string(encrt_function_param(F, 1)->name) == "s1");
  encrt_module *M = nullptr;
  requireOk(encrt_module_create(A, nullptr, &M));
  // s0 must also fit the pack's static 2x2.
  std::vector<float> Values(6);
  std::vector<int64_t> Dims = {3, 2};
  encrt_tensor_view View = viewOf(ENCRT_F32, Dims, Values);
  requireError(encrt_module_bind_parameter(M, "s0", &View, nullptr, nullptr),
               ENCRT_INVALID_ARGUMENT,
               {"has shape 3x2, the artifact expects 2x2"});
  encrt_module_release(M);
  encrt_artifact_release(A);
}

TEST_CASE("pack: invalid metadata", "[pack][artifact]") {
  PatchedArtifact Patched;
  encrt_artifact *A = nullptr;
  auto refuse = [&](const std::string &Functions,
                    const std::vector<std::string> &Needles,
                    const std::string &Extra = "") {
    std::vector<std::string> All = Needles;
    All.push_back("has invalid metadata");
    requireError(Patched.load(Functions, &A, Extra), ENCRT_DATA_ERROR, All);
    CHECK(A == nullptr);
  };
  auto withPack = [](const std::string &Shape, const std::string &Pack) {
    return PatchedArtifact::withParam(
        "{\"name\": \"p\", \"dtype\": \"f32\", \"shape\": " + Shape +
        ", \"pack\": " + Pack + "}");
  };
  const std::string Two =
      "[{\"name\": \"a\", \"shape\": [2, 3]}, {\"name\": \"b\", "
      "\"shape\": [2, 3]}]";

  refuse(withPack("[4, 3]", "[]"), {"parameter #0 ('p'): \"pack\" is not an "
                                    "object"});
  refuse(withPack("[4, 3]", "{\"sources\": [], \"concat_dim\": 0}"),
         {"has no non-empty array field \"sources\""});
  refuse(withPack("[4, 3]", "{\"sources\": [{\"shape\": [2, 3]}], "
                            "\"concat_dim\": 0}"),
         {"source #0 has no string field \"name\""});
  refuse(withPack("[4, 3]", "{\"sources\": [{\"name\": \"a\", \"shape\": "
                            "[-1, 3]}], \"concat_dim\": 0}"),
         {"source #0 ('a') has no \"shape\" of sizes >= 0"});
  refuse(withPack("[4, 3]", "{\"sources\": " + Two + "}"),
         {"has no integer field \"concat_dim\""});
  refuse(withPack("[4, 3]", "{\"sources\": " + Two + ", \"concat_dim\": 2}"),
         {"has concat_dim 2, but its sources have rank 2"});
  refuse(withPack("[4, 3]",
                  "{\"sources\": [{\"name\": \"a\", \"shape\": [2, 3]}, "
                  "{\"name\": \"b\", \"shape\": [2, 4]}], \"concat_dim\": 0}"),
         {"source #1 ('b') has shape 2x4, source #0 ('a') 2x3; they must "
          "agree except on concat_dim 0"});
  refuse(withPack("[4, 3]",
                  "{\"sources\": [{\"name\": \"a\", \"shape\": [2, 3]}, "
                  "{\"name\": \"b\", \"shape\": [2, 3, 1]}], "
                  "\"concat_dim\": 0}"),
         {"source #1 ('b') has shape 2x3x1"});
  refuse(withPack("[4, 3]", "{\"sources\": " + Two +
                                ", \"concat_dim\": 0, \"panel\": 3}"),
         {"panel 3 does not divide the rows of the concatenated 4x3"});
  refuse(withPack("[4, 3]", "{\"sources\": " + Two +
                                ", \"concat_dim\": 0, \"panel\": 0}"),
         {"\"panel\" that is not a positive integer"});
  refuse(withPack("[1, 4, 3]",
                  "{\"sources\": [{\"name\": \"a\", \"shape\": [1, 2, 3]}, "
                  "{\"name\": \"b\", \"shape\": [1, 2, 3]}], "
                  "\"concat_dim\": 1, \"panel\": 1}"),
         {"has a panel, but its sources have rank 3 and concat_dim 1"});
  refuse(withPack("[3, 4]", "{\"sources\": " + Two + ", \"concat_dim\": 0}"),
         {"\"pack\" builds 4x3xf32, but the parameter is 3x4xf32"});
  refuse(withPack("[2, 3, 2]", "{\"sources\": " + Two +
                                   ", \"concat_dim\": 0, "
                                   "\"panel\": 4}"),
         {"builds 1x3x4xf32, but the parameter is 2x3x2xf32"});
  refuse(withPack("[2, 3, 4]", "{\"sources\": " + Two +
                                   ", \"concat_dim\": 0, "
                                   "\"panel\": 2}"),
         {"builds 2x3x2xf32, but the parameter is 2x3x4xf32"});
  refuse(withPack("[-1, 3]", "{\"sources\": " + Two + ", \"concat_dim\": 0}"),
         {"parameter #0 ('p') is packed, so its shape must be static"});
  refuse("{\"name\": \"main\", \"entry\": \"fake_main\", \"inputs\": "
         "[{\"name\": \"x\", \"dtype\": \"f32\", \"shape\": [4, 3], "
         "\"pack\": {}}], \"params\": [], \"outputs\": []}",
         {"input #0 ('x') has a \"pack\"; only parameters can be packed"});

  // One tensor bound to two declarations that no tensor can satisfy both.
  refuse("{\"name\": \"main\", \"entry\": \"fake_main\", \"inputs\": [], "
         "\"params\": [{\"name\": \"a\", \"dtype\": \"f32\", \"shape\": "
         "[3, 3]}, {\"name\": \"p\", \"dtype\": \"f32\", \"shape\": [4, 3], "
         "\"pack\": {\"sources\": " +
             Two + ", \"concat_dim\": 0}}], \"outputs\": []}",
         {"function 'main': tensor 'a' is used as 3x3xf32 and as 2x3xf32"});
  // One packed name built two ways.
  std::string P1 = "{\"name\": \"p\", \"dtype\": \"f32\", \"shape\": [4, 3], "
                   "\"pack\": {\"sources\": " +
                   Two + ", \"concat_dim\": 0}}";
  std::string P2 = "{\"name\": \"p\", \"dtype\": \"f32\", \"shape\": [2, 3, "
                   "2], \"pack\": {\"sources\": " +
                   Two + ", \"concat_dim\": 0, \"panel\": 2}}";
  refuse(PatchedArtifact::withParam(P1, "f") + ", " +
             PatchedArtifact::withParam(P2, "g"),
         {"packed parameter 'p' is built differently by functions 'f' and "
          "'g'"});
}

TEST_CASE("profile: invalid kernel lists", "[artifact][profile]") {
  PatchedArtifact Patched;
  encrt_artifact *A = nullptr;
  const std::string Main = PatchedArtifact::withParam("");
  auto refuse = [&](const std::string &Kernels, const std::string &Needle) {
    requireError(Patched.load(Main, &A, ", \"kernels\": " + Kernels),
                 ENCRT_DATA_ERROR, {"has invalid metadata", Needle});
    CHECK(A == nullptr);
  };
  refuse("{}", "\"kernels\" is not an array");
  refuse("[3]", "kernel #0 is not an object");
  refuse("[{\"ops\": []}]", "kernel #0 has no string field \"name\"");
  refuse("[{\"name\": \"k\", \"function\": 1}]",
         "kernel #0 ('k') has a \"function\" that is not a string");
  refuse("[{\"name\": \"k\", \"ops\": \"enc.linear\"}]",
         "kernel #0 ('k') has \"ops\" that is not an array of strings");
  refuse("[{\"name\": \"k\", \"ops\": [1]}]",
         "kernel #0 ('k') has an \"ops\" entry that is not a string");
  refuse("[{\"name\": \"k\"}, {\"name\": \"l\", \"flops\": -2}]",
         "kernel #1 ('l') has \"flops\" that is neither a count nor -1");
  refuse("[{\"name\": \"k\", \"bytes\": 1.5}]",
         "kernel #0 ('k') has \"bytes\" that is neither a count nor -1");

  requireOk(Patched.load(Main, &A, ", \"kernels\": []"));
  CHECK(encrt_artifact_kernel_count(A) == 0);
  encrt_artifact_release(A);
}
