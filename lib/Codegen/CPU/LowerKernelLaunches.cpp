//===- LowerKernelLaunches.cpp - the enc-lower-kernel-launches pass
//---------===//
//
// Gives each launch declaration of enc-outline-kernels its body, in the
// LLVM dialect: only there are the kernel's arguments (memref descriptors
// expanded to pointers and sizes) known, and only there can they be stored
// into the context struct that parallel_for hands to the trampoline on each
// worker thread. The context lives on the launching thread's stack, which
// is safe because parallel_for returns only when every range is done.
//
//===----------------------------------------------------------------------===//

#include "encoder/Codegen/Common/RuntimeHooks.h"

#include "Enc/IR/EncAttributeNames.h"
#include "encoder/Codegen/CPU/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinOps.h"

namespace mlir::enc {
#define GEN_PASS_DEF_ENCLOWERKERNELLAUNCHES
#include "encoder/Codegen/CPU/Passes.h.inc"
} // namespace mlir::enc

using namespace mlir;
using namespace mlir::enc;

namespace {

struct EncLowerKernelLaunchesPass
    : enc::impl::EncLowerKernelLaunchesBase<EncLowerKernelLaunchesPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<LLVM::LLVMFuncOp> launches;
    for (auto func : module.getOps<LLVM::LLVMFuncOp>())
      if (func->hasAttr(kKernelLaunchAttrName))
        launches.push_back(func);
    if (launches.empty())
      return;
    LLVM::GlobalOp hooks = getOrCreateRuntimeHooks(module);
    for (LLVM::LLVMFuncOp launch : launches)
      if (failed(define(module, hooks, launch)))
        return signalPassFailure();
  }

  LogicalResult define(ModuleOp module, LLVM::GlobalOp hooks,
                       LLVM::LLVMFuncOp launch) {
    MLIRContext *ctx = &getContext();
    Location loc = launch.getLoc();
    auto attr = launch->getAttrOfType<DictionaryAttr>(kKernelLaunchAttrName);
    auto bodyRef = attr ? attr.getAs<FlatSymbolRefAttr>("body") : nullptr;
    auto kernelIndex = attr ? attr.getAs<IntegerAttr>("kernel") : nullptr;
    auto body = bodyRef ? module.lookupSymbol<LLVM::LLVMFuncOp>(bodyRef)
                        : LLVM::LLVMFuncOp();
    if (!body || !kernelIndex)
      return launch.emitError("malformed ")
             << kKernelLaunchAttrName << " (expected {body, kernel})";
    if (!launch.isExternal())
      return launch.emitError("launch is already defined");

    // launch(captures..., count, flops); body(captures..., begin, end).
    LLVM::LLVMFunctionType launchType = launch.getFunctionType();
    unsigned numCaptures = launchType.getNumParams() - 2;
    ArrayRef<Type> captureTypes =
        launchType.getParams().take_front(numCaptures);
    if (body.getFunctionType().getNumParams() != numCaptures + 2 ||
        body.getFunctionType().getParams().take_front(numCaptures) !=
            captureTypes)
      return launch.emitError("launch and body '")
             << body.getSymName() << "' disagree on the captured values";
    Type i64 = IntegerType::get(ctx, 64);
    Type countType = launchType.getParams()[numCaptures];
    if (countType != i64)
      return launch.emitError("expected index lowered to i64, got ")
             << countType;
    auto ptrType = LLVM::LLVMPointerType::get(ctx);
    auto contextType = LLVM::LLVMStructType::getLiteral(ctx, captureTypes);
    OpBuilder b(ctx);

    // The trampoline: unpack the context, run [begin, end).
    b.setInsertionPointAfter(body);
    auto trampolineType = LLVM::LLVMFunctionType::get(
        LLVM::LLVMVoidType::get(ctx), {ptrType, i64, i64});
    auto trampoline = LLVM::LLVMFuncOp::create(
        b, loc, (launch.getSymName() + "_trampoline").str(), trampolineType,
        LLVM::Linkage::Internal);
    {
      Block *entry = trampoline.addEntryBlock(b);
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(entry);
      SmallVector<Value> operands;
      for (auto [i, type] : llvm::enumerate(captureTypes)) {
        Value field = LLVM::GEPOp::create(
            b, loc, ptrType, contextType, entry->getArgument(0),
            ArrayRef<LLVM::GEPArg>{0, int32_t(i)});
        operands.push_back(LLVM::LoadOp::create(b, loc, type, field));
      }
      operands.push_back(entry->getArgument(1));
      operands.push_back(entry->getArgument(2));
      LLVM::CallOp::create(b, loc, body, operands);
      LLVM::ReturnOp::create(b, loc, ValueRange{});
    }

    // Kernel bodies are shared by the launches of identical layers, and
    // launches are code the caller need not carry: inlining either would
    // copy the kernel into every call site.
    body.setNoInline(true);
    launch.setNoInline(true);

    // The launch: hand the range to the runtime, or run it when the hook is
    // unset.
    Block *entry = launch.addEntryBlock(b);
    launch.setLinkage(LLVM::Linkage::Internal);
    launch->removeAttr(kKernelLaunchAttrName);
    Block *serial = b.createBlock(&launch.getBody());
    Block *parallel = b.createBlock(&launch.getBody());
    ValueRange args = entry->getArguments();
    Value count = args[numCaptures];
    Value flops = args[numCaptures + 1];

    b.setInsertionPointToStart(entry);
    Value parallelFor = loadRuntimeHook(b, loc, hooks, ENC_HOOK_PARALLEL_FOR);
    Value null = LLVM::ZeroOp::create(b, loc, ptrType);
    Value unset = LLVM::ICmpOp::create(b, loc, LLVM::ICmpPredicate::eq,
                                       parallelFor, null);
    // In the entry block, so that LLVM sees a static stack slot.
    Value one = LLVM::ConstantOp::create(b, loc, i64, 1);
    Value context = LLVM::AllocaOp::create(b, loc, ptrType, contextType, one);
    LLVM::CondBrOp::create(b, loc, unset, serial, parallel);

    b.setInsertionPointToStart(serial);
    SmallVector<Value> operands(args.take_front(numCaptures));
    operands.push_back(LLVM::ConstantOp::create(b, loc, i64, 0));
    operands.push_back(count);
    LLVM::CallOp::create(b, loc, body, operands);
    LLVM::ReturnOp::create(b, loc, ValueRange{});

    b.setInsertionPointToStart(parallel);
    for (auto [i, arg] : llvm::enumerate(args.take_front(numCaptures))) {
      Value field = LLVM::GEPOp::create(b, loc, ptrType, contextType, context,
                                        ArrayRef<LLVM::GEPArg>{0, int32_t(i)});
      LLVM::StoreOp::create(b, loc, arg, field);
    }
    auto parallelForType = LLVM::LLVMFunctionType::get(
        LLVM::LLVMVoidType::get(ctx), {ptrType, ptrType, i64, i64, i64});
    Value trampolineAddress = LLVM::AddressOfOp::create(b, loc, trampoline);
    Value kernel = LLVM::ConstantOp::create(b, loc, i64, kernelIndex.getInt());
    LLVM::CallOp::create(b, loc, parallelForType,
                         ValueRange{parallelFor, trampolineAddress, context,
                                    count, kernel, flops});
    LLVM::ReturnOp::create(b, loc, ValueRange{});
    return success();
  }
};

} // namespace
