// RUN: encoder-opt %s -split-input-file -verify-diagnostics \
// RUN:   -enc-apply-op-config="config=enc.layer_norm:tile=1x16,enc.linear#1:fuse=false:tile=4x32" \
// RUN:   | FileCheck %s
// RUN: not encoder-opt %s -split-input-file -enc-apply-op-config="config=enc.linear:unroll=4" 2>&1 | FileCheck %s --check-prefix=KEY
// RUN: not encoder-opt %s -split-input-file -enc-apply-op-config="config=enc.linear:tile=4xq" 2>&1 | FileCheck %s --check-prefix=TILE
// RUN: not encoder-opt %s -split-input-file -enc-apply-op-config="config=linear:fuse=false" 2>&1 | FileCheck %s --check-prefix=SELECTOR
// KEY: error: enc-apply-op-config: 'enc.linear:unroll=4': unknown key 'unroll' (known: tile, fuse)
// TILE: error: enc-apply-op-config: 'enc.linear:tile=4xq': tile sizes are non-negative integers joined by 'x'
// SELECTOR: error: enc-apply-op-config: 'linear:fuse=false': the selector must be an op name such as enc.layer_norm

// Every layer norm gets the tile sizes; only the second linear (#1, from 0)
// is kept out of fusions; the first keeps the tile sizes written in the IR.
// CHECK-LABEL: func.func @knobs
// CHECK: enc.linear {{.*}} {enc.tile_sizes = array<i64: 2, 16>}
// CHECK-NOT: enc.no_fuse
// CHECK: enc.layer_norm {{.*}} {enc.tile_sizes = array<i64: 1, 16>}
// CHECK: enc.linear {{.*}} {enc.no_fuse, enc.tile_sizes = array<i64: 4, 32>}
// CHECK: enc.layer_norm {{.*}} {enc.tile_sizes = array<i64: 1, 16>}
func.func @knobs(%x: tensor<4x8xf32>, %w: tensor<8x8xf32>) -> tensor<4x8xf32> {
  %0 = enc.linear %x, %w {enc.tile_sizes = array<i64: 2, 16>} : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
  %1 = enc.layer_norm %0 : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %2 = enc.linear %1, %w : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
  %3 = enc.layer_norm %2 : (tensor<4x8xf32>) -> tensor<4x8xf32>
  return %3 : tensor<4x8xf32>
}

// -----

// A selector that matches nothing is an error, not a no-op.
// expected-error @below {{enc-apply-op-config: no op matches 'enc.linear#1'}}
module {
  func.func @one_linear(%x: tensor<4x8xf32>, %w: tensor<8x8xf32>) -> tensor<4x8xf32> {
    %0 = enc.linear %x, %w : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
    %1 = enc.layer_norm %0 : (tensor<4x8xf32>) -> tensor<4x8xf32>
    return %1 : tensor<4x8xf32>
  }
}
