//===- PackedMatmul.cpp - the packed matmul micro-kernel ------------------===//
//
// A matmul whose weight is packed in panels ([n / p, k, p], enc-pack-weights;
// enc.linear, and enc.patch_embed as im2col) lowers to a register-blocked
// micro-kernel in the vector dialect: for each block of r rows (the
// target's CPUKernelParams, or enc.tile_sizes[0]) and each panel of p output
// columns, r * p / 16
// accumulator vectors stay in registers over the whole reduction; each step
// loads the panel's p weights of one input feature (contiguous) and
// broadcasts r inputs. The bias initialises the accumulators and the
// epilogue (activation, residual) is applied before the one store. An
// scf.forall over panels splits the work among threads. Why a hand-written
// kernel: docs/rationale/cpu-kernels.md, 'Packed matmul'.
//
//===----------------------------------------------------------------------===//

#include "PackedMatmul.h"
#include "CPUKernels.h"
#include "encoder/Conversion/LoweringUtils.h"

#include "Enc/IR/EncAttributeNames.h"
#include "Enc/IR/EncOps.h"
#include "encoder/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/DialectConversion.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using namespace mlir::enc;
using namespace mlir::enc::lowering;

namespace {

Value indexConstant(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

/// Collapses [..., n] to [rows, n] (and [n] to [1, n]).
Value toMatrix(OpBuilder &b, Location loc, Value x) {
  auto type = cast<RankedTensorType>(x.getType());
  int64_t rank = type.getRank();
  if (rank == 2)
    return x;
  if (rank == 1)
    return tensor::ExpandShapeOp::create(
        b, loc,
        RankedTensorType::get({1, type.getDimSize(0)}, type.getElementType()),
        x, ArrayRef<ReassociationIndices>{{0, 1}});
  ReassociationIndices leading;
  for (int64_t i = 0; i + 1 < rank; ++i)
    leading.push_back(i);
  return tensor::CollapseShapeOp::create(
      b, loc, x, ArrayRef<ReassociationIndices>{leading, {rank - 1}});
}

/// One rowBlock x panel tile at rows [m0, m0 + rowBlock) of panel j: the
/// reduction over `depth` with the accumulators as loop values, then the
/// epilogue and one (row-masked) store per vector into `block`.
void buildTile(OpBuilder &b, Location loc, int64_t rowBlock, int64_t laneCount,
               Value m0, Value lastRow, Value rows, Value j, Value panelColumn,
               Value globalColumn, Value x, Value weight, Value bias,
               Value residual, std::optional<ActivationKind> activationKind,
               VectorType vectorType, int64_t vectorsPerPanel, int64_t depth,
               Value block) {
  Type f32 = vectorType.getElementType();
  Value c0 = indexConstant(b, loc, 0);
  Value lanes = indexConstant(b, loc, laneCount);
  // Rows past the end read the last row (harmless) and are not stored.
  SmallVector<Value> rowIndex;
  for (int64_t r = 0; r < rowBlock; ++r)
    rowIndex.push_back(arith::MinUIOp::create(
        b, loc, arith::AddIOp::create(b, loc, m0, indexConstant(b, loc, r)),
        lastRow));

  SmallVector<Value> columnOf(vectorsPerPanel);
  for (int64_t v = 0; v < vectorsPerPanel; ++v)
    columnOf[v] = arith::AddIOp::create(b, loc, globalColumn,
                                        indexConstant(b, loc, v * laneCount));
  SmallVector<Value> initial;
  Value zero = floatConstant(b, loc, vectorType, 0.0);
  Value padding = floatConstant(b, loc, f32, 0.0);
  for (int64_t r = 0; r < rowBlock; ++r)
    for (int64_t v = 0; v < vectorsPerPanel; ++v)
      initial.push_back(
          bias ? Value(vector::TransferReadOp::create(
                     b, loc, vectorType, bias, ValueRange{columnOf[v]}, padding,
                     ArrayRef<bool>{true}))
               : zero);

  Value depthBound = indexConstant(b, loc, depth);
  Value one = indexConstant(b, loc, 1);
  auto reduction = scf::ForOp::create(
      b, loc, c0, depthBound, one, initial,
      [&](OpBuilder &kb, Location kl, Value k, ValueRange accumulators) {
        SmallVector<Value> weights;
        for (int64_t v = 0; v < vectorsPerPanel; ++v)
          weights.push_back(vector::TransferReadOp::create(
              kb, kl, vectorType, weight,
              ValueRange{j, k, indexConstant(kb, kl, v * laneCount)}, padding,
              ArrayRef<bool>{true}));
        SmallVector<Value> next;
        for (int64_t r = 0; r < rowBlock; ++r) {
          Value a =
              tensor::ExtractOp::create(kb, kl, x, ValueRange{rowIndex[r], k});
          Value broadcast = vector::BroadcastOp::create(kb, kl, vectorType, a);
          for (int64_t v = 0; v < vectorsPerPanel; ++v)
            next.push_back(
                vector::FMAOp::create(kb, kl, broadcast, weights[v],
                                      accumulators[r * vectorsPerPanel + v]));
        }
        scf::YieldOp::create(kb, kl, next);
      });

  Value result = block;
  for (int64_t r = 0; r < rowBlock; ++r) {
    Value row = arith::AddIOp::create(b, loc, m0, indexConstant(b, loc, r));
    Value valid =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, row, rows);
    Value count = arith::SelectOp::create(b, loc, valid, lanes, c0);
    Value mask = vector::CreateMaskOp::create(
        b, loc, VectorType::get({laneCount}, b.getI1Type()), ValueRange{count});
    for (int64_t v = 0; v < vectorsPerPanel; ++v) {
      Value y = reduction.getResult(r * vectorsPerPanel + v);
      if (activationKind)
        y = activation(b, loc, *activationKind, y);
      if (residual)
        y = arith::AddFOp::create(
            b, loc, y,
            vector::TransferReadOp::create(b, loc, vectorType, residual,
                                           ValueRange{rowIndex[r], columnOf[v]},
                                           padding, ArrayRef<bool>{true}));
      Value column = arith::AddIOp::create(
          b, loc, panelColumn, indexConstant(b, loc, v * laneCount));
      AffineMap identity = AffineMap::getMinorIdentityMap(
          /*dims=*/2, /*results=*/1, b.getContext());
      result = vector::TransferWriteOp::create(b, loc, y, result,
                                               ValueRange{rowIndex[r], column},
                                               AffineMapAttr::get(identity),
                                               mask, b.getBoolArrayAttr({true}))
                   .getResult();
    }
  }
  scf::YieldOp::create(b, loc, result);
}

} // namespace

FailureOr<Value> lowering::buildPackedMatmul(OpBuilder &rewriter, Location loc,
                                             const PackedMatmul &m) {
  auto weightType = cast<RankedTensorType>(m.weight.getType());
  int64_t panels = weightType.getDimSize(0);
  int64_t depth = weightType.getDimSize(1);
  int64_t panel = weightType.getDimSize(2);
  int64_t laneCount = m.target.vectorBits / 32;
  int64_t registers = m.target.vectorRegisters;
  if (!weightType.getElementType().isF32() || !weightType.hasStaticShape() ||
      panel % laneCount != 0)
    return emitError(loc, "the packed micro-kernel needs an f32 weight of "
                          "static shape with panels of a multiple of ")
           << laneCount << " columns, got " << weightType;
  int64_t vectorsPerPanel = panel / laneCount;
  // Accumulators and the panel's weights must fit the vector registers,
  // with one left for the broadcast.
  // The target's rows (model or record), fewer when a panel wider than
  // the target's leaves fewer registers; an op's knob wins.
  int64_t rowBlock = m.rowBlock
                         ? m.rowBlock
                         : std::min(m.target.kernels.matmulRows,
                                    (registers - 1) / vectorsPerPanel - 1);
  if (rowBlock < 1 || (rowBlock + 1) * vectorsPerPanel + 1 > registers)
    return emitError(loc, "a register block of ")
           << std::max<int64_t>(rowBlock, 1) << " rows x " << panel
           << " columns does not fit the " << registers << " vector registers";

  Type f32 = rewriter.getF32Type();
  int64_t columns = panels * panel;
  auto vectorType = VectorType::get({laneCount}, f32);
  Value x = m.input, residual = m.residual, bias = m.bias, weight = m.weight;

  // Static when the input is, so that the result keeps its static type.
  OpFoldResult rowCount = tensor::getMixedSize(rewriter, loc, x, 0);
  Value rows = getValueOrCreateConstantIndexOp(rewriter, loc, rowCount);

  // Chunks: panels split evenly, as many as the work affords.
  Value c0 = indexConstant(rewriter, loc, 0);
  Value c1 = indexConstant(rewriter, loc, 1);
  Value panelCount = indexConstant(rewriter, loc, panels);
  Value work = arith::MulIOp::create(
      rewriter, loc, rows, indexConstant(rewriter, loc, 2 * columns * depth));
  Value chunks = arith::MinUIOp::create(
      rewriter, loc, panelCount,
      arith::MaxUIOp::create(
          rewriter, loc, c1,
          arith::DivUIOp::create(
              rewriter, loc, work,
              indexConstant(rewriter, loc, m.target.kernels.chunkFlops))));

  Value init = tensor::EmptyOp::create(
      rewriter, loc,
      ArrayRef<OpFoldResult>{rowCount, rewriter.getIndexAttr(columns)}, f32);
  std::optional<ActivationKind> activationKind = m.activation;

  // What the kernel does, for the report and the profiler.
  int64_t readsPerRow = depth + (residual ? columns : 0) + columns;
  Value flops = work;
  // One creation per statement (argument order is unspecified in C++).
  Value elementBytes = indexConstant(rewriter, loc, 4);
  Value perRow = indexConstant(rewriter, loc, readsPerRow);
  Value rowReads = arith::MulIOp::create(rewriter, loc, rows, perRow);
  Value weightReads =
      indexConstant(rewriter, loc, columns * depth + (bias ? columns : 0));
  Value reads = arith::AddIOp::create(rewriter, loc, rowReads, weightReads);
  Value bytes = arith::MulIOp::create(rewriter, loc, elementBytes, reads);

  // How it is blocked, for the report: the panel is the packing's
  // (enc-pack-weights, from the same source as the rows).
  std::string config =
      llvm::formatv("block {0}x{1}, chunks >= {2} flops ({3})", rowBlock, panel,
                    m.target.kernels.chunkFlops,
                    m.rowBlock ? StringRef("op knob") : nameOf(m.target.source))
          .str();
  auto forall = scf::ForallOp::create(
      rewriter, loc, ArrayRef<OpFoldResult>{OpFoldResult(chunks)},
      ValueRange{init}, std::nullopt,
      [&](OpBuilder &b, Location l, ValueRange args) {
        Value chunk = args[0], out = args[1];
        KernelInfoOp::create(b, l, m.name, b.getStrArrayAttr(m.ops), flops,
                             bytes, b.getStringAttr(config));
        // Panels [first, last) of this chunk.
        Value first = arith::DivUIOp::create(
            b, l, arith::MulIOp::create(b, l, chunk, panelCount), chunks);
        Value last = arith::DivUIOp::create(
            b, l,
            arith::MulIOp::create(b, l, arith::AddIOp::create(b, l, chunk, c1),
                                  panelCount),
            chunks);
        Value panelSize = indexConstant(b, l, panel);
        Value firstColumn = arith::MulIOp::create(b, l, first, panelSize);
        Value width = arith::MulIOp::create(
            b, l, arith::SubIOp::create(b, l, last, first), panelSize);
        Value block = tensor::ExtractSliceOp::create(
            b, l, out,
            ArrayRef<OpFoldResult>{b.getIndexAttr(0),
                                   OpFoldResult(firstColumn)},
            ArrayRef<OpFoldResult>{OpFoldResult(rows), OpFoldResult(width)},
            ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1)});

        Value lastRow = arith::SubIOp::create(b, l, rows, c1);
        Value rowStep = indexConstant(b, l, rowBlock);
        auto panelLoop = scf::ForOp::create(
            b, l, first, last, c1, ValueRange{block},
            [&](OpBuilder &pb, Location pl, Value j, ValueRange panelArgs) {
              Value panelColumn = arith::MulIOp::create(
                  pb, pl, arith::SubIOp::create(pb, pl, j, first), panelSize);
              Value globalColumn = arith::MulIOp::create(pb, pl, j, panelSize);
              auto rowLoop = scf::ForOp::create(
                  pb, pl, c0, rows, rowStep, ValueRange{panelArgs[0]},
                  [&](OpBuilder &rb, Location rl, Value m0,
                      ValueRange rowArgs) {
                    buildTile(rb, rl, rowBlock, laneCount, m0, lastRow, rows, j,
                              panelColumn, globalColumn, x, weight, bias,
                              residual, activationKind, vectorType,
                              vectorsPerPanel, depth, rowArgs[0]);
                  });
              scf::YieldOp::create(pb, pl, rowLoop.getResults());
            });
        auto inParallel = scf::InParallelOp::create(b, l);
        b.setInsertionPointToStart(inParallel.getBody());
        tensor::ParallelInsertSliceOp::create(
            b, l, panelLoop.getResult(0), out,
            ArrayRef<OpFoldResult>{b.getIndexAttr(0),
                                   OpFoldResult(firstColumn)},
            ArrayRef<OpFoldResult>{OpFoldResult(rows), OpFoldResult(width)},
            ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1)});
      });
  return forall.getResult(0);
}

namespace {

struct PackedLinearLowering : OpConversionPattern<LinearOp> {
  PackedLinearLowering(MLIRContext *ctx, CPUTargetInfo target)
      : OpConversionPattern(ctx, LoweringTarget::kKernelPatternBenefit),
        target(target) {}
  CPUTargetInfo target;

  LogicalResult
  matchAndRewrite(LinearOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!op.hasPackedWeight())
      return rewriter.notifyMatchFailure(op, "weight not packed");
    Location loc = op.getLoc();
    RankedTensorType resultType = op.getType();
    PackedMatmul matmul;
    matmul.input = toMatrix(rewriter, loc, adaptor.getInput());
    matmul.weight = adaptor.getWeight();
    matmul.bias = adaptor.getBias();
    if (adaptor.getResidual())
      matmul.residual = toMatrix(rewriter, loc, adaptor.getResidual());
    matmul.activation = op.getActivation();
    matmul.target = target;
    if (auto knob = op->getAttrOfType<DenseI64ArrayAttr>(kTileSizesAttrName);
        knob && !knob.empty())
      matmul.rowBlock = knob[0];
    matmul.ops.push_back(LinearOp::getOperationName());
    if (matmul.activation)
      matmul.ops.push_back(ActivationOp::getOperationName());
    if (matmul.residual)
      matmul.ops.push_back("residual add");
    FailureOr<Value> built = buildPackedMatmul(rewriter, loc, matmul);
    if (failed(built))
      return failure();
    Value result = *built;
    int64_t columns = resultType.getDimSize(resultType.getRank() - 1);

    int64_t rank = resultType.getRank();
    if (rank == 1) {
      result = tensor::CollapseShapeOp::create(
          rewriter, loc, resultType, result,
          ArrayRef<ReassociationIndices>{{0, 1}});
    } else if (rank > 2) {
      ReassociationIndices leading;
      for (int64_t i = 0; i + 1 < rank; ++i)
        leading.push_back(i);
      SmallVector<OpFoldResult> sizes =
          sizesOf(rewriter, loc, adaptor.getInput());
      sizes.back() = rewriter.getIndexAttr(columns);
      result = tensor::ExpandShapeOp::create(
          rewriter, loc, resultType, result,
          ArrayRef<ReassociationIndices>{leading, {rank - 1}}, sizes);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct PackedPatchEmbedLowering : OpConversionPattern<PatchEmbedOp> {
  PackedPatchEmbedLowering(MLIRContext *ctx, CPUTargetInfo target)
      : OpConversionPattern(ctx, LoweringTarget::kKernelPatternBenefit),
        target(target) {}
  CPUTargetInfo target;

  LogicalResult
  matchAndRewrite(PatchEmbedOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!op.hasPackedWeight())
      return rewriter.notifyMatchFailure(op, "weight not packed");
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value pixels = adaptor.getPixels(), weight = adaptor.getWeight();
    RankedTensorType resultType = op.getType();
    Type elementType = resultType.getElementType();
    int64_t patchH = op.getPatchSize()[0], patchW = op.getPatchSize()[1];
    SmallVector<OpFoldResult> sizes = sizesOf(rewriter, loc, pixels);
    OpFoldResult rowsOfPatches = divideSize(rewriter, loc, sizes[2], patchH);
    OpFoldResult columnsOfPatches = divideSize(rewriter, loc, sizes[3], patchW);
    // im2col, then the packed matmul: columns[b, y, x, c, p, q] =
    // pixels[b, c, y·ph + p, x·pw + q], as [b·y·x, c·p·q] rows against
    // the weight's [dim, c·p·q] panels. The copy is 1/dim of the work.
    auto weightType = cast<RankedTensorType>(weight.getType());
    OpFoldResult dim = rewriter.getIndexAttr(weightType.getDimSize(0) *
                                             weightType.getDimSize(2));
    SmallVector<OpFoldResult> columnSizes = {sizes[0],
                                             rowsOfPatches,
                                             columnsOfPatches,
                                             sizes[1],
                                             rewriter.getIndexAttr(patchH),
                                             rewriter.getIndexAttr(patchW)};
    AffineExpr b, y, x, c, p, q;
    bindDims(ctx, b, y, x, c, p, q);
    Value columns = buildGeneric(
        rewriter, loc, pixels,
        emptyTensor(rewriter, loc, columnSizes, elementType),
        {AffineMap::get(6, 0, {b, c, y * patchH + p, x * patchW + q}, ctx),
         AffineMap::getMultiDimIdentityMap(6, ctx)},
        iterators(6),
        [&](OpBuilder &, Location, ValueRange args) -> SmallVector<Value> {
          return {args[0]};
        })[0];
    PackedMatmul matmul;
    matmul.input = tensor::CollapseShapeOp::create(
        rewriter, loc, columns,
        ArrayRef<ReassociationIndices>{{0, 1, 2}, {3, 4, 5}});
    matmul.weight = weight;
    matmul.bias = adaptor.getBias();
    matmul.name = "patch_embed";
    matmul.target = target;
    matmul.ops.push_back(PatchEmbedOp::getOperationName());
    if (auto knob = op->getAttrOfType<DenseI64ArrayAttr>(kTileSizesAttrName);
        knob && !knob.empty())
      matmul.rowBlock = knob[0];
    FailureOr<Value> rows = buildPackedMatmul(rewriter, loc, matmul);
    if (failed(rows))
      return failure();
    // [b·y·x, dim] -> [b, y·x, dim].
    OpFoldResult numPatches =
        multiplySizes(rewriter, loc, rowsOfPatches, columnsOfPatches);
    SmallVector<OpFoldResult> patchSizes = {sizes[0], numPatches, dim};
    Value patches = tensor::ExpandShapeOp::create(
        rewriter, loc, tensorTypeOf(patchSizes, elementType), *rows,
        ArrayRef<ReassociationIndices>{{0, 1}, {2}}, patchSizes);
    rewriter.replaceOp(op, prependClassToken(rewriter, loc, patches,
                                             adaptor.getClassToken(), sizes[0],
                                             dim, resultType));
    return success();
  }
};

} // namespace

void mlir::enc::lowering::populatePackedMatmulPatterns(
    RewritePatternSet &patterns, CPUTargetInfo target) {
  patterns.add<PackedLinearLowering, PackedPatchEmbedLowering>(
      patterns.getContext(), target);
}
