// enc.log_mel: Whisper's defaults (n_fft 400, hop 160, 80 mels at 16 kHz) on
// a fixed length, and smaller settings at 8 kHz on dynamic batch and length.
func.func @main(%audio: tensor<2x4000xf32> {enc.name = "audio"}, %d: tensor<?x?xf32> {enc.name = "dynamic_audio"})
    -> (tensor<2x80x25xf32>, tensor<?x20x?xf32>) {
  %0 = enc.log_mel %audio : (tensor<2x4000xf32>) -> tensor<2x80x25xf32>
  %1 = enc.log_mel %d {n_fft = 64 : i64, hop_length = 16 : i64, n_mels = 20 : i64, sample_rate = 8000 : i64}
      : (tensor<?x?xf32>) -> tensor<?x20x?xf32>
  return %0, %1 : tensor<2x80x25xf32>, tensor<?x20x?xf32>
}
