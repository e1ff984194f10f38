//===- Embeddings.cpp - enc.embedding to linalg -----------------------------===//
//
// A gather: one linalg.generic over [indices..., dim] whose body extracts
// table[id, d]. Ids are clamped into the table, so a bad id that the
// runtime's range check did not see (an id computed in the graph) reads a
// valid row instead of memory outside the table.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

#include "Enc/IR/EncOps.h"
#include "encoder/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace mlir::enc;
using namespace mlir::enc::lowering;

namespace {

struct EmbeddingLowering : OpConversionPattern<EmbeddingOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(EmbeddingOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value indices = adaptor.getIndices();
    Value table = adaptor.getTable();
    unsigned indexRank = cast<RankedTensorType>(indices.getType()).getRank();
    unsigned rank = indexRank + 1;

    SmallVector<OpFoldResult> sizes = sizesOf(rewriter, loc, indices);
    sizes.push_back(sizesOf(rewriter, loc, table)[1]);
    Value numRows = tensor::DimOp::create(rewriter, loc, table, 0);
    Type elementType = op.getType().getElementType();

    Value result = buildGeneric(
        rewriter, loc, indices, emptyTensor(rewriter, loc, sizes, elementType),
        {leadingDims(ctx, rank, indexRank),
         AffineMap::getMultiDimIdentityMap(rank, ctx)},
        iterators(rank),
        [&](OpBuilder &b, Location l, ValueRange args) -> SmallVector<Value> {
          Value row = clampedIndex(b, l, args[0], numRows);
          Value column = linalg::IndexOp::create(b, l, indexRank);
          return {tensor::ExtractOp::create(b, l, table,
                                            ValueRange{row, column})};
        })[0];
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void mlir::enc::populateEmbeddingsToLinalgPatterns(
    RewritePatternSet &patterns) {
  patterns.add<EmbeddingLowering>(patterns.getContext());
}
