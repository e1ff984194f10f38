// RUN: encoder-opt %s -split-input-file -verify-diagnostics -enc-device-memory-for-gpu | FileCheck %s
// RUN: encoder-opt %s -split-input-file -verify-diagnostics -enc-device-memory-for-gpu -enc-map-parallel-loops-to-gpu | FileCheck %s --check-prefix=MAPPED

// Host buffers are device memory: memref.alloc and memref.dealloc stay
// (the CUDA pipeline lowers them to the runtime's device allocator), allocas
// become heap buffers freed at the end of their block, and constants are
// uploaded into a buffer of their own. Loops that will be kernels are left
// alone.

// CHECK-DAG: func.func private @enc_gpu_upload(index, index, index)
// CHECK-DAG: memref.global "private" constant @table
memref.global "private" constant @table : memref<4xf32> = dense<[1.0, 2.0, 3.0, 4.0]>

// CHECK-LABEL: func.func @buffers(
// CHECK-SAME: %[[N:.*]]: index
// CHECK: %[[A:.*]] = memref.alloc(%[[N]]) : memref<?xf32>
// CHECK: %[[S:.*]] = memref.alloc() : memref<4xf32>
// CHECK: %[[G:.*]] = memref.get_global @table : memref<4xf32>
// CHECK: %[[T:.*]] = memref.alloc() : memref<4xf32>
// CHECK: %[[DST:.*]] = memref.extract_aligned_pointer_as_index %[[T]]
// CHECK: %[[SRC:.*]] = memref.extract_aligned_pointer_as_index %[[G]]
// CHECK: %[[BYTES:.*]] = arith.constant 16 : index
// CHECK: call @enc_gpu_upload(%[[DST]], %[[SRC]], %[[BYTES]])
// CHECK: scf.parallel
// CHECK: memref.load %[[T]]
// CHECK: memref.store %{{.*}}, %[[A]]
// CHECK: memref.store %{{.*}}, %[[S]]
// CHECK: memref.alloca() : memref<2xf32>
// CHECK: scf.reduce
// CHECK: memref.dealloc %[[A]]
// CHECK-DAG: memref.dealloc %[[S]]
// CHECK-DAG: memref.dealloc %[[T]]
// CHECK: return
func.func @buffers(%n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %a = memref.alloc(%n) : memref<?xf32>
  %s = memref.alloca() : memref<4xf32>
  %t = memref.get_global @table : memref<4xf32>
  scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
    %v0 = memref.load %t[%i] : memref<4xf32>
    memref.store %v0, %a[%i] : memref<?xf32>
    memref.store %v0, %s[%i] : memref<4xf32>
    %local = memref.alloca() : memref<2xf32>
    scf.reduce
  }
  memref.dealloc %a : memref<?xf32>
  return
}

// -----

// Host copies become parallel loops, so they run as kernels; a rank-0 copy
// is one iteration.

// CHECK-LABEL: func.func @copies(
// CHECK-SAME: %[[X:.*]]: memref<2x?xf32>, %[[Y:.*]]: memref<2x?xf32>, %[[P:.*]]: memref<f32>, %[[Q:.*]]: memref<f32>
// CHECK-NOT: memref.copy
// CHECK: %[[C2:.*]] = arith.constant 2 : index
// CHECK: %[[D1:.*]] = memref.dim %[[Y]], %{{.*}}
// CHECK: scf.parallel (%[[I:.*]], %[[J:.*]]) = (%{{.*}}, %{{.*}}) to (%[[C2]], %[[D1]])
// CHECK: %[[E:.*]] = memref.load %[[X]][%[[I]], %[[J]]]
// CHECK: memref.store %[[E]], %[[Y]][%[[I]], %[[J]]]
// CHECK: scf.parallel (%{{.*}}) = (%{{.*}}) to (%{{.*}}) step
// CHECK: %[[V:.*]] = memref.load %[[P]][]
// CHECK: memref.store %[[V]], %[[Q]][]
// CHECK-NOT: memref.copy
// CHECK: return

// MAPPED-LABEL: func.func @copies(
// MAPPED-NOT: memref.copy
// MAPPED: gpu.launch
// MAPPED: gpu.launch
// MAPPED: return
func.func @copies(%x: memref<2x?xf32>, %y: memref<2x?xf32>, %p: memref<f32>, %q: memref<f32>) {
  memref.copy %x, %y : memref<2x?xf32> to memref<2x?xf32>
  memref.copy %p, %q : memref<f32> to memref<f32>
  return
}

// -----

// Host loops that read or write buffers (a reduction to a scalar, say) run
// in one GPU thread.

// CHECK-LABEL: func.func @host_reduction(
// CHECK: scf.parallel (%{{.*}}) = (%{{.*}}) to (%[[ONE:.*]]) step
// CHECK-NEXT: scf.for
// CHECK: memref.load
// CHECK: memref.store
// CHECK: scf.reduce
// CHECK: return

// MAPPED-LABEL: func.func @host_reduction(
// MAPPED: gpu.launch
// MAPPED: scf.for
// MAPPED: gpu.terminator
func.func @host_reduction(%x: memref<8xf32>, %out: memref<f32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  scf.for %i = %c0 to %c8 step %c1 {
    %e = memref.load %x[%i] : memref<8xf32>
    %acc = memref.load %out[] : memref<f32>
    %sum = arith.addf %acc, %e : f32
    memref.store %sum, %out[] : memref<f32>
  }
  return
}

// -----

// A scalar loaded on the host for kernels (a learned temperature) is loaded
// in each kernel instead, with the arithmetic between; the mean of a loss,
// straight-line host code that reads and writes a buffer, runs in one GPU
// thread.

// CHECK-LABEL: func.func @scalars(
// CHECK-SAME: %[[X:.*]]: memref<8xf32>, %[[T:.*]]: memref<f32>, %[[LOSS:.*]]: memref<f32>, %[[COUNT:.*]]: memref<f32>
// CHECK-NOT: memref.load
// CHECK: scf.parallel (%[[I:.*]]) =
// CHECK-NEXT: %[[TV:.*]] = memref.load %[[T]][]
// CHECK-NEXT: %[[SCALE:.*]] = math.exp %[[TV]]
// CHECK: %[[E:.*]] = memref.load %[[X]][%[[I]]]
// CHECK: arith.mulf %[[E]], %[[SCALE]]
// CHECK: scf.reduce
// CHECK: scf.parallel
// CHECK-NEXT: %[[L:.*]] = memref.load %[[LOSS]][]
// CHECK-NEXT: %[[N:.*]] = memref.load %[[COUNT]][]
// CHECK-NEXT: %[[MEAN:.*]] = arith.divf %[[L]], %[[N]]
// CHECK-NEXT: memref.store %[[MEAN]], %[[LOSS]][]
// CHECK-NEXT: scf.reduce
// CHECK: return
func.func @scalars(%x: memref<8xf32>, %t: memref<f32>, %loss: memref<f32>, %count: memref<f32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %tv = memref.load %t[] : memref<f32>
  %scale = math.exp %tv : f32
  scf.parallel (%i) = (%c0) to (%c8) step (%c1) {
    %e = memref.load %x[%i] : memref<8xf32>
    %s = arith.mulf %e, %scale : f32
    memref.store %s, %x[%i] : memref<8xf32>
    scf.reduce
  }
  %l = memref.load %loss[] : memref<f32>
  %n = memref.load %count[] : memref<f32>
  %mean = arith.divf %l, %n : f32
  memref.store %mean, %loss[] : memref<f32>
  return
}

// -----

// Host code cannot use what it reads from device memory.

func.func @host_reads(%x: memref<8xf32>, %n: index) -> index {
  %c0 = arith.constant 0 : index
  // expected-error @below {{'memref.load' op reads device memory for the host (its result is used by host code), which a CUDA artifact cannot do}}
  %e = memref.load %x[%c0] : memref<8xf32>
  %i = arith.fptosi %e : f32 to i32
  %j = arith.index_cast %i : i32 to index
  return %j : index
}

// -----

// Nor can a host loop both launch kernels and touch buffers itself.

func.func @mixed(%x: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %zero = arith.constant 0.0 : f32
  // expected-error @below {{'scf.for' op mixes kernels with host reads and writes of device memory, which a CUDA artifact cannot do}}
  scf.for %i = %c0 to %c8 step %c1 {
    memref.store %zero, %x[%i] : memref<8xf32>
    scf.parallel (%j) = (%c0) to (%c8) step (%c1) {
      memref.store %zero, %x[%j] : memref<8xf32>
      scf.reduce
    }
  }
  return
}

// -----

// A kernel written by an earlier pass (a gpu.launch) gets its scalars the
// same way.

// CHECK-LABEL: func.func @into_launch(
// CHECK-SAME: %[[T:.*]]: memref<f32>, %[[X:.*]]: memref<8xf32>
// CHECK-NOT: memref.load
// CHECK: gpu.launch
// CHECK-NEXT: %[[TV:.*]] = memref.load %[[T]][]
// CHECK-NEXT: %[[E:.*]] = math.exp %[[TV]]
// CHECK: memref.store %[[E]], %[[X]]
func.func @into_launch(%t: memref<f32>, %x: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %tv = memref.load %t[] : memref<f32>
  %e = math.exp %tv : f32
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    memref.store %e, %x[%c0] : memref<8xf32>
    gpu.terminator
  }
  return
}
