// enc.positional_encoding: learned with RoBERTa's offset on dynamic batch
// and sequence, Vaswani's interleaved sinusoids, Whisper's concatenated ones
// over 1500 positions, and interleaved sinusoids whose dim is dynamic.
func.func @main(%x: tensor<?x?x8xf32> {enc.name = "x"}, %s: tensor<2x5x8xf32> {enc.name = "short"},
                %a: tensor<1x1500x16xf32> {enc.name = "audio_frames"}, %d: tensor<?x?x?xf32> {enc.name = "dynamic"})
    -> (tensor<?x?x8xf32>, tensor<2x5x8xf32>, tensor<1x1500x16xf32>, tensor<?x?x?xf32>) {
  %table = enc.param "position_embeddings.weight" : tensor<20x8xf32>
  %0 = enc.positional_encoding learned %x table %table {offset = 2 : i64}
      : (tensor<?x?x8xf32>, tensor<20x8xf32>) -> tensor<?x?x8xf32>
  %1 = enc.positional_encoding sinusoidal %s {offset = 3 : i64} : (tensor<2x5x8xf32>) -> tensor<2x5x8xf32>
  %2 = enc.positional_encoding sinusoidal_concat %a : (tensor<1x1500x16xf32>) -> tensor<1x1500x16xf32>
  %3 = enc.positional_encoding sinusoidal %d {base = 100.0 : f64} : (tensor<?x?x?xf32>) -> tensor<?x?x?xf32>
  return %0, %1, %2, %3 : tensor<?x?x8xf32>, tensor<2x5x8xf32>, tensor<1x1500x16xf32>, tensor<?x?x?xf32>
}
