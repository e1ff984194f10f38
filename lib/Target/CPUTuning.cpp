//===- CPUTuning.cpp - the CPU kernels' blocking, by model or record ------===//

#include "encoder/Target/CPUTuning.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/MC/MCInstrInfo.h"
#include "llvm/MC/MCSchedule.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"

#include <cmath>
#include <fstream>

using namespace mlir;
using namespace mlir::enc;

namespace {

constexpr llvm::StringLiteral kRecordFormat = "encoder-cpu-tuning";
constexpr int64_t kRecordVersion = 1;

/// The FMA instruction the kernels' inner loops issue at each width.
llvm::StringRef fmaOpcodeName(int64_t vectorBits) {
  return vectorBits == 512   ? "VFMADD231PSZr"
         : vectorBits == 256 ? "VFMADD231PSYr"
                             : "VFMADD231PSr";
}

/// Throughput and latency of `opcodeName` in the subtarget's scheduling
/// model; false when the model has no figures for it.
bool scheduleOf(const llvm::TargetMachine &machine, llvm::StringRef opcodeName,
                int64_t &perCycle, int64_t &latency) {
  const llvm::MCInstrInfo *instrInfo = machine.getMCInstrInfo();
  const llvm::MCSubtargetInfo *subtarget = machine.getMCSubtargetInfo();
  const llvm::MCSchedModel &model = subtarget->getSchedModel();
  if (!instrInfo || !model.hasInstrSchedModel())
    return false;
  for (unsigned opcode = 0, e = instrInfo->getNumOpcodes(); opcode < e;
       ++opcode) {
    if (instrInfo->getName(opcode) != opcodeName)
      continue;
    unsigned schedClass = instrInfo->get(opcode).getSchedClass();
    const llvm::MCSchedClassDesc *desc = model.getSchedClassDesc(schedClass);
    if (!desc || !desc->isValid() || desc->isVariant())
      return false;
    double reciprocal =
        llvm::MCSchedModel::getReciprocalThroughput(*subtarget, *desc);
    int cycles = llvm::MCSchedModel::computeInstrLatency(*subtarget, *desc);
    if (!(reciprocal > 0) || cycles <= 0)
      return false;
    perCycle = std::max<int64_t>(1, std::lround(1.0 / reciprocal));
    latency = cycles;
    return true;
  }
  return false;
}

/// A sysfs cache size ("48K", "2048K", "1M") in bytes, or 0.
int64_t parseCacheSize(llvm::StringRef text) {
  text = text.trim();
  int64_t scale = 1;
  if (text.consume_back("K"))
    scale = 1024;
  else if (text.consume_back("M"))
    scale = 1024 * 1024;
  int64_t value = 0;
  if (text.getAsInteger(10, value) || value <= 0)
    return 0;
  return value * scale;
}

/// A sysfs file's text (streamed: sysfs files report a size they lack).
std::string readSmallFile(const std::string &path) {
  std::ifstream file(path);
  std::string text;
  std::getline(file, text);
  return llvm::StringRef(text).trim().str();
}

/// The L1 data and L2 sizes of CPU 0 from sysfs; false when not readable.
bool readHostCaches(int64_t &l1d, int64_t &l2) {
  int64_t foundL1 = 0, foundL2 = 0;
  for (int index = 0; index < 8; ++index) {
    std::string dir =
        "/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(index);
    std::string level = readSmallFile(dir + "/level");
    if (level.empty())
      break;
    std::string type = readSmallFile(dir + "/type");
    int64_t size = parseCacheSize(readSmallFile(dir + "/size"));
    if (level == "1" && (type == "Data" || type == "Unified"))
      foundL1 = size;
    else if (level == "2" && type != "Instruction")
      foundL2 = size;
  }
  if (foundL1 <= 0 || foundL2 <= 0)
    return false;
  l1d = foundL1;
  l2 = foundL2;
  return true;
}

std::string hostModelName() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    llvm::StringRef ref(line);
    if (!ref.starts_with("model name"))
      continue;
    return ref.split(':').second.trim().str();
  }
  return "";
}

int64_t powerOfTwoAtLeast(int64_t value) {
  int64_t result = 1;
  while (result < value)
    result *= 2;
  return result;
}

bool sameCPU(const llvm::json::Object &entry, const CPUMachineFacts &facts) {
  return entry.getString("cpu") == llvm::StringRef(facts.cpu) &&
         entry.getString("features") == llvm::StringRef(facts.features) &&
         entry.getString("model_name") == llvm::StringRef(facts.modelName);
}

/// The record at `path`: an empty one when the file does not exist.
bool readRecord(llvm::StringRef path, llvm::json::Value &record,
                std::string &error) {
  if (!llvm::sys::fs::exists(path)) {
    record = llvm::json::Object{{"format", kRecordFormat},
                                {"version", kRecordVersion},
                                {"entries", llvm::json::Array()}};
    return true;
  }
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer) {
    error = "cannot read the tuning record " + path.str() + ": " +
            buffer.getError().message();
    return false;
  }
  llvm::Expected<llvm::json::Value> parsed =
      llvm::json::parse((*buffer)->getBuffer());
  if (!parsed) {
    error = "the tuning record " + path.str() +
            " is not valid JSON: " + llvm::toString(parsed.takeError()) +
            " (run encoder-tune again, or remove the file)";
    return false;
  }
  const llvm::json::Object *object = parsed->getAsObject();
  if (!object || object->getString("format") != kRecordFormat ||
      !object->getArray("entries")) {
    error = "the tuning record " + path.str() +
            " is not an encoder CPU tuning record (it needs \"format\": \"" +
            kRecordFormat.str() + "\" and an \"entries\" array)";
    return false;
  }
  if (object->getInteger("version") != kRecordVersion) {
    error = "the tuning record " + path.str() + " has version " +
            std::to_string(object->getInteger("version").value_or(-1)) +
            "; this compiler reads version " + std::to_string(kRecordVersion) +
            " (run encoder-tune again)";
    return false;
  }
  record = std::move(*parsed);
  return true;
}

} // namespace

CPUMachineFacts mlir::enc::describeCPU(const llvm::TargetMachine &machine,
                                       bool isHost) {
  CPUMachineFacts facts;
  facts.cpu = machine.getTargetCPU().str();
  facts.features = machine.getTargetFeatureString().str();
  const llvm::MCSubtargetInfo *subtarget = machine.getMCSubtargetInfo();
  facts.vectorBits = subtarget->checkFeatures("+avx512f") ? 512
                     : subtarget->checkFeatures("+avx2")  ? 256
                                                          : 128;
  facts.vectorRegisters = facts.vectorBits == 512 ? 32 : 16;
  // Without FMA (SSE-only targets) the multiply and add issue separately:
  // the model's one-per-cycle default stands.
  scheduleOf(machine, fmaOpcodeName(facts.vectorBits), facts.fmaPerCycle,
             facts.fmaLatency);
  if (isHost) {
    facts.modelName = hostModelName();
    if (readHostCaches(facts.l1dBytes, facts.l2Bytes))
      facts.cacheSource = "host";
  } else {
    std::optional<unsigned> l1 = subtarget->getCacheSize(0);
    std::optional<unsigned> l2 = subtarget->getCacheSize(1);
    if (l1 && l2) {
      facts.l1dBytes = *l1;
      facts.l2Bytes = *l2;
      facts.cacheSource = "llvm";
    }
  }
  return facts;
}

CPUKernelParams mlir::enc::modelKernelParams(const CPUMachineFacts &facts) {
  CPUKernelParams params;
  int64_t lanes = facts.vectorBits / 32;
  // Two vectors of columns per panel: a step's loads (the panel's vectors
  // and one broadcast per row) stay well under its FMAs at any row count.
  int64_t panelVectors = 2;
  params.panelColumns = panelVectors * lanes;
  // Twice the accumulators that keep every FMA pipe busy through its
  // latency (slack for a load or broadcast that misses L1), within the
  // register file: accumulators + the panel's vectors + one broadcast.
  int64_t inFlight = facts.fmaPerCycle * facts.fmaLatency;
  int64_t wanted = llvm::divideCeil(2 * inFlight, panelVectors);
  int64_t fitting = (facts.vectorRegisters - 1) / panelVectors - 1;
  params.matmulRows = std::clamp<int64_t>(wanted, 1, fitting);
  // A chunk of the thread split runs >= ~20 us on one core at the FMA
  // limit (an assumed 3 GHz), well above the ~1 us a hand-off costs.
  int64_t flopsPerCycle = facts.fmaPerCycle * lanes * 2;
  params.chunkFlops = powerOfTwoAtLeast(flopsPerCycle * 3000 * 20);
  // A fused kernel's tile: its f32 output about the size of the L1.
  params.tileElements =
      std::max<int64_t>(1024, llvm::alignDown(facts.l1dBytes / 4, 16 * lanes));
  // Attention's key block: the packed key panel (keys x head_dim 64, f32)
  // the score kernel sweeps for every query row fits the L1; a multiple of
  // the score kernel's column group. The query block: 64 rows, so that K,
  // V, scores and output stay far inside any L2 of 512 KiB or more.
  int64_t scoreGroup = (facts.vectorRegisters >= 32 ? 4 : 2) * lanes;
  int64_t keys = facts.l1dBytes / (64 * 4);
  params.attentionKeyBlock =
      std::clamp<int64_t>(llvm::alignDown(keys, scoreGroup), scoreGroup, 512);
  params.attentionQueryBlock = 64;
  return params;
}

std::string mlir::enc::checkKernelParams(const CPUKernelParams &params,
                                         const CPUMachineFacts &facts) {
  int64_t lanes = facts.vectorBits / 32;
  for (const CPUKernelParamField &field : kCPUKernelParamFields)
    if (params.*field.member < 1 || params.*field.member > (int64_t(1) << 40))
      return field.name.str() + " must be positive, got " +
             std::to_string(params.*field.member);
  if (params.panelColumns % lanes != 0)
    return "panel_columns " + std::to_string(params.panelColumns) +
           " is not a multiple of the " + std::to_string(lanes) +
           " lanes of a " + std::to_string(facts.vectorBits) + "-bit vector";
  int64_t panelVectors = params.panelColumns / lanes;
  if ((params.matmulRows + 1) * panelVectors + 1 > facts.vectorRegisters)
    return "a register block of " + std::to_string(params.matmulRows) +
           " rows x " + std::to_string(params.panelColumns) +
           " columns does not fit the " +
           std::to_string(facts.vectorRegisters) + " vector registers";
  if (params.attentionKeyBlock % lanes != 0)
    return "attention_key_block " + std::to_string(params.attentionKeyBlock) +
           " is not a multiple of the " + std::to_string(lanes) + " lanes";
  if (params.attentionQueryBlock > kMaxAttentionBlock ||
      params.attentionKeyBlock > kMaxAttentionBlock)
    return "attention blocks are at most " +
           std::to_string(kMaxAttentionBlock) + " rows or keys";
  return "";
}

std::string mlir::enc::defaultTuningRecordPath() {
  if (std::optional<std::string> path =
          llvm::sys::Process::GetEnv("ENCODER_TUNING_RECORD"))
    return *path;
  llvm::SmallString<256> path;
  if (std::optional<std::string> cache =
          llvm::sys::Process::GetEnv("XDG_CACHE_HOME");
      cache && !cache->empty())
    path = *cache;
  else if (std::optional<std::string> home = llvm::sys::Process::GetEnv("HOME");
           home && !home->empty())
    llvm::sys::path::append(path, *home, ".cache");
  else
    return "none";
  llvm::sys::path::append(path, "encoder", "cpu-tuning.json");
  return path.str().str();
}

bool mlir::enc::lookupTuningRecord(llvm::StringRef path,
                                   const CPUMachineFacts &facts,
                                   std::optional<CPUKernelParams> &params,
                                   std::string &error) {
  params.reset();
  llvm::json::Value record(nullptr);
  if (!readRecord(path, record, error))
    return false;
  for (const llvm::json::Value &value :
       *record.getAsObject()->getArray("entries")) {
    const llvm::json::Object *entry = value.getAsObject();
    if (!entry) {
      error = "the tuning record " + path.str() +
              " has an entry that is not "
              "an object";
      return false;
    }
    if (!sameCPU(*entry, facts))
      continue;
    const llvm::json::Object *fields = entry->getObject("params");
    if (!fields) {
      error = "the tuning record " + path.str() + " has no \"params\" for " +
              facts.cpu;
      return false;
    }
    CPUKernelParams found;
    for (const CPUKernelParamField &field : kCPUKernelParamFields) {
      std::optional<int64_t> number = fields->getInteger(field.name);
      if (!number) {
        error = "the tuning record " + path.str() + " lacks the integer \"" +
                field.name.str() + "\" for " + facts.cpu;
        return false;
      }
      found.*field.member = *number;
    }
    std::string unfit = checkKernelParams(found, facts);
    if (!unfit.empty()) {
      error = "the tuning record " + path.str() + " does not fit " + facts.cpu +
              ": " + unfit;
      return false;
    }
    params = found;
    return true;
  }
  return true;
}

llvm::json::Object mlir::enc::toJSON(const CPUKernelParams &params) {
  llvm::json::Object object;
  for (const CPUKernelParamField &field : kCPUKernelParamFields)
    object[field.name] = params.*field.member;
  return object;
}

bool mlir::enc::writeTuningRecord(llvm::StringRef path,
                                  const CPUMachineFacts &facts,
                                  const CPUKernelParams &params,
                                  llvm::json::Object details,
                                  std::string &error) {
  llvm::json::Value record(nullptr);
  if (!readRecord(path, record, error))
    return false;
  llvm::json::Array kept;
  for (llvm::json::Value &value : *record.getAsObject()->getArray("entries"))
    if (const llvm::json::Object *entry = value.getAsObject();
        entry && !sameCPU(*entry, facts))
      kept.push_back(std::move(value));
  llvm::json::Object entry{{"cpu", facts.cpu},
                           {"model_name", facts.modelName},
                           {"features", facts.features},
                           {"params", toJSON(params)}};
  for (auto &detail : details)
    entry[detail.first] = std::move(detail.second);
  kept.push_back(std::move(entry));
  (*record.getAsObject())["entries"] = std::move(kept);

  llvm::StringRef folder = llvm::sys::path::parent_path(path);
  if (!folder.empty())
    if (std::error_code ec = llvm::sys::fs::create_directories(folder)) {
      error = "cannot create " + folder.str() + ": " + ec.message();
      return false;
    }
  // Written beside and renamed, so that a compile never reads half a file.
  std::string temporary = path.str() + ".tmp";
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(temporary, ec, llvm::sys::fs::OF_Text);
    if (ec) {
      error = "cannot write " + temporary + ": " + ec.message();
      return false;
    }
    os << llvm::formatv("{0:2}", record) << "\n";
  }
  if (std::error_code ec = llvm::sys::fs::rename(temporary, path)) {
    error = "cannot write " + path.str() + ": " + ec.message();
    return false;
  }
  return true;
}
