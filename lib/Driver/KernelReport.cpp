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

std::string escaped(llvm::StringRef text) {
  std::string out;
  for (char c : text) {
    switch (c) {
    case '&': out += "&amp;"; break;
    case '<': out += "&lt;"; break;
    case '>': out += "&gt;"; break;
    case '"': out += "&quot;"; break;
    default: out += c;
    }
  }
  return out;
}

/// The report as a page: an SVG of the graph before and after fusion (each
/// kernel, in launch order, with the ops it fused on its left, its box as
/// wide as its roofline estimate and coloured by its bound), then the
/// table of the Markdown report.
void writeHtml(llvm::raw_ostream &os, const std::vector<KernelEstimate> &kernels,
               const RooflineMachine &machine) {
  constexpr int rowHeight = 26, opWidth = 190, gap = 60, maxBar = 360;
  double longest = 0;
  size_t rows = 0;
  for (const KernelEstimate &k : kernels) {
    longest = std::max(longest, k.microseconds);
    rows += std::max<size_t>(k.ops.size(), 1);
  }
  int height = int(rows) * rowHeight + 40;
  os << "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
     << "<title>Kernels</title><style>body{font-family:sans-serif}"
     << "table{border-collapse:collapse}td,th{border:1px solid #ccc;"
     << "padding:2px 6px;font-size:13px}text{font-size:12px}</style>"
     << "</head><body>\n<h1>Kernels</h1>\n<p>Roofline machine: "
     << llvm::format("%.1f", machine.peakGflops) << " GFLOP/s peak, "
     << llvm::format("%.1f", machine.bandwidthGBps)
     << " GB/s. Left: the ops before fusion; right: the kernel that runs "
        "them, as wide as its estimated time (blue: compute bound, orange: "
        "memory bound, grey: sizes known only at run time).</p>\n";
  os << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\""
     << opWidth + gap + maxBar + 260 << "\" height=\"" << height << "\">\n"
     << "<text x=\"0\" y=\"14\">before fusion</text><text x=\""
     << opWidth + gap << "\" y=\"14\">after fusion</text>\n";
  int y = 24;
  for (const KernelEstimate &k : kernels) {
    size_t n = std::max<size_t>(k.ops.size(), 1);
    int kernelY = y + int(n) * rowHeight / 2 - rowHeight / 2;
    int width = longest > 0 && k.microseconds > 0
                    ? std::max(4, int(maxBar * k.microseconds / longest))
                    : 40;
    const char *colour = k.flops < 0 || k.bytes <= 0 ? "#bbb"
                         : llvm::StringRef(k.bound) == "compute" ? "#6a9fd8"
                                                                  : "#f0a04b";
    for (size_t i = 0; i < k.ops.size(); ++i) {
      int opY = y + int(i) * rowHeight;
      os << "<rect x=\"0\" y=\"" << opY << "\" width=\"" << opWidth - 10
         << "\" height=\"" << rowHeight - 6
         << "\" fill=\"#eee\" stroke=\"#999\"/><text x=\"4\" y=\""
         << opY + 14 << "\">" << escaped(k.ops[i]) << "</text>"
         << "<line x1=\"" << opWidth - 10 << "\" y1=\"" << opY + 10
         << "\" x2=\"" << opWidth + gap << "\" y2=\"" << kernelY + 10
         << "\" stroke=\"#999\"/>\n";
    }
    os << "<rect x=\"" << opWidth + gap << "\" y=\"" << kernelY
       << "\" width=\"" << width << "\" height=\"" << rowHeight - 6
       << "\" fill=\"" << colour << "\"><title>" << escaped(k.name) << ": "
       << number(k.flops) << " FLOPs, " << number(k.bytes) << " bytes</title>"
       << "</rect><text x=\"" << opWidth + gap + width + 6 << "\" y=\""
       << kernelY + 14 << "\">" << escaped(k.name);
    if (k.microseconds > 0)
      os << " (" << llvm::format("%.2f", k.microseconds) << " µs)";
    os << "</text>\n";
    y += int(n) * rowHeight;
  }
  os << "</svg>\n<table><tr><th>#</th><th>kernel</th><th>fused ops</th>"
     << "<th>FLOPs</th><th>bytes</th><th>FLOP/byte</th><th>bound</th>"
     << "<th>attainable GFLOP/s</th><th>estimated µs</th></tr>\n";
  for (auto [i, k] : llvm::enumerate(kernels)) {
    os << "<tr><td>" << i << "</td><td>" << escaped(k.name) << "</td><td>"
       << escaped(joined(k.ops)) << "</td><td>" << number(k.flops)
       << "</td><td>" << number(k.bytes) << "</td>";
    if (k.flops >= 0 && k.bytes > 0)
      os << "<td>" << llvm::format("%.2f", k.intensity) << "</td><td>"
         << k.bound << "</td><td>" << llvm::format("%.1f", k.attainableGflops)
         << "</td><td>" << llvm::format("%.2f", k.microseconds) << "</td>";
    else
      os << "<td>-</td><td>-</td><td>-</td><td>-</td>";
    os << "</tr>\n";
  }
  os << "</table>\n</body></html>\n";
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
  if (path.ends_with(".html")) {
    writeHtml(os, kernels, machine);
  } else if (path.ends_with(".json")) {
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
