// RUN: encoder-opt %s -split-input-file -enc-matmul-to-tensor-cores -canonicalize -cse | FileCheck %s
// RUN: encoder-opt %s -split-input-file -enc-matmul-to-tensor-cores=emulate -canonicalize -cse | FileCheck %s --check-prefix=EMU
// RUN: encoder-opt %s -split-input-file -enc-matmul-to-tensor-cores=precision=bf16 -canonicalize -cse | FileCheck %s --check-prefix=BF16
// RUN: encoder-opt %s -split-input-file -enc-matmul-to-tensor-cores="precision=bf16 emulate" -canonicalize -cse | FileCheck %s --check-prefix=BF16EMU
// RUN: not encoder-opt %s -split-input-file -enc-matmul-to-tensor-cores=precision=fp8 2>&1 | FileCheck %s --check-prefix=UNKNOWN

// x·Wᵀ with dynamic rows, K = 64: when M % 32 == 0 and X and W are
// 16-byte aligned, a launch of 128-thread blocks over 64x64 tiles of C
// (grid: N/64 rounded up, M/64 rounded up, batch) with two 64x36 stages in
// shared memory. Each warp whose 32x32 tile lies in C starts 2x4 mma.sync
// accumulators from C (others from 0). Every thread stages its share of
// the first K-tile of 32: 4 vectors of 4 of X and of W (16-byte loads,
// each element rounded to TF32: +0x1000, low 13 bits cleared; 16-byte
// stores, aligned by enc-align-workgroup-buffers later), a barrier. Per
// K-tile, it loads its share of the next one (K - 32 at most) into
// registers first (used by nothing until the products are issued), each
// warp reads its fragments from the stages with ldmatrix.x4 (lane l gives
// row l % 8 of matrix l / 8: A's matrices are rows 0-7 and 8-15 of K 0-3,
// then of K 4-7; Bᵀ's are K 0-3 and 4-7 of columns 0-7, then of columns
// 8-15, two n-tiles' operands) for 4 steps of 8 mma.sync, a barrier, the
// share is rounded and stored, a barrier. The warps inside C store their
// accumulators. Otherwise the original op runs.

#contract = {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>,
                              affine_map<(d0, d1, d2, d3) -> (d2, d3)>,
                              affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>],
             iterator_types = ["parallel", "parallel", "parallel", "reduction"]}

// CHECK-LABEL: func.func @linear(
// CHECK-SAME: %[[X:.*]]: memref<?x?x64xf32>, %[[W:.*]]: memref<96x64xf32>, %[[Y:.*]]: memref<?x?x96xf32>)
// CHECK-DAG: %[[C128:.*]] = arith.constant 128 : index
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG: %[[C32:.*]] = arith.constant 32 : index
// CHECK-DAG: %[[C16:.*]] = arith.constant 16 : index
// CHECK-DAG: %[[C8:.*]] = arith.constant 8 : index
// CHECK-DAG: %[[C4:.*]] = arith.constant 4 : index
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK: %[[D0:.*]] = memref.dim %[[Y]], %[[C0]]
// CHECK: %[[D1:.*]] = memref.dim %[[Y]], %[[C1]]
// CHECK: %[[M:.*]] = arith.muli %[[D0]], %[[D1]]
// CHECK: %[[REM:.*]] = arith.remui %[[M]], %[[C32]]
// CHECK: %[[FITS:.*]] = arith.cmpi eq, %[[REM]], %[[C0]]
// CHECK: %[[XP:.*]] = memref.extract_aligned_pointer_as_index %[[X]]
// CHECK: %[[XREM:.*]] = arith.remui %[[XP]], %[[C16]] : index
// CHECK: %[[XOK:.*]] = arith.cmpi eq, %[[XREM]], %[[C0]]
// CHECK: %[[FITSX:.*]] = arith.andi %[[FITS]], %[[XOK]]
// CHECK: %[[WP:.*]] = memref.extract_aligned_pointer_as_index %[[W]]
// CHECK: %[[ALL:.*]] = arith.andi %[[FITSX]], %{{.*}}
// CHECK: scf.if %[[ALL]] {
// CHECK-DAG: %[[FX:.*]] = memref.collapse_shape %[[X]] {{\[\[}}0, 1, 2]] : memref<?x?x64xf32> into memref<?xf32>
// CHECK-DAG: %[[FW:.*]] = memref.collapse_shape %[[W]] {{\[\[}}0, 1]] : memref<96x64xf32> into memref<6144xf32>
// CHECK-DAG: %[[FY:.*]] = memref.collapse_shape %[[Y]] {{\[\[}}0, 1, 2]] : memref<?x?x96xf32> into memref<?xf32>
// CHECK: %[[ROWS:.*]] = arith.ceildivui %[[M]], %{{.*}}
// CHECK: gpu.launch blocks(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %[[C2]], %{{.*}} = %[[ROWS]], %{{.*}} = %[[C1]]) threads(%[[TID:[a-z0-9]+]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[C128]], %{{.*}} = %[[C1]], %{{.*}} = %[[C1]]) workgroup(%[[AS:.*]] : memref<64x36xf32, #gpu.address_space<workgroup>>, %[[BS:.*]] : memref<64x36xf32, #gpu.address_space<workgroup>>)
// CHECK: %[[LANE:.*]] = arith.remui %[[TID]], %[[C32]]
// CHECK: %[[INSIDE:.*]] = arith.andi
// CHECK: %[[MATRIX:.*]] = arith.divui %[[LANE]], %[[C8]]
// CHECK: %[[MROW:.*]] = arith.remui %[[LANE]], %[[C8]]
// CHECK: %[[MODD:.*]] = arith.remui %[[MATRIX]], %[[C2]]
// CHECK: %[[MHALF:.*]] = arith.divui %[[MATRIX]], %[[C2]]
// CHECK: %[[AOFF:.*]] = arith.muli %[[MODD]], %[[C8]]
// CHECK: %[[AROW:.*]] = arith.addi %[[MROW]], %[[AOFF]]
// CHECK: %[[ACOL:.*]] = arith.muli %[[MHALF]], %[[C4]]
// CHECK: %[[BOFF:.*]] = arith.muli %[[MHALF]], %[[C8]]
// CHECK: %[[BROW:.*]] = arith.addi %[[MROW]], %[[BOFF]]
// CHECK: %[[BCOL:.*]] = arith.muli %[[MODD]], %[[C4]]
// CHECK: %[[START:.*]]:8 = scf.if %[[INSIDE]] -> (vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>) {
// CHECK: memref.load %[[FY]]
// CHECK: } else {
// CHECK: %[[XV:.*]] = vector.load %[[FX]][%{{.*}}] {alignment = 16 : i64} : memref<?xf32>, vector<4xf32>
// CHECK: vector.load %[[FW]][%{{.*}}] {alignment = 16 : i64} : memref<6144xf32>, vector<4xf32>
// CHECK-COUNT-3: vector.load %[[FX]]
// CHECK: %[[XE:.*]] = vector.extract %[[XV]][0]
// CHECK: %[[BITS:.*]] = arith.bitcast %[[XE]] : f32 to i32
// CHECK: %[[UP:.*]] = arith.addi %[[BITS]], %{{.*}} : i32
// CHECK: %[[CUT:.*]] = arith.andi %[[UP]], %{{.*}} : i32
// CHECK: %[[ROUNDED:.*]] = arith.bitcast %[[CUT]] : i32 to f32
// CHECK: %[[PIECE:.*]] = vector.from_elements %[[ROUNDED]], %{{.*}}, %{{.*}}, %{{.*}} : vector<4xf32>
// CHECK: vector.store %[[PIECE]], %[[AS]][%{{.*}}, %{{.*}}] {alignment = 16 : i64}
// CHECK: vector.store %{{.*}}, %[[BS]][%{{.*}}, %{{.*}}] {alignment = 16 : i64}
// CHECK: gpu.barrier
// CHECK: scf.for %[[KT:.*]] = %[[C0]] to %{{.*}} step %[[C32]] iter_args(%{{.*}} = %[[START]]#0,
// CHECK: %[[NEXT:.*]] = arith.addi %[[KT]], %[[C32]]
// CHECK: arith.minui %[[NEXT]], %[[C32]]
// CHECK-COUNT-4: vector.load %[[FX]]
// CHECK-NOT: arith.bitcast
// CHECK-NOT: vector.store
// CHECK: %[[WARPA:.*]] = arith.addi %{{.*}}, %[[AROW]]
// CHECK: %[[WARPB:.*]] = arith.addi %{{.*}}, %[[BROW]]
// CHECK: %[[A0:.*]] = nvgpu.ldmatrix %[[AS]][%[[WARPA]], %[[ACOL]]] {numTiles = 4 : i32, transpose = false} : memref<64x36xf32, #gpu.address_space<workgroup>> -> vector<4x1xf32>
// CHECK: %[[A1ROW:.*]] = arith.addi %[[WARPA]], %[[C16]]
// CHECK: nvgpu.ldmatrix %[[AS]][%[[A1ROW]], %[[ACOL]]]
// CHECK: %[[B01:.*]] = nvgpu.ldmatrix %[[BS]][%[[WARPB]], %[[BCOL]]] {numTiles = 4 : i32, transpose = false} : memref<64x36xf32, #gpu.address_space<workgroup>> -> vector<4x1xf32>
// CHECK: %[[B0R0:.*]] = vector.extract %[[B01]][0, 0]
// CHECK: %[[B0R1:.*]] = vector.extract %[[B01]][1, 0]
// CHECK: %[[B0:.*]] = vector.from_elements %[[B0R0]], %[[B0R1]] : vector<2x1xf32>
// CHECK: vector.extract %[[B01]][2, 0]
// CHECK: %[[B2ROW:.*]] = arith.addi %[[WARPB]], %[[C16]]
// CHECK: nvgpu.ldmatrix %[[BS]][%[[B2ROW]], %[[BCOL]]]
// CHECK: nvgpu.mma.sync(%[[A0]], %[[B0]], %{{.*}}) {mmaShape = [16, 8, 8], tf32Enabled} : (vector<4x1xf32>, vector<2x1xf32>, vector<2x2xf32>) -> vector<2x2xf32>
// CHECK-COUNT-31: nvgpu.mma.sync({{.*}}) {mmaShape = [16, 8, 8], tf32Enabled} : (vector<4x1xf32>, vector<2x1xf32>, vector<2x2xf32>) -> vector<2x2xf32>
// CHECK-NOT: memref.load
// CHECK: gpu.barrier
// CHECK: arith.bitcast
// CHECK-COUNT-4: vector.store %{{.*}}, %[[AS]]
// CHECK: gpu.barrier
// CHECK: scf.yield
// CHECK: scf.if %[[INSIDE]] {
// CHECK-COUNT-32: memref.store %{{.*}}, %[[FY]]
// CHECK: gpu.terminator
// CHECK: } else {
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[X]], %[[W]] : memref<?x?x64xf32>, memref<96x64xf32>) outs(%[[Y]] : memref<?x?x96xf32>)

// Emulation cannot keep a barrier (threads run one after another), so
// thread 0 runs its block: per K-tile, the 128 threads' staging in turn
// into host stages (rounded as the kernel rounds), then each warp's tile
// as scalar loops over them, accumulating in a buffer.
// EMU-LABEL: func.func @linear(
// EMU-NOT: nvgpu.mma.sync
// EMU: gpu.launch blocks({{.*}}) threads(%[[TID:[a-z0-9]+]],
// EMU-NOT: workgroup
// EMU: %[[FIRST:.*]] = arith.cmpi eq, %[[TID]], %{{.*}} : index
// EMU: scf.if %[[FIRST]] {
// EMU: %[[AS:.*]] = memref.alloc() : memref<64x36xf32>
// EMU: %[[BS:.*]] = memref.alloc() : memref<64x36xf32>
// EMU: %[[ACC:.*]] = memref.alloc() : memref<4x32x32xf32>
// EMU: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c32
// EMU: scf.for %{{.*}} = %{{.*}} to %c128 step
// EMU: vector.load
// EMU-NOT: alignment
// EMU: arith.andi %{{.*}}, %{{.*}} : i32
// EMU: vector.store %{{.*}}, %[[AS]]
// EMU: scf.for {{.*}} iter_args
// EMU: memref.load %[[AS]]
// EMU: memref.load %[[BS]]
// EMU: arith.mulf
// EMU: arith.addf
// EMU: memref.store %{{.*}}, %[[ACC]]
// EMU: memref.dealloc %[[AS]]
// EMU-NOT: nvgpu.mma.sync
// bf16: stages of bf16, 40 a row (80 bytes, 16-byte aligned, 5 units of 16
// bytes: ldmatrix without bank conflicts): each staged element converted
// once (arith.truncf, cvt.rn.bf16), 8-byte stores. ldmatrix.x4 reads the
// same matrices at K 0-7 and 8-15 (each lane's register: two bf16), for 2
// steps of 8 nvgpu.mma.sync m16n8k16 a K-tile (enc-lower-bf16-mma-sync
// lowers them, upstream cannot). The accumulators stay vector<2x2xf32>.
// BF16-LABEL: func.func @linear(
// BF16: gpu.launch {{.*}} workgroup(%[[AS:.*]] : memref<64x40xbf16, #gpu.address_space<workgroup>>, %[[BS:.*]] : memref<64x40xbf16, #gpu.address_space<workgroup>>)
// BF16: %[[H:.*]] = arith.truncf %{{.*}} : f32 to bf16
// BF16: %[[PIECE:.*]] = vector.from_elements %[[H]], %{{.*}}, %{{.*}}, %{{.*}} : vector<4xbf16>
// BF16: vector.store %[[PIECE]], %[[AS]][%{{.*}}, %{{.*}}] {alignment = 8 : i64} : memref<64x40xbf16, #gpu.address_space<workgroup>>, vector<4xbf16>
// BF16: gpu.barrier
// BF16: scf.for %{{.*}} = %c0 to %c64 step %c32 iter_args({{.*}}) -> (vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>)
// BF16-NOT: arith.truncf
// BF16: %[[A:.*]] = nvgpu.ldmatrix %[[AS]][%{{.*}}, %{{.*}}] {numTiles = 4 : i32, transpose = false} : memref<64x40xbf16, #gpu.address_space<workgroup>> -> vector<4x2xbf16>
// BF16: %[[B01:.*]] = nvgpu.ldmatrix %[[BS]][%{{.*}}, %{{.*}}] {numTiles = 4 : i32, transpose = false} : memref<64x40xbf16, #gpu.address_space<workgroup>> -> vector<4x2xbf16>
// BF16: vector.extract %[[B01]][1, 1] : bf16 from vector<4x2xbf16>
// BF16: %[[B0:.*]] = vector.from_elements {{.*}} : vector<2x2xbf16>
// BF16: nvgpu.mma.sync(%[[A]], %[[B0]], %{{.*}}) {mmaShape = [16, 8, 16]} : (vector<4x2xbf16>, vector<2x2xbf16>, vector<2x2xf32>) -> vector<2x2xf32>
// BF16-COUNT-15: nvgpu.mma.sync({{.*}}) {mmaShape = [16, 8, 16]} : (vector<4x2xbf16>, vector<2x2xbf16>, vector<2x2xf32>) -> vector<2x2xf32>
// BF16: gpu.barrier
// BF16: arith.truncf
// BF16: gpu.barrier
// BF16: scf.yield

// Emulated bf16: the same scalar loops, each operand rounded to bf16
// precision in f32 (+0x7FFF + the kept low bit, low 16 bits cleared; NaN
// kept quiet), since the CPU cannot convert to bf16 without a library call.
// BF16EMU-LABEL: func.func @linear(
// BF16EMU-NOT: nvvm.mma.sync
// BF16EMU: scf.for %{{.*}} = %{{.*}} to %c128 step
// BF16EMU: %[[V:.*]] = vector.load
// BF16EMU: %[[X:.*]] = vector.extract %[[V]][0]
// BF16EMU: %[[BITS:.*]] = arith.bitcast %[[X]] : f32 to i32
// BF16EMU: %[[SHIFT:.*]] = arith.shrui %[[BITS]], %c16_i32 : i32
// BF16EMU: %[[LSB:.*]] = arith.andi %[[SHIFT]], %c1_i32 : i32
// BF16EMU: %[[BIAS:.*]] = arith.addi %[[LSB]], %c32767_i32 : i32
// BF16EMU: %[[UP:.*]] = arith.addi %[[BITS]], %[[BIAS]] : i32
// BF16EMU: %[[CUT:.*]] = arith.andi %[[UP]], %c-65536_i32 : i32
// BF16EMU: %[[NAN:.*]] = arith.cmpf uno, %[[X]], %[[X]] : f32
// BF16EMU: arith.select %[[NAN]], %{{.*}}, %[[CUT]] : i32
// BF16EMU-NOT: arith.truncf
// BF16EMU: arith.mulf

// A typed option: the option parser names the bad value.
// UNKNOWN: for the --precision option: Cannot find option named 'fp8'!
func.func @linear(%x: memref<?x?x64xf32>, %w: memref<96x64xf32>, %y: memref<?x?x96xf32>) {
  linalg.generic #contract ins(%x, %w : memref<?x?x64xf32>, memref<96x64xf32>) outs(%y : memref<?x?x96xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %c, %m : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A batched product with B as K x N: the batch is the grid's z, each
// operand's batch offset is its matrix size, B is read along its rows.

// CHECK-LABEL: func.func @batched(
// CHECK: %[[C3:.*]] = arith.constant 3 : index
// CHECK: gpu.launch blocks(%{{[a-z0-9]+}}, %{{[a-z0-9]+}}, %[[Z:[a-z0-9]+]]) in (%{{[a-z0-9]+}} = %{{[a-z0-9]+}}, %{{[a-z0-9]+}} = %{{[a-z0-9]+}}, %{{[a-z0-9]+}} = %[[C3]]) threads
// CHECK: arith.muli %[[Z]], %{{.*}} : index
// CHECK-NOT: memref<64x36xf32
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c8
// CHECK-COUNT-8: nvgpu.mma.sync

// K = 40 is no multiple of the stages' 32: no shared memory, each lane
// loads its fragment elements from global memory, K by 8. In emulation,
// lane 0 of each warp runs the warp's tile as scalar loops.
// EMU-LABEL: func.func @batched(
// EMU: gpu.launch blocks({{.*}}) threads(%[[TID:[a-z0-9]+]],
// EMU: %[[LANE:.*]] = arith.remui %[[TID]], %{{.*}} : index
// EMU: %[[LANE0:.*]] = arith.cmpi eq, %[[LANE]], %{{.*}} : index
// EMU: %[[WORK:.*]] = arith.andi %{{.*}}, %[[LANE0]] : i1
// EMU: scf.if %[[WORK]] {
// EMU: scf.for
// EMU: scf.for
// EMU: scf.for {{.*}} iter_args
// EMU: arith.andi %{{.*}}, %{{.*}} : i32
// EMU: arith.mulf
// EMU: arith.addf

// K = 40 is not a multiple of 16: bf16 leaves it alone.
// BF16-LABEL: func.func @batched(
// BF16-NOT: gpu.launch
// BF16: linalg.batch_matmul
func.func @batched(%a: memref<3x64x40xf32>, %b: memref<3x40x32xf32>, %c: memref<3x64x32xf32>) {
  linalg.batch_matmul ins(%a, %b : memref<3x64x40xf32>, memref<3x40x32xf32>) outs(%c : memref<3x64x32xf32>)
  return
}

// -----

#xwt = {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>,
                         affine_map<(d0, d1, d2) -> (d1, d2)>,
                         affine_map<(d0, d1, d2) -> (d0, d1)>],
        iterator_types = ["parallel", "parallel", "reduction"]}

// N = 256 and K % 32 == 0: the staged kernel in two block shapes, chosen at
// run time. With M % 64 == 0 and at least 256 blocks of 128x128 (M/128
// rounded up x N/128 x batch), blocks of 256 threads over 128x128 tiles
// (two 128x36 stages), 2x4 warps of 64x32: 4x4 accumulators, 4 vectors of
// 4 staged a thread and operand, 8 steps x 16 mma.sync a K-tile; 64 rows of
// C a warp, 32 columns. Otherwise the 64x64 blocks of @linear.

// CHECK-LABEL: func.func @large_blocks(
// CHECK-SAME: memref<?x64xf32>,
// CHECK-DAG: %[[C256:.*]] = arith.constant 256 : index
// CHECK-DAG: %[[C128:.*]] = arith.constant 128 : index
// CHECK-DAG: %[[C64:.*]] = arith.constant 64 : index
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG: %[[C4:.*]] = arith.constant 4 : index
// CHECK: %[[M:.*]] = memref.dim %{{.*}}, %{{.*}} : memref<?x256xf32>
// CHECK: scf.if
// CHECK: %[[MB:.*]] = arith.ceildivui %[[M]], %[[C128]]
// CHECK: %[[BLOCKS:.*]] = arith.muli %[[MB]], %[[C2]]
// CHECK: %[[WHOLE:.*]] = arith.remui %[[M]], %[[C64]]
// CHECK: %[[EVEN:.*]] = arith.cmpi eq, %[[WHOLE]]
// CHECK: %[[MANY:.*]] = arith.cmpi uge, %[[BLOCKS]], %[[C256]]
// CHECK: %[[LARGE:.*]] = arith.andi %[[EVEN]], %[[MANY]]
// CHECK: scf.if %[[LARGE]] {
// CHECK: gpu.launch blocks(%{{.*}}, %{{.*}}, %{{.*}}) in (%{{.*}} = %[[C2]], %{{.*}} = %[[MB]], %{{.*}} = %{{.*}}) threads(%[[TID:[a-z0-9]+]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[C256]], %{{.*}}, %{{.*}}) workgroup(%{{.*}} : memref<128x36xf32, #gpu.address_space<workgroup>>, %{{.*}} : memref<128x36xf32, #gpu.address_space<workgroup>>)
// CHECK: %[[WARP:.*]] = arith.divui %[[TID]], %{{.*}}
// CHECK: arith.divui %[[WARP]], %[[C4]]
// CHECK: arith.remui %[[WARP]], %[[C4]]
// CHECK: scf.if %{{.*}} -> (vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>, vector<2x2xf32>)
// CHECK-COUNT-8: vector.load %{{.*}} {alignment = 16 : i64}
// CHECK-COUNT-8: vector.store %{{.*}} {alignment = 16 : i64}
// CHECK: gpu.barrier
// CHECK: scf.for
// CHECK-COUNT-64: nvgpu.mma.sync
// CHECK: gpu.barrier
// CHECK-COUNT-64: memref.store
// CHECK: gpu.terminator
// CHECK: } else {
// CHECK: gpu.launch {{.*}} threads({{.*}}) in (%{{.*}} = %[[C128]], {{.*}} workgroup(%{{.*}} : memref<64x36xf32, #gpu.address_space<workgroup>>
// CHECK-COUNT-32: nvgpu.mma.sync

// Emulated: thread 0 runs each shape's block, 256 threads' staging, 8
// warps' 64x32 tiles.
// EMU-LABEL: func.func @large_blocks(
// EMU: gpu.launch
// EMU: memref.alloc() : memref<128x36xf32>
// EMU: memref.alloc() : memref<8x64x32xf32>
// EMU: scf.for %{{.*}} = %{{.*}} to %c256 step
// EMU: gpu.launch
// EMU: memref.alloc() : memref<64x36xf32>
// EMU: memref.alloc() : memref<4x32x32xf32>

// Static M and batch decide at compile time: 16384 rows (128 x 2 blocks)
// take the large block alone, 4096 rows (32 x 2) the small one alone.
// CHECK-LABEL: func.func @static_large(
// CHECK-COUNT-1: gpu.launch {{.*}} workgroup(%{{.*}} : memref<128x36xf32
// CHECK-NOT: gpu.launch
// CHECK: return
// CHECK-LABEL: func.func @static_small(
// CHECK-COUNT-1: gpu.launch {{.*}} workgroup(%{{.*}} : memref<64x36xf32
// CHECK-NOT: gpu.launch
// CHECK: return

// N = 96 < 128: the large block is not written.
// CHECK-LABEL: func.func @narrow(
// CHECK-NOT: memref<128x36xf32
// CHECK-COUNT-1: gpu.launch
// CHECK-NOT: gpu.launch
// CHECK: return
func.func @large_blocks(%x: memref<?x64xf32>, %w: memref<256x64xf32>, %y: memref<?x256xf32>) {
  linalg.generic #xwt ins(%x, %w : memref<?x64xf32>, memref<256x64xf32>) outs(%y : memref<?x256xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %c, %m : f32
    linalg.yield %s : f32
  }
  return
}
func.func @static_large(%x: memref<16384x64xf32>, %w: memref<256x64xf32>, %y: memref<16384x256xf32>) {
  linalg.generic #xwt ins(%x, %w : memref<16384x64xf32>, memref<256x64xf32>) outs(%y : memref<16384x256xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %c, %m : f32
    linalg.yield %s : f32
  }
  return
}
func.func @static_small(%x: memref<4096x64xf32>, %w: memref<256x64xf32>, %y: memref<4096x256xf32>) {
  linalg.generic #xwt ins(%x, %w : memref<4096x64xf32>, memref<256x64xf32>) outs(%y : memref<4096x256xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %c, %m : f32
    linalg.yield %s : f32
  }
  return
}
func.func @narrow(%x: memref<?x64xf32>, %w: memref<96x64xf32>, %y: memref<?x96xf32>) {
  linalg.generic #xwt ins(%x, %w : memref<?x64xf32>, memref<96x64xf32>) outs(%y : memref<?x96xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %c, %m : f32
    linalg.yield %s : f32
  }
  return
}

// -----

#xwt = {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>,
                         affine_map<(d0, d1, d2) -> (d1, d2)>,
                         affine_map<(d0, d1, d2) -> (d0, d1)>],
        iterator_types = ["parallel", "parallel", "reduction"]}

// K = 448 (14 K-tiles) and N = 96: with few 64x64 blocks the small block
// is split along K at run time. Wanted slices: 264 / blocks (rounded up),
// at most 14 / 4 = 3 (slices of at least 4 tiles); then whole slices: 14 /
// wanted tiles each (rounded up) and 14 / that many slices. With 2 or more
// the grid's z is the batch times the slices (z / slices: the batch, z %
// slices: the slice, K from slice x tiles x 32 to the end of the slice or
// K), the accumulators start at 0 and are stored as they are into a buffer
// of slices x M x N partial sums; a second kernel, a thread an element,
// starts from C (no fused init here) and adds the slices, then the buffer
// is freed. Otherwise the unsplit small block.

// CHECK-LABEL: func.func @split_k(
// CHECK-DAG: %[[C264:.*]] = arith.constant 264 : index
// CHECK-DAG: %[[C14:.*]] = arith.constant 14 : index
// CHECK-DAG: %[[C3:.*]] = arith.constant 3 : index
// CHECK-DAG: %[[C448:.*]] = arith.constant 448 : index
// CHECK: %[[M:.*]] = memref.dim
// CHECK: %[[MB:.*]] = arith.ceildivui %[[M]], %c64
// CHECK: %[[BLOCKS:.*]] = arith.muli %[[MB]], %c2
// CHECK: %[[WANT:.*]] = arith.ceildivui %[[C264]], %[[BLOCKS]]
// CHECK: %[[CAPPED:.*]] = arith.minui %[[WANT]], %[[C3]]
// CHECK: %[[TPS:.*]] = arith.ceildivui %[[C14]], %[[CAPPED]]
// CHECK: %[[SLICES:.*]] = arith.ceildivui %[[C14]], %[[TPS]]
// CHECK: %[[SPLIT:.*]] = arith.cmpi uge, %[[SLICES]], %c2
// CHECK: scf.if %[[SPLIT]] {
// CHECK: %[[PARTIALS:.*]] = memref.alloc(%{{.*}}) : memref<?xf32>
// CHECK: gpu.launch blocks(%{{.*}}, %{{.*}}, %[[Z:.*]]) in (%{{.*}} = %c2, %{{.*}} = %[[MB]], %{{.*}} = %[[SLICES]])
// CHECK: %[[BATCH:.*]] = arith.divui %[[Z]], %[[SLICES]]
// CHECK: %[[SLICE:.*]] = arith.remui %[[Z]], %[[SLICES]]
// CHECK: %[[SLICEK:.*]] = arith.muli %[[TPS]], %c32
// CHECK: %[[KBEGIN:.*]] = arith.muli %[[SLICE]], %[[SLICEK]]
// CHECK: %[[KNEXT:.*]] = arith.addi %[[KBEGIN]], %[[SLICEK]]
// CHECK: %[[KEND:.*]] = arith.minui %[[KNEXT]], %[[C448]]
// CHECK-NOT: memref.load %{{.*}} : memref<?xf32>
// CHECK: scf.for %{{.*}} = %[[KBEGIN]] to %[[KEND]] step %c32 iter_args(%{{.*}} = %cst,
// CHECK: nvgpu.mma.sync
// CHECK: scf.if
// CHECK-COUNT-32: memref.store %{{.*}}, %[[PARTIALS]]
// CHECK: gpu.terminator
// CHECK: gpu.launch blocks(%[[EB:.*]], %{{.*}}, %{{.*}}) in ({{.*}}) threads(%[[ET:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c256,
// CHECK: scf.if
// CHECK: %[[START:.*]] = memref.load %{{.*}} : memref<?xf32>
// CHECK: scf.for %{{.*}} = %c0 to %[[SLICES]] step %c1 iter_args(%{{.*}} = %[[START]])
// CHECK: memref.load %[[PARTIALS]]
// CHECK: arith.addf
// CHECK: memref.store
// CHECK: memref.dealloc %[[PARTIALS]]
// CHECK: } else {
// CHECK: gpu.launch
// CHECK: scf.for %{{.*}} = %c0 to %[[C448]] step %c32

// With M static (64 rows: 2 blocks) the split is decided here: 3 slices
// of 5 K-tiles (the last of 4), no run-time choice, no unsplit kernel.
// CHECK-LABEL: func.func @split_k_static(
// CHECK-NOT: arith.cmpi uge
// CHECK: gpu.launch blocks({{.*}}) in (%{{.*}} = %c2, %{{.*}} = %c1, %{{.*}} = %c3)
// CHECK: arith.muli %{{.*}}, %c160
// CHECK: gpu.launch
// CHECK: scf.for %{{.*}} = %c0 to %c3 step %c1
// CHECK-NOT: gpu.launch
// CHECK: return

// Emulated: the same slices and sum, thread 0 running each block.
// EMU-LABEL: func.func @split_k(
// EMU: scf.if
// EMU: memref.alloc(%{{.*}}) : memref<?xf32>
// EMU: gpu.launch
// EMU: memref.alloc() : memref<64x36xf32>
// EMU: gpu.launch
// EMU: memref.dealloc
func.func @split_k(%x: memref<?x448xf32>, %w: memref<96x448xf32>, %y: memref<?x96xf32>) {
  linalg.generic #xwt ins(%x, %w : memref<?x448xf32>, memref<96x448xf32>) outs(%y : memref<?x96xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %c, %m : f32
    linalg.yield %s : f32
  }
  return
}
func.func @split_k_static(%x: memref<64x448xf32>, %w: memref<96x448xf32>, %y: memref<64x96xf32>) {
  linalg.generic #xwt ins(%x, %w : memref<64x448xf32>, memref<96x448xf32>) outs(%y : memref<64x96xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %c, %m : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Left alone: N not a multiple of 32, a dynamic N (it is a leading
// dimension), an operand that is not dense, K not a multiple of 8.

// CHECK-LABEL: func.func @unsupported(
// CHECK-NOT: gpu.launch
// CHECK-COUNT-4: linalg.matmul
// CHECK-NOT: gpu.launch
func.func @unsupported(%a: memref<32x64xf32>, %b4: memref<64x4xf32>, %c4: memref<32x4xf32>,
                       %bd: memref<64x?xf32>, %cd: memref<32x?xf32>,
                       %big: memref<32x128xf32>, %b32: memref<64x32xf32>, %c32: memref<32x32xf32>,
                       %a12: memref<32x12xf32>, %b12: memref<12x32xf32>) {
  linalg.matmul ins(%a, %b4 : memref<32x64xf32>, memref<64x4xf32>) outs(%c4 : memref<32x4xf32>)
  linalg.matmul ins(%a, %bd : memref<32x64xf32>, memref<64x?xf32>) outs(%cd : memref<32x?xf32>)
  %view = memref.subview %big[0, 0] [32, 64] [1, 1] : memref<32x128xf32> to memref<32x64xf32, strided<[128, 1]>>
  linalg.matmul ins(%view, %b32 : memref<32x64xf32, strided<[128, 1]>>, memref<64x32xf32>) outs(%c32 : memref<32x32xf32>)
  linalg.matmul ins(%a12, %b12 : memref<32x12xf32>, memref<12x32xf32>) outs(%c32 : memref<32x32xf32>)
  return
}

// -----

// Fused into the kernel: the bias broadcast that fills C before (the
// accumulators start from the bias, loaded at the element's column), a
// function of A inside the body (GELU's erf, applied to each A element as
// it is staged), and the residual add after (applied to each accumulator
// before it is stored). The fallback branch keeps all three ops.

#bias = {indexing_maps = [affine_map<(d0, d1, d2) -> (d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>],
         iterator_types = ["parallel", "parallel", "parallel"]}
#contract = {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>,
                              affine_map<(d0, d1, d2, d3) -> (d2, d3)>,
                              affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>],
             iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
#residual = {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>,
                              affine_map<(d0, d1, d2) -> (d0, d1, d2)>],
             iterator_types = ["parallel", "parallel", "parallel"]}

// CHECK-LABEL: func.func @fused(
// CHECK-SAME: %[[X:.*]]: memref<?x32x64xf32>, %[[W:.*]]: memref<32x64xf32>, %[[B:.*]]: memref<32xf32>, %[[R:.*]]: memref<?x32x32xf32>, %[[Y:.*]]: memref<?x32x32xf32>)
// CHECK: scf.if
// CHECK: gpu.launch
// CHECK: %[[BIAS:.*]] = memref.load %[[B]][%{{.*}}] : memref<32xf32>
// CHECK: vector.from_elements %[[BIAS]], {{.*}} : vector<2x2xf32>
// CHECK: %[[XV:.*]] = vector.load %{{.*}}[%{{.*}}] {alignment = 16 : i64} : memref<?xf32>, vector<4xf32>
// CHECK: %[[XE:.*]] = vector.extract %[[XV]][0]
// CHECK: %[[G:.*]] = math.erf %[[XE]] : f32
// CHECK: arith.bitcast %[[G]] : f32 to i32
// CHECK: vector.store %{{.*}}, %{{.*}} : memref<64x36xf32, #gpu.address_space<workgroup>>, vector<4xf32>
// CHECK: gpu.barrier
// CHECK: scf.for
// CHECK: nvgpu.mma.sync
// CHECK: gpu.barrier
// CHECK: math.erf
// CHECK: scf.yield
// CHECK: %[[ACC:.*]] = vector.extract %{{.*}}[0, 0] : f32 from vector<2x2xf32>
// CHECK: %[[RE:.*]] = memref.load %[[R]][%{{.*}}, %{{.*}}, %{{.*}}] : memref<?x32x32xf32>
// CHECK: %[[SUM:.*]] = arith.addf %[[ACC]], %[[RE]] : f32
// CHECK: memref.store %[[ACC]], %{{.*}}[%{{.*}}] : memref<?xf32>
// CHECK: memref.store %[[SUM]], %[[R]][%{{.*}}, %{{.*}}, %{{.*}}] : memref<?x32x32xf32>
// CHECK: gpu.terminator
// CHECK: } else {
// CHECK: linalg.generic {{.*}} ins(%[[B]] : memref<32xf32>) outs(%[[Y]] : memref<?x32x32xf32>)
// CHECK: linalg.generic {{.*}} ins(%[[X]], %[[W]] : memref<?x32x64xf32>, memref<32x64xf32>) outs(%[[Y]] : memref<?x32x32xf32>)
// CHECK: linalg.generic {{.*}} ins(%[[Y]], %[[R]] : memref<?x32x32xf32>, memref<?x32x32xf32>) outs(%[[R]] : memref<?x32x32xf32>)
// CHECK: return
func.func @fused(%x: memref<?x32x64xf32>, %w: memref<32x64xf32>, %b: memref<32xf32>,
                 %r: memref<?x32x32xf32>, %y: memref<?x32x32xf32>) {
  linalg.generic #bias ins(%b : memref<32xf32>) outs(%y : memref<?x32x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  linalg.generic #contract ins(%x, %w : memref<?x32x64xf32>, memref<32x64xf32>) outs(%y : memref<?x32x32xf32>) {
  ^bb0(%a: f32, %wt: f32, %c: f32):
    %g = math.erf %a : f32
    %m = arith.mulf %g, %wt : f32
    %s = arith.addf %c, %m : f32
    linalg.yield %s : f32
  }
  linalg.generic #residual ins(%y, %r : memref<?x32x32xf32>, memref<?x32x32xf32>) outs(%r : memref<?x32x32xf32>) {
  ^bb0(%v: f32, %res: f32, %out: f32):
    %s = arith.addf %v, %res : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Several k dimensions (heads x head size into an output projection)
// flatten into one K of 64; a zero fill before starts the accumulators
// at zero. M is static (64), but the buffers' alignment is known only at
// run time: the fallback stays.

// CHECK-LABEL: func.func @heads(
// CHECK-DAG: %[[ZERO:.*]] = arith.constant dense<0.000000e+00> : vector<2x2xf32>
// CHECK-DAG: %[[K:.*]] = arith.constant 64 : index
// CHECK: gpu.launch
// CHECK: scf.for %{{.*}} = %{{.*}} to %[[K]] step %{{.*}} iter_args(%{{.*}} = %[[ZERO]]
// CHECK-COUNT-16: nvgpu.mma.sync
// CHECK: } else {
// CHECK: linalg.fill
// CHECK: return
func.func @heads(%x: memref<2x32x4x16xf32>, %w: memref<64x4x16xf32>, %y: memref<2x32x64xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%y : memref<2x32x64xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d3, d4)>,
                                   affine_map<(d0, d1, d2, d3, d4) -> (d2, d3, d4)>,
                                   affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2)>],
                  iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%x, %w : memref<2x32x4x16xf32>, memref<64x4x16xf32>) outs(%y : memref<2x32x64xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %c, %m : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// An epilogue that writes into A (x += x·Wᵀ in place) stays a separate
// op: warps would overwrite rows of A that others still read.

// CHECK-LABEL: func.func @epilogue_into_a(
// CHECK: gpu.launch
// CHECK-NOT: memref.store {{.*}}, %{{.*}}[%{{.*}}, %{{.*}}] : memref<64x64xf32>
// CHECK: gpu.terminator
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : memref<64x64xf32>, memref<64x64xf32>) outs(%{{.*}} : memref<64x64xf32>)
// CHECK: return
func.func @epilogue_into_a(%x: memref<64x64xf32>, %w: memref<64x64xf32>, %y: memref<64x64xf32>) {
  linalg.matmul ins(%x, %w : memref<64x64xf32>, memref<64x64xf32>) outs(%y : memref<64x64xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%y, %x : memref<64x64xf32>, memref<64x64xf32>) outs(%x : memref<64x64xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  }
  return
}
