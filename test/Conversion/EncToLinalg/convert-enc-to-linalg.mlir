// RUN: encoder-opt %s -convert-enc-to-linalg -split-input-file | FileCheck %s

// The [out, in] weight is read through a transposed indexing map, never
// transposed in memory; the bias is the matmul's initial accumulator.
// CHECK-DAG: #[[A:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[B:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[C:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @linear_bias
// CHECK-SAME: (%[[X:.*]]: tensor<2x5x3xf32>, %[[W:.*]]: tensor<4x3xf32>, %[[BIAS:.*]]: tensor<4xf32>)
// CHECK: %[[ROWS:.*]] = tensor.collapse_shape %[[X]] {{\[\[}}0, 1], [2]] : tensor<2x5x3xf32> into tensor<10x3xf32>
// CHECK: %[[INIT:.*]] = linalg.broadcast ins(%[[BIAS]] : tensor<4xf32>) outs(%{{.*}} : tensor<10x4xf32>) dimensions = [0]
// CHECK: %[[MM:.*]] = linalg.matmul indexing_maps = [#[[A]], #[[B]], #[[C]]] ins(%[[ROWS]], %[[W]] : tensor<10x3xf32>, tensor<4x3xf32>) outs(%[[INIT]] : tensor<10x4xf32>)
// CHECK: %[[OUT:.*]] = tensor.expand_shape %[[MM]] {{\[\[}}0, 1], [2]] output_shape [2, 5, 4] : tensor<10x4xf32> into tensor<2x5x4xf32>
// CHECK: return %[[OUT]]
func.func @linear_bias(%x: tensor<2x5x3xf32>, %w: tensor<4x3xf32>, %b: tensor<4xf32>) -> tensor<2x5x4xf32> {
  %0 = enc.linear %x, %w, %b : (tensor<2x5x3xf32>, tensor<4x3xf32>, tensor<4xf32>) -> tensor<2x5x4xf32>
  return %0 : tensor<2x5x4xf32>
}

// -----

// Dynamic batch and sequence: the sizes flow from tensor.dim into the
// reshapes.
// CHECK-LABEL: func.func @linear_dynamic
// CHECK-SAME: (%[[X:.*]]: tensor<?x?x3xf32>, %[[W:.*]]: tensor<4x3xf32>)
// CHECK-DAG: %[[D0:.*]] = tensor.dim %[[X]], %c0
// CHECK-DAG: %[[D1:.*]] = tensor.dim %[[X]], %c1
// CHECK: %[[ROWS:.*]] = tensor.collapse_shape %[[X]] {{.*}} into tensor<?x3xf32>
// CHECK: %[[ZERO:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<?x4xf32>)
// CHECK: %[[MM:.*]] = linalg.matmul {{.*}} ins(%[[ROWS]], %[[W]] : tensor<?x3xf32>, tensor<4x3xf32>) outs(%[[ZERO]] : tensor<?x4xf32>)
// CHECK: tensor.expand_shape %[[MM]] {{.*}} output_shape [%[[D0]], %[[D1]], 4] : tensor<?x4xf32> into tensor<?x?x4xf32>
func.func @linear_dynamic(%x: tensor<?x?x3xf32>, %w: tensor<4x3xf32>) -> tensor<?x?x4xf32> {
  %0 = enc.linear %x, %w : (tensor<?x?x3xf32>, tensor<4x3xf32>) -> tensor<?x?x4xf32>
  return %0 : tensor<?x?x4xf32>
}

// -----

// CHECK-LABEL: func.func @linear_vector
// CHECK: linalg.matvec ins(%{{.*}}, %{{.*}} : tensor<4x3xf32>, tensor<3xf32>) outs(%{{.*}} : tensor<4xf32>)
func.func @linear_vector(%x: tensor<3xf32>, %w: tensor<4x3xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  %0 = enc.linear %x, %w, %b : (tensor<3xf32>, tensor<4x3xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Two reductions (sum, then squared deviations from the mean), then one
// elementwise pass with the affine parameters.
// CHECK-LABEL: func.func @layer_norm
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]
// CHECK:   arith.addf
// CHECK: %[[SQ:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]
// CHECK-SAME: ins(%{{.*}}, %[[SUM]] :
// CHECK:   %[[MEAN:.*]] = arith.divf %{{.*}}, %[[N:.*]] : f32
// CHECK:   %[[DEV:.*]] = arith.subf %{{.*}}, %[[MEAN]]
// CHECK:   arith.mulf %[[DEV]], %[[DEV]]
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel"]
// CHECK-SAME: ins(%{{.*}}, %[[SUM]], %[[SQ]], %{{.*}}, %{{.*}} : tensor<2x5x3xf32>, tensor<2x5xf32>, tensor<2x5xf32>, tensor<3xf32>, tensor<3xf32>)
// CHECK:   arith.addf %{{.*}}, %[[EPS:.*]] : f32
// CHECK:   math.sqrt
func.func @layer_norm(%x: tensor<2x5x3xf32>, %g: tensor<3xf32>, %b: tensor<3xf32>) -> tensor<2x5x3xf32> {
  %0 = enc.layer_norm %x scale %g bias %b {epsilon = 1.0e-12 : f64} : (tensor<2x5x3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x5x3xf32>
  return %0 : tensor<2x5x3xf32>
}

// -----

// RMS norm: one reduction (the sum of squares), then one elementwise pass
// scaling by 1 / sqrt(mean square + epsilon); no mean, no bias.
// CHECK-LABEL: func.func @rms_norm
// CHECK: %[[SQ:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK-SAME: ins(%[[X:.*]] : tensor<4x?xf32>)
// CHECK:   %[[S:.*]] = arith.mulf %[[IN:.*]], %[[IN]] : f32
// CHECK:   arith.addf %{{.*}}, %[[S]]
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]
// CHECK-SAME: ins(%[[X]], %[[SQ]], %{{.*}} : tensor<4x?xf32>, tensor<4xf32>, tensor<?xf32>)
// CHECK:   %[[MS:.*]] = arith.divf %{{.*}}, %{{.*}} : f32
// CHECK:   %[[SH:.*]] = arith.addf %[[MS]], %{{.*}} : f32
// CHECK:   %[[R:.*]] = math.sqrt %[[SH]]
// CHECK:   %[[INV:.*]] = arith.divf %{{.*}}, %[[R]]
// CHECK:   %[[Y:.*]] = arith.mulf %{{.*}}, %[[INV]]
// CHECK:   %[[Z:.*]] = arith.mulf %[[Y]], %{{.*}}
// CHECK:   linalg.yield %[[Z]]
// CHECK-NOT: arith.subf
func.func @rms_norm(%x: tensor<4x?xf32>, %g: tensor<?xf32>) -> tensor<4x?xf32> {
  %0 = enc.rms_norm %x scale %g {epsilon = 1.0e-6 : f64} : (tensor<4x?xf32>, tensor<?xf32>) -> tensor<4x?xf32>
  return %0 : tensor<4x?xf32>
}

// -----

// CHECK-LABEL: func.func @gelu
// CHECK: linalg.generic
// CHECK:   %[[S:.*]] = arith.mulf %{{.*}}, %cst{{.*}} : f32
// CHECK:   math.erf %[[S]]
func.func @gelu(%x: tensor<2x?xf32>) -> tensor<2x?xf32> {
  %0 = enc.activation gelu %x : tensor<2x?xf32>
  return %0 : tensor<2x?xf32>
}

// -----

// CHECK-LABEL: func.func @gelu_tanh
// CHECK: math.tanh
func.func @gelu_tanh(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = enc.activation gelu_tanh %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @relu
// CHECK: arith.maximumf
func.func @relu(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = enc.activation relu %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @silu
// CHECK: %[[NEG:.*]] = arith.negf %[[IN:.*]] : f32
// CHECK: %[[E:.*]] = math.exp %[[NEG]]
// CHECK: %[[D:.*]] = arith.addf %{{.*}}, %[[E]]
// CHECK: %[[SIG:.*]] = arith.divf %{{.*}}, %[[D]]
// CHECK: arith.mulf %[[IN]], %[[SIG]]
func.func @silu(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = enc.activation silu %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Flash attention: the keys are packed once into [batch, head, key block,
// head_dim, 128] panels (padded to whole blocks, transposed); an scf.forall over (batch, head, block of 64
// queries) runs an scf.for over the key blocks (ending at the block's last
// query when causal) that carries the running max, sum and output. The
// scores exist as one 64x128 tile at a time, never as the 200x300 matrix.
// CHECK-DAG: #[[BCAST:.*]] = affine_map<(d0, d1) -> (0, d1)>
// CHECK-LABEL: func.func @attention
// CHECK-SAME: (%[[QA:.*]]: tensor<2x4x200x16xf32>, %[[KA:.*]]: tensor<2x4x300x16xf32>, %[[VA:.*]]: tensor<2x4x300x32xf32>, %[[MA:.*]]: tensor<2x1x1x300xf32>)
// CHECK-NOT: 200x300
// CHECK-DAG: %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK-DAG: %[[SCALE:.*]] = arith.constant 1.250000e-01 : f32
// CHECK: %[[PADDED:.*]] = tensor.pad %[[KA]] low[0, 0, 0, 0] high[0, 0, 84, 0]
// CHECK: %[[BLOCKED:.*]] = tensor.expand_shape %[[PADDED]] {{\[}}[0], [1], [2, 3], [4]] output_shape [2, 4, 3, 128, 16]
// CHECK: %[[PACKED:.*]] = linalg.transpose ins(%[[BLOCKED]] : tensor<2x4x3x128x16xf32>) outs(%{{.*}} : tensor<2x4x3x16x128xf32>) permutation = [0, 1, 2, 4, 3]
// CHECK: scf.forall (%[[B:.*]], %[[H:.*]], %[[QB:.*]]) in (2, 4, 4) shared_outs(%[[OUT:.*]] = %{{.*}}) -> (tensor<2x4x200x32xf32>)
// CHECK:   %[[Q0:.*]] = affine.apply #{{.*}}(%[[QB]])
// CHECK:   %[[QN:.*]] = affine.min #{{.*}}(%[[QB]])
// CHECK:   %[[M0:.*]] = linalg.fill ins(%[[NEGINF]] : f32) outs(%{{.*}} : tensor<?xf32>)
// CHECK:   %[[L0:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<?xf32>)
// CHECK:   %[[O0:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<?x32xf32>)
// CHECK:   %[[KEND:.*]] = affine.min #{{.*}}(%[[QN]], %[[QB]])
// CHECK:   %[[R:.*]]:3 = scf.for %[[K0:.*]] = %{{.*}} to %[[KEND]] step %{{.*}} iter_args(%[[M:.*]] = %[[M0]], %[[L:.*]] = %[[L0]], %[[O:.*]] = %[[O0]]) -> (tensor<?xf32>, tensor<?xf32>, tensor<?x32xf32>)
// CHECK:     %[[KN:.*]] = affine.min #{{.*}}(%[[K0]], %[[KEND]])
// CHECK:     %[[MT:.*]] = tensor.extract_slice %[[MA]][%[[B]], 0, 0, %[[K0]]] [1, 1, 1, %[[KN]]] [1, 1, 1, 1] : tensor<2x1x1x300xf32> to tensor<1x?xf32>
//            Scores: 4 rows x 4 vectors of 16 keys in registers over head_dim.
// CHECK:     tensor.empty() : tensor<64x128xf32>
// CHECK:     scf.for {{.*}} to %[[QN]] step
// CHECK:       scf.for {{.*}} to %[[KN]] step
// CHECK:         scf.for {{.*}} -> (vector<16xf32>,
// CHECK:           vector.transfer_read %[[PACKED]][%[[B]], %[[H]],
// CHECK:           tensor.extract %[[QA]][%[[B]], %[[H]],
// CHECK:           vector.fma
// CHECK:         %[[SCALEV:.*]] = vector.broadcast %[[SCALE]] : f32 to vector<16xf32>
// CHECK:         arith.mulf %{{.*}}, %[[SCALEV]] : vector<16xf32>
// CHECK:         vector.transfer_write {{.*}} : vector<16xf32>, tensor<64x128xf32>
// CHECK:     %[[S:.*]] = tensor.extract_slice %{{.*}}[0, 0] [%[[QN]], %[[KN]]] [1, 1] : tensor<64x128xf32> to tensor<?x?xf32>
//            Mask and causal cut, in place.
// CHECK:     %[[CUT:.*]] = linalg.generic {indexing_maps = [#[[BCAST]], #{{.*}}], iterator_types = ["parallel", "parallel"]} ins(%[[MT]] : tensor<1x?xf32>) outs(%[[S]] : tensor<?x?xf32>)
// CHECK:       arith.addf
// CHECK:       %[[I:.*]] = arith.addi %{{.*}}, %[[Q0]]
// CHECK:       %[[J:.*]] = arith.addi %{{.*}}, %[[K0]]
// CHECK:       %[[FUTURE:.*]] = arith.cmpi ugt, %[[J]], %[[I]]
// CHECK:       arith.select %[[FUTURE]], %[[NEGINF]]
// CHECK:     %[[BMAX:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[CUT]] : tensor<?x?xf32>)
// CHECK:       arith.maximumf
//            m' = max(m, rowmax), α = exp(m - m'), l α over the carried values.
// CHECK:     %[[NEW:.*]]:3 = linalg.generic {{.*}} ins(%[[BMAX]] : tensor<?xf32>) outs(%[[M]], %[[L]], %{{.*}} : tensor<?xf32>, tensor<?xf32>, tensor<?xf32>)
// CHECK:       arith.maximumf
// CHECK:       math.exp
// CHECK:     %[[P:.*]] = linalg.generic {{.*}} ins(%[[NEW]]#0 : tensor<?xf32>) outs(%[[CUT]] : tensor<?x?xf32>)
// CHECK:       math.exp
// CHECK:     %[[LNEW:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[P]] : tensor<?x?xf32>) outs(%[[NEW]]#1 : tensor<?xf32>)
//            O α + P V: rows x 32 values in registers over the block's keys.
// CHECK:     %[[ONEW:.*]] = scf.for {{.*}} to %[[QN]] step {{.*}} iter_args(%[[OT:.*]] = %[[O]]) -> (tensor<?x32xf32>)
// CHECK:       tensor.extract %[[NEW]]#2
// CHECK:       vector.transfer_read %[[OT]]
// CHECK:       scf.for {{.*}} to %[[KN]] step
// CHECK:         vector.transfer_read %[[VA]][%[[B]], %[[H]],
// CHECK:         tensor.extract %[[P]]
// CHECK:         vector.fma
// CHECK:       vector.transfer_write
// CHECK:     scf.yield %[[NEW]]#0, %[[LNEW]], %[[ONEW]]
// CHECK:   %[[TILE:.*]] = tensor.extract_slice %[[OUT]][%[[B]], %[[H]], %[[Q0]], 0] [1, 1, %[[QN]], 32]
// CHECK:   %[[Y:.*]] = linalg.generic {{.*}} ins(%[[R]]#2, %[[R]]#1 : tensor<?x32xf32>, tensor<?xf32>) outs(%[[TILE]] : tensor<?x32xf32>)
// CHECK:     arith.divf
// CHECK:   scf.forall.in_parallel
// CHECK:     tensor.parallel_insert_slice %[[Y]] into %[[OUT]][%[[B]], %[[H]], %[[Q0]], 0] [1, 1, %[[QN]], 32]
// CHECK-NOT: 200x300
func.func @attention(%q: tensor<2x4x200x16xf32>, %k: tensor<2x4x300x16xf32>, %v: tensor<2x4x300x32xf32>, %m: tensor<2x1x1x300xf32>) -> tensor<2x4x200x32xf32> {
  %0 = enc.attention %q, %k, %v mask %m {scale = 0.125 : f64, causal} : (tensor<2x4x200x16xf32>, tensor<2x4x300x16xf32>, tensor<2x4x300x32xf32>, tensor<2x1x1x300xf32>) -> tensor<2x4x200x32xf32>
  return %0 : tensor<2x4x200x32xf32>
}

// -----

// Sequence-major operands ([batch, seq, heads, dim], enc-fold-head-transposes)
// are read and written in place: K padded along its sequence dimension and
// packed into the same [batch, head, block, dim, 128] panels, Q and V read
// at [b, seq, h, d], the output block written at [b, q0, h, 0]. No
// transpose of Q, V or the result.
// CHECK-LABEL: func.func @attention_sequence_major
// CHECK-SAME: (%[[QS:.*]]: tensor<2x200x4x16xf32>, %[[KS:.*]]: tensor<2x300x4x16xf32>, %[[VS:.*]]: tensor<2x300x4x32xf32>, %{{.*}}: tensor<2x1x1x300xf32>)
// CHECK: %[[PADS:.*]] = tensor.pad %[[KS]] low[0, 0, 0, 0] high[0, 84, 0, 0]
// CHECK: %[[BLOCKS:.*]] = tensor.expand_shape %[[PADS]] {{\[}}[0], [1, 2], [3], [4]] output_shape [2, 3, 128, 4, 16]
// CHECK: linalg.transpose ins(%[[BLOCKS]] : tensor<2x3x128x4x16xf32>) outs(%{{.*}} : tensor<2x4x3x16x128xf32>) permutation = [0, 3, 1, 4, 2]
// CHECK-NOT: linalg.transpose
// CHECK: scf.forall (%[[SB:.*]], %[[SH:.*]], %{{.*}}) in (2, 4, 4) shared_outs(%[[SOUT:.*]] = %{{.*}}) -> (tensor<2x200x4x32xf32>)
// CHECK: tensor.extract %[[QS]][%[[SB]], %{{.*}}, %[[SH]], %{{.*}}] : tensor<2x200x4x16xf32>
// CHECK: vector.transfer_read %[[VS]][%[[SB]], %{{.*}}, %[[SH]], %{{.*}}]
// CHECK: tensor.parallel_insert_slice %{{.*}} into %[[SOUT]][%[[SB]], %{{.*}}, %[[SH]], 0] [1, %{{.*}}, 1, 32] [1, 1, 1, 1] : tensor<?x32xf32> into tensor<2x200x4x32xf32>
func.func @attention_sequence_major(%q: tensor<2x200x4x16xf32>, %k: tensor<2x300x4x16xf32>, %v: tensor<2x300x4x32xf32>, %m: tensor<2x1x1x300xf32>) -> tensor<2x200x4x32xf32> {
  %0 = enc.attention %q, %k, %v mask %m {scale = 0.125 : f64, causal, sequence_major} : (tensor<2x200x4x16xf32>, tensor<2x300x4x16xf32>, tensor<2x300x4x32xf32>, tensor<2x1x1x300xf32>) -> tensor<2x200x4x32xf32>
  return %0 : tensor<2x200x4x32xf32>
}

// -----

// A boolean mask per query and key selects; dynamic lengths make every
// block size an affine.min remainder; the default scale is 1/sqrt(head_dim).
// CHECK-LABEL: func.func @attention_bool_mask
// CHECK-SAME: (%[[Q:.*]]: tensor<1x2x?x16xf32>, %[[MB:.*]]: tensor<1x1x?x?xi1>)
// A key the mask leaves out scores f32's lowest (Hugging Face's finfo.min),
// not -inf: a row with no key left averages all keys instead of giving NaN.
// CHECK-DAG: %[[MASKED:.*]] = arith.constant -3.40282347E+38 : f32
// CHECK-DAG: %[[SCALE:.*]] = arith.constant 2.500000e-01 : f32
// CHECK: linalg.transpose {{.*}} outs(%{{.*}} : tensor<1x2x?x16x128xf32>)
// CHECK: scf.forall (%[[B:.*]], %{{.*}}, %[[QB:.*]]) in (1, 2, %{{.*}}) shared_outs
// CHECK:   %[[Q0:.*]] = affine.apply #{{.*}}(%[[QB]])
// CHECK:   %[[QN:.*]] = affine.min #{{.*}}(%[[QB]])[%{{.*}}]
// CHECK:   scf.for %[[K0:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args({{.*}}) -> (tensor<?xf32>, tensor<?xf32>, tensor<?x16xf32>)
// CHECK:     %[[KN:.*]] = affine.min #{{.*}}(%[[K0]])[%{{.*}}]
// CHECK:     %[[MT:.*]] = tensor.extract_slice %[[MB]][%[[B]], 0, %[[Q0]], %[[K0]]] [1, 1, %[[QN]], %[[KN]]] [1, 1, 1, 1] : tensor<1x1x?x?xi1> to tensor<?x?xi1>
// CHECK:     %[[SCALEV:.*]] = vector.broadcast %[[SCALE]] : f32 to vector<16xf32>
// CHECK:     arith.mulf %{{.*}}, %[[SCALEV]] : vector<16xf32>
// CHECK:     %[[S:.*]] = tensor.extract_slice %{{.*}}[0, 0] [%[[QN]], %[[KN]]] [1, 1] : tensor<64x128xf32> to tensor<?x?xf32>
// CHECK:     linalg.generic {{.*}} ins(%[[MT]] : tensor<?x?xi1>) outs(%[[S]] : tensor<?x?xf32>)
// CHECK:     ^bb0(%[[KEEP:.*]]: i1, %[[SCORE:.*]]: f32):
// CHECK:       arith.select %[[KEEP]], %[[SCORE]], %[[MASKED]] : f32
func.func @attention_bool_mask(%q: tensor<1x2x?x16xf32>, %m: tensor<1x1x?x?xi1>) -> tensor<1x2x?x16xf32> {
  %0 = enc.attention %q, %q, %q mask %m : (tensor<1x2x?x16xf32>, tensor<1x2x?x16xf32>, tensor<1x2x?x16xf32>, tensor<1x1x?x?xi1>) -> tensor<1x2x?x16xf32>
  return %0 : tensor<1x2x?x16xf32>
}

// -----

// A bias shared by the batch (T5's relative positions) beside a padding
// mask: each is read a [queries, keys] tile at a time where it does not
// broadcast, added, then the mask selects; neither is expanded to
// [batch, heads, q_len, kv_len].
// CHECK-LABEL: func.func @attention_bias_and_mask
// CHECK-SAME: (%[[Q:.*]]: tensor<?x2x?x16xf32>, %[[BIAS:.*]]: tensor<1x2x?x?xf32>, %[[PAD:.*]]: tensor<?x1x1x?xi64>)
// CHECK: scf.forall (%[[B:.*]], %[[H:.*]], %[[QB:.*]]) in
// CHECK:   scf.for %[[K0:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args
// CHECK:     %[[BT:.*]] = tensor.extract_slice %[[BIAS]][0, %[[H]], %{{.*}}, %[[K0]]] [1, 1, %{{.*}}, %{{.*}}] [1, 1, 1, 1] : tensor<1x2x?x?xf32> to tensor<?x?xf32>
// CHECK:     %[[MT:.*]] = tensor.extract_slice %[[PAD]][%[[B]], 0, 0, %[[K0]]] [1, 1, 1, %{{.*}}] [1, 1, 1, 1] : tensor<?x1x1x?xi64> to tensor<1x?xi64>
// CHECK:     linalg.generic {{.*}} ins(%[[BT]], %[[MT]] : tensor<?x?xf32>, tensor<1x?xi64>)
// CHECK:     ^bb0(%[[BE:.*]]: f32, %[[ME:.*]]: i64, %[[SE:.*]]: f32):
// CHECK:       %[[SUM:.*]] = arith.addf %[[SE]], %[[BE]] : f32
// CHECK:       %[[KEEP:.*]] = arith.cmpi ne, %[[ME]], %{{.*}} : i64
// CHECK:       arith.select %[[KEEP]], %[[SUM]], %{{.*}} : f32
// CHECK-NOT: tensor<?x2x?x?xf32>
func.func @attention_bias_and_mask(%q: tensor<?x2x?x16xf32>, %bias: tensor<1x2x?x?xf32>, %m: tensor<?x1x1x?xi64>) -> tensor<?x2x?x16xf32> {
  %0 = enc.attention %q, %q, %q bias %bias mask %m {scale = 1.0 : f64} : (tensor<?x2x?x16xf32>, tensor<?x2x?x16xf32>, tensor<?x2x?x16xf32>, tensor<1x2x?x?xf32>, tensor<?x1x1x?xi64>) -> tensor<?x2x?x16xf32>
  return %0 : tensor<?x2x?x16xf32>
}

// -----

// A gather whose ids are clamped into the table.
// CHECK-LABEL: func.func @embedding
// CHECK-SAME: (%[[IDS:.*]]: tensor<2x?xi64>, %[[TABLE:.*]]: tensor<100x16xf32>)
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[IDS]] : tensor<2x?xi64>) outs(%{{.*}} : tensor<2x?x16xf32>)
// CHECK: ^bb0(%[[ID:.*]]: i64, %{{.*}}: f32):
// CHECK:   %[[INDEX:.*]] = arith.index_cast %[[ID]] : i64 to index
// CHECK:   %[[LOW:.*]] = arith.maxsi %[[INDEX]], %c0
// CHECK:   %[[ROW:.*]] = arith.minsi %[[LOW]], %{{.*}}
// CHECK:   %[[COL:.*]] = linalg.index 2
// CHECK:   tensor.extract %[[TABLE]][%[[ROW]], %[[COL]]]
func.func @embedding(%ids: tensor<2x?xi64>, %table: tensor<100x16xf32>) -> tensor<2x?x16xf32> {
  %0 = enc.embedding %ids, %table : (tensor<2x?xi64>, tensor<100x16xf32>) -> tensor<2x?x16xf32>
  return %0 : tensor<2x?x16xf32>
}

// -----

// CHECK-LABEL: func.func @pool_cls
// CHECK: tensor.extract_slice %{{.*}}[0, 0, 0] [2, 1, 16] [1, 1, 1] : tensor<2x8x16xf32> to tensor<2x16xf32>
func.func @pool_cls(%h: tensor<2x8x16xf32>) -> tensor<2x16xf32> {
  %0 = enc.pool cls %h : (tensor<2x8x16xf32>) -> tensor<2x16xf32>
  return %0 : tensor<2x16xf32>
}

// -----

// Weighted sum over the sequence, divided by the clamped token count.
// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2) -> (d0, d2, d1)>
// CHECK-DAG: #[[M:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-LABEL: func.func @pool_mean_masked
// CHECK: %[[SUMS:.*]] = linalg.generic {indexing_maps = [#[[IN]], #[[M]], {{.*}}], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK:   %[[NZ:.*]] = arith.cmpi ne
// CHECK:   %[[WEIGHT:.*]] = arith.uitofp %[[NZ]] : i1 to f32
// CHECK:   arith.mulf %{{.*}}, %[[WEIGHT]]
// CHECK: %[[COUNTS:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK: linalg.generic {{.*}} ins(%[[SUMS]], %[[COUNTS]] :
// CHECK:   %[[COUNT:.*]] = arith.maximumf %{{.*}}, %cst{{.*}} : f32
// CHECK:   arith.divf %{{.*}}, %[[COUNT]]
func.func @pool_mean_masked(%h: tensor<2x8x16xf32>, %mask: tensor<2x8xi64>) -> tensor<2x16xf32> {
  %0 = enc.pool mean %h mask %mask : (tensor<2x8x16xf32>, tensor<2x8xi64>) -> tensor<2x16xf32>
  return %0 : tensor<2x16xf32>
}

// -----

// CHECK-LABEL: func.func @pool_max_masked
// CHECK-DAG: %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: linalg.fill ins(%[[NEGINF]] : f32)
// CHECK: linalg.generic
// CHECK:   %[[KEEP:.*]] = arith.cmpf une, %{{.*}}, %{{.*}} : f32
// CHECK:   %[[X:.*]] = arith.select %[[KEEP]], %{{.*}}, %[[NEGINF]]
// CHECK:   arith.maximumf %{{.*}}, %[[X]]
func.func @pool_max_masked(%h: tensor<2x8x16xf32>, %mask: tensor<2x8xf32>) -> tensor<2x16xf32> {
  %0 = enc.pool max %h mask %mask : (tensor<2x8x16xf32>, tensor<2x8xf32>) -> tensor<2x16xf32>
  return %0 : tensor<2x16xf32>
}

// -----

// Row max, sum of exp(x - max), then per position log-sum-exp minus the
// target logit (clamped label), masked where the label is ignored; mean
// divides by the count of positions that are not ignored.
// CHECK-LABEL: func.func @cross_entropy_mean
// CHECK-SAME: (%[[LOGITS:.*]]: tensor<2x8x30xf32>, %[[LABELS:.*]]: tensor<2x8xi64>)
// CHECK-DAG: %[[IGNORE:.*]] = arith.constant -100 : i64
// CHECK: %[[MAX:.*]] = linalg.generic {{.*}} ins(%[[LOGITS]] :
// CHECK:   arith.maximumf
// CHECK: %[[SUMEXP:.*]] = linalg.generic {{.*}} ins(%[[LOGITS]], %[[MAX]] :
// CHECK: %[[PER:.*]]:2 = linalg.generic {{.*}} ins(%[[LABELS]], %[[MAX]], %[[SUMEXP]] :
// CHECK:   %[[TARGET:.*]] = tensor.extract %[[LOGITS]]
// CHECK:   %[[LSE:.*]] = arith.addf
// CHECK:   arith.subf %[[LSE]], %[[TARGET]]
// CHECK:   %[[IGNORED:.*]] = arith.cmpi eq, %{{.*}}, %[[IGNORE]] : i64
// CHECK: %[[TOT:.*]]:2 = linalg.generic {{.*}} iterator_types = ["reduction", "reduction"]} ins(%[[PER]]#0, %[[PER]]#1 :
// CHECK: linalg.generic {{.*}} ins(%[[TOT]]#0, %[[TOT]]#1 : tensor<f32>, tensor<f32>)
// CHECK:   arith.divf
func.func @cross_entropy_mean(%logits: tensor<2x8x30xf32>, %labels: tensor<2x8xi64>) -> tensor<f32> {
  %0 = enc.cross_entropy %logits, %labels : (tensor<2x8x30xf32>, tensor<2x8xi64>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// CHECK-LABEL: func.func @cross_entropy_none
// CHECK: %[[PER:.*]]:2 = linalg.generic
// CHECK: return %[[PER]]#0 : tensor<4xf32>
func.func @cross_entropy_none(%logits: tensor<4x10xf32>, %labels: tensor<4xi32>) -> tensor<4xf32> {
  %0 = enc.cross_entropy %logits, %labels {reduction = #enc<reduction none>} : (tensor<4x10xf32>, tensor<4xi32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// enc.param is left for enc-lift-params.
// CHECK-LABEL: func.func @param_untouched
// CHECK: enc.param "w" : tensor<4x3xf32>
func.func @param_untouched() -> tensor<4x3xf32> {
  %w = enc.param "w" : tensor<4x3xf32>
  return %w : tensor<4x3xf32>
}

// -----

// An integer mask (a Hugging Face attention_mask) keeps nonzero positions,
// read at query 0 for every query. A v_dim that is no multiple of 16 updates
// O with linalg.generics: O α, then P V with v_dim innermost.
// CHECK-DAG: #[[BCAST:.*]] = affine_map<(d0, d1) -> (0, d1)>
// CHECK-DAG: #[[P:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[V:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[O:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-LABEL: func.func @attention_int_mask
// CHECK-SAME: (%[[Q:.*]]: tensor<1x2x8x16xf32>, %[[VA:.*]]: tensor<1x2x8x24xf32>, %[[MI:.*]]: tensor<1x1x1x8xi64>)
// CHECK: scf.for %[[K0:.*]] = {{.*}} iter_args(%{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}, %[[OA:.*]] = %{{.*}}) -> (tensor<?xf32>, tensor<?xf32>, tensor<?x24xf32>)
// CHECK:   %[[MT:.*]] = tensor.extract_slice %[[MI]][%{{.*}}, 0, 0, %[[K0]]] [1, 1, 1, %{{.*}}] [1, 1, 1, 1] : tensor<1x1x1x8xi64> to tensor<1x?xi64>
// CHECK:   linalg.generic {indexing_maps = [#[[BCAST]], #{{.*}}], {{.*}} ins(%[[MT]] : tensor<1x?xi64>)
// CHECK:   ^bb0(%[[M:.*]]: i64, %{{.*}}: f32):
// CHECK:     %[[KEEP:.*]] = arith.cmpi ne, %[[M]], %{{.*}} : i64
// CHECK:     arith.select %[[KEEP]], %{{.*}}, %{{.*}} : f32
// CHECK:   %[[NEW:.*]]:3 = linalg.generic
// CHECK:   %[[PR:.*]] = linalg.generic {{.*}} ins(%[[NEW]]#0 : tensor<?xf32>)
// CHECK:   %[[VT:.*]] = tensor.extract_slice %[[VA]][{{.*}}, %[[K0]], 0] [1, 1, %{{.*}}, 24] [1, 1, 1, 1] : tensor<1x2x8x24xf32> to tensor<?x24xf32>
// CHECK:   %[[SCALED:.*]] = linalg.generic {{.*}} ins(%[[NEW]]#2 : tensor<?xf32>) outs(%[[OA]] : tensor<?x24xf32>)
// CHECK:   linalg.generic {indexing_maps = [#[[P]], #[[V]], #[[O]]], iterator_types = ["parallel", "reduction", "parallel"]} ins(%[[PR]], %[[VT]] : tensor<?x?xf32>, tensor<?x24xf32>) outs(%[[SCALED]] : tensor<?x24xf32>)
func.func @attention_int_mask(%q: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x24xf32>, %m: tensor<1x1x1x8xi64>) -> tensor<1x2x8x24xf32> {
  %0 = enc.attention %q, %q, %v mask %m : (tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x24xf32>, tensor<1x1x1x8xi64>) -> tensor<1x2x8x24xf32>
  return %0 : tensor<1x2x8x24xf32>
}

// -----

// The last real token: count the mask, read position count - 1 (clamped).
// CHECK-LABEL: func.func @pool_last_masked
// CHECK-SAME: (%[[H:.*]]: tensor<?x?x16xf32>, %[[M:.*]]: tensor<?x?xi64>)
// CHECK: %[[COUNTS:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[M]] : tensor<?x?xi64>) outs(%{{.*}} : tensor<?xi64>)
// CHECK:   arith.extui
// CHECK: linalg.generic {{.*}} ins(%[[COUNTS]] : tensor<?xi64>) outs(%{{.*}} : tensor<?x16xf32>)
// CHECK:   %[[LAST:.*]] = arith.subi %{{.*}}, %c1
// CHECK:   arith.maxsi
// CHECK:   %[[POS:.*]] = arith.minsi
// CHECK:   tensor.extract %[[H]][%{{.*}}, %[[POS]], %{{.*}}]
func.func @pool_last_masked(%h: tensor<?x?x16xf32>, %mask: tensor<?x?xi64>) -> tensor<?x16xf32> {
  %0 = enc.pool last %h mask %mask : (tensor<?x?x16xf32>, tensor<?x?xi64>) -> tensor<?x16xf32>
  return %0 : tensor<?x16xf32>
}

// -----

// Without a mask, a slice at the last position.
// CHECK-LABEL: func.func @pool_last
// CHECK: %[[S:.*]] = tensor.dim %{{.*}}, %c1
// CHECK-NOT: tensor.dim
// CHECK: %[[LAST:.*]] = arith.subi %[[S]], %c1
// CHECK: tensor.extract_slice %{{.*}}[0, %[[LAST]], 0] [2, 1, 16] [1, 1, 1] : tensor<2x?x16xf32> to tensor<2x16xf32>
func.func @pool_last(%h: tensor<2x?x16xf32>) -> tensor<2x16xf32> {
  %0 = enc.pool last %h : (tensor<2x?x16xf32>) -> tensor<2x16xf32>
  return %0 : tensor<2x16xf32>
}

// -----

// A bias that a generic computes from its indices alone is computed inside
// the flash kernel's score pass (its body cloned, linalg.index read as the
// element's batch, head, query and key) when the attention is its only user;
// shared by two attentions, or broadcast over the batch (computed once for
// every batch element), it is read.
// CHECK-LABEL: func.func @bias_from_indices
// CHECK: %[[BIAS:.*]] = linalg.generic
// CHECK-NOT: %[[BIAS]]{{[^0-9_]}}
// CHECK: scf.forall (%[[B:[a-z0-9_]+]], %[[H:[a-z0-9_]+]], %{{.*}}) in (2, 4, 1)
// CHECK:   scf.for %[[K0:[a-z0-9_]+]] =
// CHECK:     linalg.generic {{.*}} outs(%{{.*}} : tensor<?x?xf32>)
// CHECK:       %[[I:.*]] = arith.addi %{{.*}}, %{{.*}} : index
// CHECK:       %[[J:.*]] = arith.addi %{{.*}}, %[[K0]] : index
// CHECK:       %[[D:.*]] = arith.subi %[[J]], %[[I]] : index
// CHECK:       %[[SLOPE:.*]] = tensor.extract %arg1[%[[B]], %[[H]]]
// CHECK-NOT: %[[BIAS]]{{[^0-9_]}}
// CHECK-LABEL: func.func @broadcast_bias
// CHECK: %[[ONCE:.*]] = linalg.generic
// CHECK: tensor.extract_slice %[[ONCE]][0, %{{.*}}, %{{.*}}, %{{.*}}]
// CHECK-LABEL: func.func @shared_bias
// CHECK: %[[SHARED:.*]] = linalg.generic
// CHECK: tensor.extract_slice %[[SHARED]][%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}]
// CHECK: tensor.extract_slice %[[SHARED]][%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}]
#bias_map = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @bias_from_indices(%q: tensor<2x4x8x16xf32>, %slopes: tensor<2x4xf32>) -> tensor<2x4x8x16xf32> {
  %empty = tensor.empty() : tensor<2x4x8x8xf32>
  %bias = linalg.generic {indexing_maps = [#bias_map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} outs(%empty : tensor<2x4x8x8xf32>) {
  ^bb0(%out: f32):
    %b = linalg.index 0 : index
    %h = linalg.index 1 : index
    %i = linalg.index 2 : index
    %j = linalg.index 3 : index
    %d = arith.subi %j, %i : index
    %slope = tensor.extract %slopes[%b, %h] : tensor<2x4xf32>
    %di = arith.index_cast %d : index to i64
    %df = arith.sitofp %di : i64 to f32
    %y = arith.mulf %slope, %df : f32
    linalg.yield %y : f32
  } -> tensor<2x4x8x8xf32>
  %o = enc.attention %q, %q, %q bias %bias : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x8xf32>) -> tensor<2x4x8x16xf32>
  return %o : tensor<2x4x8x16xf32>
}
func.func @broadcast_bias(%q: tensor<2x4x8x16xf32>, %slopes: tensor<4xf32>) -> tensor<2x4x8x16xf32> {
  %empty = tensor.empty() : tensor<1x4x8x8xf32>
  %bias = linalg.generic {indexing_maps = [#bias_map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} outs(%empty : tensor<1x4x8x8xf32>) {
  ^bb0(%out: f32):
    %h = linalg.index 1 : index
    %slope = tensor.extract %slopes[%h] : tensor<4xf32>
    linalg.yield %slope : f32
  } -> tensor<1x4x8x8xf32>
  %o = enc.attention %q, %q, %q bias %bias : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<1x4x8x8xf32>) -> tensor<2x4x8x16xf32>
  return %o : tensor<2x4x8x16xf32>
}
func.func @shared_bias(%q: tensor<2x4x8x16xf32>, %slopes: tensor<4xf32>) -> (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>) {
  %empty = tensor.empty() : tensor<2x4x8x8xf32>
  %bias = linalg.generic {indexing_maps = [#bias_map], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} outs(%empty : tensor<2x4x8x8xf32>) {
  ^bb0(%out: f32):
    %h = linalg.index 1 : index
    %slope = tensor.extract %slopes[%h] : tensor<4xf32>
    linalg.yield %slope : f32
  } -> tensor<2x4x8x8xf32>
  %o = enc.attention %q, %q, %q bias %bias : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x8xf32>) -> tensor<2x4x8x16xf32>
  %p = enc.attention %q, %q, %q bias %bias : (tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>, tensor<2x4x8x8xf32>) -> tensor<2x4x8x16xf32>
  return %o, %p : tensor<2x4x8x16xf32>, tensor<2x4x8x16xf32>
}
