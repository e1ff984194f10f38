//===- FrontEndOpsTest.cpp - against PyTorch ---------------------------------------===//

#include "NumericsHarness.h"

#include <catch2/catch.hpp>
