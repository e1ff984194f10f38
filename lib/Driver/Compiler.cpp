//===- Compiler.cpp - the compiler driver shared by the CLI and Python
//------===//
//
// Runs the stages of the pipeline one pass manager each, so that a caller
// can stop after any of them.
//
//===----------------------------------------------------------------------===//

#include "encoder/Driver/Compiler.h"
#include "Enc/IR/EncAttributeNames.h"
#include "encoder/Conversion/Passes.h"
#include "encoder/Frontend/ONNXImport.h"

#include "encoder/Pipelines/Pipelines.h"
#include "encoder/Target/CPUTarget.h"
#include "encoder/Target/CPUTuning.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/Support/CrashRecoveryContext.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Target/TargetMachine.h"

#include <cstdlib>

using namespace mlir;
using namespace mlir::enc;

FailureOr<EmitStage> enc::parseEmitStage(StringRef name) {
  return llvm::StringSwitch<FailureOr<EmitStage>>(name)
      .Case("artifact", EmitStage::artifact)
      .Case("enc", EmitStage::enc)
      .Case("linalg", EmitStage::linalg)
      .Case("llvm", EmitStage::llvm)
      .Case("llvm-ir", EmitStage::llvmIR)
      .Case("asm", EmitStage::assembly)
      .Case("ptx", EmitStage::ptx)
      .Default(failure());
}

ArrayRef<StringRef> enc::optimizationNames() {
  static const StringRef names[] = {
      "attention-recognition", "projection-merging",   "head-transpose-folding",
      "epilogue-fusion",       "residual-norm-fusion", "weight-packing",
      "kernel-formation",      "weight-hoisting"};
  return names;
}

namespace {

/// Runs `parse` with MLIR's message about an op of an unregistered dialect
/// (which suggests -allow-unregistered-dialect: no use here, nothing could
/// lower such an op) replaced by one naming the dialects the compiler has.
OwningOpRef<ModuleOp>
parseNamingDialects(MLIRContext &context,
                    function_ref<OwningOpRef<ModuleOp>()> parse) {
  std::optional<Location> unregistered;
  OwningOpRef<ModuleOp> module;
  bool crashed = false;
  {
    ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
      if (diag.getSeverity() != DiagnosticSeverity::Error ||
          !StringRef(diag.str()).contains("unregistered dialect"))
        return failure();
      unregistered = diag.getLocation();
      return success();
    });
    // Some of LLVM 22's op parsers crash on malformed input (fuzzing found
    // linalg.transpose's with a malformed permutation: docs/reliability.md).
    // A crash while parsing becomes an error, not the end of the process
    // (or of a Python interpreter that called encoder.compile).
    llvm::CrashRecoveryContext::Enable();
    llvm::CrashRecoveryContext recovery;
    crashed = !recovery.RunSafely([&] { module = parse(); });
  }
  if (crashed) {
    (void)module.release(); // half-built: its state cannot be trusted
    emitError(UnknownLoc::get(&context))
        << "MLIR's parser crashed on this input, which is malformed (a bug "
           "of LLVM 22's parser, reached by a malformed op; see "
           "docs/reliability.md)";
    return nullptr;
  }
  if (unregistered)
    emitError(*unregistered)
        << "this op belongs to a dialect the encoder compiler does not "
           "have; it has: "
        << llvm::join(context.getDialectRegistry().getDialectNames(), ", ");
  return module;
}

} // namespace

LogicalResult enc::checkFrontendOptions(StringRef source, bool isConfig,
                                        const FrontendOptions &options,
                                        std::string &error) {
  std::string which = options.pool != SentencePooling::none ? "--pool"
                      : options.normalize                   ? "--normalize"
                      : options.audioInput                  ? "--audio-input"
                                                            : "";
  if (!which.empty() && !isConfig) {
    error = which +
            " builds part of a model from its config; it applies to a model "
            "directory or config.json, not to enc IR ('" +
            source.str() + "')";
    return failure();
  }
  if (options.normalize && options.pool == SentencePooling::none) {
    error = "--normalize L2-normalizes the pooled sentence embedding; it "
            "needs --pool=mean or --pool=cls";
    return failure();
  }
  return success();
}

OwningOpRef<ModuleOp> enc::loadModel(MLIRContext &context,
                                     llvm::SourceMgr &sourceMgr, StringRef path,
                                     const FrontendOptions &frontendOptions,
                                     std::string &error) {
  if (failed(checkFrontendOptions(path, isModelConfigPath(path),
                                  frontendOptions, error)))
    return nullptr;
  if (isONNXPath(path)) {
    ONNXImportOptions onnxOptions;
    onnxOptions.weightsPath = frontendOptions.weightsOutput;
    return importONNX(&context, path, onnxOptions, error);
  }
  if (isModelConfigPath(path)) {
    OwningOpRef<ModuleOp> module =
        importModelConfig(&context, path, frontendOptions, error);
    if (module && failed(verify(*module))) {
      error = ("the IR built for '" + path + "' does not verify").str();
      return nullptr;
    }
    return module;
  }
  std::unique_ptr<llvm::MemoryBuffer> input = openInputFile(path, &error);
  if (!input)
    return nullptr;
  sourceMgr.AddNewSourceBuffer(std::move(input), llvm::SMLoc());
  return parseNamingDialects(
      context, [&] { return parseSourceFile<ModuleOp>(sourceMgr, &context); });
}

OwningOpRef<ModuleOp> enc::parseModel(MLIRContext &context,
                                      llvm::SourceMgr &sourceMgr,
                                      StringRef text, StringRef bufferName) {
  sourceMgr.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(text, bufferName), llvm::SMLoc());
  return parseNamingDialects(
      context, [&] { return parseSourceFile<ModuleOp>(sourceMgr, &context); });
}

namespace {

/// One stage: a fresh pass manager, configured by the caller, then run.
LogicalResult runStage(ModuleOp module, const CompileOptions &options,
                       function_ref<void(OpPassManager &)> build) {
  PassManager pm(module.getContext());
  if (options.configurePassManager && failed(options.configurePassManager(pm)))
    return failure();
  build(pm);
  return pm.run(module);
}

/// The PTX of every kernel module (the `__enc_ptx_*` globals), each after a
/// comment naming its module.
void printPTX(ModuleOp module, llvm::raw_ostream &os) {
  for (auto global : module.getOps<LLVM::GlobalOp>()) {
    StringRef name = global.getSymName();
    auto text = dyn_cast_or_null<StringAttr>(global.getValueOrNull());
    if (!name.consume_front("__enc_ptx_") || !text)
      continue;
    os << "// kernel module " << name << "\n"
       << text.getValue().drop_back() // the NUL
       << "\n";
  }
}

bool isDisabled(const CompileOptions &options, StringRef name) {
  return llvm::is_contained(options.disabled, name);
}

} // namespace

LogicalResult enc::compileModule(ModuleOp module, StringRef sourceName,
                                 const CompileOptions &options,
                                 StringRef artifactPath,
                                 llvm::raw_ostream &stageOutput,
                                 std::string &error) {
  bool cuda = options.target == "cuda";
  if (!cuda && options.target != "cpu") {
    error = "unknown target '" + options.target + "' (expected cpu or cuda)";
    return failure();
  }
  for (const std::string &name : options.disabled) {
    if (!llvm::is_contained(optimizationNames(), name)) {
      error =
          "unknown optimization '" + name + "' to disable (expected one of ";
      llvm::raw_string_ostream os(error);
      llvm::interleaveComma(optimizationNames(), os);
      os << ")";
      return failure();
    }
  }
  bool hasPublicFunction =
      llvm::any_of(module.getOps<func::FuncOp>(), [](func::FuncOp f) {
        return f.isPublic() && !f.isExternal();
      });
  if (!hasPublicFunction) {
    error = ("'" + sourceName + "' has no public function to compile").str();
    return failure();
  }
  bool stopsBeforeKernels =
      options.emit == EmitStage::enc || options.emit == EmitStage::linalg;
  if (!options.reportFile.empty() && stopsBeforeKernels) {
    error = "a kernel report needs kernels, which exist from the llvm stage "
            "(--emit=llvm) on";
    return failure();
  }
  if (!options.reportDims.empty() && options.reportFile.empty()) {
    error = "report dimensions (--report-dims) need a report file (--report)";
    return failure();
  }
  if (cuda && failed(ptxFeatureFor(options.gpuArch))) {
    error = "unknown GPU architecture '" + options.gpuArch +
            "' (expected sm_NN, e.g. sm_80 or sm_90)";
    return failure();
  }
  std::optional<MatmulPrecision> gpuMatmul =
      llvm::StringSwitch<std::optional<MatmulPrecision>>(options.gpuMatmul)
          .Case("tf32", MatmulPrecision::tf32)
          .Case("bf16", MatmulPrecision::bf16)
          .Case("f32", MatmulPrecision::f32)
          .Default(std::nullopt);
  if (cuda && !gpuMatmul) {
    error = "unknown GPU matmul precision '" + options.gpuMatmul +
            "' (expected tf32, bf16 or f32)";
    return failure();
  }
  std::string cudaPath = options.cudaPath;
  if (cuda && !options.gpuEmulation) {
    for (const char *variable : {"CUDA_ROOT", "CUDA_HOME", "CUDA_PATH"})
      if (cudaPath.empty())
        if (const char *value = std::getenv(variable))
          cudaPath = value;
    if (cudaPath.empty())
      cudaPath = "/usr/local/cuda";
    SmallString<128> libdevice(cudaPath);
    llvm::sys::path::append(libdevice, "nvvm", "libdevice", "libdevice.10.bc");
    if (!llvm::sys::fs::exists(libdevice)) {
      error = ("no libdevice at '" + libdevice +
               "': compiling for cuda needs the CUDA toolkit (--cuda-path=DIR)")
                  .str();
      return failure();
    }
  }
  if (options.gpuEmulation && (!cuda || options.emit == EmitStage::ptx)) {
    error = "GPU emulation runs the kernels of target 'cuda' on the host; it "
            "needs target 'cuda' and has no ptx stage";
    return failure();
  }
  if (!cuda && options.emit == EmitStage::ptx) {
    error = "the ptx stage exists for target 'cuda' only";
    return failure();
  }
  if (cuda && !options.reportFile.empty()) {
    error = "the kernel report is drawn for target 'cpu' only";
    return failure();
  }
  if (options.emit == EmitStage::artifact && artifactPath.empty()) {
    error = "no output file for the artifact";
    return failure();
  }

  CPUTargetOptions targetOptions;
  targetOptions.cpu = options.cpu;
  targetOptions.optLevel = options.optLevel;
  std::unique_ptr<llvm::TargetMachine> machine =
      createCPUTargetMachine(targetOptions, error);
  if (!machine)
    return failure();

  // The kernels are blocked for the target CPU: an explicit choice (the
  // tuner's candidates), else a tuning record's entry for this CPU, else
  // the model of the target (docs/rationale/cpu-tuning.md).
  CPUMachineFacts facts = describeCPU(*machine, options.cpu == "host");
  int64_t vectorBits = facts.vectorBits;
  CPUKernelParams kernels = modelKernelParams(facts);
  KernelParamsSource kernelsSource = KernelParamsSource::model;
  if (options.cpuKernels) {
    std::string unfit = checkKernelParams(*options.cpuKernels, facts);
    if (!unfit.empty()) {
      error = "CPU kernel parameters: " + unfit;
      return failure();
    }
    kernels = *options.cpuKernels;
    kernelsSource = KernelParamsSource::explicitOption;
  } else if (!cuda) {
    std::string record = options.tuningRecord.empty()
                             ? defaultTuningRecordPath()
                             : options.tuningRecord;
    std::optional<CPUKernelParams> recorded;
    if (record != "none" && !lookupTuningRecord(record, facts, recorded, error))
      return failure();
    if (recorded) {
      kernels = *recorded;
      kernelsSource = KernelParamsSource::record;
    }
  }
  if (!cuda)
    module->setAttr(
        kCPUKernelsAttrName,
        getCPUKernelsAttr(module.getContext(), kernels, kernelsSource));
  TargetKind targetKind = cuda ? TargetKind::cuda : TargetKind::cpu;
  GraphOptions graph;
  graph.panel = kernels.panelColumns;
  graph.recognizeAttention = !isDisabled(options, "attention-recognition");
  graph.mergeProjections = !isDisabled(options, "projection-merging");
  // The CPU attention kernel's layout; the GPU's kernels are head-major.
  graph.foldHeadTransposes =
      !cuda && !isDisabled(options, "head-transpose-folding");
  graph.fuseEpilogues = !isDisabled(options, "epilogue-fusion");
  graph.fuseResidualNorm = !isDisabled(options, "residual-norm-fusion");
  // The packed layouts are the CPU micro-kernel's.
  graph.packWeights = !cuda && !isDisabled(options, "weight-packing");
  graph.hoistWeightOnly = !isDisabled(options, "weight-hoisting");
  graph.opConfig = options.opConfig;
  CPUPipelineOptions pipelineOptions;
  pipelineOptions.triple = machine->getTargetTriple().str();
  pipelineOptions.cpu = machine->getTargetCPU().str();
  pipelineOptions.formKernels = !isDisabled(options, "kernel-formation");
  CUDAPipelineOptions cudaOptions;
  cudaOptions.gpuArch = options.gpuArch;
  cudaOptions.cudaPath = cudaPath;
  cudaOptions.emulateOnHost = options.gpuEmulation;
  if (gpuMatmul)
    cudaOptions.matmulPrecision = *gpuMatmul;
  cudaOptions.triple = pipelineOptions.triple;
  cudaOptions.cpu = pipelineOptions.cpu;
  auto buildBackend = [&](OpPassManager &pm) {
    if (cuda)
      buildLinalgToLLVMCUDAPipeline(pm, cudaOptions);
    else
      buildLinalgToLLVMCPUPipeline(pm, pipelineOptions);
  };
  // The GPU's own kernels for attention and layer norm are written on
  // tensors, so they belong to the linalg stage.
  auto toLinalg = [&](OpPassManager &pm) {
    if (cuda)
      buildEncToGPUKernelsPipeline(pm, cudaOptions);
    buildEncToLinalgConversionPipeline(pm, targetKind, vectorBits);
  };
  if (failed(runStage(module, options, [&](OpPassManager &pm) {
        buildEncPreparationPipeline(pm, graph);
      })))
    return failure();
  if (options.emit == EmitStage::enc) {
    module.print(stageOutput);
    return success();
  }
  if (failed(runStage(module, options, toLinalg)))
    return failure();
  if (options.emit == EmitStage::linalg) {
    module.print(stageOutput);
    return success();
  }
  if (failed(runStage(module, options, buildBackend)))
    return failure();
  if (options.emit == EmitStage::ptx) {
    printPTX(module, stageOutput);
    return success();
  }
  if (!options.reportFile.empty() &&
      failed(writeKernelReport(module, options.reportFile, options.reportDims,
                               options.roofline, error)))
    return failure();
  if (options.emit == EmitStage::llvm) {
    module.print(stageOutput);
    return success();
  }

  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateAndOptimize(module, llvmContext, *machine, options.optLevel);
  if (!llvmModule)
    return failure();
  if (options.emit == EmitStage::llvmIR) {
    llvmModule->print(stageOutput, nullptr);
    return success();
  }
  if (options.emit == EmitStage::assembly) {
    SmallString<0> assembly;
    llvm::raw_svector_ostream assemblyStream(assembly);
    if (failed(emitMachineCode(*llvmModule, *machine, assemblyStream,
                               /*assembly=*/true, error)))
      return failure();
    stageOutput << assembly;
    return success();
  }

  // The artifact: an object file in a temporary, linked into the output.
  SmallString<128> objectPath;
  int objectFd;
  if (std::error_code ec = llvm::sys::fs::createTemporaryFile(
          "encoder-artifact", "o", objectFd, objectPath)) {
    error = "cannot create a temporary file: " + ec.message();
    return failure();
  }
  llvm::FileRemover removeObject(objectPath);
  {
    llvm::raw_fd_ostream objectStream(objectFd, /*shouldClose=*/true);
    if (failed(emitMachineCode(*llvmModule, *machine, objectStream,
                               /*assembly=*/false, error)))
      return failure();
  }
  return linkSharedObject(objectPath, artifactPath, options.linker, error);
}
