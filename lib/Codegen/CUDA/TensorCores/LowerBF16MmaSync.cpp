//===- LowerBF16MmaSync.cpp - the enc-lower-bf16-mma-sync pass
//-------------===//
//
// Fills a gap of LLVM 22's convert-nvgpu-to-nvvm: it lowers nvgpu.mma.sync
// for f16, TF32, i8, i4 and f64 operands but fails on bf16 ("failed to
// deduce operand PTX types"), which the op itself accepts. The kernels keep
// writing nvgpu.mma.sync for both of their precisions (it is Pure, so the
// bufferization and deallocation passes that run after the attention
// kernel is written see through it; nvvm.mma.sync has unknown memory
// effects, which they reject), and this pass, run on the GPU module right
// before the conversion, turns each bf16 one into nvvm.mma.sync: the
// operands' element pairs packed into 32-bit registers (the first element
// in the low half, as PTX's .bf16x2), the accumulator unpacked into f32s
// and the result struct packed back into the vector.
//
//===----------------------------------------------------------------------===//

#include "Enc/IR/EncAttributeNames.h"
#include "encoder/Codegen/CUDA/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::enc {
#define GEN_PASS_DEF_ENCLOWERBF16MMASYNC
#include "encoder/Codegen/CUDA/Passes.h.inc"
} // namespace mlir::enc

using namespace mlir;

namespace {

/// The vector's elements, row-major.
SmallVector<Value> elementsOf(OpBuilder &b, Location loc, Value vector) {
  auto type = cast<VectorType>(vector.getType());
  int64_t columns = type.getShape()[1];
  SmallVector<Value> elements;
  for (int64_t e = 0; e < type.getNumElements(); ++e)
    elements.push_back(vector::ExtractOp::create(
        b, loc, vector, ArrayRef<int64_t>{e / columns, e % columns}));
  return elements;
}

/// Each row of a vector<Nx2xbf16> (one register) as an i32, element 0 in
/// the low half.
SmallVector<Value> packedRegisters(OpBuilder &b, Location loc, Value vector) {
  Type i32 = b.getI32Type();
  auto widen = [&](Value x) -> Value {
    return arith::ExtUIOp::create(
        b, loc, i32, arith::BitcastOp::create(b, loc, b.getI16Type(), x));
  };
  SmallVector<Value> elements = elementsOf(b, loc, vector);
  SmallVector<Value> registers;
  for (size_t e = 0; e + 1 < elements.size(); e += 2) {
    // One creation per statement (argument order is unspecified in C++).
    Value low = widen(elements[e]);
    Value high = widen(elements[e + 1]);
    Value sixteen = arith::ConstantIntOp::create(b, loc, i32, 16);
    Value shifted = arith::ShLIOp::create(b, loc, high, sixteen);
    registers.push_back(arith::OrIOp::create(b, loc, low, shifted));
  }
  return registers;
}

struct LowerBF16MmaSync : OpRewritePattern<nvgpu::MmaSyncOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(nvgpu::MmaSyncOp op,
                                PatternRewriter &rewriter) const override {
    VectorType aType = op.getMatrixA().getType();
    VectorType cType = op.getMatrixC().getType();
    if (!aType.getElementType().isBF16() ||
        !op.getMatrixB().getType().getElementType().isBF16())
      return rewriter.notifyMatchFailure(op, "not bf16");
    if (!cType.getElementType().isF32() || aType.getShape()[1] != 2)
      return rewriter.notifyMatchFailure(op, "not an f32 accumulator");
    Location loc = op.getLoc();
    auto resultType = LLVM::LLVMStructType::getLiteral(
        getContext(),
        SmallVector<Type>(cType.getNumElements(), rewriter.getF32Type()));
    std::array<int64_t, 3> shape = op.getMmaShapeAsArray();
    // One creation per statement (argument order is unspecified in C++).
    SmallVector<Value> a = packedRegisters(rewriter, loc, op.getMatrixA());
    SmallVector<Value> bRegs = packedRegisters(rewriter, loc, op.getMatrixB());
    SmallVector<Value> c = elementsOf(rewriter, loc, op.getMatrixC());
    Value d = NVVM::MmaOp::create(
        rewriter, loc, resultType, a, bRegs, c, shape,
        /*b1Op=*/std::nullopt, /*intOverflow=*/std::nullopt,
        std::array{NVVM::MMATypes::bf16, NVVM::MMATypes::bf16},
        std::array{NVVM::MMALayout::row, NVVM::MMALayout::col});
    SmallVector<Value> elements;
    for (int64_t e = 0; e < cType.getNumElements(); ++e)
      elements.push_back(LLVM::ExtractValueOp::create(rewriter, loc, d, e));
    rewriter.replaceOpWithNewOp<vector::FromElementsOp>(op, cType, elements);
    return success();
  }
};

struct EncLowerBF16MmaSyncPass
    : enc::impl::EncLowerBF16MmaSyncBase<EncLowerBF16MmaSyncPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<LowerBF16MmaSync>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
