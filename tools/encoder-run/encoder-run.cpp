//===- encoder-run.cpp - Run a function of a compiled artifact ------------===//
//
// Loads an artifact with libencrt, binds safetensors weights, reads inputs
// from .npy files or command-line literals, runs one function and writes or
// prints its results; optionally times repeated calls and profiles the
// kernels they launch. Every failure is one line "encoder-run: error: ..." on
// stderr (exit 1; usage errors exit 2).
//
//===----------------------------------------------------------------------===//

#include "TensorText.h"
#include "ToolSupport.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <sys/resource.h>

using namespace encoder_run;

namespace {

const char *const Usage =
    "usage: encoder-run MODEL.so [--weights=PATH]... "
    "[--input=@x.npy | --input=NAME=@x.npy | --input=2x3xf32=1,2,3,4,5,6]... "
    "[--output=@y.npy]... [--function=NAME] [--benchmark=N] [--profile] "
    "[--threads=N] [--max-memory=SIZE] [--list] [--metadata] "
    "[--device=cpu|cuda|cuda:N] "
    "(--help explains each)";

const char *const Help =
    "encoder-run: run a function of an artifact built by encoder-compile\n"
    "\n"
    "  encoder-run MODEL.so --weights=CHECKPOINT --input=... [options]\n"
    "\n"
    "Weights\n"
    "  --weights=PATH       Bind parameters from a .safetensors file, a "
    "sharded\n"
    "                       checkpoint's model.safetensors.index.json, or a\n"
    "                       checkpoint directory; repeatable (later files "
    "win).\n"
    "                       f16, bf16 and f64 tensors are converted to the\n"
    "                       artifact's f32 (a note says so); f32 stays "
    "mapped.\n"
    "                         --weights=bert-base-uncased/\n"
    "Inputs, in the function's order or by name (see --list)\n"
    "  --input=@FILE.npy    An .npy file (integer inputs take any integer "
    "dtype\n"
    "                       or bool: masks as bool, int32 or int64).\n"
    "  --input=SHAPExDTYPE=VALUES\n"
    "                       A literal: --input=2x3xf32=1,2,3,4,5,6, a scalar\n"
    "                       --input=f32=1.5, an empty tensor --input=2x0xi64=\n"
    "  --input=NAME=...     By name, in any position:\n"
    "                         --input=attention_mask=@mask.npy\n"
    "                       Inputs left out take their defaults when they "
    "have\n"
    "                       one (attention_mask: ones, token_type_ids: zeros,\n"
    "                       as Hugging Face).\n"
    "Outputs\n"
    "  --output=@FILE.npy   Write the next result there (repeatable, in "
    "order);\n"
    "                       results without a file are printed.\n"
    "  --function=NAME      The function to run (default: the only one, or\n"
    "                       main): --function=get_text_features\n"
    "Measuring\n"
    "  --benchmark=N        Time N calls after 3 warm-up calls; prints the "
    "median,\n"
    "                       min and max (and the device time on a GPU).\n"
    "  --profile            Time every kernel launch; prints per kernel the\n"
    "                       calls, time, share and GFLOP/s: --benchmark=20 "
    "--profile\n"
    "  --threads=N          Threads a call may use, the caller included (0, "
    "the\n"
    "                       default: one per core; 1: the calling thread "
    "only).\n"
    "  --max-memory=SIZE    Refuse a call whose intermediate buffers need "
    "more\n"
    "                       (the artifact's estimate at the inputs' sizes):\n"
    "                       --max-memory=8G; none for no limit; default: the\n"
    "                       machine's memory.\n"
    "Device\n"
    "  --device=cpu|cuda|cuda:N\n"
    "                       Where to run (default cpu); a CUDA artifact needs\n"
    "                       the NVIDIA driver (libcuda.so.1) at run time.\n"
    "Inspecting\n"
    "  --list               The functions, their inputs (named dimensions, "
    "bounds,\n"
    "                       defaults), parameters, outputs and kernels.\n"
    "  --metadata           The artifact's metadata JSON "
    "(docs/artifact-abi.md).\n"
    "  --help, -h           This text.\n"
    "\n"
    "Example:\n"
    "  encoder-compile examples/bert -o bert.so\n"
    "  encoder-run bert.so --weights=model.safetensors --input=@input_ids.npy "
    "\\\n"
    "      --output=@last_hidden_state.npy --output=@pooler_output.npy\n"
    "\n"
    "Errors are one line on stderr, \"encoder-run: error: ...\"; exit status "
    "1,\n"
    "2 for a wrong command line.\n";

constexpr int WarmupRuns = 3;

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
  int Threads = 0;          // 0: one per core
  int64_t MaxCallBytes = 0; // 0: the machine's memory; -1: none
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

/// "none", or a size in bytes with an optional K, M or G (powers of 1000).
int64_t parseMemory(const std::string &Value) {
  if (Value == "none")
    return -1;
  char *End = nullptr;
  errno = 0;
  double Size = std::strtod(Value.c_str(), &End);
  double Scale = *End == 'K' ? 1e3 : *End == 'M' ? 1e6 : *End == 'G' ? 1e9 : 1;
  if (Scale != 1)
    ++End;
  if (errno || End == Value.c_str() || *End || !(Size > 0) ||
      Size * Scale > 9e18)
    usageError("--max-memory expects a size such as 8G, 500M or 100000, or "
               "none, got " +
               quote(Value));
  return static_cast<int64_t>(Size * Scale);
}

Options parseCommandLine(int Argc, char **Argv) {
  Options Opts;
  for (int I = 1; I < Argc; ++I) {
    std::string Arg = Argv[I];
    std::string Value;
    if (Arg == "--help" || Arg == "-h") {
      std::printf("%s", Help);
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
    } else if (matchValue(Arg, "max-memory", Value)) {
      Opts.MaxCallBytes = parseMemory(Value);
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
        usageError("--device expects cpu, cuda or cuda:N, got " + quote(Value));
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
      // Named and bounded dims, e.g. "(batch, sequence 1..512)".
      std::string Dims;
      bool Described = Info->dim_names || Info->dim_max || Info->dim_min;
      for (size_t D = 0; Described && D < Info->rank; ++D) {
        std::string One = Info->dim_names ? Info->dim_names[D] : "";
        int64_t Min = Info->dim_min ? Info->dim_min[D] : 0;
        int64_t Max = Info->dim_max ? Info->dim_max[D] : -1;
        std::string Bound;
        if (Min > 0 && Max >= 0)
          Bound = std::to_string(Min) + ".." + std::to_string(Max);
        else if (Min > 0)
          Bound = ">= " + std::to_string(Min);
        else if (Max >= 0)
          Bound = "<= " + std::to_string(Max);
        if (!Bound.empty())
          One += (One.empty() ? "" : " ") + Bound;
        Dims += (D ? ", " : "") + (One.empty() ? std::string("-") : One);
      }
      if (!Dims.empty())
        Line += " (" + Dims + ")";
      if (Info->default_fill != ENCRT_DEFAULT_NONE)
        Line += Info->default_fill == ENCRT_DEFAULT_ZEROS
                    ? " optional (default zeros)"
                    : " optional (default ones)";
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

/// One line on stderr when weights were converted as they were bound (a
/// bf16 checkpoint for an f32 artifact): a copy, not a mapping.
void noteConversions(encrt_module *M) {
  size_t Count = 0, Bytes = 0;
  unsigned From = 0;
  encrt_module_converted_params(M, &Count, &Bytes, &From);
  if (!Count)
    return;
  std::string DTypes;
  for (unsigned D = 0; D < 32; ++D)
    if (From & (1u << D))
      DTypes += (DTypes.empty() ? "" : ", ") +
                std::string(encrt_dtype_name(static_cast<encrt_dtype>(D)));
  std::fprintf(stderr,
               "encoder-run: note: %zu parameter%s converted from %s to the "
               "artifact's dtype when bound (%.1f MB of copies)\n",
               Count, Count == 1 ? "" : "s", DTypes.c_str(), Bytes / 1e6);
}

/// Each input's --input value ("" when omitted): `--input=NAME=VALUE` by
/// name, the others in order into the inputs not named. An input left
/// without a value must have a default (docs/artifact-abi.md, "default").
std::vector<std::string> assignInputs(const Options &Opts,
                                      const encrt_function *F) {
  size_t NumInputs = encrt_function_input_count(F);
  std::vector<std::string> Specs(NumInputs);
  std::vector<bool> Named(NumInputs, false);
  std::vector<std::string> Positional;
  for (const std::string &Input : Opts.Inputs) {
    size_t Eq = Input.find('=');
    bool IsNamed = false;
    for (size_t I = 0; Eq != std::string::npos && I < NumInputs; ++I) {
      if (Input.compare(0, Eq, encrt_function_input(F, I)->name) != 0 ||
          std::strlen(encrt_function_input(F, I)->name) != Eq)
        continue;
      if (Named[I])
        usageError("input " + quote(encrt_function_input(F, I)->name) +
                   " is given twice by name");
      Specs[I] = Input.substr(Eq + 1);
      if (Specs[I].empty())
        usageError("--input=" + Input.substr(0, Eq) + "= needs a value");
      Named[I] = IsNamed = true;
    }
    if (!IsNamed)
      Positional.push_back(Input);
  }
  size_t Next = 0;
  for (const std::string &Value : Positional) {
    while (Next < NumInputs && Named[Next])
      ++Next;
    if (Next == NumInputs) {
      std::string Names;
      for (size_t I = 0; I < NumInputs; ++I)
        Names +=
            (I ? ", " : "") + std::string(encrt_function_input(F, I)->name);
      fail("function " + quote(encrt_function_name(F)) + " takes " +
           std::to_string(NumInputs) + " input" + (NumInputs == 1 ? "" : "s") +
           (NumInputs ? " (" + Names + ")" : std::string()) + ", got " +
           std::to_string(Opts.Inputs.size()) + " --input");
    }
    Specs[Next++] = Value;
  }
  std::string Missing;
  for (size_t I = 0; I < NumInputs; ++I) {
    const encrt_value_info *Info = encrt_function_input(F, I);
    if (Specs[I].empty() && Info->default_fill == ENCRT_DEFAULT_NONE)
      Missing += (Missing.empty() ? "" : ", ") + quote(Info->name);
  }
  if (!Missing.empty())
    fail("function " + quote(encrt_function_name(F)) + ": no --input for " +
         Missing +
         " (give inputs in order, or by name: --input=NAME=@FILE.npy)");
  return Specs;
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
  std::vector<double> Ms, DeviceMs;
  Ms.reserve(static_cast<size_t>(Runs));
  DeviceMs.reserve(static_cast<size_t>(Runs));
  for (long I = 0; I < Runs; ++I) {
    double DeviceBefore = 0;
    check(encrt_module_device_stats(M, nullptr, &DeviceBefore));
    auto Start = std::chrono::steady_clock::now();
    std::vector<BufferPtr> Out = callOnce(M, F, Inputs);
    double Elapsed = millisecondsSince(Start);
    Out.clear();
    Ms.push_back(Elapsed);
    int64_t DeviceCalls = 0;
    double DeviceAfter = 0;
    check(encrt_module_device_stats(M, &DeviceCalls, &DeviceAfter));
    if (DeviceCalls > 0)
      DeviceMs.push_back(DeviceAfter - DeviceBefore);
  }
  double Total = 0;
  for (double T : Ms)
    Total += T;
  auto median = [](std::vector<double> &V) {
    std::sort(V.begin(), V.end());
    size_t N = V.size();
    return N % 2 ? V[N / 2] : (V[N / 2 - 1] + V[N / 2]) / 2;
  };
  double Median = median(Ms);
  std::printf("benchmark: function '%s', %ld runs after %d warm-up runs: "
              "median %.3f ms, min %.3f ms, max %.3f ms\n",
              encrt_function_name(F), Runs, WarmupRuns, Median, Ms.front(),
              Ms.back());
  // CUDA: the device's share, without the input uploads and downloads.
  if (DeviceMs.size() == Ms.size()) {
    double DeviceMedian = median(DeviceMs);
    std::printf("benchmark: device time (CUDA events, from the uploaded "
                "inputs to the last kernel): median %.3f ms, min %.3f ms, "
                "max %.3f ms\n",
                DeviceMedian, DeviceMs.front(), DeviceMs.back());
  }
  // Memory: the process's high-water mark, beside the parameters' own size
  // (docs/performance.md compares the two for BERT-base).
  struct rusage Usage;
  if (getrusage(RUSAGE_SELF, &Usage) == 0) {
    double ParamBytes = 0;
    for (size_t I = 0; I < encrt_function_param_count(F); ++I) {
      const encrt_value_info *P = encrt_function_param(F, I);
      double Elements = 1;
      for (size_t D = 0; D < P->rank; ++D)
        Elements *= static_cast<double>(P->dims[D]);
      ParamBytes += Elements * static_cast<double>(encrt_dtype_size(P->dtype));
    }
    std::printf("benchmark: peak resident memory %.1f MB (the process's "
                "high-water mark), parameters %.1f MB\n",
                static_cast<double>(Usage.ru_maxrss) * 1024.0 / 1e6,
                ParamBytes / 1e6);
  }
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
  // The rest is the calls' own work: input checks, copies, and ops too
  // small for a kernel that run inline (the report lists those).
  std::printf("  outside kernels: %.3f ms (the runtime's checks and copies, "
              "and code without a launch: encoder-compile --report lists it "
              "as inline)\n",
              std::max(0.0, WallMs - SumMs));
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
  ModuleOpts.max_call_bytes = Opts.MaxCallBytes;
  encrt_module *RawModule = nullptr;
  check(encrt_module_create(Artifact.get(), &ModuleOpts, &RawModule));
  ModulePtr Module(RawModule);

  for (const std::string &Path : Opts.Weights) {
    encrt_weights *RawWeights = nullptr;
    check(encrt_weights_open(Path.c_str(), &RawWeights));
    WeightsPtr Weights(RawWeights);
    check(encrt_module_bind_weights(Module.get(), Weights.get()));
  }
  noteConversions(Module.get());
  check(encrt_module_check_parameters(Module.get(), F));

  size_t NumInputs = encrt_function_input_count(F);
  std::vector<std::string> InputSpecs = assignInputs(Opts, F);
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
    if (InputSpecs[I].empty()) { // omitted: the runtime fills in its default
      Inputs.push_back(encrt_tensor_view{});
      continue;
    }
    std::string What = "input " + quote(encrt_function_input(F, I)->name) +
                       " (#" + std::to_string(I) + ")";
    InputBuffers.push_back(readInput(InputSpecs[I], What));
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
    // On a GPU the benchmark also reports the device time, which profiling
    // measures (two CUDA events a call).
    if (Opts.Device == ENCRT_DEVICE_CUDA)
      encrt_module_set_profiling(Module.get(), 1);
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
