// RUN: pet-opt %s -split-input-file --convert-pet-to-linalg --pet-fuse-elementwise | FileCheck %s

// Bias add, residual add and ReLU: one generic reading the three operands.

// CHECK-LABEL: func.func @chain
// CHECK:       linalg.generic {{.*}} ins(%arg0, %arg1, %arg2 : tensor<4x8xf32>, tensor<1x8xf32>, tensor<4x8xf32>)
// CHECK:       arith.addf
// CHECK:       arith.addf
// CHECK:       arith.maximumf
// CHECK-NOT:   linalg.generic
// CHECK:       return
func.func @chain(%x: tensor<4x8xf32>, %b: tensor<1x8xf32>, %r: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = pet.add %x, %b : (tensor<4x8xf32>, tensor<1x8xf32>) -> tensor<4x8xf32>
  %1 = pet.add %0, %r : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %2 = pet.relu %1 : tensor<4x8xf32>
  return %2 : tensor<4x8xf32>
}

// -----

// A value read twice is not fused (it would be computed twice); the matmul
// after a reshape stays linalg.matmul (a library call on the GPU).

// CHECK-LABEL: func.func @shared_and_matmul
// CHECK:       %[[S:.*]] = linalg.generic {{.*}} ins(%arg0 : tensor<2x2x4xf32>)
// CHECK:       tensor.collapse_shape %[[S]]
// CHECK:       linalg.matmul
// CHECK:       linalg.generic {{.*}} ins(%[[S]] : tensor<2x2x4xf32>)
func.func @shared_and_matmul(%x: tensor<2x2x4xf32>, %w: tensor<16x3xf32>) -> (tensor<1x3xf32>, tensor<2x2x4xf32>) {
  %0 = pet.scale %x by 2.0 : tensor<2x2x4xf32>
  %1 = pet.reshape %0 : tensor<2x2x4xf32> -> tensor<1x16xf32>
  %2 = pet.matmul %1, %w : (tensor<1x16xf32>, tensor<16x3xf32>) -> tensor<1x3xf32>
  %3 = pet.relu %0 : tensor<2x2x4xf32>
  return %2, %3 : tensor<1x3xf32>, tensor<2x2x4xf32>
}
