// The graph-level fusions in the compile pipeline (encoder-compile's enc
// preparation): a post-LN BERT layer as an importer from PyTorch would
// write it (attention with batch_matmul / transpose / softmax on
// [B*H, S, D]), the tiny_bert example, the BERT config, and the numerics
// models of hand-written attention. Packing is off: the weights keep the
// shapes the checks name (test/Graph/enc-pack-weights.mlir packs).
// RUN: encoder-compile %s --emit=enc --disable=weight-packing | FileCheck %s --implicit-check-not=linalg.softmax --implicit-check-not=batch_matmul --implicit-check-not=enc.activation --implicit-check-not=arith.addf
// RUN: encoder-compile %s --emit=enc --disable=attention-recognition,projection-merging,epilogue-fusion,residual-norm-fusion,weight-packing | FileCheck %s --check-prefix=OFF
// RUN: encoder-compile %S/../../examples/tiny_bert.mlir --emit=enc --disable=weight-packing | FileCheck %s --check-prefix=TINY --implicit-check-not=enc.activation --implicit-check-not=arith.addf
// RUN: encoder-compile %S/../../examples/bert --emit=enc --disable=weight-packing | FileCheck %s --check-prefix=BERT --implicit-check-not=enc.activation --implicit-check-not=arith.addf
// RUN: encoder-compile %S/../Numerics/models/fusion_attention.mlir --emit=enc --disable=weight-packing | FileCheck %s --check-prefix=ATTN --implicit-check-not=linalg.softmax --implicit-check-not=linalg.generic --implicit-check-not=linalg.matmul --implicit-check-not=linalg.batch_matmul
// RUN: encoder-compile %S/../Numerics/models/fusion_post_ln.mlir --emit=enc --disable=weight-packing | FileCheck %s --check-prefix=POSTLN --implicit-check-not=enc.activation --implicit-check-not=arith.addf

// Q, K and V: one linear on the concatenated parameters, sliced. The
// attention: enc.attention on [1, B*H, S, D] with the matched scale. The
// output projection's residual and the layer norm: one norm. The
// intermediate gelu: the linear's epilogue. No separate add, activation or
// softmax is left.
// CHECK-LABEL: func.func @main
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<2x5x8xf32>
// CHECK-SAME: enc.param = "q.weight+k.weight+v.weight"
// CHECK-SAME: enc.param = "q.bias+k.bias+v.bias"
// CHECK: %[[QKV:.*]] = enc.linear %[[X]], %{{.*}}, %{{.*}} : (tensor<2x5x8xf32>, tensor<24x8xf32>, tensor<24xf32>) -> tensor<2x5x24xf32>
// CHECK-DAG: tensor.extract_slice %[[QKV]][0, 0, 0] [2, 5, 8]
// CHECK-DAG: tensor.extract_slice %[[QKV]][0, 0, 8] [2, 5, 8]
// CHECK-DAG: tensor.extract_slice %[[QKV]][0, 0, 16] [2, 5, 8]
// CHECK: enc.attention {{.*}} {scale = 5.000000e-01 : f64} : (tensor<1x4x5x4xf32>, tensor<1x4x5x4xf32>, tensor<1x4x5x4xf32>, tensor<1x1x1x5xf32>) -> tensor<1x4x5x4xf32>
// CHECK: %[[AO:.*]] = enc.linear
// CHECK: %[[H1:.*]] = enc.layer_norm %[[AO]] residual %[[X]] scale
// CHECK: %[[FF1:.*]] = enc.linear %[[H1]], %{{.*}}, %{{.*}} {activation = #enc<activation gelu>}
// CHECK: %[[FF2:.*]] = enc.linear %[[FF1]]
// CHECK: %[[OUT:.*]] = enc.layer_norm %[[FF2]] residual %[[H1]] scale
// CHECK: return %[[OUT]]

// Each fusion can be switched off.
// OFF-LABEL: func.func @main
// OFF-NOT: enc.packed_param
// OFF-NOT: enc.attention
// OFF: linalg.batch_matmul
// OFF: linalg.softmax
// OFF: linalg.batch_matmul
// OFF: enc.activation gelu
// OFF-NOT: residual

// tiny_bert: the embeddings' sum into the first norm; per layer Q/K/V
// merged, both residual norms fused, gelu in the intermediate linear; the
// pooler's tanh in its linear.
// TINY-LABEL: func.func @main
// TINY: enc.layer_norm %{{.*}} residual %{{.*}} scale
// TINY: enc.linear %{{.*}} : (tensor<2x16x64xf32>, tensor<192x64xf32>, tensor<192xf32>) -> tensor<2x16x192xf32>
// TINY: enc.attention
// TINY: enc.layer_norm %{{.*}} residual %{{.*}} scale
// TINY: enc.linear {{.*}} {activation = #enc<activation gelu>}
// TINY: enc.layer_norm %{{.*}} residual %{{.*}} scale
// TINY: enc.linear %{{.*}} : (tensor<2x16x64xf32>, tensor<192x64xf32>, tensor<192xf32>) -> tensor<2x16x192xf32>
// TINY: enc.attention
// TINY: enc.layer_norm %{{.*}} residual %{{.*}} scale
// TINY: enc.linear {{.*}} {activation = #enc<activation gelu>}
// TINY: enc.layer_norm %{{.*}} residual %{{.*}} scale
// TINY: enc.linear {{.*}} {activation = #enc<activation tanh>} : (tensor<2x64xf32>

// The BERT config (dynamic batch and sequence): the same per layer.
// BERT-LABEL: func.func @main
// BERT-SAME: enc.param = "encoder.layer.0.attention.self.query.weight+encoder.layer.0.attention.self.key.weight+encoder.layer.0.attention.self.value.weight"
// BERT: enc.linear %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x?x64xf32>, tensor<192x64xf32>, tensor<192xf32>) -> tensor<?x?x192xf32>
// BERT: tensor.extract_slice %{{.*}}[0, 0, 128] [%{{.*}}, %{{.*}}, 64] [1, 1, 1] : tensor<?x?x192xf32> to tensor<?x?x64xf32>
// BERT: enc.attention
// BERT: enc.layer_norm %{{.*}} residual
// BERT: enc.linear {{.*}} {activation = #enc<activation gelu>}
// BERT: enc.layer_norm %{{.*}} residual
// BERT: enc.linear %{{.*}} : (tensor<?x?x64xf32>, tensor<192x64xf32>, tensor<192xf32>) -> tensor<?x?x192xf32>

// Every hand-written form of the numerics model is recognized.
// ATTN-LABEL: func.func @main
// ATTN-COUNT-4: enc.attention

// POSTLN-LABEL: func.func @main
// POSTLN: enc.linear %{{.*}} : (tensor<?x?x32xf32>, tensor<96x32xf32>, tensor<96xf32>) -> tensor<?x?x96xf32>
// POSTLN: enc.layer_norm %{{.*}} residual %{{.*}} scale
// POSTLN: enc.linear {{.*}} {activation = #enc<activation gelu>}
// POSTLN: enc.layer_norm %{{.*}} residual %{{.*}} scale
// POSTLN: %[[TAIL:.*]] = enc.linear %[[OUT:[0-9]+]], %{{.*}}, %{{.*}} residual %[[OUT]] {activation = #enc<activation tanh>}
// POSTLN: enc.layer_norm %[[TAIL]] :

func.func @main(%x: tensor<2x5x8xf32> {enc.name = "hidden"}) -> tensor<2x5x8xf32> {
  %zero = arith.constant 0.0 : f32
  %wq = enc.param "q.weight" : tensor<8x8xf32>
  %bq = enc.param "q.bias" : tensor<8xf32>
  %wk = enc.param "k.weight" : tensor<8x8xf32>
  %bk = enc.param "k.bias" : tensor<8xf32>
  %wv = enc.param "v.weight" : tensor<8x8xf32>
  %bv = enc.param "v.bias" : tensor<8xf32>
  %q = enc.linear %x, %wq, %bq : (tensor<2x5x8xf32>, tensor<8x8xf32>, tensor<8xf32>) -> tensor<2x5x8xf32>
  %k = enc.linear %x, %wk, %bk : (tensor<2x5x8xf32>, tensor<8x8xf32>, tensor<8xf32>) -> tensor<2x5x8xf32>
  %v = enc.linear %x, %wv, %bv : (tensor<2x5x8xf32>, tensor<8x8xf32>, tensor<8xf32>) -> tensor<2x5x8xf32>

  // [B, S, H*D] -> [B*H, S, D]
  %heads = tensor.empty() : tensor<2x2x5x4xf32>
  %q4 = tensor.expand_shape %q [[0], [1], [2, 3]] output_shape [2, 5, 2, 4] : tensor<2x5x8xf32> into tensor<2x5x2x4xf32>
  %qt = linalg.transpose ins(%q4 : tensor<2x5x2x4xf32>) outs(%heads : tensor<2x2x5x4xf32>) permutation = [0, 2, 1, 3]
  %qh = tensor.collapse_shape %qt [[0, 1], [2], [3]] : tensor<2x2x5x4xf32> into tensor<4x5x4xf32>
  %k4 = tensor.expand_shape %k [[0], [1], [2, 3]] output_shape [2, 5, 2, 4] : tensor<2x5x8xf32> into tensor<2x5x2x4xf32>
  %kt4 = linalg.transpose ins(%k4 : tensor<2x5x2x4xf32>) outs(%heads : tensor<2x2x5x4xf32>) permutation = [0, 2, 1, 3]
  %kh = tensor.collapse_shape %kt4 [[0, 1], [2], [3]] : tensor<2x2x5x4xf32> into tensor<4x5x4xf32>
  %v4 = tensor.expand_shape %v [[0], [1], [2, 3]] output_shape [2, 5, 2, 4] : tensor<2x5x8xf32> into tensor<2x5x2x4xf32>
  %vt = linalg.transpose ins(%v4 : tensor<2x5x2x4xf32>) outs(%heads : tensor<2x2x5x4xf32>) permutation = [0, 2, 1, 3]
  %vh = tensor.collapse_shape %vt [[0, 1], [2], [3]] : tensor<2x2x5x4xf32> into tensor<4x5x4xf32>

  // softmax(Q Kᵀ · 0.5 + mask) V
  %kt_init = tensor.empty() : tensor<4x4x5xf32>
  %kt = linalg.transpose ins(%kh : tensor<4x5x4xf32>) outs(%kt_init : tensor<4x4x5xf32>) permutation = [0, 2, 1]
  %s_init = tensor.empty() : tensor<4x5x5xf32>
  %s_zero = linalg.fill ins(%zero : f32) outs(%s_init : tensor<4x5x5xf32>) -> tensor<4x5x5xf32>
  %s = linalg.batch_matmul ins(%qh, %kt : tensor<4x5x4xf32>, tensor<4x4x5xf32>) outs(%s_zero : tensor<4x5x5xf32>) -> tensor<4x5x5xf32>
  %half = arith.constant dense<0.5> : tensor<4x5x5xf32>
  %s_scaled = arith.mulf %s, %half : tensor<4x5x5xf32>
  %mask = arith.constant dense<[0.0, 0.0, 0.0, -10000.0, -10000.0]> : tensor<5xf32>
  %mask_b = linalg.broadcast ins(%mask : tensor<5xf32>) outs(%s_init : tensor<4x5x5xf32>) dimensions = [0, 1]
  %s_masked = arith.addf %s_scaled, %mask_b : tensor<4x5x5xf32>
  %p = linalg.softmax dimension(2) ins(%s_masked : tensor<4x5x5xf32>) outs(%s_init : tensor<4x5x5xf32>) -> tensor<4x5x5xf32>
  %o_init = tensor.empty() : tensor<4x5x4xf32>
  %o_zero = linalg.fill ins(%zero : f32) outs(%o_init : tensor<4x5x4xf32>) -> tensor<4x5x4xf32>
  %o = linalg.batch_matmul ins(%p, %vh : tensor<4x5x5xf32>, tensor<4x5x4xf32>) outs(%o_zero : tensor<4x5x4xf32>) -> tensor<4x5x4xf32>

  // [B*H, S, D] -> [B, S, H*D]
  %o4 = tensor.expand_shape %o [[0, 1], [2], [3]] output_shape [2, 2, 5, 4] : tensor<4x5x4xf32> into tensor<2x2x5x4xf32>
  %tokens = tensor.empty() : tensor<2x5x2x4xf32>
  %ot = linalg.transpose ins(%o4 : tensor<2x2x5x4xf32>) outs(%tokens : tensor<2x5x2x4xf32>) permutation = [0, 2, 1, 3]
  %ctx = tensor.collapse_shape %ot [[0], [1], [2, 3]] : tensor<2x5x2x4xf32> into tensor<2x5x8xf32>

  %wo = enc.param "o.weight" : tensor<8x8xf32>
  %bo = enc.param "o.bias" : tensor<8xf32>
  %ao = enc.linear %ctx, %wo, %bo : (tensor<2x5x8xf32>, tensor<8x8xf32>, tensor<8xf32>) -> tensor<2x5x8xf32>
  %res1 = arith.addf %ao, %x : tensor<2x5x8xf32>
  %g1 = enc.param "ln1.weight" : tensor<8xf32>
  %b1 = enc.param "ln1.bias" : tensor<8xf32>
  %h1 = enc.layer_norm %res1 scale %g1 bias %b1 {epsilon = 1.0e-12 : f64} : (tensor<2x5x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<2x5x8xf32>
  %w1 = enc.param "ff1.weight" : tensor<16x8xf32>
  %c1 = enc.param "ff1.bias" : tensor<16xf32>
  %ff1 = enc.linear %h1, %w1, %c1 : (tensor<2x5x8xf32>, tensor<16x8xf32>, tensor<16xf32>) -> tensor<2x5x16xf32>
  %act = enc.activation gelu %ff1 : tensor<2x5x16xf32>
  %w2 = enc.param "ff2.weight" : tensor<8x16xf32>
  %c2 = enc.param "ff2.bias" : tensor<8xf32>
  %ff2 = enc.linear %act, %w2, %c2 : (tensor<2x5x16xf32>, tensor<8x16xf32>, tensor<8xf32>) -> tensor<2x5x8xf32>
  %res2 = arith.addf %ff2, %h1 : tensor<2x5x8xf32>
  %g2 = enc.param "ln2.weight" : tensor<8xf32>
  %b2 = enc.param "ln2.bias" : tensor<8xf32>
  %out = enc.layer_norm %res2 scale %g2 bias %b2 {epsilon = 1.0e-12 : f64} : (tensor<2x5x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<2x5x8xf32>
  return %out : tensor<2x5x8xf32>
}
