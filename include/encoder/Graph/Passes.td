//===- Passes.td - graph-level passes on enc ---------------*- tablegen -*-===//
//
// Graph-level passes: they rewrite `enc` before it is lowered and know no
// target. They recognise attention, fuse projections, epilogues and
// residual norms, pack weights for the CPU micro-kernel, apply per-op
// knobs, lift parameters to arguments and record the signatures the
// artifact exports. lib/Graph/.
//
//===----------------------------------------------------------------------===//

#ifndef ENCODER_GRAPH_PASSES_TD
#define ENCODER_GRAPH_PASSES_TD

include "mlir/Pass/PassBase.td"

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

    Example:

    ```mlir
    // Before, with config=enc.layer_norm:tile=1x16,enc.linear#1:fuse=false
    %0 = enc.linear %x, %w : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
    %1 = enc.layer_norm %0 : (tensor<4x8xf32>) -> tensor<4x8xf32>
    %2 = enc.linear %1, %w : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
    // After
    %0 = enc.linear %x, %w : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
    %1 = enc.layer_norm %0 {enc.tile_sizes = array<i64: 1, 16>}
        : (tensor<4x8xf32>) -> tensor<4x8xf32>
    %2 = enc.linear %1, %w {enc.no_fuse}
        : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
    ```
  }];
  let options = [
    ListOption<"config", "config", "std::string",
               "SELECTOR:KEY=VALUE[:KEY=VALUE...] entries">,
  ];
}

def EncRecognizeAttention : Pass<"enc-recognize-attention"> {
  let summary = "Recognize softmax(Q Kᵀ · scale + mask) V written by hand";
  let description = [{
    Rewrites attention spelled with upstream ops (batch matmuls, a
    `linalg.softmax`, scaling and an additive mask) into `enc.attention`,
    so that it gets the fused attention kernel instead of a materialised
    score matrix. The forms it matches are listed in the pass's source and
    lit test.

    Example:

    ```mlir
    // Before (%s0, %o0: zero fills; %c: a splat of 1/sqrt(8))
    %kt = linalg.transpose ins(%k : tensor<6x7x8xf32>)
        outs(%t : tensor<6x8x7xf32>) permutation = [0, 2, 1]
    %s = linalg.batch_matmul ins(%q, %kt : ...) outs(%s0 : ...) -> tensor<6x5x7xf32>
    %s2 = arith.mulf %s, %c : tensor<6x5x7xf32>
    %s3 = arith.addf %s2, %m : tensor<6x5x7xf32>
    %p = linalg.softmax dimension(2) ins(%s3 : ...) outs(%e : ...) -> tensor<6x5x7xf32>
    %o = linalg.batch_matmul ins(%p, %v : ...) outs(%o0 : ...) -> tensor<6x5x4xf32>
    // After (%k4, %v4, %m4 expanded as %q4 is)
    %q4 = tensor.expand_shape %q [[0, 1], [2], [3]] output_shape [1, 6, 5, 8]
        : tensor<6x5x8xf32> into tensor<1x6x5x8xf32>
    %a = enc.attention %q4, %k4, %v4 mask %m4 {scale = 0.35355 : f64}
        : (...) -> tensor<1x6x5x4xf32>
    %o = tensor.collapse_shape %a [[0, 1], [2], [3]] : ... into tensor<6x5x4xf32>
    ```
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

    Example:

    ```mlir
    // Before
    %wq = enc.param "q.weight" : tensor<16x16xf32>
    %q = enc.linear %x, %wq : (tensor<2x8x16xf32>, tensor<16x16xf32>) -> tensor<2x8x16xf32>
    %wk = enc.param "k.weight" : tensor<8x16xf32>
    %k = enc.linear %x, %wk : (tensor<2x8x16xf32>, tensor<8x16xf32>) -> tensor<2x8x8xf32>
    // After
    %w = enc.packed_param ["q.weight", "k.weight"]
        {source_shapes = [array<i64: 16, 16>, array<i64: 8, 16>]} : tensor<24x16xf32>
    %qk = enc.linear %x, %w : (tensor<2x8x16xf32>, tensor<24x16xf32>) -> tensor<2x8x24xf32>
    %q = tensor.extract_slice %qk[0, 0, 0] [2, 8, 16] [1, 1, 1]
        : tensor<2x8x24xf32> to tensor<2x8x16xf32>
    %k = tensor.extract_slice %qk[0, 0, 16] [2, 8, 8] [1, 1, 1]
        : tensor<2x8x24xf32> to tensor<2x8x8xf32>
    ```
  }];
  let dependentDialects = ["::mlir::enc::EncDialect",
                           "::mlir::tensor::TensorDialect"];
}

def EncFoldHeadTransposes : Pass<"enc-fold-head-transposes"> {
  let summary = "Fold the head split and merge transposes into attention";
  let description = [{
    An `enc.attention` whose query, key and value are `linalg.transpose`s
    swapping dimensions 1 and 2 (a frontend's head split,
    `[batch, seq, heads, dim]` -> `[batch, heads, seq, dim]`) becomes a
    `sequence_major` attention on the transposes' inputs, and the
    transposes that merge its result back are replaced by the result
    itself: the CPU attention kernel reads and writes that layout directly.
    A user of the result that is not such a transpose reads it transposed
    back. Targets without a sequence-major kernel lower the op between
    transposes, so the pass is part of the CPU pipeline only.

    Example:

    ```mlir
    // Before
    %qt = linalg.transpose ins(%q : tensor<2x8x4x16xf32>) outs(%e0 : tensor<2x4x8x16xf32>) permutation = [0, 2, 1, 3]
    %kt = linalg.transpose ins(%k : tensor<2x8x4x16xf32>) outs(%e1 : tensor<2x4x8x16xf32>) permutation = [0, 2, 1, 3]
    %vt = linalg.transpose ins(%v : tensor<2x8x4x16xf32>) outs(%e2 : tensor<2x4x8x16xf32>) permutation = [0, 2, 1, 3]
    %a = enc.attention %qt, %kt, %vt : (...) -> tensor<2x4x8x16xf32>
    %o = linalg.transpose ins(%a : tensor<2x4x8x16xf32>) outs(%e3 : tensor<2x8x4x16xf32>) permutation = [0, 2, 1, 3]
    // After
    %o = enc.attention %q, %k, %v {sequence_major}
        : (tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>, tensor<2x8x4x16xf32>) -> tensor<2x8x4x16xf32>
    ```
  }];
  let dependentDialects = ["::mlir::enc::EncDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def EncFuseLinearEpilogue : Pass<"enc-fuse-linear-epilogue"> {
  let summary = "Fuse activations and residual adds into linear layers";
  let description = [{
    Folds an `enc.activation` that is the only user of an `enc.linear`
    into the linear's `activation` epilogue, and an `arith.addf` of a
    linear's only use with another tensor into its `residual`, so that the
    matmul kernel applies them before it stores its tile.

    Example:

    ```mlir
    // Before
    %y = enc.linear %x, %w, %b : (tensor<4x16xf32>, tensor<32x16xf32>,
        tensor<32xf32>) -> tensor<4x32xf32>
    %a = enc.activation gelu %y : tensor<4x32xf32>
    %z = arith.addf %a, %r : tensor<4x32xf32>
    // After
    %z = enc.linear %x, %w, %b residual %r {activation = #enc<activation gelu>}
        : (tensor<4x16xf32>, tensor<32x16xf32>, tensor<32xf32>, tensor<4x32xf32>)
        -> tensor<4x32xf32>
    ```
  }];
  let dependentDialects = ["::mlir::enc::EncDialect"];
}

def EncFuseResidualNorm : Pass<"enc-fuse-residual-norm"> {
  let summary = "Fuse a residual add into the layer norm that reads it";
  let description = [{
    Rewrites `enc.layer_norm(arith.addf(x, r))`, where the add has no other
    user, into `enc.layer_norm x residual r`: post-LN blocks add and
    normalize in one kernel without writing the sum.

    Example:

    ```mlir
    // Before
    %s = arith.addf %x, %r : tensor<2x8x16xf32>
    %y = enc.layer_norm %s scale %g bias %b {epsilon = 1.0e-12 : f64}
        : (tensor<2x8x16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<2x8x16xf32>
    // After
    %y = enc.layer_norm %x residual %r scale %g bias %b {epsilon = 1.0e-12 : f64}
        : (tensor<2x8x16xf32>, tensor<2x8x16xf32>, tensor<16xf32>, tensor<16xf32>)
        -> tensor<2x8x16xf32>
    ```
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

    Example:

    ```mlir
    // Before
    %w = enc.param "w" : tensor<64x48xf32>
    %y = enc.linear %x, %w, %b
        : (tensor<?x48xf32>, tensor<64x48xf32>, tensor<64xf32>) -> tensor<?x64xf32>
    // After (panel=32; the enc.param is left unused)
    %p = enc.packed_param ["w"] {panel = 32 : i64,
        source_shapes = [array<i64: 64, 48>]} : tensor<2x48x32xf32>
    %y = enc.linear %x, %p, %b
        : (tensor<?x48xf32>, tensor<2x48x32xf32>, tensor<64xf32>) -> tensor<?x64xf32>
    ```
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

    Example:

    ```mlir
    // Before
    func.func @f(%x: tensor<2x3xf32>) -> tensor<2x4xf32> {
      %w = enc.param "fc.weight" : tensor<4x3xf32>
      %b = enc.param "fc.bias" : tensor<4xf32>
      %y = enc.linear %x, %w, %b : (...) -> tensor<2x4xf32>
      ...
    // After
    func.func @f(%x: tensor<2x3xf32>, %w: tensor<4x3xf32> {enc.param = "fc.weight"},
                 %b: tensor<4xf32> {enc.param = "fc.bias"}) -> tensor<2x4xf32> {
      %y = enc.linear %x, %w, %b : (...) -> tensor<2x4xf32>
      ...
    ```
  }];
}

def EncHoistWeightOnly : Pass<"enc-hoist-weight-only", "::mlir::ModuleOp"> {
  let summary = "Compute what depends on the weights alone once per binding";
  let description = [{
    Runs after `enc-lift-params`. In each public function, a value computed
    from parameters and constants alone (a weight-only value) that a
    computation on the inputs (or the result) uses is a frontier value; when
    its weight-only slice does work (any op but constants and reshapes) and
    its shape is static, it moves to an internal function
    `__derive_<function>` (public, `enc.internal`, parameters only, one
    result per frontier value) and becomes a new parameter argument of the
    function, `{enc.param = "<function>#derived<k>", enc.derive = {function
    = "__derive_<function>", output = k}}`. The runtime calls the internal
    function when the parameters are bound (at the first call after a
    binding) and keeps its results, like packed parameters: DeBERTa's
    position projections, Swin's relative position bias table, XLNet's
    transposed projections are computed once, not on every call (ONNX
    Runtime folds such subgraphs at load time).

    Parameters the function no longer reads are dropped from it; the
    internal function reads them. The derived values cost their memory once.
  }];
  let dependentDialects = ["::mlir::func::FuncDialect"];
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

    Example:

    ```mlir
    // Before
    func.func @main(%ids: tensor<?x8xi64> {enc.name = "input_ids"},
                    %table: tensor<100x16xf32> {enc.param = "emb"}) -> tensor<?x8x16xf32> {
      %e = enc.embedding %ids, %table : (...) -> tensor<?x8x16xf32>
    // After
    module attributes {enc.functions = [ {inputs = [ {dtype = "i64", name = "input_ids",
          range = array<i64: 0, 100>, shape = array<i64: -1, 8>} ], name = "main",
        outputs = [ {dtype = "f32", name = "result0", shape = array<i64: -1, 8, 16>} ],
        params = [ {dtype = "f32", name = "emb", shape = array<i64: 100, 16>} ]} ]} {
      func.func @main(
          %ids: tensor<?x8xi64> {bufferization.writable = false, enc.name = "input_ids"},
          %table: tensor<100x16xf32> {bufferization.writable = false, enc.param = "emb"})
          -> tensor<?x8x16xf32> attributes {llvm.emit_c_interface} {
        %e = enc.embedding %ids, %table : (...) -> tensor<?x8x16xf32>
    ```
  }];
}

#endif // ENCODER_GRAPH_PASSES_TD
