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

func.func @linear_weight_rank(%x: tensor<2x3xf32>, %w: tensor<4x3x1xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{weight must have rank 2 ([out, in])}}
  %0 = enc.linear %x, %w : (tensor<2x3xf32>, tensor<4x3x1xf32>) -> tensor<2x4xf32>
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
