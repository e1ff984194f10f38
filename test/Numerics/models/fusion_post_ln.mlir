// A post-LN encoder layer (BERT's) on dynamic batch and sequence, then a
// pre-LN-style residual whose sum has two users. The graph passes turn it
// into (test/Pipelines/fusion.mlir checks the IR):
//   - Q, K, V: one linear on an enc.packed_param (enc-merge-projections);
//   - attention output + x -> layer_norm: layer_norm %ao residual %x;
//   - intermediate linear + gelu: linear {activation = gelu};
//   - output linear + h1 -> layer_norm: layer_norm %ff2 residual %h1;
//   - tail: linear + tanh + add: linear residual {activation = tanh}.
func.func @main(%x: tensor<?x?x32xf32> {enc.name = "hidden"},
                %attention_mask: tensor<?x?xi64> {enc.name = "attention_mask"})
    -> (tensor<?x?x32xf32> {enc.name = "layer"}, tensor<?x?x32xf32> {enc.name = "tail"},
        tensor<?x?x32xf32> {enc.name = "tail_norm"}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %batch = tensor.dim %x, %c0 : tensor<?x?x32xf32>
  %seq = tensor.dim %x, %c1 : tensor<?x?x32xf32>
  %heads_empty = tensor.empty(%batch, %seq) : tensor<?x4x?x8xf32>
  %tokens_empty = tensor.empty(%batch, %seq) : tensor<?x?x4x8xf32>

  %wq = enc.param "attention.query.weight" : tensor<32x32xf32>
  %bq = enc.param "attention.query.bias" : tensor<32xf32>
  %q = enc.linear %x, %wq, %bq : (tensor<?x?x32xf32>, tensor<32x32xf32>, tensor<32xf32>) -> tensor<?x?x32xf32>
  %q4 = tensor.expand_shape %q [[0], [1], [2, 3]] output_shape [%batch, %seq, 4, 8] : tensor<?x?x32xf32> into tensor<?x?x4x8xf32>
  %qh = linalg.transpose ins(%q4 : tensor<?x?x4x8xf32>) outs(%heads_empty : tensor<?x4x?x8xf32>) permutation = [0, 2, 1, 3]
  %wk = enc.param "attention.key.weight" : tensor<32x32xf32>
  %bk = enc.param "attention.key.bias" : tensor<32xf32>
  %k = enc.linear %x, %wk, %bk : (tensor<?x?x32xf32>, tensor<32x32xf32>, tensor<32xf32>) -> tensor<?x?x32xf32>
  %k4 = tensor.expand_shape %k [[0], [1], [2, 3]] output_shape [%batch, %seq, 4, 8] : tensor<?x?x32xf32> into tensor<?x?x4x8xf32>
  %kh = linalg.transpose ins(%k4 : tensor<?x?x4x8xf32>) outs(%heads_empty : tensor<?x4x?x8xf32>) permutation = [0, 2, 1, 3]
  %wv = enc.param "attention.value.weight" : tensor<32x32xf32>
  %bv = enc.param "attention.value.bias" : tensor<32xf32>
  %v = enc.linear %x, %wv, %bv : (tensor<?x?x32xf32>, tensor<32x32xf32>, tensor<32xf32>) -> tensor<?x?x32xf32>
  %v4 = tensor.expand_shape %v [[0], [1], [2, 3]] output_shape [%batch, %seq, 4, 8] : tensor<?x?x32xf32> into tensor<?x?x4x8xf32>
  %vh = linalg.transpose ins(%v4 : tensor<?x?x4x8xf32>) outs(%heads_empty : tensor<?x4x?x8xf32>) permutation = [0, 2, 1, 3]

  %mask = tensor.expand_shape %attention_mask [[0], [1, 2, 3]] output_shape [%batch, 1, 1, %seq] : tensor<?x?xi64> into tensor<?x1x1x?xi64>
  %ctx = enc.attention %qh, %kh, %vh mask %mask
      : (tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32>, tensor<?x4x?x8xf32>, tensor<?x1x1x?xi64>) -> tensor<?x4x?x8xf32>
  %ctx_t = linalg.transpose ins(%ctx : tensor<?x4x?x8xf32>) outs(%tokens_empty : tensor<?x?x4x8xf32>) permutation = [0, 2, 1, 3]
  %ctx_c = tensor.collapse_shape %ctx_t [[0], [1], [2, 3]] : tensor<?x?x4x8xf32> into tensor<?x?x32xf32>
  %wo = enc.param "attention.output.dense.weight" : tensor<32x32xf32>
  %bo = enc.param "attention.output.dense.bias" : tensor<32xf32>
  %ao = enc.linear %ctx_c, %wo, %bo : (tensor<?x?x32xf32>, tensor<32x32xf32>, tensor<32xf32>) -> tensor<?x?x32xf32>
  %res1 = arith.addf %ao, %x : tensor<?x?x32xf32>
  %ln1_w = enc.param "attention.output.LayerNorm.weight" : tensor<32xf32>
  %ln1_b = enc.param "attention.output.LayerNorm.bias" : tensor<32xf32>
  %h1 = enc.layer_norm %res1 scale %ln1_w bias %ln1_b {epsilon = 1.0e-12 : f64}
      : (tensor<?x?x32xf32>, tensor<32xf32>, tensor<32xf32>) -> tensor<?x?x32xf32>

  %w1 = enc.param "intermediate.dense.weight" : tensor<64x32xf32>
  %b1 = enc.param "intermediate.dense.bias" : tensor<64xf32>
  %ff1 = enc.linear %h1, %w1, %b1 : (tensor<?x?x32xf32>, tensor<64x32xf32>, tensor<64xf32>) -> tensor<?x?x64xf32>
  %act = enc.activation gelu %ff1 : tensor<?x?x64xf32>
  %w2 = enc.param "output.dense.weight" : tensor<32x64xf32>
  %b2 = enc.param "output.dense.bias" : tensor<32xf32>
  %ff2 = enc.linear %act, %w2, %b2 : (tensor<?x?x64xf32>, tensor<32x64xf32>, tensor<32xf32>) -> tensor<?x?x32xf32>
  %res2 = arith.addf %ff2, %h1 : tensor<?x?x32xf32>
  %ln2_w = enc.param "output.LayerNorm.weight" : tensor<32xf32>
  %ln2_b = enc.param "output.LayerNorm.bias" : tensor<32xf32>
  %out = enc.layer_norm %res2 scale %ln2_w bias %ln2_b {epsilon = 1.0e-12 : f64}
      : (tensor<?x?x32xf32>, tensor<32xf32>, tensor<32xf32>) -> tensor<?x?x32xf32>

  %wt = enc.param "tail.weight" : tensor<32x32xf32>
  %bt = enc.param "tail.bias" : tensor<32xf32>
  %tail = enc.linear %out, %wt, %bt : (tensor<?x?x32xf32>, tensor<32x32xf32>, tensor<32xf32>) -> tensor<?x?x32xf32>
  %tail_act = enc.activation tanh %tail : tensor<?x?x32xf32>
  %sum = arith.addf %out, %tail_act : tensor<?x?x32xf32>
  %sum_norm = enc.layer_norm %sum {epsilon = 1.0e-5 : f64} : (tensor<?x?x32xf32>) -> tensor<?x?x32xf32>
  return %out, %sum, %sum_norm : tensor<?x?x32xf32>, tensor<?x?x32xf32>, tensor<?x?x32xf32>
}
