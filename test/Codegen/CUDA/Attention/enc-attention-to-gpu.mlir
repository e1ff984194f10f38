// RUN: encoder-opt %s -split-input-file -enc-attention-to-gpu -cse | FileCheck %s
// RUN: encoder-opt %s -split-input-file -enc-attention-to-gpu=emulate -cse | FileCheck %s --check-prefix=EMU
// RUN: encoder-opt %s -split-input-file -enc-attention-to-gpu=precision=tf32 -cse | FileCheck %s --check-prefix=TF32
// RUN: encoder-opt %s -split-input-file -enc-attention-to-gpu=precision=bf16 -cse | FileCheck %s --check-prefix=BF16
// RUN: encoder-opt %s -split-input-file -enc-attention-to-gpu="precision=bf16 emulate" -cse | FileCheck %s --check-prefix=TILEEMU
// RUN: not encoder-opt %s -split-input-file -enc-attention-to-gpu=precision=fp8 2>&1 | FileCheck %s --check-prefix=UNKNOWN

// Attention as one kernel: the operands enter as buffers, a warp per
// (batch, head, query) row of 4 warps a block; each lane keeps its query
// elements and output sums in registers (head size 64: two each); for each
// key the dot product is summed over the warp with five xor shuffles, then
// scaled (1/8), masked (an integer padding mask broadcast over heads and
// queries: zero drops the key) and cut (causal: key > query), and the
// running maximum, sum and output sums are updated. No score matrix: the
// kernel writes only the output, handed back with to_tensor.

// CHECK-LABEL: func.func @attention(
// CHECK-SAME: %[[Q:.*]]: tensor<2x4x?x64xf32>, %[[K:.*]]: tensor<2x4x?x64xf32>, %[[V:.*]]: tensor<2x4x?x64xf32>, %[[MASK:.*]]: tensor<2x1x1x?xi64>)
// CHECK: %[[QB:.*]] = bufferization.to_buffer %[[Q]] read_only
// CHECK: %[[KB:.*]] = bufferization.to_buffer %[[K]] read_only
// CHECK: %[[VB:.*]] = bufferization.to_buffer %[[V]] read_only
// CHECK: %[[MB:.*]] = bufferization.to_buffer %[[MASK]] read_only
// CHECK: %[[OUT:.*]] = memref.alloc(%{{.*}}) : memref<2x4x?x64xf32>
// CHECK: gpu.launch {{.*}} threads({{.*}}) in (%{{[a-z0-9]+}} = %{{.*}}, %{{[a-z0-9]+}} = %{{.*}}, %{{[a-z0-9]+}} = %{{.*}})
// CHECK: memref.load %[[QB]]
// CHECK: memref.load %[[QB]]
// CHECK: scf.for %[[KEY:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[MAX:.*]] = %{{.*}}, %[[SUM:.*]] = %{{.*}}, %{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) -> (f32, f32, f32, f32)
// CHECK: memref.load %[[KB]]
// CHECK-COUNT-5: gpu.shuffle  xor
// CHECK: %[[SCALED:.*]] = arith.mulf %{{.*}}, %{{.*}} : f32
// CHECK: %[[M:.*]] = memref.load %[[MB]][%{{.*}}, %{{.*}}, %{{.*}}, %[[KEY]]]
// CHECK: %[[KEEP:.*]] = arith.cmpi ne, %[[M]], %{{.*}} : i64
// CHECK: %[[MASKED:.*]] = arith.select %[[KEEP]], %[[SCALED]], %{{.*}} : f32
// CHECK: %[[FUTURE:.*]] = arith.cmpi ugt, %[[KEY]], %{{.*}} : index
// CHECK: %[[S:.*]] = arith.select %[[FUTURE]], %{{.*}}, %[[MASKED]] : f32
// CHECK: %[[NEXT:.*]] = arith.maximumf %[[MAX]], %[[S]] : f32
// CHECK: math.exp
// CHECK: math.exp
// CHECK: memref.load %[[VB]]
// CHECK: scf.yield %[[NEXT]],
// CHECK: arith.divf
// CHECK: memref.store %{{.*}}, %[[OUT]]
// CHECK: arith.divf
// CHECK: memref.store %{{.*}}, %[[OUT]]
// CHECK: %[[RESULT:.*]] = bufferization.to_tensor %[[OUT]] restrict writable
// CHECK: return %[[RESULT]]

// EMU-LABEL: func.func @attention(
// EMU-NOT: gpu.shuffle
// EMU: gpu.launch
// EMU: scf.for
// EMU: scf.for {{.*}} iter_args
// EMU: scf.for {{.*}} iter_args
// EMU: arith.maximumf
// EMU-NOT: gpu.shuffle
// EMU: bufferization.to_tensor
// On the tensor cores (TF32): a block of 4 warps per 64 queries of a
// (batch, head), grid (ceil(q_len / 64), heads, batch), a warp per 16 of
// them. Q's fragments are loaded once (rows clamped to the last query, so
// no lane branches); the keys are walked in blocks of 32 (TF32 at head
// size 64: 32 x 64 = 2048 elements) up to the causal bound min(kv_len,
// block's first query + 64). Per block all 128 threads stage K (32 x 64,
// rows of 68 f32) and V transposed (64 x 32, rows of 36: ldmatrix cannot
// transpose 32-bit elements), each element rounded to TF32 once, 16 a
// thread in loops of 4 loads, then 4 stores (16-byte loads of 4 elements
// from a flat view when the views' strides and base allow, checked on the
// host: K 4 quads a thread, stored 4 at a time); a barrier (enc.workgroup_barrier: the kernel is written before
// bufferization); S = QKᵀ with K's operands from ldmatrix (one x4 a pair of
// 8-key tiles and step of the head: 16 mma.sync a pair), the mask loaded
// at the clamped key, the cut, row maxima over the quad (xor 2, 1),
// exponentials, P's operand gathered from the quad with index shuffles, O
// rescaled, O += P·V with Vᵀ's operands from ldmatrix; a barrier. At the
// end the partial sums meet over the quad and each row inside q_len is
// divided and stored. The stages are workgroup globals, one per shape.
// TF32-DAG: memref.global "private" @[[KS:__enc_attention_k_32x68xf32]] : memref<32x68xf32, #gpu.address_space<workgroup>> {alignment = 16 : i64}
// TF32-DAG: memref.global "private" @[[VS:__enc_attention_v_64x36xf32]] : memref<64x36xf32, #gpu.address_space<workgroup>> {alignment = 16 : i64}
// TF32-LABEL: func.func @attention(
// TF32: %[[OUT:.*]] = memref.alloc
// TF32: %[[KBASE:.*]], %[[KOFF:.*]], %{{.*}}:4, %[[KSTRIDES:.*]]:4 = memref.extract_strided_metadata
// TF32: %[[KFLAT:.*]] = memref.reinterpret_cast %[[KBASE]] to offset: [0], sizes: [%{{.*}}], strides: [1] : memref<f32> to memref<?xf32>
// TF32: arith.cmpi eq, %[[KSTRIDES]]#3, %c1
// TF32: memref.extract_aligned_pointer_as_index %[[KBASE]]
// TF32: %[[VFLAT:.*]] = memref.reinterpret_cast
// TF32: %[[BLOCKS:.*]] = arith.ceildivui %{{.*}}, %c64
// TF32: gpu.launch blocks(%[[QB:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[BLOCKS]], %{{.*}} = %c4, %{{.*}} = %c2) threads(%[[TID:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c128, %{{.*}} = %c1, %{{.*}} = %c1)
// TF32: %[[Q0:.*]] = arith.muli %[[QB]], %c64
// TF32: %[[K:.*]] = memref.get_global @[[KS]]
// TF32: %[[V:.*]] = memref.get_global @[[VS]]
// TF32-COUNT-32: memref.load
// TF32: %[[END:.*]] = arith.addi %[[Q0]], %c64
// TF32: %[[BOUND:.*]] = arith.minui %{{.*}}, %[[END]] : index
// TF32: scf.for %[[KEY0:.*]] = %c0 to %[[BOUND]] step %c32 iter_args
// TF32: scf.if %{{.*}} {
// TF32: scf.for %{{.*}} = %c0 to %c512 step %c512 {
// TF32-COUNT-4: vector.load %[[KFLAT]][%{{.*}}] {alignment = 16 : i64} : memref<?xf32>, vector<4xf32>
// TF32-COUNT-4: vector.store %{{.*}}, %[[K]][%{{.*}}, %{{.*}}] {alignment = 16 : i64} : memref<32x68xf32, #gpu.address_space<workgroup>>, vector<4xf32>
// TF32: vector.load %[[VFLAT]]
// TF32: } else {
// TF32: scf.for %[[I:.*]] = %c0 to %c2048 step %c512 {
// TF32-COUNT-4: memref.load
// TF32-NOT: memref.store
// TF32: arith.bitcast
// TF32: memref.store %{{.*}}, %[[K]][%[[KEY:.*]], %[[E:.*]]] : memref<32x68xf32, #gpu.address_space<workgroup>>
// TF32: scf.for %{{.*}} = %c0 to %c2048 step %c512 {
// TF32-COUNT-4: memref.load
// TF32: memref.store %{{.*}}, %[[V]][%[[VE:.*]], %[[VKEY:.*]]] : memref<64x36xf32, #gpu.address_space<workgroup>>
// TF32: enc.workgroup_barrier
// TF32: nvgpu.ldmatrix %[[K]][%{{.*}}, %{{.*}}] {numTiles = 4 : i32, transpose = false} : memref<32x68xf32, #gpu.address_space<workgroup>> -> vector<4x1xf32>
// TF32-COUNT-16: nvgpu.mma.sync({{.*}}) {mmaShape = [16, 8, 8], tf32Enabled}
// TF32: memref.load %{{.*}}[%{{.*}}, %c0, %c0, %{{.*}}] : memref<2x1x1x?xi64
// TF32: arith.cmpi ugt
// TF32-COUNT-16: nvgpu.mma.sync({{.*}}) {mmaShape = [16, 8, 8], tf32Enabled}
// TF32: gpu.shuffle  xor %{{.*}}, %c2_i32
// TF32: gpu.shuffle  xor %{{.*}}, %c1_i32
// TF32: math.exp
// TF32-COUNT-8: gpu.shuffle  idx
// TF32: nvgpu.ldmatrix %[[V]][%{{.*}}, %{{.*}}] {numTiles = 4 : i32, transpose = false} : memref<64x36xf32, #gpu.address_space<workgroup>> -> vector<4x1xf32>
// TF32-COUNT-32: nvgpu.mma.sync({{.*}}) {mmaShape = [16, 8, 8], tf32Enabled}
// TF32: enc.workgroup_barrier
// TF32: scf.yield
// TF32: gpu.shuffle  xor %{{.*}}, %c2_i32
// TF32: gpu.shuffle  xor %{{.*}}, %c1_i32
// TF32: scf.if
// TF32: arith.divf
// TF32: memref.store %{{.*}}, %[[OUT]]
// TF32: bufferization.to_tensor %[[OUT]]

// bf16: blocks of 64 keys (64 x 64 = 4096 elements), K and V staged as
// they are (rows of 72 bf16, each element converted once), S as 8 tiles of
// 4 m16n8k16 steps; their accumulator layout is P's operand layout, so no
// index shuffles; V's operands from a transposing ldmatrix.
// BF16-DAG: memref.global "private" @[[KS:__enc_attention_k_64x72xbf16]] : memref<64x72xbf16, #gpu.address_space<workgroup>> {alignment = 16 : i64}
// BF16-DAG: memref.global "private" @[[VS:__enc_attention_v_64x72xbf16]] : memref<64x72xbf16, #gpu.address_space<workgroup>> {alignment = 16 : i64}
// BF16-LABEL: func.func @attention(
// BF16: gpu.launch
// BF16: %[[K:.*]] = memref.get_global @[[KS]]
// BF16: %[[V:.*]] = memref.get_global @[[VS]]
// BF16: scf.for %{{.*}} = %c0 to %{{.*}} step %c64 iter_args
// BF16: arith.truncf %{{.*}} : f32 to bf16
// BF16: memref.store %{{.*}}, %[[K]]
// BF16: memref.store %{{.*}}, %[[V]][%[[VKEY:.*]], %[[VE:.*]]] : memref<64x72xbf16, #gpu.address_space<workgroup>>
// BF16: enc.workgroup_barrier
// BF16: nvgpu.ldmatrix %[[K]][%{{.*}}, %{{.*}}] {numTiles = 4 : i32, transpose = false} : memref<64x72xbf16, #gpu.address_space<workgroup>> -> vector<4x2xbf16>
// BF16-COUNT-8: nvgpu.mma.sync({{.*}}) {mmaShape = [16, 8, 16]} : (vector<4x2xbf16>, vector<2x2xbf16>, vector<2x2xf32>)
// BF16-NOT: gpu.shuffle  idx
// BF16: math.exp
// BF16: arith.truncf %{{.*}} : f32 to bf16
// BF16: nvgpu.ldmatrix %[[V]][%{{.*}}, %{{.*}}] {numTiles = 4 : i32, transpose = true} : memref<64x72xbf16, #gpu.address_space<workgroup>> -> vector<4x2xbf16>
// BF16: nvgpu.mma.sync({{.*}}) {mmaShape = [16, 8, 16]}
// BF16: enc.workgroup_barrier
// BF16: scf.yield

// Emulated: thread 0 runs each block on host stages (f32, rounded to bf16
// precision) and a softmax state of 64 queries x (maximum, sum), allocated
// beside the output: per key block of 64, the 128 threads' staging with
// the kernel's indices, then each query's scores from the stages, block
// maximum, rescaling and output sums; no barriers, no workgroup memory.
// TILEEMU-NOT: memref.global
// TILEEMU-LABEL: func.func @attention(
// TILEEMU-NOT: nvgpu
// TILEEMU: %[[KS:.*]] = memref.alloc() : memref<64x72xf32>
// TILEEMU: %[[VS:.*]] = memref.alloc() : memref<64x72xf32>
// TILEEMU: %[[SM:.*]] = memref.alloc() : memref<64x2xf32>
// TILEEMU: gpu.launch
// TILEEMU: scf.if
// TILEEMU: scf.for %{{.*}} = %c0 to %{{.*}} step %c64 {
// TILEEMU: scf.for %{{.*}} = %c0 to %c128 step %c1 {
// TILEEMU: arith.cmpf uno
// TILEEMU: memref.store %{{.*}}, %[[KS]]
// TILEEMU: memref.store %{{.*}}, %[[VS]]
// TILEEMU: memref.load %[[SM]]
// TILEEMU: math.exp
// TILEEMU: memref.store %{{.*}}, %[[SM]]
// TILEEMU-NOT: enc.workgroup_barrier
// TILEEMU-NOT: nvgpu

// A typed option: the option parser names the bad value.
// UNKNOWN: for the --precision option: Cannot find option named 'fp8'!
func.func @attention(%q: tensor<2x4x?x64xf32>, %k: tensor<2x4x?x64xf32>, %v: tensor<2x4x?x64xf32>,
                     %mask: tensor<2x1x1x?xi64>) -> tensor<2x4x?x64xf32> {
  %o = enc.attention %q, %k, %v mask %mask {causal} : (tensor<2x4x?x64xf32>, tensor<2x4x?x64xf32>, tensor<2x4x?x64xf32>, tensor<2x1x1x?xi64>) -> tensor<2x4x?x64xf32>
  return %o : tensor<2x4x?x64xf32>
}

// -----

// A dynamic head size stays enc.attention (each lane's share of it must be
// known): the materialized lowering takes it.

// TF32-LABEL: func.func @dynamic_head(
// TF32-NOT: gpu.launch
// TF32: enc.attention
// CHECK-LABEL: func.func @dynamic_head(
// CHECK-NOT: gpu.launch
// CHECK: enc.attention
func.func @dynamic_head(%q: tensor<1x2x8x?xf32>, %k: tensor<1x2x8x?xf32>, %v: tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32> {
  %o = enc.attention %q, %k, %v {scale = 0.25 : f64} : (tensor<1x2x8x?xf32>, tensor<1x2x8x?xf32>, tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32>
  return %o : tensor<1x2x8x16xf32>
}

// -----

// Two functions (a dual encoder's towers) with one stage shape declare each
// workgroup global once; their kernels share it.

// TF32-LABEL: memref.global "private" @__enc_attention_v_16x68xf32
// TF32-NOT: memref.global
// TF32: memref.global "private" @__enc_attention_k_64x36xf32
// TF32-NOT: memref.global
// TF32-LABEL: func.func @text_tower(
// TF32: memref.get_global @__enc_attention_k_64x36xf32
// TF32: memref.get_global @__enc_attention_v_16x68xf32
// TF32-LABEL: func.func @image_tower(
// TF32: memref.get_global @__enc_attention_k_64x36xf32
// TF32: memref.get_global @__enc_attention_v_16x68xf32
func.func @text_tower(%q: tensor<1x2x?x32xf32>, %k: tensor<1x2x?x32xf32>, %v: tensor<1x2x?x16xf32>) -> tensor<1x2x?x16xf32> {
  %o = enc.attention %q, %k, %v : (tensor<1x2x?x32xf32>, tensor<1x2x?x32xf32>, tensor<1x2x?x16xf32>) -> tensor<1x2x?x16xf32>
  return %o : tensor<1x2x?x16xf32>
}
func.func @image_tower(%q: tensor<3x2x50x32xf32>, %k: tensor<3x2x50x32xf32>, %v: tensor<3x2x50x16xf32>) -> tensor<3x2x50x16xf32> {
  %o = enc.attention %q, %k, %v : (tensor<3x2x50x32xf32>, tensor<3x2x50x32xf32>, tensor<3x2x50x16xf32>) -> tensor<3x2x50x16xf32>
  return %o : tensor<3x2x50x16xf32>
}
