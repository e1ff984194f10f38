//===- encoder-compile.cpp - compile an encoder model to an artifact
//--------===//
//
//   encoder-compile MODEL.mlir -o MODEL.so [--target=cpu] [--cpu=host]
//   encoder-compile MODEL_DIR|config.json -o MODEL.so [--pool=mean|cls]
//   encoder-compile MODEL.mlir --emit=enc|linalg|llvm|llvm-ir|asm [-o FILE]
//   encoder-compile MODEL.mlir -o MODEL.so --target=cuda [--gpu-arch=sm_90]
//       [--emit=ptx]
//   encoder-compile MODEL.mlir -o MODEL.so --report=kernels.md
//       [--op-config=enc.layer_norm:tile=1x16] [--disable=kernel-formation]
//
// Command-line options over the compiler driver (encoder/Driver/Compiler.h),
// which Python's encoder.compile shares. The pipeline runs in stages, one
// pass manager each, so that --emit can stop after any of them; MLIR's own
// flags (--mlir-print-ir-after-all, --mlir-timing, ...) apply to every stage.
//
//===----------------------------------------------------------------------===//

#include "encoder/Driver/Compiler.h"
#include "encoder/Frontend/ONNXImport.h"
#include "encoder/InitAll.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/Timing.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;
using namespace mlir::enc;
namespace cl = llvm::cl;

namespace {

enum class Target { cpu, cuda };

// --help shows these groups (LLVM sorts categories by name, hence the
// numbers); MLIR's and LLVM's own options are under --help-hidden, but for
// a few MLIR debugging flags listed last.
cl::OptionCategory inputCategory("1. Input");
cl::OptionCategory targetCategory("2. Target");
cl::OptionCategory outputCategory("3. Output");
cl::OptionCategory knobCategory("4. Fusion and kernel knobs");
cl::OptionCategory reportCategory("5. Kernel report");
cl::OptionCategory debugCategory(
    "6. Pipeline debugging (MLIR's flags; --help-hidden lists all of MLIR's "
    "and LLVM's options)");

cl::opt<std::string> inputFilename(cl::Positional,
                                   cl::desc("<model.mlir | model.onnx | "
                                            "model dir | config.json | ->"),
                                   cl::init("-"), cl::cat(inputCategory));
cl::opt<std::string> outputFilename("o", cl::desc("Output file"),
                                    cl::value_desc("file"), cl::init(""),
                                    cl::cat(outputCategory));
cl::opt<bool> listONNXOps(
    "list-onnx-ops",
    cl::desc("Print the ONNX op types the importer converts and exit"),
    cl::init(false), cl::cat(inputCategory));
cl::opt<std::string> weightsOutput(
    "weights-output",
    cl::desc("ONNX input: where to write its initializers (the artifact's "
             "parameters) as safetensors. Default: beside the output, "
             "MODEL.safetensors for -o MODEL.so; none when printing to stdout"),
    cl::value_desc("file"), cl::init(""), cl::cat(outputCategory));
cl::opt<Target> target(
    "target", cl::desc("What the artifact runs on"), cl::init(Target::cpu),
    cl::values(clEnumValN(Target::cpu, "cpu", "the host CPU (default)"),
               clEnumValN(Target::cuda, "cuda", "NVIDIA GPUs through PTX")),
    cl::cat(targetCategory));
cl::opt<EmitStage> emit(
    "emit", cl::desc("Stop after a stage and print it"),
    cl::init(EmitStage::artifact),
    cl::values(
        clEnumValN(EmitStage::artifact, "artifact",
                   "the shared object (default)"),
        clEnumValN(EmitStage::enc, "enc",
                   "enc IR after the graph-level passes"),
        clEnumValN(EmitStage::linalg, "linalg", "linalg on tensors"),
        clEnumValN(EmitStage::llvm, "llvm", "the LLVM dialect, ABI included"),
        clEnumValN(EmitStage::llvmIR, "llvm-ir", "optimized LLVM IR"),
        clEnumValN(EmitStage::assembly, "asm", "target assembly (host code)"),
        clEnumValN(EmitStage::ptx, "ptx", "the kernels' PTX (--target=cuda)")),
    cl::cat(outputCategory));
cl::opt<std::string> gpuArch(
    "gpu-arch",
    cl::desc("--target=cuda: NVIDIA architecture of the kernels (sm_80, "
             "sm_90, ...)"),
    cl::init("sm_90"), cl::cat(targetCategory));
cl::opt<std::string> gpuMatmul(
    "gpu-matmul",
    cl::desc("--target=cuda: contractions as tf32 (tensor cores, TF32 "
             "operands, f32 accumulation; default), bf16 (tensor cores, "
             "bf16 operands, f32 accumulation) or f32 (exact, CUDA cores)"),
    cl::init("tf32"), cl::cat(targetCategory));
cl::opt<std::string> cudaPath(
    "cuda-path",
    cl::desc("--target=cuda: the CUDA toolkit whose libdevice the kernels "
             "link (default: $CUDA_ROOT, $CUDA_HOME, $CUDA_PATH, "
             "/usr/local/cuda)"),
    cl::init(""), cl::cat(targetCategory));
cl::opt<bool> gpuEmulation(
    "gpu-emulation",
    cl::desc("--target=cuda test vehicle: run every kernel as host loops in "
             "a CPU artifact, to check the GPU lowering's numerics without "
             "a GPU"),
    cl::init(false), cl::Hidden, cl::cat(targetCategory));
cl::opt<std::string> cpu("cpu",
                         cl::desc("Target CPU: `host` (default) or an LLVM "
                                  "CPU name such as skylake-avx512"),
                         cl::init("host"), cl::cat(targetCategory));
cl::opt<std::string> tuningRecord(
    "tuning-record",
    cl::desc("The CPU tuning record (written by encoder-tune) whose entry "
             "for the target CPU blocks the kernels; `none`: the model of "
             "the target only. Default: $ENCODER_TUNING_RECORD, else "
             "~/.cache/encoder/cpu-tuning.json"),
    cl::value_desc("path"), cl::init(""), cl::cat(targetCategory));
cl::opt<unsigned> optLevel("O", cl::desc("LLVM optimization level (0-3)"),
                           cl::init(3), cl::Prefix, cl::cat(targetCategory));
cl::opt<SentencePooling>
    pool("pool",
         cl::desc("Model configs: pool a text encoder's last hidden state into "
                  "`sentence_embedding` (Sentence-BERT)"),
         cl::init(SentencePooling::none),
         cl::values(clEnumValN(SentencePooling::none, "none",
                               "no pooling (default)"),
                    clEnumValN(SentencePooling::mean, "mean",
                               "mean over the attention mask"),
                    clEnumValN(SentencePooling::cls, "cls", "the first token")),
         cl::cat(inputCategory));
cl::opt<bool> normalize("normalize",
                        cl::desc("Model configs: L2-normalize the pooled "
                                 "sentence embedding"),
                        cl::init(false), cl::cat(inputCategory));
cl::opt<bool> audioInput(
    "audio-input",
    cl::desc("Model configs (whisper): take 16 kHz audio and compute the "
             "log-mel features in the artifact"),
    cl::init(false), cl::cat(inputCategory));
// In the order of enc::optimizationNames(), which the driver takes.
enum class Optimization {
  attentionRecognition,
  projectionMerging,
  headTransposeFolding,
  epilogueFusion,
  residualNormFusion,
  weightPacking,
  kernelFormation,
  weightHoisting,
};
cl::bits<Optimization> disabled(
    "disable",
    cl::desc("Switch off graph-level optimizations (to measure "
             "them): a comma-separated list of"),
    cl::CommaSeparated,
    cl::values(
        clEnumValN(Optimization::attentionRecognition, "attention-recognition",
                   "rewriting hand-written attention into enc.attention"),
        clEnumValN(Optimization::projectionMerging, "projection-merging",
                   "merging linears on one input (Q/K/V)"),
        clEnumValN(Optimization::headTransposeFolding, "head-transpose-folding",
                   "the head split/merge transposes into attention (CPU)"),
        clEnumValN(Optimization::epilogueFusion, "epilogue-fusion",
                   "activations and residual adds into linears"),
        clEnumValN(Optimization::residualNormFusion, "residual-norm-fusion",
                   "residual adds into layer norms"),
        clEnumValN(Optimization::weightPacking, "weight-packing",
                   "packed weights and the matmul micro-kernel"),
        clEnumValN(Optimization::kernelFormation, "kernel-formation",
                   "tiling linalg ops into parallel kernels with their "
                   "producers fused"),
        clEnumValN(Optimization::weightHoisting, "weight-hoisting",
                   "computing weight-only values once per binding "
                   "(enc-hoist-weight-only)")),
    cl::cat(knobCategory));
cl::list<std::string> opConfig(
    "op-config",
    cl::desc("Per-op knobs, SELECTOR:KEY=VALUE[:KEY=VALUE...], e.g. "
             "enc.layer_norm:tile=1x16, enc.linear#0:fuse=false, "
             "enc.linear:tile=4x32 (rows x panel of the micro-kernel); "
             "repeatable, attributes in the IR win"),
    cl::value_desc("config"), cl::cat(knobCategory));
cl::opt<std::string> reportFile(
    "report",
    cl::desc("Write the per-kernel report (fused ops, FLOPs, bytes, "
             "roofline) to FILE: JSON for *.json, a page with an SVG of the "
             "kernels before and after fusion for *.html, else Markdown"),
    cl::value_desc("FILE"), cl::init(""), cl::cat(reportCategory));
cl::list<std::string> reportDims(
    "report-dims",
    cl::desc("Report the kernels at these sizes of the named dynamic input "
             "dimensions, e.g. batch=1,sequence=128 (the artifact stays "
             "dynamic)"),
    cl::CommaSeparated, cl::value_desc("NAME=SIZE,..."),
    cl::cat(reportCategory));
// The defaults are this project's reference machine (2 Zen 4 cores,
// docs/performance.md): a register-resident AVX-512 FMA loop on both cores
// (bench/cpu/fma_peak.c), and a 512 MB copy, read + write.
cl::opt<double> peakGflops("peak-gflops",
                           cl::desc("Roofline: peak GFLOP/s of the machine"),
                           cl::init(230.0), cl::cat(reportCategory));
cl::opt<double> bandwidthGBps("bandwidth-gbps",
                              cl::desc("Roofline: memory bandwidth in GB/s"),
                              cl::init(25.0), cl::cat(reportCategory));
cl::opt<std::string> linker("linker",
                            cl::desc("ld.lld to link the artifact with"),
                            cl::init(""), cl::cat(outputCategory));

const char *const Overview =
    "encoder-compile: compile an encoder model into an artifact\n\n"
    "  encoder-compile examples/bert -o bert.so          a Hugging Face "
    "model directory\n"
    "  encoder-compile model.mlir -o model.so            enc IR, for this "
    "CPU\n"
    "  encoder-compile model.onnx -o model.so            an ONNX model (and "
    "model.safetensors)\n"
    "  encoder-compile model.mlir --emit=linalg          stop after a stage "
    "and print it\n"
    "  encoder-compile model.mlir -o m.so --target=cuda  host code + PTX "
    "kernels\n"
    "  encoder-compile examples/bert -o bert.so --report=kernels.md "
    "--report-dims=batch=1,sequence=128\n\n"
    "Run an artifact with encoder-run (encoder-run --help).\n";

/// Our option groups in --help; every other option (MLIR's, LLVM's) only in
/// --help-hidden, except the MLIR flags that dump the pipeline.
void showProjectOptionsFirst() {
  auto &options = cl::getRegisteredOptions();
  for (const char *name : {"mlir-print-ir-after-all", "mlir-print-ir-after",
                           "mlir-print-ir-before", "mlir-print-ir-before-all",
                           "mlir-print-ir-module-scope", "mlir-timing",
                           "mlir-print-debuginfo", "mlir-disable-threading"}) {
    auto it = options.find(name);
    if (it != options.end())
      it->second->addCategory(debugCategory);
  }
  // cl::HideUnrelatedOptions would make them ReallyHidden: gone from
  // --help-hidden too.
  const cl::OptionCategory *ours[] = {&inputCategory,  &targetCategory,
                                      &outputCategory, &knobCategory,
                                      &reportCategory, &debugCategory};
  for (auto &entry : options) {
    cl::Option *option = entry.second;
    bool listed =
        llvm::any_of(option->Categories,
                     [&](auto *category) {
                       return llvm::is_contained(ours, category);
                     }) ||
        llvm::is_contained({"help", "help-hidden", "version"}, option->ArgStr);
    if (!listed && option->getOptionHiddenFlag() == cl::NotHidden)
      option->setHiddenFlag(cl::Hidden);
  }
}

/// MODEL.safetensors beside MODEL.so (or beside any output file); none for
/// stdout.
std::string defaultWeightsOutput(StringRef output) {
  if (output.empty() || output == "-")
    return "";
  SmallString<256> path(output);
  llvm::sys::path::replace_extension(path, "safetensors");
  return std::string(path);
}

int usageError(const std::string &message) {
  llvm::errs() << "encoder-compile: error: " << message << "\n";
  return 2;
}

/// Options that would be silently ignored for this target are errors that
/// say why (the frontend's options are checked by the driver, for Python
/// too).
std::optional<std::string> inapplicableOption() {
  if (target != Target::cuda)
    for (cl::Option *option : {static_cast<cl::Option *>(&gpuArch),
                               static_cast<cl::Option *>(&gpuMatmul),
                               static_cast<cl::Option *>(&cudaPath)})
      if (option->getNumOccurrences())
        return ("--" + option->ArgStr +
                " applies to --target=cuda; the target is cpu")
            .str();
  return std::nullopt;
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  // Pass names in --mlir-print-ir-after=... resolve through the registry,
  // which must be filled before the options are.
  enc::registerAllPasses();
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  registerPassManagerCLOptions();
  registerDefaultTimingManagerCLOptions();
  showProjectOptionsFirst();
  cl::ParseCommandLineOptions(argc, argv, Overview);
  if (listONNXOps) {
    for (StringRef op : supportedONNXOps())
      llvm::outs() << op << "\n";
    return 0;
  }
  if (std::optional<std::string> why = inapplicableOption())
    return usageError(*why);

  if (emit == EmitStage::artifact && outputFilename.empty()) {
    llvm::errs() << "encoder-compile: error: no output file; pass -o "
                    "MODEL.so (or --emit=STAGE to print a stage)\n";
    return 2;
  }

  DialectRegistry registry;
  enc::registerAllDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();

  auto fail = [](StringRef message) {
    if (!message.empty())
      llvm::errs() << "encoder-compile: error: " << message << "\n";
    return 1;
  };
  std::string error;
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  FrontendOptions frontendOptions;
  frontendOptions.pool = pool;
  frontendOptions.normalize = normalize;
  frontendOptions.audioInput = audioInput;
  if (isONNXPath(inputFilename))
    frontendOptions.weightsOutput = !weightsOutput.empty()
                                        ? weightsOutput.getValue()
                                        : defaultWeightsOutput(outputFilename);
  else if (!weightsOutput.empty())
    return usageError("--weights-output applies to an ONNX model (*.onnx); "
                      "the input is '" +
                      inputFilename + "'");
  OwningOpRef<ModuleOp> module =
      loadModel(context, sourceMgr, inputFilename, frontendOptions, error);
  if (!module)
    return fail(error);

  CompileOptions options;
  options.target = target == Target::cuda ? "cuda" : "cpu";
  options.gpuArch = gpuArch;
  options.gpuMatmul = gpuMatmul;
  options.cudaPath = cudaPath;
  options.gpuEmulation = gpuEmulation;
  options.cpu = cpu;
  options.tuningRecord = tuningRecord;
  options.optLevel = optLevel;
  options.emit = emit;
  for (unsigned i = 0, e = optimizationNames().size(); i < e; ++i)
    if (disabled.isSet(static_cast<Optimization>(i)))
      options.disabled.push_back(optimizationNames()[i].str());
  options.opConfig.assign(opConfig.begin(), opConfig.end());
  options.reportFile = reportFile;
  options.reportDims.assign(reportDims.begin(), reportDims.end());
  options.roofline = {peakGflops, bandwidthGBps};
  options.linker = linker;
  options.configurePassManager = [](PassManager &pm) {
    if (failed(applyPassManagerCLOptions(pm)))
      return failure();
    applyDefaultTimingPassManagerCLOptions(pm);
    return success();
  };

  // Stages print to the output file, stdout when none was given.
  std::unique_ptr<llvm::ToolOutputFile> stageFile;
  if (emit != EmitStage::artifact) {
    stageFile = openOutputFile(
        outputFilename.empty() ? std::string("-") : outputFilename.getValue(),
        &error);
    if (!stageFile)
      return fail(error);
  }
  if (failed(compileModule(*module, inputFilename, options, outputFilename,
                           stageFile ? stageFile->os() : llvm::nulls(), error)))
    return fail(error);
  if (stageFile)
    stageFile->keep();
  return 0;
}
