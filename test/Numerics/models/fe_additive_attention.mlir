// enc.additive_attention after its projections (Bahdanau: W_a on the decoder
// state, U_a on the encoder states, both with bias, as the PyTorch module's
// nn.Linear layers; V_a's bias cancels in the softmax): padded sequences
// through a length mask, and an unmasked static case.
func.func @main(%s: tensor<?x12xf32> {enc.name = "state"}, %h: tensor<?x?x10xf32> {enc.name = "encoder_states"},
                %m: tensor<?x?xi64> {enc.name = "mask"})
    -> (tensor<?x10xf32>, tensor<?x?xf32>, tensor<?x10xf32>, tensor<?x?xf32>) {
  %wa = enc.param "Wa.weight" : tensor<16x12xf32>
  %ba = enc.param "Wa.bias" : tensor<16xf32>
  %ua = enc.param "Ua.weight" : tensor<16x10xf32>
  %bu = enc.param "Ua.bias" : tensor<16xf32>
  %va = enc.param "Va.weight" : tensor<16xf32>
  %q = enc.linear %s, %wa, %ba : (tensor<?x12xf32>, tensor<16x12xf32>, tensor<16xf32>) -> tensor<?x16xf32>
  %k = enc.linear %h, %ua, %bu : (tensor<?x?x10xf32>, tensor<16x10xf32>, tensor<16xf32>) -> tensor<?x?x16xf32>
  %c, %w = enc.additive_attention %q, %k, %h, %va mask %m
      : (tensor<?x16xf32>, tensor<?x?x16xf32>, tensor<?x?x10xf32>, tensor<16xf32>, tensor<?x?xi64>)
      -> (tensor<?x10xf32>, tensor<?x?xf32>)
  %c2, %w2 = enc.additive_attention %q, %k, %h, %va
      : (tensor<?x16xf32>, tensor<?x?x16xf32>, tensor<?x?x10xf32>, tensor<16xf32>)
      -> (tensor<?x10xf32>, tensor<?x?xf32>)
  return %c, %w, %c2, %w2 : tensor<?x10xf32>, tensor<?x?xf32>, tensor<?x10xf32>, tensor<?x?xf32>
}
