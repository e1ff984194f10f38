//===- KernelReport.cpp - encoder-compile --report --------------------------===//
//
// Reads the kernels from the artifact metadata the pipeline wrote (the same
// numbers the runtime's profiler prints beside its times), so the report
// and the artifact cannot disagree.
//
//===----------------------------------------------------------------------===//

#include "encoder/Driver/KernelReport.h"

#include "encoder/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/ToolOutputFile.h"

#include <algorithm>

using namespace mlir;
using namespace mlir::enc;

namespace {

struct KernelEstimate {
  std::string name, function;
  std::vector<std::string> ops;
  int64_t flops = -1, bytes = -1;
  /// Roofline: FLOP per byte, attainable GFLOP/s, time, and the bound.
  double intensity = 0, attainableGflops = 0, microseconds = 0;
  const char *bound = "unknown";
};

KernelEstimate estimate(const llvm::json::Object &kernel,
                        const RooflineMachine &machine) {
  KernelEstimate e;
  e.name = kernel.getString("name").value_or("").str();
  e.function = kernel.getString("function").value_or("").str();
  if (const llvm::json::Array *ops = kernel.getArray("ops"))
    for (const llvm::json::Value &op : *ops)
      e.ops.push_back(op.getAsString().value_or("").str());
  e.flops = kernel.getInteger("flops").value_or(-1);
  e.bytes = kernel.getInteger("bytes").value_or(-1);
  if (e.flops < 0 || e.bytes <= 0)
    return e;
  e.intensity = double(e.flops) / double(e.bytes);
  e.attainableGflops =
      std::min(machine.peakGflops, e.intensity * machine.bandwidthGBps);
  double computeUs = e.flops / (machine.peakGflops * 1e3);
  double memoryUs = e.bytes / (machine.bandwidthGBps * 1e3);
  e.microseconds = std::max(computeUs, memoryUs);
  e.bound = computeUs >= memoryUs ? "compute" : "memory";
  return e;
}

std::string joined(const std::vector<std::string> &items) {
  std::string s;
  for (const std::string &item : items)
    s += (s.empty() ? "" : ", ") + item;
  return s;
}

std::string number(int64_t n) {
  return n < 0 ? std::string("dynamic") : std::to_string(n);
}

} // namespace

LogicalResult mlir::enc::specializeDims(ModuleOp module,
                                        ArrayRef<std::string> assignments,
                                        std::string &error) {
  llvm::StringMap<int64_t> sizes;
  for (const std::string &assignment : assignments) {
    auto [name, value] = StringRef(assignment).split('=');
    int64_t size;
    if (name.empty() || value.getAsInteger(10, size) || size <= 0) {
      error = "--report-dims takes NAME=SIZE with a positive size, got '" +
              assignment + "'";
      return failure();
    }
    sizes[name] = size;
  }
  llvm::StringSet<> used;
  for (auto func : module.getOps<func::FuncOp>()) {
    if (!func.isPublic() || func.isExternal())
      continue;
    Block &entry = func.getBody().front();
    SmallVector<Type> inputs(func.getArgumentTypes());
    for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i) {
      auto names = func.getArgAttrOfType<ArrayAttr>(i, kDimNamesAttrName);
      auto type = dyn_cast<RankedTensorType>(inputs[i]);
      if (!names || !type || names.size() != size_t(type.getRank()))
        continue;
      SmallVector<int64_t> shape(type.getShape());
      for (auto [d, nameAttr] : llvm::enumerate(names)) {
        StringRef name = cast<StringAttr>(nameAttr).getValue();
        auto it = sizes.find(name);
        if (it == sizes.end() || !ShapedType::isDynamic(shape[d]))
          continue;
        shape[d] = it->second;
        used.insert(name);
      }
      auto specialized = type.clone(shape);
      if (specialized == type)
        continue;
      // The body keeps its types; a cast from the specialized argument lets
      // the lowered ops see the static sizes.
      BlockArgument arg = entry.getArgument(i);
      arg.setType(specialized);
      OpBuilder b = OpBuilder::atBlockBegin(&entry);
      auto cast = tensor::CastOp::create(b, func.getLoc(), type, arg);
      arg.replaceAllUsesExcept(cast.getResult(), cast);
      inputs[i] = specialized;
    }
    func.setFunctionType(
        FunctionType::get(module.getContext(), inputs, func.getResultTypes()));
  }
  for (const auto &entry : sizes)
    if (!used.contains(entry.getKey())) {
      error = "--report-dims: no input has a dynamic dimension named '" +
              entry.getKey().str() + "'";
      return failure();
    }
  return success();
}

LogicalResult mlir::enc::writeKernelReport(ModuleOp module,
                                           llvm::StringRef path,
                                           const RooflineMachine &machine,
                                           std::string &error) {
  auto global = module.lookupSymbol<LLVM::GlobalOp>(kMetadataSymbol);
  auto text = global ? dyn_cast_or_null<StringAttr>(global.getValueOrNull())
                     : StringAttr();
  if (!text) {
    error = "the module has no artifact metadata to report on";
    return failure();
  }
  llvm::Expected<llvm::json::Value> metadata =
      llvm::json::parse(text.getValue().rtrim('\0'));
  if (!metadata) {
    error = "malformed artifact metadata: " + llvm::toString(metadata.takeError());
    return failure();
  }
  std::vector<KernelEstimate> kernels;
  if (const llvm::json::Array *list =
          metadata->getAsObject()->getArray("kernels"))
    for (const llvm::json::Value &kernel : *list)
      kernels.push_back(estimate(*kernel.getAsObject(), machine));

  auto output = openOutputFile(path, &error);
  if (!output)
    return failure();
  llvm::raw_ostream &os = output->os();
  if (path.ends_with(".json")) {
    llvm::json::Array list;
    for (const KernelEstimate &k : kernels) {
      llvm::json::Array ops;
      for (const std::string &op : k.ops)
        ops.push_back(op);
      llvm::json::Object object{{"name", k.name},
                                {"function", k.function},
                                {"ops", std::move(ops)},
                                {"flops", k.flops},
                                {"bytes", k.bytes},
                                {"bound", k.bound}};
      if (k.flops >= 0 && k.bytes > 0) {
        object["intensity"] = k.intensity;
        object["attainable_gflops"] = k.attainableGflops;
        object["estimated_us"] = k.microseconds;
      }
      list.push_back(std::move(object));
    }
    os << llvm::formatv(
        "{0:2}\n",
        llvm::json::Value(llvm::json::Object{
            {"machine",
             llvm::json::Object{{"peak_gflops", machine.peakGflops},
                                {"bandwidth_gbps", machine.bandwidthGBps}}},
            {"kernels", std::move(list)}}));
  } else {
    os << "# Kernels\n\n"
       << "Roofline machine: " << llvm::format("%.1f", machine.peakGflops)
       << " GFLOP/s peak, " << llvm::format("%.1f", machine.bandwidthGBps)
       << " GB/s memory bandwidth. FLOPs and bytes are those of one launch; "
          "`dynamic` when they depend on sizes known only at run time "
          "(`encoder-run --profile` measures them).\n\n"
       << "| # | kernel | fused ops | FLOPs | bytes | FLOP/byte | bound | "
          "attainable GFLOP/s | estimated µs |\n"
       << "|---|---|---|---|---|---|---|---|---|\n";
    for (auto [i, k] : llvm::enumerate(kernels)) {
      os << "| " << i << " | " << k.name << " | " << joined(k.ops) << " | "
         << number(k.flops) << " | " << number(k.bytes) << " | ";
      if (k.flops >= 0 && k.bytes > 0)
        os << llvm::format("%.2f", k.intensity) << " | " << k.bound << " | "
           << llvm::format("%.1f", k.attainableGflops) << " | "
           << llvm::format("%.2f", k.microseconds) << " |\n";
      else
        os << "- | - | - | - |\n";
    }
  }
  output->keep();
  return success();
}
