//===- WarpFragmentsTest.cpp - lane maps against the PTX ISA's rules ------===//
//
// The tensor-core kernels decide per lane which elements of a matrix it
// holds (mmaLayout) and which row address it hands to ldmatrix
// (ldmatrixLaneA/B, then splitBPair). A mistake there is a wrong answer on
// the GPU only, and no GPU runs here: so this test evaluates the index
// arithmetic the helpers emit for every lane and composes it the way the
// hardware would, with the PTX ISA's rules written out below on their own
// ("Matrix Fragments for mma.m16n8k8 / mma.m16n8k16", "Warp-level matrix
// load instruction: ldmatrix"). Each case checks that the registers a lane
// ends up with are the elements the mma.sync fragment wants there.
//
//===----------------------------------------------------------------------===//

#include "TensorCoreFragments.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"

#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <array>
#include <vector>

using namespace mlir;
using namespace mlir::enc;

namespace {

/// An element of a tile: (row, column).
struct Element {
  int64_t row, col;
  bool operator==(const Element &o) const {
    return row == o.row && col == o.col;
  }
};

std::ostream &operator<<(std::ostream &os, const Element &e) {
  return os << "(" << e.row << ", " << e.col << ")";
}

/// The value of the index arithmetic behind `v` (constants, +, -, *, /, %),
/// as the helpers emit it for a constant lane.
int64_t evaluate(Value v) {
  Operation *op = v.getDefiningOp();
  REQUIRE(op != nullptr);
  if (auto c = dyn_cast<arith::ConstantOp>(op))
    return cast<IntegerAttr>(c.getValue()).getInt();
  REQUIRE(op->getNumOperands() == 2);
  int64_t x = evaluate(op->getOperand(0)), y = evaluate(op->getOperand(1));
  if (isa<arith::AddIOp>(op))
    return x + y;
  if (isa<arith::SubIOp>(op))
    return x - y;
  if (isa<arith::MulIOp>(op))
    return x * y;
  if (isa<arith::DivUIOp>(op))
    return x / y;
  if (isa<arith::RemUIOp>(op))
    return x % y;
  FAIL("unexpected op in lane arithmetic: "
       << op->getName().getStringRef().str());
  return 0;
}

class Lanes {
public:
  Lanes() : builder(&context) {
    context.loadDialect<arith::ArithDialect, nvgpu::NVGPUDialect,
                        vector::VectorDialect>();
    module = ModuleOp::create(UnknownLoc::get(&context));
    builder.setInsertionPointToEnd(module->getBody());
  }
  OpBuilder &b() { return builder; }
  Location loc() { return UnknownLoc::get(&context); }
  Value lane(int64_t l) {
    return arith::ConstantIndexOp::create(builder, loc(), l);
  }
  Element at(Coordinate c) { return {evaluate(c.row), evaluate(c.col)}; }

private:
  MLIRContext context;
  OwningOpRef<ModuleOp> module;
  OpBuilder builder;
};

//===----------------------------------------------------------------------===//
// The PTX ISA's rules, written out on their own.
//===----------------------------------------------------------------------===//

/// Elements a lane holds in each 32-bit register of an mma.sync operand:
/// groupID g = lane / 4, threadID_in_group t = lane % 4. TF32 m16n8k8:
/// A a0 (g, t), a1 (g+8, t), a2 (g, t+4), a3 (g+8, t+4); B (k, n) b0 (t, g),
/// b1 (t+4, g). bf16 m16n8k16, two a register: A (g, 2t+i), (g+8, 2t+i),
/// (g, 2t+8+i), (g+8, 2t+8+i); B (2t+i, g), (2t+8+i, g), i in {0, 1}.
std::vector<std::vector<Element>> isaOperandA(int64_t lane,
                                              MmaPrecision precision) {
  int64_t g = lane / 4, t = lane % 4;
  if (precision == MmaPrecision::tf32)
    return {{{g, t}}, {{g + 8, t}}, {{g, t + 4}}, {{g + 8, t + 4}}};
  return {{{g, 2 * t}, {g, 2 * t + 1}},
          {{g + 8, 2 * t}, {g + 8, 2 * t + 1}},
          {{g, 2 * t + 8}, {g, 2 * t + 9}},
          {{g + 8, 2 * t + 8}, {g + 8, 2 * t + 9}}};
}
std::vector<std::vector<Element>> isaOperandB(int64_t lane,
                                              MmaPrecision precision) {
  int64_t g = lane / 4, t = lane % 4;
  if (precision == MmaPrecision::tf32)
    return {{{t, g}}, {{t + 4, g}}};
  return {{{2 * t, g}, {2 * t + 1, g}}, {{2 * t + 8, g}, {2 * t + 9, g}}};
}
/// The f32 accumulator (both precisions): c0 (g, 2t), c1 (g, 2t+1),
/// c2 (g+8, 2t), c3 (g+8, 2t+1).
std::vector<Element> isaAccumulator(int64_t lane) {
  int64_t g = lane / 4, t = lane % 4;
  return {{g, 2 * t}, {g, 2 * t + 1}, {g + 8, 2 * t}, {g + 8, 2 * t + 1}};
}

/// ldmatrix .m8n8 .x4: lanes 8r .. 8r+7 give the addresses of rows 0-7 of
/// matrix r (each row 16 bytes of a row-major tile starting there); lane l
/// receives in register r the 32 bits at row l / 4, bytes 4 (l % 4) .. +3
/// of matrix r: two 16-bit elements, or one 32-bit element when the tile
/// holds f32 (TF32 read as pairs of halves). With .trans (16-bit only) it
/// receives the elements at rows 2 (l % 4) and 2 (l % 4) + 1, column l / 4.
std::vector<Element> isaLdmatrix(const std::array<Element, 32> &addresses,
                                 int64_t lane, int64_t reg,
                                 int64_t elementsPer32Bits, bool transpose) {
  std::vector<Element> received;
  if (!transpose) {
    Element row = addresses[8 * reg + lane / 4];
    for (int64_t e = 0; e < elementsPer32Bits; ++e)
      received.push_back(
          {row.row, row.col + (lane % 4) * elementsPer32Bits + e});
    return received;
  }
  for (int64_t e = 0; e < 2; ++e) {
    Element row = addresses[8 * reg + 2 * (lane % 4) + e];
    received.push_back({row.row, row.col + lane / 4});
  }
  return received;
}

int64_t perRegister(MmaPrecision precision) {
  return precision == MmaPrecision::tf32 ? 1 : 2;
}

/// The layout's registers: its elements grouped as the ISA's fragments.
std::vector<std::vector<Element>>
registers(Lanes &lanes, ArrayRef<Coordinate> elements, MmaPrecision precision) {
  std::vector<std::vector<Element>> grouped;
  for (size_t i = 0; i < elements.size(); ++i) {
    if (i % perRegister(precision) == 0)
      grouped.emplace_back();
    grouped.back().push_back(lanes.at(elements[i]));
  }
  return grouped;
}

/// Every lane's ldmatrix address, from `laneMap`.
template <typename LaneMap>
std::array<Element, 32> addresses(Lanes &lanes, LaneMap laneMap,
                                  MmaPrecision precision) {
  std::array<Element, 32> result;
  for (int64_t l = 0; l < 32; ++l)
    result[l] =
        lanes.at(laneMap(lanes.b(), lanes.loc(), lanes.lane(l), precision));
  return result;
}

const MmaPrecision kPrecisions[] = {MmaPrecision::tf32, MmaPrecision::bf16};

} // namespace

TEST_CASE("mmaLayout holds the ISA's fragment elements", "[fragments]") {
  Lanes lanes;
  for (MmaPrecision precision : kPrecisions) {
    for (int64_t l = 0; l < 32; ++l) {
      INFO("precision " << (precision == MmaPrecision::tf32 ? "tf32" : "bf16")
                        << ", lane " << l);
      MmaLayout layout =
          mmaLayout(lanes.b(), lanes.loc(), lanes.lane(l), precision);
      CHECK(registers(lanes, layout.a, precision) == isaOperandA(l, precision));
      CHECK(registers(lanes, layout.b, precision) == isaOperandB(l, precision));
      std::vector<Element> c;
      for (Coordinate e : layout.c)
        c.push_back(lanes.at(e));
      CHECK(c == isaAccumulator(l));
    }
  }
}

// A as rows x k in shared memory (the matmul's stages, Q nowhere): one
// ldmatrix.x4 at the lanes' addresses is an mma.sync's A operand.
TEST_CASE("ldmatrix at ldmatrixLaneA gives A's operand", "[fragments]") {
  Lanes lanes;
  for (MmaPrecision precision : kPrecisions) {
    std::array<Element, 32> at = addresses(lanes, ldmatrixLaneA, precision);
    for (int64_t l = 0; l < 32; ++l) {
      std::vector<std::vector<Element>> expected = isaOperandA(l, precision);
      for (int64_t r = 0; r < 4; ++r) {
        INFO("lane " << l << ", register " << r);
        CHECK(isaLdmatrix(at, l, r, perRegister(precision), false) ==
              expected[r]);
      }
    }
  }
}

// Bᵀ as columns x k (the matmul's B stage, the attention's K stage): one
// ldmatrix.x4 gives the B operands of two 8-column tiles, registers 0-1
// and 2-3 (splitBPair's halves). An element (k, n) of B is (n, k) there.
TEST_CASE("ldmatrix at ldmatrixLaneB gives two n-tiles' B operands",
          "[fragments]") {
  Lanes lanes;
  for (MmaPrecision precision : kPrecisions) {
    std::array<Element, 32> at = addresses(lanes, ldmatrixLaneB, precision);
    for (int64_t l = 0; l < 32; ++l) {
      for (int64_t r = 0; r < 4; ++r) {
        int64_t tile = r / 2;
        std::vector<std::vector<Element>> b = isaOperandB(l, precision);
        std::vector<Element> expected;
        for (Element kn : b[r % 2])
          expected.push_back({kn.col + 8 * tile, kn.row}); // (n, k)
        INFO("lane " << l << ", register " << r);
        CHECK(isaLdmatrix(at, l, r, perRegister(precision), false) == expected);
      }
    }
  }
}

// V as keys x values in bf16 (the attention's V stage): ldmatrix .trans at
// ldmatrixLaneA's addresses, read as (k, n), gives two n-tiles' B
// operands of P·V.
TEST_CASE("ldmatrix.trans at ldmatrixLaneA gives two n-tiles' B operands "
          "of a K x N tile",
          "[fragments]") {
  Lanes lanes;
  std::array<Element, 32> at =
      addresses(lanes, ldmatrixLaneA, MmaPrecision::bf16);
  for (int64_t l = 0; l < 32; ++l) {
    for (int64_t r = 0; r < 4; ++r) {
      int64_t tile = r / 2;
      std::vector<std::vector<Element>> b = isaOperandB(l, MmaPrecision::bf16);
      std::vector<Element> expected;
      for (Element kn : b[r % 2])
        expected.push_back({kn.row, kn.col + 8 * tile}); // (k, n)
      INFO("lane " << l << ", register " << r);
      CHECK(isaLdmatrix(at, l, r, 2, true) == expected);
    }
  }
}

// splitBPair hands registers 0-1 to the first n-tile and 2-3 to the second,
// each register's elements in order.
TEST_CASE("splitBPair splits registers 0-1 and 2-3", "[fragments]") {
  Lanes lanes;
  for (MmaPrecision precision : kPrecisions) {
    auto type = VectorType::get({4, perRegister(precision)},
                                stagedElementType(lanes.b(), precision));
    Value pair = arith::ConstantOp::create(lanes.b(), lanes.loc(), type,
                                           lanes.b().getZeroAttr(type));
    auto [first, second] = splitBPair(lanes.b(), lanes.loc(), pair);
    for (auto [half, value] :
         llvm::enumerate(SmallVector<Value>{first, second})) {
      auto elements = value.getDefiningOp<vector::FromElementsOp>();
      REQUIRE(elements);
      CHECK(cast<VectorType>(value.getType()).getShape() ==
            ArrayRef<int64_t>{2, perRegister(precision)});
      for (auto [i, element] : llvm::enumerate(elements.getElements())) {
        auto extract = element.getDefiningOp<vector::ExtractOp>();
        REQUIRE(extract);
        CHECK(extract.getSource() == pair);
        SmallVector<int64_t> position(extract.getStaticPosition());
        int64_t reg = 2 * int64_t(half) + int64_t(i) / perRegister(precision);
        CHECK(position ==
              SmallVector<int64_t>{reg, int64_t(i) % perRegister(precision)});
      }
    }
  }
}

// Attention's P with TF32: the warp holds it as the accumulators of S and
// reads each A element from the lane of its quad that holds it.
TEST_CASE("tf32OperandSource finds A's elements among the quad's "
          "accumulators",
          "[fragments]") {
  Lanes lanes;
  for (int64_t l = 0; l < 32; ++l) {
    MmaLayout layout =
        mmaLayout(lanes.b(), lanes.loc(), lanes.lane(l), MmaPrecision::tf32);
    std::vector<std::vector<Element>> a = isaOperandA(l, MmaPrecision::tf32);
    for (int64_t i = 0; i < 4; ++i) {
      AccumulatorSource from =
          tf32OperandSource(lanes.b(), lanes.loc(), lanes.lane(l), layout, i);
      int64_t source = evaluate(from.lane);
      int64_t element = 2 * from.rowHalf + evaluate(from.parity);
      INFO("lane " << l << ", element " << i);
      CHECK(source / 4 == l / 4); // shuffles stay within the quad's rows
      CHECK(isaAccumulator(source)[element] == a[i][0]);
    }
  }
}
