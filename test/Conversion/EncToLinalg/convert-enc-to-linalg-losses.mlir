// RUN: encoder-opt %s -convert-enc-to-linalg -split-input-file | FileCheck %s

// A sum of squares per row, then x / max(sqrt(sum), epsilon).
// CHECK-LABEL: func.func @l2_normalize
// CHECK-SAME: (%[[X:.*]]: tensor<?x8xf32>)
// CHECK: %[[SQ:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[X]] : tensor<?x8xf32>) outs(%{{.*}} : tensor<?xf32>)
// CHECK:   arith.mulf
// CHECK:   arith.addf
// CHECK: %[[EPS:.*]] = arith.constant 9.99999997E-7 : f32
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]} ins(%[[X]], %[[SQ]] : tensor<?x8xf32>, tensor<?xf32>)
// CHECK:   %[[NORM:.*]] = math.sqrt
// CHECK:   %[[CLAMPED:.*]] = arith.maximumf %[[NORM]], %[[EPS]]
// CHECK:   arith.divf %{{.*}}, %[[CLAMPED]]
func.func @l2_normalize(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %0 = enc.l2_normalize %x {epsilon = 1.0e-6 : f64} : tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

// -----

// A vector: the norm is a 0-d tensor.
// CHECK-DAG: #[[TO_SCALAR:.*]] = affine_map<(d0) -> ()>
// CHECK-LABEL: func.func @l2_normalize_vector
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[TO_SCALAR]]], iterator_types = ["reduction"]} {{.*}} outs(%{{.*}} : tensor<f32>)
func.func @l2_normalize_vector(%x: tensor<8xf32>) -> tensor<8xf32> {
  %0 = enc.l2_normalize %x : tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

// dot: a matmul reading rhs through a transposed map, nothing else.
// CHECK-DAG: #[[A:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[B:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[C:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @similarity_dot
// CHECK-SAME: (%[[L:.*]]: tensor<?x8xf32>, %[[R:.*]]: tensor<5x8xf32>)
// CHECK: %[[ZERO:.*]] = linalg.fill {{.*}} -> tensor<?x5xf32>
// CHECK: %[[MM:.*]] = linalg.matmul indexing_maps = [#[[A]], #[[B]], #[[C]]] ins(%[[L]], %[[R]] : tensor<?x8xf32>, tensor<5x8xf32>) outs(%[[ZERO]] : tensor<?x5xf32>)
// CHECK-NOT: linalg.generic
// CHECK: return %[[MM]]
func.func @similarity_dot(%a: tensor<?x8xf32>, %b: tensor<5x8xf32>) -> tensor<?x5xf32> {
  %0 = enc.similarity dot %a, %b : (tensor<?x8xf32>, tensor<5x8xf32>) -> tensor<?x5xf32>
  return %0 : tensor<?x5xf32>
}

// -----

// cosine normalizes both sides (F.normalize's epsilon), then the matmul;
// the log-stored scale is exponentiated once, outside the loops.
// CHECK-LABEL: func.func @similarity_cosine
// CHECK-SAME: (%[[L:.*]]: tensor<?x8xf32>, %[[R:.*]]: tensor<?x8xf32>, %[[S:.*]]: tensor<f32>, %[[BIAS:.*]]: tensor<1xf32>)
// CHECK: %[[LN:.*]] = linalg.generic {{.*}} ins(%[[L]], %{{.*}} : tensor<?x8xf32>, tensor<?xf32>)
// CHECK:   arith.constant 9.99999996E-13 : f32
// CHECK: %[[RN:.*]] = linalg.generic {{.*}} ins(%[[R]], %{{.*}} : tensor<?x8xf32>, tensor<?xf32>)
// CHECK: %[[MM:.*]] = linalg.matmul {{.*}} ins(%[[LN]], %[[RN]] : tensor<?x8xf32>, tensor<?x8xf32>) outs(%{{.*}} : tensor<?x?xf32>)
// CHECK: %[[LOGS:.*]] = tensor.extract %[[S]][] : tensor<f32>
// CHECK: %[[SCALE:.*]] = math.exp %[[LOGS]] : f32
// CHECK: %[[B:.*]] = tensor.extract %[[BIAS]][%{{.*}}] : tensor<1xf32>
// CHECK: linalg.generic {{.*}} ins(%[[MM]] : tensor<?x?xf32>)
// CHECK:   %[[Y:.*]] = arith.mulf %{{.*}}, %[[SCALE]] : f32
// CHECK:   arith.addf %[[Y]], %[[B]] : f32
func.func @similarity_cosine(%a: tensor<?x8xf32>, %b: tensor<?x8xf32>, %s: tensor<f32>, %bias: tensor<1xf32>) -> tensor<?x?xf32> {
  %0 = enc.similarity cosine %a, %b scale %s bias %bias {exp_scale}
      : (tensor<?x8xf32>, tensor<?x8xf32>, tensor<f32>, tensor<1xf32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// Row and column logsumexp (max first), the diagonal read through
// (i) -> (i, i), both directions summed and divided by 2n.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG: #[[COL:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[DIAG:.*]] = affine_map<(d0) -> (d0, d0)>
// CHECK-LABEL: func.func @contrastive_symmetric
// CHECK-SAME: (%[[X:.*]]: tensor<?x?xf32>)
// CHECK: %[[RMAX:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ROW]]], iterator_types = ["parallel", "reduction"]}
// CHECK:   arith.maximumf
// CHECK: %[[RSUM:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ROW]]], iterator_types = ["parallel", "reduction"]} ins(%[[X]], %[[RMAX]]
// CHECK:   arith.subf
// CHECK:   math.exp
// CHECK: %[[CMAX:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[COL]]], iterator_types = ["reduction", "parallel"]}
// CHECK: %[[CSUM:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[COL]], #[[COL]]], iterator_types = ["reduction", "parallel"]} ins(%[[X]], %[[CMAX]]
// CHECK: %[[TOTAL:.*]] = linalg.generic {indexing_maps = [#[[DIAG]], {{.*}}], iterator_types = ["reduction"]} ins(%[[X]], %[[RMAX]], %[[RSUM]], %[[CMAX]], %[[CSUM]] : {{.*}}) outs(%{{.*}} : tensor<f32>)
// CHECK:   math.log
// CHECK:   math.log
// CHECK: %[[N:.*]] = arith.sitofp
// CHECK: %[[TWO_N:.*]] = arith.mulf %[[N]], %{{.*}} : f32
// CHECK: linalg.generic {{.*}} ins(%[[TOTAL]] : tensor<f32>)
// CHECK:   arith.divf %{{.*}}, %[[TWO_N]]
func.func @contrastive_symmetric(%l: tensor<?x?xf32>) -> tensor<f32> {
  %0 = enc.contrastive %l {symmetric} : (tensor<?x?xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// InfoNCE alone: no column reductions.
// CHECK-LABEL: func.func @contrastive_rows
// CHECK-COUNT-2: iterator_types = ["parallel", "reduction"]
// CHECK-NOT: iterator_types = ["reduction", "parallel"]
// CHECK: iterator_types = ["reduction"]
// CHECK: arith.constant 4.000000e+00 : f32
func.func @contrastive_rows(%l: tensor<4x4xf32>) -> tensor<f32> {
  %0 = enc.contrastive %l : (tensor<4x4xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// One reduction of -log_sigmoid(±x), the sign from the loop indices, with
// the stable min(x, 0) - log1p(exp(-|x|)).
// CHECK-LABEL: func.func @sigmoid_contrastive
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction", "reduction"]} ins(%{{.*}} : tensor<?x?xf32>) outs(%{{.*}} : tensor<f32>)
// CHECK:   %[[I:.*]] = linalg.index 0
// CHECK:   %[[J:.*]] = linalg.index 1
// CHECK:   %[[DIAG:.*]] = arith.cmpi eq, %[[I]], %[[J]]
// CHECK:   %[[Z:.*]] = arith.select %[[DIAG]]
// CHECK:   math.absf %[[Z]]
// CHECK:   math.exp
// CHECK:   %[[SOFTPLUS:.*]] = math.log1p
// CHECK:   %[[MIN:.*]] = arith.minimumf %[[Z]]
// CHECK:   %[[LOGSIG:.*]] = arith.subf %[[MIN]], %[[SOFTPLUS]]
// CHECK:   arith.negf %[[LOGSIG]]
// CHECK: arith.divf
func.func @sigmoid_contrastive(%l: tensor<?x?xf32>) -> tensor<f32> {
  %0 = enc.sigmoid_contrastive %l : (tensor<?x?xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// Without a mask: the sum of squares over the element count.
// CHECK-LABEL: func.func @mse
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} iterator_types = ["reduction", "reduction"]} {{.*}} outs(%{{.*}} : tensor<f32>)
// CHECK: %[[ROWS:.*]] = arith.sitofp
// CHECK: %[[R:.*]] = arith.mulf %{{.*}}, %[[ROWS]]
// CHECK: %[[COUNT:.*]] = arith.mulf %[[R]], %{{.*}} : f32
// CHECK: linalg.generic {{.*}} ins(%[[SUM]] : tensor<f32>)
// CHECK:   arith.divf %{{.*}}, %[[COUNT]]
func.func @mse(%p: tensor<?x6xf32>, %t: tensor<?x6xf32>) -> tensor<f32> {
  %0 = enc.mse %p, %t : (tensor<?x6xf32>, tensor<?x6xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// With a mask (MAE): the weighted squares in one pass over the data (the
// mask broadcast over the last dimension), the weight total from the mask,
// then squares / (weights * last).
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[POS:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[SCALAR:.*]] = affine_map<(d0, d1, d2) -> ()>
// CHECK-LABEL: func.func @mse_masked
// CHECK-SAME: (%[[P:.*]]: tensor<?x4x6xf32>, %[[T:.*]]: tensor<?x4x6xf32>, %[[M:.*]]: tensor<?x4xf32>)
// CHECK: %[[SQ:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ID]], #[[POS]], #[[SCALAR]]], iterator_types = ["reduction", "reduction", "reduction"]}
// CHECK:   %[[D:.*]] = arith.subf
// CHECK:   %[[D2:.*]] = arith.mulf %[[D]], %[[D]]
// CHECK:   arith.mulf %[[D2]], %{{.*}} : f32
// CHECK: %[[W:.*]] = linalg.generic {{.*}} iterator_types = ["reduction", "reduction"]} ins(%[[M]] : tensor<?x4xf32>) outs(%{{.*}} : tensor<f32>)
// CHECK: %[[LAST:.*]] = arith.constant 6.000000e+00 : f32
// CHECK: linalg.generic {{.*}} ins(%[[SQ]], %[[W]] : tensor<f32>, tensor<f32>)
// CHECK:   %[[DEN:.*]] = arith.mulf %{{.*}}, %[[LAST]]
// CHECK:   arith.divf %{{.*}}, %[[DEN]]
func.func @mse_masked(%p: tensor<?x4x6xf32>, %t: tensor<?x4x6xf32>, %m: tensor<?x4xf32>) -> tensor<f32> {
  %0 = enc.mse %p, %t mask %m : (tensor<?x4x6xf32>, tensor<?x4x6xf32>, tensor<?x4xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// The mean reduces everything to 0-d and divides by the batch.
// CHECK-LABEL: func.func @kl_mean
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction", "reduction"]} ins(%[[MU:.*]], %[[LV:.*]] : tensor<?x16xf32>, tensor<?x16xf32>) outs(%{{.*}} : tensor<f32>)
// CHECK:   ^bb0(%[[M:.*]]: f32, %[[L:.*]]: f32, %{{.*}}: f32):
// CHECK:   arith.addf %{{.*}}, %[[L]]
// CHECK:   arith.mulf %[[M]], %[[M]]
// CHECK:   math.exp %[[L]]
// CHECK:   arith.mulf %{{.*}}, %{{.*}} : f32
// CHECK: tensor.dim %[[MU]], %c0
// CHECK: arith.divf
func.func @kl_mean(%mu: tensor<?x16xf32>, %lv: tensor<?x16xf32>) -> tensor<f32> {
  %0 = enc.kl_divergence %mu, %lv : (tensor<?x16xf32>, tensor<?x16xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// none: one value per sample, summed over every non-batch dimension.
// CHECK-LABEL: func.func @kl_none
// CHECK: %[[KL:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "reduction"]} {{.*}} outs(%{{.*}} : tensor<?xf32>)
// CHECK: return %[[KL]] : tensor<?xf32>
func.func @kl_none(%mu: tensor<?x3x4xf32>, %lv: tensor<?x3x4xf32>) -> tensor<?xf32> {
  %0 = enc.kl_divergence %mu, %lv {reduction = #enc<reduction none>} : (tensor<?x3x4xf32>, tensor<?x3x4xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// With noise: one elementwise pass, mu + noise * exp(0.5 * logvar).
// CHECK-LABEL: func.func @reparameterize_noise
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]} ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x16xf32>)
// CHECK:   ^bb0(%[[M:.*]]: f32, %[[L:.*]]: f32, %[[E:.*]]: f32, %{{.*}}: f32):
// CHECK:   %[[H:.*]] = arith.mulf %[[L]], %{{.*}} : f32
// CHECK:   %[[SIGMA:.*]] = math.exp %[[H]]
// CHECK:   %[[S:.*]] = arith.mulf %[[E]], %[[SIGMA]]
// CHECK:   arith.addf %[[M]], %[[S]]
// CHECK-NOT: linalg.index
func.func @reparameterize_noise(%mu: tensor<?x16xf32>, %lv: tensor<?x16xf32>, %e: tensor<?x16xf32>) -> tensor<?x16xf32> {
  %0 = enc.reparameterize %mu, %lv noise %e : (tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x16xf32>) -> tensor<?x16xf32>
  return %0 : tensor<?x16xf32>
}

// -----

// Without noise: the counter is the row-major element index (strides from
// the dynamic sizes), hashed and Box-Muller transformed.
// CHECK-LABEL: func.func @reparameterize_seeded
// CHECK: %[[STRIDE0:.*]] = arith.muli %{{.*}}, %c16 : index
// CHECK: linalg.generic
// CHECK:   %[[I:.*]] = linalg.index 0
// CHECK:   arith.muli %[[I]], %[[STRIDE0]]
// CHECK:   linalg.index 1
// CHECK:   math.log
// CHECK:   math.sqrt
// CHECK:   math.cos
// CHECK:   math.exp
func.func @reparameterize_seeded(%mu: tensor<?x16xf32>, %lv: tensor<?x16xf32>) -> tensor<?x16xf32> {
  %0 = enc.reparameterize %mu, %lv {seed = 7 : i64} : (tensor<?x16xf32>, tensor<?x16xf32>) -> tensor<?x16xf32>
  return %0 : tensor<?x16xf32>
}

// -----

// f16 cannot represent the hash's 24-bit integers: the noise is drawn in
// f32 and rounded once.
// CHECK-LABEL: func.func @reparameterize_f16
// CHECK: linalg.generic
// CHECK:   arith.uitofp %{{.*}} : i64 to f32
// CHECK:   math.cos %{{.*}} : f32
// CHECK:   arith.truncf %{{.*}} : f32 to f16
// CHECK:   math.exp %{{.*}} : f16
func.func @reparameterize_f16(%mu: tensor<4xf16>, %lv: tensor<4xf16>) -> tensor<4xf16> {
  %0 = enc.reparameterize %mu, %lv : (tensor<4xf16>, tensor<4xf16>) -> tensor<4xf16>
  return %0 : tensor<4xf16>
}

// -----

// ELECTRA: integer targets converted to float, the stable form
// max(x, 0) - x t + log1p(exp(-|x|)), masked terms and the weight total in
// one reduction, then their ratio.
// CHECK-LABEL: func.func @bce_masked_mean
// CHECK: %[[T:.*]]:2 = linalg.generic {{.*}} iterator_types = ["reduction", "reduction"]} ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<?x?xf32>, tensor<?x?xi64>, tensor<?x?xi64>) outs(%{{.*}}, %{{.*}} : tensor<f32>, tensor<f32>)
// CHECK:   ^bb0(%[[X:.*]]: f32, %[[TI:.*]]: i64, %[[MI:.*]]: i64,
// CHECK:   %[[TF:.*]] = arith.sitofp %[[TI]] : i64 to f32
// CHECK:   %[[ABS:.*]] = math.absf %[[X]]
// CHECK:   %[[MAX:.*]] = arith.maximumf %[[X]]
// CHECK:   %[[XT:.*]] = arith.mulf %[[X]], %[[TF]]
// CHECK:   arith.subf %[[MAX]], %[[XT]]
// CHECK:   math.exp
// CHECK:   math.log1p
// CHECK:   arith.cmpi ne, %[[MI]]
// CHECK:   arith.select
// CHECK: linalg.generic {{.*}} ins(%[[T]]#0, %[[T]]#1 : tensor<f32>, tensor<f32>)
// CHECK:   arith.divf
func.func @bce_masked_mean(%x: tensor<?x?xf32>, %t: tensor<?x?xi64>, %m: tensor<?x?xi64>) -> tensor<f32> {
  %0 = enc.binary_cross_entropy %x, %t mask %m : (tensor<?x?xf32>, tensor<?x?xi64>, tensor<?x?xi64>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// none: elementwise; float targets pass through.
// CHECK-LABEL: func.func @bce_none
// CHECK: %[[L:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]} ins(%{{.*}}, %{{.*}} : tensor<2x5xf32>, tensor<2x5xf32>) outs(%{{.*}} : tensor<2x5xf32>)
// CHECK-NOT: arith.sitofp
// CHECK: return %[[L]]
func.func @bce_none(%x: tensor<2x5xf32>, %t: tensor<2x5xf32>) -> tensor<2x5xf32> {
  %0 = enc.binary_cross_entropy %x, %t {reduction = #enc<reduction none>} : (tensor<2x5xf32>, tensor<2x5xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// Both squared distances (pairwise_distance's 1e-6 added to the difference)
// in one loop nest, then the hinge and the mean.
// CHECK-LABEL: func.func @triplet
// CHECK-DAG: %[[EPS:.*]] = arith.constant 9.99999997E-7 : f32
// CHECK-DAG: %[[MARGIN:.*]] = arith.constant 5.000000e-01 : f32
// CHECK: %[[SQ:.*]]:2 = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} {{.*}} outs(%{{.*}}, %{{.*}} : tensor<?xf32>, tensor<?xf32>)
// CHECK:   %[[D:.*]] = arith.subf
// CHECK:   arith.addf %[[D]], %[[EPS]]
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction"]} ins(%[[SQ]]#0, %[[SQ]]#1 : tensor<?xf32>, tensor<?xf32>) outs(%{{.*}} : tensor<f32>)
// CHECK:   %[[AP:.*]] = math.sqrt
// CHECK:   %[[AN:.*]] = math.sqrt
// CHECK:   %[[GAP:.*]] = arith.subf %[[AP]], %[[AN]]
// CHECK:   %[[H:.*]] = arith.addf %[[GAP]], %[[MARGIN]]
// CHECK:   arith.maximumf %[[H]]
func.func @triplet(%a: tensor<?x8xf32>, %p: tensor<?x8xf32>, %n: tensor<?x8xf32>) -> tensor<f32> {
  %0 = enc.triplet %a, %p, %n {margin = 0.5 : f64} : (tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// Row maxima of both scaled inputs, then one pass for the two softmax
// denominators and the cross term; the new center from a column sum.
// CHECK-LABEL: func.func @dino
// CHECK-SAME: (%[[S:.*]]: tensor<?x32xf32>, %[[T:.*]]: tensor<?x32xf32>, %[[C:.*]]: tensor<32xf32>)
// CHECK-DAG: %[[INV_TS:.*]] = arith.constant 1.000000e+01 : f32
// CHECK-DAG: %[[INV_TT:.*]] = arith.constant 2.500000e+01 : f32
// CHECK: %[[MAX:.*]]:2 = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[S]], %[[T]], %[[C]] :
// CHECK:   %[[CENTERED:.*]] = arith.subf
// CHECK:   arith.mulf %[[CENTERED]], %[[INV_TT]]
// CHECK:   arith.mulf %{{.*}}, %[[INV_TS]]
// CHECK: %[[SUMS:.*]]:3 = linalg.generic {{.*}} ins(%[[S]], %[[T]], %[[C]], %[[MAX]]#0, %[[MAX]]#1 :
// CHECK: %[[TOTAL:.*]] = linalg.generic {{.*}} ins(%[[SUMS]]#0, %[[SUMS]]#1, %[[SUMS]]#2 : {{.*}}) outs(%{{.*}} : tensor<f32>)
// CHECK:   math.log
// CHECK:   arith.divf
// CHECK: %[[LOSS:.*]] = linalg.generic {{.*}} ins(%[[TOTAL]] : tensor<f32>)
// CHECK: %[[COLSUM:.*]] = linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]} ins(%[[T]] : tensor<?x32xf32>) outs(%{{.*}} : tensor<32xf32>)
// CHECK: %[[CENTER:.*]] = linalg.generic {{.*}} ins(%[[C]], %[[COLSUM]] : tensor<32xf32>, tensor<32xf32>)
// CHECK: return %[[LOSS]], %[[CENTER]]
func.func @dino(%s: tensor<?x32xf32>, %t: tensor<?x32xf32>, %c: tensor<32xf32>) -> (tensor<f32>, tensor<32xf32>) {
  %0, %1 = enc.dino_loss %s, %t, %c : (tensor<?x32xf32>, tensor<?x32xf32>, tensor<32xf32>) -> (tensor<f32>, tensor<32xf32>)
  return %0, %1 : tensor<f32>, tensor<32xf32>
}

// -----

// NT-Xent: squared norms per row, rows divided by max(norm, 1e-12), the
// [2n, 2n] products over the feature dimension, scaled with the diagonal at
// -inf; row max and exp-sum; per row log(sum) + max minus the other view's
// entry (row i ± n, n = rows / 2), summed and divided by the rows.
// CHECK-LABEL: func.func @nt_xent
// CHECK-SAME: (%[[Z:.*]]: tensor<?x16xf32>)
// CHECK: %[[SQ:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[Z]] : tensor<?x16xf32>)
// CHECK: %[[N:.*]] = linalg.generic {{.*}} ins(%[[Z]], %[[SQ]] : tensor<?x16xf32>, tensor<?xf32>)
// CHECK:   math.sqrt
// CHECK:   arith.maximumf
// CHECK:   arith.divf
// CHECK: %[[P:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[N]], %[[N]] : tensor<?x16xf32>, tensor<?x16xf32>) outs(%{{.*}} : tensor<?x?xf32>)
// CHECK: %[[L:.*]] = linalg.generic {{.*}} ins(%[[P]] : tensor<?x?xf32>)
// CHECK:   arith.cmpi eq
// CHECK:   arith.mulf %{{.*}}, %cst{{.*}} : f32
// CHECK:   arith.select
// CHECK: %[[HALF:.*]] = arith.divui %{{.*}}, %c2
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction"]}
// CHECK:   arith.cmpi ult, %{{.*}}, %[[HALF]]
// CHECK:   tensor.extract %[[L]]
// CHECK: arith.divf
func.func @nt_xent(%z: tensor<?x16xf32>) -> tensor<f32> {
  %0 = enc.nt_xent %z : (tensor<?x16xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// MoCo's InfoNCE: q · key per row, q against the [dim, k] queue over dim,
// the queue products' row max and their exp-sum at max(positive, that max),
// then per row log(exp((p - m)/T) + sum) + (m - p)/T, averaged.
// CHECK-DAG: #[[QD:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[DK:.*]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-LABEL: func.func @queue_info_nce
// CHECK-SAME: (%[[Q:.*]]: tensor<?x8xf32>, %[[K:.*]]: tensor<?x8xf32>, %[[QUEUE:.*]]: tensor<8x32xf32>)
// CHECK: %[[POS:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[Q]], %[[K]] :
// CHECK: %[[NEG:.*]] = linalg.generic {indexing_maps = [#[[QD]], #[[DK]], #{{.*}}], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[Q]], %[[QUEUE]] : tensor<?x8xf32>, tensor<8x32xf32>) outs(%{{.*}} : tensor<?x32xf32>)
// CHECK: %[[MAX:.*]] = linalg.generic {{.*}} ins(%[[NEG]] : tensor<?x32xf32>)
// CHECK:   arith.maximumf
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} ins(%[[NEG]], %[[POS]], %[[MAX]] :
// CHECK:   math.exp
// CHECK: linalg.generic {{.*}} ins(%[[POS]], %[[MAX]], %[[SUM]] :
// CHECK:   math.exp
// CHECK:   math.log
func.func @queue_info_nce(%q: tensor<?x8xf32>, %k: tensor<?x8xf32>, %queue: tensor<8x32xf32>) -> tensor<f32> {
  %0 = enc.queue_info_nce %q, %k, %queue : (tensor<?x8xf32>, tensor<?x8xf32>, tensor<8x32xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// Corruption: masking compares the noise with the rate and selects 0;
// without noise the draw is hashed from the seed and the row-major index.
// Penalties: |h| summed over everything and divided by the batch; the KL
// term from the column sums; the contractive term from the weight's squared
// row sums and sigmoid's h (1 - h), squared.
// CHECK-LABEL: func.func @autoencoders
// CHECK-SAME: (%[[X:.*]]: tensor<?x8xf32>, %[[U:.*]]: tensor<?x8xf32>, %[[H:.*]]: tensor<?x4xf32>, %[[W:.*]]: tensor<4x8xf32>)
// CHECK: linalg.generic {{.*}} ins(%[[X]], %[[U]] : tensor<?x8xf32>, tensor<?x8xf32>)
// CHECK:   %[[DROP:.*]] = arith.cmpf olt, %{{.*}}, %cst
// CHECK:   arith.select %[[DROP]], %{{.*}}, %{{.*}} : f32
// CHECK: linalg.generic {{.*}} ins(%[[X]] : tensor<?x8xf32>)
// CHECK:   linalg.index 0
// CHECK:   linalg.index 1
// CHECK:   arith.muli
// CHECK:   math.log
// CHECK:   math.cos
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction", "reduction"]} ins(%[[H]] : tensor<?x4xf32>)
// CHECK:   math.absf
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]} ins(%[[H]] : tensor<?x4xf32>)
// CHECK: math.log
// CHECK: %[[NORMS:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[W]] : tensor<4x8xf32>)
// CHECK: linalg.generic {{.*}} ins(%[[H]], %[[NORMS]] : tensor<?x4xf32>, tensor<4xf32>)
// CHECK:   %[[REST:.*]] = arith.subf %cst{{.*}}, %[[HE:.*]] : f32
// CHECK:   %[[SLOPE:.*]] = arith.mulf %[[HE]], %[[REST]]
// CHECK:   arith.mulf %[[SLOPE]], %[[SLOPE]]
func.func @autoencoders(%x: tensor<?x8xf32>, %u: tensor<?x8xf32>, %h: tensor<?x4xf32>, %w: tensor<4x8xf32>)
    -> (tensor<?x8xf32>, tensor<?x8xf32>, tensor<f32>, tensor<f32>, tensor<f32>) {
  %0 = enc.mask_noise %x noise %u {rate = 0.25 : f64} : (tensor<?x8xf32>, tensor<?x8xf32>) -> tensor<?x8xf32>
  %1 = enc.gaussian_noise %x {std = 0.1 : f64, seed = 3 : i64} : (tensor<?x8xf32>) -> tensor<?x8xf32>
  %2 = enc.l1_penalty %h : (tensor<?x4xf32>) -> tensor<f32>
  %3 = enc.kl_sparsity %h : (tensor<?x4xf32>) -> tensor<f32>
  %4 = enc.contractive_penalty %h, %w {activation = #enc<activation sigmoid>} : (tensor<?x4xf32>, tensor<4x8xf32>) -> tensor<f32>
  return %0, %1, %2, %3, %4 : tensor<?x8xf32>, tensor<?x8xf32>, tensor<f32>, tensor<f32>, tensor<f32>
}
