//===- KernelReport.cpp - encoder-compile --report
//--------------------------===//
//
// Reads the kernels from the artifact metadata the pipeline wrote (the same
// names and numbers the runtime's profiler prints beside its times), so the
// report and the artifact cannot disagree. Costs that depend on dynamic
// sizes are recorded as formulas in the inputs' dimensions and evaluated
// at --report-dims: the report describes the artifact itself, not a copy
// compiled at other sizes (whose loops fold differently).
//
//===----------------------------------------------------------------------===//

#include "encoder/Driver/KernelReport.h"

#include "Enc/IR/EncAttributeNames.h"
#include "encoder/ABI/ArtifactABI.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/AffineExpr.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/ToolOutputFile.h"

#include <algorithm>

using namespace mlir;
using namespace mlir::enc;

namespace {

struct KernelEstimate {
  std::string name, function;
  /// How it is blocked and where that came from (model, record, knob).
  std::string config;
  std::vector<std::string> ops;
  bool launched = true; // false: straight-line code on the calling thread
  int64_t flops = -1, bytes = -1;
  /// Roofline: FLOP per byte, attainable GFLOP/s, time, and the bound.
  double intensity = 0, attainableGflops = 0, microseconds = 0;
  const char *bound = "unknown";
};

/// Sizes given with --report-dims, by dimension name.
using DimSizes = llvm::StringMap<int64_t>;

/// A cost formula of the metadata (s0, s1, ... standing for the names in
/// `formula_symbols`) at the given sizes, or -1 when one is missing.
int64_t evaluate(MLIRContext *ctx, const llvm::json::Object &kernel,
                 StringRef key, const DimSizes &sizes) {
  std::optional<StringRef> formula = kernel.getString(key);
  const llvm::json::Array *symbols = kernel.getArray("formula_symbols");
  if (!formula || !symbols)
    return -1;
  SmallVector<AffineExpr> values;
  std::string symbolList;
  for (auto [i, symbol] : llvm::enumerate(*symbols)) {
    auto it = sizes.find(symbol.getAsString().value_or(""));
    if (it == sizes.end())
      return -1;
    values.push_back(getAffineConstantExpr(it->second, ctx));
    symbolList += (i ? ", s" : "s") + std::to_string(i);
  }
  auto map = llvm::dyn_cast_or_null<AffineMapAttr>(parseAttribute(
      ("affine_map<()[" + symbolList + "] -> (" + *formula + ")>").str(), ctx));
  if (!map || map.getValue().getNumResults() != 1)
    return -1;
  AffineExpr value = simplifyAffineExpr(
      map.getValue().getResult(0).replaceSymbols(values), 0, 0);
  auto constant = dyn_cast<AffineConstantExpr>(value);
  return constant ? constant.getValue() : -1;
}

KernelEstimate estimate(MLIRContext *ctx, const llvm::json::Object &kernel,
                        bool launched, const DimSizes &sizes,
                        const RooflineMachine &machine) {
  KernelEstimate e;
  e.name = kernel.getString("name").value_or("").str();
  e.function = kernel.getString("function").value_or("").str();
  e.config = kernel.getString("config").value_or("").str();
  e.launched = launched;
  if (const llvm::json::Array *ops = kernel.getArray("ops"))
    for (const llvm::json::Value &op : *ops)
      e.ops.push_back(op.getAsString().value_or("").str());
  e.flops = kernel.getInteger("flops").value_or(-1);
  e.bytes = kernel.getInteger("bytes").value_or(-1);
  if (e.flops < 0)
    e.flops = evaluate(ctx, kernel, "flops_formula", sizes);
  if (e.bytes < 0)
    e.bytes = evaluate(ctx, kernel, "bytes_formula", sizes);
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

llvm::json::Object dimsJson(const DimSizes &sizes) {
  llvm::json::Object object;
  for (const auto &entry : sizes)
    object[entry.getKey()] = entry.getValue();
  return object;
}

/// "batch=1, sequence=128", sorted by name.
std::string dimsText(const DimSizes &sizes) {
  std::vector<std::string> parts;
  for (const auto &entry : sizes)
    parts.push_back(entry.getKey().str() + "=" +
                    std::to_string(entry.getValue()));
  std::sort(parts.begin(), parts.end());
  std::string text;
  for (const std::string &part : parts)
    text += (text.empty() ? "" : ", ") + part;
  return text;
}

std::string escaped(llvm::StringRef text) {
  std::string out;
  for (char c : text) {
    switch (c) {
    case '&':
      out += "&amp;";
      break;
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    case '"':
      out += "&quot;";
      break;
    default:
      out += c;
    }
  }
  return out;
}

/// The report as a page: an SVG of the graph before and after fusion (each
/// kernel, in launch order, with the ops it fused on its left, its box as
/// wide as its roofline estimate and coloured by its bound), then the
/// table of the Markdown report.
void writeHtml(llvm::raw_ostream &os,
               const std::vector<KernelEstimate> &kernels,
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
     << "<text x=\"0\" y=\"14\">before fusion</text><text x=\"" << opWidth + gap
     << "\" y=\"14\">after fusion</text>\n";
  int y = 24;
  for (const KernelEstimate &k : kernels) {
    size_t n = std::max<size_t>(k.ops.size(), 1);
    int kernelY = y + int(n) * rowHeight / 2 - rowHeight / 2;
    int width = longest > 0 && k.microseconds > 0
                    ? std::max(4, int(maxBar * k.microseconds / longest))
                    : 40;
    const char *colour = k.flops < 0 || k.bytes <= 0             ? "#bbb"
                         : llvm::StringRef(k.bound) == "compute" ? "#6a9fd8"
                                                                 : "#f0a04b";
    for (size_t i = 0; i < k.ops.size(); ++i) {
      int opY = y + int(i) * rowHeight;
      os << "<rect x=\"0\" y=\"" << opY << "\" width=\"" << opWidth - 10
         << "\" height=\"" << rowHeight - 6
         << "\" fill=\"#eee\" stroke=\"#999\"/><text x=\"4\" y=\"" << opY + 14
         << "\">" << escaped(k.ops[i]) << "</text>"
         << "<line x1=\"" << opWidth - 10 << "\" y1=\"" << opY + 10
         << "\" x2=\"" << opWidth + gap << "\" y2=\"" << kernelY + 10
         << "\" stroke=\"#999\"/>\n";
    }
    os << "<rect x=\"" << opWidth + gap << "\" y=\"" << kernelY << "\" width=\""
       << width << "\" height=\"" << rowHeight - 6 << "\" fill=\"" << colour
       << "\"><title>" << escaped(k.name) << ": " << number(k.flops)
       << " FLOPs, " << number(k.bytes) << " bytes</title>"
       << "</rect><text x=\"" << opWidth + gap + width + 6 << "\" y=\""
       << kernelY + 14 << "\">" << escaped(k.name);
    if (k.microseconds > 0)
      os << " (" << llvm::format("%.2f", k.microseconds) << " µs)";
    os << "</text>\n";
    y += int(n) * rowHeight;
  }
  os << "</svg>\n<table><tr><th>#</th><th>kernel</th><th>fused ops</th>"
     << "<th>FLOPs</th><th>bytes</th><th>FLOP/byte</th><th>bound</th>"
     << "<th>attainable GFLOP/s</th><th>estimated µs</th><th>blocking</th>"
     << "</tr>\n";
  for (auto [i, k] : llvm::enumerate(kernels)) {
    os << "<tr><td>" << i << "</td><td>" << escaped(k.name)
       << (k.launched ? "" : " <i>inline</i>") << "</td><td>"
       << escaped(joined(k.ops)) << "</td><td>" << number(k.flops)
       << "</td><td>" << number(k.bytes) << "</td>";
    if (k.flops >= 0 && k.bytes > 0)
      os << "<td>" << llvm::format("%.2f", k.intensity) << "</td><td>"
         << k.bound << "</td><td>" << llvm::format("%.1f", k.attainableGflops)
         << "</td><td>" << llvm::format("%.2f", k.microseconds) << "</td>";
    else
      os << "<td>-</td><td>-</td><td>-</td><td>-</td>";
    os << "<td>" << escaped(k.config.empty() ? "-" : k.config)
       << "</td></tr>\n";
  }
  os << "</table>\n</body></html>\n";
}

} // namespace

namespace {

/// The --report-dims sizes, each checked against the dynamic dimensions of
/// the artifact's inputs: their names ("batch", "sequence") or, unnamed,
/// "<input>.<dimension>".
LogicalResult readReportDims(const llvm::json::Object &metadata,
                             ArrayRef<std::string> assignments, DimSizes &sizes,
                             std::string &error) {
  llvm::StringSet<> known;
  std::string knownList;
  if (const llvm::json::Array *functions = metadata.getArray("functions"))
    for (const llvm::json::Value &function : *functions)
      if (const llvm::json::Array *inputs =
              function.getAsObject()->getArray("inputs"))
        for (const llvm::json::Value &input : *inputs) {
          const llvm::json::Object &in = *input.getAsObject();
          const llvm::json::Array *shape = in.getArray("shape");
          const llvm::json::Array *names = in.getArray("dim_names");
          for (size_t d = 0; shape && d < shape->size(); ++d) {
            if ((*shape)[d].getAsInteger().value_or(0) >= 0)
              continue;
            std::string name =
                names && d < names->size()
                    ? (*names)[d].getAsString().value_or("").str()
                    : "";
            if (name.empty())
              name = (in.getString("name").value_or("") + "." + Twine(d)).str();
            if (known.insert(name).second)
              knownList += (knownList.empty() ? "" : ", ") + name;
          }
        }
  for (const std::string &assignment : assignments) {
    auto [name, value] = StringRef(assignment).split('=');
    int64_t size;
    if (name.empty() || value.getAsInteger(10, size) || size <= 0) {
      error = "--report-dims takes NAME=SIZE with a positive size, got '" +
              assignment + "'";
      return failure();
    }
    if (!known.contains(name)) {
      error = "--report-dims: no input has a dynamic dimension named '" +
              name.str() + "' (" +
              (knownList.empty() ? std::string("the inputs have none")
                                 : "dynamic dimensions: " + knownList) +
              ")";
      return failure();
    }
    sizes[name] = size;
  }
  return success();
}

} // namespace

LogicalResult mlir::enc::writeKernelReport(ModuleOp module,
                                           llvm::StringRef path,
                                           ArrayRef<std::string> reportDims,
                                           const RooflineMachine &machine,
                                           std::string &error) {
  auto global =
      module.lookupSymbol<LLVM::GlobalOp>(ENC_ARTIFACT_METADATA_SYMBOL);
  auto text = global ? dyn_cast_or_null<StringAttr>(global.getValueOrNull())
                     : StringAttr();
  if (!text) {
    error = "the module has no artifact metadata to report on";
    return failure();
  }
  llvm::Expected<llvm::json::Value> metadata =
      llvm::json::parse(text.getValue().rtrim('\0'));
  if (!metadata) {
    error =
        "malformed artifact metadata: " + llvm::toString(metadata.takeError());
    return failure();
  }
  const llvm::json::Object &root = *metadata->getAsObject();
  DimSizes sizes;
  if (failed(readReportDims(root, reportDims, sizes, error)))
    return failure();
  // The artifact's launches, then the code that runs without one.
  std::vector<KernelEstimate> kernels;
  MLIRContext *ctx = module.getContext();
  for (auto [key, launched] :
       {std::pair<StringRef, bool>{"kernels", true}, {"inline_kernels", false}})
    if (const llvm::json::Array *list = root.getArray(key))
      for (const llvm::json::Value &kernel : *list)
        kernels.push_back(
            estimate(ctx, *kernel.getAsObject(), launched, sizes, machine));

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
      llvm::json::Object object{
          {"name", k.name},         {"function", k.function},
          {"launched", k.launched}, {"ops", std::move(ops)},
          {"flops", k.flops},       {"bytes", k.bytes},
          {"bound", k.bound}};
      if (!k.config.empty())
        object["config"] = k.config;
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
            {"dims", dimsJson(sizes)},
            {"kernels", std::move(list)}}));
  } else {
    os << "# Kernels\n\n"
       << "Roofline machine: " << llvm::format("%.1f", machine.peakGflops)
       << " GFLOP/s peak, " << llvm::format("%.1f", machine.bandwidthGBps)
       << " GB/s memory bandwidth. FLOPs and bytes are those of one launch"
       << (sizes.empty() ? std::string("") : " at " + dimsText(sizes))
       << "; `dynamic` when they depend on sizes known only at run time "
          "(give them with `--report-dims`; `encoder-run --profile` "
          "measures them). Kernels are the artifact's, under its names; "
          "_inline_ rows are code that runs on the calling thread without "
          "a launch (its loop has one iteration), which the profile "
          "counts in the calls' time but not in any kernel's. Blocking: "
          "the kernel's register block, tile or attention blocks, and "
          "whether they came from the model of the target CPU, a tuning "
          "record (encoder-tune) or an op's knob.\n\n"
       << "| # | kernel | fused ops | FLOPs | bytes | FLOP/byte | bound | "
          "attainable GFLOP/s | estimated µs | blocking |\n"
       << "|---|---|---|---|---|---|---|---|---|---|\n";
    for (auto [i, k] : llvm::enumerate(kernels)) {
      os << "| " << i << " | " << k.name << (k.launched ? "" : " _inline_")
         << " | " << joined(k.ops) << " | " << number(k.flops) << " | "
         << number(k.bytes) << " | ";
      if (k.flops >= 0 && k.bytes > 0)
        os << llvm::format("%.2f", k.intensity) << " | " << k.bound << " | "
           << llvm::format("%.1f", k.attainableGflops) << " | "
           << llvm::format("%.2f", k.microseconds) << " | ";
      else
        os << "- | - | - | - | ";
      os << (k.config.empty() ? "-" : k.config) << " |\n";
    }
  }
  output->keep();
  return success();
}
