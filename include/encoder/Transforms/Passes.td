//===- Passes.td - transforms of the encoder compiler ------*- tablegen -*-===//
//
// Passes that rewrite within a level of abstraction: on `enc` before
// lowering, and on the LLVM dialect when the artifact is put together.
//
//===----------------------------------------------------------------------===//

#ifndef ENCODER_TRANSFORMS_PASSES_TD
#define ENCODER_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// Graph-level fusion (on enc, before lowering)
//===----------------------------------------------------------------------===//

def EncRecognizeAttention : Pass<"enc-recognize-attention"> {
  let summary = "Recognize softmax(Q Kᵀ · scale + mask) V written by hand";
  let description = [{
    Rewrites attention spelled with upstream ops (batch matmuls, a
    `linalg.softmax`, scaling and an additive mask) into `enc.attention`,
    so that it gets the fused attention kernel instead of a materialised
    score matrix. The forms it matches are listed in the pass's source and
    lit test.
  }];
  let dependentDialects = ["::mlir::enc::EncDialect",
                           "::mlir::tensor::TensorDialect"];
}

def EncMergeProjections : Pass<"enc-merge-projections"> {
  let summary = "Merge linear layers that read one input into one matmul";
  let description = [{
    Two or more `enc.linear` ops on the same input whose weights (and
    biases) are parameters, such as an attention layer's Q, K and V
    projections, become one `enc.linear` whose weight is an
    `enc.packed_param` concatenating theirs (built once at bind time), and
    `tensor.extract_slice`s that split its result. One wide matmul reads
    the input once and keeps the micro-kernel busy longer.
  }];
  let dependentDialects = ["::mlir::enc::EncDialect",
                           "::mlir::tensor::TensorDialect"];
}

def EncFuseLinearEpilogue : Pass<"enc-fuse-linear-epilogue"> {
  let summary = "Fuse activations and residual adds into linear layers";
  let description = [{
    Folds an `enc.activation` that is the only user of an `enc.linear`
    into the linear's `activation` epilogue, and an `arith.addf` of a
    linear's only use with another tensor into its `residual`, so that the
    matmul kernel applies them before it stores its tile.
  }];
  let dependentDialects = ["::mlir::enc::EncDialect"];
}

def EncFuseResidualNorm : Pass<"enc-fuse-residual-norm"> {
  let summary = "Fuse a residual add into the layer norm that reads it";
  let description = [{
    Rewrites `enc.layer_norm(arith.addf(x, r))`, where the add has no other
    user, into `enc.layer_norm x residual r`: post-LN blocks add and
    normalize in one kernel without writing the sum.
  }];
  let dependentDialects = ["::mlir::enc::EncDialect"];
}

def EncPackWeights : Pass<"enc-pack-weights"> {
  let summary = "Pack linear weights into panels for the CPU micro-kernel";
  let description = [{
    Replaces the `[out, in]` parameter weight of every `enc.linear` whose
    `out` is a multiple of `panel` by an `enc.packed_param` with that panel
    (`[out / panel, in, panel]`), built once when the weights are bound;
    the linear then lowers to the packed, register-blocked micro-kernel.
    `enc.patch_embed` weights (`[dim, channels, ph, pw]`) are packed the
    same way, as the `[dim, channels * ph * pw]` matrix of the im2col
    matmul. Weights that are not parameters, or whose `out` does not
    divide, keep the reference lowering. An op's `enc.tile_sizes = [rows,
    panel]` overrides the panel for it (a multiple of 16).
  }];
  let options = [
    Option<"panel", "panel", "int64_t", /*default=*/"32",
           "Output columns per panel (a multiple of the vector width)">,
  ];
  let dependentDialects = ["::mlir::enc::EncDialect"];
}

def EncLiftParams : Pass<"enc-lift-params", "::mlir::ModuleOp"> {
  let summary = "Turn enc.param ops into trailing function arguments";
  let description = [{
    Weights are never constants in the code: each distinct `enc.param` name
    used in a function becomes one new argument, appended after the existing
    ones in order of first use and marked `{enc.param = "<name>"}`, and every
    `enc.param` of that name is replaced by it. The runtime passes the bound
    tensor in that argument.

    Two `enc.param` ops of one name with different types are an error, as is
    a parameter in a function that is called from elsewhere in the module
    (inline it first; the CPU pipeline does).
  }];
}

def EncRecordABI : Pass<"enc-record-abi", "::mlir::ModuleOp"> {
  let summary = "Record each public function's signature as artifact metadata";
  let description = [{
    Runs on tensors, after `enc-lift-params` and before lowering, while
    names, shapes and element types are still visible. For every public
    function it records, in the module attribute `enc.functions`, the
    function's name and its inputs, parameters and outputs: names (from the
    `enc.name` argument and result attributes, else `arg<i>` /
    `result<i>`), element types and shapes (`-1` for dynamic dimensions).

    An integer input used as `enc.embedding` indices or `enc.cross_entropy`
    labels also gets the range of values it may hold, which the runtime
    checks before a call (docs/artifact-abi.md).

    It also marks each public function `llvm.emit_c_interface`, the calling
    convention `enc-emit-entry-points` builds on.
  }];
}

def EncApproximateMath : Pass<"enc-approximate-math"> {
  let summary = "Replace math functions by inline polynomial approximations";
  let description = [{
    Rewrites `math.erf`, `math.exp`, `math.tanh`, `math.log` and their
    relatives into arithmetic (MLIR's polynomial approximations), so that
    vectorized code stays vectorized and artifacts do not call libm once per
    lane. Operations on f16 and bf16 are computed in f32.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::math::MathDialect",
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
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::LLVM::LLVMDialect",
    "::mlir::NVVM::NVVMDialect",
    "::mlir::vector::VectorDialect",
  ];
}

def EncLowerDynamicExpandShape
    : Pass<"enc-lower-dynamic-expand-shape"> {
  let summary = "Lower expand_shape with several dynamic sizes in one group";
  let description = [{
    Rewrites a `memref.expand_shape` of a contiguous (identity-layout)
    memref whose reassociation group holds more than one dynamic size (a
    `[batch * seq, d]` buffer split back into `[batch, seq, d]` when both are
    dynamic) into a `memref.reinterpret_cast` with row-major strides
    computed from its `output_shape`.

    LLVM 22's `expand-strided-metadata` crashes on such ops
    (llvm-project#186830, fixed in LLVM 23), and dynamic batch and sequence
    length produce them on every reshape. Other expand_shape ops are left
    to `expand-strided-metadata`.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::memref::MemRefDialect",
  ];
}

def EncFreeBuffersEarly
    : Pass<"enc-free-buffers-early", "::mlir::func::FuncOp"> {
  let summary = "Move each dealloc of a function's body to the buffer's last use";
  let description = [{
    The ownership-based buffer deallocation frees a buffer at the end of the
    block that owns it, which for a model's function body is its end: every
    temporary of every layer stays allocated until the function returns,
    and peak memory grows with depth (BERT-base at batch 8 x 512 tokens:
    3.6 GB resident for 0.44 GB of weights). This pass moves each
    `memref.dealloc` of the body's block to just after the last op of the
    block that uses the buffer or a value that may alias it (views, casts,
    reshapes, any memref result of an op that takes it, region results),
    so that a layer's temporaries are freed before the next layer's are
    allocated. A buffer that may escape (returned) keeps its dealloc.
    Kernel launches that run asynchronously (the GPU) free on the stream,
    after the kernels, so an earlier free is still ordered after its uses.

    Example:

    ```mlir
    %a = memref.alloc() : memref<4xf32>
    "use"(%a) : (memref<4xf32>) -> ()
    %b = memref.alloc() : memref<4xf32>
    "use"(%b) : (memref<4xf32>) -> ()
    memref.dealloc %a : memref<4xf32>
    memref.dealloc %b : memref<4xf32>
    ```

    becomes

    ```mlir
    %a = memref.alloc() : memref<4xf32>
    "use"(%a) : (memref<4xf32>) -> ()
    memref.dealloc %a : memref<4xf32>
    %b = memref.alloc() : memref<4xf32>
    "use"(%b) : (memref<4xf32>) -> ()
    memref.dealloc %b : memref<4xf32>
    ```
  }];
}

def EncRecordMemory : Pass<"enc-record-memory", "::mlir::ModuleOp"> {
  let summary = "Record what each public function allocates, for the runtime's memory check";
  let description = [{
    For each public function recorded in `enc.functions`, lists the
    allocations and frees of its body's block in order, each allocation's
    size in bytes as a formula in the function's named input dimensions
    (the symbols of the kernel report's cost formulas). The runtime
    evaluates them at a call's sizes, sweeps the list for the peak, and
    refuses a call whose peak exceeds the module's memory limit before
    running it, instead of letting compiled code fail an allocation.
    Allocations inside loops (a kernel's tile buffers) are not listed: they
    are bounded by tile sizes. An allocation whose size cannot be written
    as a formula leaves the record `complete = false`, a lower bound.

    Runs after `enc-free-buffers-early`, so the frees are where the buffers
    die. The record is the `memory` field of the function's metadata
    (docs/artifact-abi.md).
  }];
}

def EncLowerStridedCopies : Pass<"enc-lower-strided-copies"> {
  let summary = "Rewrite memref.copy of strided memrefs as linalg.copy";
  let description = [{
    `finalize-memref-to-llvm` lowers a `memref.copy` between contiguous
    memrefs to `llvm.memcpy`, but any other copy (from a slice, say) to a
    call of `memrefCopy`, a function of MLIR's C runner utilities that is
    absent where only the runtime is installed. This pass rewrites those
    copies as `linalg.copy`, which becomes loops like every other linalg
    op; contiguous copies keep the memcpy.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def EncApplyOpConfig : Pass<"enc-apply-op-config", "::mlir::ModuleOp"> {
  let summary = "Set per-op knobs (tile sizes, fusion) from the command line";
  let description = [{
    Each `config` entry is `SELECTOR:KEY=VALUE[:KEY=VALUE...]`, where
    SELECTOR is an op name (`enc.layer_norm`, every such op) optionally
    followed by `#N` (the N-th such op in the module, from 0). The keys set
    the knobs the later passes read, as discardable attributes of the op:

    - `tile=AxBx...`: `enc.tile_sizes`, tile sizes of the op's kernel
      (`enc-form-kernels`: sizes of its leading loops, 0 = not tiled; the
      packed `enc.linear`: rows of its register block, then panel width);
    - `fuse=false|true`: `enc.no_fuse`, keeps the op out of graph fusions
      and out of other ops' kernels.

    Attributes already present in the IR win over the command line, so a
    test or an experiment can pin one op and sweep the rest.
  }];
  let options = [
    ListOption<"config", "config", "std::string",
               "SELECTOR:KEY=VALUE[:KEY=VALUE...] entries">,
  ];
}

def EncFormKernels : Pass<"enc-form-kernels"> {
  let summary = "Tile linalg ops into parallel kernels, fusing their producers";
  let description = [{
    Runs on linalg on tensors, after elementwise fusion. Walking each
    function body backwards, every linalg op not yet taken becomes the root
    of a kernel: its leading parallel loops are tiled into an `scf.forall`
    with `scf::tileConsumerAndFuseProducersUsingSCF`, and the producers
    whose only users are in the kernel (elementwise ops, fills, broadcasts,
    the reductions of a norm) are fused into each tile. The loop gets an
    `enc.kernel_info` naming the enc ops it came from (their `enc.origin`)
    and its FLOPs and bytes.

    Tile sizes come from the root's `enc.tile_sizes`, else from a
    heuristic: all leading parallel loops but the innermost take tile 1
    except the last one, which takes as many rows as make a tile of about
    `min-tile-elements` elements. A root whose whole iteration space is
    smaller than that stays serial (no kernel: a launch would cost more than
    it saves), as does an op marked `enc.no_fuse` when it is a producer.
  }];
  let options = [
    Option<"minTileElements", "min-tile-elements", "int64_t",
           /*default=*/"8192",
           "Iteration points per tile below which tiles are merged">,
  ];
  let dependentDialects = ["::mlir::enc::EncDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::affine::AffineDialect"];
}

def EncOutlineKernels : Pass<"enc-outline-kernels", "::mlir::ModuleOp"> {
  let summary = "Outline each parallel loop into a kernel and a launch";
  let description = [{
    Runs on memrefs, after bufferization. Every outermost `scf.forall` of a
    function becomes a kernel: its body moves into a private function
    `@<function>_k<N>_<name>(captures..., %begin: index, %end: index)` that
    runs iterations `[begin, end)` of the loop's linearized iteration space,
    and the loop itself becomes a call of the launch function
    `@<function>_k<N>_<name>_launch(captures..., %count, %flops)`, a
    declaration marked `enc.kernel_launch` that
    `enc-lower-kernel-launches` defines once the module is in the LLVM
    dialect. The loop's `enc.kernel_info` is recorded in the module's
    `enc.kernels` (FLOPs and bytes when static, else -1) and its FLOPs go
    to every launch.
  }];
  let dependentDialects = ["::mlir::func::FuncDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::arith::ArithDialect"];
}

def EncLowerKernelLaunches
    : Pass<"enc-lower-kernel-launches", "::mlir::ModuleOp"> {
  let summary = "Define kernel launches as calls of the runtime's parallel_for";
  let description = [{
    Runs on the LLVM dialect, after `convert-func-to-llvm`. Each launch
    declaration left by `enc-outline-kernels` gets a body: it stores its
    arguments into a context struct on the stack and calls
    `enc_runtime_hooks.parallel_for(trampoline, context, count, kernel,
    flops)`, where the trampoline unpacks the context and runs the kernel
    body over the range the runtime gives it; when the hook is NULL (no
    runtime filled it in) the launch runs the whole range itself. The
    hooks object is defined here if the module lacks it
    (docs/artifact-abi.md).
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
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
  }];
  let options = [
    Option<"precision", "precision", "std::string", /*default=*/"\"tf32\"",
           "Operand precision of the products: tf32 or bf16">,
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
  }];
  let options = [
    Option<"emulate", "emulate", "bool", /*default=*/"false",
           "Rows (blocks on the tensor cores) serially on one thread (GPU "
           "emulation)">,
    Option<"precision", "precision", "std::string", /*default=*/"\"f32\"",
           "Products: tf32 or bf16 on the tensor cores, f32 on the CUDA "
           "cores">,
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
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def EncEmitEntryPoints : Pass<"enc-emit-entry-points", "::mlir::ModuleOp"> {
  let summary = "Add the artifact ABI: packed entry points and metadata";
  let description = [{
    Runs on the LLVM dialect, after `convert-func-to-llvm`. For each function
    recorded in `enc.functions` it adds the entry point
    `__enc_entry_<name>(ptr args, ptr results)` that unpacks the argument
    descriptors and calls the function's `_mlir_ciface_` wrapper, then
    writes the metadata as the NUL-terminated JSON global
    `enc_artifact_metadata`. Every other function defined in the module gets
    internal linkage, so an artifact exports its entry points and metadata
    and nothing else. The layout is specified in docs/artifact-abi.md.
  }];
  let options = [
    Option<"targetKind", "target", "::mlir::enc::ArtifactTarget",
           /*default=*/"::mlir::enc::ArtifactTarget::cpu",
           "Target kind written to the metadata",
           [{::llvm::cl::values(
             clEnumValN(::mlir::enc::ArtifactTarget::cpu, "cpu",
                        "host code only"),
             clEnumValN(::mlir::enc::ArtifactTarget::cuda, "cuda",
                        "host code launching embedded PTX kernels"))}]>,
    Option<"targetTriple", "triple", "std::string", /*default=*/"",
           "Target triple written to the metadata">,
    Option<"targetCpu", "cpu", "std::string", /*default=*/"",
           "Target CPU written to the metadata">,
    Option<"gpuArch", "gpu-arch", "std::string", /*default=*/"",
           "GPU architecture of the embedded kernels (cuda), e.g. sm_90">,
  ];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

#endif // ENCODER_TRANSFORMS_PASSES_TD
