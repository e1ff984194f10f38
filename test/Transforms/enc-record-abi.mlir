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
