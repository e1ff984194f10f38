//===- Formula.h - Sizes as formulas in the inputs' dimensions -*- C++ -*-===//
//
// Internal to libencrt. The compiler writes some sizes into the metadata
// as affine expressions in symbols s0, s1, ... that stand for named input
// dimensions (printed by MLIR: "(s0 * s1) * 3072 + 64", "s0 ceildiv 8").
// The runtime evaluates them at a call's sizes: the memory a call needs.
//
//===----------------------------------------------------------------------===//

#ifndef ENCODER_LIB_RUNTIME_FORMULA_H
#define ENCODER_LIB_RUNTIME_FORMULA_H

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace encrt {

class Formula {
public:
  /// Parses `Text`; nullopt with `Error` set when it is not a formula of
  /// symbols below `NumSymbols`.
  static std::optional<Formula> parse(std::string_view Text, size_t NumSymbols,
                                      std::string &Error);

  /// The value at the symbols' values; nullopt on overflow or a division
  /// by a non-positive number.
  std::optional<int64_t> evaluate(const std::vector<int64_t> &Symbols) const;

  struct Node;

private:
  std::shared_ptr<const Node> Root;
};

} // namespace encrt

#endif // ENCODER_LIB_RUNTIME_FORMULA_H
