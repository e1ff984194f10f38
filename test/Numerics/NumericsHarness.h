//===- NumericsHarness.h - compile, run and compare with PyTorch -*- C++ -*-===//

#ifndef ENCODER_TEST_NUMERICS_NUMERICSHARNESS_H
#define ENCODER_TEST_NUMERICS_NUMERICSHARNESS_H

#include <string>

/// Compiles `model` (default: models/<name>.mlir), computes the PyTorch
/// reference of case `name` (cases/*.py) and requires every output to match
/// within `tolerance` (relative L2 error). Catch2 assertions report the
/// seed, the commands and the output at fault.
void checkAgainstPyTorch(const std::string &name, std::string model = "",
                         double tolerance = 1e-5);

#endif // ENCODER_TEST_NUMERICS_NUMERICSHARNESS_H
