// A tiny BERT-style sentence classifier: the example that
// scripts/example.sh compiles and runs. Two post-LN encoder layers
// (hidden 64, 4 heads, FFN 256), learned positions, BERT's pooler
// (tanh of a linear layer on [CLS]) and a classification head. Parameter
// names follow Hugging Face's BertForSequenceClassification checkpoints.
func.func @main(%input_ids: tensor<2x16xi64> {enc.name = "input_ids"},
                %attention_mask: tensor<2x16xi64> {enc.name = "attention_mask"})
    -> (tensor<2x3xf32> {enc.name = "logits"}, tensor<2x64xf32> {enc.name = "pooled"}) {
  // Embeddings: words + learned positions, then LayerNorm.
  %word_table = enc.param "bert.embeddings.word_embeddings.weight" : tensor<1000x64xf32>
  %pos_table = enc.param "bert.embeddings.position_embeddings.weight" : tensor<512x64xf32>
  %words = enc.embedding %input_ids, %word_table : (tensor<2x16xi64>, tensor<1000x64xf32>) -> tensor<2x16x64xf32>
  %position_ids = arith.constant dense<[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]> : tensor<16xi64>
  %pos = enc.embedding %position_ids, %pos_table : (tensor<16xi64>, tensor<512x64xf32>) -> tensor<16x64xf32>
  %pos_empty = tensor.empty() : tensor<2x16x64xf32>
  %pos_b = linalg.broadcast ins(%pos : tensor<16x64xf32>) outs(%pos_empty : tensor<2x16x64xf32>) dimensions = [0]
  %emb = arith.addf %words, %pos_b : tensor<2x16x64xf32>
  %emb_ln_w = enc.param "bert.embeddings.LayerNorm.weight" : tensor<64xf32>
  %emb_ln_b = enc.param "bert.embeddings.LayerNorm.bias" : tensor<64xf32>
  %h0 = enc.layer_norm %emb scale %emb_ln_w bias %emb_ln_b {epsilon = 1.0e-12 : f64} : (tensor<2x16x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<2x16x64xf32>
  %mask = tensor.expand_shape %attention_mask [[0], [1, 2, 3]] output_shape [2, 1, 1, 16] : tensor<2x16xi64> into tensor<2x1x1x16xi64>
  %heads_empty = tensor.empty() : tensor<2x4x16x16xf32>
  %tokens_empty = tensor.empty() : tensor<2x16x4x16xf32>

  // Layer 0: self-attention.
  %l0_query_w = enc.param "bert.encoder.layer.0.attention.self.query.weight" : tensor<64x64xf32>
  %l0_query_b = enc.param "bert.encoder.layer.0.attention.self.query.bias" : tensor<64xf32>
  %l0_query = enc.linear %h0, %l0_query_w, %l0_query_b : (tensor<2x16x64xf32>, tensor<64x64xf32>, tensor<64xf32>) -> tensor<2x16x64xf32>
  %l0_query_4 = tensor.expand_shape %l0_query [[0], [1], [2, 3]] output_shape [2, 16, 4, 16] : tensor<2x16x64xf32> into tensor<2x16x4x16xf32>
  %l0_query_h = linalg.transpose ins(%l0_query_4 : tensor<2x16x4x16xf32>) outs(%heads_empty : tensor<2x4x16x16xf32>) permutation = [0, 2, 1, 3]
  %l0_key_w = enc.param "bert.encoder.layer.0.attention.self.key.weight" : tensor<64x64xf32>
  %l0_key_b = enc.param "bert.encoder.layer.0.attention.self.key.bias" : tensor<64xf32>
  %l0_key = enc.linear %h0, %l0_key_w, %l0_key_b : (tensor<2x16x64xf32>, tensor<64x64xf32>, tensor<64xf32>) -> tensor<2x16x64xf32>
  %l0_key_4 = tensor.expand_shape %l0_key [[0], [1], [2, 3]] output_shape [2, 16, 4, 16] : tensor<2x16x64xf32> into tensor<2x16x4x16xf32>
  %l0_key_h = linalg.transpose ins(%l0_key_4 : tensor<2x16x4x16xf32>) outs(%heads_empty : tensor<2x4x16x16xf32>) permutation = [0, 2, 1, 3]
  %l0_value_w = enc.param "bert.encoder.layer.0.attention.self.value.weight" : tensor<64x64xf32>
  %l0_value_b = enc.param "bert.encoder.layer.0.attention.self.value.bias" : tensor<64xf32>
  %l0_value = enc.linear %h0, %l0_value_w, %l0_value_b : (tensor<2x16x64xf32>, tensor<64x64xf32>, tensor<64xf32>) -> tensor<2x16x64xf32>
  %l0_value_4 = tensor.expand_shape %l0_value [[0], [1], [2, 3]] output_shape [2, 16, 4, 16] : tensor<2x16x64xf32> into tensor<2x16x4x16xf32>
  %l0_value_h = linalg.transpose ins(%l0_value_4 : tensor<2x16x4x16xf32>) outs(%heads_empty : tensor<2x4x16x16xf32>) permutation = [0, 2, 1, 3]
  %l0_ctx = enc.attention %l0_query_h, %l0_key_h, %l0_value_h mask %mask : (tensor<2x4x16x16xf32>, tensor<2x4x16x16xf32>, tensor<2x4x16x16xf32>, tensor<2x1x1x16xi64>) -> tensor<2x4x16x16xf32>
  %l0_ctx_t = linalg.transpose ins(%l0_ctx : tensor<2x4x16x16xf32>) outs(%tokens_empty : tensor<2x16x4x16xf32>) permutation = [0, 2, 1, 3]
  %l0_ctx_c = tensor.collapse_shape %l0_ctx_t [[0], [1], [2, 3]] : tensor<2x16x4x16xf32> into tensor<2x16x64xf32>
  %l0_ao_w = enc.param "bert.encoder.layer.0.attention.output.dense.weight" : tensor<64x64xf32>
  %l0_ao_b = enc.param "bert.encoder.layer.0.attention.output.dense.bias" : tensor<64xf32>
  %l0_ao = enc.linear %l0_ctx_c, %l0_ao_w, %l0_ao_b : (tensor<2x16x64xf32>, tensor<64x64xf32>, tensor<64xf32>) -> tensor<2x16x64xf32>
  %l0_res1 = arith.addf %l0_ao, %h0 : tensor<2x16x64xf32>
  %l0_ln1_w = enc.param "bert.encoder.layer.0.attention.output.LayerNorm.weight" : tensor<64xf32>
  %l0_ln1_b = enc.param "bert.encoder.layer.0.attention.output.LayerNorm.bias" : tensor<64xf32>
  %l0_h1 = enc.layer_norm %l0_res1 scale %l0_ln1_w bias %l0_ln1_b {epsilon = 1.0e-12 : f64} : (tensor<2x16x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<2x16x64xf32>
  // Layer 0: feed-forward.
  %l0_ff1_w = enc.param "bert.encoder.layer.0.intermediate.dense.weight" : tensor<256x64xf32>
  %l0_ff1_b = enc.param "bert.encoder.layer.0.intermediate.dense.bias" : tensor<256xf32>
  %l0_ff1 = enc.linear %l0_h1, %l0_ff1_w, %l0_ff1_b : (tensor<2x16x64xf32>, tensor<256x64xf32>, tensor<256xf32>) -> tensor<2x16x256xf32>
  %l0_act = enc.activation gelu %l0_ff1 : tensor<2x16x256xf32>
  %l0_ff2_w = enc.param "bert.encoder.layer.0.output.dense.weight" : tensor<64x256xf32>
  %l0_ff2_b = enc.param "bert.encoder.layer.0.output.dense.bias" : tensor<64xf32>
  %l0_ff2 = enc.linear %l0_act, %l0_ff2_w, %l0_ff2_b : (tensor<2x16x256xf32>, tensor<64x256xf32>, tensor<64xf32>) -> tensor<2x16x64xf32>
  %l0_res2 = arith.addf %l0_ff2, %l0_h1 : tensor<2x16x64xf32>
  %l0_ln2_w = enc.param "bert.encoder.layer.0.output.LayerNorm.weight" : tensor<64xf32>
  %l0_ln2_b = enc.param "bert.encoder.layer.0.output.LayerNorm.bias" : tensor<64xf32>
  %l0_out = enc.layer_norm %l0_res2 scale %l0_ln2_w bias %l0_ln2_b {epsilon = 1.0e-12 : f64} : (tensor<2x16x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<2x16x64xf32>

  // Layer 1: self-attention.
  %l1_query_w = enc.param "bert.encoder.layer.1.attention.self.query.weight" : tensor<64x64xf32>
  %l1_query_b = enc.param "bert.encoder.layer.1.attention.self.query.bias" : tensor<64xf32>
  %l1_query = enc.linear %l0_out, %l1_query_w, %l1_query_b : (tensor<2x16x64xf32>, tensor<64x64xf32>, tensor<64xf32>) -> tensor<2x16x64xf32>
  %l1_query_4 = tensor.expand_shape %l1_query [[0], [1], [2, 3]] output_shape [2, 16, 4, 16] : tensor<2x16x64xf32> into tensor<2x16x4x16xf32>
  %l1_query_h = linalg.transpose ins(%l1_query_4 : tensor<2x16x4x16xf32>) outs(%heads_empty : tensor<2x4x16x16xf32>) permutation = [0, 2, 1, 3]
  %l1_key_w = enc.param "bert.encoder.layer.1.attention.self.key.weight" : tensor<64x64xf32>
  %l1_key_b = enc.param "bert.encoder.layer.1.attention.self.key.bias" : tensor<64xf32>
  %l1_key = enc.linear %l0_out, %l1_key_w, %l1_key_b : (tensor<2x16x64xf32>, tensor<64x64xf32>, tensor<64xf32>) -> tensor<2x16x64xf32>
  %l1_key_4 = tensor.expand_shape %l1_key [[0], [1], [2, 3]] output_shape [2, 16, 4, 16] : tensor<2x16x64xf32> into tensor<2x16x4x16xf32>
  %l1_key_h = linalg.transpose ins(%l1_key_4 : tensor<2x16x4x16xf32>) outs(%heads_empty : tensor<2x4x16x16xf32>) permutation = [0, 2, 1, 3]
  %l1_value_w = enc.param "bert.encoder.layer.1.attention.self.value.weight" : tensor<64x64xf32>
  %l1_value_b = enc.param "bert.encoder.layer.1.attention.self.value.bias" : tensor<64xf32>
  %l1_value = enc.linear %l0_out, %l1_value_w, %l1_value_b : (tensor<2x16x64xf32>, tensor<64x64xf32>, tensor<64xf32>) -> tensor<2x16x64xf32>
  %l1_value_4 = tensor.expand_shape %l1_value [[0], [1], [2, 3]] output_shape [2, 16, 4, 16] : tensor<2x16x64xf32> into tensor<2x16x4x16xf32>
  %l1_value_h = linalg.transpose ins(%l1_value_4 : tensor<2x16x4x16xf32>) outs(%heads_empty : tensor<2x4x16x16xf32>) permutation = [0, 2, 1, 3]
  %l1_ctx = enc.attention %l1_query_h, %l1_key_h, %l1_value_h mask %mask : (tensor<2x4x16x16xf32>, tensor<2x4x16x16xf32>, tensor<2x4x16x16xf32>, tensor<2x1x1x16xi64>) -> tensor<2x4x16x16xf32>
  %l1_ctx_t = linalg.transpose ins(%l1_ctx : tensor<2x4x16x16xf32>) outs(%tokens_empty : tensor<2x16x4x16xf32>) permutation = [0, 2, 1, 3]
  %l1_ctx_c = tensor.collapse_shape %l1_ctx_t [[0], [1], [2, 3]] : tensor<2x16x4x16xf32> into tensor<2x16x64xf32>
  %l1_ao_w = enc.param "bert.encoder.layer.1.attention.output.dense.weight" : tensor<64x64xf32>
  %l1_ao_b = enc.param "bert.encoder.layer.1.attention.output.dense.bias" : tensor<64xf32>
  %l1_ao = enc.linear %l1_ctx_c, %l1_ao_w, %l1_ao_b : (tensor<2x16x64xf32>, tensor<64x64xf32>, tensor<64xf32>) -> tensor<2x16x64xf32>
  %l1_res1 = arith.addf %l1_ao, %l0_out : tensor<2x16x64xf32>
  %l1_ln1_w = enc.param "bert.encoder.layer.1.attention.output.LayerNorm.weight" : tensor<64xf32>
  %l1_ln1_b = enc.param "bert.encoder.layer.1.attention.output.LayerNorm.bias" : tensor<64xf32>
  %l1_h1 = enc.layer_norm %l1_res1 scale %l1_ln1_w bias %l1_ln1_b {epsilon = 1.0e-12 : f64} : (tensor<2x16x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<2x16x64xf32>
  // Layer 1: feed-forward.
  %l1_ff1_w = enc.param "bert.encoder.layer.1.intermediate.dense.weight" : tensor<256x64xf32>
  %l1_ff1_b = enc.param "bert.encoder.layer.1.intermediate.dense.bias" : tensor<256xf32>
  %l1_ff1 = enc.linear %l1_h1, %l1_ff1_w, %l1_ff1_b : (tensor<2x16x64xf32>, tensor<256x64xf32>, tensor<256xf32>) -> tensor<2x16x256xf32>
  %l1_act = enc.activation gelu %l1_ff1 : tensor<2x16x256xf32>
  %l1_ff2_w = enc.param "bert.encoder.layer.1.output.dense.weight" : tensor<64x256xf32>
  %l1_ff2_b = enc.param "bert.encoder.layer.1.output.dense.bias" : tensor<64xf32>
  %l1_ff2 = enc.linear %l1_act, %l1_ff2_w, %l1_ff2_b : (tensor<2x16x256xf32>, tensor<64x256xf32>, tensor<64xf32>) -> tensor<2x16x64xf32>
  %l1_res2 = arith.addf %l1_ff2, %l1_h1 : tensor<2x16x64xf32>
  %l1_ln2_w = enc.param "bert.encoder.layer.1.output.LayerNorm.weight" : tensor<64xf32>
  %l1_ln2_b = enc.param "bert.encoder.layer.1.output.LayerNorm.bias" : tensor<64xf32>
  %l1_out = enc.layer_norm %l1_res2 scale %l1_ln2_w bias %l1_ln2_b {epsilon = 1.0e-12 : f64} : (tensor<2x16x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<2x16x64xf32>

  // Pooler: tanh(W [CLS] + b); then the classifier.
  %cls = enc.pool cls %l1_out : (tensor<2x16x64xf32>) -> tensor<2x64xf32>
  %pool_w = enc.param "bert.pooler.dense.weight" : tensor<64x64xf32>
  %pool_b = enc.param "bert.pooler.dense.bias" : tensor<64xf32>
  %pool_lin = enc.linear %cls, %pool_w, %pool_b : (tensor<2x64xf32>, tensor<64x64xf32>, tensor<64xf32>) -> tensor<2x64xf32>
  %pooled = enc.activation tanh %pool_lin : tensor<2x64xf32>
  %cls_w = enc.param "classifier.weight" : tensor<3x64xf32>
  %cls_b = enc.param "classifier.bias" : tensor<3xf32>
  %logits = enc.linear %pooled, %cls_w, %cls_b : (tensor<2x64xf32>, tensor<3x64xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %logits, %pooled : tensor<2x3xf32>, tensor<2x64xf32>
}
