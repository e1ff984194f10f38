//===- Passes.td - CPU code generation ---------------------*- tablegen -*-===//
//
// Passes of the CPU pipeline only: parallel kernels formed from linalg,
// outlined into functions and launched through the runtime's thread pool.
// lib/Codegen/CPU/.
//
//===----------------------------------------------------------------------===//

#ifndef ENCODER_CODEGEN_CPU_PASSES_TD
#define ENCODER_CODEGEN_CPU_PASSES_TD

include "mlir/Pass/PassBase.td"

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
    `min-tile-elements` elements (by default the module's `enc.cpu_kernels`
    `tile_elements`, which the model of the target sizes to its L1). A root whose whole iteration space is
    smaller than that stays serial (no kernel: a launch would cost more than
    it saves), as does an op marked `enc.no_fuse` when it is a producer.

    Example:

    ```mlir
    // Before: a row sum (%acc: its zero fill) and its consumer, from enc.layer_norm
    %sum = linalg.generic {iterator_types = ["parallel", "reduction"], ...}
        ins(%x : tensor<128x256xf32>) outs(%acc : tensor<128xf32>) ...
    %y = linalg.generic {iterator_types = ["parallel", "parallel"], ...}
        ins(%x, %sum : ...) outs(%e : tensor<128x256xf32>) ...
    // After: tiles of 32 rows x 256 = 8192 points, the fill and the sum fused
    %y = scf.forall (%i) = (0) to (128) step (32) shared_outs(%o = %e) -> (tensor<128x256xf32>) {
      enc.kernel_info "layer_norm" ["enc.layer_norm"] flops(%c65536) bytes(%c262144)
      %xs = tensor.extract_slice %x[%i, 0] [32, 256] [1, 1] : ... to tensor<32x256xf32>
      %a = linalg.fill ins(%zero : f32) outs(...) -> tensor<32xf32>
      %s = linalg.generic {...} ins(%xs : ...) outs(%a : tensor<32xf32>) ...
      %t = linalg.generic {...} ins(%xs, %s : ...) outs(... : tensor<32x256xf32>) ...
      scf.forall.in_parallel { tensor.parallel_insert_slice %t into %o[%i, 0] ... }
    }
    ```
  }];
  let options = [
    Option<"minTileElements", "min-tile-elements", "int64_t",
           /*default=*/"0",
           "Iteration points per tile below which tiles are merged; 0: the "
           "module's enc.cpu_kernels tile_elements, else 8192">,
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

    Example:

    ```mlir
    // Before
    func.func @main(%a: memref<16x32xf32>, %b: memref<16x32xf32>) {
      scf.forall (%i) = (0) to (16) step (4) {
        enc.kernel_info "scale" ["enc.scale"] flops(%c512) bytes(%c2048)
        ...                             // rows %i to %i + 4 of %a, doubled, into %b
      }
    // After (and main_k0_scale, 512 FLOPs, 2048 bytes, in enc.kernels)
    func.func @main(%a: memref<16x32xf32>, %b: memref<16x32xf32>) {
      call @main_k0_scale_launch(%a, %b, %c4, %c512) : (...) -> ()  // 4 iterations
    func.func private @main_k0_scale(%in: memref<16x32xf32>, %out: memref<16x32xf32>,
                                     %begin: index, %end: index) {
      scf.for %it = %begin to %end step %c1 { ... }   // iteration %it: rows 4 * %it + [0, 4)
    func.func private @main_k0_scale_launch(memref<16x32xf32>, memref<16x32xf32>,
        index, index) attributes {enc.kernel_launch = {body = @main_k0_scale, kernel = 0 : i64}}
    ```
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

    Example:

    ```mlir
    // Before
    llvm.func @k_launch(!llvm.ptr, f32, i64, i64)
        attributes {enc.kernel_launch = {body = @k_body, kernel = 3 : i64}}
    // After (and @k_launch_trampoline(%ctx, %begin, %end): unpacks %ctx, calls @k_body)
    llvm.func internal @k_launch(%p: !llvm.ptr, %x: f32, %count: i64, %flops: i64)
        attributes {no_inline} {
      ...       // %pfor = enc_runtime_hooks.parallel_for; if null: @k_body(%p, %x, 0, %count)
      %ctx = llvm.alloca %c1 x !llvm.struct<(ptr, f32)> : (i64) -> !llvm.ptr
      ...       // %p and %x stored into %ctx
      %tramp = llvm.mlir.addressof @k_launch_trampoline : !llvm.ptr
      %kernel = llvm.mlir.constant(3 : i64) : i64
      llvm.call %pfor(%tramp, %ctx, %count, %kernel, %flops)
          : !llvm.ptr, (!llvm.ptr, !llvm.ptr, i64, i64, i64) -> ()
      ...
    ```
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

#endif // ENCODER_CODEGEN_CPU_PASSES_TD
