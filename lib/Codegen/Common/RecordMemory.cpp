//===- RecordMemory.cpp - the enc-record-memory pass
//-----------------------===//
//
// A call's memory in the sizes of its inputs: the allocations and frees of
// each public function's body, in order, with byte-size formulas (see the
// pass description in Passes.td).
//
//===----------------------------------------------------------------------===//

#include "encoder/Codegen/Common/BufferAllocation.h"
#include "encoder/Codegen/Common/CostFormula.h"

#include "Enc/IR/EncAttributeNames.h"
#include "encoder/Codegen/Common/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "llvm/ADT/DenseMap.h"

namespace mlir::enc {
#define GEN_PASS_DEF_ENCRECORDMEMORY
#include "encoder/Codegen/Common/Passes.h.inc"
} // namespace mlir::enc

using namespace mlir;
using namespace mlir::enc;

namespace {

/// The memory record of `function` ({symbols, events, complete}).
DictionaryAttr recordMemory(func::FuncOp function, DictionaryAttr record) {
  Builder b(function.getContext());
  CostFormulaBuilder formulas(function, record);
  SmallVector<Attribute> events;
  llvm::DenseMap<Value, int64_t> allocIndex;
  bool complete = true;
  int64_t allocs = 0;
  for (Operation &op : function.getBody().front()) {
    if (auto alloc = dyn_cast<memref::AllocOp>(op)) {
      MemRefType type = alloc.getType();
      unsigned bits = type.getElementTypeBitWidth();
      AffineExpr bytes = getAffineConstantExpr(
          std::max<int64_t>(1, llvm::divideCeil(bits, 8)), b.getContext());
      bool known = true;
      for (int64_t d = 0; d < type.getRank() && known; ++d) {
        if (!type.isDynamicDim(d)) {
          bytes = bytes * type.getDimSize(d);
          continue;
        }
        std::optional<AffineExpr> size =
            formulas.build(alloc.getDynamicSizes()[type.getDynamicDimIndex(d)]);
        known = size.has_value();
        if (known)
          bytes = bytes * *size;
      }
      if (!known) {
        complete = false;
        continue;
      }
      std::string text;
      llvm::raw_string_ostream(text)
          << simplifyAffineExpr(bytes, 0, formulas.symbols().size());
      allocIndex[alloc.getResult()] = allocs++;
      events.push_back(b.getDictionaryAttr(
          {b.getNamedAttr("alloc", b.getStringAttr(text))}));
    } else if (auto dealloc = dyn_cast<memref::DeallocOp>(op)) {
      auto it = allocIndex.find(allocationOf(dealloc.getMemref()));
      if (it != allocIndex.end())
        events.push_back(b.getDictionaryAttr(
            {b.getNamedAttr("free", b.getI64IntegerAttr(it->second))}));
    }
  }
  SmallVector<StringRef> symbols(formulas.symbols().begin(),
                                 formulas.symbols().end());
  return b.getDictionaryAttr(
      {b.getNamedAttr("symbols", b.getStrArrayAttr(symbols)),
       b.getNamedAttr("events", b.getArrayAttr(events)),
       b.getNamedAttr("complete", b.getBoolAttr(complete))});
}

struct EncRecordMemoryPass
    : enc::impl::EncRecordMemoryBase<EncRecordMemoryPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto functions = module->getAttrOfType<ArrayAttr>(kFunctionsAttrName);
    if (!functions)
      return;
    SmallVector<Attribute> updated;
    for (auto record : functions.getAsRange<DictionaryAttr>()) {
      auto function = module.lookupSymbol<func::FuncOp>(
          record.getAs<StringAttr>("name").getValue());
      if (!function || function.isExternal()) {
        updated.push_back(record);
        continue;
      }
      NamedAttrList fields(record);
      fields.set("memory", recordMemory(function, record));
      updated.push_back(fields.getDictionary(&getContext()));
    }
    module->setAttr(kFunctionsAttrName, ArrayAttr::get(&getContext(), updated));
  }
};

} // namespace
