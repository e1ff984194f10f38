// RUN: encoder-opt %s -split-input-file -enc-layer-norm-to-gpu -cse | FileCheck %s
// RUN: encoder-opt %s -split-input-file -enc-layer-norm-to-gpu=emulate -cse | FileCheck %s --check-prefix=EMU

// BERT's post-LN norm with its residual fused, as one kernel: a warp per
// (batch, token) row, 4 warps a block. A row of 768 is 24 registers a lane,
// each the input plus the residual at lane + 32 i (no guard: 768 % 32 == 0);
// their sum is reduced with five xor shuffles for the mean, the squared
// deviations with five more for the variance, then every element is
// normalized, scaled, shifted and stored. The result is a fresh buffer
// handed back with to_tensor.

// CHECK-LABEL: func.func @post_ln(
// CHECK-SAME: %[[X:.*]]: tensor<?x128x768xf32>, %[[R:.*]]: tensor<?x128x768xf32>, %[[G:.*]]: tensor<768xf32>, %[[B:.*]]: tensor<768xf32>)
// CHECK-DAG: %[[XB:.*]] = bufferization.to_buffer %[[X]] read_only
// CHECK-DAG: %[[RB:.*]] = bufferization.to_buffer %[[R]] read_only
// CHECK-DAG: %[[GB:.*]] = bufferization.to_buffer %[[G]] read_only
// CHECK-DAG: %[[BB:.*]] = bufferization.to_buffer %[[B]] read_only
// CHECK: %[[BATCH:.*]] = memref.dim %[[XB]], %c0
// CHECK: %[[OUT:.*]] = memref.alloc(%[[BATCH]]) : memref<?x128x768xf32>
// CHECK: %[[ROWS:.*]] = arith.muli %[[BATCH]], %c128
// CHECK: gpu.launch blocks({{.*}}) in (%{{.*}} = %{{.*}}, %{{.*}} = %c1{{.*}}, %{{.*}} = %c1{{.*}}) threads({{.*}}) in (%{{.*}} = %c128{{.*}}, %{{.*}} = %c1{{.*}}, %{{.*}} = %c1{{.*}})
// CHECK: %[[LANE:.*]] = arith.remui
// CHECK: %[[ROW:.*]] = arith.addi
// CHECK: arith.cmpi ult, %[[ROW]], %[[ROWS]]
// CHECK: %[[TOKEN:.*]] = arith.remui %[[ROW]], %c128
// CHECK: %[[SEQ:.*]] = arith.divui %[[ROW]], %c128
// CHECK: %[[E0:.*]] = arith.addi %[[LANE]], %c0
// CHECK: %[[X0:.*]] = memref.load %[[XB]][%[[SEQ]], %[[TOKEN]], %[[E0]]]
// CHECK: %[[R0:.*]] = memref.load %[[RB]][%[[SEQ]], %[[TOKEN]], %[[E0]]]
// CHECK: %[[V0:.*]] = arith.addf %[[X0]], %[[R0]]
// CHECK-COUNT-23: memref.load %[[RB]]
// CHECK-NOT: memref.load %[[XB]]
// CHECK-COUNT-5: gpu.shuffle  xor
// CHECK: %[[MEAN:.*]] = arith.divf %{{.*}}, %cst{{.*}} : f32
// CHECK: %[[C0:.*]] = arith.subf %[[V0]], %[[MEAN]]
// CHECK-NOT: arith.select
// CHECK-COUNT-5: gpu.shuffle  xor
// CHECK: arith.divf
// CHECK: arith.addf
// CHECK: %[[SQRT:.*]] = math.sqrt
// CHECK: %[[INV:.*]] = arith.divf %{{.*}}, %[[SQRT]]
// CHECK: %[[N0:.*]] = arith.mulf %[[C0]], %[[INV]]
// CHECK: %[[G0:.*]] = memref.load %[[GB]][%[[E0]]]
// CHECK: %[[S0:.*]] = arith.mulf %[[N0]], %[[G0]]
// CHECK: %[[B0:.*]] = memref.load %[[BB]][%[[E0]]]
// CHECK: %[[Y0:.*]] = arith.addf %[[S0]], %[[B0]]
// CHECK: memref.store %[[Y0]], %[[OUT]][%[[SEQ]], %[[TOKEN]], %[[E0]]]
// CHECK-COUNT-23: memref.store %{{.*}}, %[[OUT]]
// CHECK-NOT: memref.load %[[XB]]
// CHECK: %[[RESULT:.*]] = bufferization.to_tensor %[[OUT]] restrict writable
// CHECK: return %[[RESULT]]

// Emulation: lane 0 walks its row three times (sum, squared deviations,
// stores), no shuffles.
// EMU-LABEL: func.func @post_ln(
// EMU: gpu.launch
// EMU-NOT: gpu.shuffle
// EMU: scf.for {{.*}} iter_args
// EMU: scf.for {{.*}} iter_args
// EMU: math.sqrt
// EMU: scf.for
// EMU: memref.store
// EMU: bufferization.to_tensor
func.func @post_ln(%x: tensor<?x128x768xf32>, %r: tensor<?x128x768xf32>, %g: tensor<768xf32>, %b: tensor<768xf32>) -> tensor<?x128x768xf32> {
  %y = enc.layer_norm %x residual %r scale %g bias %b {epsilon = 1.0e-12 : f64} : (tensor<?x128x768xf32>, tensor<?x128x768xf32>, tensor<768xf32>, tensor<768xf32>) -> tensor<?x128x768xf32>
  return %y : tensor<?x128x768xf32>
}

// -----

// A row of 40 is ragged: the second register of a lane is element
// lane + 32, inside the row for lanes 0-7 only. It loads 0 outside, its
// deviation is selected to 0 (not -mean) and its store is skipped; the
// first register needs no guard.

// CHECK-LABEL: func.func @ragged(
// CHECK: %[[XB:.*]] = bufferization.to_buffer
// CHECK: gpu.launch
// CHECK: %[[E1:.*]] = arith.addi %{{.*}}, %c32
// CHECK: %[[IN:.*]] = arith.cmpi ult, %[[E1]], %c40
// CHECK: %[[X0:.*]] = memref.load %[[XB]]
// CHECK: %[[X1:.*]] = scf.if %[[IN]] -> (f32) {
// CHECK:   memref.load %[[XB]][%{{.*}}, %[[E1]]]
// CHECK: } else {
// CHECK:   scf.yield %cst
// CHECK: }
// CHECK: %[[C1:.*]] = arith.subf %[[X1]], %{{.*}}
// CHECK: %[[D1:.*]] = arith.select %[[IN]], %[[C1]], %cst
// CHECK: arith.mulf %[[D1]], %[[D1]]
// CHECK: memref.store
// CHECK: scf.if %[[IN]] {
// CHECK:   memref.store %{{.*}}, %{{.*}}[%{{.*}}, %[[E1]]]
// CHECK: }
func.func @ragged(%x: tensor<6x40xf32>) -> tensor<6x40xf32> {
  %y = enc.layer_norm %x {epsilon = 1.0e-5 : f64} : (tensor<6x40xf32>) -> tensor<6x40xf32>
  return %y : tensor<6x40xf32>
}

// -----

// Left to the linalg lowering: a dynamic row, a row too long for registers,
// f16.

// CHECK-LABEL: func.func @not_rewritten(
// CHECK-NOT: gpu.launch
// CHECK-COUNT-3: enc.layer_norm
func.func @not_rewritten(%x: tensor<4x?xf32>, %y: tensor<2x4096xf32>, %z: tensor<2x64xf16>)
    -> (tensor<4x?xf32>, tensor<2x4096xf32>, tensor<2x64xf16>) {
  %0 = enc.layer_norm %x : (tensor<4x?xf32>) -> tensor<4x?xf32>
  %1 = enc.layer_norm %y : (tensor<2x4096xf32>) -> tensor<2x4096xf32>
  %2 = enc.layer_norm %z : (tensor<2x64xf16>) -> tensor<2x64xf16>
  return %0, %1, %2 : tensor<4x?xf32>, tensor<2x4096xf32>, tensor<2x64xf16>
}
