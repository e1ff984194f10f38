// RUN: encoder-opt %s -split-input-file -verify-diagnostics -convert-enc-to-linalg

// enc.cpu_kernels written by hand is checked like a tuning record: an
// attention block is a static tile, and one of a billion rows is refused
// instead of becoming a 4 GB buffer.
// expected-error @+1 {{enc.cpu_kernels: attention blocks are at most 4096 rows or keys}}
module attributes {enc.cpu_kernels = {attention_key_block = 128 : i64, attention_query_block = 1000000000 : i64, chunk_flops = 2097152 : i64, matmul_rows = 4 : i64, panel_columns = 32 : i64, source = "model", tile_elements = 8192 : i64}} {
  func.func @a(%q: tensor<1x2x?x16xf32>) -> tensor<1x2x?x16xf32> {
    %0 = enc.attention %q, %q, %q : (tensor<1x2x?x16xf32>, tensor<1x2x?x16xf32>, tensor<1x2x?x16xf32>) -> tensor<1x2x?x16xf32>
    return %0 : tensor<1x2x?x16xf32>
  }
}

// -----

// expected-error @+1 {{enc.cpu_kernels needs a positive integer 'matmul_rows'}}
module attributes {enc.cpu_kernels = {attention_key_block = 128 : i64, attention_query_block = 64 : i64, chunk_flops = 2097152 : i64, matmul_rows = 0 : i64, panel_columns = 32 : i64, tile_elements = 8192 : i64}} {
}
