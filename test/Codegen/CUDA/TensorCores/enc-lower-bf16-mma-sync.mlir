// RUN: encoder-opt %s -enc-lower-bf16-mma-sync | FileCheck %s

// A bf16 nvgpu.mma.sync becomes nvvm.mma.sync: each row of the operand
// vectors (a 32-bit register of two bf16) packed into an i32, element 0 in
// the low half; the accumulator's four f32 in, the result struct's four
// out, gathered into the vector in the same order.

// CHECK-LABEL: func.func @bf16(
// CHECK-SAME: %[[A:.*]]: vector<4x2xbf16>, %[[B:.*]]: vector<2x2xbf16>, %[[C:.*]]: vector<2x2xf32>)
// CHECK-DAG: %[[SIXTEEN:.*]] = arith.constant 16 : i32
// CHECK: %[[A00:.*]] = vector.extract %[[A]][0, 0]
// CHECK: %[[A01:.*]] = vector.extract %[[A]][0, 1]
// CHECK: %[[L:.*]] = arith.bitcast %[[A00]] : bf16 to i16
// CHECK: %[[LW:.*]] = arith.extui %[[L]] : i16 to i32
// CHECK: %[[H:.*]] = arith.bitcast %[[A01]] : bf16 to i16
// CHECK: %[[HW:.*]] = arith.extui %[[H]] : i16 to i32
// CHECK: %[[HS:.*]] = arith.shli %[[HW]], %[[SIXTEEN]] : i32
// CHECK: %[[R0:.*]] = arith.ori %[[LW]], %[[HS]] : i32
// CHECK: %[[R1:.*]] = arith.ori
// CHECK: %[[R2:.*]] = arith.ori
// CHECK: %[[R3:.*]] = arith.ori
// CHECK: %[[B0:.*]] = arith.ori
// CHECK: %[[B1:.*]] = arith.ori
// CHECK: %[[C0:.*]] = vector.extract %[[C]][0, 0]
// CHECK: %[[C1:.*]] = vector.extract %[[C]][0, 1]
// CHECK: %[[C2:.*]] = vector.extract %[[C]][1, 0]
// CHECK: %[[C3:.*]] = vector.extract %[[C]][1, 1]
// CHECK: %[[D:.*]] = nvvm.mma.sync A[%[[R0]], %[[R1]], %[[R2]], %[[R3]]]  B[%[[B0]], %[[B1]]]  C[%[[C0]], %[[C1]], %[[C2]], %[[C3]]]  {layoutA = #nvvm.mma_layout<row>, layoutB = #nvvm.mma_layout<col>, multiplicandAPtxType = #nvvm.mma_type<bf16>, multiplicandBPtxType = #nvvm.mma_type<bf16>, shape = #nvvm.shape<m = 16, n = 8, k = 16>} : (i32, i32, f32) -> !llvm.struct<(f32, f32, f32, f32)>
// CHECK: %[[D0:.*]] = llvm.extractvalue %[[D]][0]
// CHECK: %[[D1:.*]] = llvm.extractvalue %[[D]][1]
// CHECK: %[[D2:.*]] = llvm.extractvalue %[[D]][2]
// CHECK: %[[D3:.*]] = llvm.extractvalue %[[D]][3]
// CHECK: %[[RESULT:.*]] = vector.from_elements %[[D0]], %[[D1]], %[[D2]], %[[D3]] : vector<2x2xf32>
// CHECK: return %[[RESULT]]
func.func @bf16(%a: vector<4x2xbf16>, %b: vector<2x2xbf16>, %c: vector<2x2xf32>) -> vector<2x2xf32> {
  %d = nvgpu.mma.sync (%a, %b, %c) {mmaShape = [16, 8, 16]} : (vector<4x2xbf16>, vector<2x2xbf16>, vector<2x2xf32>) -> vector<2x2xf32>
  return %d : vector<2x2xf32>
}

// Left to convert-nvgpu-to-nvvm: TF32 (and f16, i8, ...).
// CHECK-LABEL: func.func @tf32(
// CHECK: nvgpu.mma.sync
// CHECK-NOT: nvvm.mma.sync
func.func @tf32(%a: vector<4x1xf32>, %b: vector<2x1xf32>, %c: vector<2x2xf32>) -> vector<2x2xf32> {
  %d = nvgpu.mma.sync (%a, %b, %c) {mmaShape = [16, 8, 8], tf32Enabled} : (vector<4x1xf32>, vector<2x1xf32>, vector<2x2xf32>) -> vector<2x2xf32>
  return %d : vector<2x2xf32>
}
