// RUN: encoder-opt %s -enc-emit-entry-points="target=cpu triple=x86_64-unknown-linux-gnu cpu=skylake-avx512" -split-input-file -verify-diagnostics | FileCheck %s

// The entry point loads one descriptor pointer per input and parameter and
// calls the C interface with the results pointer first. Everything but the
// entry point becomes internal, enc attributes are dropped, and the
// metadata is one exported NUL-terminated JSON string.
// CHECK-LABEL: llvm.func internal @main(
// CHECK-LABEL: llvm.func internal @_mlir_ciface_main(
// CHECK-SAME: %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr)
// CHECK-LABEL: llvm.func @__enc_entry_main(
// CHECK-SAME: %[[ARGS:.*]]: !llvm.ptr, %[[RESULTS:.*]]: !llvm.ptr)
// CHECK: %[[SLOT0:.*]] = llvm.getelementptr %[[ARGS]][0] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK: %[[X:.*]] = llvm.load %[[SLOT0]] : !llvm.ptr -> !llvm.ptr
// CHECK: %[[SLOT1:.*]] = llvm.getelementptr %[[ARGS]][1] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK: %[[W:.*]] = llvm.load %[[SLOT1]] : !llvm.ptr -> !llvm.ptr
// CHECK: llvm.call @_mlir_ciface_main(%[[RESULTS]], %[[X]], %[[W]])
// CHECK: llvm.return
// CHECK: llvm.mlir.global external constant @enc_artifact_metadata("{\22abi_version\22:2,\22format\22:\22encoder-artifact\22,\22functions\22:[{\22entry\22:\22__enc_entry_main\22,\22inputs\22:[{\22dtype\22:\22f32\22,\22name\22:\22x\22,\22shape\22:[-1,3]}],\22name\22:\22main\22,\22outputs\22:[{\22dtype\22:\22f32\22,\22name\22:\22y\22,\22shape\22:[-1,4]}],\22params\22:[{\22dtype\22:\22f32\22,\22name\22:\22w\22,\22shape\22:[4,3]}]}],\22producer\22:\22encoder-compile\22,\22target\22:{\22cpu\22:\22skylake-avx512\22,\22kind\22:\22cpu\22,\22triple\22:\22x86_64-unknown-linux-gnu\22}}\00")
// CHECK-NOT: enc.functions
// CHECK-NOT: enc.name
module attributes {enc.functions = [{name = "main",
    inputs = [{dtype = "f32", name = "x", shape = array<i64: -1, 3>}],
    params = [{dtype = "f32", name = "w", shape = array<i64: 4, 3>}],
    outputs = [{dtype = "f32", name = "y", shape = array<i64: -1, 4>}]}]} {
  llvm.func @main(%arg0: !llvm.ptr {enc.name = "x"}) {
    llvm.return
  }
  llvm.func @_mlir_ciface_main(%out: !llvm.ptr, %x: !llvm.ptr {enc.name = "x"}, %w: !llvm.ptr {enc.param = "w"}) {
    llvm.return
  }
}

// -----

// A function without results gets no results pointer; index ranges and
// dimension names and bounds reach the JSON.
// CHECK-LABEL: llvm.func @__enc_entry_sink(
// CHECK: %[[X:.*]] = llvm.load
// CHECK: llvm.call @_mlir_ciface_sink(%[[X]]) : (!llvm.ptr) -> ()
// CHECK: \22inputs\22:[{\22dim_max\22:[-1,8],\22dim_names\22:[\22batch\22,\22sequence\22],\22dtype\22:\22i64\22,\22ignore_value\22:-1,\22name\22:\22x\22,\22range\22:[0,5],\22shape\22:[2,-1]}]
module attributes {enc.functions = [{name = "sink",
    inputs = [{dtype = "i64", name = "x", shape = array<i64: 2, -1>, range = array<i64: 0, 5>, ignore_value = -1 : i64,
               dim_names = ["batch", "sequence"], dim_max = array<i64: -1, 8>}],
    params = [], outputs = []}]} {
  llvm.func @_mlir_ciface_sink(%x: !llvm.ptr) {
    llvm.return
  }
}

// -----

// expected-error @+1 {{module has no 'enc.functions' attribute; run enc-record-abi first}}
module {
}

// -----

// expected-error @+1 {{no '_mlir_ciface_main' for recorded function 'main'}}
module attributes {enc.functions = [{name = "main", inputs = [], params = [], outputs = []}]} {
}

// -----

module attributes {enc.functions = [{name = "main", params = [], outputs = [],
    inputs = [{dtype = "f32", name = "x", shape = array<i64: 2>}]}]} {
  // expected-error @+1 {{expected 1 descriptor arguments, got 2 arguments}}
  llvm.func @_mlir_ciface_main(%a: !llvm.ptr, %b: !llvm.ptr) {
    llvm.return
  }
}
