// RUN: encoder-opt %s -split-input-file -verify-diagnostics

func.func @param_empty_name() -> tensor<4xf32> {
  // expected-error @+1 {{needs a non-empty parameter name}}
  %w = enc.param "" : tensor<4xf32>
  return %w : tensor<4xf32>
}

// -----

func.func @param_dynamic_shape() -> tensor<?xf32> {
  // expected-error @+1 {{must be statically shaped tensor}}
  %w = enc.param "w" : tensor<?xf32>
  return %w : tensor<?xf32>
}

// -----

func.func @linear_scalar_input(%x: tensor<f32>, %w: tensor<4x3xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{input must have rank >= 1}}
  %0 = enc.linear %x, %w : (tensor<f32>, tensor<4x3xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @linear_weight_rank(%x: tensor<2x3xf32>, %w: tensor<4x3x1x1xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{weight must have rank 2 ([out, in]) or 3 (packed, [out / p, in, p])}}
  %0 = enc.linear %x, %w : (tensor<2x3xf32>, tensor<4x3x1x1xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @linear_element_type(%x: tensor<2x3xf32>, %w: tensor<4x3xf16>) -> tensor<2x4xf32> {
  // expected-error @+1 {{weight element type 'f16' differs from 'f32'}}
  %0 = enc.linear %x, %w : (tensor<2x3xf32>, tensor<4x3xf16>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @linear_in_features(%x: tensor<2x3xf32>, %w: tensor<4x5xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{weight must be [out, in] with in = 3 (the last dimension of input)}}
  %0 = enc.linear %x, %w : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @linear_bias_shape(%x: tensor<2x3xf32>, %w: tensor<4x3xf32>, %b: tensor<3xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{bias must have shape [4], got 'tensor<3xf32>'}}
  %0 = enc.linear %x, %w, %b : (tensor<2x3xf32>, tensor<4x3xf32>, tensor<3xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @linear_result_shape(%x: tensor<2x3xf32>, %w: tensor<4x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{result must have shape [2, 4], got 'tensor<2x3xf32>'}}
  %0 = enc.linear %x, %w : (tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @linear_integer_input(%x: tensor<2x3xi32>, %w: tensor<4x3xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{operand #0 must be ranked tensor of}}
  %0 = enc.linear %x, %w : (tensor<2x3xi32>, tensor<4x3xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @layer_norm_scalar(%x: tensor<f32>) -> tensor<f32> {
  // expected-error @+1 {{input must have rank >= 1}}
  %0 = enc.layer_norm %x : (tensor<f32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @layer_norm_scale_type(%x: tensor<2x3xf32>, %g: tensor<3xf16>) -> tensor<2x3xf32> {
  // expected-error @+1 {{scale element type 'f16' differs from 'f32'}}
  %0 = enc.layer_norm %x scale %g : (tensor<2x3xf32>, tensor<3xf16>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @layer_norm_scale_shape(%x: tensor<2x3xf32>, %g: tensor<2xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{scale must have shape [3], got 'tensor<2xf32>'}}
  %0 = enc.layer_norm %x scale %g : (tensor<2x3xf32>, tensor<2xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @layer_norm_bias_shape(%x: tensor<2x3xf32>, %b: tensor<3x1xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{bias must have shape [3], got 'tensor<3x1xf32>'}}
  %0 = enc.layer_norm %x bias %b : (tensor<2x3xf32>, tensor<3x1xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @layer_norm_epsilon(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{epsilon must be finite and non-negative, got -1}}
  %0 = enc.layer_norm %x {epsilon = -1.0 : f64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @layer_norm_result_type(%x: tensor<2x3xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{all of {input, result} have same type}}
  %0 = enc.layer_norm %x : (tensor<2x3xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @rms_norm_scalar(%x: tensor<f32>) -> tensor<f32> {
  // expected-error @+1 {{input must have rank >= 1}}
  %0 = enc.rms_norm %x : (tensor<f32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @rms_norm_scale_shape(%x: tensor<2x3xf32>, %g: tensor<2xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{scale must have shape [3], got 'tensor<2xf32>'}}
  %0 = enc.rms_norm %x scale %g : (tensor<2x3xf32>, tensor<2xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @rms_norm_scale_type(%x: tensor<2x3xf32>, %g: tensor<3xbf16>) -> tensor<2x3xf32> {
  // expected-error @+1 {{scale element type 'bf16' differs from 'f32'}}
  %0 = enc.rms_norm %x scale %g : (tensor<2x3xf32>, tensor<3xbf16>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @rms_norm_epsilon(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{epsilon must be finite and non-negative, got nan}}
  %0 = enc.rms_norm %x {epsilon = 0x7FF8000000000000 : f64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @activation_unknown_kind(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{unknown activation kind 'swish'}}
  %0 = enc.activation swish %x : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @activation_integer(%x: tensor<2xi32>) -> tensor<2xi32> {
  // expected-error @+1 {{operand #0 must be ranked tensor of}}
  %0 = enc.activation relu %x : tensor<2xi32>
  return %0 : tensor<2xi32>
}

// -----

func.func @attention_rank(%q: tensor<2x8x16xf32>) -> tensor<2x8x16xf32> {
  // expected-error @+1 {{query must have rank 4 ([batch, heads, seq, dim])}}
  %0 = enc.attention %q, %q, %q : (tensor<2x8x16xf32>, tensor<2x8x16xf32>, tensor<2x8x16xf32>) -> tensor<2x8x16xf32>
  return %0 : tensor<2x8x16xf32>
}

// -----

func.func @attention_element_type(%q: tensor<1x2x8x16xf32>, %k: tensor<1x2x8x16xf16>) -> tensor<1x2x8x16xf32> {
  // expected-error @+1 {{key element type 'f16' differs from 'f32'}}
  %0 = enc.attention %q, %k, %q : (tensor<1x2x8x16xf32>, tensor<1x2x8x16xf16>, tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32>
  return %0 : tensor<1x2x8x16xf32>
}

// -----

func.func @attention_head_dim(%q: tensor<1x2x8x16xf32>, %k: tensor<1x2x8x32xf32>) -> tensor<1x2x8x32xf32> {
  // expected-error @+1 {{key must have shape [1, 2, 8, 16], got 'tensor<1x2x8x32xf32>'}}
  %0 = enc.attention %q, %k, %k : (tensor<1x2x8x16xf32>, tensor<1x2x8x32xf32>, tensor<1x2x8x32xf32>) -> tensor<1x2x8x32xf32>
  return %0 : tensor<1x2x8x32xf32>
}

// -----

func.func @attention_kv_len(%q: tensor<1x2x8x16xf32>, %k: tensor<1x2x6x16xf32>, %v: tensor<1x2x5x16xf32>) -> tensor<1x2x8x16xf32> {
  // expected-error @+1 {{value must have shape [1, 2, 6, 16], got 'tensor<1x2x5x16xf32>'}}
  %0 = enc.attention %q, %k, %v : (tensor<1x2x8x16xf32>, tensor<1x2x6x16xf32>, tensor<1x2x5x16xf32>) -> tensor<1x2x8x16xf32>
  return %0 : tensor<1x2x8x16xf32>
}

// -----

func.func @attention_result(%q: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x32xf32>) -> tensor<1x2x8x16xf32> {
  // expected-error @+1 {{result must have shape [1, 2, 8, 32], got 'tensor<1x2x8x16xf32>'}}
  %0 = enc.attention %q, %q, %v : (tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x32xf32>) -> tensor<1x2x8x16xf32>
  return %0 : tensor<1x2x8x16xf32>
}

// -----

// sequence_major: [batch, seq, heads, dim]; the key's heads must match.
func.func @attention_sequence_major_heads(%q: tensor<1x8x2x16xf32>, %k: tensor<1x8x4x16xf32>) -> tensor<1x8x2x16xf32> {
  // expected-error @+1 {{key must have shape [1, 8, 2, 16], got 'tensor<1x8x4x16xf32>'}}
  %0 = enc.attention %q, %k, %k {sequence_major} : (tensor<1x8x2x16xf32>, tensor<1x8x4x16xf32>, tensor<1x8x4x16xf32>) -> tensor<1x8x2x16xf32>
  return %0 : tensor<1x8x2x16xf32>
}

// -----

func.func @attention_sequence_major_rank(%q: tensor<8x2x16xf32>) -> tensor<8x2x16xf32> {
  // expected-error @+1 {{query must have rank 4 ([batch, seq, heads, dim])}}
  %0 = enc.attention %q, %q, %q {sequence_major} : (tensor<8x2x16xf32>, tensor<8x2x16xf32>, tensor<8x2x16xf32>) -> tensor<8x2x16xf32>
  return %0 : tensor<8x2x16xf32>
}

// -----

func.func @attention_mask_rank(%q: tensor<1x2x8x16xf32>, %m: tensor<1x8xf32>) -> tensor<1x2x8x16xf32> {
  // expected-error @+1 {{mask must have rank 4 and broadcast to [batch, heads, q_len, kv_len]}}
  %0 = enc.attention %q, %q, %q mask %m : (tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x8xf32>) -> tensor<1x2x8x16xf32>
  return %0 : tensor<1x2x8x16xf32>
}

// -----

func.func @attention_mask_broadcast(%q: tensor<1x2x8x16xf32>, %m: tensor<1x1x1x7xf32>) -> tensor<1x2x8x16xf32> {
  // expected-error @+1 {{mask dimension 3 is 7; it must be 1 or 8}}
  %0 = enc.attention %q, %q, %q mask %m : (tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x1x1x7xf32>) -> tensor<1x2x8x16xf32>
  return %0 : tensor<1x2x8x16xf32>
}

// -----

func.func @attention_mask_type(%q: tensor<1x2x8x16xf32>, %m: tensor<1x1x1x8xf16>) -> tensor<1x2x8x16xf32> {
  // expected-error @+1 {{mask element type 'f16' differs from 'f32'}}
  %0 = enc.attention %q, %q, %q mask %m : (tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x1x1x8xf16>) -> tensor<1x2x8x16xf32>
  return %0 : tensor<1x2x8x16xf32>
}

// -----

func.func @attention_bias_shape(%q: tensor<1x2x8x16xf32>, %b: tensor<1x3x8x8xf32>) -> tensor<1x2x8x16xf32> {
  // expected-error @+1 {{bias dimension 1 is 3; it must be 1 or 2 to broadcast to [batch, heads, q_len, kv_len]}}
  %0 = enc.attention %q, %q, %q bias %b : (tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x3x8x8xf32>) -> tensor<1x2x8x16xf32>
  return %0 : tensor<1x2x8x16xf32>
}

// -----

func.func @attention_bias_rank(%q: tensor<1x2x8x16xf32>, %b: tensor<8x8xf32>) -> tensor<1x2x8x16xf32> {
  // expected-error @+1 {{bias must have rank 4 and broadcast to [batch, heads, q_len, kv_len], got 'tensor<8x8xf32>'}}
  %0 = enc.attention %q, %q, %q bias %b : (tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<8x8xf32>) -> tensor<1x2x8x16xf32>
  return %0 : tensor<1x2x8x16xf32>
}

// -----

func.func @attention_bias_type(%q: tensor<1x2x8x16xf32>, %b: tensor<1x2x8x8xf16>) -> tensor<1x2x8x16xf32> {
  // expected-error @+1 {{bias element type 'f16' differs from 'f32'}}
  %0 = enc.attention %q, %q, %q bias %b : (tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x8xf16>) -> tensor<1x2x8x16xf32>
  return %0 : tensor<1x2x8x16xf32>
}

// -----

func.func @attention_scale(%q: tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32> {
  // expected-error @+1 {{scale must be finite and nonzero}}
  %0 = enc.attention %q, %q, %q {scale = 0.0 : f64} : (tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32>
  return %0 : tensor<1x2x8x16xf32>
}

// -----

func.func @attention_dynamic_head_dim(%q: tensor<1x2x8x?xf32>) -> tensor<1x2x8x?xf32> {
  // expected-error @+1 {{needs an explicit scale when head_dim is dynamic}}
  %0 = enc.attention %q, %q, %q : (tensor<1x2x8x?xf32>, tensor<1x2x8x?xf32>, tensor<1x2x8x?xf32>) -> tensor<1x2x8x?xf32>
  return %0 : tensor<1x2x8x?xf32>
}

// -----

func.func @embedding_table_rank(%ids: tensor<4xi64>, %t: tensor<10xf32>) -> tensor<4x1xf32> {
  // expected-error @+1 {{table must have rank 2 ([num_embeddings, dim])}}
  %0 = enc.embedding %ids, %t : (tensor<4xi64>, tensor<10xf32>) -> tensor<4x1xf32>
  return %0 : tensor<4x1xf32>
}

// -----

func.func @embedding_result_type(%ids: tensor<4xi64>, %t: tensor<10x3xf32>) -> tensor<4x3xf16> {
  // expected-error @+1 {{result element type 'f16' differs from 'f32'}}
  %0 = enc.embedding %ids, %t : (tensor<4xi64>, tensor<10x3xf32>) -> tensor<4x3xf16>
  return %0 : tensor<4x3xf16>
}

// -----

func.func @embedding_result_shape(%ids: tensor<2x4xi64>, %t: tensor<10x3xf32>) -> tensor<8x3xf32> {
  // expected-error @+1 {{result must have shape [2, 4, 3], got 'tensor<8x3xf32>'}}
  %0 = enc.embedding %ids, %t : (tensor<2x4xi64>, tensor<10x3xf32>) -> tensor<8x3xf32>
  return %0 : tensor<8x3xf32>
}

// -----

func.func @embedding_float_ids(%ids: tensor<4xf32>, %t: tensor<10x3xf32>) -> tensor<4x3xf32> {
  // expected-error @+1 {{operand #0 must be ranked tensor of}}
  %0 = enc.embedding %ids, %t : (tensor<4xf32>, tensor<10x3xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

func.func @pool_rank(%h: tensor<8x16xf32>) -> tensor<16xf32> {
  // expected-error @+1 {{input must have rank 3 ([batch, seq, dim])}}
  %0 = enc.pool mean %h : (tensor<8x16xf32>) -> tensor<16xf32>
  return %0 : tensor<16xf32>
}

// -----

func.func @pool_result_type(%h: tensor<2x8x16xf32>) -> tensor<2x16xf64> {
  // expected-error @+1 {{result element type 'f64' differs from 'f32'}}
  %0 = enc.pool mean %h : (tensor<2x8x16xf32>) -> tensor<2x16xf64>
  return %0 : tensor<2x16xf64>
}

// -----

func.func @pool_cls_mask(%h: tensor<2x8x16xf32>, %m: tensor<2x8xi64>) -> tensor<2x16xf32> {
  // expected-error @+1 {{cls pooling takes no mask}}
  %0 = enc.pool cls %h mask %m : (tensor<2x8x16xf32>, tensor<2x8xi64>) -> tensor<2x16xf32>
  return %0 : tensor<2x16xf32>
}

// -----

func.func @pool_mask_shape(%h: tensor<2x8x16xf32>, %m: tensor<2x7xi64>) -> tensor<2x16xf32> {
  // expected-error @+1 {{mask must have shape [2, 8], got 'tensor<2x7xi64>'}}
  %0 = enc.pool mean %h mask %m : (tensor<2x8x16xf32>, tensor<2x7xi64>) -> tensor<2x16xf32>
  return %0 : tensor<2x16xf32>
}

// -----

func.func @pool_result_shape(%h: tensor<2x8x16xf32>) -> tensor<2x8xf32> {
  // expected-error @+1 {{result must have shape [2, 16], got 'tensor<2x8xf32>'}}
  %0 = enc.pool max %h : (tensor<2x8x16xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

func.func @pool_unknown_kind(%h: tensor<2x8x16xf32>) -> tensor<2x16xf32> {
  // expected-error @+1 {{unknown pool kind 'sum'}}
  %0 = enc.pool sum %h : (tensor<2x8x16xf32>) -> tensor<2x16xf32>
  return %0 : tensor<2x16xf32>
}

// -----

func.func @cross_entropy_scalar_logits(%l: tensor<f32>, %y: tensor<i64>) -> tensor<f32> {
  // expected-error @+1 {{logits must have rank >= 1 ([..., classes])}}
  %0 = enc.cross_entropy %l, %y : (tensor<f32>, tensor<i64>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @cross_entropy_result_type(%l: tensor<4x10xf32>, %y: tensor<4xi64>) -> tensor<f16> {
  // expected-error @+1 {{result element type 'f16' differs from 'f32'}}
  %0 = enc.cross_entropy %l, %y : (tensor<4x10xf32>, tensor<4xi64>) -> tensor<f16>
  return %0 : tensor<f16>
}

// -----

func.func @cross_entropy_labels_shape(%l: tensor<4x10xf32>, %y: tensor<5xi64>) -> tensor<f32> {
  // expected-error @+1 {{labels must have shape [4], got 'tensor<5xi64>'}}
  %0 = enc.cross_entropy %l, %y : (tensor<4x10xf32>, tensor<5xi64>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @cross_entropy_none_shape(%l: tensor<4x10xf32>, %y: tensor<4xi64>) -> tensor<f32> {
  // expected-error @+1 {{result with reduction none must have shape [4], got 'tensor<f32>'}}
  %0 = enc.cross_entropy %l, %y {reduction = #enc<reduction none>} : (tensor<4x10xf32>, tensor<4xi64>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @cross_entropy_reduced_shape(%l: tensor<4x10xf32>, %y: tensor<4xi64>) -> tensor<4xf32> {
  // expected-error @+1 {{reduced result must have shape [], got 'tensor<4xf32>'}}
  %0 = enc.cross_entropy %l, %y : (tensor<4x10xf32>, tensor<4xi64>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @cross_entropy_float_labels(%l: tensor<4x10xf32>, %y: tensor<4xf32>) -> tensor<f32> {
  // expected-error @+1 {{operand #1 must be ranked tensor of}}
  %0 = enc.cross_entropy %l, %y : (tensor<4x10xf32>, tensor<4xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @group_norm_rank(%x: tensor<8xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{input must have rank >= 2 ([batch, channels, ...])}}
  %0 = enc.group_norm %x {num_groups = 2 : i64} : (tensor<8xf32>) -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

func.func @group_norm_groups(%x: tensor<2x6x4xf32>) -> tensor<2x6x4xf32> {
  // expected-error @+1 {{channels (6) must be a multiple of num_groups (4)}}
  %0 = enc.group_norm %x {num_groups = 4 : i64} : (tensor<2x6x4xf32>) -> tensor<2x6x4xf32>
  return %0 : tensor<2x6x4xf32>
}

// -----

func.func @group_norm_scale(%x: tensor<2x6x4xf32>, %g: tensor<4xf32>) -> tensor<2x6x4xf32> {
  // expected-error @+1 {{scale must have shape [6], got 'tensor<4xf32>'}}
  %0 = enc.group_norm %x scale %g {num_groups = 2 : i64} : (tensor<2x6x4xf32>, tensor<4xf32>) -> tensor<2x6x4xf32>
  return %0 : tensor<2x6x4xf32>
}

// -----

func.func @group_norm_zero_groups(%x: tensor<2x6x4xf32>) -> tensor<2x6x4xf32> {
  // expected-error @+1 {{attribute 'num_groups' failed to satisfy constraint}}
  %0 = enc.group_norm %x {num_groups = 0 : i64} : (tensor<2x6x4xf32>) -> tensor<2x6x4xf32>
  return %0 : tensor<2x6x4xf32>
}

// -----

func.func @conv1d_rank(%x: tensor<2x100xf32>, %w: tensor<4x1x3xf32>) -> tensor<2x4x98xf32> {
  // expected-error @+1 {{input must have rank 3 ([batch, in, time])}}
  %0 = enc.conv1d %x, %w : (tensor<2x100xf32>, tensor<4x1x3xf32>) -> tensor<2x4x98xf32>
  return %0 : tensor<2x4x98xf32>
}

// -----

func.func @conv1d_groups(%x: tensor<2x6x100xf32>, %w: tensor<4x3x3xf32>) -> tensor<2x4x98xf32> {
  // expected-error @+1 {{input channels (6) must be a multiple of groups (4)}}
  %0 = enc.conv1d %x, %w {groups = 4 : i64} : (tensor<2x6x100xf32>, tensor<4x3x3xf32>) -> tensor<2x4x98xf32>
  return %0 : tensor<2x4x98xf32>
}

// -----

func.func @conv1d_in_channels(%x: tensor<2x6x100xf32>, %w: tensor<4x2x3xf32>) -> tensor<2x4x98xf32> {
  // expected-error @+1 {{weight must be [out, in / groups, kernel] with in / groups = 6}}
  %0 = enc.conv1d %x, %w : (tensor<2x6x100xf32>, tensor<4x2x3xf32>) -> tensor<2x4x98xf32>
  return %0 : tensor<2x4x98xf32>
}

// -----

func.func @conv1d_short(%x: tensor<2x1x2xf32>, %w: tensor<4x1x3xf32>) -> tensor<2x4x1xf32> {
  // expected-error @+1 {{input of 2 steps (padded: 2) is shorter than the kernel (3)}}
  %0 = enc.conv1d %x, %w : (tensor<2x1x2xf32>, tensor<4x1x3xf32>) -> tensor<2x4x1xf32>
  return %0 : tensor<2x4x1xf32>
}

// -----

func.func @conv1d_result(%x: tensor<2x1x100xf32>, %w: tensor<4x1x10xf32>) -> tensor<2x4x20xf32> {
  // expected-error @+1 {{result must have shape [2, 4, 19], got 'tensor<2x4x20xf32>'}}
  %0 = enc.conv1d %x, %w {stride = 5 : i64} : (tensor<2x1x100xf32>, tensor<4x1x10xf32>) -> tensor<2x4x20xf32>
  return %0 : tensor<2x4x20xf32>
}

// -----

func.func @conv1d_bias(%x: tensor<2x1x100xf32>, %w: tensor<4x1x10xf32>, %b: tensor<3xf32>) -> tensor<2x4x91xf32> {
  // expected-error @+1 {{bias must have shape [4], got 'tensor<3xf32>'}}
  %0 = enc.conv1d %x, %w bias %b : (tensor<2x1x100xf32>, tensor<4x1x10xf32>, tensor<3xf32>) -> tensor<2x4x91xf32>
  return %0 : tensor<2x4x91xf32>
}

// -----

func.func @weight_norm_dim(%g: tensor<1x1x4xf32>, %v: tensor<8x2x4xf32>) -> tensor<8x2x4xf32> {
  // expected-error @+1 {{dim 3 is out of range for v of rank 3}}
  %0 = enc.weight_norm %g, %v {dim = 3 : i64} : (tensor<1x1x4xf32>, tensor<8x2x4xf32>) -> tensor<8x2x4xf32>
  return %0 : tensor<8x2x4xf32>
}

// -----

func.func @weight_norm_g(%g: tensor<8x1x1xf32>, %v: tensor<8x2x4xf32>) -> tensor<8x2x4xf32> {
  // expected-error @+1 {{g must have shape [1, 1, 4], got 'tensor<8x1x1xf32>'}}
  %0 = enc.weight_norm %g, %v {dim = 2 : i64} : (tensor<8x1x1xf32>, tensor<8x2x4xf32>) -> tensor<8x2x4xf32>
  return %0 : tensor<8x2x4xf32>
}

// -----

func.func @rotary_odd(%q: tensor<1x2x4x6xf32>) -> tensor<1x2x4x6xf32> {
  // expected-error @+1 {{rotates pairs: rotary_dim must be even, got 3}}
  %0 = enc.rotary %q {rotary_dim = 3 : i64} : tensor<1x2x4x6xf32>
  return %0 : tensor<1x2x4x6xf32>
}

// -----

func.func @rotary_too_wide(%q: tensor<1x2x4x6xf32>) -> tensor<1x2x4x6xf32> {
  // expected-error @+1 {{rotary_dim 8 exceeds head_dim 6}}
  %0 = enc.rotary %q {rotary_dim = 8 : i64} : tensor<1x2x4x6xf32>
  return %0 : tensor<1x2x4x6xf32>
}

// -----

func.func @rotary_rank(%q: tensor<2x4x6xf32>) -> tensor<2x4x6xf32> {
  // expected-error @+1 {{input must have rank 4 ([batch, heads, seq, head_dim])}}
  %0 = enc.rotary %q : tensor<2x4x6xf32>
  return %0 : tensor<2x4x6xf32>
}

// -----

func.func @rotary_dynamic(%q: tensor<1x2x4x?xf32>) -> tensor<1x2x4x?xf32> {
  // expected-error @+1 {{needs rotary_dim when head_dim is dynamic}}
  %0 = enc.rotary %q : tensor<1x2x4x?xf32>
  return %0 : tensor<1x2x4x?xf32>
}

// -----

func.func @rotary_base(%q: tensor<1x2x4x6xf32>) -> tensor<1x2x4x6xf32> {
  // expected-error @+1 {{base must be finite and greater than 1, got 1}}
  %0 = enc.rotary %q {base = 1.0 : f64} : tensor<1x2x4x6xf32>
  return %0 : tensor<1x2x4x6xf32>
}

// -----

func.func @rel_bias_rows(%t: tensor<16x4xf32>, %n: index) -> tensor<1x4x?x?xf32> {
  // expected-error @+1 {{table has 16 rows for 32 buckets}}
  %0 = enc.relative_position_bias %t, %n, %n {num_buckets = 32 : i64, max_distance = 128 : i64} : (tensor<16x4xf32>, index, index) -> tensor<1x4x?x?xf32>
  return %0 : tensor<1x4x?x?xf32>
}

// -----

func.func @rel_bias_few(%t: tensor<2x4xf32>, %n: index) -> tensor<1x4x?x?xf32> {
  // expected-error @+1 {{needs at least 4 buckets, got 2}}
  %0 = enc.relative_position_bias %t, %n, %n {num_buckets = 2 : i64, max_distance = 8 : i64, bidirectional} : (tensor<2x4xf32>, index, index) -> tensor<1x4x?x?xf32>
  return %0 : tensor<1x4x?x?xf32>
}

// -----

func.func @rel_bias_distance(%t: tensor<32x4xf32>, %n: index) -> tensor<1x4x?x?xf32> {
  // expected-error @+1 {{max_distance must exceed the 8 exactly-bucketed offsets, got 4}}
  %0 = enc.relative_position_bias %t, %n, %n {num_buckets = 32 : i64, max_distance = 4 : i64, bidirectional} : (tensor<32x4xf32>, index, index) -> tensor<1x4x?x?xf32>
  return %0 : tensor<1x4x?x?xf32>
}

// -----

func.func @rel_bias_result(%t: tensor<32x4xf32>, %n: index) -> tensor<1x8x?x?xf32> {
  // expected-error @+1 {{result must have shape [1, 4, ?, ?], got 'tensor<1x8x?x?xf32>'}}
  %0 = enc.relative_position_bias %t, %n, %n {num_buckets = 32 : i64, max_distance = 128 : i64} : (tensor<32x4xf32>, index, index) -> tensor<1x8x?x?xf32>
  return %0 : tensor<1x8x?x?xf32>
}

// -----

func.func @positions_rank(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{input must have rank 3 ([batch, seq, dim])}}
  %0 = enc.positional_encoding sinusoidal %x : (tensor<4x8xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @positions_sin_table(%x: tensor<2x4x8xf32>, %t: tensor<16x8xf32>) -> tensor<2x4x8xf32> {
  // expected-error @+1 {{sinusoidal positions take no table}}
  %0 = enc.positional_encoding sinusoidal %x table %t : (tensor<2x4x8xf32>, tensor<16x8xf32>) -> tensor<2x4x8xf32>
  return %0 : tensor<2x4x8xf32>
}

// -----

func.func @positions_sin_odd(%x: tensor<2x4x7xf32>) -> tensor<2x4x7xf32> {
  // expected-error @+1 {{sinusoidal positions need an even dim, got 7}}
  %0 = enc.positional_encoding sinusoidal %x : (tensor<2x4x7xf32>) -> tensor<2x4x7xf32>
  return %0 : tensor<2x4x7xf32>
}

// -----

func.func @positions_concat_small(%x: tensor<2x4x2xf32>) -> tensor<2x4x2xf32> {
  // expected-error @+1 {{sinusoidal_concat positions need dim >= 4, got 2}}
  %0 = enc.positional_encoding sinusoidal_concat %x : (tensor<2x4x2xf32>) -> tensor<2x4x2xf32>
  return %0 : tensor<2x4x2xf32>
}

// -----

func.func @positions_no_table(%x: tensor<2x4x8xf32>) -> tensor<2x4x8xf32> {
  // expected-error @+1 {{learned positions need a table}}
  %0 = enc.positional_encoding learned %x : (tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  return %0 : tensor<2x4x8xf32>
}

// -----

func.func @positions_table_dim(%x: tensor<2x4x8xf32>, %t: tensor<16x6xf32>) -> tensor<2x4x8xf32> {
  // expected-error @+1 {{table must be [max_positions, 8], got 'tensor<16x6xf32>'}}
  %0 = enc.positional_encoding learned %x table %t : (tensor<2x4x8xf32>, tensor<16x6xf32>) -> tensor<2x4x8xf32>
  return %0 : tensor<2x4x8xf32>
}

// -----

func.func @positions_overflow(%x: tensor<2x16x8xf32>, %t: tensor<16x8xf32>) -> tensor<2x16x8xf32> {
  // expected-error @+1 {{positions 2 to 17 do not fit a table of 16}}
  %0 = enc.positional_encoding learned %x table %t {offset = 2 : i64} : (tensor<2x16x8xf32>, tensor<16x8xf32>) -> tensor<2x16x8xf32>
  return %0 : tensor<2x16x8xf32>
}

// -----

func.func @patch_size(%p: tensor<1x3x32x32xf32>, %w: tensor<8x3x8x8xf32>, %b: tensor<8xf32>) -> tensor<1x16x8xf32> {
  // expected-error @+1 {{patch_size must be two positive sizes}}
  %0 = enc.patch_embed %p, %w, %b {patch_size = array<i64: 8>} : (tensor<1x3x32x32xf32>, tensor<8x3x8x8xf32>, tensor<8xf32>) -> tensor<1x16x8xf32>
  return %0 : tensor<1x16x8xf32>
}

// -----

func.func @patch_divisible(%p: tensor<1x3x30x32xf32>, %w: tensor<8x3x8x8xf32>, %b: tensor<8xf32>) -> tensor<1x12x8xf32> {
  // expected-error @+1 {{image height (30) must be a multiple of the patch height (8)}}
  %0 = enc.patch_embed %p, %w, %b {patch_size = array<i64: 8, 8>} : (tensor<1x3x30x32xf32>, tensor<8x3x8x8xf32>, tensor<8xf32>) -> tensor<1x12x8xf32>
  return %0 : tensor<1x12x8xf32>
}

// -----

func.func @patch_weight(%p: tensor<1x3x32x32xf32>, %w: tensor<8x1x8x8xf32>, %b: tensor<8xf32>) -> tensor<1x16x8xf32> {
  // expected-error @+1 {{weight must have shape [8, 3, 8, 8], got 'tensor<8x1x8x8xf32>'}}
  %0 = enc.patch_embed %p, %w, %b {patch_size = array<i64: 8, 8>} : (tensor<1x3x32x32xf32>, tensor<8x1x8x8xf32>, tensor<8xf32>) -> tensor<1x16x8xf32>
  return %0 : tensor<1x16x8xf32>
}

// -----

func.func @patch_cls(%p: tensor<1x3x32x32xf32>, %w: tensor<8x3x8x8xf32>, %b: tensor<8xf32>, %c: tensor<8xf32>) -> tensor<1x17x8xf32> {
  // expected-error @+1 {{class_token must have shape [1, 1, 8], got 'tensor<8xf32>'}}
  %0 = enc.patch_embed %p, %w, %b class_token %c {patch_size = array<i64: 8, 8>} : (tensor<1x3x32x32xf32>, tensor<8x3x8x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<1x17x8xf32>
  return %0 : tensor<1x17x8xf32>
}

// -----

func.func @patch_result(%p: tensor<1x3x32x32xf32>, %w: tensor<8x3x8x8xf32>, %b: tensor<8xf32>) -> tensor<1x17x8xf32> {
  // expected-error @+1 {{result must have shape [1, 16, 8], got 'tensor<1x17x8xf32>'}}
  %0 = enc.patch_embed %p, %w, %b {patch_size = array<i64: 8, 8>} : (tensor<1x3x32x32xf32>, tensor<8x3x8x8xf32>, tensor<8xf32>) -> tensor<1x17x8xf32>
  return %0 : tensor<1x17x8xf32>
}

// -----

func.func @patchify_result(%p: tensor<1x3x32x32xf32>) -> tensor<1x16x64xf32> {
  // expected-error @+1 {{result must have shape [1, 16, 192], got 'tensor<1x16x64xf32>'}}
  %0 = enc.patchify %p {patch_size = array<i64: 8, 8>} : (tensor<1x3x32x32xf32>) -> tensor<1x16x64xf32>
  return %0 : tensor<1x16x64xf32>
}

// -----

func.func @mask_ratio(%t: tensor<2x16x8xf32>) -> tensor<2x16xf32> {
  // expected-error @+1 {{mask_ratio must be in [0, 1), got 1}}
  %0, %1, %2 = enc.random_mask %t {mask_ratio = 1.0 : f64} : (tensor<2x16x8xf32>) -> (tensor<2x0xi64>, tensor<2x16xf32>, tensor<2x16xi64>)
  return %1 : tensor<2x16xf32>
}

// -----

func.func @mask_keep_none(%t: tensor<2x2x8xf32>) -> tensor<2x2xf32> {
  // expected-error @+1 {{keeps no patch of 2 with mask_ratio}}
  %0, %1, %2 = enc.random_mask %t {mask_ratio = 0.75 : f64} : (tensor<2x2x8xf32>) -> (tensor<2x0xi64>, tensor<2x2xf32>, tensor<2x2xi64>)
  return %1 : tensor<2x2xf32>
}

// -----

func.func @mask_keep_shape(%t: tensor<2x16x8xf32>) -> tensor<2x16xf32> {
  // expected-error @+1 {{ids_keep must have shape [2, 4], got 'tensor<2x5xi64>'}}
  %0, %1, %2 = enc.random_mask %t {mask_ratio = 0.75 : f64} : (tensor<2x16x8xf32>) -> (tensor<2x5xi64>, tensor<2x16xf32>, tensor<2x16xi64>)
  return %1 : tensor<2x16xf32>
}

// -----

func.func @mask_noise(%t: tensor<2x16x8xf32>, %n: tensor<2x8xf32>) -> tensor<2x16xf32> {
  // expected-error @+1 {{noise must have shape [2, 16], got 'tensor<2x8xf32>'}}
  %0, %1, %2 = enc.random_mask %t noise %n {mask_ratio = 0.75 : f64} : (tensor<2x16x8xf32>, tensor<2x8xf32>) -> (tensor<2x4xi64>, tensor<2x16xf32>, tensor<2x16xi64>)
  return %1 : tensor<2x16xf32>
}

// -----

func.func @gather_batch(%t: tensor<2x16x8xf32>, %i: tensor<3x4xi64>) -> tensor<2x4x8xf32> {
  // expected-error @+1 {{indices have batch 3, tokens 2}}
  %0 = enc.gather_visible %t, %i : (tensor<2x16x8xf32>, tensor<3x4xi64>) -> tensor<2x4x8xf32>
  return %0 : tensor<2x4x8xf32>
}

// -----

func.func @gather_result(%t: tensor<2x16x8xf32>, %i: tensor<2x4xi64>) -> tensor<2x16x8xf32> {
  // expected-error @+1 {{result must have shape [2, 4, 8], got 'tensor<2x16x8xf32>'}}
  %0 = enc.gather_visible %t, %i : (tensor<2x16x8xf32>, tensor<2x4xi64>) -> tensor<2x16x8xf32>
  return %0 : tensor<2x16x8xf32>
}

// -----

func.func @log_mel_rank(%a: tensor<16000xf32>) -> tensor<80x100xf32> {
  // expected-error @+1 {{audio must have rank 2 ([batch, samples])}}
  %0 = enc.log_mel %a : (tensor<16000xf32>) -> tensor<80x100xf32>
  return %0 : tensor<80x100xf32>
}

// -----

func.func @log_mel_odd_fft(%a: tensor<1x16000xf32>) -> tensor<1x80x100xf32> {
  // expected-error @+1 {{n_fft must be even, got 401}}
  %0 = enc.log_mel %a {n_fft = 401 : i64} : (tensor<1x16000xf32>) -> tensor<1x80x100xf32>
  return %0 : tensor<1x80x100xf32>
}

// -----

func.func @log_mel_bins(%a: tensor<1x16000xf32>) -> tensor<1x80x100xf32> {
  // expected-error @+1 {{asks for 80 mel bins from 33 frequency bins}}
  %0 = enc.log_mel %a {n_fft = 64 : i64} : (tensor<1x16000xf32>) -> tensor<1x80x100xf32>
  return %0 : tensor<1x80x100xf32>
}

// -----

func.func @log_mel_short(%a: tensor<1x100xf32>) -> tensor<1x80x0xf32> {
  // expected-error @+1 {{needs more than 200 samples (n_fft / 2), got 100}}
  %0 = enc.log_mel %a : (tensor<1x100xf32>) -> tensor<1x80x0xf32>
  return %0 : tensor<1x80x0xf32>
}

// -----

func.func @log_mel_frames(%a: tensor<1x16000xf32>) -> tensor<1x80x101xf32> {
  // expected-error @+1 {{result must have shape [1, 80, 100], got 'tensor<1x80x101xf32>'}}
  %0 = enc.log_mel %a : (tensor<1x16000xf32>) -> tensor<1x80x101xf32>
  return %0 : tensor<1x80x101xf32>
}

// -----

func.func @l2_scalar(%x: tensor<f32>) -> tensor<f32> {
  // expected-error @+1 {{input must have rank >= 1}}
  %0 = enc.l2_normalize %x : tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @similarity_dims(%a: tensor<4x8xf32>, %b: tensor<5x6xf32>) -> tensor<4x5xf32> {
  // expected-error @+1 {{lhs and rhs embed in 8 and 6 dimensions}}
  %0 = enc.similarity dot %a, %b : (tensor<4x8xf32>, tensor<5x6xf32>) -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}

// -----

func.func @similarity_scale(%a: tensor<4x8xf32>, %s: tensor<2xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{scale must hold one value (shape [] or [1]), got 'tensor<2xf32>'}}
  %0 = enc.similarity dot %a, %a scale %s : (tensor<4x8xf32>, tensor<4x8xf32>, tensor<2xf32>) -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

func.func @similarity_exp(%a: tensor<4x8xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{exp_scale needs a scale operand}}
  %0 = enc.similarity dot %a, %a {exp_scale} : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

func.func @similarity_result(%a: tensor<4x8xf32>, %b: tensor<5x8xf32>) -> tensor<5x4xf32> {
  // expected-error @+1 {{result must have shape [4, 5], got 'tensor<5x4xf32>'}}
  %0 = enc.similarity cosine %a, %b : (tensor<4x8xf32>, tensor<5x8xf32>) -> tensor<5x4xf32>
  return %0 : tensor<5x4xf32>
}

// -----

func.func @contrastive_square(%l: tensor<4x5xf32>) -> tensor<f32> {
  // expected-error @+1 {{logits must be square (pairs on the diagonal), got 'tensor<4x5xf32>'}}
  %0 = enc.contrastive %l : (tensor<4x5xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @sigmoid_contrastive_result(%l: tensor<4x4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{result must have shape [], got 'tensor<4xf32>'}}
  %0 = enc.sigmoid_contrastive %l : (tensor<4x4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @mse_target(%p: tensor<2x4x8xf32>, %t: tensor<2x4x6xf32>) -> tensor<f32> {
  // expected-error @+1 {{target must have shape [2, 4, 8], got 'tensor<2x4x6xf32>'}}
  %0 = enc.mse %p, %t : (tensor<2x4x8xf32>, tensor<2x4x6xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @mse_mask(%p: tensor<2x4x8xf32>, %m: tensor<2x8xf32>) -> tensor<f32> {
  // expected-error @+1 {{mask must have shape [2, 4], got 'tensor<2x8xf32>'}}
  %0 = enc.mse %p, %p mask %m : (tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<2x8xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @mse_mask_scalar(%p: tensor<f32>, %m: tensor<f32>) -> tensor<f32> {
  // expected-error @+1 {{a mask needs a prediction of rank >= 1}}
  %0 = enc.mse %p, %p mask %m : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @kl_logvar(%m: tensor<4x8xf32>, %v: tensor<4x6xf32>) -> tensor<f32> {
  // expected-error @+1 {{logvar must have shape [4, 8], got 'tensor<4x6xf32>'}}
  %0 = enc.kl_divergence %m, %v : (tensor<4x8xf32>, tensor<4x6xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @kl_none(%m: tensor<4x8xf32>) -> tensor<f32> {
  // expected-error @+1 {{result with reduction none must have shape [4], got 'tensor<f32>'}}
  %0 = enc.kl_divergence %m, %m {reduction = #enc<reduction none>} : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @kl_scalar(%m: tensor<f32>) -> tensor<f32> {
  // expected-error @+1 {{mu must have rank >= 1 ([batch, ...])}}
  %0 = enc.kl_divergence %m, %m : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @reparam_noise(%m: tensor<4x8xf32>, %n: tensor<4x7xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{noise must have shape [4, 8], got 'tensor<4x7xf32>'}}
  %0 = enc.reparameterize %m, %m noise %n : (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x7xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @bce_targets(%l: tensor<2x9xf32>, %t: tensor<2x8xi64>) -> tensor<f32> {
  // expected-error @+1 {{targets must have shape [2, 9], got 'tensor<2x8xi64>'}}
  %0 = enc.binary_cross_entropy %l, %t : (tensor<2x9xf32>, tensor<2x8xi64>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @bce_mask(%l: tensor<2x9xf32>, %m: tensor<2xi64>) -> tensor<f32> {
  // expected-error @+1 {{mask must have shape [2, 9], got 'tensor<2xi64>'}}
  %0 = enc.binary_cross_entropy %l, %l mask %m : (tensor<2x9xf32>, tensor<2x9xf32>, tensor<2xi64>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @bce_none(%l: tensor<2x9xf32>) -> tensor<f32> {
  // expected-error @+1 {{result with reduction none must have shape [2, 9], got 'tensor<f32>'}}
  %0 = enc.binary_cross_entropy %l, %l {reduction = #enc<reduction none>} : (tensor<2x9xf32>, tensor<2x9xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @triplet_shape(%a: tensor<4x8xf32>, %n: tensor<4x6xf32>) -> tensor<f32> {
  // expected-error @+1 {{negative must have shape [4, 8], got 'tensor<4x6xf32>'}}
  %0 = enc.triplet %a, %a, %n : (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x6xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @triplet_rank(%a: tensor<8xf32>) -> tensor<f32> {
  // expected-error @+1 {{anchor must have rank 2 ([n, dim])}}
  %0 = enc.triplet %a, %a, %a : (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @dino_center(%s: tensor<4x8xf32>, %c: tensor<6xf32>) -> tensor<f32> {
  // expected-error @+1 {{center must have shape [8], got 'tensor<6xf32>'}}
  %0, %1 = enc.dino_loss %s, %s, %c : (tensor<4x8xf32>, tensor<4x8xf32>, tensor<6xf32>) -> (tensor<f32>, tensor<6xf32>)
  return %0 : tensor<f32>
}

// -----

func.func @dino_temperature(%s: tensor<4x8xf32>, %c: tensor<8xf32>) -> tensor<f32> {
  // expected-error @+1 {{teacher_temperature must be positive and finite}}
  %0, %1 = enc.dino_loss %s, %s, %c {teacher_temperature = 0.0 : f64} : (tensor<4x8xf32>, tensor<4x8xf32>, tensor<8xf32>) -> (tensor<f32>, tensor<8xf32>)
  return %0 : tensor<f32>
}

// -----

func.func @dino_momentum(%s: tensor<4x8xf32>, %c: tensor<8xf32>) -> tensor<f32> {
  // expected-error @+1 {{center_momentum must be in [0, 1], got 1.5}}
  %0, %1 = enc.dino_loss %s, %s, %c {center_momentum = 1.5 : f64} : (tensor<4x8xf32>, tensor<4x8xf32>, tensor<8xf32>) -> (tensor<f32>, tensor<8xf32>)
  return %0 : tensor<f32>
}

// -----

func.func @linear_packed_in(%x: tensor<2x3xf32>, %w: tensor<1x5x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{weight must be [out / p, in, p] with in = 3 (the last dimension of input)}}
  %0 = enc.linear %x, %w : (tensor<2x3xf32>, tensor<1x5x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @linear_residual_shape(%x: tensor<2x3xf32>, %w: tensor<4x3xf32>, %r: tensor<2x3xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{residual must have shape [2, 4], got 'tensor<2x3xf32>'}}
  %0 = enc.linear %x, %w residual %r : (tensor<2x3xf32>, tensor<4x3xf32>, tensor<2x3xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @layer_norm_residual_shape(%x: tensor<2x3xf32>, %r: tensor<2x4xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{residual must have shape [2, 3], got 'tensor<2x4xf32>'}}
  %0 = enc.layer_norm %x residual %r : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @packed_param_counts() -> tensor<8x4xf32> {
  // expected-error @+1 {{has 2 sources but 1 source shapes}}
  %0 = enc.packed_param ["a", "b"] {source_shapes = [array<i64: 4, 4>]} : tensor<8x4xf32>
  return %0 : tensor<8x4xf32>
}

// -----

func.func @packed_param_empty() -> tensor<8x4xf32> {
  // expected-error @+1 {{needs at least one source}}
  %0 = enc.packed_param [] {source_shapes = []} : tensor<8x4xf32>
  return %0 : tensor<8x4xf32>
}

// -----

func.func @packed_param_disagree() -> tensor<8x4xf32> {
  // expected-error @+1 {{sources must agree in every dimension but concat_dim 0}}
  %0 = enc.packed_param ["a", "b"] {source_shapes = [array<i64: 4, 4>, array<i64: 4, 5>]} : tensor<8x4xf32>
  return %0 : tensor<8x4xf32>
}

// -----

func.func @packed_param_concat_dim() -> tensor<8x4xf32> {
  // expected-error @+1 {{concat_dim 2 is out of range for rank 2}}
  %0 = enc.packed_param ["a"] {source_shapes = [array<i64: 4, 4>], concat_dim = 2 : i64} : tensor<8x4xf32>
  return %0 : tensor<8x4xf32>
}

// -----

func.func @packed_param_panel() -> tensor<1x4x6xf32> {
  // expected-error @+1 {{panel 32 must divide the 8 rows}}
  %0 = enc.packed_param ["a", "b"] {source_shapes = [array<i64: 4, 4>, array<i64: 4, 4>], panel = 32 : i64} : tensor<1x4x6xf32>
  return %0 : tensor<1x4x6xf32>
}

// -----

func.func @packed_param_panel_rank() -> tensor<2x4x4xf32> {
  // expected-error @+1 {{panels need sources of rank 2, or higher ranks concatenated along dimension 0; got rank 1 along 0}}
  %0 = enc.packed_param ["a", "b"] {source_shapes = [array<i64: 4>, array<i64: 4>], panel = 4 : i64} : tensor<2x4x4xf32>
  return %0 : tensor<2x4x4xf32>
}

// -----

func.func @packed_param_panel_concat_dim() -> tensor<1x8x2xf32> {
  // expected-error @+1 {{got rank 3 along 1}}
  %0 = enc.packed_param ["a", "b"] {source_shapes = [array<i64: 2, 2, 2>, array<i64: 2, 2, 2>], concat_dim = 1 : i64, panel = 2 : i64} : tensor<1x8x2xf32>
  return %0 : tensor<1x8x2xf32>
}

// -----

func.func @patch_embed_packed_weight(%x: tensor<1x3x32x32xf32>, %w: tensor<2x48x32xf32>, %b: tensor<64xf32>) -> tensor<1x4x64xf32> {
  // expected-error @+1 {{packed weight must have shape [2, 768, 32], got 'tensor<2x48x32xf32>'}}
  %0 = enc.patch_embed %x, %w, %b {patch_size = array<i64: 16, 16>} : (tensor<1x3x32x32xf32>, tensor<2x48x32xf32>, tensor<64xf32>) -> tensor<1x4x64xf32>
  return %0 : tensor<1x4x64xf32>
}

// -----

func.func @packed_param_result() -> tensor<8x5xf32> {
  // expected-error @+1 {{result must have shape [8, 4], got 'tensor<8x5xf32>'}}
  %0 = enc.packed_param ["a", "b"] {source_shapes = [array<i64: 4, 4>, array<i64: 4, 4>]} : tensor<8x5xf32>
  return %0 : tensor<8x5xf32>
}

// -----

func.func @kernel_info_cost_inside(%n: index) {
  scf.forall (%i) in (%n) {
    // expected-error @below {{flops and bytes must be defined outside the loop}}
    enc.kernel_info "k" [] flops(%i) bytes(%n)
  }
  return
}

// -----

func.func @disentangled_positions(%q: tensor<1x4x8x16xf32>, %p: tensor<1x4x12x16xf32>) -> tensor<1x4x8x16xf32> {
  // expected-error @+1 {{position_query must have shape [1, 4, 16, 16], got 'tensor<1x4x12x16xf32>'}}
  %0 = enc.disentangled_attention %q, %q, %q positions %p, %p {position_buckets = 8 : i64, max_relative_positions = 24 : i64, content_to_position, scale = 0.2 : f64} : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x12x16xf32>, tensor<1x4x12x16xf32>) -> tensor<1x4x8x16xf32>
  return %0 : tensor<1x4x8x16xf32>
}

// -----

func.func @disentangled_buckets(%q: tensor<1x4x8x16xf32>, %p: tensor<1x4x16x16xf32>) -> tensor<1x4x8x16xf32> {
  // expected-error @+1 {{log buckets need position_buckets >= 4 and max_relative_positions > position_buckets / 2 + 1, got 8 and 5}}
  %0 = enc.disentangled_attention %q, %q, %q positions %p, %p {position_buckets = 8 : i64, max_relative_positions = 5 : i64, scale = 0.2 : f64} : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x16x16xf32>, tensor<1x4x16x16xf32>) -> tensor<1x4x8x16xf32>
  return %0 : tensor<1x4x8x16xf32>
}

// -----

func.func @disentangled_mask(%q: tensor<1x4x8x16xf32>, %p: tensor<1x4x16x16xf32>, %m: tensor<1x1x8x9xi1>) -> tensor<1x4x8x16xf32> {
  // expected-error @+1 {{mask dimension 3 is 9; it must be 1 or 8 to broadcast to [batch, heads, q_len, kv_len]}}
  %0 = enc.disentangled_attention %q, %q, %q positions %p, %p mask %m {position_buckets = 8 : i64, max_relative_positions = 24 : i64, scale = 0.2 : f64} : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x16x16xf32>, tensor<1x4x16x16xf32>, tensor<1x1x8x9xi1>) -> tensor<1x4x8x16xf32>
  return %0 : tensor<1x4x8x16xf32>
}

// -----

func.func @relative_position_bias_distance(%t: tensor<32x4xf32>, %n: index) -> tensor<1x4x?x?xf32> {
  // expected-error @+1 {{max_distance must be at most 1048576, got 2097152}}
  %0 = enc.relative_position_bias %t, %n, %n {num_buckets = 32 : i64, max_distance = 2097152 : i64, bidirectional} : (tensor<32x4xf32>, index, index) -> tensor<1x4x?x?xf32>
  return %0 : tensor<1x4x?x?xf32>
}

// -----

func.func @disentangled_too_far(%q: tensor<1x4x8x16xf32>, %p: tensor<1x4x16x16xf32>) -> tensor<1x4x8x16xf32> {
  // expected-error @+1 {{position_buckets and max_relative_positions must be at most 1048576}}
  %0 = enc.disentangled_attention %q, %q, %q positions %p, %p {position_buckets = 8 : i64, max_relative_positions = 2097152 : i64, scale = 0.2 : f64} : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x16x16xf32>, tensor<1x4x16x16xf32>) -> tensor<1x4x8x16xf32>
  return %0 : tensor<1x4x8x16xf32>
}

// -----

func.func @relative_positions_rows(%q: tensor<1x4x8x16xf32>, %r: tensor<1x4x15x16xf32>, %u: tensor<4x16xf32>) -> tensor<1x4x8x16xf32> {
  // expected-error @+1 {{'enc.relative_attention' op position_key must have shape [1, 4, 16, 16], got 'tensor<1x4x15x16xf32>'}}
  %0 = enc.relative_attention %q, %q, %q positions %r biases %u, %u {scale = 0.25 : f64} : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x15x16xf32>, tensor<4x16xf32>, tensor<4x16xf32>) -> tensor<1x4x8x16xf32>
  return %0 : tensor<1x4x8x16xf32>
}

// -----

func.func @relative_bias_shape(%q: tensor<1x4x8x16xf32>, %r: tensor<1x4x16x16xf32>, %u: tensor<4x16xf32>, %w: tensor<16xf32>) -> tensor<1x4x8x16xf32> {
  // expected-error @+1 {{'enc.relative_attention' op position_bias must have shape [4, 16], got 'tensor<16xf32>'}}
  %0 = enc.relative_attention %q, %q, %q positions %r biases %u, %w {scale = 0.25 : f64} : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x16x16xf32>, tensor<4x16xf32>, tensor<16xf32>) -> tensor<1x4x8x16xf32>
  return %0 : tensor<1x4x8x16xf32>
}

// -----

func.func @relative_more_queries(%q: tensor<1x4x8x16xf32>, %k: tensor<1x4x6x16xf32>, %r: tensor<1x4x14x16xf32>, %u: tensor<4x16xf32>) -> tensor<1x4x8x16xf32> {
  // expected-error @+1 {{'enc.relative_attention' op q_len (8) must be at most kv_len (6): the queries are the last positions}}
  %0 = enc.relative_attention %q, %k, %k positions %r biases %u, %u {scale = 0.25 : f64} : (tensor<1x4x8x16xf32>, tensor<1x4x6x16xf32>, tensor<1x4x6x16xf32>, tensor<1x4x14x16xf32>, tensor<4x16xf32>, tensor<4x16xf32>) -> tensor<1x4x8x16xf32>
  return %0 : tensor<1x4x8x16xf32>
}

// -----

func.func @relative_segment_embed(%q: tensor<1x4x8x16xf32>, %r: tensor<1x4x16x16xf32>, %u: tensor<4x16xf32>, %ids: tensor<1x8xi64>, %e: tensor<3x4x16xf32>) -> tensor<1x4x8x16xf32> {
  // expected-error @+1 {{'enc.relative_attention' op segment_embed must have shape [2, 4, 16], got 'tensor<3x4x16xf32>'}}
  %0 = enc.relative_attention %q, %q, %q positions %r biases %u, %u segments %ids, %e, %u {scale = 0.25 : f64} : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x16x16xf32>, tensor<4x16xf32>, tensor<4x16xf32>, tensor<1x8xi64>, tensor<3x4x16xf32>, tensor<4x16xf32>) -> tensor<1x4x8x16xf32>
  return %0 : tensor<1x4x8x16xf32>
}

// -----

func.func @relative_segment_ids(%q: tensor<2x4x8x16xf32>, %r: tensor<1x4x16x16xf32>, %u: tensor<4x16xf32>, %ids: tensor<2x7xi64>, %e: tensor<2x4x16xf32>) -> tensor<2x4x8x16xf32> {
  // expected-error @+1 {{'enc.relative_attention' op segment_ids must have shape [2, 8], got 'tensor<2x7xi64>'}}
  %0 = enc.relative_attention %q, %q, %q positions %r biases %u, %u segments %ids, %e, %u {scale = 0.25 : f64} : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<1x4x16x16xf32>, tensor<4x16xf32>, tensor<4x16xf32>, tensor<2x7xi64>, tensor<2x4x16xf32>, tensor<4x16xf32>) -> tensor<2x4x8x16xf32>
  return %0 : tensor<2x4x8x16xf32>
}

// -----

func.func @relative_mask(%q: tensor<1x4x8x16xf32>, %r: tensor<1x4x16x16xf32>, %u: tensor<4x16xf32>, %m: tensor<1x1x8x9xi1>) -> tensor<1x4x8x16xf32> {
  // expected-error @+1 {{'enc.relative_attention' op mask dimension 3 is 9; it must be 1 or 8 to broadcast to [batch, heads, q_len, kv_len]}}
  %0 = enc.relative_attention %q, %q, %q positions %r biases %u, %u mask %m {scale = 0.25 : f64} : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x16x16xf32>, tensor<4x16xf32>, tensor<4x16xf32>, tensor<1x1x8x9xi1>) -> tensor<1x4x8x16xf32>
  return %0 : tensor<1x4x8x16xf32>
}

// -----

func.func @relative_scale(%q: tensor<1x4x8x16xf32>, %r: tensor<1x4x16x16xf32>, %u: tensor<4x16xf32>) -> tensor<1x4x8x16xf32> {
  // expected-error @+1 {{'enc.relative_attention' op scale must be finite and nonzero}}
  %0 = enc.relative_attention %q, %q, %q positions %r biases %u, %u {scale = 0.0 : f64} : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x16x16xf32>, tensor<4x16xf32>, tensor<4x16xf32>) -> tensor<1x4x8x16xf32>
  return %0 : tensor<1x4x8x16xf32>
}

// -----

func.func @relative_sinusoid_odd(%q: index) -> tensor<?x7xf32> {
  // expected-error @+1 {{'enc.relative_sinusoid' op needs a static, even dim of at least 2, got 7}}
  %0 = enc.relative_sinusoid %q, %q : (index, index) -> tensor<?x7xf32>
  return %0 : tensor<?x7xf32>
}

// -----

func.func @relative_sinusoid_base(%q: index) -> tensor<?x8xf32> {
  // expected-error @+1 {{'enc.relative_sinusoid' op base must be finite and above 1, got 1.000000e+00}}
  %0 = enc.relative_sinusoid %q, %q {base = 1.0 : f64} : (index, index) -> tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

// -----

func.func @relative_sinusoid_rank(%q: index) -> tensor<8xf32> {
  // expected-error @+1 {{'enc.relative_sinusoid' op result must have rank 2 ([q_len + kv_len, dim]), got 'tensor<8xf32>'}}
  %0 = enc.relative_sinusoid %q, %q : (index, index) -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

func.func @span_lengths(%ids: tensor<2x40xi64>, %seed: tensor<i64>) -> tensor<2x36xi64> {
  // expected-error @+1 {{'enc.span_corruption' op inputs must have shape [2, 37], got 'tensor<2x36xi64>'}}
  %0:2 = enc.span_corruption %ids seed %seed {noise_density = 0.15 : f64, sentinel_id = 32099 : i64} : (tensor<2x40xi64>, tensor<i64>) -> (tensor<2x36xi64>, tensor<2x9xi64>)
  return %0#0 : tensor<2x36xi64>
}

// -----

func.func @span_density(%ids: tensor<?x?xi64>, %seed: tensor<i64>) -> tensor<?x?xi64> {
  // expected-error @+1 {{'enc.span_corruption' op noise_density must be in (0, 1), got 1.000000e+00}}
  %0:2 = enc.span_corruption %ids seed %seed {noise_density = 1.0 : f64, sentinel_id = 32099 : i64} : (tensor<?x?xi64>, tensor<i64>) -> (tensor<?x?xi64>, tensor<?x?xi64>)
  return %0#0 : tensor<?x?xi64>
}

// -----

func.func @span_mean(%ids: tensor<?x?xi64>, %seed: tensor<i64>) -> tensor<?x?xi64> {
  // expected-error @+1 {{'enc.span_corruption' op mean_noise_span_length must be finite and at least 1, got 5.000000e-01}}
  %0:2 = enc.span_corruption %ids seed %seed {noise_density = 0.15 : f64, mean_noise_span_length = 0.5 : f64, sentinel_id = 32099 : i64} : (tensor<?x?xi64>, tensor<i64>) -> (tensor<?x?xi64>, tensor<?x?xi64>)
  return %0#0 : tensor<?x?xi64>
}

// -----

func.func @span_seed(%ids: tensor<?x?xi64>, %seed: tensor<1xi64>) -> tensor<?x?xi64> {
  // expected-error @+1 {{'enc.span_corruption' op seed must be a 0-d i64 tensor, got 'tensor<1xi64>'}}
  %0:2 = enc.span_corruption %ids seed %seed {noise_density = 0.15 : f64, sentinel_id = 32099 : i64} : (tensor<?x?xi64>, tensor<1xi64>) -> (tensor<?x?xi64>, tensor<?x?xi64>)
  return %0#0 : tensor<?x?xi64>
}

// -----

func.func @span_short(%ids: tensor<2x1xi64>, %seed: tensor<i64>) -> tensor<2x?xi64> {
  // expected-error @+1 {{'enc.span_corruption' op needs rows of at least 2 tokens, got 1}}
  %0:2 = enc.span_corruption %ids seed %seed {noise_density = 0.15 : f64, sentinel_id = 32099 : i64} : (tensor<2x1xi64>, tensor<i64>) -> (tensor<2x?xi64>, tensor<2x?xi64>)
  return %0#0 : tensor<2x?xi64>
}

// -----

func.func @span_types(%ids: tensor<?x?xi64>, %seed: tensor<i64>) -> tensor<?x?xi32> {
  // expected-error @+1 {{'enc.span_corruption' op inputs element type 'i32' differs from 'i64'}}
  %0:2 = enc.span_corruption %ids seed %seed {noise_density = 0.15 : f64, sentinel_id = 32099 : i64} : (tensor<?x?xi64>, tensor<i64>) -> (tensor<?x?xi32>, tensor<?x?xi64>)
  return %0#0 : tensor<?x?xi32>
}

// -----

func.func @window_grid_dynamic(%x: tensor<?x?x8x4xf32>) -> tensor<?x4x16x4xf32> {
  // expected-error @+1 {{input's grid must be static and positive, got ? x 8}}
  %0 = enc.window_partition %x {window_size = 4 : i64} : (tensor<?x?x8x4xf32>) -> tensor<?x4x16x4xf32>
  return %0 : tensor<?x4x16x4xf32>
}

// -----

func.func @window_grid_indivisible(%x: tensor<?x8x10x4xf32>) -> tensor<?x4x16x4xf32> {
  // expected-error @+1 {{input's grid width (10) must be a multiple of window_size (4)}}
  %0 = enc.window_partition %x {window_size = 4 : i64} : (tensor<?x8x10x4xf32>) -> tensor<?x4x16x4xf32>
  return %0 : tensor<?x4x16x4xf32>
}

// -----

func.func @window_shift(%x: tensor<?x8x8x4xf32>) -> tensor<?x4x16x4xf32> {
  // expected-error @+1 {{shift (4) must be less than window_size (4)}}
  %0 = enc.window_partition %x {window_size = 4 : i64, shift = 4 : i64} : (tensor<?x8x8x4xf32>) -> tensor<?x4x16x4xf32>
  return %0 : tensor<?x4x16x4xf32>
}

// -----

func.func @window_count(%x: tensor<?x8x8x4xf32>) -> tensor<?x2x16x4xf32> {
  // expected-error @+1 {{result must have shape [?, 4, 16, 4], got 'tensor<?x2x16x4xf32>'}}
  %0 = enc.window_partition %x {window_size = 4 : i64} : (tensor<?x8x8x4xf32>) -> tensor<?x2x16x4xf32>
  return %0 : tensor<?x2x16x4xf32>
}

// -----

func.func @window_merge_grid(%w: tensor<?x4x16x4xf32>) -> tensor<?x8x12x4xf32> {
  // expected-error @+1 {{input must have shape [?, 6, 16, 4], got 'tensor<?x4x16x4xf32>'}}
  %0 = enc.window_merge %w {window_size = 4 : i64} : (tensor<?x4x16x4xf32>) -> tensor<?x8x12x4xf32>
  return %0 : tensor<?x8x12x4xf32>
}

// -----

func.func @window_bias_table(%t: tensor<36x2xf32>) -> tensor<1x8x16x16xf32> {
  // expected-error @+1 {{table must have shape [49, 2], got 'tensor<36x2xf32>'}}
  %0 = enc.window_bias %t {window_size = 4 : i64, grid = array<i64: 8, 8>} : (tensor<36x2xf32>) -> tensor<1x8x16x16xf32>
  return %0 : tensor<1x8x16x16xf32>
}

// -----

func.func @window_bias_grid(%t: tensor<49x2xf32>) -> tensor<1x8x16x16xf32> {
  // expected-error @+1 {{grid must be [height, width], got 1 sizes}}
  %0 = enc.window_bias %t {window_size = 4 : i64, grid = array<i64: 8>} : (tensor<49x2xf32>) -> tensor<1x8x16x16xf32>
  return %0 : tensor<1x8x16x16xf32>
}

// -----

func.func @window_bias_result(%t: tensor<49x2xf32>) -> tensor<1x4x16x16xf32> {
  // expected-error @+1 {{result must have shape [1, 8, 16, 16], got 'tensor<1x4x16x16xf32>'}}
  %0 = enc.window_bias %t {window_size = 4 : i64, grid = array<i64: 8, 8>} : (tensor<49x2xf32>) -> tensor<1x4x16x16xf32>
  return %0 : tensor<1x4x16x16xf32>
}

// -----

func.func @nt_xent_odd(%z: tensor<5x8xf32>) -> tensor<f32> {
  // expected-error @+1 {{embeddings' rows (5) must be a multiple of the two views (2)}}
  %0 = enc.nt_xent %z : (tensor<5x8xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @nt_xent_temperature(%z: tensor<4x8xf32>) -> tensor<f32> {
  // expected-error @+1 {{temperature must be finite and positive, got 0}}
  %0 = enc.nt_xent %z {temperature = 0.0 : f64} : (tensor<4x8xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @info_nce_queue(%q: tensor<?x8xf32>, %queue: tensor<16x8xf32>) -> tensor<f32> {
  // expected-error @+1 {{queue must have shape [8, 8], got 'tensor<16x8xf32>'}}
  %0 = enc.queue_info_nce %q, %q, %queue : (tensor<?x8xf32>, tensor<?x8xf32>, tensor<16x8xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @info_nce_key(%q: tensor<?x8xf32>, %k: tensor<?x4xf32>, %queue: tensor<8x16xf32>) -> tensor<f32> {
  // expected-error @+1 {{key must have shape [?, 8], got 'tensor<?x4xf32>'}}
  %0 = enc.queue_info_nce %q, %k, %queue : (tensor<?x8xf32>, tensor<?x4xf32>, tensor<8x16xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @mask_rate(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  // expected-error @+1 {{rate must be in [0, 1], got 1.5}}
  %0 = enc.mask_noise %x {rate = 1.5 : f64} : (tensor<?x8xf32>) -> tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

// -----

func.func @gaussian_noise_shape(%x: tensor<?x8xf32>, %n: tensor<?x4xf32>) -> tensor<?x8xf32> {
  // expected-error @+1 {{noise must have shape [?, 8], got 'tensor<?x4xf32>'}}
  %0 = enc.gaussian_noise %x noise %n {std = 0.1 : f64} : (tensor<?x8xf32>, tensor<?x4xf32>) -> tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

// -----

func.func @gaussian_std(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  // expected-error @+1 {{std must be finite and non-negative, got -1.000000e-01}}
  %0 = enc.gaussian_noise %x {std = -0.1 : f64} : (tensor<?x8xf32>) -> tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

// -----

func.func @kl_target(%h: tensor<?x8xf32>) -> tensor<f32> {
  // expected-error @+1 {{target must be in (0, 1), got 1}}
  %0 = enc.kl_sparsity %h {target = 1.0 : f64} : (tensor<?x8xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @l1_scalar(%h: tensor<f32>) -> tensor<f32> {
  // expected-error @+1 {{hidden must have a batch dimension, got a 0-d tensor}}
  %0 = enc.l1_penalty %h : (tensor<f32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @contractive_weight(%h: tensor<?x8xf32>, %w: tensor<4x16xf32>) -> tensor<f32> {
  // expected-error @+1 {{weight must have shape [8, 16], got 'tensor<4x16xf32>'}}
  %0 = enc.contractive_penalty %h, %w {activation = #enc<activation sigmoid>} : (tensor<?x8xf32>, tensor<4x16xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @contractive_gelu(%h: tensor<?x8xf32>, %w: tensor<8x16xf32>) -> tensor<f32> {
  // expected-error @+1 {{has a closed form for sigmoid, tanh and relu, not gelu}}
  %0 = enc.contractive_penalty %h, %w {activation = #enc<activation gelu>} : (tensor<?x8xf32>, tensor<8x16xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @additive_units(%q: tensor<?x32xf32>, %k: tensor<?x?x16xf32>, %h: tensor<?x?x64xf32>, %v: tensor<32xf32>) -> (tensor<?x64xf32>, tensor<?x?xf32>) {
  // expected-error @+1 {{keys must have shape [?, ?, 32], got 'tensor<?x?x16xf32>'}}
  %c, %w = enc.additive_attention %q, %k, %h, %v : (tensor<?x32xf32>, tensor<?x?x16xf32>, tensor<?x?x64xf32>, tensor<32xf32>) -> (tensor<?x64xf32>, tensor<?x?xf32>)
  return %c, %w : tensor<?x64xf32>, tensor<?x?xf32>
}

// -----

func.func @additive_mask(%q: tensor<2x32xf32>, %k: tensor<2x5x32xf32>, %h: tensor<2x5x64xf32>, %v: tensor<32xf32>, %m: tensor<2x4xi1>) -> (tensor<2x64xf32>, tensor<2x5xf32>) {
  // expected-error @+1 {{mask must have shape [2, 5], got 'tensor<2x4xi1>'}}
  %c, %w = enc.additive_attention %q, %k, %h, %v mask %m : (tensor<2x32xf32>, tensor<2x5x32xf32>, tensor<2x5x64xf32>, tensor<32xf32>, tensor<2x4xi1>) -> (tensor<2x64xf32>, tensor<2x5xf32>)
  return %c, %w : tensor<2x64xf32>, tensor<2x5xf32>
}

// -----

func.func @pool_dynamic(%x: tensor<?x3x?x8xf32>) -> tensor<?x3x?x4xf32> {
  // expected-error @+1 {{needs a static height and width (the window geometry is fixed at compile time)}}
  %0 = enc.max_pool2d %x {kernel_size = array<i64: 2, 2>} : (tensor<?x3x?x8xf32>) -> tensor<?x3x?x4xf32>
  return %0 : tensor<?x3x?x4xf32>
}

// -----

func.func @pool_padding(%x: tensor<?x3x8x8xf32>) -> tensor<?x3x5x5xf32> {
  // expected-error @+1 {{padding must be at most half the kernel size, got 2 for a kernel of 3}}
  %0 = enc.max_pool2d %x {kernel_size = array<i64: 3, 3>, stride = array<i64: 2, 2>, padding = array<i64: 2, 2>} : (tensor<?x3x8x8xf32>) -> tensor<?x3x5x5xf32>
  return %0 : tensor<?x3x5x5xf32>
}

// -----

func.func @pool_negative_padding(%x: tensor<?x3x8x8xf32>) -> tensor<?x3x4x4xf32> {
  // expected-error @+1 {{padding must be non-negative, got [-1, 0]}}
  %0 = enc.avg_pool2d %x {kernel_size = array<i64: 2, 2>, padding = array<i64: -1, 0>} : (tensor<?x3x8x8xf32>) -> tensor<?x3x4x4xf32>
  return %0 : tensor<?x3x4x4xf32>
}

// -----

func.func @pool_stride(%x: tensor<?x3x8x8xf32>) -> tensor<?x3x4x4xf32> {
  // expected-error @+1 {{stride must be positive, got [0, 2]}}
  %0 = enc.avg_pool2d %x {kernel_size = array<i64: 2, 2>, stride = array<i64: 0, 2>} : (tensor<?x3x8x8xf32>) -> tensor<?x3x4x4xf32>
  return %0 : tensor<?x3x4x4xf32>
}

// -----

func.func @pool_result(%x: tensor<?x3x8x8xf32>) -> tensor<?x3x3x4xf32> {
  // expected-error @+1 {{result must have shape [?, 3, 4, 4], got 'tensor<?x3x3x4xf32>'}}
  %0 = enc.max_pool2d %x {kernel_size = array<i64: 2, 2>} : (tensor<?x3x8x8xf32>) -> tensor<?x3x3x4xf32>
  return %0 : tensor<?x3x3x4xf32>
}

// -----

func.func @pool_window(%x: tensor<?x3x2x8xf32>) -> tensor<?x3x1x2xf32> {
  // expected-error @+1 {{does not fit the padded input}}
  %0 = enc.max_pool2d %x {kernel_size = array<i64: 4, 4>} : (tensor<?x3x2x8xf32>) -> tensor<?x3x1x2xf32>
  return %0 : tensor<?x3x1x2xf32>
}

// -----

func.func @pool_kernel_rank(%x: tensor<?x3x8x8xf32>) -> tensor<?x3x4x4xf32> {
  // expected-error @+1 {{kernel_size must have 2 values (height, width), got 1}}
  %0 = enc.max_pool2d %x {kernel_size = array<i64: 2>} : (tensor<?x3x8x8xf32>) -> tensor<?x3x4x4xf32>
  return %0 : tensor<?x3x4x4xf32>
}

// -----

func.func @adaptive_dynamic_out(%x: tensor<?x3x8x8xf32>) -> tensor<?x3x?x1xf32> {
  // expected-error @+1 {{needs a static, positive output size}}
  %0 = enc.adaptive_avg_pool2d %x : (tensor<?x3x8x8xf32>) -> tensor<?x3x?x1xf32>
  return %0 : tensor<?x3x?x1xf32>
}

// -----

func.func @upsample_align_nearest(%x: tensor<?x3x4x4xf32>) -> tensor<?x3x8x8xf32> {
  // expected-error @+1 {{align_corners applies to bilinear only}}
  %0 = enc.upsample2d %x {mode = #enc<upsample nearest>, align_corners} : (tensor<?x3x4x4xf32>) -> tensor<?x3x8x8xf32>
  return %0 : tensor<?x3x8x8xf32>
}

// -----

func.func @upsample_channels(%x: tensor<?x3x4x4xf32>) -> tensor<?x4x8x8xf32> {
  // expected-error @+1 {{result must have shape [?, 3, 8, 8], got 'tensor<?x4x8x8xf32>'}}
  %0 = enc.upsample2d %x {mode = #enc<upsample bilinear>} : (tensor<?x3x4x4xf32>) -> tensor<?x4x8x8xf32>
  return %0 : tensor<?x4x8x8xf32>
}
