// One encoder block of the kind BERT stacks, with a classification head and
// its loss: embedding -> layer_norm -> multi-head attention with the padding
// mask -> output projection + residual -> linear + gelu -> linear -> masked
// mean pool -> linear -> cross_entropy. Checked against PyTorch's
// nn.MultiheadAttention and torch.nn.functional by NumericsTest.
func.func @main(%input_ids: tensor<2x8xi64> {enc.name = "input_ids"},
                %attention_mask: tensor<2x8xi64> {enc.name = "attention_mask"},
                %labels: tensor<2xi64> {enc.name = "labels"})
    -> (tensor<f32> {enc.name = "loss"}, tensor<2x5xf32> {enc.name = "logits"},
        tensor<2x32xf32> {enc.name = "pooled"}) {
  %table = enc.param "embeddings.word_embeddings.weight" : tensor<50x32xf32>
  %ln_w = enc.param "embeddings.LayerNorm.weight" : tensor<32xf32>
  %ln_b = enc.param "embeddings.LayerNorm.bias" : tensor<32xf32>
  %x = enc.embedding %input_ids, %table : (tensor<2x8xi64>, tensor<50x32xf32>) -> tensor<2x8x32xf32>
  %h = enc.layer_norm %x scale %ln_w bias %ln_b {epsilon = 1.0e-12 : f64}
      : (tensor<2x8x32xf32>, tensor<32xf32>, tensor<32xf32>) -> tensor<2x8x32xf32>

  // Q, K, V: [2, 8, 32] -> [2, 8, 4 heads, 8] -> [2, 4, 8, 8].
  %wq = enc.param "attention.query.weight" : tensor<32x32xf32>
  %bq = enc.param "attention.query.bias" : tensor<32xf32>
  %wk = enc.param "attention.key.weight" : tensor<32x32xf32>
  %bk = enc.param "attention.key.bias" : tensor<32xf32>
  %wv = enc.param "attention.value.weight" : tensor<32x32xf32>
  %bv = enc.param "attention.value.bias" : tensor<32xf32>
  %q = enc.linear %h, %wq, %bq : (tensor<2x8x32xf32>, tensor<32x32xf32>, tensor<32xf32>) -> tensor<2x8x32xf32>
  %k = enc.linear %h, %wk, %bk : (tensor<2x8x32xf32>, tensor<32x32xf32>, tensor<32xf32>) -> tensor<2x8x32xf32>
  %v = enc.linear %h, %wv, %bv : (tensor<2x8x32xf32>, tensor<32x32xf32>, tensor<32xf32>) -> tensor<2x8x32xf32>
  %q4 = tensor.expand_shape %q [[0], [1], [2, 3]] output_shape [2, 8, 4, 8] : tensor<2x8x32xf32> into tensor<2x8x4x8xf32>
  %k4 = tensor.expand_shape %k [[0], [1], [2, 3]] output_shape [2, 8, 4, 8] : tensor<2x8x32xf32> into tensor<2x8x4x8xf32>
  %v4 = tensor.expand_shape %v [[0], [1], [2, 3]] output_shape [2, 8, 4, 8] : tensor<2x8x32xf32> into tensor<2x8x4x8xf32>
  %heads = tensor.empty() : tensor<2x4x8x8xf32>
  %qh = linalg.transpose ins(%q4 : tensor<2x8x4x8xf32>) outs(%heads : tensor<2x4x8x8xf32>) permutation = [0, 2, 1, 3]
  %kh = linalg.transpose ins(%k4 : tensor<2x8x4x8xf32>) outs(%heads : tensor<2x4x8x8xf32>) permutation = [0, 2, 1, 3]
  %vh = linalg.transpose ins(%v4 : tensor<2x8x4x8xf32>) outs(%heads : tensor<2x4x8x8xf32>) permutation = [0, 2, 1, 3]

  // The Hugging Face attention_mask, broadcast over heads and queries.
  %mask = tensor.expand_shape %attention_mask [[0], [1, 2, 3]] output_shape [2, 1, 1, 8] : tensor<2x8xi64> into tensor<2x1x1x8xi64>
  %attn = enc.attention %qh, %kh, %vh mask %mask
      : (tensor<2x4x8x8xf32>, tensor<2x4x8x8xf32>, tensor<2x4x8x8xf32>, tensor<2x1x1x8xi64>) -> tensor<2x4x8x8xf32>
  %tokens = tensor.empty() : tensor<2x8x4x8xf32>
  %attn_t = linalg.transpose ins(%attn : tensor<2x4x8x8xf32>) outs(%tokens : tensor<2x8x4x8xf32>) permutation = [0, 2, 1, 3]
  %attn_c = tensor.collapse_shape %attn_t [[0], [1], [2, 3]] : tensor<2x8x4x8xf32> into tensor<2x8x32xf32>
  %wo = enc.param "attention.output.weight" : tensor<32x32xf32>
  %bo = enc.param "attention.output.bias" : tensor<32xf32>
  %proj = enc.linear %attn_c, %wo, %bo : (tensor<2x8x32xf32>, tensor<32x32xf32>, tensor<32xf32>) -> tensor<2x8x32xf32>
  %res = arith.addf %proj, %h : tensor<2x8x32xf32>

  %w1 = enc.param "intermediate.dense.weight" : tensor<64x32xf32>
  %b1 = enc.param "intermediate.dense.bias" : tensor<64xf32>
  %w2 = enc.param "output.dense.weight" : tensor<32x64xf32>
  %b2 = enc.param "output.dense.bias" : tensor<32xf32>
  %ff1 = enc.linear %res, %w1, %b1 : (tensor<2x8x32xf32>, tensor<64x32xf32>, tensor<64xf32>) -> tensor<2x8x64xf32>
  %act = enc.activation gelu %ff1 : tensor<2x8x64xf32>
  %ff2 = enc.linear %act, %w2, %b2 : (tensor<2x8x64xf32>, tensor<32x64xf32>, tensor<32xf32>) -> tensor<2x8x32xf32>

  %pooled = enc.pool mean %ff2 mask %attention_mask : (tensor<2x8x32xf32>, tensor<2x8xi64>) -> tensor<2x32xf32>
  %wc = enc.param "classifier.weight" : tensor<5x32xf32>
  %bc = enc.param "classifier.bias" : tensor<5xf32>
  %logits = enc.linear %pooled, %wc, %bc : (tensor<2x32xf32>, tensor<5x32xf32>, tensor<5xf32>) -> tensor<2x5xf32>
  %loss = enc.cross_entropy %logits, %labels : (tensor<2x5xf32>, tensor<2xi64>) -> tensor<f32>
  return %loss, %logits, %pooled : tensor<f32>, tensor<2x5xf32>, tensor<2x32xf32>
}
