//===- NumericsMain.cpp - Catch2 entry point of the numerics tests
//----------===//

#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
