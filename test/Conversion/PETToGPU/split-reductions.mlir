// RUN: pet-opt %s -split-input-file --convert-pet-to-linalg --pet-split-reductions | FileCheck %s
// RUN: pet-opt %s -split-input-file --convert-pet-to-linalg --pet-split-reductions=min-threads=4 | FileCheck %s --check-prefix=FEW

// Layer norm over 4 rows of 256: each statistic (mean, then variance) is 32
// partial sums of 8 consecutive elements per row (128 threads instead of
// 4), then a sum of the 32.

// CHECK-LABEL: func.func @layer_norm
// CHECK:       %[[E:.*]] = tensor.expand_shape %arg0 {{\[}}[0], [1, 2]] output_shape [4, 32, 8] : tensor<4x256xf32> into tensor<4x32x8xf32>
// CHECK:       %[[P:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[E]] : tensor<4x32x8xf32>) outs(%{{.*}} : tensor<4x32xf32>)
// CHECK:       linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[P]] : tensor<4x32xf32>) outs(%{{.*}} : tensor<4xf32>)
// CHECK:       tensor.expand_shape {{.*}} output_shape [4, 32, 8]
// CHECK:       iterator_types = ["parallel", "parallel", "reduction"]
// CHECK:       iterator_types = ["parallel", "reduction"]

// With 4 threads enough, nothing is split.
// FEW-LABEL: func.func @layer_norm
// FEW-NOT:   tensor.expand_shape
func.func @layer_norm(%x: tensor<4x256xf32>) -> tensor<4x256xf32> {
  %0 = pet.layer_norm %x axis 1 epsilon 1.0e-5 : tensor<4x256xf32>
  return %0 : tensor<4x256xf32>
}

// -----

// Softmax's maximum and sum split alike (the maximum's partial results
// start from -inf, upstream's neutral element for maximumf).

// CHECK-LABEL: func.func @softmax
// CHECK:       arith.constant 0xFF800000 : f32
// CHECK:       tensor.expand_shape %arg0 {{\[}}[0], [1], [2, 3]] output_shape [2, 3, 8, 8]
// CHECK:       arith.maximumf
// CHECK:       iterator_types = ["parallel", "parallel", "reduction"]
func.func @softmax(%x: tensor<2x3x64xf32>) -> tensor<2x3x64xf32> {
  %0 = pet.softmax %x axis 2 : tensor<2x3x64xf32>
  return %0 : tensor<2x3x64xf32>
}

// -----

// Products are library calls (left alone), and a reduction with enough
// parallel points already is not split.

// CHECK-LABEL: func.func @untouched
// CHECK-NOT:   tensor.expand_shape
// CHECK:       linalg.matmul
// CHECK-NOT:   tensor.expand_shape
func.func @untouched(%a: tensor<4x512xf32>, %b: tensor<512x8xf32>, %x: tensor<8192x64xf32>) -> (tensor<4x8xf32>, tensor<8192x64xf32>) {
  %0 = pet.matmul %a, %b : (tensor<4x512xf32>, tensor<512x8xf32>) -> tensor<4x8xf32>
  %1 = pet.softmax %x axis 1 : tensor<8192x64xf32>
  return %0, %1 : tensor<4x8xf32>, tensor<8192x64xf32>
}
