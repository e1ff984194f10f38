// RUN: encoder-opt %s -split-input-file -verify-diagnostics -enc-lower-kernel-launches | FileCheck %s

// The launch stores its captures in a context struct and hands the
// trampoline to enc_runtime_hooks.parallel_for with its count, kernel number
// and FLOPs; with no hook it runs the body over the whole range itself. The
// trampoline unpacks the context for the range it is given. Bodies and
// launches are never inlined (bodies are shared between launches).

// CHECK: llvm.mlir.global external @enc_runtime_hooks() {addr_space = 0 : i32} : !llvm.struct<(ptr, ptr, ptr, ptr, ptr)> {
// CHECK-NEXT: %[[Z:.*]] = llvm.mlir.zero : !llvm.struct<(ptr, ptr, ptr, ptr, ptr)>
// CHECK-NEXT: llvm.return %[[Z]]

// CHECK: llvm.func @k_body(%{{.*}}: !llvm.ptr, %{{.*}}: f32, %{{.*}}: i64, %{{.*}}: i64) attributes {no_inline}
llvm.func @k_body(%p: !llvm.ptr, %x: f32, %begin: i64, %end: i64) {
  llvm.return
}

// CHECK-LABEL: llvm.func internal @k_launch_trampoline
// CHECK-SAME: (%[[CTX:.*]]: !llvm.ptr, %[[B:.*]]: i64, %[[E:.*]]: i64)
// CHECK: %[[F0:.*]] = llvm.getelementptr %[[CTX]][0, 0] : (!llvm.ptr) -> !llvm.ptr, !llvm.struct<(ptr, f32)>
// CHECK: %[[P:.*]] = llvm.load %[[F0]] : !llvm.ptr -> !llvm.ptr
// CHECK: %[[F1:.*]] = llvm.getelementptr %[[CTX]][0, 1] : (!llvm.ptr) -> !llvm.ptr, !llvm.struct<(ptr, f32)>
// CHECK: %[[X:.*]] = llvm.load %[[F1]] : !llvm.ptr -> f32
// CHECK: llvm.call @k_body(%[[P]], %[[X]], %[[B]], %[[E]])

// CHECK-LABEL: llvm.func internal @k_launch
// CHECK-SAME: (%[[P:.*]]: !llvm.ptr, %[[X:.*]]: f32, %[[COUNT:.*]]: i64, %[[FLOPS:.*]]: i64) attributes {no_inline}
// CHECK: %[[HOOKS:.*]] = llvm.mlir.addressof @enc_runtime_hooks
// CHECK: %[[SLOT:.*]] = llvm.getelementptr %[[HOOKS]][0, 0]
// CHECK: %[[PFOR:.*]] = llvm.load %[[SLOT]] : !llvm.ptr -> !llvm.ptr
// CHECK: %[[NULL:.*]] = llvm.mlir.zero : !llvm.ptr
// CHECK: %[[UNSET:.*]] = llvm.icmp "eq" %[[PFOR]], %[[NULL]]
// CHECK: %[[CTX:.*]] = llvm.alloca %{{.*}} x !llvm.struct<(ptr, f32)>
// CHECK: llvm.cond_br %[[UNSET]], ^[[SERIAL:.*]], ^[[PARALLEL:.*]]
// CHECK: ^[[SERIAL]]:
// CHECK: %[[ZERO:.*]] = llvm.mlir.constant(0 : i64) : i64
// CHECK: llvm.call @k_body(%[[P]], %[[X]], %[[ZERO]], %[[COUNT]])
// CHECK: ^[[PARALLEL]]:
// CHECK: llvm.store %[[P]], %{{.*}} : !llvm.ptr, !llvm.ptr
// CHECK: llvm.store %[[X]], %{{.*}} : f32, !llvm.ptr
// CHECK: %[[TRAMPOLINE:.*]] = llvm.mlir.addressof @k_launch_trampoline
// CHECK: %[[KERNEL:.*]] = llvm.mlir.constant(3 : i64) : i64
// CHECK: llvm.call %[[PFOR]](%[[TRAMPOLINE]], %[[CTX]], %[[COUNT]], %[[KERNEL]], %[[FLOPS]]) : !llvm.ptr, (!llvm.ptr, !llvm.ptr, i64, i64, i64) -> ()
llvm.func @k_launch(!llvm.ptr, f32, i64, i64) attributes {enc.kernel_launch = {body = @k_body, kernel = 3 : i64}}

// -----

llvm.func @body(%a: i64, %begin: i64, %end: i64) {
  llvm.return
}
// expected-error @below {{launch and body 'body' disagree on the captured values}}
llvm.func @launch(f32, i64, i64) attributes {enc.kernel_launch = {body = @body, kernel = 0 : i64}}

// -----

// expected-error @below {{malformed enc.kernel_launch (expected {body, kernel})}}
llvm.func @launch(f32, i64, i64) attributes {enc.kernel_launch = {body = @missing, kernel = 0 : i64}}
