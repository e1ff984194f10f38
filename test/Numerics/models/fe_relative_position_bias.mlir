// enc.relative_position_bias: T5's encoder self-attention (bidirectional,
// 32 buckets up to 128) on a sequence long enough to reach the last bucket,
// encoder-decoder lengths (queries from one input, keys from another), and
// a unidirectional (decoder) table. Lengths come from the dynamic inputs.
func.func @main(%h: tensor<?x?x4xf32> {enc.name = "hidden"}, %e: tensor<?x?x4xf32> {enc.name = "encoder_hidden"})
    -> (tensor<1x4x?x?xf32>, tensor<1x4x?x?xf32>, tensor<1x2x?x?xf32>) {
  %c1 = arith.constant 1 : index
  %q = tensor.dim %h, %c1 : tensor<?x?x4xf32>
  %k = tensor.dim %e, %c1 : tensor<?x?x4xf32>
  %t = enc.param "relative_attention_bias.weight" : tensor<32x4xf32>
  %u = enc.param "decoder.relative_attention_bias.weight" : tensor<8x2xf32>
  %0 = enc.relative_position_bias %t, %q, %q {num_buckets = 32 : i64, max_distance = 128 : i64, bidirectional}
      : (tensor<32x4xf32>, index, index) -> tensor<1x4x?x?xf32>
  %1 = enc.relative_position_bias %t, %q, %k {num_buckets = 32 : i64, max_distance = 128 : i64, bidirectional}
      : (tensor<32x4xf32>, index, index) -> tensor<1x4x?x?xf32>
  %2 = enc.relative_position_bias %u, %q, %q {num_buckets = 8 : i64, max_distance = 20 : i64}
      : (tensor<8x2xf32>, index, index) -> tensor<1x2x?x?xf32>
  return %0, %1, %2 : tensor<1x4x?x?xf32>, tensor<1x4x?x?xf32>, tensor<1x2x?x?xf32>
}
