//===- encoder-tune.cpp - measure the CPU kernels' blocking on this host --===//
//
//   encoder-tune [--tuning-record=PATH] [--num-threads=N] [--groups=...]
//                [--dry-run]
//
// Sweeps a bounded space of CPU kernel parameters (CPUKernelParams) on the
// host, one group at a time from the model's choice: the packed matmul's
// register block and panel on BERT-base's FFN and a small projection, the
// chunk size of the thread split on the same, the flash attention blocks
// at sequence 512, and the tile of fused elementwise kernels. Each
// candidate is compiled in process, run on random weights, and timed
// (median of repeated calls). Finally the best and the model's choice are
// timed in alternating rounds, and the record keeps the best only where
// the median round has it faster by more than 2%; otherwise the model's. The
// record goes to ~/.cache/encoder/cpu-tuning.json (or --tuning-record), keyed
// by the CPU, where later compiles for this CPU read it.
//
//===----------------------------------------------------------------------===//

#include "encoder/Driver/Compiler.h"
#include "encoder/InitAll.h"
#include "encoder/Runtime/Runtime.h"
#include "encoder/Target/CPUTarget.h"
#include "encoder/Target/CPUTuning.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <functional>
#include <map>
#include <random>

using namespace mlir;
using namespace mlir::enc;
namespace cl = llvm::cl;

namespace {

cl::OptionCategory tuneCategory("encoder-tune options");
cl::opt<std::string> recordPath(
    "tuning-record",
    cl::desc("Where the record goes (default: $ENCODER_TUNING_RECORD, else "
             "~/.cache/encoder/cpu-tuning.json)"),
    cl::value_desc("path"), cl::init(""), cl::cat(tuneCategory));
cl::opt<int> threads("num-threads",
                     cl::desc("Threads of each timed call (0: one per core, "
                              "as encoder-run's default)"),
                     cl::init(0), cl::cat(tuneCategory));
cl::opt<bool> dryRun("dry-run",
                     cl::desc("Measure and print, but write no record"),
                     cl::init(false), cl::cat(tuneCategory));
cl::list<std::string> groups(
    "groups",
    cl::desc("The parameter groups to sweep, in this order: block, chunk, "
             "attention, tile (default: all); the others keep the model's"),
    cl::CommaSeparated, cl::cat(tuneCategory));
cl::opt<double> secondsPerCandidate(
    "seconds-per-candidate",
    cl::desc("Timed calls of each candidate run at least this long"),
    cl::init(0.25), cl::cat(tuneCategory));

/// One probe: enc IR whose time the group of parameters decides.
struct Probe {
  const char *name;
  const char *ir;
};

/// BERT-base's FFN at sequence 128 (FFN-up, FFN-down) and a projection at
/// sequence 32: the matmul shapes of the encoders, large and small.
constexpr Probe kMatmulProbe = {"matmul", R"(
func.func @main(%x: tensor<128x768xf32> {enc.name = "x"},
                %s: tensor<32x768xf32> {enc.name = "s"})
    -> (tensor<128x768xf32>, tensor<32x768xf32>) {
  %w1 = enc.param "w1" : tensor<3072x768xf32>
  %b1 = enc.param "b1" : tensor<3072xf32>
  %w2 = enc.param "w2" : tensor<768x3072xf32>
  %b2 = enc.param "b2" : tensor<768xf32>
  %w3 = enc.param "w3" : tensor<768x768xf32>
  %b3 = enc.param "b3" : tensor<768xf32>
  %h = enc.linear %x, %w1, %b1 : (tensor<128x768xf32>, tensor<3072x768xf32>, tensor<3072xf32>) -> tensor<128x3072xf32>
  %y = enc.linear %h, %w2, %b2 : (tensor<128x3072xf32>, tensor<768x3072xf32>, tensor<768xf32>) -> tensor<128x768xf32>
  %z = enc.linear %s, %w3, %b3 : (tensor<32x768xf32>, tensor<768x768xf32>, tensor<768xf32>) -> tensor<32x768xf32>
  return %y, %z : tensor<128x768xf32>, tensor<32x768xf32>
}
)"};

/// BERT-base's attention (12 heads of 64) at sequence 512.
constexpr Probe kAttentionProbe = {"attention", R"(
func.func @main(%q: tensor<1x12x512x64xf32> {enc.name = "q"},
                %k: tensor<1x12x512x64xf32> {enc.name = "k"},
                %v: tensor<1x12x512x64xf32> {enc.name = "v"})
    -> tensor<1x12x512x64xf32> {
  %o = enc.attention %q, %k, %v
      : (tensor<1x12x512x64xf32>, tensor<1x12x512x64xf32>, tensor<1x12x512x64xf32>) -> tensor<1x12x512x64xf32>
  return %o : tensor<1x12x512x64xf32>
}
)"};

/// The elementwise and normalizing kernels of a BERT layer at batch 4.
constexpr Probe kTileProbe = {"tile", R"(
func.func @main(%x: tensor<512x3072xf32> {enc.name = "x"},
                %r: tensor<512x768xf32> {enc.name = "r"})
    -> (tensor<512x3072xf32>, tensor<512x768xf32>) {
  %a = enc.activation gelu %x : tensor<512x3072xf32>
  %n = enc.layer_norm %r : (tensor<512x768xf32>) -> tensor<512x768xf32>
  return %a, %n : tensor<512x3072xf32>, tensor<512x768xf32>
}
)"};

template <typename T, void (*Release)(T *)> struct Owned {
  T *ptr = nullptr;
  ~Owned() {
    if (ptr)
      Release(ptr);
  }
};

/// Fails with the status' message (and frees it).
bool ok(encrt_status *status, std::string &error) {
  if (!status)
    return true;
  error = encrt_status_message(status);
  encrt_status_free(status);
  return false;
}

/// Random f32 data for every tensor a probe binds or takes, by name, kept
/// for the whole sweep so that every candidate sees the same numbers.
struct ProbeData {
  std::map<std::string, std::vector<float>> tensors;
  std::vector<float> &of(const std::string &name, size_t elements) {
    std::vector<float> &data = tensors[name];
    if (data.size() != elements) {
      std::mt19937 rng(std::hash<std::string>()(name));
      std::normal_distribution<float> normal(0.0f, 0.05f);
      data.resize(elements);
      for (float &x : data)
        x = normal(rng);
    }
    return data;
  }
};

size_t elementsOf(const encrt_value_info *info) {
  size_t n = 1;
  for (size_t d = 0; d < info->rank; ++d)
    n *= size_t(info->dims[d]);
  return n;
}

/// Compiles `probe` with `params` and returns the median seconds of one
/// call of it, or a negative number with `error` set.
double timeProbe(const Probe &probe, const CPUKernelParams &params,
                 ProbeData &data, const std::string &workDir,
                 std::string &error) {
  DialectRegistry registry;
  registerAllDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler handler(sourceMgr, &context);
  OwningOpRef<ModuleOp> module =
      parseModel(context, sourceMgr, probe.ir, probe.name);
  if (!module) {
    error = std::string("cannot parse the ") + probe.name + " probe";
    return -1;
  }
  CompileOptions options;
  options.cpuKernels = params;
  std::string artifactPath = workDir + "/" + probe.name + ".so";
  std::string stageText;
  llvm::raw_string_ostream stageOutput(stageText);
  if (failed(compileModule(*module, probe.name, options, artifactPath,
                           stageOutput, error))) {
    if (error.empty())
      error = std::string("cannot compile the ") + probe.name + " probe";
    return -1;
  }

  Owned<encrt_artifact, encrt_artifact_release> artifact;
  if (!ok(encrt_artifact_load(artifactPath.c_str(), &artifact.ptr), error))
    return -1;
  encrt_module_options moduleOptions;
  encrt_module_options_init(&moduleOptions);
  moduleOptions.num_threads = threads;
  Owned<encrt_module, encrt_module_release> instance;
  if (!ok(encrt_module_create(artifact.ptr, &moduleOptions, &instance.ptr),
          error))
    return -1;
  const encrt_function *function = nullptr;
  if (!ok(encrt_artifact_find_function(artifact.ptr, "main", &function), error))
    return -1;
  for (size_t i = 0, e = encrt_function_param_count(function); i < e; ++i) {
    const encrt_value_info *param = encrt_function_param(function, i);
    encrt_tensor_view view{ENCRT_F32, param->rank, param->dims,
                           data.of(param->name, elementsOf(param)).data()};
    if (!ok(encrt_module_bind_parameter(instance.ptr, param->name, &view,
                                        nullptr, nullptr),
            error))
      return -1;
  }
  std::vector<encrt_tensor_view> inputs;
  for (size_t i = 0, e = encrt_function_input_count(function); i < e; ++i) {
    const encrt_value_info *input = encrt_function_input(function, i);
    inputs.push_back({ENCRT_F32, input->rank, input->dims,
                      data.of(input->name, elementsOf(input)).data()});
  }
  size_t outputCount = encrt_function_output_count(function);
  std::vector<double> seconds;
  auto start = std::chrono::steady_clock::now();
  for (int call = 0;; ++call) {
    std::vector<encrt_buffer *> outputs(outputCount, nullptr);
    auto before = std::chrono::steady_clock::now();
    encrt_status *status = encrt_module_call(
        instance.ptr, function, inputs.data(), inputs.size(), outputs.data());
    auto after = std::chrono::steady_clock::now();
    for (encrt_buffer *output : outputs)
      if (output)
        encrt_buffer_release(output);
    if (!ok(status, error))
      return -1;
    if (call >= 2) // the first calls pack weights and warm the caches
      seconds.push_back(std::chrono::duration<double>(after - before).count());
    double elapsed = std::chrono::duration<double>(after - start).count();
    if (seconds.size() >= 7 && elapsed >= secondsPerCandidate)
      break;
  }
  std::sort(seconds.begin(), seconds.end());
  return seconds[seconds.size() / 2];
}

/// The sweep's state: the parameters so far and what was measured.
struct Sweep {
  CPUMachineFacts facts;
  CPUKernelParams best;
  ProbeData data;
  std::string workDir;
  llvm::json::Array measured;
  int compiled = 0;

  /// Times every candidate of `probe` that `vary` makes from the best so
  /// far; keeps the fastest. False on an error.
  bool group(const Probe &probe, llvm::StringRef what,
             const std::vector<CPUKernelParams> &candidates,
             std::function<std::string(const CPUKernelParams &)> describe,
             std::string &error) {
    double bestSeconds = -1;
    CPUKernelParams chosen = best;
    for (const CPUKernelParams &candidate : candidates) {
      if (!checkKernelParams(candidate, facts).empty())
        continue;
      double s = timeProbe(probe, candidate, data, workDir, error);
      ++compiled;
      if (s < 0)
        return false;
      llvm::outs() << llvm::formatv("  {0,-10} {1,-28} {2,8:F3} ms\n", what,
                                    describe(candidate), s * 1e3);
      measured.push_back(llvm::json::Object{{"group", what},
                                            {"candidate", describe(candidate)},
                                            {"ms", s * 1e3}});
      if (bestSeconds < 0 || s < bestSeconds) {
        bestSeconds = s;
        chosen = candidate;
      }
    }
    best = chosen;
    return true;
  }
};

std::string describeBlock(const CPUKernelParams &p) {
  return llvm::formatv("{0} rows x {1} columns", p.matmulRows, p.panelColumns)
      .str();
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  registerAllPasses();
  cl::HideUnrelatedOptions(tuneCategory);
  cl::ParseCommandLineOptions(
      argc, argv,
      "encoder-tune: measures the CPU kernels' blocking on this machine and "
      "writes a tuning record that later compiles for this CPU read\n");
  auto fail = [](const std::string &message) {
    llvm::errs() << "encoder-tune: " << message << "\n";
    return 1;
  };
  std::string path =
      recordPath.empty() ? defaultTuningRecordPath() : recordPath.getValue();
  if (path == "none" && !dryRun)
    return fail("no record path (set --tuning-record=PATH or "
                "ENCODER_TUNING_RECORD, or give --dry-run)");

  std::string error;
  CPUTargetOptions targetOptions;
  std::unique_ptr<llvm::TargetMachine> machine =
      createCPUTargetMachine(targetOptions, error);
  if (!machine)
    return fail(error);
  Sweep sweep;
  sweep.facts = describeCPU(*machine, /*isHost=*/true);
  const CPUMachineFacts &facts = sweep.facts;
  CPUKernelParams model = modelKernelParams(facts);
  sweep.best = model;
  llvm::SmallString<128> workDir;
  if (std::error_code ec =
          llvm::sys::fs::createUniqueDirectory("encoder-tune", workDir))
    return fail("cannot create a work directory: " + ec.message());
  sweep.workDir = workDir.str().str();
  llvm::outs() << llvm::formatv(
      "CPU {0} ({1}): {2}-bit vectors, {3} registers, {4} FMA/cycle of "
      "latency {5}, L1d {6} KiB, L2 {7} KiB ({8})\n",
      facts.cpu, facts.modelName.empty() ? "?" : facts.modelName,
      facts.vectorBits, facts.vectorRegisters, facts.fmaPerCycle,
      facts.fmaLatency, facts.l1dBytes / 1024, facts.l2Bytes / 1024,
      facts.cacheSource);
  auto start = std::chrono::steady_clock::now();
  int64_t lanes = facts.vectorBits / 32;

  const char *known[] = {"block", "chunk", "attention", "tile"};
  for (const std::string &group : groups)
    if (!llvm::is_contained(known, llvm::StringRef(group)))
      return fail("unknown group '" + group +
                  "' (expected block, chunk, attention or tile)");
  auto sweeps = [&](llvm::StringRef group) {
    return groups.empty() || llvm::is_contained(groups, group.str());
  };
  // The probes the final comparison runs: those of the groups swept.
  std::vector<const Probe *> compared;

  // 1. The register block: panels of 1-4 vectors, 4-16 rows.
  std::vector<CPUKernelParams> candidates;
  for (int64_t vectors = 1; vectors <= 4; ++vectors)
    for (int64_t rows = 4; rows <= 16; rows += 2) {
      CPUKernelParams p = sweep.best;
      p.panelColumns = vectors * lanes;
      p.matmulRows = rows;
      candidates.push_back(p);
    }
  if (sweeps("block") &&
      !sweep.group(kMatmulProbe, "block", candidates, describeBlock, error))
    return fail(error);
  // 2. The thread split's chunk: a quarter to four times the model's.
  candidates.clear();
  for (int shift = -2; shift <= 2; ++shift) {
    CPUKernelParams p = sweep.best;
    p.chunkFlops =
        shift < 0 ? model.chunkFlops >> -shift : model.chunkFlops << shift;
    candidates.push_back(p);
  }
  if (sweeps("chunk") &&
      !sweep.group(
          kMatmulProbe, "chunk", candidates,
          [](const CPUKernelParams &p) {
            return llvm::formatv("{0} flops", p.chunkFlops).str();
          },
          error))
    return fail(error);
  // 3. Attention's blocks.
  candidates.clear();
  for (int64_t queries : {32, 64, 128})
    for (int64_t keys : {64, 128, 256, 512}) {
      CPUKernelParams p = sweep.best;
      p.attentionQueryBlock = queries;
      p.attentionKeyBlock = std::max(keys, lanes);
      candidates.push_back(p);
    }
  if (sweeps("attention") &&
      !sweep.group(
          kAttentionProbe, "attention", candidates,
          [](const CPUKernelParams &p) {
            return llvm::formatv("{0} queries x {1} keys",
                                 p.attentionQueryBlock, p.attentionKeyBlock)
                .str();
          },
          error))
    return fail(error);
  // 4. Fused kernels' tiles: half to four times the model's.
  candidates.clear();
  for (int64_t factor : {1, 2, 4, 8}) {
    CPUKernelParams p = sweep.best;
    p.tileElements = model.tileElements * factor / 2;
    candidates.push_back(p);
  }
  if (sweeps("tile") &&
      !sweep.group(
          kTileProbe, "tile", candidates,
          [](const CPUKernelParams &p) {
            return llvm::formatv("{0} elements", p.tileElements).str();
          },
          error))
    return fail(error);

  // 5. The best against the model's choice, alternating, on the probes of
  // the groups swept together: the record keeps the best only where the
  // median round says it is faster.
  if (sweeps("block") || sweeps("chunk"))
    compared.push_back(&kMatmulProbe);
  if (sweeps("attention"))
    compared.push_back(&kAttentionProbe);
  if (sweeps("tile"))
    compared.push_back(&kTileProbe);
  std::vector<double> ratios;
  for (int round = 0; round < 5; ++round) {
    double total[2] = {0, 0};
    for (int side = 0; side < 2; ++side)
      for (const Probe *probe : compared) {
        double s = timeProbe(*probe, side == 0 ? model : sweep.best, sweep.data,
                             sweep.workDir, error);
        if (s < 0)
          return fail(error);
        total[side] += s;
      }
    ratios.push_back(total[0] / total[1]);
  }
  std::sort(ratios.begin(), ratios.end());
  double medianRatio = ratios[ratios.size() / 2];
  // Within 2% is noise on a shared machine: the model's choice stays.
  bool faster = medianRatio > 1.02;
  CPUKernelParams chosen = faster ? sweep.best : model;
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  llvm::sys::fs::remove_directories(sweep.workDir);

  llvm::json::Object chosenJson = toJSON(chosen);
  std::string chosenText;
  llvm::raw_string_ostream(chosenText)
      << llvm::json::Value(std::move(chosenJson));
  llvm::outs() << llvm::formatv(
      "best vs model: {0:F3}x (median of 5 alternating rounds, min {1:F3}, "
      "max {2:F3}); keeping {3}: {4}\n{5} candidates in {6:F1} s\n",
      medianRatio, ratios.front(), ratios.back(),
      faster ? "the measured best" : "the model's choice (within 2%)",
      chosenText, sweep.compiled, seconds);
  if (dryRun)
    return 0;
  auto now =
      std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  llvm::json::Object details{
      {"tuned", stamp},
      {"threads", int64_t(threads)},
      {"seconds", seconds},
      {"model_params", toJSON(model)},
      {"best_vs_model", llvm::json::Object{{"median", medianRatio},
                                           {"min", ratios.front()},
                                           {"max", ratios.back()}}},
      {"measured", std::move(sweep.measured)}};
  if (!writeTuningRecord(path, facts, chosen, std::move(details), error))
    return fail(error);
  llvm::outs() << "wrote " << path << "\n";
  return 0;
}
