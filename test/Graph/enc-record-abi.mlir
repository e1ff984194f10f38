// RUN: encoder-opt %s -enc-record-abi -split-input-file -verify-diagnostics | FileCheck %s

// Inputs, parameters and outputs with names, dtypes and shapes (-1 for
// dynamic dimensions); integer inputs that index get their valid range.
// CHECK: module attributes {enc.functions = [{
// CHECK-SAME: inputs = [
// CHECK-SAME: {dtype = "i64", name = "input_ids", range = array<i64: 0, 100>, shape = array<i64: -1, 8>},
// CHECK-SAME: {dtype = "i32", ignore_value = -100 : i64, name = "labels", range = array<i64: 0, 30>, shape = array<i64: -1, 8>},
// CHECK-SAME: {dtype = "f32", name = "arg2", shape = array<i64: -1, 8>}
// CHECK-SAME: ], name = "main",
// CHECK-SAME: outputs = [{dtype = "f32", name = "loss", shape = array<i64>}, {dtype = "f32", name = "result1", shape = array<i64: -1, 8, 16>}],
// CHECK-SAME: params = [{dtype = "f32", name = "emb", shape = array<i64: 100, 16>}, {dtype = "f32", name = "head", shape = array<i64: 30, 16>}]
// CHECK-SAME: }]}
// Public functions are marked for the C interface; their arguments are
// read-only for bufferization.
// CHECK: func.func @main(%{{.*}}: tensor<?x8xi64> {bufferization.writable = false, enc.name = "input_ids"}
// CHECK-SAME: attributes {llvm.emit_c_interface}
// Private functions are not entry points.
// CHECK: func.func private @helper
// CHECK-NOT: llvm.emit_c_interface
func.func @main(%ids: tensor<?x8xi64> {enc.name = "input_ids"},
                %labels: tensor<?x8xi32> {enc.name = "labels"},
                %extra: tensor<?x8xf32>,
                %table: tensor<100x16xf32> {enc.param = "emb"},
                %head: tensor<30x16xf32> {enc.param = "head"})
    -> (tensor<f32> {enc.name = "loss"}, tensor<?x8x16xf32>) {
  %e = enc.embedding %ids, %table : (tensor<?x8xi64>, tensor<100x16xf32>) -> tensor<?x8x16xf32>
  %logits = enc.linear %e, %head : (tensor<?x8x16xf32>, tensor<30x16xf32>) -> tensor<?x8x30xf32>
  %loss = enc.cross_entropy %logits, %labels : (tensor<?x8x30xf32>, tensor<?x8xi32>) -> tensor<f32>
  return %loss, %e : tensor<f32>, tensor<?x8x16xf32>
}
func.func private @helper(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}

// -----

// An id that indexes two tables may hold values valid for both; an
// ignore_index is dropped when another use would index with it.
// CHECK: inputs = [{dtype = "i64", name = "arg0", range = array<i64: 0, 10>, shape = array<i64: 4>}]
func.func @two_uses(%ids: tensor<4xi64>, %a: tensor<10x2xf32> {enc.param = "a"},
                    %logits: tensor<4x20xf32> {enc.param = "b"}) -> (tensor<4x2xf32>, tensor<f32>) {
  %0 = enc.embedding %ids, %a : (tensor<4xi64>, tensor<10x2xf32>) -> tensor<4x2xf32>
  %1 = enc.cross_entropy %logits, %ids : (tensor<4x20xf32>, tensor<4xi64>) -> tensor<f32>
  return %0, %1 : tensor<4x2xf32>, tensor<f32>
}

// -----

// expected-error @+1 {{public function 'scalar_arg': input 'arg0' has type 'f32'; artifacts take ranked tensors}}
func.func @scalar_arg(%x: f32) -> tensor<4xf32> {
  %0 = tensor.splat %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// expected-error @+1 {{input argument #1 follows a parameter argument; parameters come last}}
func.func @param_first(%w: tensor<4xf32> {enc.param = "w"}, %x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}

// -----

// expected-error @+1 {{public function 'twice' has two inputs named 'x'}}
func.func @twice(%a: tensor<4xf32> {enc.name = "x"}, %b: tensor<4xf32> {enc.name = "x"}) -> tensor<4xf32> {
  return %a : tensor<4xf32>
}

// -----

// Dimension names and bounds given on the arguments go into the record.
// CHECK: inputs = [{dim_max = array<i64: -1, 512>, dim_names = ["batch", "sequence"], dtype = "i64", name = "ids", shape = array<i64: -1, -1>}]
func.func @named_dims(%ids: tensor<?x?xi64> {enc.name = "ids", enc.dim_names = ["batch", "sequence"], enc.dim_max = array<i64: -1, 512>}) -> tensor<?x?xi64> {
  return %ids : tensor<?x?xi64>
}

// -----

// expected-error @+1 {{public function 'bad_names': enc.dim_names of input 'arg0' must be 2 strings}}
func.func @bad_names(%ids: tensor<?x?xi64> {enc.dim_names = ["batch"]}) -> tensor<?x?xi64> {
  return %ids : tensor<?x?xi64>
}

// -----

// expected-error @+1 {{public function 'bad_max': enc.dim_max of input 'arg0' must have 2 entries}}
func.func @bad_max(%ids: tensor<?x?xi64> {enc.dim_max = array<i64: 3>}) -> tensor<?x?xi64> {
  return %ids : tensor<?x?xi64>
}

// -----

// Least sizes: a stack of convolutions needs its receptive field
// ((1 - 1) * 2 + 2 = 2 frames into the last, (2 - 1) * 2 + 3 = 5 into the
// second, (5 - 1) * 5 + 10 = 30 samples), carried back through the
// activation and the reshape that adds the channel.
// CHECK: inputs = [{dim_min = array<i64: 0, 30>, dtype = "f32", name = "audio", shape = array<i64: -1, -1>}]
func.func @conv_stack(%audio: tensor<?x?xf32> {enc.name = "audio"},
                      %w0: tensor<4x1x10xf32> {enc.param = "w0"},
                      %w1: tensor<4x4x3xf32> {enc.param = "w1"},
                      %w2: tensor<4x4x2xf32> {enc.param = "w2"}) -> tensor<?x4x?xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %b = tensor.dim %audio, %c0 : tensor<?x?xf32>
  %n = tensor.dim %audio, %c1 : tensor<?x?xf32>
  %x = tensor.expand_shape %audio [[0], [1, 2]] output_shape [%b, 1, %n] : tensor<?x?xf32> into tensor<?x1x?xf32>
  %0 = enc.conv1d %x, %w0 {stride = 5 : i64} : (tensor<?x1x?xf32>, tensor<4x1x10xf32>) -> tensor<?x4x?xf32>
  %1 = enc.activation gelu %0 : tensor<?x4x?xf32>
  %2 = enc.conv1d %1, %w1 {stride = 2 : i64} : (tensor<?x4x?xf32>, tensor<4x4x3xf32>) -> tensor<?x4x?xf32>
  %3 = enc.conv1d %2, %w2 {stride = 2 : i64} : (tensor<?x4x?xf32>, tensor<4x4x2xf32>) -> tensor<?x4x?xf32>
  return %3 : tensor<?x4x?xf32>
}

// -----

// A pooled first token needs a sequence of one, through the layer norm,
// the residual add and the embedding; the mask's sequence needs nothing
// of its own (dimension names tie it to the ids'). An author's enc.dim_min
// is kept where it asks for more; enc.default is recorded.
// CHECK: inputs = [{dim_min = array<i64: 0, 1>, dtype = "i64", name = "ids", range = array<i64: 0, 10>, shape = array<i64: -1, -1>},
// CHECK-SAME: {default = "ones", dtype = "i64", name = "mask", shape = array<i64: -1, -1>},
// CHECK-SAME: {dim_min = array<i64: 2, 3>, dtype = "f32", name = "extra", shape = array<i64: -1, -1>}]
func.func @pooled(%ids: tensor<?x?xi64> {enc.name = "ids"},
                  %mask: tensor<?x?xi64> {enc.name = "mask", enc.default = "ones"},
                  %extra: tensor<?x?xf32> {enc.name = "extra", enc.dim_min = array<i64: 2, 3>},
                  %table: tensor<10x8xf32> {enc.param = "table"})
    -> (tensor<?x8xf32>, tensor<?x8xf32>) {
  %e = enc.embedding %ids, %table : (tensor<?x?xi64>, tensor<10x8xf32>) -> tensor<?x?x8xf32>
  %r = arith.addf %e, %e : tensor<?x?x8xf32>
  %n = enc.layer_norm %r : (tensor<?x?x8xf32>) -> tensor<?x?x8xf32>
  %cls = enc.pool cls %n : (tensor<?x?x8xf32>) -> tensor<?x8xf32>
  %mean = enc.pool mean %n mask %mask : (tensor<?x?x8xf32>, tensor<?x?xi64>) -> tensor<?x8xf32>
  return %cls, %mean : tensor<?x8xf32>, tensor<?x8xf32>
}

// -----

// expected-error @+1 {{public function 'too_short': input 'x' needs dimension 2 to be at least 10, more than its maximum 8}}
func.func @too_short(%x: tensor<?x1x?xf32> {enc.name = "x", enc.dim_max = array<i64: -1, -1, 8>},
                     %w: tensor<4x1x10xf32> {enc.param = "w"}) -> tensor<?x4x?xf32> {
  %0 = enc.conv1d %x, %w : (tensor<?x1x?xf32>, tensor<4x1x10xf32>) -> tensor<?x4x?xf32>
  return %0 : tensor<?x4x?xf32>
}

// -----

// expected-error @+1 {{public function 'bad_default': enc.default of input 'x' must be "zeros" or "ones"}}
func.func @bad_default(%x: tensor<?xf32> {enc.name = "x", enc.default = "random"}) -> tensor<?xf32> {
  return %x : tensor<?xf32>
}
