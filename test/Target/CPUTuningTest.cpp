//===- CPUTuningTest.cpp - the model of the target and the tuning record --===//

#include "encoder/Target/CPUTuning.h"
#include "encoder/Target/CPUTarget.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"

#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

using namespace mlir::enc;

namespace {

CPUMachineFacts avx512(int64_t fmaPerCycle) {
  CPUMachineFacts facts;
  facts.cpu = "test-cpu";
  facts.vectorBits = 512;
  facts.vectorRegisters = 32;
  facts.fmaPerCycle = fmaPerCycle;
  facts.fmaLatency = 4;
  return facts;
}

std::string temporaryPath(const char *name) {
  llvm::SmallString<128> dir;
  REQUIRE(!llvm::sys::fs::createUniqueDirectory("cpu-tuning-test", dir));
  return (dir + "/" + name).str();
}

void writeFile(const std::string &path, const std::string &text) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  REQUIRE(!ec);
  os << text;
}

} // namespace

TEST_CASE("the model blocks for the FMA pipes and the registers", "[model]") {
  // One 512-bit FMA a cycle of latency 4: 4 in flight, twice that as
  // accumulators, 2 vectors each row.
  CPUKernelParams one = modelKernelParams(avx512(1));
  CHECK(one.panelColumns == 32);
  CHECK(one.matmulRows == 4);
  // Two pipes: twice the rows, and chunks twice the flops.
  CPUKernelParams two = modelKernelParams(avx512(2));
  CHECK(two.matmulRows == 8);
  CHECK(two.chunkFlops == 2 * one.chunkFlops);
  // AVX2: 16 registers cap the rows at (16 - 1) / 2 - 1.
  CPUMachineFacts avx2 = avx512(2);
  avx2.vectorBits = 256;
  avx2.vectorRegisters = 16;
  CPUKernelParams narrow = modelKernelParams(avx2);
  CHECK(narrow.panelColumns == 16);
  CHECK(narrow.matmulRows == 6);
  CHECK(checkKernelParams(narrow, avx2).empty());
  // The L1 sizes the fused tiles and the attention key panel.
  CPUMachineFacts big = avx512(1);
  big.l1dBytes = 48 * 1024;
  CPUKernelParams larger = modelKernelParams(big);
  CHECK(larger.tileElements == 12288);
  CHECK(larger.attentionKeyBlock == 192);
  CHECK(one.attentionKeyBlock == 128);
}

TEST_CASE("parameters that do not fit the registers are named", "[model]") {
  CPUMachineFacts facts = avx512(1);
  CPUKernelParams params = modelKernelParams(facts);
  params.matmulRows = 15;
  CHECK(checkKernelParams(params, facts) ==
        "a register block of 15 rows x 32 columns does not fit the 32 vector "
        "registers");
  params = modelKernelParams(facts);
  params.panelColumns = 24;
  CHECK(checkKernelParams(params, facts).find("not a multiple of the 16") !=
        std::string::npos);
  params = modelKernelParams(facts);
  params.chunkFlops = 0;
  CHECK(checkKernelParams(params, facts) ==
        "chunk_flops must be positive, got 0");
}

TEST_CASE("LLVM's scheduling models give the FMA pipes", "[facts]") {
  std::string error;
  for (auto [cpu, pipes] :
       {std::pair<const char *, int64_t>{"znver4", 1}, {"skylake-avx512", 2}}) {
    CPUTargetOptions options;
    options.cpu = cpu;
    auto machine = createCPUTargetMachine(options, error);
    REQUIRE(machine);
    CPUMachineFacts facts = describeCPU(*machine, /*isHost=*/false);
    CHECK(facts.cpu == cpu);
    CHECK(facts.features.empty());
    CHECK(facts.vectorBits == 512);
    CHECK(facts.fmaPerCycle == pipes);
    CHECK(facts.fmaLatency == 4);
  }
}

TEST_CASE("a record round-trips and is keyed by CPU", "[record]") {
  std::string path = temporaryPath("record.json"), error;
  CPUMachineFacts facts = avx512(1);
  CPUKernelParams params = modelKernelParams(facts);
  params.matmulRows = 6;
  REQUIRE(writeTuningRecord(path, facts, params,
                            llvm::json::Object{{"note", "test"}}, error));
  CPUMachineFacts other = facts;
  other.cpu = "other-cpu";
  CPUKernelParams otherParams = modelKernelParams(other);
  otherParams.attentionQueryBlock = 32;
  REQUIRE(writeTuningRecord(path, other, otherParams, {}, error));

  std::optional<CPUKernelParams> found;
  REQUIRE(lookupTuningRecord(path, facts, found, error));
  REQUIRE(found);
  CHECK(found->matmulRows == 6);
  CHECK(found->attentionQueryBlock == params.attentionQueryBlock);
  REQUIRE(lookupTuningRecord(path, other, found, error));
  REQUIRE(found);
  CHECK(found->attentionQueryBlock == 32);
  // Same name, other features: another CPU.
  CPUMachineFacts featured = facts;
  featured.features = "+avx512f";
  REQUIRE(lookupTuningRecord(path, featured, found, error));
  CHECK(!found);
  // Rewriting an entry replaces it.
  params.matmulRows = 8;
  REQUIRE(writeTuningRecord(path, facts, params, {}, error));
  REQUIRE(lookupTuningRecord(path, facts, found, error));
  CHECK(found->matmulRows == 8);
  // No file: no entry, no error.
  REQUIRE(lookupTuningRecord(path + ".absent", facts, found, error));
  CHECK(!found);
}

TEST_CASE("a corrupt record is an error naming the file", "[record]") {
  CPUMachineFacts facts = avx512(1);
  std::optional<CPUKernelParams> found;
  for (const char *text :
       {"", "{", "[]", "{\"format\": \"other\", \"entries\": []}",
        "{\"format\": \"encoder-cpu-tuning\", \"version\": 1, \"entries\": "
        "[3]}",
        "{\"format\": \"encoder-cpu-tuning\", \"version\": 1, \"entries\": "
        "[{\"cpu\": \"test-cpu\", \"model_name\": \"\", \"features\": \"\"}]}",
        "{\"format\": \"encoder-cpu-tuning\", \"version\": 1, \"entries\": "
        "[{\"cpu\": \"test-cpu\", \"model_name\": \"\", \"features\": \"\", "
        "\"params\": {\"matmul_rows\": \"eight\"}}]}"}) {
    std::string path = temporaryPath("bad.json"), error;
    writeFile(path, text);
    INFO(text);
    CHECK(!lookupTuningRecord(path, facts, found, error));
    CHECK(error.find(path) != std::string::npos);
    // A file that is no record at all is not written over: the tuner
    // refuses and leaves it as it was. (A bad entry of this CPU in a valid
    // record is replaced by the tuner's.)
    bool fileLevel = !llvm::StringRef(text).contains("encoder-cpu-tuning");
    if (fileLevel) {
      CHECK(
          !writeTuningRecord(path, facts, modelKernelParams(facts), {}, error));
      auto buffer = llvm::MemoryBuffer::getFile(path);
      REQUIRE(buffer);
      CHECK((*buffer)->getBuffer() == text);
    } else {
      CHECK(
          writeTuningRecord(path, facts, modelKernelParams(facts), {}, error));
      CHECK(lookupTuningRecord(path, facts, found, error));
      CHECK(found);
    }
  }
}
