//===- KernelReport.h - the per-kernel report of a compiled module -*- C++
//-*-===//
//
// Per-kernel report of a compiled module: the ops fused into each kernel,
// its FLOPs and bytes, and a roofline estimate against a machine model.
//
//===----------------------------------------------------------------------===//

#ifndef ENCODER_DRIVER_KERNELREPORT_H
#define ENCODER_DRIVER_KERNELREPORT_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringRef.h"

#include <string>

namespace mlir::enc {

/// The machine the roofline is drawn for.
struct RooflineMachine {
  double peakGflops;
  double bandwidthGBps;
};

/// Writes the report of `module` (in the LLVM dialect, with the artifact
/// metadata) to `path`: JSON when it ends in .json, an HTML page with an SVG
/// of the kernels before and after fusion for .html, else a Markdown table.
/// Every kernel the artifact launches is a row under its own name, then
/// every would-be kernel that runs inline (no launch). `reportDims`
/// ("batch=1", ...) gives dynamic sizes at which costs are evaluated; a
/// name no input has is an error.
LogicalResult writeKernelReport(ModuleOp module, llvm::StringRef path,
                                llvm::ArrayRef<std::string> reportDims,
                                const RooflineMachine &machine,
                                std::string &error);

} // namespace mlir::enc

#endif // ENCODER_DRIVER_KERNELREPORT_H
