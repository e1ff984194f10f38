//===- LowerGPULaunches.cpp - the enc-lower-gpu-launches pass
//---------------===//
//
// Upstream lowers gpu.launch_func in the LLVM IR translation, to calls of
// the mgpu* wrappers of libmlir_cuda_runtime and a global constructor that
// loads the module at dlopen time. An artifact can do neither: it imports
// nothing but malloc/free/memset, and the runtime fills its hooks only after
// dlopen. So launches, allocations and frees go through enc_runtime_hooks
// like the CPU's parallel_for, and the PTX is plain data that the runtime
// hands to cuModuleLoadData at the first launch.
//
//===----------------------------------------------------------------------===//

#include "encoder/Codegen/Common/RuntimeHooks.h"

#include "Enc/IR/EncAttributeNames.h"
#include "encoder/Codegen/CUDA/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinOps.h"

namespace mlir::enc {
#define GEN_PASS_DEF_ENCLOWERGPULAUNCHES
#include "encoder/Codegen/CUDA/Passes.h.inc"
} // namespace mlir::enc

using namespace mlir;
using namespace mlir::enc;

namespace {

/// A private constant NUL-terminated string global.
LLVM::GlobalOp stringGlobal(OpBuilder &b, ModuleOp module, Location loc,
                            StringRef name, StringRef text) {
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(module.getBody());
  std::string data = text.str();
  data.push_back('\0');
  auto type = LLVM::LLVMArrayType::get(b.getI8Type(), data.size());
  return LLVM::GlobalOp::create(b, loc, type, /*isConstant=*/true,
                                LLVM::Linkage::Internal, name,
                                b.getStringAttr(data));
}

/// Gives the external declaration `func` a body that calls hook `field`
/// with `arguments(entry block)` and returns what it returns.
void defineThroughHook(OpBuilder &b, LLVM::GlobalOp hooks,
                       LLVM::LLVMFuncOp func, enc_runtime_hook_field field,
                       LLVM::LLVMFunctionType hookType,
                       function_ref<SmallVector<Value>(Block *)> arguments) {
  OpBuilder::InsertionGuard guard(b);
  Location loc = func.getLoc();
  Block *entry = func.addEntryBlock(b);
  func.setLinkage(LLVM::Linkage::Internal);
  b.setInsertionPointToStart(entry);
  Value hook = loadRuntimeHook(b, loc, hooks, field);
  SmallVector<Value> operands = {hook};
  llvm::append_range(operands, arguments(entry));
  auto call = LLVM::CallOp::create(b, loc, hookType, operands);
  if (isa<LLVM::LLVMVoidType>(hookType.getReturnType()))
    LLVM::ReturnOp::create(b, loc, ValueRange{});
  else
    LLVM::ReturnOp::create(b, loc, call.getResult());
}

struct EncLowerGPULaunchesPass
    : enc::impl::EncLowerGPULaunchesBase<EncLowerGPULaunchesPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    OpBuilder b(ctx);
    auto ptrType = LLVM::LLVMPointerType::get(ctx);
    Type i64 = b.getI64Type(), voidType = LLVM::LLVMVoidType::get(ctx);

    SmallVector<gpu::LaunchFuncOp> launches;
    module.walk([&](gpu::LaunchFuncOp launch) { launches.push_back(launch); });
    SmallVector<gpu::BinaryOp> binaries(module.getOps<gpu::BinaryOp>());
    if (launches.empty() && binaries.empty() &&
        !module.lookupSymbol(kGPUUploadFunction) &&
        !module.lookupSymbol("_mlir_memref_to_llvm_alloc"))
      return;
    LLVM::GlobalOp hooks = getOrCreateRuntimeHooks(module);

    // The PTX of each binary, as data.
    llvm::StringMap<LLVM::GlobalOp> ptxOf;
    for (gpu::BinaryOp binary : binaries) {
      if (binary.getObjects().size() != 1) {
        binary.emitError("expected one GPU object (one target), got ")
            << binary.getObjects().size();
        return signalPassFailure();
      }
      auto object = cast<gpu::ObjectAttr>(binary.getObjects()[0]);
      if (object.getFormat() != gpu::CompilationTarget::Assembly) {
        binary.emitError("expected PTX (gpu-module-to-binary format=isa)");
        return signalPassFailure();
      }
      ptxOf[binary.getSymName()] =
          stringGlobal(b, module, binary.getLoc(),
                       ("__enc_ptx_" + binary.getSymName()).str(),
                       object.getObject().getValue());
    }

    // gpu_launch(ptx, name, gx, gy, gz, bx, by, bz, shared, params, count).
    auto launchType = LLVM::LLVMFunctionType::get(
        voidType,
        {ptrType, ptrType, i64, i64, i64, i64, i64, i64, i64, ptrType, i64});
    for (gpu::LaunchFuncOp launch : launches) {
      Location loc = launch.getLoc();
      auto ptx = ptxOf.find(launch.getKernelModuleName().getValue());
      if (ptx == ptxOf.end()) {
        launch.emitError("no gpu.binary for kernel module '")
            << launch.getKernelModuleName().getValue() << "'";
        return signalPassFailure();
      }
      auto caller = launch->getParentOfType<LLVM::LLVMFuncOp>();
      if (!caller) {
        launch.emitError("expected the host code in the LLVM dialect");
        return signalPassFailure();
      }
      // One name global per kernel, shared by its launches.
      StringRef kernel = launch.getKernelName().getValue();
      std::string nameSymbol =
          ("__enc_kernel_" + launch.getKernelModuleName().getValue() + "_" +
           kernel)
              .str();
      auto name = module.lookupSymbol<LLVM::GlobalOp>(nameSymbol);
      if (!name)
        name = stringGlobal(b, module, loc, nameSymbol, kernel);

      // cuLaunchKernel takes a pointer per parameter; the slots live in the
      // caller's entry block so that loops around launches reuse them.
      ValueRange operands = launch.getKernelOperands();
      Value one;
      SmallVector<Value> slots;
      Value params;
      {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPointToStart(&caller.getBody().front());
        one = LLVM::ConstantOp::create(b, loc, i64, 1);
        for (Value operand : operands)
          slots.push_back(
              LLVM::AllocaOp::create(b, loc, ptrType, operand.getType(), one));
        Value count = LLVM::ConstantOp::create(
            b, loc, i64, std::max<int64_t>(operands.size(), 1));
        params = LLVM::AllocaOp::create(b, loc, ptrType, ptrType, count);
      }
      b.setInsertionPoint(launch);
      for (auto [i, operand] : llvm::enumerate(operands)) {
        LLVM::StoreOp::create(b, loc, operand, slots[i]);
        Value entry = LLVM::GEPOp::create(b, loc, ptrType, ptrType, params,
                                          ArrayRef<LLVM::GEPArg>{int32_t(i)});
        LLVM::StoreOp::create(b, loc, slots[i], entry);
      }
      auto toI64 = [&](Value v) -> Value {
        if (v.getType() == i64)
          return v;
        return LLVM::ZExtOp::create(b, loc, i64, v);
      };
      Value shared = launch.getDynamicSharedMemorySize()
                         ? toI64(launch.getDynamicSharedMemorySize())
                         : LLVM::ConstantOp::create(b, loc, i64, 0);
      gpu::KernelDim3 grid = launch.getGridSizeOperandValues();
      gpu::KernelDim3 block = launch.getBlockSizeOperandValues();
      Value hook = loadRuntimeHook(b, loc, hooks, ENC_HOOK_GPU_LAUNCH);
      LLVM::CallOp::create(
          b, loc, launchType,
          ValueRange{hook, LLVM::AddressOfOp::create(b, loc, ptx->second),
                     LLVM::AddressOfOp::create(b, loc, name), toI64(grid.x),
                     toI64(grid.y), toI64(grid.z), toI64(block.x),
                     toI64(block.y), toI64(block.z), shared, params,
                     LLVM::ConstantOp::create(b, loc, i64, operands.size())});
      if (launch.getAsyncToken()) {
        launch.emitError("asynchronous launches are not supported");
        return signalPassFailure();
      }
      launch.erase();
    }
    for (gpu::BinaryOp binary : binaries)
      binary.erase();
    module->removeAttr(gpu::GPUDialect::getContainerModuleAttrName());

    // The runtime functions the host lowering calls.
    for (auto func :
         llvm::make_early_inc_range(module.getOps<LLVM::LLVMFuncOp>())) {
      if (!func.isExternal())
        continue;
      StringRef name = func.getSymName();
      if (name == "_mlir_memref_to_llvm_alloc") {
        // Host buffers (memref.alloc lowered with generic functions) are
        // device memory, allocated on the call's stream.
        defineThroughHook(b, hooks, func, ENC_HOOK_GPU_ALLOC,
                          LLVM::LLVMFunctionType::get(ptrType, {i64}),
                          [](Block *entry) -> SmallVector<Value> {
                            return {entry->getArgument(0)};
                          });
      } else if (name == "_mlir_memref_to_llvm_free") {
        defineThroughHook(b, hooks, func, ENC_HOOK_GPU_FREE,
                          LLVM::LLVMFunctionType::get(voidType, {ptrType}),
                          [](Block *entry) -> SmallVector<Value> {
                            return {entry->getArgument(0)};
                          });
      } else if (name == kGPUUploadFunction) {
        // (device, host, bytes) as integers -> gpu_upload(ptr, ptr, i64).
        defineThroughHook(
            b, hooks, func, ENC_HOOK_GPU_UPLOAD,
            LLVM::LLVMFunctionType::get(voidType, {ptrType, ptrType, i64}),
            [&](Block *entry) -> SmallVector<Value> {
              Location loc = func.getLoc();
              return {LLVM::IntToPtrOp::create(b, loc, ptrType,
                                               entry->getArgument(0)),
                      LLVM::IntToPtrOp::create(b, loc, ptrType,
                                               entry->getArgument(1)),
                      entry->getArgument(2)};
            });
      } else if (name.starts_with("mgpu") ||
                 name == "_mlir_memref_to_llvm_aligned_alloc") {
        func.emitError("the GPU host code calls '")
            << name << "', which artifacts do not provide (only allocation, "
            << "free, constant upload and launches go through the runtime)";
        return signalPassFailure();
      }
    }
  }
};

} // namespace
