//===- KernelReport.h - the per-kernel report of a compiled module -*- C++ -*-===//
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

/// Fixes the named dimensions of the public functions' inputs
/// (`enc.dim_names`) to the given sizes, so that a copy of the module
/// compiles to kernels of static cost. Fails naming a dimension no input
/// has.
LogicalResult specializeDims(ModuleOp module,
                             llvm::ArrayRef<std::string> assignments,
                             std::string &error);

/// Writes the report of `module` (in the LLVM dialect, with the artifact
/// metadata) to `path`: JSON when it ends in .json, an HTML page with an SVG
/// of the kernels before and after fusion for .html, else a Markdown table.
LogicalResult writeKernelReport(ModuleOp module, llvm::StringRef path,
                                const RooflineMachine &machine,
                                std::string &error);

} // namespace mlir::enc

#endif // ENCODER_DRIVER_KERNELREPORT_H
