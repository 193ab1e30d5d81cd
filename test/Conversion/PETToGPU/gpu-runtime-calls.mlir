// RUN: pet-opt %s -split-input-file -verify-diagnostics --pet-gpu-runtime-calls | FileCheck %s

// Bufferized programs: convolutions and matrix products become calls into
// PET's GPU runtime (numerics: python -m pet_mlir.gpu_check on the GPU
// machine, bench/README.md); memrefs are passed with unknown sizes and
// strides. A convolution's image and output go as they lie (cuDNN takes
// strided views: pet-runtime-test checks them); a strided operand of a
// matrix product is copied to a contiguous buffer first (and the output
// back), by a linalg.copy that becomes a kernel; allocations become
// GPU-visible; constants are copied into GPU-visible memory (a host copy);
// other linalg stays.
// CHECK-LABEL: func.func private @pet_rt_conv2d_f32(memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>, memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>, memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>, i64, i64, i64, i64, i64) attributes {llvm.emit_c_interface}
// CHECK-LABEL: func.func @conv
// CHECK:       %[[W:.*]] = memref.get_global @weights
// CHECK:       %[[WC:.*]] = gpu.alloc  host_shared () : memref<3x2x3x3xf32>
// CHECK:       memref.copy %[[W]], %[[WC]]
// CHECK:       %[[O:.*]] = gpu.alloc  host_shared () : memref<1x3x4x4xf32>
// CHECK:       linalg.fill
// CHECK:       %[[S:.*]] = memref.subview %arg0
// CHECK-NOT:   linalg.copy
// CHECK:       %[[A:.*]] = memref.cast %[[S]] : memref<1x2x6x6xf32, strided<[128, 64, 8, 1], offset: 9>> to memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>
// CHECK:       %[[B:.*]] = memref.cast %[[WC]]
// CHECK:       %[[C:.*]] = memref.cast %[[O]]
// CHECK:       call @pet_rt_conv2d_f32(%[[A]], %[[B]], %[[C]], %c1_i64, %c1_i64_{{.*}}, %c1_i64_{{.*}}, %c1_i64_{{.*}}, %c1_i64_{{.*}})
// CHECK-NOT:   linalg.conv
// CHECK:       gpu.dealloc  %[[O]]
memref.global "private" constant @weights : memref<3x2x3x3xf32> = dense<0.5>
func.func @conv(%x: memref<1x2x8x8xf32>) -> f32 {
  %w = memref.get_global @weights : memref<3x2x3x3xf32>
  %out = memref.alloc() : memref<1x3x4x4xf32>
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%out : memref<1x3x4x4xf32>)
  %s = memref.subview %x[0, 0, 1, 1] [1, 2, 6, 6] [1, 1, 1, 1] : memref<1x2x8x8xf32> to memref<1x2x6x6xf32, strided<[128, 64, 8, 1], offset: 9>>
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%s, %w : memref<1x2x6x6xf32, strided<[128, 64, 8, 1], offset: 9>>, memref<3x2x3x3xf32>) outs(%out : memref<1x3x4x4xf32>)
  %c0 = arith.constant 0 : index
  %v = memref.load %out[%c0, %c0, %c0, %c0] : memref<1x3x4x4xf32>
  memref.dealloc %out : memref<1x3x4x4xf32>
  return %v : f32
}

// -----

// CHECK-LABEL: func.func @products
// CHECK:       %[[S:.*]] = memref.subview %arg0
// CHECK:       %[[SC:.*]] = gpu.alloc  host_shared () : memref<4x8xf32>
// CHECK:       linalg.copy ins(%[[S]] : {{.*}}) outs(%[[SC]] : memref<4x8xf32>)
// CHECK:       %[[A:.*]] = memref.cast %[[SC]] : memref<4x8xf32> to memref<?x?xf32, strided<[?, ?], offset: ?>>
// CHECK:       call @pet_rt_matmul_f32(%[[A]], %{{.*}}, %{{.*}}) : (memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?x?xf32, strided<[?, ?], offset: ?>>) -> ()
// CHECK:       call @pet_rt_batch_matmul_f32(%{{.*}}, %{{.*}}, %{{.*}}) : (memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>>, memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>>, memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>>) -> ()
// CHECK:       linalg.matmul ins(%{{.*}}, %{{.*}} : memref<4x8xf64>, memref<8x5xf64>)
func.func @products(%a2: memref<4x16xf32>, %b: memref<8x5xf32>, %c: memref<4x5xf32>, %d: memref<2x4x8xf32>, %e: memref<2x8x5xf32>, %f: memref<2x4x5xf32>, %g: memref<4x8xf64>, %h: memref<8x5xf64>, %i: memref<4x5xf64>) {
  %a = memref.subview %a2[0, 8] [4, 8] [1, 1] : memref<4x16xf32> to memref<4x8xf32, strided<[16, 1], offset: 8>>
  linalg.matmul ins(%a, %b : memref<4x8xf32, strided<[16, 1], offset: 8>>, memref<8x5xf32>) outs(%c : memref<4x5xf32>)
  linalg.batch_matmul ins(%d, %e : memref<2x4x8xf32>, memref<2x8x5xf32>) outs(%f : memref<2x4x5xf32>)
  linalg.matmul ins(%g, %h : memref<4x8xf64>, memref<8x5xf64>) outs(%i : memref<4x5xf64>)
  return
}

// -----

// Operations the GPU lowering has no way for are named.
func.func @leftover(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  // expected-error @+1 {{the GPU lowering does not handle 'pet.transpose'}}
  %0 = pet.transpose %x perm [1, 0] : tensor<2x3xf32> -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// A program with no linalg operation left (its convolutions are runtime
// calls already) still gets its copies as linalg.copy kernels.

// CHECK-LABEL: func.func @copy_only
// CHECK: %[[A:.*]] = gpu.alloc host_shared () : memref<2x3xf32>
// CHECK: linalg.copy ins(%{{.*}} : memref<2x3xf32>) outs(%[[A]] : memref<2x3xf32>)
func.func @copy_only(%x: memref<2x3xf32>) -> memref<2x3xf32> {
  %a = memref.alloc() : memref<2x3xf32>
  memref.copy %x, %a : memref<2x3xf32> to memref<2x3xf32>
  return %a : memref<2x3xf32>
}
