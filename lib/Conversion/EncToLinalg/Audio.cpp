//===- Audio.cpp - enc.log_mel to linalg ------------------------------------===//
//
// The Whisper front end: STFT as a matmul with constant DFT matrices, power
// spectrum, mel filterbank, log and Whisper's normalization.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

#include "Enc/IR/EncOps.h"
#include "encoder/Conversion/Passes.h"

#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace mlir::enc;

void mlir::enc::populateAudioToLinalgPatterns(RewritePatternSet &patterns) {}
