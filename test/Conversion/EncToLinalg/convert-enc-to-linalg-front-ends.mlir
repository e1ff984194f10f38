// RUN: encoder-opt %s -convert-enc-to-linalg -split-input-file | FileCheck %s

// Channels split into [groups, channels / groups]; sum and squared
// deviations reduce over the group's channels and time, then one
// elementwise pass with the per-channel affine parameters.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[STAT:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1)>
// CHECK-DAG: #[[CH:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, d2)>
// CHECK-LABEL: func.func @group_norm
// CHECK-SAME: (%[[X:.*]]: tensor<?x6x?xf32>, %[[G:.*]]: tensor<6xf32>, %[[B:.*]]: tensor<6xf32>)
// CHECK: %[[XG:.*]] = tensor.expand_shape %[[X]] {{\[\[}}0], [1, 2], [3]] output_shape [%{{.*}}, 3, 2, %{{.*}}] : tensor<?x6x?xf32> into tensor<?x3x2x?xf32>
// CHECK: %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[STAT]]], iterator_types = ["parallel", "parallel", "reduction", "reduction"]} ins(%[[XG]] :
// CHECK: %[[SQ:.*]] = linalg.generic {{.*}} ins(%[[XG]], %[[SUM]] :
// CHECK: %[[GG:.*]] = tensor.expand_shape %[[G]] {{\[\[}}0, 1]] output_shape [3, 2]
// CHECK: %[[BG:.*]] = tensor.expand_shape %[[B]] {{\[\[}}0, 1]] output_shape [3, 2]
// CHECK: %[[Y:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[STAT]], #[[STAT]], #[[CH]], #[[CH]], #[[ID]]]{{.*}} ins(%[[XG]], %[[SUM]], %[[SQ]], %[[GG]], %[[BG]] :
// CHECK:   math.sqrt
// CHECK: %[[OUT:.*]] = tensor.collapse_shape %[[Y]] {{\[\[}}0], [1, 2], [3]] : tensor<?x3x2x?xf32> into tensor<?x6x?xf32>
// CHECK: return %[[OUT]]
func.func @group_norm(%x: tensor<?x6x?xf32>, %g: tensor<6xf32>, %b: tensor<6xf32>) -> tensor<?x6x?xf32> {
  %0 = enc.group_norm %x scale %g bias %b {num_groups = 3 : i64, epsilon = 1.0e-5 : f64} : (tensor<?x6x?xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<?x6x?xf32>
  return %0 : tensor<?x6x?xf32>
}

// -----

// groups == 1: zero padding, then the upstream strided convolution
// accumulating into the broadcast bias; the output length comes from the
// padded length at run time.
// CHECK-LABEL: func.func @conv1d
// CHECK-SAME: (%[[X:.*]]: tensor<?x4x?xf32>, %[[W:.*]]: tensor<8x4x3xf32>, %[[B:.*]]: tensor<8xf32>)
// CHECK: %[[PAD:.*]] = tensor.pad %[[X]] low[0, 0, 1] high[0, 0, 1]
// CHECK: %[[T:.*]] = tensor.dim %[[PAD]], %c2
// CHECK: %[[SPAN:.*]] = arith.subi %[[T]], %c3
// CHECK: %[[STEPS:.*]] = arith.divui %[[SPAN]], %c2
// CHECK: %[[OUTT:.*]] = arith.addi %[[STEPS]], %c1
// CHECK: %[[EMPTY:.*]] = tensor.empty(%{{.*}}, %[[OUTT]]) : tensor<?x8x?xf32>
// CHECK: %[[INIT:.*]] = linalg.broadcast ins(%[[B]] : tensor<8xf32>) outs(%[[EMPTY]] : tensor<?x8x?xf32>) dimensions = [0, 2]
// CHECK: %[[Y:.*]] = linalg.conv_1d_ncw_fcw {dilations = dense<1> : tensor<1xi64>, strides = dense<2> : tensor<1xi64>} ins(%[[PAD]], %[[W]] : tensor<?x4x?xf32>, tensor<8x4x3xf32>) outs(%[[INIT]] : tensor<?x8x?xf32>)
// CHECK: return %[[Y]]
func.func @conv1d(%x: tensor<?x4x?xf32>, %w: tensor<8x4x3xf32>, %b: tensor<8xf32>) -> tensor<?x8x?xf32> {
  %0 = enc.conv1d %x, %w bias %b {stride = 2 : i64, padding = 1 : i64} : (tensor<?x4x?xf32>, tensor<8x4x3xf32>, tensor<8xf32>) -> tensor<?x8x?xf32>
  return %0 : tensor<?x8x?xf32>
}

// -----

// groups > 1: a contraction over [batch, group, out_per_group, time,
// in_per_group, kernel] on views that split the channels into groups.
// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d4, d3 * 2 + d5)>
// CHECK-DAG: #[[WT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d2, d4, d5)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @conv1d_grouped
// CHECK-SAME: (%[[X:.*]]: tensor<2x8x16xf32>, %[[W:.*]]: tensor<8x2x4xf32>)
// CHECK: %[[PAD:.*]] = tensor.pad %[[X]] low[0, 0, 2] high[0, 0, 2]
// CHECK: %[[XG:.*]] = tensor.expand_shape %[[PAD]] {{\[\[}}0], [1, 2], [3]] output_shape [2, 4, 2, 20]
// CHECK: %[[WG:.*]] = tensor.expand_shape %[[W]] {{\[\[}}0, 1], [2], [3]] output_shape [4, 2, 2, 4]
// CHECK: %[[ZERO:.*]] = linalg.fill {{.*}} -> tensor<2x4x2x9xf32>
// CHECK: %[[Y:.*]] = linalg.generic {indexing_maps = [#[[IN]], #[[WT]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%[[XG]], %[[WG]] : tensor<2x4x2x20xf32>, tensor<4x2x2x4xf32>) outs(%[[ZERO]] : tensor<2x4x2x9xf32>)
// CHECK: tensor.collapse_shape %[[Y]] {{\[\[}}0], [1, 2], [3]] : tensor<2x4x2x9xf32> into tensor<2x8x9xf32>
func.func @conv1d_grouped(%x: tensor<2x8x16xf32>, %w: tensor<8x2x4xf32>) -> tensor<2x8x9xf32> {
  %0 = enc.conv1d %x, %w {stride = 2 : i64, padding = 2 : i64, groups = 4 : i64} : (tensor<2x8x16xf32>, tensor<8x2x4xf32>) -> tensor<2x8x9xf32>
  return %0 : tensor<2x8x9xf32>
}

// -----

// ||v|| per slice of dim 2 (the other dims reduce), then g · v / ||v||
// with g broadcast from its unit dims.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[SLICE:.*]] = affine_map<(d0, d1, d2) -> (d2)>
// CHECK-DAG: #[[GMAP:.*]] = affine_map<(d0, d1, d2) -> (0, 0, d2)>
// CHECK-LABEL: func.func @weight_norm
// CHECK-SAME: (%[[G:.*]]: tensor<1x1x5xf32>, %[[V:.*]]: tensor<6x3x5xf32>)
// CHECK: %[[SQ:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[SLICE]]], iterator_types = ["reduction", "reduction", "parallel"]} ins(%[[V]] :
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[GMAP]], #[[SLICE]], #[[ID]]]{{.*}} ins(%[[V]], %[[G]], %[[SQ]] :
// CHECK:   %[[NORM:.*]] = math.sqrt
// CHECK:   arith.divf %{{.*}}, %[[NORM]]
func.func @weight_norm(%g: tensor<1x1x5xf32>, %v: tensor<6x3x5xf32>) -> tensor<6x3x5xf32> {
  %0 = enc.weight_norm %g, %v {dim = 2 : i64} : (tensor<1x1x5xf32>, tensor<6x3x5xf32>) -> tensor<6x3x5xf32>
  return %0 : tensor<6x3x5xf32>
}

// -----

// Partial rotary: cos/sin tables over [seq, rotary_dim / 2] from constant
// f64 frequencies and the offset position, the angle reduced modulo 2π in
// f64; the partner feature is read through (d + half) mod rotary_dim, the
// tables gathered at [s, d mod half], and the features past rotary_dim
// pass through.
// CHECK-DAG: #[[PARTNER:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, (d3 + 2) mod 4)>
// CHECK-LABEL: func.func @rotary
// CHECK-SAME: (%[[X:.*]]: tensor<?x2x?x8xf32>)
// CHECK-DAG: %[[FREQ:.*]] = arith.constant dense<[1.000000e+00, 1.000000e-02]> : tensor<2xf64>
// CHECK-DAG: %[[OFFSET:.*]] = arith.constant 3.000000e+00 : f64
// CHECK: %[[TABLES:.*]]:2 = linalg.generic {{.*}} ins(%[[FREQ]] : tensor<2xf64>) outs(%{{.*}}, %{{.*}} : tensor<?x2xf32>, tensor<?x2xf32>)
// CHECK:   %[[POS:.*]] = arith.addf %{{.*}}, %[[OFFSET]] : f64
// CHECK:   %[[ANGLE:.*]] = arith.mulf %[[POS]], %{{.*}} : f64
// CHECK:   arith.fptosi
// CHECK:   %[[REDUCED:.*]] = arith.truncf %{{.*}} : f64 to f32
// CHECK:   %[[COS:.*]] = math.cos %[[REDUCED]]
// CHECK:   %[[SIN:.*]] = math.sin %[[REDUCED]]
// CHECK:   linalg.yield %[[COS]], %[[SIN]]
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[PARTNER]], #{{.*}}]{{.*}} ins(%[[X]], %[[X]] :
// CHECK: ^bb0(%[[SELF:.*]]: f32, %[[OTHER:.*]]: f32, %{{.*}}: f32):
// CHECK:   %[[S:.*]] = linalg.index 2
// CHECK:   %[[D:.*]] = linalg.index 3
// CHECK:   %[[I:.*]] = arith.remui %[[D]], %c2
// CHECK:   %[[C:.*]] = tensor.extract %[[TABLES]]#0[%[[S]], %[[I]]]
// CHECK:   %[[SN:.*]] = tensor.extract %[[TABLES]]#1[%[[S]], %[[I]]]
// CHECK:   %[[FIRST:.*]] = arith.cmpi ult, %[[D]], %c2
// CHECK:   %[[ROT:.*]] = arith.mulf %[[OTHER]], %[[SN]]
// CHECK:   arith.negf %[[ROT]]
// CHECK:   arith.mulf %[[SELF]], %[[C]]
// CHECK:   %[[INSIDE:.*]] = arith.cmpi ult, %[[D]], %c4
// CHECK:   arith.select %[[INSIDE]]
func.func @rotary(%x: tensor<?x2x?x8xf32>) -> tensor<?x2x?x8xf32> {
  %0 = enc.rotary %x {rotary_dim = 4 : i64, offset = 3 : i64} : tensor<?x2x?x8xf32>
  return %0 : tensor<?x2x?x8xf32>
}

// -----

// T5 buckets folded at compile time for offsets -6..6 (bidirectional, 8
// buckets: 4 per side, 2 exact, log-spaced up to max_distance 6); the
// offset j - i is clamped into the table, the bucket row gathered per head.
// CHECK-LABEL: func.func @relative_position_bias
// CHECK-SAME: (%[[TABLE:.*]]: tensor<8x2xf32>, %[[Q:.*]]: index, %[[K:.*]]: index)
// CHECK-DAG: %[[BUCKETS:.*]] = arith.constant dense<[3, 3, 3, 2, 2, 1, 0, 5, 6, 6, 7, 7, 7]> : tensor<13xi64>
// CHECK: %[[EMPTY:.*]] = tensor.empty(%[[Q]], %[[K]]) : tensor<1x2x?x?xf32>
// CHECK: linalg.generic {{.*}} outs(%[[EMPTY]] : tensor<1x2x?x?xf32>)
// CHECK:   %[[H:.*]] = linalg.index 1
// CHECK:   %[[I:.*]] = linalg.index 2
// CHECK:   %[[J:.*]] = linalg.index 3
// CHECK:   %[[R:.*]] = arith.subi %[[J]], %[[I]]
// CHECK:   %[[LOW:.*]] = arith.maxsi %[[R]], %c-6
// CHECK:   %[[HIGH:.*]] = arith.minsi %[[LOW]], %c6
// CHECK:   %[[SLOT:.*]] = arith.addi %[[HIGH]], %c6
// CHECK:   %[[BUCKET:.*]] = tensor.extract %[[BUCKETS]][%[[SLOT]]]
// CHECK:   tensor.extract %[[TABLE]][%{{.*}}, %[[H]]]
func.func @relative_position_bias(%table: tensor<8x2xf32>, %q: index, %k: index) -> tensor<1x2x?x?xf32> {
  %0 = enc.relative_position_bias %table, %q, %k {num_buckets = 8 : i64, max_distance = 6 : i64, bidirectional} : (tensor<8x2xf32>, index, index) -> tensor<1x2x?x?xf32>
  return %0 : tensor<1x2x?x?xf32>
}

// -----

// Unidirectional: positive offsets (future keys) share bucket 0.
// CHECK-LABEL: func.func @relative_position_bias_causal
// CHECK: arith.constant dense<[3, 3, 3, 2, 2, 1, 0, 0, 0, 0, 0, 0, 0]> : tensor<13xi64>
func.func @relative_position_bias_causal(%table: tensor<4x2xf32>, %q: index) -> tensor<1x2x?x?xf32> {
  %0 = enc.relative_position_bias %table, %q, %q {num_buckets = 4 : i64, max_distance = 6 : i64} : (tensor<4x2xf32>, index, index) -> tensor<1x2x?x?xf32>
  return %0 : tensor<1x2x?x?xf32>
}

// -----

// Row offset + s of the table, clamped like an embedding id.
// CHECK-LABEL: func.func @positional_learned
// CHECK-SAME: (%[[X:.*]]: tensor<?x?x4xf32>, %[[T:.*]]: tensor<10x4xf32>)
// CHECK: linalg.generic {{.*}} ins(%[[X]] : tensor<?x?x4xf32>)
// CHECK:   %[[S:.*]] = linalg.index 1
// CHECK:   %[[D:.*]] = linalg.index 2
// CHECK:   %[[P:.*]] = arith.addi %[[S]], %c2
// CHECK:   %[[ROW:.*]] = arith.minui %[[P]], %{{.*}}
// CHECK:   %[[E:.*]] = tensor.extract %[[T]][%[[ROW]], %[[D]]]
// CHECK:   arith.addf %{{.*}}, %[[E]]
func.func @positional_learned(%x: tensor<?x?x4xf32>, %t: tensor<10x4xf32>) -> tensor<?x?x4xf32> {
  %0 = enc.positional_encoding learned %x table %t {offset = 2 : i64} : (tensor<?x?x4xf32>, tensor<10x4xf32>) -> tensor<?x?x4xf32>
  return %0 : tensor<?x?x4xf32>
}

// -----

// Interleaved sinusoids: one sin per element, cos being a phase of π/2 on
// the odd features; frequencies and phases are f64 constants.
// CHECK-LABEL: func.func @positional_sinusoidal
// CHECK-DAG: %[[FREQ:.*]] = arith.constant dense<[1.000000e+00, 1.000000e+00, 0.0{{.*}}, 0.0{{.*}}]> : tensor<4xf64>
// CHECK-DAG: %[[PHASE:.*]] = arith.constant dense<[0.000000e+00, 1.5707963267948966, 0.000000e+00, 1.5707963267948966]> : tensor<4xf64>
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %[[FREQ]], %[[PHASE]] : tensor<?x?x4xf32>, tensor<4xf64>, tensor<4xf64>)
// CHECK: ^bb0(%[[IN:.*]]: f32, %[[F:.*]]: f64, %[[PH:.*]]: f64, %{{.*}}: f32):
// CHECK:   %[[SCALED:.*]] = arith.mulf %{{.*}}, %[[F]] : f64
// CHECK:   %[[ANGLE:.*]] = arith.addf %[[SCALED]], %[[PH]] : f64
// CHECK:   %[[R:.*]] = arith.truncf %{{.*}} : f64 to f32
// CHECK:   %[[SIN:.*]] = math.sin %[[R]]
// CHECK:   arith.addf %[[IN]], %[[SIN]]
func.func @positional_sinusoidal(%x: tensor<?x?x4xf32>) -> tensor<?x?x4xf32> {
  %0 = enc.positional_encoding sinusoidal %x : (tensor<?x?x4xf32>) -> tensor<?x?x4xf32>
  return %0 : tensor<?x?x4xf32>
}

// -----

// Whisper's sinusoids (sines, then cosines) with a dynamic dim: the
// frequency comes from an f32 exp at run time, the second half is cos.
// CHECK-LABEL: func.func @positional_concat_dynamic_dim
// CHECK: %[[DIM:.*]] = tensor.dim %{{.*}}, %c2
// CHECK: linalg.generic
// CHECK:   %[[D:.*]] = linalg.index 2
// CHECK:   %[[HALF:.*]] = arith.divui %[[DIM]], %c2
// CHECK:   %[[COS:.*]] = arith.cmpi uge, %[[D]], %[[HALF]]
// CHECK:   arith.remui %[[D]], %[[HALF]]
// CHECK:   math.exp %{{.*}} : f32
// CHECK:   arith.select %[[COS]]
// CHECK:   math.sin
func.func @positional_concat_dynamic_dim(%x: tensor<?x?x?xf32>) -> tensor<?x?x?xf32> {
  %0 = enc.positional_encoding sinusoidal_concat %x : (tensor<?x?x?xf32>) -> tensor<?x?x?xf32>
  return %0 : tensor<?x?x?xf32>
}

// -----

// One contraction over (channel, patch row, patch column) read straight
// from the image, accumulating into the broadcast bias; the [y, x] patch
// grid is then listed row by row.
// CHECK-DAG: #[[PIX:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d4, d1 * 4 + d5, d2 * 4 + d6)>
// CHECK-DAG: #[[W:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d3, d4, d5, d6)>
// CHECK-DAG: #[[GRID:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @patch_embed
// CHECK-SAME: (%[[P:.*]]: tensor<?x3x8x8xf32>, %[[WA:.*]]: tensor<5x3x4x4xf32>, %[[B:.*]]: tensor<5xf32>)
// CHECK: %[[INIT:.*]] = linalg.broadcast ins(%[[B]] : tensor<5xf32>) outs(%{{.*}} : tensor<?x2x2x5xf32>) dimensions = [0, 1, 2]
// CHECK: %[[G:.*]] = linalg.generic {indexing_maps = [#[[PIX]], #[[W]], #[[GRID]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%[[P]], %[[WA]] : {{.*}}) outs(%[[INIT]] : tensor<?x2x2x5xf32>)
// CHECK: %[[OUT:.*]] = tensor.collapse_shape %[[G]] {{\[\[}}0], [1, 2], [3]] : tensor<?x2x2x5xf32> into tensor<?x4x5xf32>
// CHECK: return %[[OUT]]
func.func @patch_embed(%p: tensor<?x3x8x8xf32>, %w: tensor<5x3x4x4xf32>, %b: tensor<5xf32>) -> tensor<?x4x5xf32> {
  %0 = enc.patch_embed %p, %w, %b {patch_size = array<i64: 4, 4>} : (tensor<?x3x8x8xf32>, tensor<5x3x4x4xf32>, tensor<5xf32>) -> tensor<?x4x5xf32>
  return %0 : tensor<?x4x5xf32>
}

// -----

// The class token, broadcast over the batch, goes to row 0; the patches
// after it.
// CHECK-LABEL: func.func @patch_embed_cls
// CHECK-SAME: %[[CLS:[^:]*]]: tensor<1x1x5xf32>)
// CHECK: %[[PATCHES:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0], [1, 2], [3]] : tensor<2x2x2x5xf32> into tensor<2x4x5xf32>
// CHECK: %[[ROW:.*]] = tensor.collapse_shape %[[CLS]] {{\[\[}}0, 1, 2]] : tensor<1x1x5xf32> into tensor<5xf32>
// CHECK: %[[ROWS:.*]] = linalg.broadcast ins(%[[ROW]] : tensor<5xf32>) outs(%{{.*}} : tensor<2x1x5xf32>) dimensions = [0, 1]
// CHECK: %[[WITH_CLS:.*]] = tensor.insert_slice %[[ROWS]] into %{{.*}}[0, 0, 0] [2, 1, 5] [1, 1, 1] : tensor<2x1x5xf32> into tensor<2x5x5xf32>
// CHECK: %[[OUT:.*]] = tensor.insert_slice %[[PATCHES]] into %[[WITH_CLS]][0, 1, 0] [2, 4, 5] [1, 1, 1] : tensor<2x4x5xf32> into tensor<2x5x5xf32>
// CHECK: return %[[OUT]]
func.func @patch_embed_cls(%p: tensor<2x3x8x8xf32>, %w: tensor<5x3x4x4xf32>, %b: tensor<5xf32>, %c: tensor<1x1x5xf32>) -> tensor<2x5x5xf32> {
  %0 = enc.patch_embed %p, %w, %b class_token %c {patch_size = array<i64: 4, 4>} : (tensor<2x3x8x8xf32>, tensor<5x3x4x4xf32>, tensor<5xf32>, tensor<1x1x5xf32>) -> tensor<2x5x5xf32>
  return %0 : tensor<2x5x5xf32>
}

// -----

// MAE's patchify as one copy into [b, y, x, p, q, c], collapsed to
// [b, y·x, p·q·c]; normalize divides the squared deviations by n - 1.
// CHECK-DAG: #[[PIX:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d5, d1 * 4 + d3, d2 * 4 + d4)>
// CHECK-LABEL: func.func @patchify
// CHECK-SAME: (%[[P:.*]]: tensor<?x3x8x8xf32>)
// CHECK: %[[GRID:.*]] = linalg.generic {indexing_maps = [#[[PIX]], #{{.*}}]{{.*}} ins(%[[P]] : tensor<?x3x8x8xf32>) outs(%{{.*}} : tensor<?x2x2x4x4x3xf32>)
// CHECK: %[[PATCHES:.*]] = tensor.collapse_shape %[[GRID]] {{\[\[}}0], [1, 2], [3, 4, 5]] : tensor<?x2x2x4x4x3xf32> into tensor<?x4x48xf32>
// CHECK-DAG: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-DAG: %[[N:.*]] = arith.constant 4.800000e+01 : f32
// CHECK: %[[DOF:.*]] = arith.subf %[[N]], %[[ONE]] : f32
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} ins(%[[PATCHES]] :
// CHECK: %[[SQ:.*]] = linalg.generic {{.*}} ins(%[[PATCHES]], %[[SUM]] :
// CHECK: linalg.generic {{.*}} ins(%[[PATCHES]], %[[SUM]], %[[SQ]] :
// CHECK:   arith.divf %{{.*}}, %[[DOF]] : f32
// CHECK:   math.sqrt
func.func @patchify(%p: tensor<?x3x8x8xf32>) -> tensor<?x4x48xf32> {
  %0 = enc.patchify %p {patch_size = array<i64: 4, 4>, normalize} : (tensor<?x3x8x8xf32>) -> tensor<?x4x48xf32>
  return %0 : tensor<?x4x48xf32>
}

// -----

// With the noise operand: ranks by counting (a stable argsort), the mask
// from the ranks, ids_keep as the patch of each kept rank.
// CHECK-DAG: #[[BN:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[BM:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-LABEL: func.func @random_mask_noise
// CHECK-SAME: (%{{.*}}: tensor<?x8x4xf32>, %[[NOISE:.*]]: tensor<?x8xf32>)
// CHECK: %[[RANK:.*]] = linalg.generic {indexing_maps = [#[[BN]], #[[BM]], #[[BN]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[NOISE]], %[[NOISE]] : tensor<?x8xf32>, tensor<?x8xf32>) outs(%{{.*}} : tensor<?x8xi64>)
// CHECK: ^bb0(%[[MINE:.*]]: f32, %[[OTHER:.*]]: f32, %[[ACC:.*]]: i64):
// CHECK:   %[[N:.*]] = linalg.index 1
// CHECK:   %[[M:.*]] = linalg.index 2
// CHECK:   %[[LT:.*]] = arith.cmpf olt, %[[OTHER]], %[[MINE]]
// CHECK:   %[[EQ:.*]] = arith.cmpf oeq, %[[OTHER]], %[[MINE]]
// CHECK:   %[[BEFORE:.*]] = arith.cmpi ult, %[[M]], %[[N]]
// CHECK:   %[[TIE:.*]] = arith.andi %[[EQ]], %[[BEFORE]]
// CHECK:   %[[COUNT:.*]] = arith.ori %[[LT]], %[[TIE]]
// CHECK:   arith.extui %[[COUNT]] : i1 to i64
// CHECK: %[[MASK:.*]] = linalg.generic {{.*}} ins(%[[RANK]] : tensor<?x8xi64>) outs(%{{.*}} : tensor<?x8xf32>)
// CHECK:   arith.cmpi slt, %{{.*}}, %{{.*}} : i64
// CHECK: %[[KEEP:.*]] = linalg.generic {indexing_maps = [#[[BM]], #[[BN]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[RANK]] : tensor<?x8xi64>) outs(%{{.*}} : tensor<?x2xi64>)
// CHECK:   arith.cmpi eq
// CHECK: return %[[KEEP]], %[[MASK]], %[[RANK]]
func.func @random_mask_noise(%t: tensor<?x8x4xf32>, %n: tensor<?x8xf32>) -> (tensor<?x2xi64>, tensor<?x8xf32>, tensor<?x8xi64>) {
  %0:3 = enc.random_mask %t noise %n {mask_ratio = 0.75 : f64} : (tensor<?x8x4xf32>, tensor<?x8xf32>) -> (tensor<?x2xi64>, tensor<?x8xf32>, tensor<?x8xi64>)
  return %0#0, %0#1, %0#2 : tensor<?x2xi64>, tensor<?x8xf32>, tensor<?x8xi64>
}

// -----

// Seeded, dynamic patch count: the noise hashes (seed, b · patches + n);
// keep = floor(patches · (1 - mask_ratio)) at run time; ids_keep in i32.
// CHECK-LABEL: func.func @random_mask_seed
// CHECK: %[[PATCHES:.*]] = tensor.dim %{{.*}}, %c1
// CHECK: %[[PF:.*]] = arith.sitofp %{{.*}} : i64 to f64
// CHECK: %[[SCALED:.*]] = arith.mulf %[[PF]], %{{.*}} : f64
// CHECK: %[[KEEPI:.*]] = arith.fptosi %[[SCALED]] : f64 to i64
// CHECK: %[[KEEP:.*]] = arith.index_cast %[[KEEPI]] : i64 to index
// CHECK: %[[NOISE:.*]] = linalg.generic
// CHECK:   %[[B:.*]] = linalg.index 0
// CHECK:   %[[N:.*]] = linalg.index 1
// CHECK:   %[[ROW:.*]] = arith.muli %[[B]], %[[PATCHES]]
// CHECK:   arith.addi %[[ROW]], %[[N]]
// CHECK:   arith.uitofp %{{.*}} : i64 to f32
// CHECK: linalg.generic {{.*}} ins(%[[NOISE]], %[[NOISE]] :
// CHECK: tensor.empty(%{{.*}}, %[[KEEP]]) : tensor<?x?xi32>
func.func @random_mask_seed(%t: tensor<?x?x4xf32>) -> (tensor<?x?xi32>, tensor<?x?xf32>, tensor<?x?xi64>) {
  %0:3 = enc.random_mask %t {mask_ratio = 0.5 : f64, seed = 7 : i64} : (tensor<?x?x4xf32>) -> (tensor<?x?xi32>, tensor<?x?xf32>, tensor<?x?xi64>)
  return %0#0, %0#1, %0#2 : tensor<?x?xi32>, tensor<?x?xf32>, tensor<?x?xi64>
}

// -----

// A per-sample gather along dim 1, indices clamped into [0, n).
// CHECK-LABEL: func.func @gather_visible
// CHECK-SAME: (%[[T:.*]]: tensor<?x8x4xf32>, %[[I:.*]]: tensor<?x2xi64>)
// CHECK: linalg.generic {{.*}} ins(%[[I]] : tensor<?x2xi64>) outs(%{{.*}} : tensor<?x2x4xf32>)
// CHECK: ^bb0(%[[ID:.*]]: i64, %{{.*}}: f32):
// CHECK:   %[[B:.*]] = linalg.index 0
// CHECK:   %[[INDEX:.*]] = arith.index_cast %[[ID]] : i64 to index
// CHECK:   %[[LOW:.*]] = arith.maxsi %[[INDEX]], %{{.*}}
// CHECK:   %[[ROW:.*]] = arith.minsi %[[LOW]], %{{.*}}
// CHECK:   %[[D:.*]] = linalg.index 2
// CHECK:   tensor.extract %[[T]][%[[B]], %[[ROW]], %[[D]]]
func.func @gather_visible(%t: tensor<?x8x4xf32>, %i: tensor<?x2xi64>) -> tensor<?x2x4xf32> {
  %0 = enc.gather_visible %t, %i : (tensor<?x8x4xf32>, tensor<?x2xi64>) -> tensor<?x2x4xf32>
  return %0 : tensor<?x2x4xf32>
}

// -----

// Frames gathered with the reflect padding in the index; a contraction
// with the constant windowed DFT ([cos; sin] x n_fft) that reads the frames
// with tensor.extract (out of reach of elementwise fusion); power from the
// two halves; a contraction with the constant mel filterbank; log10 as a
// natural log; the per-sample max; Whisper's floor and scaling.
// CHECK-DAG: #[[DFT_MAP:.*]] = affine_map<(d0, d1, d2, d3) -> (d2, d3)>
// CHECK-DAG: #[[SPEC_MAP:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-DAG: #[[BANK_MAP:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, d3)>
// CHECK-LABEL: func.func @log_mel
// CHECK-SAME: (%[[A:.*]]: tensor<?x?xf32>)
// CHECK: %[[S:.*]] = tensor.dim %[[A]], %c1
// CHECK: %[[FRAMES:.*]] = arith.divui %[[S]], %c4
// CHECK: %[[LAST:.*]] = arith.subi %[[S]], %c1
// CHECK: %[[FRAMED:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<?x?x8xf32>)
// CHECK:   arith.cmpi slt
// CHECK:   arith.cmpi sgt, %{{.*}}, %[[LAST]]
// CHECK:   tensor.extract %[[A]]
// CHECK: %[[DFT:.*]] = arith.constant dense<{{.*}}> : tensor<10x8xf32>
// CHECK: %[[SPEC:.*]] = linalg.generic {indexing_maps = [#[[DFT_MAP]], #[[SPEC_MAP]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%[[DFT]] : tensor<10x8xf32>) outs(%{{.*}} : tensor<?x?x10xf32>)
// CHECK:   tensor.extract %[[FRAMED]]
// CHECK: %[[RE:.*]] = tensor.extract_slice %[[SPEC]][0, 0, 0] [%{{.*}}, %[[FRAMES]], 5] [1, 1, 1]
// CHECK: %[[IM:.*]] = tensor.extract_slice %[[SPEC]][0, 0, 5] [%{{.*}}, %[[FRAMES]], 5] [1, 1, 1]
// CHECK: %[[POWER:.*]] = linalg.generic {{.*}} ins(%[[RE]], %[[IM]] :
// CHECK: %[[BANK:.*]] = arith.constant dense<{{.*}}> : tensor<4x5xf32>
// CHECK: %[[MEL:.*]] = linalg.generic {indexing_maps = [#[[BANK_MAP]], #[[SPEC_MAP]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%[[BANK]] : tensor<4x5xf32>) outs(%{{.*}} : tensor<?x4x?xf32>)
// CHECK:   tensor.extract %[[POWER]]
// CHECK: %[[LOG:.*]] = linalg.generic {{.*}} ins(%[[MEL]] :
// CHECK:   arith.maximumf
// CHECK:   math.log
// CHECK: %[[PEAK:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "reduction"]} ins(%[[LOG]] : tensor<?x4x?xf32>) outs(%{{.*}} : tensor<?xf32>)
// CHECK: %[[OUT:.*]] = linalg.generic {{.*}} ins(%[[LOG]], %[[PEAK]] :
// CHECK:   arith.subf %{{.*}}, %cst
// CHECK: return %[[OUT]]
func.func @log_mel(%a: tensor<?x?xf32>) -> tensor<?x4x?xf32> {
  %0 = enc.log_mel %a {n_fft = 8 : i64, hop_length = 4 : i64, n_mels = 4 : i64} : (tensor<?x?xf32>) -> tensor<?x4x?xf32>
  return %0 : tensor<?x4x?xf32>
}

// -----

// Relative attention: the three biased queries (content, position, segment)
// as elementwise adds of [heads, head_dim]; the position term a contraction
// against the q_len + kv_len projected positions (batch 0 when shared), the
// segment term one against the two segment rows; the bias gathers row
// q_len - i + j and the segment column (s_i != s_j), then scales; attention
// runs on the content query with the mask, and the CPU's attention kernel
// computes the bias's elements in its score tile (the bias generic, tagged
// with the op it came from, is left without a user).
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[HEAD:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, d3)>
// CHECK-DAG: #[[SHARED:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (0, d1, d3, d4)>
// CHECK-LABEL: func.func @relative_attention
// CHECK-SAME: (%[[Q:.*]]: tensor<2x4x8x16xf32>, %[[K:.*]]: tensor<2x4x8x16xf32>, %[[R:.*]]: tensor<1x4x16x16xf32>, %[[U:.*]]: tensor<4x16xf32>, %[[W:.*]]: tensor<4x16xf32>, %[[IDS:.*]]: tensor<2x8xi64>, %[[E:.*]]: tensor<2x4x16xf32>, %[[T:.*]]: tensor<4x16xf32>, %[[M:.*]]: tensor<2x1x8x8xi1>)
// CHECK: %[[QW:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[HEAD]], #[[ID]]], {{.*}} ins(%[[Q]], %[[W]] :
// CHECK: %[[POS:.*]] = linalg.generic {indexing_maps = [#{{.*}}, #[[SHARED]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%[[QW]], %[[R]] : tensor<2x4x8x16xf32>, tensor<1x4x16x16xf32>) outs(%{{.*}} : tensor<2x4x8x16xf32>)
// CHECK: %[[QT:.*]] = linalg.generic {{.*}} ins(%[[Q]], %[[T]] :
// CHECK: %[[SEG:.*]] = linalg.generic {{.*}} ins(%[[QT]], %{{.*}} : tensor<2x4x8x16xf32>, tensor<1x4x2x16xf32>) outs(%{{.*}} : tensor<2x4x8x2xf32>)
// CHECK: %[[BIAS:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<2x4x8x8xf32>) attrs = {enc.origin = "enc.relative_attention"}
// CHECK:   %[[I:.*]] = linalg.index 2
// CHECK:   %[[J:.*]] = linalg.index 3
// CHECK:   %[[BACK:.*]] = arith.subi %{{.*}}, %[[I]]
// CHECK:   %[[ROW:.*]] = arith.addi %[[BACK]], %[[J]]
// CHECK:   %[[P:.*]] = tensor.extract %[[POS]][%{{.*}}, %{{.*}}, %[[I]], %[[ROW]]]
// CHECK:   %[[SI:.*]] = tensor.extract %[[IDS]]
// CHECK:   %[[SJ:.*]] = tensor.extract %[[IDS]][%{{.*}}, %[[J]]]
// CHECK:   %[[DIFFER:.*]] = arith.cmpi ne, %[[SI]], %[[SJ]]
// CHECK:   %[[COL:.*]] = arith.select %[[DIFFER]]
// CHECK:   %[[S:.*]] = tensor.extract %[[SEG]][%{{.*}}, %{{.*}}, %[[I]], %[[COL]]]
// CHECK:   %[[SUM:.*]] = arith.addf %[[P]], %[[S]]
// CHECK:   arith.mulf %[[SUM]]
// CHECK: %[[QU:.*]] = linalg.generic {{.*}} ins(%[[Q]], %[[U]] :
// CHECK-NOT: %[[BIAS]]{{[^0-9_]}}
// CHECK: enc.kernel_info "attention" ["enc.attention", "enc.relative_attention"]
// CHECK-NOT: %[[BIAS]]{{[^0-9_]}}
// CHECK: %[[MT:.*]] = tensor.extract_slice %[[M]]
// CHECK-NOT: %[[BIAS]]{{[^0-9_]}}
// CHECK: linalg.generic {{.*}} ins(%[[MT]] : tensor<?x?xi1>)
// CHECK:   tensor.extract %[[POS]][
// CHECK:   tensor.extract %[[IDS]]
// CHECK:   tensor.extract %[[IDS]]
// CHECK:   tensor.extract %[[SEG]][
// CHECK:   arith.mulf
// CHECK:   arith.addf
// CHECK:   arith.select
// CHECK-NOT: %[[BIAS]]{{[^0-9_]}}
// CHECK-NOT: enc.
func.func @relative_attention(%q: tensor<2x4x8x16xf32>, %k: tensor<2x4x8x16xf32>, %r: tensor<1x4x16x16xf32>, %u: tensor<4x16xf32>, %w: tensor<4x16xf32>, %ids: tensor<2x8xi64>, %e: tensor<2x4x16xf32>, %t: tensor<4x16xf32>, %m: tensor<2x1x8x8xi1>) -> tensor<2x4x8x16xf32> {
  %o = enc.relative_attention %q, %k, %k positions %r biases %u, %w segments %ids, %e, %t mask %m {scale = 0.25 : f64} : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<1x4x16x16xf32>, tensor<4x16xf32>, tensor<4x16xf32>, tensor<2x8xi64>, tensor<2x4x16xf32>, tensor<4x16xf32>, tensor<2x1x8x8xi1>) -> tensor<2x4x8x16xf32>
  return %o : tensor<2x4x8x16xf32>
}

// -----

// Relative sinusoids: float32 frequencies base^(-2i/dim) folded into a
// constant; row r is the distance kv_len - r clamped to ±clamp; the product
// rounded in f32, the cosine half shifted by π/2, reduced in f64.
// CHECK-LABEL: func.func @relative_sinusoid
// CHECK-SAME: (%[[QL:.*]]: index, %[[KL:.*]]: index)
// CHECK: %[[FREQ:.*]] = arith.constant dense<[1.000000e+00, 1.000000e-01, 0.00999999977, 1.000000e-03]> : tensor<4xf32>
// CHECK: %[[ROWS:.*]] = arith.addi %[[QL]], %[[KL]]
// CHECK: tensor.empty(%[[ROWS]]) : tensor<?x8xf32>
// CHECK: linalg.generic
// CHECK:   %[[R:.*]] = linalg.index 0
// CHECK:   %[[F:.*]] = linalg.index 1
// CHECK:   %[[D:.*]] = arith.subi %[[KL]], %[[R]]
// CHECK:   arith.maxsi %{{.*}}, %c-3_i64
// CHECK:   %[[CLAMPED:.*]] = arith.minsi %{{.*}}, %c3_i64
// CHECK:   %[[DF:.*]] = arith.sitofp %[[CLAMPED]] : i64 to f32
// CHECK:   %[[FI:.*]] = tensor.extract %[[FREQ]]
// CHECK:   %[[ANGLE:.*]] = arith.mulf %[[DF]], %[[FI]] : f32
// CHECK:   arith.extf %[[ANGLE]] : f32 to f64
// CHECK:   arith.fptosi
// CHECK:   math.sin %{{.*}} : f32
func.func @relative_sinusoid(%q: index, %k: index) -> tensor<?x8xf32> {
  %0 = enc.relative_sinusoid %q, %k {clamp = 3 : i64} : (index, index) -> tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

// -----

// Span corruption: the counts from the row length (round half to even by
// integer arithmetic), outputs with a scratch column, a loop over rows
// around a loop over tokens carrying the scan's state; each token writes
// one input and one target position (the scratch column when it writes
// nothing), draws a splitmix64 uniform from the seed, row, kind and count;
// EOS last, the scratch column sliced off.
// CHECK-LABEL: func.func @span_corruption
// CHECK-SAME: (%[[IDS:.*]]: tensor<?x?xi64>, %[[SEED:.*]]: tensor<i64>)
// CHECK: %[[LEN:.*]] = tensor.dim %[[IDS]], %c1
// CHECK: arith.mulf %{{.*}}, %cst : f64
// CHECK: arith.fptosi
// CHECK: arith.cmpf oeq
// CHECK: %[[IN:.*]] = tensor.empty(%{{.*}}, %{{.*}}) : tensor<?x?xi64>
// CHECK: %[[TG:.*]] = tensor.empty(%{{.*}}, %{{.*}}) : tensor<?x?xi64>
// CHECK: %[[S:.*]] = tensor.extract %[[SEED]][] : tensor<i64>
// CHECK: %[[ROWS:.*]]:2 = scf.for %[[ROW:.*]] = %c0 to %{{.*}} step %c1 iter_args(%{{.*}} = %[[IN]], %{{.*}} = %[[TG]])
// CHECK:   %[[SCAN:.*]]:12 = scf.for %[[P:.*]] = %c0 to %[[LEN]] step %c1 iter_args
// CHECK:     tensor.extract %[[IDS]][%[[ROW]], %[[P]]]
// CHECK:     tensor.insert
// CHECK:     tensor.insert
// CHECK:     arith.muli %[[S]], %c-7046029254386353131_i64
// CHECK:     arith.xori
// CHECK:     arith.shrui
// CHECK:     arith.cmpf olt
// CHECK:     scf.yield
// CHECK:   tensor.insert %[[EOS:.*]] into %[[SCAN]]#0[%[[ROW]], %{{.*}}]
// CHECK:   tensor.insert %[[EOS]] into %[[SCAN]]#1[%[[ROW]], %{{.*}}]
// CHECK: tensor.extract_slice %[[ROWS]]#0[0, 0]
// CHECK: tensor.extract_slice %[[ROWS]]#1[0, 0]
// CHECK-NOT: enc.
func.func @span_corruption(%ids: tensor<?x?xi64>, %seed: tensor<i64>) -> (tensor<?x?xi64>, tensor<?x?xi64>) {
  %i, %t = enc.span_corruption %ids seed %seed {noise_density = 0.15 : f64, sentinel_id = 32099 : i64} : (tensor<?x?xi64>, tensor<i64>) -> (tensor<?x?xi64>, tensor<?x?xi64>)
  return %i, %t : tensor<?x?xi64>, tensor<?x?xi64>
}

// -----

// Disentangled attention on the CPU: the two position terms as contractions
// ([batch, heads, seq, 2 span]); the bias generic that gathers them at the
// compile-time index of each offset is computed inside the flash kernel's
// score tile, so no [batch, heads, q_len, kv_len] buffer is read.
// CHECK-LABEL: func.func @disentangled_attention
// CHECK-DAG: %[[TABLE:.*]] = arith.constant dense<[{{.*}}]> : tensor<{{[0-9]+}}xi32>
// CHECK: %[[C2P:.*]] = linalg.generic {{.*}} ins(%arg0, %arg3 : tensor<2x4x8x16xf32>, tensor<1x4x16x16xf32>) outs(%{{.*}} : tensor<2x4x8x16xf32>)
// CHECK: %[[P2C:.*]] = linalg.generic {{.*}} ins(%arg1, %arg2 : tensor<2x4x8x16xf32>, tensor<1x4x16x16xf32>) outs(%{{.*}} : tensor<2x4x8x16xf32>)
// CHECK: %[[BIAS:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<2x4x8x8xf32>) attrs = {enc.origin = "enc.disentangled_attention"}
// CHECK-NOT: %[[BIAS]]{{[^0-9_]}}
// CHECK: scf.forall (%[[B:.*]], %[[H:.*]], %{{.*}}) in (2, 4, 1)
// CHECK:   enc.kernel_info "attention" ["enc.attention", "enc.disentangled_attention"]
// CHECK:   scf.for %[[K0:[a-z0-9_]+]] =
// CHECK:     %[[MT:.*]] = tensor.extract_slice %arg4[%[[B]], 0,
// CHECK:     linalg.generic {{.*}} ins(%[[MT]] : tensor<?x?xi1>)
// CHECK:       %[[I:.*]] = arith.addi %{{.*}}, %{{.*}} : index
// CHECK:       %[[J:.*]] = arith.addi %{{.*}}, %[[K0]] : index
// CHECK:       %[[OFFSET:.*]] = arith.subi %[[I]], %[[J]]
// CHECK:       tensor.extract %[[TABLE]]
// CHECK:       %[[DELTA:.*]] = arith.index_cast
// CHECK:       tensor.extract %[[C2P]][%[[B]], %[[H]], %[[I]], %[[DELTA]]]
// CHECK:       tensor.extract %[[P2C]][%[[B]], %[[H]], %[[J]], %[[DELTA]]]
// CHECK:       arith.addf
// CHECK:       arith.mulf
// CHECK:       arith.addf
// CHECK:       arith.select
// CHECK-NOT: %[[BIAS]]{{[^0-9_]}}
// CHECK-NOT: enc.
func.func @disentangled_attention(%q: tensor<2x4x8x16xf32>, %k: tensor<2x4x8x16xf32>, %pq: tensor<1x4x16x16xf32>, %pk: tensor<1x4x16x16xf32>, %m: tensor<2x1x8x8xi1>) -> tensor<2x4x8x16xf32> {
  %o = enc.disentangled_attention %q, %k, %k positions %pq, %pk mask %m {position_buckets = 8 : i64, max_relative_positions = 24 : i64, content_to_position, position_to_content, scale = 0.144 : f64} : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<1x4x16x16xf32>, tensor<1x4x16x16xf32>, tensor<2x1x8x8xi1>) -> tensor<2x4x8x16xf32>
  return %o : tensor<2x4x8x16xf32>
}

// -----

// Swin's windows on an 8 x 12 grid (windows of 4, 3 columns of windows,
// shift 2): the partition gathers (row(n)·4 + t/4 + 2) mod 8 and
// (col(n)·4 + t mod 4 + 2) mod 12; the merge reads the rolled-back position
// ((r + 6) mod 8, (c + 10) mod 12) from its window and token; the bias reads
// the table at (Δrow + 3)·7 + Δcol + 3 and head slot mod 3, and adds -100
// where the regions (split at 4 and 6 down, 8 and 10 across) differ.
// CHECK-LABEL: func.func @windows
// CHECK-SAME: (%[[X:.*]]: tensor<?x8x12x5xf32>, %[[T:.*]]: tensor<49x3xf32>)
// CHECK: %[[W:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<?x6x16x5xf32>)
// CHECK:   %[[B:.*]] = linalg.index 0
// CHECK:   %[[N:.*]] = linalg.index 1
// CHECK:   %[[TOK:.*]] = linalg.index 2
// CHECK:   %[[C:.*]] = linalg.index 3
// CHECK:   arith.divui %[[N]], %c3
// CHECK:   %[[ROW:.*]] = arith.remui %{{.*}}, %c8
// CHECK:   arith.remui %[[N]], %c3
// CHECK:   %[[COL:.*]] = arith.remui %{{.*}}, %c12
// CHECK:   tensor.extract %[[X]][%[[B]], %[[ROW]], %[[COL]], %[[C]]]
// CHECK: %[[Y:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<?x8x12x5xf32>)
// CHECK:   %[[R:.*]] = linalg.index 1
// CHECK:   %[[CC:.*]] = linalg.index 2
// CHECK:   arith.addi %[[R]], %c6
// CHECK:   arith.remui %{{.*}}, %c8
// CHECK:   arith.addi %[[CC]], %c10
// CHECK:   arith.remui %{{.*}}, %c12
// CHECK:   tensor.extract %[[W]]
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<1x18x16x16xf32>)
// CHECK:   %[[SLOT:.*]] = linalg.index 1
// CHECK:   %[[HEAD:.*]] = arith.remui %[[SLOT]], %c3
// CHECK:   arith.muli %{{.*}}, %c7
// CHECK:   %[[VALUE:.*]] = tensor.extract %[[T]][%{{.*}}, %[[HEAD]]]
// CHECK:   arith.cmpi uge, %{{.*}}, %c4
// CHECK:   arith.cmpi uge, %{{.*}}, %c6
// CHECK:   arith.cmpi uge, %{{.*}}, %c8
// CHECK:   arith.cmpi uge, %{{.*}}, %c10
// CHECK:   %[[APART:.*]] = arith.cmpi ne
// CHECK:   %[[MASKED:.*]] = arith.addf %[[VALUE]], %{{.*}} : f32
// CHECK:   arith.select %[[APART]], %[[MASKED]], %[[VALUE]]
// CHECK-NOT: enc.
func.func @windows(%x: tensor<?x8x12x5xf32>, %t: tensor<49x3xf32>) -> (tensor<?x8x12x5xf32>, tensor<1x18x16x16xf32>) {
  %w = enc.window_partition %x {window_size = 4 : i64, shift = 2 : i64} : (tensor<?x8x12x5xf32>) -> tensor<?x6x16x5xf32>
  %y = enc.window_merge %w {window_size = 4 : i64, shift = 2 : i64} : (tensor<?x6x16x5xf32>) -> tensor<?x8x12x5xf32>
  %b = enc.window_bias %t {window_size = 4 : i64, shift = 2 : i64, grid = array<i64: 8, 12>} : (tensor<49x3xf32>) -> tensor<1x18x16x16xf32>
  return %y, %b : tensor<?x8x12x5xf32>, tensor<1x18x16x16xf32>
}

// -----

// Additive attention: the scores as a reduction over the units of
// tanh(q + k) · v, the mask's left-out states at the most negative finite
// score, the row max, exp-sum and weights, then the weighted sum of the
// values with the sequence innermost.
// CHECK-LABEL: func.func @additive_attention
// CHECK-SAME: (%[[Q:.*]]: tensor<?x8xf32>, %[[K:.*]]: tensor<?x?x8xf32>, %[[H:.*]]: tensor<?x?x4xf32>, %[[V:.*]]: tensor<8xf32>, %[[M:.*]]: tensor<?x?xi64>)
// CHECK: %[[E:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[Q]], %[[K]], %[[V]] :
// CHECK:   math.tanh
// CHECK: %[[MASKED:.*]] = linalg.generic {{.*}} ins(%[[E]], %[[M]] :
// CHECK:   arith.select %{{.*}}, %{{.*}}, %cst{{.*}} : f32
// CHECK: %[[MAX:.*]] = linalg.generic {{.*}} ins(%[[MASKED]] :
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} ins(%[[MASKED]], %[[MAX]] :
// CHECK: %[[W:.*]] = linalg.generic {{.*}} ins(%[[MASKED]], %[[MAX]], %[[SUM]] :
// CHECK:   arith.divf
// CHECK: %[[C:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[W]], %[[H]] :
// CHECK: return %[[C]], %[[W]]
func.func @additive_attention(%q: tensor<?x8xf32>, %k: tensor<?x?x8xf32>, %h: tensor<?x?x4xf32>, %v: tensor<8xf32>, %m: tensor<?x?xi64>) -> (tensor<?x4xf32>, tensor<?x?xf32>) {
  %c, %w = enc.additive_attention %q, %k, %h, %v mask %m : (tensor<?x8xf32>, tensor<?x?x8xf32>, tensor<?x?x4xf32>, tensor<8xf32>, tensor<?x?xi64>) -> (tensor<?x4xf32>, tensor<?x?xf32>)
  return %c, %w : tensor<?x4xf32>, tensor<?x?xf32>
}

// -----

// Image pooling: one reduction over (n, c, oh, ow, kh, kw), the kernel's
// loops sized by an unread [kh, kw] operand; each element read at clamped
// indices where the window lies inside the 7 x 7 input (the padding
// skipped); the averages then divide by a compile-time table: without the
// padding in the count, 4 / 6 / 9 elements at corners, edges and inside;
// adaptive bins of 7 onto 2 x 3 hold 4 x 3 elements each.
// CHECK-LABEL: func.func @image_pooling
// CHECK-SAME: (%[[X:.*]]: tensor<?x3x7x7xf32>)
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%{{.*}} : tensor<3x3xf32>) outs(%{{.*}} : tensor<?x3x4x4xf32>)
// CHECK:   arith.cmpi sge
// CHECK:   arith.cmpi slt, %{{.*}}, %c7
// CHECK:   arith.minsi %{{.*}}, %c6
// CHECK:   %[[E:.*]] = tensor.extract %[[X]]
// CHECK:   arith.maximumf %{{.*}}, %[[E]]
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} ins(%{{.*}} : tensor<3x3xf32>) outs(%{{.*}} : tensor<?x3x4x4xf32>)
// CHECK:   arith.addf
// CHECK: %[[DIV:.*]] = arith.constant dense<{{\[\[}}4.000000e+00, 6.000000e+00, 6.000000e+00, 4.000000e+00], [6.000000e+00, 9.000000e+00
// CHECK: linalg.generic {{.*}} ins(%[[SUM]], %[[DIV]] : tensor<?x3x4x4xf32>, tensor<4x4xf32>)
// CHECK:   arith.divf
// CHECK: %[[BINS:.*]] = linalg.generic {{.*}} ins(%{{.*}} : tensor<4x3xf32>) outs(%{{.*}} : tensor<?x3x2x3xf32>)
// CHECK:   arith.cmpi ult
// CHECK:   arith.minui %{{.*}}, %c6
// CHECK: arith.constant dense<1.200000e+01> : tensor<2x3xf32>
// CHECK: linalg.generic {{.*}} ins(%[[BINS]], %{{.*}} : tensor<?x3x2x3xf32>, tensor<2x3xf32>)
func.func @image_pooling(%x: tensor<?x3x7x7xf32>) -> (tensor<?x3x4x4xf32>, tensor<?x3x4x4xf32>, tensor<?x3x2x3xf32>) {
  %0 = enc.max_pool2d %x {kernel_size = array<i64: 3, 3>, stride = array<i64: 2, 2>, padding = array<i64: 1, 1>} : (tensor<?x3x7x7xf32>) -> tensor<?x3x4x4xf32>
  %1 = enc.avg_pool2d %x {kernel_size = array<i64: 3, 3>, stride = array<i64: 2, 2>, padding = array<i64: 1, 1>, count_include_pad = false} : (tensor<?x3x7x7xf32>) -> tensor<?x3x4x4xf32>
  %2 = enc.adaptive_avg_pool2d %x : (tensor<?x3x7x7xf32>) -> tensor<?x3x2x3xf32>
  return %0, %1, %2 : tensor<?x3x4x4xf32>, tensor<?x3x4x4xf32>, tensor<?x3x2x3xf32>
}

// -----

// Resizing: nearest reads floor(o · in / out) (in f32, clamped to the last
// row); bilinear blends the clamped neighbours of max((o + 0.5) · in / out
// - 0.5, 0) along both axes.
// CHECK-LABEL: func.func @upsample
// CHECK-SAME: (%[[X:.*]]: tensor<?x2x4x5xf32>)
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<?x2x8x10xf32>)
// CHECK:   arith.mulf %{{.*}}, %cst{{.*}} : f32
// CHECK:   math.floor
// CHECK:   arith.minsi %{{.*}}, %c3
// CHECK:   tensor.extract %[[X]]
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<?x2x8x10xf32>)
// CHECK:   arith.addf %{{.*}}, %cst{{.*}} : f32
// CHECK:   arith.maximumf
// CHECK:   arith.fptosi
// CHECK-COUNT-4: tensor.extract %[[X]]
func.func @upsample(%x: tensor<?x2x4x5xf32>) -> (tensor<?x2x8x10xf32>, tensor<?x2x8x10xf32>) {
  %0 = enc.upsample2d %x {mode = #enc<upsample nearest>} : (tensor<?x2x4x5xf32>) -> tensor<?x2x8x10xf32>
  %1 = enc.upsample2d %x {mode = #enc<upsample bilinear>} : (tensor<?x2x4x5xf32>) -> tensor<?x2x8x10xf32>
  return %0, %1 : tensor<?x2x8x10xf32>, tensor<?x2x8x10xf32>
}
