//===- ConvPoolOps.cpp - ONNX convolutions and pools ----------------------===//
//
// Conv, MaxPool and AveragePool, 1-D (as 2-D over a unit height) and 2-D, as
// linalg's NCHW named ops on a tensor.pad'ded input: the window's geometry
// (auto_pad, ceil_mode) computed once for all three; grouped convolutions in
// linalg's [F/G, G, C/G] filter layout.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <limits>

using namespace mlir;
using namespace mlir::enc;
using namespace mlir::enc::onnx_import;

namespace {

/// Window geometry of a conv or pool over `spatial` dimensions.
struct Window {
  SmallVector<int64_t> kernel, strides, dilations;
  Sizes padBegin, padEnd;
  /// padEnd before ceil_mode's extra padding.
  Sizes declaredEnd;
  Sizes outSizes;
};

FailureOr<Window> window(Importer &im, ArrayRef<OpFoldResult> inSizes,
                         ArrayRef<int64_t> kernel, bool ceilMode) {
  int64_t spatial = kernel.size();
  Window w;
  w.kernel.assign(kernel.begin(), kernel.end());
  w.strides = im.attrInts("strides").value_or(SmallVector<int64_t>(spatial, 1));
  w.dilations =
      im.attrInts("dilations").value_or(SmallVector<int64_t>(spatial, 1));
  SmallVector<int64_t> pads =
      im.attrInts("pads").value_or(SmallVector<int64_t>(2 * spatial, 0));
  if (static_cast<int64_t>(w.strides.size()) != spatial ||
      static_cast<int64_t>(w.dilations.size()) != spatial ||
      static_cast<int64_t>(pads.size()) != 2 * spatial) {
    (void)im.fail("strides, dilations and pads do not match the " +
                  Twine(spatial) + " spatial dimensions");
    return failure();
  }
  std::string autoPad = im.attrString("auto_pad", "NOTSET");
  for (int64_t i = 0; i < spatial; ++i) {
    if (w.strides[i] <= 0 || w.dilations[i] <= 0 || w.kernel[i] <= 0) {
      (void)im.fail("kernel sizes, strides and dilations must be positive");
      return failure();
    }
    OpFoldResult in = inSizes[i];
    int64_t extent = w.dilations[i] * (w.kernel[i] - 1) + 1;
    OpFoldResult begin = im.index(pads[i]), end = im.index(pads[i + spatial]);
    if (autoPad == "VALID") {
      begin = end = im.index(0);
    } else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
      OpFoldResult out = im.ceilDiv(in, im.index(w.strides[i]));
      OpFoldResult total = im.max(im.sub(im.add(im.mul(im.sub(out, im.index(1)),
                                                       im.index(w.strides[i])),
                                                im.index(extent)),
                                         in),
                                  im.index(0));
      OpFoldResult half = im.divSigned(total, im.index(2));
      OpFoldResult rest = im.sub(total, half);
      begin = autoPad == "SAME_UPPER" ? half : rest;
      end = autoPad == "SAME_UPPER" ? rest : half;
    } else if (autoPad != "NOTSET") {
      (void)im.fail("auto_pad '" + autoPad +
                    "' is not one of NOTSET, VALID, "
                    "SAME_UPPER, SAME_LOWER");
      return failure();
    }
    w.declaredEnd.push_back(end);
    OpFoldResult span =
        im.sub(im.add(im.add(in, begin), end), im.index(extent));
    OpFoldResult out;
    if (ceilMode) {
      std::optional<int64_t> s = getConstantIntValue(span),
                             b = getConstantIntValue(begin),
                             n = getConstantIntValue(in);
      if (!s || !b || !n) {
        (void)im.fail("ceil_mode needs spatial sizes known when compiling");
        return failure();
      }
      int64_t o = (*s + w.strides[i] - 1) / w.strides[i] + 1;
      // The last window must start inside the input or its begin padding.
      if ((o - 1) * w.strides[i] >= *n + *b)
        --o;
      out = im.index(o);
      int64_t needed = (o - 1) * w.strides[i] + extent;
      int64_t have = *n + *b + *getConstantIntValue(end);
      if (needed > have)
        end = im.index(*getConstantIntValue(end) + needed - have);
    } else {
      out = im.add(im.divSigned(span, im.index(w.strides[i])), im.index(1));
    }
    if (std::optional<int64_t> o = getConstantIntValue(out); o && *o <= 0) {
      (void)im.fail("the window does not fit the input: output size " +
                    Twine(*o));
      return failure();
    }
    w.padBegin.push_back(begin);
    w.padEnd.push_back(end);
    w.outSizes.push_back(out);
  }
  return w;
}

/// `x` ([N, C, spatial...]) padded with `value` as the window says.
Value pad(Importer &im, Value x, const Window &w, double value) {
  bool any = false;
  for (size_t i = 0; i < w.padBegin.size(); ++i)
    any |= getConstantIntValue(w.padBegin[i]) != 0 ||
           getConstantIntValue(w.padEnd[i]) != 0;
  if (!any)
    return x;
  Sizes shape = im.sizes(x);
  Sizes low{im.index(0), im.index(0)}, high{im.index(0), im.index(0)};
  llvm::append_range(low, w.padBegin);
  llvm::append_range(high, w.padEnd);
  Sizes result;
  for (size_t i = 0; i < shape.size(); ++i)
    result.push_back(im.add(im.add(shape[i], low[i]), high[i]));
  Value padValue = im.scalarConstant(getElementTypeOrSelf(x), value);
  auto type = Importer::typeFor(result, getElementTypeOrSelf(x));
  Value padded = tensor::PadOp::create(im.builder(), im.loc(), type, x, low,
                                       high, padValue);
  return im.withSizes(padded, result);
}

LogicalResult convertConv(Importer &im) {
  FailureOr<Value> input = im.input(0), filter = im.input(1);
  if (failed(input) || failed(filter))
    return failure();
  Value x = *input, wt = *filter;
  if (!isFloat(x))
    return im.fail("needs a float input");
  int64_t rank = im.sizes(x).size();
  if (rank != 3 && rank != 4)
    return im.fail("1-D and 2-D convolutions are supported; this one has " +
                   Twine(rank - 2) + " spatial dimensions");
  if (im.sizes(wt).size() != static_cast<size_t>(rank))
    return im.fail("the weight has rank " + Twine(im.sizes(wt).size()) +
                   "; the input's is " + Twine(rank));
  if (im.hasInput(2) && im.inputRank(2) != 1)
    return im.fail("the bias must be a vector");
  bool oneD = rank == 3;
  if (oneD) {
    // A 1-D convolution is a 2-D one over a unit height.
    x = im.insertUnitDims(x, {2});
    wt = im.insertUnitDims(wt, {2});
  }
  Sizes xs = im.sizes(x), ws = im.sizes(wt);
  SmallVector<int64_t> kernel;
  for (int i = 2; i < 4; ++i) {
    std::optional<int64_t> k = getConstantIntValue(ws[i]);
    if (!k)
      return im.fail("the kernel's size must be known when compiling");
    kernel.push_back(*k);
  }
  if (std::optional<SmallVector<int64_t>> shape = im.attrInts("kernel_shape")) {
    SmallVector<int64_t> expected(oneD ? SmallVector<int64_t>{1}
                                       : SmallVector<int64_t>{});
    expected.append(*shape);
    if (expected != kernel)
      return im.fail("kernel_shape does not match the weight");
  }
  // Attributes are per ONNX spatial dimension: give the unit height its own.
  Window w;
  {
    SmallVector<int64_t> k2 = kernel;
    FailureOr<Window> got = failure();
    if (oneD) {
      FailureOr<Window> one = window(im, {xs[3]}, {kernel[1]}, false);
      if (failed(one))
        return failure();
      w.kernel = {1, one->kernel[0]};
      w.strides = {1, one->strides[0]};
      w.dilations = {1, one->dilations[0]};
      w.padBegin = {im.index(0), one->padBegin[0]};
      w.padEnd = {im.index(0), one->padEnd[0]};
      w.declaredEnd = w.padEnd;
      w.outSizes = {im.index(1), one->outSizes[0]};
    } else {
      got = window(im, {xs[2], xs[3]}, k2, false);
      if (failed(got))
        return failure();
      w = *got;
    }
  }
  int64_t group = im.attrInt("group", 1);
  std::optional<int64_t> channels = getConstantIntValue(xs[1]),
                         features = getConstantIntValue(ws[0]),
                         perGroup = getConstantIntValue(ws[1]);
  if (group <= 0 || !channels || !features || !perGroup ||
      *channels != *perGroup * group || *features % group != 0)
    return im.fail("input channels, weight shape and group (" + Twine(group) +
                   ") do not agree");
  Value padded = pad(im, x, w, 0.0);
  Type element = getElementTypeOrSelf(x);
  OpBuilder &b = im.builder();
  auto strides = b.getI64TensorAttr(w.strides);
  auto dilations = b.getI64TensorAttr(w.dilations);
  Sizes out{xs[0], ws[0], w.outSizes[0], w.outSizes[1]};
  Value result;
  if (group == 1) {
    Value init = im.fill(out, im.scalarConstant(element, 0));
    result = linalg::Conv2DNchwFchwOp::create(b, im.loc(), init.getType(),
                                              ValueRange{padded, wt}, init,
                                              strides, dilations)
                 .getResult(0);
  } else {
    Sizes ps = im.sizes(padded);
    Value xg = im.reshape(padded, {ps[0], im.index(group),
                                   im.index(*channels / group), ps[2], ps[3]});
    // Weights are [M, C/G, kh, kw] with M group-major; the op reads
    // [M/G, G, C/G, kh, kw].
    Value grouped =
        im.reshape(wt, {im.index(group), im.index(*features / group), ws[1],
                        ws[2], ws[3]});
    Sizes wgSizes{im.index(*features / group), im.index(group), ws[1], ws[2],
                  ws[3]};
    Value wgInit = im.empty(wgSizes, element);
    Value wg = im.withSizes(
        linalg::TransposeOp::create(b, im.loc(), grouped, wgInit,
                                    ArrayRef<int64_t>{1, 0, 2, 3, 4})
            .getResult()[0],
        wgSizes);
    Sizes outG{xs[0], im.index(group), im.index(*features / group),
               w.outSizes[0], w.outSizes[1]};
    Value init = im.fill(outG, im.scalarConstant(element, 0));
    Value conv = linalg::Conv2DNgchwFgchwOp::create(b, im.loc(), init.getType(),
                                                    ValueRange{xg, wg}, init,
                                                    strides, dilations)
                     .getResult(0);
    im.withSizes(conv, outG);
    result = im.reshape(conv, out);
  }
  im.withSizes(result, out);
  if (im.hasInput(2)) {
    FailureOr<Value> bias = im.input(2);
    if (failed(bias))
      return failure();
    Value full = im.broadcastTo(im.channelVector(*bias, 4), out);
    result =
        im.withSizes(arith::AddFOp::create(b, im.loc(), result, full), out);
  }
  if (oneD)
    result = im.dropUnitDims(result, {2});
  im.setOutput(0, result);
  return success();
}

LogicalResult pool(Importer &im, bool isMax) {
  if (isMax && im.wantsOutput(1))
    return im.fail("the Indices output is not supported");
  FailureOr<Value> input = im.input(0);
  if (failed(input))
    return failure();
  Value x = *input;
  Type original = getElementTypeOrSelf(x);
  bool isUnsigned = im.isUnsigned(0);
  if (!isFloat(x)) {
    // Integer max pooling in i32 (whose minimum pads), back after.
    if (!isMax || original.getIntOrFloatBitWidth() > 32)
      return im.fail("needs a float input (or an integer of 32 bits or "
                     "fewer for MaxPool)");
    x = im.convertElements(x, im.builder().getI32Type(), isUnsigned);
  }
  int64_t rank = im.sizes(x).size();
  if (rank != 3 && rank != 4)
    return im.fail("1-D and 2-D pooling is supported; this one has " +
                   Twine(rank - 2) + " spatial dimensions");
  std::optional<SmallVector<int64_t>> kernelAttr = im.attrInts("kernel_shape");
  if (!kernelAttr || static_cast<int64_t>(kernelAttr->size()) != rank - 2)
    return im.fail("needs kernel_shape with one size per spatial dimension");
  bool oneD = rank == 3;
  bool ceilMode = im.attrInt("ceil_mode", 0) != 0;
  Sizes xs = im.sizes(x);
  FailureOr<Window> got =
      window(im, Sizes(xs.begin() + 2, xs.end()), *kernelAttr, ceilMode);
  if (failed(got))
    return failure();
  Window w = *got;
  if (oneD) {
    x = im.insertUnitDims(x, {2});
    xs = im.sizes(x);
    w.kernel.insert(w.kernel.begin(), 1);
    w.strides.insert(w.strides.begin(), 1);
    w.dilations.insert(w.dilations.begin(), 1);
    w.padBegin.insert(w.padBegin.begin(), im.index(0));
    w.padEnd.insert(w.padEnd.begin(), im.index(0));
    w.declaredEnd.insert(w.declaredEnd.begin(), im.index(0));
    w.outSizes.insert(w.outSizes.begin(), im.index(1));
  }
  Type element = getElementTypeOrSelf(x);
  OpBuilder &b = im.builder();
  auto strides = b.getI64TensorAttr(w.strides);
  auto dilations = b.getI64TensorAttr(w.dilations);
  Sizes out{xs[0], xs[1], w.outSizes[0], w.outSizes[1]};
  Value windowShape =
      im.empty({im.index(w.kernel[0]), im.index(w.kernel[1])}, element);
  Value result;
  double lowest = isa<FloatType>(element)
                      ? -std::numeric_limits<double>::infinity()
                      : static_cast<double>(INT32_MIN);
  if (isMax) {
    Value padded = pad(im, x, w, lowest);
    Value init = im.fill(out, im.scalarConstant(element, lowest));
    result = linalg::PoolingNchwMaxOp::create(b, im.loc(), init.getType(),
                                              ValueRange{padded, windowShape},
                                              init, strides, dilations)
                 .getResult(0);
  } else {
    auto sumPool = [&](Value source, double padValue) {
      Value padded = pad(im, source, w, padValue);
      Value init = im.fill(out, im.scalarConstant(element, 0));
      return linalg::PoolingNchwSumOp::create(b, im.loc(), init.getType(),
                                              ValueRange{padded, windowShape},
                                              init, strides, dilations)
          .getResult(0);
    };
    Value sum = sumPool(x, 0.0);
    bool includePad = im.attrInt("count_include_pad", 0) != 0;
    Value divisor;
    if (includePad && !ceilMode) {
      divisor =
          im.fill(out, im.scalarConstant(element, w.kernel[0] * w.kernel[1]));
    } else {
      // Count the elements each window covers: the input's, and with
      // count_include_pad the declared padding's (not ceil_mode's extra).
      Value ones = im.splatLike(x, 1.0);
      if (includePad) {
        // The declared padding counts; ceil_mode's extra does not.
        Window declared = w;
        declared.padEnd = w.declaredEnd;
        ones = pad(im, ones, declared, 1.0);
        Window extra = w;
        for (size_t i = 0; i < w.padEnd.size(); ++i) {
          extra.padBegin[i] = im.index(0);
          extra.padEnd[i] = im.sub(w.padEnd[i], w.declaredEnd[i]);
        }
        ones = pad(im, ones, extra, 0.0);
        Value init = im.fill(out, im.scalarConstant(element, 0));
        divisor = linalg::PoolingNchwSumOp::create(
                      b, im.loc(), init.getType(),
                      ValueRange{ones, windowShape}, init, strides, dilations)
                      .getResult(0);
      }
      if (!divisor)
        divisor = sumPool(ones, 0.0);
    }
    result = arith::DivFOp::create(b, im.loc(), sum, divisor);
  }
  im.withSizes(result, out);
  if (oneD)
    result = im.dropUnitDims(result, {2});
  if (getElementTypeOrSelf(result) != original)
    result = im.convertElements(result, original, false, isUnsigned);
  im.setOutput(0, result);
  return success();
}

LogicalResult convertMaxPool(Importer &im) {
  if (im.attrInt("storage_order", 0) != 0)
    return im.fail("storage_order 1 is not supported");
  return pool(im, true);
}
LogicalResult convertAveragePool(Importer &im) { return pool(im, false); }

} // namespace

void mlir::enc::onnx_import::registerConvPoolOps(
    llvm::StringMap<Converter> &table) {
  table["Conv"] = convertConv;
  table["MaxPool"] = convertMaxPool;
  table["AveragePool"] = convertAveragePool;
}
