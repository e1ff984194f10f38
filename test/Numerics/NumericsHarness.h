//===- NumericsHarness.h - compile, run and compare with PyTorch -*- C++
//-*-===//

#ifndef ENCODER_TEST_NUMERICS_NUMERICSHARNESS_H
#define ENCODER_TEST_NUMERICS_NUMERICSHARNESS_H

#include <string>

/// Computes the PyTorch reference of case `name` (cases/*.py), compiles
/// `model` (default: models/<name>.mlir; a config.json compiles as a
/// checkpoint directory with the reference's weights) with `compileFlags`,
/// runs `function` and requires every output to match within `tolerance`
/// (relative L2 error). Catch2 assertions report the seed, the commands and
/// the output at fault.
void checkAgainstPyTorch(const std::string &name, std::string model = "",
                         double tolerance = 1e-5,
                         const std::string &function = "main",
                         const std::string &compileFlags = "");

#endif // ENCODER_TEST_NUMERICS_NUMERICSHARNESS_H
