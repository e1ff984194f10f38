//===- EncKernelOps.td - kernel annotations -----------------*- tablegen -*-===//
//
// Ops that describe kernels formed by the compiler. They never appear in a
// model; the passes that form kernels add them and the passes that outline
// kernels consume them.
//
//===----------------------------------------------------------------------===//

#ifndef ENC_ENCKERNELOPS_TD
#define ENC_ENCKERNELOPS_TD

include "Enc/IR/EncBase.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Enc_KernelInfoOp : Enc_Op<"kernel_info", [MemoryEffects<[MemWrite]>]> {
  let summary = "describes the enclosing parallel loop as a kernel";
  let description = [{
    Marks the `scf.forall` it sits in as one kernel: `name` says what it
    computes, `ops` lists the enc ops fused into it, and `flops` and `bytes`
    (defined outside the loop, so that they can depend on dynamic sizes) are
    the work and the memory traffic of one launch; `config`, when present,
    says how the kernel is blocked and where that choice came from (the
    model of the target, a tuning record, or an explicit knob), for
    `--report`. `enc-outline-kernels`
    reads it, hands `flops` to the runtime at each launch (for
    `encoder-run --profile`) and records all of it in the artifact's
    `kernels` metadata; the op does not survive outlining. When the loop
    folds away (one iteration), the description is left outside any loop,
    describes nothing, and outlining drops it.

    It touches no memory; it declares a write (to no buffer) only so that
    the cleanups between kernel formation and outlining keep it.

    Example:

    ```mlir
    scf.forall (%i) in (%chunks) {
      enc.kernel_info "linear" ["enc.linear", "enc.activation"]
          flops(%flops) bytes(%bytes)
      ...
    }
    ```
  }];
  let arguments = (ins StrAttr:$name, StrArrayAttr:$ops, Index:$flops,
                       Index:$bytes, OptionalAttr<StrAttr>:$config);
  let assemblyFormat = [{
    $name $ops `flops` `(` $flops `)` `bytes` `(` $bytes `)` attr-dict
  }];
  let hasVerifier = 1;
}

def Enc_WorkgroupBarrierOp
    : Enc_Op<"workgroup_barrier", [MemoryEffects<[MemRead, MemWrite]>]> {
  let summary = "gpu.barrier in a kernel written before bufferization";
  let description = [{
    Waits until every thread of the block has reached it and sees the
    workgroup memory writes made before it, as `gpu.barrier` does. Kernels
    that are written on tensors (`enc-attention-to-gpu`) use it because
    `gpu.barrier` declares no memory effects, and the ownership-based
    buffer deallocation that follows rejects ops of unknown effects; it
    declares a read and a write of memory instead, which also keeps
    loads and stores from moving across it. `enc-lower-workgroup-barriers`
    turns it into `gpu.barrier` once the kernels are outlined.

    Example:

    ```mlir
    gpu.launch ... {
      memref.store %x, %stage[%i] : memref<64xf32, #gpu.address_space<workgroup>>
      enc.workgroup_barrier
      %y = memref.load %stage[%j] : memref<64xf32, #gpu.address_space<workgroup>>
    }
    ```
  }];
  let assemblyFormat = "attr-dict";
}

#endif // ENC_ENCKERNELOPS_TD
