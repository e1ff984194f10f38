//===- CPUTuning.h - the CPU kernels' blocking, by model or record -*- C++ -*-//
//
// How the CPU kernels are blocked for the machine they will run on. A model
// of the target derives every parameter from its facts: the vector width
// and register file, the FMA pipes and their latency (LLVM's scheduling
// model for the CPU), and the L1/L2 sizes (the host's, read from sysfs).
// `encoder-tune` measures a bounded space of parameters on the host and
// writes a tuning record keyed by CPU; later compiles for that CPU read it.
// Why both, and the model's rules: docs/rationale/cpu-tuning.md.
//
//===----------------------------------------------------------------------===//

#ifndef ENCODER_TARGET_CPUTUNING_H
#define ENCODER_TARGET_CPUTUNING_H

#include "encoder/Target/TargetInfo.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/JSON.h"

#include <optional>
#include <string>
#include <vector>

namespace llvm {
class TargetMachine;
} // namespace llvm

namespace mlir::enc {

/// What the model knows of a target CPU.
struct CPUMachineFacts {
  /// LLVM's name of the CPU (`znver4`, `skylake-avx512`; the host's
  /// resolved name for `host`), its feature string (the host's detected
  /// features; empty for a named CPU, whose features are its name's), and
  /// for the host the model name the OS reports. Together: the record key.
  std::string cpu;
  std::string features;
  std::string modelName;
  int64_t vectorBits = 512;
  int64_t vectorRegisters = 32;
  /// Vector FMAs of that width issued per cycle, and their latency in
  /// cycles, from the CPU's scheduling model (1 and 4 without one).
  int64_t fmaPerCycle = 1;
  int64_t fmaLatency = 4;
  /// Data cache per core; `cacheSource` says whether they were read from
  /// the host ("host") or are the model's assumption ("assumed").
  int64_t l1dBytes = 32 * 1024;
  int64_t l2Bytes = 1024 * 1024;
  std::string cacheSource = "assumed";
};

/// The facts of `machine`'s CPU; `isHost` when it was created for `host`
/// (then the caches are the host's).
CPUMachineFacts describeCPU(const llvm::TargetMachine &machine, bool isHost);

/// The model's choice for `facts`.
CPUKernelParams modelKernelParams(const CPUMachineFacts &facts);

/// Why `params` cannot block kernels of `facts`' vector registers, or an
/// empty string when they can.
std::string checkKernelParams(const CPUKernelParams &params,
                              const CPUMachineFacts &facts);

/// $ENCODER_TUNING_RECORD, else $XDG_CACHE_HOME/encoder/cpu-tuning.json,
/// else ~/.cache/encoder/cpu-tuning.json. "none" reads no record.
std::string defaultTuningRecordPath();

/// The parameters the record at `path` holds for `facts`' CPU, or none
/// when the file does not exist or has no entry for it. A file that is not
/// a valid record, or an entry whose parameters do not fit the CPU, is an
/// error (returned false, `error` naming the file).
bool lookupTuningRecord(llvm::StringRef path, const CPUMachineFacts &facts,
                        std::optional<CPUKernelParams> &params,
                        std::string &error);

/// Writes `params` for `facts`' CPU into the record at `path` (created with
/// its folder; another CPU's entries kept, this CPU's replaced), with
/// `details` (what was measured) beside them.
bool writeTuningRecord(llvm::StringRef path, const CPUMachineFacts &facts,
                       const CPUKernelParams &params,
                       llvm::json::Object details, std::string &error);

/// `params` as a JSON object with the record's field names.
llvm::json::Object toJSON(const CPUKernelParams &params);

} // namespace mlir::enc

#endif // ENCODER_TARGET_CPUTUNING_H
