// RUN: encoder-opt %s -split-input-file -verify-diagnostics -enc-run-gpu-launches-on-host | FileCheck %s

// A launch becomes loops over blocks (z, y, x) then threads (z, y, x), the
// body inlined with the ids as loop indices and the dimensions as the
// launch's operands.

// CHECK-LABEL: func.func @fill(
// CHECK-SAME: %[[M:.*]]: memref<?xf32>, %[[N:.*]]: index
// CHECK: %[[C0:.*]] = arith.constant 0 : index
// CHECK: %[[C1:.*]] = arith.constant 1 : index
// CHECK: scf.for %{{.*}} = %[[C0]] to %[[ONE:.*]] step %[[C1]]
// CHECK: scf.for %{{.*}} = %[[C0]] to %[[ONE]] step %[[C1]]
// CHECK: scf.for %[[BX:.*]] = %[[C0]] to %[[N]] step %[[C1]]
// CHECK: scf.for %{{.*}} = %[[C0]] to %[[ONE]] step %[[C1]]
// CHECK: scf.for %{{.*}} = %[[C0]] to %[[ONE]] step %[[C1]]
// CHECK: scf.for %[[TX:.*]] = %[[C0]] to %[[C32:.*]] step %[[C1]]
// CHECK: %[[BASE:.*]] = arith.muli %[[BX]], %[[C32]]
// CHECK: %[[I:.*]] = arith.addi %[[BASE]], %[[TX]]
// CHECK: memref.store %{{.*}}, %[[M]][%[[I]]]
// CHECK-NOT: gpu.
func.func @fill(%m: memref<?xf32>, %n: index) {
  %one = arith.constant 1 : index
  %c32 = arith.constant 32 : index
  %v = arith.constant 1.0 : f32
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %n, %gy = %one, %gz = %one)
             threads(%tx, %ty, %tz) in (%sx = %c32, %sy = %one, %sz = %one) {
    %base = arith.muli %bx, %sx : index
    %i = arith.addi %base, %tx : index
    memref.store %v, %m[%i] : memref<?xf32>
    gpu.terminator
  }
  return
}

// -----

func.func @barrier(%n: index) {
  %one = arith.constant 1 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %n, %gy = %one, %gz = %one)
             threads(%tx, %ty, %tz) in (%sx = %one, %sy = %one, %sz = %one) {
    // expected-error @+1 {{cannot run a kernel with barriers on the host}}
    gpu.barrier
    gpu.terminator
  }
  return
}
