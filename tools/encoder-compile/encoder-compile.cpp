//===- encoder-compile.cpp - compile an encoder model to an artifact --------===//
//
//   encoder-compile MODEL.mlir -o MODEL.so [--target=cpu] [--cpu=host]
//   encoder-compile MODEL_DIR|config.json -o MODEL.so [--pool=mean|cls]
//   encoder-compile MODEL.mlir --emit=enc|linalg|llvm|llvm-ir|asm [-o FILE]
//   encoder-compile MODEL.mlir -o MODEL.so --report=kernels.md
//       [--op-config=enc.layer_norm:tile=1x16] [--disable=kernel-formation]
//
// Runs the stages of the pipeline one pass manager each, so that --emit can
// stop after any of them; MLIR's own flags (--mlir-print-ir-after-all,
// --mlir-timing, ...) apply to every stage.
//
//===----------------------------------------------------------------------===//

#include "KernelReport.h"

#include "encoder/Frontend/Frontend.h"
#include "encoder/InitAll.h"
#include "encoder/Pipelines/Pipelines.h"
#include "encoder/Target/CPUTarget.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/Timing.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Target/TargetMachine.h"

using namespace mlir;
using namespace mlir::enc;
namespace cl = llvm::cl;

namespace {

enum class Emit { artifact, enc, linalg, llvm, llvmIR, assembly };
enum class Target { cpu, cuda };

cl::OptionCategory category("encoder-compile options");

cl::opt<std::string> inputFilename(cl::Positional,
                                   cl::desc("<model.mlir | model dir | "
                                            "config.json | ->"),
                                   cl::init("-"), cl::cat(category));
cl::opt<std::string> outputFilename("o", cl::desc("Output file"),
                                    cl::value_desc("file"), cl::init(""),
                                    cl::cat(category));
cl::opt<Target> target(
    "target", cl::desc("What the artifact runs on"), cl::init(Target::cpu),
    cl::values(clEnumValN(Target::cpu, "cpu", "the host CPU (default)"),
               clEnumValN(Target::cuda, "cuda", "NVIDIA GPUs through PTX")),
    cl::cat(category));
cl::opt<Emit> emit(
    "emit", cl::desc("Stop after a stage and print it"),
    cl::init(Emit::artifact),
    cl::values(
        clEnumValN(Emit::artifact, "artifact", "the shared object (default)"),
        clEnumValN(Emit::enc, "enc",
                   "enc IR after the graph-level passes"),
        clEnumValN(Emit::linalg, "linalg", "linalg on tensors"),
        clEnumValN(Emit::llvm, "llvm", "the LLVM dialect, ABI included"),
        clEnumValN(Emit::llvmIR, "llvm-ir", "optimized LLVM IR"),
        clEnumValN(Emit::assembly, "asm", "target assembly")),
    cl::cat(category));
cl::opt<std::string> cpu("cpu",
                         cl::desc("Target CPU: `host` (default) or an LLVM "
                                  "CPU name such as skylake-avx512"),
                         cl::init("host"), cl::cat(category));
cl::opt<unsigned> optLevel("O", cl::desc("LLVM optimization level (0-3)"),
                           cl::init(3), cl::Prefix, cl::cat(category));
cl::opt<SentencePooling> pool(
    "pool",
    cl::desc("Model configs: pool a text encoder's last hidden state into "
             "`sentence_embedding` (Sentence-BERT)"),
    cl::init(SentencePooling::none),
    cl::values(clEnumValN(SentencePooling::none, "none",
                          "no pooling (default)"),
               clEnumValN(SentencePooling::mean, "mean",
                          "mean over the attention mask"),
               clEnumValN(SentencePooling::cls, "cls", "the first token")),
    cl::cat(category));
cl::opt<bool> normalize("normalize",
                        cl::desc("Model configs: L2-normalize the pooled "
                                 "sentence embedding"),
                        cl::init(false), cl::cat(category));
cl::opt<bool> audioInput(
    "audio-input",
    cl::desc("Model configs (whisper): take 16 kHz audio and compute the "
             "log-mel features in the artifact"),
    cl::init(false), cl::cat(category));
enum class Optimization {
  attentionRecognition,
  projectionMerging,
  epilogueFusion,
  residualNormFusion,
  weightPacking,
  kernelFormation,
};
cl::bits<Optimization> disabled(
    "disable", cl::desc("Switch off graph-level optimizations (to measure "
                        "them): a comma-separated list of"),
    cl::CommaSeparated,
    cl::values(
        clEnumValN(Optimization::attentionRecognition, "attention-recognition",
                   "rewriting hand-written attention into enc.attention"),
        clEnumValN(Optimization::projectionMerging, "projection-merging",
                   "merging linears on one input (Q/K/V)"),
        clEnumValN(Optimization::epilogueFusion, "epilogue-fusion",
                   "activations and residual adds into linears"),
        clEnumValN(Optimization::residualNormFusion, "residual-norm-fusion",
                   "residual adds into layer norms"),
        clEnumValN(Optimization::weightPacking, "weight-packing",
                   "packed weights and the matmul micro-kernel"),
        clEnumValN(Optimization::kernelFormation, "kernel-formation",
                   "tiling linalg ops into parallel kernels with their "
                   "producers fused")),
    cl::cat(category));
cl::list<std::string> opConfig(
    "op-config",
    cl::desc("Per-op knobs, SELECTOR:KEY=VALUE[:KEY=VALUE...], e.g. "
             "enc.layer_norm:tile=1x16, enc.linear#0:fuse=false, "
             "enc.linear:tile=4x32 (rows x panel of the micro-kernel); "
             "repeatable, attributes in the IR win"),
    cl::value_desc("config"), cl::cat(category));
cl::opt<std::string> reportFile(
    "report",
    cl::desc("Write the per-kernel report (fused ops, FLOPs, bytes, "
             "roofline) to FILE: JSON for *.json, else Markdown"),
    cl::value_desc("FILE"), cl::init(""), cl::cat(category));
cl::list<std::string> reportDims(
    "report-dims",
    cl::desc("Report the kernels at these sizes of the named dynamic input "
             "dimensions, e.g. batch=1,sequence=128 (the artifact stays "
             "dynamic)"),
    cl::CommaSeparated, cl::value_desc("NAME=SIZE,..."), cl::cat(category));
// The defaults are this project's reference machine (2 Zen 4 cores,
// docs/performance.md): a register-resident AVX-512 FMA loop on both cores
// (bench/cpu/fma_peak.c), and a 512 MB copy, read + write.
cl::opt<double> peakGflops("peak-gflops",
                           cl::desc("Roofline: peak GFLOP/s of the machine"),
                           cl::init(230.0), cl::cat(category));
cl::opt<double> bandwidthGBps(
    "bandwidth-gbps", cl::desc("Roofline: memory bandwidth in GB/s"),
    cl::init(25.0), cl::cat(category));
cl::opt<std::string> linker("linker",
                            cl::desc("ld.lld to link the artifact with"),
                            cl::init(""), cl::cat(category));

/// Prints `module` to the output file (stdout when none was given).
LogicalResult printModule(ModuleOp module) {
  std::string error;
  auto output = openOutputFile(outputFilename.empty() ? std::string("-") : outputFilename.getValue(),
                               &error);
  if (!output) {
    llvm::errs() << "encoder-compile: error: " << error << "\n";
    return failure();
  }
  module.print(output->os());
  output->keep();
  return success();
}

LogicalResult runStage(ModuleOp module, MLIRContext &context,
                       function_ref<void(OpPassManager &)> build) {
  PassManager pm(&context);
  if (failed(applyPassManagerCLOptions(pm)))
    return failure();
  applyDefaultTimingPassManagerCLOptions(pm);
  build(pm);
  return pm.run(module);
}

LogicalResult compile(ModuleOp module, MLIRContext &context) {
  if (target == Target::cuda) {
    llvm::errs() << "encoder-compile: error: --target=cuda is not "
                    "implemented yet; use --target=cpu\n";
    return failure();
  }
  bool hasPublicFunction = llvm::any_of(
      module.getOps<func::FuncOp>(),
      [](func::FuncOp f) { return f.isPublic() && !f.isExternal(); });
  if (!hasPublicFunction) {
    llvm::errs() << "encoder-compile: error: '" << inputFilename
                 << "' has no public function to compile\n";
    return failure();
  }

  std::string error;
  CPUTargetOptions targetOptions;
  targetOptions.cpu = cpu;
  targetOptions.optLevel = optLevel;
  std::unique_ptr<llvm::TargetMachine> machine =
      createCPUTargetMachine(targetOptions, error);
  if (!machine) {
    llvm::errs() << "encoder-compile: error: " << error << "\n";
    return failure();
  }

  // The kernels are blocked for the target's vector registers.
  const llvm::MCSubtargetInfo *subtarget = machine->getMCSubtargetInfo();
  int64_t vectorBits = subtarget->checkFeatures("+avx512f")  ? 512
                       : subtarget->checkFeatures("+avx2") ? 256
                                                           : 128;

  GraphOptions graph;
  graph.panel = vectorBits / 16;
  graph.recognizeAttention =
      !disabled.isSet(Optimization::attentionRecognition);
  graph.mergeProjections = !disabled.isSet(Optimization::projectionMerging);
  graph.fuseEpilogues = !disabled.isSet(Optimization::epilogueFusion);
  graph.fuseResidualNorm = !disabled.isSet(Optimization::residualNormFusion);
  graph.packWeights = !disabled.isSet(Optimization::weightPacking);
  graph.opConfig.assign(opConfig.begin(), opConfig.end());
  if (!reportFile.empty() && (emit == Emit::enc || emit == Emit::linalg)) {
    llvm::errs() << "encoder-compile: error: --report needs kernels, which "
                    "exist from --emit=llvm on\n";
    return failure();
  }
  if (!reportDims.empty() && reportFile.empty()) {
    llvm::errs() << "encoder-compile: error: --report-dims needs --report\n";
    return failure();
  }
  CPUPipelineOptions pipelineOptions;
  pipelineOptions.triple = machine->getTargetTriple().str();
  pipelineOptions.cpu = machine->getTargetCPU().str();
  pipelineOptions.formKernels = !disabled.isSet(Optimization::kernelFormation);
  auto lowerToLLVM = [&](ModuleOp m) {
    return runStage(m, context, [&](OpPassManager &pm) {
      buildEncPreparationPipeline(pm, graph);
      buildEncToLinalgConversionPipeline(pm, vectorBits);
      buildLinalgToLLVMCPUPipeline(pm, pipelineOptions);
    });
  };
  // With --report-dims the report comes from a copy compiled at those
  // sizes, where every kernel's cost is a constant.
  if (!reportDims.empty()) {
    OwningOpRef<ModuleOp> specialized(module.clone());
    if (failed(specializeDims(*specialized, reportDims, error)) ||
        failed(lowerToLLVM(*specialized)) ||
        failed(writeKernelReport(*specialized, reportFile,
                                 {peakGflops, bandwidthGBps}, error))) {
      if (!error.empty())
        llvm::errs() << "encoder-compile: error: " << error << "\n";
      return failure();
    }
  }

  if (failed(runStage(module, context, [&](OpPassManager &pm) {
        buildEncPreparationPipeline(pm, graph);
      })))
    return failure();
  if (emit == Emit::enc)
    return printModule(module);
  if (failed(runStage(module, context, [&](OpPassManager &pm) {
        buildEncToLinalgConversionPipeline(pm, vectorBits);
      })))
    return failure();
  if (emit == Emit::linalg)
    return printModule(module);
  if (failed(runStage(module, context, [&](OpPassManager &pm) {
        buildLinalgToLLVMCPUPipeline(pm, pipelineOptions);
      })))
    return failure();
  if (!reportFile.empty() && reportDims.empty() &&
      failed(writeKernelReport(module, reportFile,
                               {peakGflops, bandwidthGBps}, error))) {
    llvm::errs() << "encoder-compile: error: " << error << "\n";
    return failure();
  }
  if (emit == Emit::llvm)
    return printModule(module);

  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateAndOptimize(module, llvmContext, *machine, optLevel);
  if (!llvmModule)
    return failure();

  if (emit == Emit::llvmIR || emit == Emit::assembly) {
    auto output = openOutputFile(
        outputFilename.empty() ? std::string("-") : outputFilename.getValue(), &error);
    if (!output) {
      llvm::errs() << "encoder-compile: error: " << error << "\n";
      return failure();
    }
    if (emit == Emit::llvmIR) {
      llvmModule->print(output->os(), nullptr);
    } else if (failed(emitMachineCode(*llvmModule, *machine, output->os(),
                                      /*assembly=*/true, error))) {
      llvm::errs() << "encoder-compile: error: " << error << "\n";
      return failure();
    }
    output->keep();
    return success();
  }

  // The artifact: an object file in a temporary, linked into the output.
  SmallString<128> objectPath;
  int objectFd;
  if (std::error_code ec = llvm::sys::fs::createTemporaryFile(
          "encoder-artifact", "o", objectFd, objectPath)) {
    llvm::errs() << "encoder-compile: error: cannot create a temporary "
                    "file: "
                 << ec.message() << "\n";
    return failure();
  }
  llvm::FileRemover removeObject(objectPath);
  {
    llvm::raw_fd_ostream objectStream(objectFd, /*shouldClose=*/true);
    if (failed(emitMachineCode(*llvmModule, *machine, objectStream,
                               /*assembly=*/false, error))) {
      llvm::errs() << "encoder-compile: error: " << error << "\n";
      return failure();
    }
  }
  if (failed(linkSharedObject(objectPath, outputFilename, linker, error))) {
    llvm::errs() << "encoder-compile: error: " << error << "\n";
    return failure();
  }
  return success();
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
  cl::ParseCommandLineOptions(
      argc, argv,
      "encoder-compile: compile an enc-dialect model into an artifact\n");

  if (emit == Emit::artifact && outputFilename.empty()) {
    llvm::errs() << "encoder-compile: error: no output file; pass -o "
                    "MODEL.so (or --emit=STAGE to print a stage)\n";
    return 2;
  }

  DialectRegistry registry;
  enc::registerAllDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();

  std::string error;
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  OwningOpRef<ModuleOp> module;
  if (isModelConfigPath(inputFilename)) {
    FrontendOptions options;
    options.pool = pool;
    options.normalize = normalize;
    options.audioInput = audioInput;
    module = importModelConfig(&context, inputFilename, options, error);
    if (!module) {
      llvm::errs() << "encoder-compile: error: " << error << "\n";
      return 1;
    }
    if (failed(verify(*module))) {
      llvm::errs() << "encoder-compile: error: the IR built for '"
                   << inputFilename << "' does not verify\n";
      return 1;
    }
  } else {
    std::unique_ptr<llvm::MemoryBuffer> input =
        openInputFile(inputFilename, &error);
    if (!input) {
      llvm::errs() << "encoder-compile: error: " << error << "\n";
      return 1;
    }
    sourceMgr.AddNewSourceBuffer(std::move(input), llvm::SMLoc());
    module = parseSourceFile<ModuleOp>(sourceMgr, &context);
    if (!module)
      return 1;
  }
  return failed(compile(*module, context)) ? 1 : 0;
}
