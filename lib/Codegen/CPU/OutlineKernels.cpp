//===- OutlineKernels.cpp - the enc-outline-kernels pass
//--------------------===//
//
// A kernel is an outermost scf.forall on memrefs. It becomes two functions:
// the body, which runs a range of the loop's linearized iterations, and a
// launch declaration that enc-lower-kernel-launches defines in the LLVM
// dialect (it needs the lowered argument types to build the context that
// travels through the runtime's parallel_for). Splitting the work this way
// keeps everything that can be written in func/scf/arith here, where it is
// still readable and testable.
//
//===----------------------------------------------------------------------===//

#include "encoder/Codegen/Common/CostFormula.h"

#include "Enc/IR/EncAttributeNames.h"
#include "Enc/IR/EncOps.h"
#include "encoder/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/SetVector.h"

namespace mlir::enc {
#define GEN_PASS_DEF_ENCOUTLINEKERNELS
#include "encoder/Codegen/CPU/Passes.h.inc"
} // namespace mlir::enc

using namespace mlir;
using namespace mlir::enc;

namespace {

/// A launch-time value for the metadata: its constant, or -1.
int64_t staticOrUnknown(Value value) {
  APInt constant;
  if (value && matchPattern(value, m_ConstantInt(&constant)))
    return constant.getSExtValue();
  return -1;
}

/// A kernel's description for the `enc.kernels` module attribute: name,
/// function, fused ops, and FLOPs and bytes of one launch (-1 when dynamic,
/// then with a formula in the inputs' sizes when one can be written).
DictionaryAttr describeKernel(func::FuncOp function, StringRef name,
                              ArrayAttr ops, Value flops, Value bytes,
                              StringAttr config) {
  Builder b(function.getContext());
  SmallVector<NamedAttribute> fields = {
      b.getNamedAttr("name", b.getStringAttr(name)),
      b.getNamedAttr("function", b.getStringAttr(function.getName())),
      b.getNamedAttr("ops", ops),
      b.getNamedAttr("flops", b.getI64IntegerAttr(staticOrUnknown(flops))),
      b.getNamedAttr("bytes", b.getI64IntegerAttr(staticOrUnknown(bytes)))};
  if (config)
    fields.push_back(b.getNamedAttr("config", config));
  DictionaryAttr record;
  auto module = function->getParentOfType<ModuleOp>();
  if (auto functions = module->getAttrOfType<ArrayAttr>(kFunctionsAttrName))
    for (auto f : functions.getAsRange<DictionaryAttr>())
      if (f.getAs<StringAttr>("name").getValue() == function.getName())
        record = f;
  CostFormulaBuilder formulas(function, record);
  bool any = false;
  for (auto [key, value] : {std::pair<StringRef, Value>{"flops_formula", flops},
                            {"bytes_formula", bytes}}) {
    if (!value || staticOrUnknown(value) >= 0)
      continue;
    std::optional<AffineExpr> formula = formulas.build(value);
    if (!formula)
      continue;
    std::string text;
    llvm::raw_string_ostream(text)
        << simplifyAffineExpr(*formula, 0, formulas.symbols().size());
    fields.push_back(b.getNamedAttr(key, b.getStringAttr(text)));
    any = true;
  }
  if (any) {
    SmallVector<StringRef> symbols(formulas.symbols().begin(),
                                   formulas.symbols().end());
    fields.push_back(
        b.getNamedAttr("formula_symbols", b.getStrArrayAttr(symbols)));
  }
  return b.getDictionaryAttr(fields);
}

/// The body's text without its name and locations: equal keys, equal
/// functions.
std::string structuralKey(func::FuncOp body) {
  StringAttr name = body.getSymNameAttr();
  body.setSymName("kernel");
  std::string key;
  llvm::raw_string_ostream os(key);
  body->print(os, OpPrintingFlags().useLocalScope().printGenericOpForm());
  body.setSymNameAttr(name);
  return key;
}

struct EncOutlineKernelsPass
    : enc::impl::EncOutlineKernelsBase<EncOutlineKernelsPass> {
  /// Outlined bodies by structural key.
  llvm::StringMap<func::FuncOp> bodies;

  void runOnOperation() override {
    bodies.clear();
    ModuleOp module = getOperation();
    SmallVector<Attribute> kernels;
    if (auto existing = module->getAttrOfType<ArrayAttr>(kKernelsAttrName))
      kernels.assign(existing.begin(), existing.end());

    SmallVector<func::FuncOp> functions(module.getOps<func::FuncOp>());
    for (func::FuncOp function : functions) {
      if (function.isExternal())
        continue;
      SmallVector<scf::ForallOp> loops;
      function.walk<WalkOrder::PreOrder>([&](scf::ForallOp loop) {
        loops.push_back(loop);
        return WalkResult::skip();
      });
      for (scf::ForallOp loop : loops)
        if (failed(outline(module, function, loop, kernels)))
          return signalPassFailure();
    }
    // Descriptions of loops that folded away (one iteration) describe
    // code that runs on the calling thread, with no launch: the report
    // lists it as such.
    SmallVector<Attribute> inlined;
    if (auto existing =
            module->getAttrOfType<ArrayAttr>(kInlineKernelsAttrName))
      inlined.assign(existing.begin(), existing.end());
    module.walk([&](KernelInfoOp info) {
      auto function = info->getParentOfType<func::FuncOp>();
      if (function && !info->getParentOfType<scf::ForallOp>())
        inlined.push_back(
            describeKernel(function,
                           (function.getName() + "_inline" +
                            Twine(inlined.size()) + "_" + info.getName())
                               .str(),
                           info.getOps(), info.getFlops(), info.getBytes(),
                           info.getConfigAttr()));
      info.erase();
    });
    if (!kernels.empty())
      module->setAttr(kKernelsAttrName, ArrayAttr::get(&getContext(), kernels));
    if (!inlined.empty())
      module->setAttr(kInlineKernelsAttrName,
                      ArrayAttr::get(&getContext(), inlined));
  }

  LogicalResult outline(ModuleOp module, func::FuncOp function,
                        scf::ForallOp loop, SmallVector<Attribute> &kernels) {
    if (loop.getNumResults() != 0)
      return loop.emitOpError("still has tensor results: kernels are "
                              "outlined after bufferization");
    Location loc = loop.getLoc();
    OpBuilder b(loop);

    // The kernel's description; the loop without it.
    StringRef name = "loop";
    ArrayAttr ops = b.getStrArrayAttr({});
    Value flops, bytes;
    StringAttr config;
    auto infos = loop.getBody()->getOps<KernelInfoOp>();
    if (!infos.empty()) {
      KernelInfoOp info = *infos.begin();
      name = info.getName();
      ops = info.getOps();
      flops = info.getFlops();
      bytes = info.getBytes();
      config = info.getConfigAttr();
      info.erase();
    }
    int64_t index = kernels.size();
    std::string symbol =
        (function.getName() + "_k" + Twine(index) + "_" + name).str();

    // Bounds, trip counts, and the linearized iteration count.
    SmallVector<Value> lowerBounds =
        getValueOrCreateConstantIndexOp(b, loc, loop.getMixedLowerBound());
    SmallVector<Value> steps =
        getValueOrCreateConstantIndexOp(b, loc, loop.getMixedStep());
    SmallVector<Value> trips;
    for (auto [lb, ub, step] :
         llvm::zip(loop.getMixedLowerBound(), loop.getMixedUpperBound(),
                   loop.getMixedStep())) {
      std::optional<int64_t> l = getConstantIntValue(lb),
                             u = getConstantIntValue(ub),
                             s = getConstantIntValue(step);
      if (l && u && s) {
        trips.push_back(arith::ConstantIndexOp::create(
            b, loc, llvm::divideCeil(*u - *l, *s)));
        continue;
      }
      Value upper = getValueOrCreateConstantIndexOp(b, loc, ub);
      Value lower = getValueOrCreateConstantIndexOp(b, loc, lb);
      Value span = arith::SubIOp::create(b, loc, upper, lower);
      Value stride = getValueOrCreateConstantIndexOp(b, loc, step);
      trips.push_back(arith::CeilDivSIOp::create(b, loc, span, stride));
    }
    Value count = trips.front();
    for (Value trip : ArrayRef(trips).drop_front())
      count = arith::MulIOp::create(b, loc, count, trip);

    // What the body reads from outside: constants are rematerialized in the
    // kernel (they are free and let LLVM fold), the rest are arguments.
    llvm::SetVector<Value> used;
    getUsedValuesDefinedAbove(loop.getRegion(), used);
    // The body delinearizes with every trip count but the outermost.
    used.insert(lowerBounds.begin(), lowerBounds.end());
    used.insert(steps.begin(), steps.end());
    used.insert(trips.begin() + 1, trips.end());
    SmallVector<Value> captures;
    SmallVector<Operation *> constants;
    for (Value v : used) {
      Operation *def = v.getDefiningOp();
      if (def && def->hasTrait<OpTrait::ConstantLike>())
        constants.push_back(def);
      else
        captures.push_back(v);
    }

    // The body: iterations [begin, end) of the linearized space.
    SmallVector<Type> bodyInputs;
    for (Value v : captures)
      bodyInputs.push_back(v.getType());
    Type indexType = b.getIndexType();
    bodyInputs.append({indexType, indexType});
    OpBuilder moduleBuilder = OpBuilder::atBlockEnd(module.getBody());
    auto body = func::FuncOp::create(moduleBuilder, loc, symbol,
                                     b.getFunctionType(bodyInputs, {}));
    body.setPrivate();
    Block *entry = body.addEntryBlock();
    OpBuilder kb = OpBuilder::atBlockBegin(entry);
    IRMapping mapping;
    for (Operation *constant : constants)
      kb.clone(*constant, mapping);
    for (auto [capture, arg] : llvm::zip(captures, entry->getArguments()))
      mapping.map(capture, arg);
    Value begin = entry->getArgument(captures.size());
    Value end = entry->getArgument(captures.size() + 1);
    Value one = arith::ConstantIndexOp::create(kb, loc, 1);
    auto iterations = scf::ForOp::create(kb, loc, begin, end, one);
    kb.setInsertionPointToStart(iterations.getBody());
    // Row-major: the last dimension varies fastest.
    Value rest = iterations.getInductionVar();
    SmallVector<Value> ivs(trips.size());
    for (int64_t d = trips.size() - 1; d >= 0; --d) {
      Value trip = mapping.lookup(trips[d]);
      Value position =
          d == 0 ? rest : Value(arith::RemSIOp::create(kb, loc, rest, trip));
      if (d > 0)
        rest = arith::DivSIOp::create(kb, loc, rest, trip);
      ivs[d] = arith::AddIOp::create(
          kb, loc, mapping.lookup(lowerBounds[d]),
          arith::MulIOp::create(kb, loc, position, mapping.lookup(steps[d])));
    }
    for (auto [iv, value] : llvm::zip(loop.getInductionVars(), ivs))
      mapping.map(iv, value);
    for (Operation &op : loop.getBody()->without_terminator())
      kb.clone(op, mapping);
    kb.setInsertionPointToEnd(entry);
    func::ReturnOp::create(kb, loc);

    // Layers of one shape make identical bodies: share one, so that the
    // rest of the pipeline and LLVM compile it once (BERT-base: 12x fewer
    // kernel bodies). Launches stay per site, for the profile.
    std::string key = structuralKey(body);
    auto [it, inserted] = bodies.try_emplace(key, body);
    if (!inserted) {
      body.erase();
      body = it->second;
    }

    // The launch: a declaration until the LLVM dialect.
    SmallVector<Type> launchInputs(bodyInputs.begin(), bodyInputs.end() - 2);
    launchInputs.append({indexType, indexType});
    auto launch = func::FuncOp::create(moduleBuilder, loc, symbol + "_launch",
                                       b.getFunctionType(launchInputs, {}));
    launch.setPrivate();
    launch->setAttr(
        kKernelLaunchAttrName,
        b.getDictionaryAttr(
            {b.getNamedAttr("body", FlatSymbolRefAttr::get(body)),
             b.getNamedAttr("kernel", b.getI64IntegerAttr(index))}));
    SmallVector<Value> operands(captures);
    operands.push_back(count);
    operands.push_back(flops ? flops
                             : arith::ConstantIndexOp::create(b, loc, 0));
    func::CallOp::create(b, loc, launch, operands);
    loop.erase();

    kernels.push_back(
        describeKernel(function, symbol, ops, flops, bytes, config));
    return success();
  }
};

} // namespace
