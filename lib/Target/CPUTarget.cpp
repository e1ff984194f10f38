//===- CPUTarget.cpp - LLVM IR, object code and artifacts for the CPU
//-------===//

#include "encoder/Target/CPUTarget.h"

#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Operator.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"

using namespace mlir;
using namespace mlir::enc;

std::unique_ptr<llvm::TargetMachine>
mlir::enc::createCPUTargetMachine(const CPUTargetOptions &options,
                                  std::string &error) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();

  llvm::Triple triple(llvm::sys::getProcessTriple());
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return nullptr;

  std::string cpu = options.cpu;
  llvm::SubtargetFeatures features;
  if (cpu == "host") {
    cpu = llvm::sys::getHostCPUName().str();
    for (const auto &feature : llvm::sys::getHostCPUFeatures())
      features.AddFeature(feature.first(), feature.second);
  }
  // MCSubtargetInfo only warns about an unknown CPU; reject it here.
  std::unique_ptr<llvm::TargetMachine> probe(target->createTargetMachine(
      triple, "generic", "", llvm::TargetOptions(), llvm::Reloc::PIC_));
  if (!probe || !probe->getMCSubtargetInfo()->isCPUStringValid(cpu)) {
    error = "unknown CPU '" + options.cpu + "' for " + triple.str() +
            " (try `llc -mcpu=help`, or --cpu=host)";
    return nullptr;
  }

  llvm::CodeGenOptLevel level =
      options.optLevel >= 3   ? llvm::CodeGenOptLevel::Aggressive
      : options.optLevel == 0 ? llvm::CodeGenOptLevel::None
                              : llvm::CodeGenOptLevel::Default;
  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      triple, cpu, features.getString(), llvm::TargetOptions(),
      llvm::Reloc::PIC_, std::nullopt, level));
  if (!machine)
    error = "could not create a target machine for " + triple.str();
  return machine;
}

/// LLVM's default module pipeline, without loop unrolling. Full unrolling
/// of the loop nests that linalg-to-loops produces (every trip count is
/// static) made blocks of thousands of instructions: the tiny_bert example
/// took 12 s to compile, 0.85 s without, and ran 15% slower with it.
static void optimize(llvm::Module &module, llvm::TargetMachine &machine,
                     unsigned optLevel) {
  llvm::PipelineTuningOptions tuning;
  tuning.LoopUnrolling = false;
  tuning.LoopInterleaving = true;
  tuning.LoopVectorization = true;
  tuning.SLPVectorization = true;
  llvm::PassBuilder builder(&machine, tuning);
  llvm::LoopAnalysisManager loops;
  llvm::FunctionAnalysisManager functions;
  llvm::CGSCCAnalysisManager cgsccs;
  llvm::ModuleAnalysisManager modules;
  builder.registerModuleAnalyses(modules);
  builder.registerCGSCCAnalyses(cgsccs);
  builder.registerFunctionAnalyses(functions);
  builder.registerLoopAnalyses(loops);
  builder.crossRegisterProxies(loops, functions, cgsccs, modules);
  llvm::OptimizationLevel level = optLevel >= 3   ? llvm::OptimizationLevel::O3
                                  : optLevel == 2 ? llvm::OptimizationLevel::O2
                                                  : llvm::OptimizationLevel::O1;
  builder.buildPerModuleDefaultPipeline(level).run(module, modules);
}

std::unique_ptr<llvm::Module>
mlir::enc::translateAndOptimize(ModuleOp module, llvm::LLVMContext &context,
                                llvm::TargetMachine &machine,
                                unsigned optLevel) {
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, context, "encoder-artifact");
  if (!llvmModule) {
    module.emitError("translation to LLVM IR failed");
    return nullptr;
  }
  llvmModule->setTargetTriple(machine.getTargetTriple());
  llvmModule->setDataLayout(machine.createDataLayout());
  // Reductions in the loop nests accumulate in one scalar; LLVM vectorizes
  // them along the contiguous reduction dimension only when it may
  // reassociate (tiny_bert: 9.7 ms without, 1.0 ms with). No other
  // fast-math freedom is given: attention masks and max-pooling rely on
  // infinities, and NaN must propagate. Casts keep their exact rounding:
  // with the flags LLVM merges f64 -> f32 -> f16 into one f64 -> f16
  // rounding (another result, and a compiler-rt call artifacts lack).
  for (llvm::Function &function : *llvmModule)
    for (llvm::Instruction &inst : llvm::instructions(function))
      if (llvm::isa<llvm::FPMathOperator>(inst) &&
          !llvm::isa<llvm::CastInst>(inst)) {
        inst.setHasAllowReassoc(true);
        inst.setHasAllowContract(true);
      }

  // Per-function attributes, so that LLVM's cost models see the CPU.
  std::string cpu = machine.getTargetCPU().str();
  std::string features = machine.getTargetFeatureString().str();
  for (llvm::Function &function : *llvmModule) {
    if (function.isDeclaration())
      continue;
    function.addFnAttr("target-cpu", cpu);
    if (!features.empty())
      function.addFnAttr("target-features", features);
  }

  if (optLevel > 0)
    optimize(*llvmModule, machine, optLevel);
  return llvmModule;
}

LogicalResult mlir::enc::emitMachineCode(llvm::Module &module,
                                         llvm::TargetMachine &machine,
                                         llvm::raw_pwrite_stream &os,
                                         bool assembly, std::string &error) {
  llvm::legacy::PassManager codegen;
  auto fileType = assembly ? llvm::CodeGenFileType::AssemblyFile
                           : llvm::CodeGenFileType::ObjectFile;
  if (machine.addPassesToEmitFile(codegen, os, nullptr, fileType)) {
    error = "the target cannot emit this kind of file";
    return failure();
  }
  codegen.run(module);
  return success();
}

LogicalResult mlir::enc::linkSharedObject(StringRef objectPath,
                                          StringRef outputPath,
                                          StringRef linker,
                                          std::string &error) {
  std::string program = linker.str();
  if (program.empty()) {
    llvm::ErrorOr<std::string> found =
        llvm::sys::findProgramByName("ld.lld", {ENCODER_LLVM_TOOLS_DIR});
    if (!found)
      found = llvm::sys::findProgramByName("ld.lld");
    if (!found) {
      error = "ld.lld not found in " ENCODER_LLVM_TOOLS_DIR
              " or on PATH (install lld-22, or pass --linker=PATH)";
      return failure();
    }
    program = *found;
  }

  // Capture the linker's messages to report them in one place.
  SmallString<128> logPath;
  if (std::error_code ec =
          llvm::sys::fs::createTemporaryFile("encoder-link", "log", logPath)) {
    error = "cannot create a temporary file: " + ec.message();
    return failure();
  }
  SmallVector<StringRef> args = {
      program,       "-shared",          "-o",
      outputPath,    objectPath,         "-z",
      "noexecstack", "--hash-style=gnu", "--as-needed"};
  std::optional<StringRef> redirects[] = {std::nullopt, logPath.str(),
                                          logPath.str()};
  std::string execError;
  int rc = llvm::sys::ExecuteAndWait(program, args, std::nullopt, redirects,
                                     /*SecondsToWait=*/0, /*MemoryLimit=*/0,
                                     &execError);
  auto log = llvm::MemoryBuffer::getFile(logPath);
  llvm::sys::fs::remove(logPath);
  if (rc != 0) {
    error = "linking with " + program + " failed";
    if (!execError.empty())
      error += ": " + execError;
    if (log && (*log)->getBufferSize())
      error += ": " + (*log)->getBuffer().trim().str();
    return failure();
  }
  return success();
}
