//===- Passes.td - CUDA code generation --------------------*- tablegen -*-===//
//
// Passes of the CUDA pipeline only: hand-written kernels for attention,
// layer norm and tensor-core matmuls, loops mapped to threads, device
// memory, and launches through the runtime hooks. lib/Codegen/CUDA/ (the
// tensor-core and attention kernels in its subfolders).
//
//===----------------------------------------------------------------------===//

#ifndef ENCODER_CODEGEN_CUDA_PASSES_TD
#define ENCODER_CODEGEN_CUDA_PASSES_TD

include "mlir/Pass/PassBase.td"

def EncAttentionToGPU : Pass<"enc-attention-to-gpu", "::mlir::ModuleOp"> {
  let summary = "enc.attention as one fused GPU kernel (online softmax)";
  let description = [{
    On tensors, before `enc-to-linalg`, in the CUDA pipeline. Each
    `enc.attention` in f32 with static head sizes becomes a `gpu.launch` of
    one warp per (batch, head, query) row that walks the keys with
    FlashAttention's online softmax (running maximum and sum, rescaled
    output sums): lane l holds query and output elements l, l + 32, ...,
    dot products are summed with butterfly shuffles, and the scale, the
    mask (additive, boolean or integer, broadcast over size-1 dimensions)
    and the causal cut are applied per score, as the materialized lowering
    does. No score matrix is written. Operands enter through
    `bufferization.to_buffer`, the result leaves through a fresh buffer and
    `bufferization.to_tensor`. With `emulate`, lane 0 runs its row serially
    (GPU emulation on the CPU).

    With `precision=tf32` or `bf16` (and a head size that is a multiple of
    8, resp. 16, a value size a multiple of 16, heads up to 256) the
    products run on the tensor cores instead, FlashAttention-2's way: a
    block of 4 warps per 64 queries of a (batch, head), a warp per 16 of
    them; per block of 64 keys (fewer for wide heads) all threads stage K
    and V in workgroup memory (`memref.global`s of that address space, one
    per shape; `enc.workgroup_barrier`s between staging and use), then
    S = Q·Kᵀ and O += P·V as `mma.sync` with f32 accumulators and operands
    read with `ldmatrix`, the online softmax per row on the accumulator
    registers (row maxima over the four lanes of a quad). With `emulate`,
    thread 0 runs each block: every thread's staging into host buffers,
    then each query serially over the staged keys, with the same key
    blocks and operand rounding.

    A module pass, not a function pass: the workgroup globals are the
    module's symbols, shared by every function's kernels, and functions
    run on parallel threads would each create the same one (CLIP's two
    towers did, now and then).

    Example:

    ```mlir
    // Before
    %o = enc.attention %q, %k, %v mask %mask {causal} : (...) -> tensor<2x4x?x64xf32>
    // After (precision=f32)
    %qb = bufferization.to_buffer %q read_only : ... to memref<2x4x?x64xf32>
    ...                                 // %kb, %vb, %mb the same way
    %out = memref.alloc(%len) : memref<2x4x?x64xf32>
    gpu.launch blocks(...) in (...) threads(...) in (...) {   // a warp per query row
      %r:4 = scf.for %key = %c0 to %kv_len step %c1 iter_args(%max = ..., %sum = ...,
          %o0 = ..., %o1 = ...) -> (f32, f32, f32, f32) {
        ...  // q.k (5 gpu.shuffle xor), scale, mask, causal cut, online softmax update
      }
      ...    // the lane's outputs divided by the sum, memref.store into %out
    }
    %o = bufferization.to_tensor %out restrict writable : ... to tensor<2x4x?x64xf32>
    ```
  }];
  let options = [
    Option<"emulate", "emulate", "bool", /*default=*/"false",
           "Rows (blocks on the tensor cores) serially on one thread (GPU "
           "emulation)">,
    Option<"precision", "precision", "::mlir::enc::MatmulPrecision",
           /*default=*/"::mlir::enc::MatmulPrecision::f32",
           "Products: tf32 or bf16 on the tensor cores, f32 on the CUDA "
           "cores",
           [{::llvm::cl::values(
             clEnumValN(::mlir::enc::MatmulPrecision::tf32, "tf32",
                        "tensor cores, operands rounded to TF32"),
             clEnumValN(::mlir::enc::MatmulPrecision::bf16, "bf16",
                        "tensor cores, operands converted to bf16"),
             clEnumValN(::mlir::enc::MatmulPrecision::f32, "f32",
                        "CUDA cores, exact f32"))}]>,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::nvgpu::NVGPUDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect",
  ];
}

def EncLayerNormToGPU : Pass<"enc-layer-norm-to-gpu", "::mlir::func::FuncOp"> {
  let summary = "enc.layer_norm as one GPU kernel (a warp per row)";
  let description = [{
    On tensors, before `enc-to-linalg`, in the CUDA pipeline. Each f32
    `enc.layer_norm` whose last dimension is static and at most 2048
    becomes a `gpu.launch` of one warp per row: lane l loads elements l,
    l + 32, ... of the input (plus the residual, when fused) into
    registers, the mean and then the sum of squared deviations are summed
    with butterfly shuffles, and each lane writes its normalized, scaled
    and shifted elements. One kernel and one read of the row, where the
    linalg lowering runs two reductions and an elementwise kernel. Operands
    enter through `bufferization.to_buffer`, the result leaves through a
    fresh buffer and `bufferization.to_tensor`. With `emulate`, lane 0 runs
    its row serially (GPU emulation on the CPU).

    Example:

    ```mlir
    // Before
    %y = enc.layer_norm %x residual %r scale %g bias %b {epsilon = 1.0e-12 : f64}
        : (...) -> tensor<?x128x768xf32>
    // After (%rb, %gb, %bb: the other operands, as buffers the same way)
    %xb = bufferization.to_buffer %x read_only : ... to memref<?x128x768xf32>
    %out = memref.alloc(%batch) : memref<?x128x768xf32>
    gpu.launch blocks(...) in (...) threads(...) in (%sx = %c128, ...) {  // a warp per row
      %x0 = memref.load %xb[%i, %t, %lane] : memref<?x128x768xf32>
      %r0 = memref.load %rb[%i, %t, %lane] : memref<?x128x768xf32>
      %v0 = arith.addf %x0, %r0 : f32
      ...    // 23 more such registers; mean, variance: 5 gpu.shuffle xor each;
             // (v - mean) / sqrt(var + eps) * gamma + beta stored into %out
    }
    %y = bufferization.to_tensor %out restrict writable : ... to tensor<?x128x768xf32>
    ```
  }];
  let options = [
    Option<"emulate", "emulate", "bool", /*default=*/"false",
           "Each row serially on lane 0 (GPU emulation)">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
  ];
}

def EncMatmulToTensorCores
    : Pass<"enc-matmul-to-tensor-cores", "::mlir::func::FuncOp"> {
  let summary = "Run f32 contractions on the tensor cores (TF32 or bf16 "
                "mma.sync)";
  let description = [{
    On buffers, before `convert-linalg-to-parallel-loops`. Each f32
    contraction C[batch][m][n] += f(A[batch][m][k]) * g(B[batch?][n][k])
    (or B[k][n]; k may be several dimensions, f and g pure elementwise
    functions the body applies, such as a GELU fused into its consumer)
    with dense operands, static N % 32 == 0 and static K % 8 == 0 (bf16:
    16) (linear layers, projections) becomes a `gpu.launch` of 128-thread
    blocks, each computing a 64x64 tile of C as four warps of 2x4
    `nvgpu.mma.sync` accumulators with f32 accumulation: m16n8k8 with
    operands rounded to TF32 in registers (`precision=tf32`), or m16n8k16
    with operands converted to bf16 (`precision=bf16`). Buffers stay f32.
    With K % 32 == 0, K is walked in tiles of 32 that all threads of the
    block stage in two workgroup buffers, 64x36 f32 (TF32) or 64x40 bf16
    (16-byte global loads, converted once; a barrier before and after the
    warps read their fragments there with `nvgpu.ldmatrix` x4);
    otherwise each lane loads its fragment elements from global memory.
    Staged contractions with N >= 128 get a second shape, used when M % 64
    == 0 and it still gives at least 256 blocks (at compile time when M is
    static, else at run time): 256-thread blocks over 128x128 tiles, eight
    warps of 64x32 (4x4 accumulators), two stages of 128 rows. With few
    64x64 blocks and K of 8 K-tiles or more, K is split into slices: a
    block per tile of C and slice writes raw partial sums into a buffer of
    slices x M x N, and a second kernel adds them up (fused init and
    epilogue there). The op right before that
    fills C (the bias broadcast, a zero fill) gives the accumulators their
    starting values, and the elementwise op right after that reads C (the
    residual add, an activation) is applied to them before they are
    stored: three kernels become one.
    M may be dynamic: at run time, M % 32 != 0 (staged: or A or B not
    16-byte aligned) falls back to the original op. With `emulate`, for GPU
    emulation on the CPU, each warp's work is written as scalar loops run by
    lane 0 (staged: thread 0 runs its block, every thread's staging, then
    every warp's tile), with the same rounding.

    Example:

    ```mlir
    // Before: Y[b][m][n] += X[b][m][k] * W[n][k]
    linalg.generic {iterator_types = ["parallel", "parallel", "parallel", "reduction"], ...}
        ins(%x, %w : memref<?x?x64xf32>, memref<96x64xf32>) outs(%y : memref<?x?x96xf32>) {...}
    // After (precision=tf32); %ok: M % 32 == 0, %x and %w 16-byte aligned
    scf.if %ok {
      gpu.launch blocks(...) in (%gx = %c2, %gy = %mblocks, %gz = %c1) threads(...) in (%sx = %c128, ...)
          workgroup(%as : memref<64x36xf32, #gpu.address_space<workgroup>>, %bs : ...) {
        ...  // each K-tile of 32 staged in %as, %bs (rounded to TF32); gpu.barrier
        %a = nvgpu.ldmatrix %as[%r, %c] {numTiles = 4 : i32, transpose = false} : ... -> vector<4x1xf32>
        %d = nvgpu.mma.sync(%a, %b, %acc) {mmaShape = [16, 8, 8], tf32Enabled} : (...) -> vector<2x2xf32>
      }                                 // 32 mma.sync a K-tile; accumulators stored into %y
    } else {
      linalg.generic ... ins(%x, %w : ...) outs(%y : ...) {...}   // the original op
    }
    ```
  }];
  let options = [
    Option<"precision", "precision", "::mlir::enc::MatmulPrecision",
           /*default=*/"::mlir::enc::MatmulPrecision::tf32",
           "Operand precision of the products: tf32 or bf16 (f32 uses no "
           "tensor core: the pass then changes nothing)",
           [{::llvm::cl::values(
             clEnumValN(::mlir::enc::MatmulPrecision::tf32, "tf32",
                        "tensor cores, operands rounded to TF32"),
             clEnumValN(::mlir::enc::MatmulPrecision::bf16, "bf16",
                        "tensor cores, operands converted to bf16"),
             clEnumValN(::mlir::enc::MatmulPrecision::f32, "f32",
                        "CUDA cores, exact f32"))}]>,
    Option<"emulate", "emulate", "bool", /*default=*/"false",
           "Warp tiles as scalar loops on lane 0 (GPU emulation)">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::nvgpu::NVGPUDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect",
  ];
}

def EncLowerBF16MmaSync : Pass<"enc-lower-bf16-mma-sync"> {
  let summary = "Lower bf16 nvgpu.mma.sync to nvvm.mma.sync";
  let description = [{
    LLVM 22's `convert-nvgpu-to-nvvm` fails on `nvgpu.mma.sync` with bf16
    operands ("failed to deduce operand PTX types"), though the op accepts
    them. This pass, run before it, rewrites each bf16 `nvgpu.mma.sync`
    (f32 accumulator) into `nvvm.mma.sync` with the operand element pairs
    packed into i32 registers, first element in the low half, and the
    result struct's values gathered back into the accumulator vector.
    Other `nvgpu.mma.sync` ops are left to the conversion.

    Example:

    ```mlir
    // Before
    %d = nvgpu.mma.sync (%a, %b, %c) {mmaShape = [16, 8, 16]}
        : (vector<4x2xbf16>, vector<2x2xbf16>, vector<2x2xf32>) -> vector<2x2xf32>
    // After (%a0, %a1: %a[0, 0], %a[0, 1] bitcast to i16; %c0-%c3: %c's elements)
    %l = arith.extui %a0 : i16 to i32
    %h = arith.extui %a1 : i16 to i32
    %hs = arith.shli %h, %c16 : i32
    %r0 = arith.ori %l, %hs : i32       // %r1-%r3 from %a, %b0, %b1 from %b alike
    %s = nvvm.mma.sync A[%r0, %r1, %r2, %r3] B[%b0, %b1] C[%c0, %c1, %c2, %c3]
        {layoutA = #nvvm.mma_layout<row>, layoutB = #nvvm.mma_layout<col>, ...,
         shape = #nvvm.shape<m = 16, n = 8, k = 16>}
        : (i32, i32, f32) -> !llvm.struct<(f32, f32, f32, f32)>
    %d0 = llvm.extractvalue %s[0] : !llvm.struct<(f32, f32, f32, f32)>   // %d1-%d3 alike
    %d = vector.from_elements %d0, %d1, %d2, %d3 : vector<2x2xf32>
    ```
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::LLVM::LLVMDialect",
    "::mlir::NVVM::NVVMDialect",
    "::mlir::vector::VectorDialect",
  ];
}

def EncWarpReductions
    : Pass<"enc-warp-reductions", "::mlir::func::FuncOp"> {
  let summary = "Reduce each row with a warp (coalesced loads, shuffles)";
  let description = [{
    On buffers, before `convert-linalg-to-parallel-loops`. A `linalg.generic`
    that reduces over its innermost loop only, into an f32 buffer indexed by
    the other loops, with a body `acc' = combine(acc, f(inputs))` (combine:
    `addf`, `maximumf`, `maxnumf`, `minimumf`, `minnumf`; f pure) becomes a
    `gpu.launch` with one warp per output element: lane l reads elements l,
    l + 32, ... (consecutive lanes, consecutive addresses), the 32 partial
    results are combined with `gpu.shuffle xor`, and lane 0 folds them into
    the output's initial value. Layer norm's mean and variance, softmax's
    max and sum and pooling are such reductions; one thread per row (the
    generic mapping) reads rows serially and uncoalesced. With `emulate`,
    lane 0 reduces its row serially (GPU emulation on the CPU).

    Example:

    ```mlir
    // Before: row sums (a layer norm's mean)
    linalg.generic {iterator_types = ["parallel", "parallel", "reduction"], ...}
        ins(%x : memref<?x?x64xf32>) outs(%out : memref<?x?xf32>) { ... arith.addf ... }
    // After: 8 warps of 32 lanes a block, a warp per output element %out[%i, %k]
    gpu.launch blocks(...) in (%gx = %blocks, ...) threads(%tid, ...) in (%sx = %c256, ...) {
      %lane = arith.remui %tid, %c32 : index
      ...    // %i, %k from the warp's number; warps past the last row skip the rest
      %p = scf.for %j = %lane to %c64 step %c32 iter_args(%acc = %zero) -> (f32) {
        %e = memref.load %x[%i, %k, %j] : memref<?x?x64xf32>
        %s = arith.addf %acc, %e : f32
        scf.yield %s : f32
      }
      %p16, %valid = gpu.shuffle xor %p, %c16_i32, %c32_i32 : f32  // then 8, 4, 2, 1
      ...    // the partial sums added up; lane 0 adds the total to %out[%i, %k]
    ```
  }];
  let options = [
    Option<"emulate", "emulate", "bool", /*default=*/"false",
           "Each row serially on lane 0 (GPU emulation)">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
  ];
}

def EncMapParallelLoopsToGPU
    : Pass<"enc-map-parallel-loops-to-gpu", "::mlir::func::FuncOp"> {
  let summary = "Run each outermost scf.parallel as a gpu.launch, one thread "
                "per iteration";
  let description = [{
    The GPU pipeline's kernel formation, after `convert-linalg-to-parallel-
    loops`: every outermost `scf.parallel` without reductions becomes a
    `gpu.launch` over its iteration space, linearized with the innermost
    dimension fastest (so that neighbouring threads touch neighbouring
    elements of row-major buffers), `block-size` threads a block, each
    thread running one iteration; the launch is skipped when the space is
    empty. Loops nested inside run serially in their thread. The bounds may
    be dynamic. Loops with reductions stay on the host.

    This is the simplest correct mapping; tiling for shared memory and the
    tensor cores is the GPU performance work's.

    Example:

    ```mlir
    // Before
    scf.parallel (%i, %j) = (%c0, %c0) to (%n, %c8) step (%c1, %c1) {
      %v = memref.load %src[%i, %j] : memref<?x8xf32>
      memref.store %v, %dst[%i, %j] : memref<?x8xf32>
    }
    // After: %total = %n * 8 iterations, %blocks = ceildiv(%total, 256)
    scf.if %nonempty {                  // %total > 0
      gpu.launch blocks(%bx, ...) in (%gx = %blocks, ...) threads(%tx, ...) in (%sx = %c256, ...) {
        %id = arith.addi %base, %tx : index          // %base = %bx * 256
        scf.if %in_range {                           // %id < %total
          %j = arith.remsi %id, %c8 : index
          %i = arith.divsi %id, %c8 : index
          ...                                        // the load and store at [%i, %j]
    ```
  }];
  let options = [
    Option<"blockSize", "block-size", "int64_t", /*default=*/"256",
           "Threads per block">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::scf::SCFDialect",
  ];
}

def EncRunGPULaunchesOnHost
    : Pass<"enc-run-gpu-launches-on-host", "::mlir::func::FuncOp"> {
  let summary = "Run gpu.launch bodies as host loops, to test GPU lowering "
                "on a CPU";
  let description = [{
    Replaces each `gpu.launch` with loops over its grid and block, the body
    inlined with the block and thread ids as loop indices and the dimensions
    as the launch's operands. Every thread then runs, one after another, what
    it would run on the device: the GPU pipeline's kernel formation and
    memory passes can be checked against PyTorch on a machine with no GPU
    (`encoder-compile --target=cuda --gpu-emulation`). Bodies that use
    barriers or shared memory cannot run this way and are refused.

    Example:

    ```mlir
    // Before
    gpu.launch blocks(%bx, %by, %bz) in (%gx = %n, %gy = %c1, %gz = %c1)
               threads(%tx, %ty, %tz) in (%sx = %c32, %sy = %c1, %sz = %c1) {
      %base = arith.muli %bx, %sx : index
      %i = arith.addi %base, %tx : index
      memref.store %v, %m[%i] : memref<?xf32>
      gpu.terminator
    }
    // After: loops over the blocks (z, y, x), then over the threads (z, y, x)
    scf.for %bz = %c0 to %c1 step %c1 { scf.for %by = ... { scf.for %bx = %c0 to %n step %c1 {
      scf.for %tz = ... { scf.for %ty = ... { scf.for %tx = %c0 to %c32 step %c1 {
        %base = arith.muli %bx, %c32 : index
        %i = arith.addi %base, %tx : index
        memref.store %v, %m[%i] : memref<?xf32>
    ```
  }];
  let dependentDialects = ["::mlir::scf::SCFDialect"];
}

def EncDeviceMemoryForGPU
    : Pass<"enc-device-memory-for-gpu", "::mlir::ModuleOp"> {
  let summary = "Keep host code off device memory: host data movement "
                "becomes kernels";
  let description = [{
    Runs on buffers and loops, after `convert-linalg-to-parallel-loops` and
    before `enc-map-parallel-loops-to-gpu`. Every buffer of a CUDA artifact
    is device memory (the CUDA pipeline lowers host `memref.alloc` and
    `memref.dealloc` to the generic allocation functions, which
    `enc-lower-gpu-launches` routes to the runtime), so host code must not
    dereference one: each host `memref.copy` becomes a parallel loop (a
    kernel, once mapped); a host `memref.load` whose value only feeds
    kernels, through pure arithmetic, is cloned into those kernels; any
    other host op that reads or writes a buffer runs in one GPU thread (its
    outermost host loop is wrapped in a one-iteration `scf.parallel`), and
    is an error when host code uses its results. Host `memref.alloca`
    becomes a heap buffer freed at the end of its block, and each
    `memref.get_global` (a constant) a buffer filled by
    `enc_gpu_upload(device, host, bytes)` at each call.

    With `upload-constants=false` constants stay host globals: GPU emulation
    (`--gpu-emulation`) runs this pass too, so that its rewrites are checked
    numerically, and its kernels are host code that reads host memory.

    Example:

    ```mlir
    // Before
    %t = memref.get_global @table : memref<4xf32>
    memref.copy %x, %y : memref<2x?xf32> to memref<2x?xf32>
    // After (%t freed at the end of the block; a host memref.alloca becomes such a
    // memref.alloc too)
    %g = memref.get_global @table : memref<4xf32>
    %t = memref.alloc() : memref<4xf32>
    %dst = memref.extract_aligned_pointer_as_index %t : memref<4xf32> -> index
    %src = memref.extract_aligned_pointer_as_index %g : memref<4xf32> -> index
    call @enc_gpu_upload(%dst, %src, %c16) : (index, index, index) -> ()
    scf.parallel (%i, %j) = (%c0, %c0) to (%c2, %d1) step (%c1, %c1) {
      %e = memref.load %x[%i, %j] : memref<2x?xf32>
      memref.store %e, %y[%i, %j] : memref<2x?xf32>
    }
    ```
  }];
  let options = [
    Option<"uploadConstants", "upload-constants", "bool", /*default=*/"true",
           "Copy constants into device buffers (false: GPU emulation)">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::func::FuncDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect"];
}

def EncAlignWorkgroupBuffers : Pass<"enc-align-workgroup-buffers"> {
  let summary = "Give the kernels' workgroup buffers a minimum alignment";
  let description = [{
    After `gpu-kernel-outlining`: sets `llvm.align` to at least `alignment`
    bytes on every workgroup attribution of every `gpu.func`. Without it the
    NVVM lowering aligns a shared-memory buffer to its element type only
    (4 bytes for f32), and the tensor-core kernel's 16-byte stores into its
    stages could be misaligned; `gpu.launch`, where the kernels declare
    their stages, cannot carry the attribute.

    Example:

    ```mlir
    // Before
    gpu.func @stages(%x: memref<4xf32>)
        workgroup(%a : memref<64x36xf32, #gpu.address_space<workgroup>>,
                  %b : memref<8xf32, #gpu.address_space<workgroup>> {llvm.align = 128 : i64})
        kernel {
    // After (alignment=16)
    gpu.func @stages(%x: memref<4xf32>)
        workgroup(%a : memref<64x36xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64},
                  %b : memref<8xf32, #gpu.address_space<workgroup>> {llvm.align = 128 : i64})
        kernel {
    ```
  }];
  let options = [
    Option<"alignment", "alignment", "int64_t", /*default=*/"16",
           "Minimum alignment in bytes">,
  ];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def EncLowerWorkgroupBarriers : Pass<"enc-lower-workgroup-barriers"> {
  let summary = "enc.workgroup_barrier to gpu.barrier";
  let description = [{
    After `gpu-kernel-outlining`: replaces every `enc.workgroup_barrier`
    (a barrier that declares its memory effects, so that kernels written
    before bufferization survive the ownership-based deallocation) by
    `gpu.barrier`, which the NVVM lowering turns into `bar.sync`.

    Example:

    ```mlir
    // Before
    memref.store %x, %stage[%i] : memref<64xf32, #gpu.address_space<workgroup>>
    enc.workgroup_barrier
    %y = memref.load %stage[%j] : memref<64xf32, #gpu.address_space<workgroup>>
    // After
    memref.store %x, %stage[%i] : memref<64xf32, #gpu.address_space<workgroup>>
    gpu.barrier
    %y = memref.load %stage[%j] : memref<64xf32, #gpu.address_space<workgroup>>
    ```
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect"];
}

def EncMergeGPUModules : Pass<"enc-merge-gpu-modules", "::mlir::ModuleOp"> {
  let summary = "One GPU module for all kernels, identical kernels shared";
  let description = [{
    After `gpu-kernel-outlining`, which makes one `gpu.module` per launch:
    moves every kernel into one module, `@enc_kernels` (each renamed after
    its former module, which is unique), and makes launches of kernels with
    identical bodies (the layers of one shape) launch one of them. The
    artifact then carries one PTX text, which the runtime JIT-compiles once
    instead of once per launch site.

    Example:

    ```mlir
    // Before
    gpu.module @k0 { gpu.func @main_kernel(%m: memref<4xf32>) kernel { ... arith.addf ... } }
    gpu.module @k1 { gpu.func @main_kernel(%m: memref<4xf32>) kernel { ... arith.addf ... } }
    gpu.module @k2 { gpu.func @main_kernel(%m: memref<4xf32>) kernel { ... arith.mulf ... } }
    gpu.launch_func @k0::@main_kernel blocks in (...) threads in (...) args(%m : memref<4xf32>)
    gpu.launch_func @k1::@main_kernel ...             // and @k2::@main_kernel
    // After
    gpu.module @enc_kernels {
      gpu.func @k0(%m: memref<4xf32>) kernel { ... arith.addf ... }
      gpu.func @k2(%m: memref<4xf32>) kernel { ... arith.mulf ... }
    }
    gpu.launch_func @enc_kernels::@k0 blocks in (...) threads in (...) args(%m : memref<4xf32>)
    gpu.launch_func @enc_kernels::@k0 ...             // and @enc_kernels::@k2
    ```
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect"];
}

def EncLowerGPULaunches : Pass<"enc-lower-gpu-launches", "::mlir::ModuleOp"> {
  let summary = "Launch GPU kernels and allocate device memory through the "
                "runtime hooks";
  let description = [{
    Runs on the LLVM dialect, after the host side of `gpu-to-llvm`. Each
    `gpu.binary` (PTX text, from `gpu-module-to-binary` with format `isa`)
    becomes a NUL-terminated constant global; each `gpu.launch_func` becomes
    a call of `enc_runtime_hooks.gpu_launch(ptx, kernel name, grid x/y/z,
    block x/y/z, dynamic shared memory, kernel parameters, count)` with the
    parameters stored on the stack, as `cuLaunchKernel` takes them; the
    generic allocation functions host buffers were lowered to
    (`_mlir_memref_to_llvm_alloc` and `_mlir_memref_to_llvm_free`) and
    `enc_gpu_upload` (from `enc-device-memory-for-gpu`) get bodies calling
    `gpu_alloc`, `gpu_free` and `gpu_upload`.
    So an artifact needs no GPU runtime library: the runtime's CUDA driver
    does the work (docs/artifact-abi.md). Any other `mgpu*` call is an
    error naming it.

    Example:

    ```mlir
    // Before
    gpu.binary @k [#gpu.object<#nvvm.target<chip = "sm_90">, assembly = "...">]
    llvm.func @host(%n: i64, %buf: !llvm.ptr) {
      gpu.launch_func @k::@k blocks in (%n, %one, %one) threads in (%n, %one, %one)
          : i64 args(%buf : !llvm.ptr, %n : i64)
    // After (and _mlir_memref_to_llvm_alloc, _free, enc_gpu_upload call the hooks)
    llvm.mlir.global internal constant @__enc_ptx_k("//\0A.version 8.0\0A...\00")
    llvm.mlir.global internal constant @__enc_kernel_k_k("k\00")
    llvm.func @host(%n: i64, %buf: !llvm.ptr) {
      ...    // %buf and %n in stack slots, their addresses in %params; %launch loaded
             // from enc_runtime_hooks (gpu_launch); %ptx, %name: the globals' addresses
      llvm.call %launch(%ptx, %name, %n, %one, %one, %n, %one, %one, %c0, %params, %c2)
          : !llvm.ptr, (...) -> ()
    ```
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

#endif // ENCODER_CODEGEN_CUDA_PASSES_TD
