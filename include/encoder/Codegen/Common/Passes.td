//===- Passes.td - code generation both targets share ------*- tablegen -*-===//
//
// Passes on buffers, loops and the LLVM dialect that the CPU and the CUDA
// pipelines both run: freeing buffers early, the memory record, strided
// copies and dynamic reshapes as loops, math approximations and the
// artifact's entry points and metadata. lib/Codegen/Common/.
//
//===----------------------------------------------------------------------===//

#ifndef ENCODER_CODEGEN_COMMON_PASSES_TD
#define ENCODER_CODEGEN_COMMON_PASSES_TD

include "mlir/Pass/PassBase.td"

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

    Example:

    ```mlir
    // Before (enc.functions: input x with dim_names = ["batch", ""])
    func.func @main(%x: memref<?x?xf32>) {
      ...                               // %b, %n: the sizes of %x
      %a = memref.alloc(%b, %n) : memref<?x?xf32>
      %w = memref.alloc(%b) : memref<?x64xf32>
      memref.dealloc %a : memref<?x?xf32>
      %s = memref.alloc() : memref<2x2xf32>
      memref.dealloc %w : memref<?x64xf32>
      return
    }
    // After: the code is unchanged; main's entry in enc.functions gets
    memory = {complete = true, events = [ {alloc = "(s0 * s1) * 4"},
        {alloc = "s0 * 256"}, {free = 0 : i64}, {alloc = "16"}, {free = 1 : i64} ],
        symbols = ["batch", "x.1"]}
    ```
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

    Example:

    ```mlir
    // Before
    memref.copy %src, %dst : memref<3x10xf32, strided<[70, 1]>> to memref<3x10xf32>
    memref.copy %a, %b : memref<?x10xf32> to memref<?x10xf32>
    // After
    linalg.copy ins(%src : memref<3x10xf32, strided<[70, 1]>>)
        outs(%dst : memref<3x10xf32>)
    memref.copy %a, %b : memref<?x10xf32> to memref<?x10xf32>
    ```
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
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

    Example:

    ```mlir
    // Before
    %0 = memref.expand_shape %src [[0, 1], [2]] output_shape [%b, %s, 4]
        : memref<?x4xf32> into memref<?x?x4xf32>
    // After
    %c4 = arith.constant 4 : index
    %stride = arith.muli %s, %c4 : index
    %0 = memref.reinterpret_cast %src to offset: [0], sizes: [%b, %s, 4],
        strides: [%stride, 4, 1] : memref<?x4xf32> to memref<?x?x4xf32>
    ```
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::memref::MemRefDialect",
  ];
}

def EncApproximateMath : Pass<"enc-approximate-math"> {
  let summary = "Replace math functions by inline polynomial approximations";
  let description = [{
    Rewrites `math.erf`, `math.exp`, `math.tanh`, `math.log` and their
    relatives into arithmetic (MLIR's polynomial approximations), so that
    vectorized code stays vectorized and artifacts do not call libm once per
    lane. Operations on f16 and bf16 are computed in f32.

    Example:

    ```mlir
    // Before
    %0 = math.erf %x : f32
    %1 = math.exp %h : f16
    // After
    %0 = ...                            // arith ops only: erf's approximation
    %e = arith.extf %h : f16 to f32
    %r = ...                            // arith ops only: exp's approximation
    %1 = arith.truncf %r : f32 to f16
    ```
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::math::MathDialect",
    "::mlir::vector::VectorDialect",
  ];
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

    Example:

    ```mlir
    // Before (enc.functions records main: input x, parameter w, output y)
    llvm.func @_mlir_ciface_main(%out: !llvm.ptr, %x: !llvm.ptr, %w: !llvm.ptr) { ... }
    // After
    llvm.func internal @_mlir_ciface_main(%out: !llvm.ptr, %x: !llvm.ptr, %w: !llvm.ptr) { ... }
    llvm.func @__enc_entry_main(%args: !llvm.ptr, %results: !llvm.ptr) {
      %s0 = llvm.getelementptr %args[0] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
      %x = llvm.load %s0 : !llvm.ptr -> !llvm.ptr
      ...                               // %w from %args[1] the same way
      llvm.call @_mlir_ciface_main(%results, %x, %w)
          : (!llvm.ptr, !llvm.ptr, !llvm.ptr) -> ()
      llvm.return
    }
    llvm.mlir.global external constant @enc_artifact_metadata(
        "{\22abi_version\22:2,\22format\22:\22encoder-artifact\22,...}\00")
    ```
  }];
  let options = [
    Option<"targetKind", "target", "::mlir::enc::TargetKind",
           /*default=*/"::mlir::enc::TargetKind::cpu",
           "Target kind written to the metadata",
           [{::llvm::cl::values(
             clEnumValN(::mlir::enc::TargetKind::cpu, "cpu",
                        "host code only"),
             clEnumValN(::mlir::enc::TargetKind::cuda, "cuda",
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

#endif // ENCODER_CODEGEN_COMMON_PASSES_TD
