//===- CostFormula.h - A kernel's cost in the inputs' sizes -----*- C++ -*-===//
//
// A kernel's FLOPs and bytes are index values computed before its launch;
// with dynamic batch and sequence they are known only at run time. So that
// the kernel report can state them at any sizes (--report-dims) for the
// artifact's own kernels, outlining records each as a formula in the sizes
// of the public function's inputs, named as the signature names them
// ("batch", "sequence"; "pixel_values.0" for an unnamed dimension).
//
//===----------------------------------------------------------------------===//

#ifndef ENCODER_CODEGEN_COMMON_COSTFORMULA_H
#define ENCODER_CODEGEN_COMMON_COSTFORMULA_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AffineExpr.h"

#include <optional>
#include <string>

namespace mlir::enc {

/// Builds cost formulas for values of one public function, sharing one list
/// of symbols (s0, s1, ... name symbols()[0], [1], ...).
class CostFormulaBuilder {
public:
  /// `inputs` is the function's record in enc.functions (for the dimension
  /// names), null when it has none.
  CostFormulaBuilder(func::FuncOp function, DictionaryAttr record);

  /// `value` as a (semi-)affine expression of the symbols, or nullopt when
  /// it depends on something else (a loaded value, a min or max).
  std::optional<AffineExpr> build(Value value);

  ArrayRef<std::string> symbols() const { return names; }

private:
  std::optional<AffineExpr> symbolFor(BlockArgument arg, int64_t dim);
  /// The size of dimension `dim` of a tensor or memref.
  std::optional<AffineExpr> sizeOf(Value shaped, int64_t dim);

  func::FuncOp function;
  DictionaryAttr record;
  SmallVector<std::string> names;
  unsigned depth = 0;
};

} // namespace mlir::enc

#endif // ENCODER_CODEGEN_COMMON_COSTFORMULA_H
