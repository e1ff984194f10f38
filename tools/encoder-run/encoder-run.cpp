//===- encoder-run.cpp - Run a function of a compiled artifact ------------===//
//
// Loads an artifact with libencrt, binds safetensors weights, reads inputs
// from .npy files or command-line literals, runs one function and writes or
// prints its results; optionally times repeated calls and profiles the
// kernels they launch. Every failure is one line "encoder-run: error: ..." on
// stderr (exit 1; usage errors exit 2).
//
//===----------------------------------------------------------------------===//

#include "encoder/Runtime/Runtime.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace {

const char *const Usage =
    "usage: encoder-run MODEL.so [--weights=W.safetensors]... "
    "[--input=@x.npy | --input=2x3xf32=1,2,3,4,5,6 | --input=f32=1.5]... "
    "[--output=@y.npy]... [--function=NAME] [--benchmark=N] [--profile] "
    "[--threads=N] [--list] [--metadata] [--device=cpu|cuda|cuda:N]";

constexpr int WarmupRuns = 3;
constexpr int64_t SummarizeThreshold = 1024;
constexpr int64_t EdgeItems = 3;

/// A failure to report: one message line and the exit code.
struct ToolError {
  std::string Message;
  int ExitCode;
};

[[noreturn]] void fail(std::string Message) {
  throw ToolError{std::move(Message), 1};
}
[[noreturn]] void usageError(std::string Message) {
  throw ToolError{std::move(Message), 2};
}

/// Turns a runtime status into a ToolError.
void check(encrt_status *S) {
  if (!S)
    return;
  std::string Message = encrt_status_message(S);
  encrt_status_free(S);
  fail(Message);
}

template <typename T, void (*Release)(T *)> struct Releaser {
  void operator()(T *P) const { Release(P); }
};
using ArtifactPtr =
    std::unique_ptr<encrt_artifact,
                    Releaser<encrt_artifact, encrt_artifact_release>>;
using ModulePtr =
    std::unique_ptr<encrt_module, Releaser<encrt_module, encrt_module_release>>;
using WeightsPtr =
    std::unique_ptr<encrt_weights,
                    Releaser<encrt_weights, encrt_weights_release>>;
using BufferPtr =
    std::unique_ptr<encrt_buffer, Releaser<encrt_buffer, encrt_buffer_release>>;

std::string quote(const std::string &S) { return "'" + S + "'"; }

//===----------------------------------------------------------------------===//
// Command line
//===----------------------------------------------------------------------===//

struct Options {
  std::string Model;
  std::vector<std::string> Weights;
  std::vector<std::string> Inputs;
  std::vector<std::string> Outputs;
  std::string Function;
  bool HasFunction = false;
  long Benchmark = 0;
  bool Profile = false;
  int Threads = 0; // 0: one per core
  bool List = false;
  bool Metadata = false;
  encrt_device_kind Device = ENCRT_DEVICE_CPU;
  int DeviceOrdinal = 0;
};

/// If `Arg` is `--Name=VALUE`, stores VALUE and returns true. `--Name`
/// without a value is a usage error.
bool matchValue(const std::string &Arg, const char *Name, std::string &Out) {
  std::string Flag = std::string("--") + Name;
  if (Arg == Flag)
    usageError("option " + quote(Flag) + " needs a value: " + Flag + "=...");
  if (Arg.compare(0, Flag.size() + 1, Flag + "=") != 0)
    return false;
  Out = Arg.substr(Flag.size() + 1);
  if (Out.empty())
    usageError("option " + quote(Flag) + " needs a value: " + Flag + "=...");
  return true;
}

Options parseCommandLine(int Argc, char **Argv) {
  Options Opts;
  for (int I = 1; I < Argc; ++I) {
    std::string Arg = Argv[I];
    std::string Value;
    if (Arg == "--help" || Arg == "-h") {
      std::printf("%s\n", Usage);
      std::exit(0);
    }
    if (Arg == "--list") {
      Opts.List = true;
    } else if (Arg == "--profile") {
      Opts.Profile = true;
    } else if (Arg == "--metadata") {
      // The raw JSON of docs/artifact-abi.md, for scripts.
      Opts.Metadata = true;
    } else if (matchValue(Arg, "weights", Value)) {
      Opts.Weights.push_back(Value);
    } else if (matchValue(Arg, "input", Value)) {
      Opts.Inputs.push_back(Value);
    } else if (matchValue(Arg, "output", Value)) {
      if (Value[0] != '@' || Value.size() == 1)
        usageError("--output expects @FILE.npy, got " + quote(Value));
      Opts.Outputs.push_back(Value.substr(1));
    } else if (matchValue(Arg, "function", Value)) {
      Opts.Function = Value;
      Opts.HasFunction = true;
    } else if (matchValue(Arg, "benchmark", Value)) {
      char *End = nullptr;
      errno = 0;
      long N = std::strtol(Value.c_str(), &End, 10);
      if (*End || errno || N < 1 || N > 1000000000)
        usageError("--benchmark expects a positive number of runs, got " +
                   quote(Value));
      Opts.Benchmark = N;
    } else if (matchValue(Arg, "threads", Value)) {
      char *End = nullptr;
      errno = 0;
      long N = std::strtol(Value.c_str(), &End, 10);
      if (*End || errno || N < 0 || N > 65536)
        usageError("--threads expects a number of threads (0: one per "
                   "core), got " +
                   quote(Value));
      Opts.Threads = static_cast<int>(N);
    } else if (matchValue(Arg, "device", Value)) {
      if (Value == "cpu")
        Opts.Device = ENCRT_DEVICE_CPU;
      else if (Value == "cuda")
        Opts.Device = ENCRT_DEVICE_CUDA;
      else if (Value.rfind("cuda:", 0) == 0) {
        char *End = nullptr;
        long N = std::strtol(Value.c_str() + 5, &End, 10);
        if (Value.size() == 5 || *End || N < 0 || N > 1024)
          usageError("--device=cuda:N expects a device number, got " +
                     quote(Value));
        Opts.Device = ENCRT_DEVICE_CUDA;
        Opts.DeviceOrdinal = static_cast<int>(N);
      } else
        usageError("--device expects cpu, cuda or cuda:N, got " +
                   quote(Value));
    } else if (Arg.size() > 1 && Arg[0] == '-') {
      usageError("unknown option " + quote(Arg));
    } else if (Opts.Model.empty()) {
      Opts.Model = Arg;
    } else {
      usageError("unexpected argument " + quote(Arg) +
                 "; give exactly one MODEL.so");
    }
  }
  if (Opts.Model.empty())
    usageError("no MODEL.so given");
  return Opts;
}

//===----------------------------------------------------------------------===//
// Element conversions
//===----------------------------------------------------------------------===//

uint16_t floatToHalf(float F) {
  // Round to nearest even (F. Giesen's float_to_half_fast3_rtne).
  const uint32_t F32Infinity = 255u << 23;
  const uint32_t F16Overflow = (127u + 16) << 23;
  const uint32_t DenormMagic = ((127u - 15) + (23 - 10) + 1) << 23;
  uint32_t X;
  std::memcpy(&X, &F, 4);
  uint32_t Sign = X & 0x80000000u;
  X ^= Sign;
  uint16_t Out;
  if (X >= F16Overflow) {
    Out = X > F32Infinity ? 0x7E00 : 0x7C00;
  } else if (X < (113u << 23)) {
    float Fx, Magic;
    std::memcpy(&Fx, &X, 4);
    std::memcpy(&Magic, &DenormMagic, 4);
    Fx += Magic;
    uint32_t Y;
    std::memcpy(&Y, &Fx, 4);
    Out = static_cast<uint16_t>(Y - DenormMagic);
  } else {
    uint32_t MantissaOdd = (X >> 13) & 1;
    X += 0xC8000FFFu; // rebias the exponent (15 - 127) and round
    X += MantissaOdd;
    Out = static_cast<uint16_t>(X >> 13);
  }
  return static_cast<uint16_t>(Out | (Sign >> 16));
}

float halfToFloat(uint16_t H) {
  int Exp = (H >> 10) & 0x1F;
  int Mantissa = H & 0x3FF;
  float F;
  if (Exp == 0)
    F = std::ldexp(static_cast<float>(Mantissa), -24);
  else if (Exp == 31)
    F = Mantissa ? NAN : INFINITY;
  else
    F = std::ldexp(static_cast<float>(Mantissa + 1024), Exp - 25);
  return (H & 0x8000) ? -F : F;
}

uint16_t floatToBFloat(float F) {
  uint32_t X;
  std::memcpy(&X, &F, 4);
  if ((X & 0x7FFFFFFFu) > 0x7F800000u)
    return static_cast<uint16_t>((X >> 16) | 0x40); // quiet NaN
  X += 0x7FFFu + ((X >> 16) & 1);
  return static_cast<uint16_t>(X >> 16);
}

float bfloatToFloat(uint16_t H) {
  uint32_t X = static_cast<uint32_t>(H) << 16;
  float F;
  std::memcpy(&F, &X, 4);
  return F;
}

bool parseDType(const std::string &Name, encrt_dtype &Out) {
  static const struct {
    const char *Name;
    encrt_dtype DType;
  } Names[] = {{"f32", ENCRT_F32},   {"f64", ENCRT_F64}, {"f16", ENCRT_F16},
               {"bf16", ENCRT_BF16}, {"i64", ENCRT_I64}, {"i32", ENCRT_I32},
               {"i16", ENCRT_I16},   {"i8", ENCRT_I8},   {"u8", ENCRT_U8},
               {"i1", ENCRT_BOOL}};
  for (const auto &N : Names) {
    if (Name == N.Name) {
      Out = N.DType;
      return true;
    }
  }
  return false;
}

bool isFloat(encrt_dtype D) {
  return D == ENCRT_F32 || D == ENCRT_F64 || D == ENCRT_F16 || D == ENCRT_BF16;
}

/// "2x3xf32", "?x3xf32", "f32".
std::string formatType(encrt_dtype DType, const int64_t *Dims, size_t Rank) {
  std::string Out;
  for (size_t I = 0; I < Rank; ++I)
    Out += (Dims[I] == ENCRT_DYNAMIC_DIM ? std::string("?")
                                         : std::to_string(Dims[I])) +
           "x";
  return Out + encrt_dtype_name(DType);
}

//===----------------------------------------------------------------------===//
// Inputs
//===----------------------------------------------------------------------===//

/// Parses one literal value into `Out` (encrt_dtype_size(DType) bytes).
/// Returns an error description, empty on success.
std::string parseElement(const std::string &Token, encrt_dtype DType,
                         unsigned char *Out) {
  const char *Begin = Token.c_str();
  char *End = nullptr;
  errno = 0;
  if (isFloat(DType)) {
    double V = std::strtod(Begin, &End);
    if (*End || End == Begin)
      return "is not a number";
    switch (DType) {
    case ENCRT_F64:
      std::memcpy(Out, &V, 8);
      break;
    case ENCRT_F32: {
      float F = static_cast<float>(V);
      std::memcpy(Out, &F, 4);
      break;
    }
    case ENCRT_F16: {
      uint16_t H = floatToHalf(static_cast<float>(V));
      std::memcpy(Out, &H, 2);
      break;
    }
    default: {
      uint16_t H = floatToBFloat(static_cast<float>(V));
      std::memcpy(Out, &H, 2);
      break;
    }
    }
    return "";
  }
  if (DType == ENCRT_BOOL) {
    if (Token == "1" || Token == "true")
      *Out = 1;
    else if (Token == "0" || Token == "false")
      *Out = 0;
    else
      return "is not 0, 1, true or false";
    return "";
  }
  long long V = std::strtoll(Begin, &End, 10);
  if (*End || End == Begin)
    return "is not an integer";
  long long Lo, Hi;
  switch (DType) {
  case ENCRT_I64:
    Lo = INT64_MIN, Hi = INT64_MAX;
    break;
  case ENCRT_I32:
    Lo = INT32_MIN, Hi = INT32_MAX;
    break;
  case ENCRT_I16:
    Lo = INT16_MIN, Hi = INT16_MAX;
    break;
  case ENCRT_I8:
    Lo = INT8_MIN, Hi = INT8_MAX;
    break;
  default:
    Lo = 0, Hi = UINT8_MAX;
    break;
  }
  if (errno == ERANGE || V < Lo || V > Hi)
    return std::string("is out of range for ") + encrt_dtype_name(DType);
  int64_t W = V;
  // Little-endian: the low bytes come first.
  std::memcpy(Out, &W, encrt_dtype_size(DType));
  return "";
}

/// Parses "2x3xf32=1,2,3,4,5,6" (or "f32=1.5") into a buffer.
BufferPtr parseLiteral(const std::string &Spec, const std::string &What) {
  size_t Eq = Spec.find('=');
  if (Eq == std::string::npos)
    fail(What +
         ": expected @FILE.npy or TYPE=VALUES (e.g. 2x3xf32=1,2,3,4,5,"
         "6), got " +
         quote(Spec));
  std::string Type = Spec.substr(0, Eq);
  std::vector<std::string> Parts;
  size_t Start = 0;
  while (true) {
    size_t X = Type.find('x', Start);
    Parts.push_back(Type.substr(Start, X - Start));
    if (X == std::string::npos)
      break;
    Start = X + 1;
  }
  encrt_dtype DType;
  if (!parseDType(Parts.back(), DType))
    fail(What + ": unknown dtype " + quote(Parts.back()) + " in " +
         quote(Type) +
         " (expected f32, f64, f16, bf16, i64, i32, i16, i8, u8 "
         "or i1)");
  std::vector<int64_t> Dims;
  int64_t NumElements = 1;
  for (size_t I = 0; I + 1 < Parts.size(); ++I) {
    const std::string &P = Parts[I];
    char *End = nullptr;
    errno = 0;
    long long D = std::strtoll(P.c_str(), &End, 10);
    if (P.empty() || *End || errno || D < 0 ||
        !std::all_of(P.begin(), P.end(), ::isdigit) ||
        __builtin_mul_overflow(NumElements, D, &NumElements) ||
        NumElements > (int64_t(1) << 40))
      fail(What + ": bad dimension " + quote(P) + " in " + quote(Type));
    Dims.push_back(D);
  }

  std::vector<std::string> Tokens;
  std::string Current;
  for (char C : Spec.substr(Eq + 1)) {
    if (C == ',' || C == ' ' || C == '\t' || C == '\n') {
      if (!Current.empty())
        Tokens.push_back(Current);
      Current.clear();
    } else {
      Current.push_back(C);
    }
  }
  if (!Current.empty())
    Tokens.push_back(Current);
  if (static_cast<int64_t>(Tokens.size()) != NumElements)
    fail(What + ": " + Type + " needs " + std::to_string(NumElements) +
         " values, got " + std::to_string(Tokens.size()));

  size_t ElemSize = encrt_dtype_size(DType);
  std::vector<unsigned char> Bytes(Tokens.size() * ElemSize + 1);
  for (size_t I = 0; I < Tokens.size(); ++I) {
    std::string Why = parseElement(Tokens[I], DType, &Bytes[I * ElemSize]);
    if (!Why.empty())
      fail(What + ": value #" + std::to_string(I) + " " + quote(Tokens[I]) +
           " " + Why);
  }
  encrt_tensor_view View{};
  View.dtype = DType;
  View.rank = Dims.size();
  View.dims = Dims.data();
  View.data = Bytes.data();
  encrt_buffer *B = nullptr;
  check(encrt_buffer_create(&View, &B));
  return BufferPtr(B);
}

BufferPtr readInput(const std::string &Spec, const std::string &What) {
  if (!Spec.empty() && Spec[0] == '@') {
    if (Spec.size() == 1)
      fail(What + ": '@' needs a file name, as in @x.npy");
    encrt_buffer *B = nullptr;
    check(encrt_npy_read(Spec.c_str() + 1, &B));
    return BufferPtr(B);
  }
  return parseLiteral(Spec, What);
}

//===----------------------------------------------------------------------===//
// Printing
//===----------------------------------------------------------------------===//

std::string formatElement(const void *Data, encrt_dtype DType, int64_t I) {
  const unsigned char *P =
      static_cast<const unsigned char *>(Data) + I * encrt_dtype_size(DType);
  char Buf[64];
  auto Float = [&](double V) {
    std::snprintf(Buf, sizeof(Buf), "%.6g", V);
    return std::string(Buf);
  };
  switch (DType) {
  case ENCRT_F32: {
    float V;
    std::memcpy(&V, P, 4);
    return Float(V);
  }
  case ENCRT_F64: {
    double V;
    std::memcpy(&V, P, 8);
    return Float(V);
  }
  case ENCRT_F16:
  case ENCRT_BF16: {
    uint16_t H;
    std::memcpy(&H, P, 2);
    return Float(DType == ENCRT_F16 ? halfToFloat(H) : bfloatToFloat(H));
  }
  case ENCRT_I64: {
    int64_t V;
    std::memcpy(&V, P, 8);
    return std::to_string(V);
  }
  case ENCRT_I32: {
    int32_t V;
    std::memcpy(&V, P, 4);
    return std::to_string(V);
  }
  case ENCRT_I16: {
    int16_t V;
    std::memcpy(&V, P, 2);
    return std::to_string(V);
  }
  case ENCRT_I8:
    return std::to_string(static_cast<int8_t>(*P));
  case ENCRT_U8:
  case ENCRT_BOOL:
    return std::to_string(*P);
  }
  return "?";
}

/// Appends dimension `Dim` of the tensor starting at element `Offset`,
/// numpy style; with `Summarize`, long dimensions show their first and last
/// EdgeItems entries around "...".
void formatNested(std::string &Out, const encrt_tensor_view &V, size_t Dim,
                  int64_t Offset, bool Summarize) {
  if (Dim == V.rank) {
    Out += formatElement(V.data, V.dtype, Offset);
    return;
  }
  int64_t Size = V.dims[Dim];
  int64_t Stride = 1;
  for (size_t I = Dim + 1; I < V.rank; ++I)
    Stride *= V.dims[I];
  Out += '[';
  for (int64_t I = 0; I < Size; ++I) {
    if (Summarize && Size > 2 * EdgeItems && I == EdgeItems) {
      Out += ", ...";
      I = Size - EdgeItems;
    }
    if (I)
      Out += ", ";
    formatNested(Out, V, Dim + 1, Offset + I * Stride, Summarize);
  }
  Out += ']';
}

std::string formatTensor(const encrt_tensor_view &V) {
  int64_t N = 1;
  for (size_t I = 0; I < V.rank; ++I)
    N *= V.dims[I];
  std::string Out = formatType(V.dtype, V.dims, V.rank) + "=";
  formatNested(Out, V, 0, 0, N > SummarizeThreshold);
  return Out;
}

void listFunctions(const std::string &Path, encrt_artifact *A) {
  size_t Count = encrt_artifact_function_count(A);
  std::printf("artifact %s: target %s, %zu function%s\n", quote(Path).c_str(),
              encrt_artifact_target(A), Count, Count == 1 ? "" : "s");
  for (size_t F = 0; F < Count; ++F) {
    const encrt_function *Fn = encrt_artifact_function(A, F);
    std::printf("function %s\n", encrt_function_name(Fn));
    auto Print = [](const char *Kind, const encrt_value_info *Info) {
      std::string Line = std::string("  ") + Kind + " " + Info->name + ": " +
                         formatType(Info->dtype, Info->dims, Info->rank);
      if (Info->has_range)
        Line += " range [" + std::to_string(Info->range_lo) + ", " +
                std::to_string(Info->range_hi) + ")";
      if (Info->has_ignore_value)
        Line += " ignore " + std::to_string(Info->ignore_value);
      // Named dims, e.g. "(batch, sequence <= 512)".
      std::string Dims;
      for (size_t D = 0; (Info->dim_names || Info->dim_max) && D < Info->rank;
           ++D) {
        std::string One = Info->dim_names ? Info->dim_names[D] : "";
        if (Info->dim_max && Info->dim_max[D] >= 0)
          One += (One.empty() ? "" : " ") + std::string("<= ") +
                 std::to_string(Info->dim_max[D]);
        Dims += (D ? ", " : "") + (One.empty() ? std::string("-") : One);
      }
      if (!Dims.empty())
        Line += " (" + Dims + ")";
      std::printf("%s\n", Line.c_str());
    };
    for (size_t I = 0; I < encrt_function_input_count(Fn); ++I)
      Print("input ", encrt_function_input(Fn, I));
    for (size_t I = 0; I < encrt_function_param_count(Fn); ++I)
      Print("param ", encrt_function_param(Fn, I));
    for (size_t I = 0; I < encrt_function_output_count(Fn); ++I)
      Print("output", encrt_function_output(Fn, I));
  }
  auto Amount = [](int64_t N) {
    return N < 0 ? std::string("?") : std::to_string(N);
  };
  for (size_t K = 0; K < encrt_artifact_kernel_count(A); ++K) {
    const encrt_kernel_info *Info = encrt_artifact_kernel(A, K);
    std::string Line = std::string("kernel ") + Info->name;
    if (*Info->function)
      Line += std::string(" (function ") + Info->function + ")";
    Line += std::string(": ops ") + (*Info->ops ? Info->ops : "-") +
            ", flops " + Amount(Info->flops) + ", bytes " + Amount(Info->bytes);
    std::printf("%s\n", Line.c_str());
  }
}

//===----------------------------------------------------------------------===//
// Driver
//===----------------------------------------------------------------------===//

const encrt_function *selectFunction(const Options &Opts, encrt_artifact *A) {
  const encrt_function *F = nullptr;
  if (Opts.HasFunction) {
    check(encrt_artifact_find_function(A, Opts.Function.c_str(), &F));
    return F;
  }
  size_t Count = encrt_artifact_function_count(A);
  if (Count == 1)
    return encrt_artifact_function(A, 0);
  encrt_status *S = encrt_artifact_find_function(A, "main", &F);
  if (!S)
    return F;
  encrt_status_free(S);
  std::string Names;
  for (size_t I = 0; I < Count; ++I)
    Names += (I ? ", " : "") +
             std::string(encrt_function_name(encrt_artifact_function(A, I)));
  fail("artifact " + quote(Opts.Model) + " has " + std::to_string(Count) +
       " functions and none is called 'main'; choose one with --function "
       "(" +
       (Names.empty() ? std::string("it has none") : Names) + ")");
}

std::vector<BufferPtr> callOnce(encrt_module *M, const encrt_function *F,
                                const std::vector<encrt_tensor_view> &Inputs) {
  size_t NumOutputs = encrt_function_output_count(F);
  std::vector<encrt_buffer *> Raw(NumOutputs + 1, nullptr);
  check(encrt_module_call(M, F, Inputs.data(), Inputs.size(), Raw.data()));
  std::vector<BufferPtr> Out;
  for (size_t I = 0; I < NumOutputs; ++I)
    Out.emplace_back(Raw[I]);
  return Out;
}

double millisecondsSince(std::chrono::steady_clock::time_point Start) {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now() - Start)
      .count();
}

/// Times `Runs` calls after the warm-up ones; returns their total in ms.
/// The module's profile, when on, covers the timed calls only.
double benchmark(encrt_module *M, const encrt_function *F,
                 const std::vector<encrt_tensor_view> &Inputs, long Runs) {
  for (int I = 0; I < WarmupRuns; ++I)
    callOnce(M, F, Inputs);
  encrt_module_reset_profile(M);
  std::vector<double> Ms;
  Ms.reserve(static_cast<size_t>(Runs));
  for (long I = 0; I < Runs; ++I) {
    auto Start = std::chrono::steady_clock::now();
    std::vector<BufferPtr> Out = callOnce(M, F, Inputs);
    double Elapsed = millisecondsSince(Start);
    Out.clear();
    Ms.push_back(Elapsed);
  }
  double Total = 0;
  for (double T : Ms)
    Total += T;
  std::sort(Ms.begin(), Ms.end());
  size_t N = Ms.size();
  double Median = N % 2 ? Ms[N / 2] : (Ms[N / 2 - 1] + Ms[N / 2]) / 2;
  std::printf("benchmark: function '%s', %ld runs after %d warm-up runs: "
              "median %.3f ms, min %.3f ms, max %.3f ms\n",
              encrt_function_name(F), Runs, WarmupRuns, Median, Ms.front(),
              Ms.back());
  return Total;
}

/// Prints each launched kernel's share of the profiled calls, slowest
/// first, and how much of the calls' measured time the kernels account for.
void printProfile(encrt_module *M, encrt_artifact *A, const encrt_function *F,
                  long Runs, double WallMs) {
  struct Row {
    std::string Name, Ops;
    int64_t Calls = 0, Flops = 0;
    double Ms = 0;
  };
  std::vector<Row> Rows;
  double SumMs = 0;
  for (int64_t K = -1; K < static_cast<int64_t>(encrt_artifact_kernel_count(A));
       ++K) {
    Row R;
    check(encrt_module_kernel_stats(M, K, &R.Calls, &R.Ms, &R.Flops));
    if (!R.Calls)
      continue;
    if (K < 0) {
      R.Name = "(unlisted kernels)";
    } else {
      const encrt_kernel_info *Info = encrt_artifact_kernel(A, K);
      R.Name = Info->name;
      R.Ops = Info->ops;
    }
    SumMs += R.Ms;
    Rows.push_back(R);
  }
  std::sort(Rows.begin(), Rows.end(), [](const Row &X, const Row &Y) {
    return X.Ms != Y.Ms ? X.Ms > Y.Ms : X.Name < Y.Name;
  });
  std::printf("profile: function '%s', %ld run%s, %zu kernel%s launched\n",
              encrt_function_name(F), Runs, Runs == 1 ? "" : "s", Rows.size(),
              Rows.size() == 1 ? "" : "s");
  size_t NameWidth = 6, OpsWidth = 3;
  for (const Row &R : Rows) {
    NameWidth = std::max(NameWidth, R.Name.size());
    OpsWidth = std::max(OpsWidth, R.Ops.size());
  }
  int NW = static_cast<int>(NameWidth), OW = static_cast<int>(OpsWidth);
  std::printf("  %-*s  %-*s  %10s  %10s  %6s  %8s\n", NW, "kernel", OW, "ops",
              "calls", "total ms", "%", "GFLOP/s");
  for (const Row &R : Rows) {
    char Rate[32] = "-";
    if (R.Flops > 0 && R.Ms > 0)
      std::snprintf(Rate, sizeof(Rate), "%.2f",
                    static_cast<double>(R.Flops) / (R.Ms * 1e6));
    std::printf("  %-*s  %-*s  %10lld  %10.3f  %6.1f  %8s\n", NW,
                R.Name.c_str(), OW, R.Ops.empty() ? "-" : R.Ops.c_str(),
                static_cast<long long>(R.Calls), R.Ms,
                SumMs > 0 ? 100.0 * R.Ms / SumMs : 0.0, Rate);
  }
  std::printf("  sum of kernels: %.3f ms of %.3f ms measured (%.1f%%)\n", SumMs,
              WallMs, WallMs > 0 ? 100.0 * SumMs / WallMs : 0.0);
}

int run(const Options &Opts) {
  encrt_artifact *RawArtifact = nullptr;
  check(encrt_artifact_load(Opts.Model.c_str(), &RawArtifact));
  ArtifactPtr Artifact(RawArtifact);
  if (Opts.List) {
    listFunctions(Opts.Model, Artifact.get());
    return 0;
  }
  if (Opts.Metadata) {
    std::printf("%s\n", encrt_artifact_metadata(Artifact.get()));
    return 0;
  }
  const encrt_function *F = selectFunction(Opts, Artifact.get());
  const std::string FnName = quote(encrt_function_name(F));

  encrt_module_options ModuleOpts;
  encrt_module_options_init(&ModuleOpts);
  ModuleOpts.device = Opts.Device;
  ModuleOpts.device_ordinal = Opts.DeviceOrdinal;
  ModuleOpts.num_threads = Opts.Threads;
  encrt_module *RawModule = nullptr;
  check(encrt_module_create(Artifact.get(), &ModuleOpts, &RawModule));
  ModulePtr Module(RawModule);

  for (const std::string &Path : Opts.Weights) {
    encrt_weights *RawWeights = nullptr;
    check(encrt_weights_open(Path.c_str(), &RawWeights));
    WeightsPtr Weights(RawWeights);
    check(encrt_module_bind_weights(Module.get(), Weights.get()));
  }
  check(encrt_module_check_parameters(Module.get(), F));

  size_t NumInputs = encrt_function_input_count(F);
  if (Opts.Inputs.size() != NumInputs) {
    std::string Names;
    for (size_t I = 0; I < NumInputs; ++I)
      Names += (I ? ", " : "") + std::string(encrt_function_input(F, I)->name);
    fail("function " + FnName + " takes " + std::to_string(NumInputs) +
         " input" + (NumInputs == 1 ? "" : "s") +
         (NumInputs ? " (" + Names + ")" : std::string()) + ", got " +
         std::to_string(Opts.Inputs.size()) + " --input");
  }
  size_t NumOutputs = encrt_function_output_count(F);
  if (Opts.Outputs.size() > NumOutputs)
    fail(std::to_string(Opts.Outputs.size()) +
         " --output files given, but "
         "function " +
         FnName + " has " + std::to_string(NumOutputs) + " result" +
         (NumOutputs == 1 ? "" : "s"));

  std::vector<BufferPtr> InputBuffers;
  std::vector<encrt_tensor_view> Inputs;
  for (size_t I = 0; I < NumInputs; ++I) {
    std::string What = "input " + quote(encrt_function_input(F, I)->name) +
                       " (#" + std::to_string(I) + ")";
    InputBuffers.push_back(readInput(Opts.Inputs[I], What));
    Inputs.push_back(encrt_buffer_view(InputBuffers.back().get()));
  }

  encrt_module_set_profiling(Module.get(), Opts.Profile);
  auto Start = std::chrono::steady_clock::now();
  std::vector<BufferPtr> Results = callOnce(Module.get(), F, Inputs);
  double WallMs = millisecondsSince(Start);
  for (size_t I = 0; I < Results.size(); ++I) {
    encrt_tensor_view V = encrt_buffer_view(Results[I].get());
    if (I < Opts.Outputs.size()) {
      check(encrt_npy_write(Opts.Outputs[I].c_str(), &V));
      continue;
    }
    std::printf("result[%zu] %s: %s\n", I, encrt_function_output(F, I)->name,
                formatTensor(V).c_str());
  }
  std::fflush(stdout);
  long Runs = 1;
  if (Opts.Benchmark) {
    WallMs = benchmark(Module.get(), F, Inputs, Opts.Benchmark);
    Runs = Opts.Benchmark;
  }
  if (Opts.Profile)
    printProfile(Module.get(), Artifact.get(), F, Runs, WallMs);
  return 0;
}

} // namespace

int main(int Argc, char **Argv) {
  try {
    Options Opts = parseCommandLine(Argc, Argv);
    return run(Opts);
  } catch (const ToolError &E) {
    std::fflush(stdout);
    std::fprintf(stderr, "encoder-run: error: %s\n", E.Message.c_str());
    if (E.ExitCode == 2)
      std::fprintf(stderr, "%s\n", Usage);
    return E.ExitCode;
  } catch (const std::bad_alloc &) {
    std::fprintf(stderr, "encoder-run: error: out of memory\n");
    return 1;
  }
}
