// RUN: pet-opt %s -split-input-file | FileCheck %s
// RUN: pet-opt %s -split-input-file | pet-opt -split-input-file | FileCheck %s
// RUN: pet-opt %s -split-input-file -mlir-print-op-generic | pet-opt -split-input-file | FileCheck %s

// Round trip of every pet operator. The result types written here are checked
// against the inferred ones by the verifier, so the printed lines assert the
// inferred shapes; attributes left out must stay out of the printed form.

//===----------------------------------------------------------------------===//
// pet.conv2d
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @conv2d_no_attributes(
// CHECK-NEXT:    %[[R:.*]] = pet.conv2d %arg0, %arg1 : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
// CHECK-NEXT:    return %[[R]] : tensor<1x4x6x6xf32>
func.func @conv2d_no_attributes(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32> {
  %0 = pet.conv2d %x, %w : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

// (8 - 3) / 2 + 1 = 3 and (7 - 2) / 3 + 1 = 2: the output size rounds down.
// CHECK-LABEL: func.func @conv2d_strides(
// CHECK-NEXT:    %[[A:.*]] = pet.conv2d %arg0, %arg1 strides [2, 2] : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x3x3xf32>
// CHECK-NEXT:    %[[B:.*]] = pet.conv2d %arg2, %arg3 strides [3, 1] : (tensor<1x1x7x7xf32>, tensor<1x1x2x2xf32>) -> tensor<1x1x2x6xf32>
// CHECK-NEXT:    return %[[A]], %[[B]] : tensor<1x4x3x3xf32>, tensor<1x1x2x6xf32>
func.func @conv2d_strides(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>,
                          %y: tensor<1x1x7x7xf32>, %v: tensor<1x1x2x2xf32>)
    -> (tensor<1x4x3x3xf32>, tensor<1x1x2x6xf32>) {
  %0 = pet.conv2d %x, %w strides [2, 2] : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x3x3xf32>
  %1 = pet.conv2d %y, %v strides [3, 1] : (tensor<1x1x7x7xf32>, tensor<1x1x2x2xf32>) -> tensor<1x1x2x6xf32>
  return %0, %1 : tensor<1x4x3x3xf32>, tensor<1x1x2x6xf32>
}

// -----

// CHECK-LABEL: func.func @conv2d_pad_low(
// CHECK-NEXT:    %[[R:.*]] = pet.conv2d %arg0, %arg1 pad_low [1, 2] : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x7x8xf32>
// CHECK-NEXT:    return %[[R]]
func.func @conv2d_pad_low(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x7x8xf32> {
  %0 = pet.conv2d %x, %w pad_low [1, 2] : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x7x8xf32>
  return %0 : tensor<1x4x7x8xf32>
}

// -----

// CHECK-LABEL: func.func @conv2d_pad_high(
// CHECK-NEXT:    %[[R:.*]] = pet.conv2d %arg0, %arg1 pad_high [0, 1] : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x7xf32>
// CHECK-NEXT:    return %[[R]]
func.func @conv2d_pad_high(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x6x7xf32> {
  %0 = pet.conv2d %x, %w pad_high [0, 1] : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x7xf32>
  return %0 : tensor<1x4x6x7xf32>
}

// -----

// A 3-tap kernel dilated by 2 spans 5 positions, by 3 spans 7.
// CHECK-LABEL: func.func @conv2d_dilations(
// CHECK-NEXT:    %[[R:.*]] = pet.conv2d %arg0, %arg1 dilations [2, 3] : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x4x2xf32>
// CHECK-NEXT:    return %[[R]]
func.func @conv2d_dilations(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x4x2xf32> {
  %0 = pet.conv2d %x, %w dilations [2, 3] : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x4x2xf32>
  return %0 : tensor<1x4x4x2xf32>
}

// -----

// Grouped convolution: 4 input channels in 2 groups, so the filter has 2
// input channels each; 6 filters, 3 per group.
// CHECK-LABEL: func.func @conv2d_groups(
// CHECK-NEXT:    %[[R:.*]] = pet.conv2d %arg0, %arg1 groups 2 : (tensor<1x4x8x8xf32>, tensor<6x2x3x3xf32>) -> tensor<1x6x6x6xf32>
// CHECK-NEXT:    return %[[R]]
func.func @conv2d_groups(%x: tensor<1x4x8x8xf32>, %w: tensor<6x2x3x3xf32>) -> tensor<1x6x6x6xf32> {
  %0 = pet.conv2d %x, %w groups 2 : (tensor<1x4x8x8xf32>, tensor<6x2x3x3xf32>) -> tensor<1x6x6x6xf32>
  return %0 : tensor<1x6x6x6xf32>
}

// -----

// Depthwise convolution (groups == channels).
// CHECK-LABEL: func.func @conv2d_depthwise(
// CHECK-NEXT:    %[[R:.*]] = pet.conv2d %arg0, %arg1 pad_low [1, 1] pad_high [1, 1] groups 8 : (tensor<1x8x5x5xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x5x5xf32>
// CHECK-NEXT:    return %[[R]]
func.func @conv2d_depthwise(%x: tensor<1x8x5x5xf32>, %w: tensor<8x1x3x3xf32>) -> tensor<1x8x5x5xf32> {
  %0 = pet.conv2d %x, %w pad_low [1, 1] pad_high [1, 1] groups 8 : (tensor<1x8x5x5xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x5x5xf32>
  return %0 : tensor<1x8x5x5xf32>
}

// -----

// Every attribute at once, in f16. Height: (9 + 1 + 1 - 3) / 2 + 1 = 5;
// width: (9 + 1 + 0 - 5) / 1 + 1 = 6.
// CHECK-LABEL: func.func @conv2d_all_attributes(
// CHECK-NEXT:    %[[R:.*]] = pet.conv2d %arg0, %arg1 strides [2, 1] pad_low [1, 1] pad_high [1, 0] dilations [1, 2] groups 4 : (tensor<2x8x9x9xf16>, tensor<8x2x3x3xf16>) -> tensor<2x8x5x6xf16>
// CHECK-NEXT:    return %[[R]]
func.func @conv2d_all_attributes(%x: tensor<2x8x9x9xf16>, %w: tensor<8x2x3x3xf16>) -> tensor<2x8x5x6xf16> {
  %0 = pet.conv2d %x, %w strides [2, 1] pad_low [1, 1] pad_high [1, 0] dilations [1, 2] groups 4 : (tensor<2x8x9x9xf16>, tensor<8x2x3x3xf16>) -> tensor<2x8x5x6xf16>
  return %0 : tensor<2x8x5x6xf16>
}

// -----

// Attributes spelled with their default values are kept as written, and
// discardable attributes go in the trailing attribute dictionary.
// CHECK-LABEL: func.func @conv2d_explicit_defaults(
// CHECK-NEXT:    %[[R:.*]] = pet.conv2d %arg0, %arg1 strides [1, 1] pad_low [0, 0] pad_high [0, 0] dilations [1, 1] groups 1 {pet.tag = "stem"} : (tensor<1x3x8x8xbf16>, tensor<4x3x3x3xbf16>) -> tensor<1x4x6x6xbf16>
// CHECK-NEXT:    return %[[R]]
func.func @conv2d_explicit_defaults(%x: tensor<1x3x8x8xbf16>, %w: tensor<4x3x3x3xbf16>) -> tensor<1x4x6x6xbf16> {
  %0 = pet.conv2d %x, %w strides [1, 1] pad_low [0, 0] pad_high [0, 0] dilations [1, 1] groups 1 {pet.tag = "stem"} : (tensor<1x3x8x8xbf16>, tensor<4x3x3x3xbf16>) -> tensor<1x4x6x6xbf16>
  return %0 : tensor<1x4x6x6xbf16>
}

// -----

//===----------------------------------------------------------------------===//
// pet.matmul and pet.batch_matmul
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @matmul(
// CHECK-NEXT:    %[[R:.*]] = pet.matmul %arg0, %arg1 : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
// CHECK-NEXT:    return %[[R]]
func.func @matmul(%a: tensor<4x8xf32>, %b: tensor<8x16xf32>) -> tensor<4x16xf32> {
  %0 = pet.matmul %a, %b : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// -----

// CHECK-LABEL: func.func @matmul_transpose_lhs(
// CHECK-NEXT:    %[[R:.*]] = pet.matmul %arg0, %arg1 transpose_lhs : (tensor<8x4xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
// CHECK-NEXT:    return %[[R]]
func.func @matmul_transpose_lhs(%a: tensor<8x4xf32>, %b: tensor<8x16xf32>) -> tensor<4x16xf32> {
  %0 = pet.matmul %a, %b transpose_lhs : (tensor<8x4xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// -----

// CHECK-LABEL: func.func @matmul_transpose_rhs(
// CHECK-NEXT:    %[[R:.*]] = pet.matmul %arg0, %arg1 transpose_rhs : (tensor<4x8xbf16>, tensor<16x8xbf16>) -> tensor<4x16xbf16>
// CHECK-NEXT:    return %[[R]]
func.func @matmul_transpose_rhs(%a: tensor<4x8xbf16>, %b: tensor<16x8xbf16>) -> tensor<4x16xbf16> {
  %0 = pet.matmul %a, %b transpose_rhs : (tensor<4x8xbf16>, tensor<16x8xbf16>) -> tensor<4x16xbf16>
  return %0 : tensor<4x16xbf16>
}

// -----

// CHECK-LABEL: func.func @matmul_transpose_both(
// CHECK-NEXT:    %[[R:.*]] = pet.matmul %arg0, %arg1 transpose_lhs transpose_rhs : (tensor<8x4xf64>, tensor<16x8xf64>) -> tensor<4x16xf64>
// CHECK-NEXT:    return %[[R]]
func.func @matmul_transpose_both(%a: tensor<8x4xf64>, %b: tensor<16x8xf64>) -> tensor<4x16xf64> {
  %0 = pet.matmul %a, %b transpose_lhs transpose_rhs : (tensor<8x4xf64>, tensor<16x8xf64>) -> tensor<4x16xf64>
  return %0 : tensor<4x16xf64>
}

// -----

// CHECK-LABEL: func.func @batch_matmul(
// CHECK-NEXT:    %[[R:.*]] = pet.batch_matmul %arg0, %arg1 : (tensor<2x4x8xf32>, tensor<2x8x16xf32>) -> tensor<2x4x16xf32>
// CHECK-NEXT:    return %[[R]]
func.func @batch_matmul(%a: tensor<2x4x8xf32>, %b: tensor<2x8x16xf32>) -> tensor<2x4x16xf32> {
  %0 = pet.batch_matmul %a, %b : (tensor<2x4x8xf32>, tensor<2x8x16xf32>) -> tensor<2x4x16xf32>
  return %0 : tensor<2x4x16xf32>
}

// -----

// CHECK-LABEL: func.func @batch_matmul_transpose(
// CHECK-NEXT:    %[[A:.*]] = pet.batch_matmul %arg0, %arg1 transpose_lhs : (tensor<3x8x4xf16>, tensor<3x8x5xf16>) -> tensor<3x4x5xf16>
// CHECK-NEXT:    %[[B:.*]] = pet.batch_matmul %arg0, %arg2 transpose_rhs : (tensor<3x8x4xf16>, tensor<3x6x4xf16>) -> tensor<3x8x6xf16>
// CHECK-NEXT:    %[[C:.*]] = pet.batch_matmul %arg0, %arg3 transpose_lhs transpose_rhs : (tensor<3x8x4xf16>, tensor<3x16x8xf16>) -> tensor<3x4x16xf16>
// CHECK-NEXT:    return %[[A]], %[[B]], %[[C]]
func.func @batch_matmul_transpose(%a: tensor<3x8x4xf16>, %b: tensor<3x8x5xf16>,
                                  %c: tensor<3x6x4xf16>, %d: tensor<3x16x8xf16>)
    -> (tensor<3x4x5xf16>, tensor<3x8x6xf16>, tensor<3x4x16xf16>) {
  %0 = pet.batch_matmul %a, %b transpose_lhs : (tensor<3x8x4xf16>, tensor<3x8x5xf16>) -> tensor<3x4x5xf16>
  %1 = pet.batch_matmul %a, %c transpose_rhs : (tensor<3x8x4xf16>, tensor<3x6x4xf16>) -> tensor<3x8x6xf16>
  %2 = pet.batch_matmul %a, %d transpose_lhs transpose_rhs : (tensor<3x8x4xf16>, tensor<3x16x8xf16>) -> tensor<3x4x16xf16>
  return %0, %1, %2 : tensor<3x4x5xf16>, tensor<3x8x6xf16>, tensor<3x4x16xf16>
}

// -----

//===----------------------------------------------------------------------===//
// pet.add, pet.sub, pet.mul (broadcasting)
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @add(
// CHECK-NEXT:    %[[A:.*]] = pet.add %arg0, %arg0 : (tensor<1x4x5x5xf32>, tensor<1x4x5x5xf32>) -> tensor<1x4x5x5xf32>
// CHECK-NEXT:    %[[B:.*]] = pet.add %[[A]], %arg1 : (tensor<1x4x5x5xf32>, tensor<1x4x1x1xf32>) -> tensor<1x4x5x5xf32>
// CHECK-NEXT:    %[[C:.*]] = pet.add %arg1, %[[B]] : (tensor<1x4x1x1xf32>, tensor<1x4x5x5xf32>) -> tensor<1x4x5x5xf32>
// CHECK-NEXT:    return %[[C]]
func.func @add(%x: tensor<1x4x5x5xf32>, %b: tensor<1x4x1x1xf32>) -> tensor<1x4x5x5xf32> {
  %0 = pet.add %x, %x : (tensor<1x4x5x5xf32>, tensor<1x4x5x5xf32>) -> tensor<1x4x5x5xf32>
  %1 = pet.add %0, %b : (tensor<1x4x5x5xf32>, tensor<1x4x1x1xf32>) -> tensor<1x4x5x5xf32>
  %2 = pet.add %b, %1 : (tensor<1x4x1x1xf32>, tensor<1x4x5x5xf32>) -> tensor<1x4x5x5xf32>
  return %2 : tensor<1x4x5x5xf32>
}

// -----

// Operands of different ranks are aligned on their last dimension.
// CHECK-LABEL: func.func @add_different_ranks(
// CHECK-NEXT:    %[[A:.*]] = pet.add %arg0, %arg1 : (tensor<2x3x4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
// CHECK-NEXT:    %[[B:.*]] = pet.add %arg1, %arg0 : (tensor<4xf32>, tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
// CHECK-NEXT:    %[[C:.*]] = pet.add %arg2, %arg0 : (tensor<f32>, tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
// CHECK-NEXT:    return %[[A]], %[[B]], %[[C]]
func.func @add_different_ranks(%x: tensor<2x3x4xf32>, %b: tensor<4xf32>, %s: tensor<f32>)
    -> (tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>) {
  %0 = pet.add %x, %b : (tensor<2x3x4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
  %1 = pet.add %b, %x : (tensor<4xf32>, tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  %2 = pet.add %s, %x : (tensor<f32>, tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  return %0, %1, %2 : tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>
}

// -----

// Both operands stretch: 3x1 - 1x5 is 3x5, and 2x1x4 - 3x1 is 2x3x4.
// CHECK-LABEL: func.func @sub(
// CHECK-NEXT:    %[[A:.*]] = pet.sub %arg0, %arg1 : (tensor<3x1xf16>, tensor<1x5xf16>) -> tensor<3x5xf16>
// CHECK-NEXT:    %[[B:.*]] = pet.sub %arg2, %arg0 : (tensor<2x1x4xf16>, tensor<3x1xf16>) -> tensor<2x3x4xf16>
// CHECK-NEXT:    return %[[A]], %[[B]]
func.func @sub(%a: tensor<3x1xf16>, %b: tensor<1x5xf16>, %c: tensor<2x1x4xf16>)
    -> (tensor<3x5xf16>, tensor<2x3x4xf16>) {
  %0 = pet.sub %a, %b : (tensor<3x1xf16>, tensor<1x5xf16>) -> tensor<3x5xf16>
  %1 = pet.sub %c, %a : (tensor<2x1x4xf16>, tensor<3x1xf16>) -> tensor<2x3x4xf16>
  return %0, %1 : tensor<3x5xf16>, tensor<2x3x4xf16>
}

// -----

// CHECK-LABEL: func.func @mul(
// CHECK-NEXT:    %[[A:.*]] = pet.mul %arg0, %arg1 : (tensor<f64>, tensor<2x3xf64>) -> tensor<2x3xf64>
// CHECK-NEXT:    %[[B:.*]] = pet.mul %[[A]], %arg2 : (tensor<2x3xf64>, tensor<2x1xf64>) -> tensor<2x3xf64>
// CHECK-NEXT:    %[[C:.*]] = pet.mul %arg0, %arg0 : (tensor<f64>, tensor<f64>) -> tensor<f64>
// CHECK-NEXT:    return %[[B]], %[[C]]
func.func @mul(%s: tensor<f64>, %x: tensor<2x3xf64>, %c: tensor<2x1xf64>) -> (tensor<2x3xf64>, tensor<f64>) {
  %0 = pet.mul %s, %x : (tensor<f64>, tensor<2x3xf64>) -> tensor<2x3xf64>
  %1 = pet.mul %0, %c : (tensor<2x3xf64>, tensor<2x1xf64>) -> tensor<2x3xf64>
  %2 = pet.mul %s, %s : (tensor<f64>, tensor<f64>) -> tensor<f64>
  return %1, %2 : tensor<2x3xf64>, tensor<f64>
}

// -----

//===----------------------------------------------------------------------===//
// pet.scale
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @scale(
// CHECK-NEXT:    %[[A:.*]] = pet.scale %arg0 by 1.250000e-01 : tensor<12x16x16xf32>
// CHECK-NEXT:    %[[B:.*]] = pet.scale %[[A]] by -2.000000e+00 : tensor<12x16x16xf32>
// CHECK-NEXT:    %[[C:.*]] = pet.scale %arg1 by 1.000000e+00 : tensor<4xbf16>
// CHECK-NEXT:    return %[[B]], %[[C]]
func.func @scale(%x: tensor<12x16x16xf32>, %y: tensor<4xbf16>) -> (tensor<12x16x16xf32>, tensor<4xbf16>) {
  %0 = pet.scale %x by 0.125 : tensor<12x16x16xf32>
  %1 = pet.scale %0 by -2.0 : tensor<12x16x16xf32>
  %2 = pet.scale %y by 1.0 : tensor<4xbf16>
  return %1, %2 : tensor<12x16x16xf32>, tensor<4xbf16>
}

// -----

//===----------------------------------------------------------------------===//
// pet.avg_pool2d
//===----------------------------------------------------------------------===//

// Strides default to the kernel size: (8 - 2) / 2 + 1 = 4, (8 - 4) / 4 + 1 = 2.
// CHECK-LABEL: func.func @avg_pool2d_kernel_only(
// CHECK-NEXT:    %[[R:.*]] = pet.avg_pool2d %arg0 kernel [2, 4] : tensor<1x2x8x8xf32> -> tensor<1x2x4x2xf32>
// CHECK-NEXT:    return %[[R]]
func.func @avg_pool2d_kernel_only(%x: tensor<1x2x8x8xf32>) -> tensor<1x2x4x2xf32> {
  %0 = pet.avg_pool2d %x kernel [2, 4] : tensor<1x2x8x8xf32> -> tensor<1x2x4x2xf32>
  return %0 : tensor<1x2x4x2xf32>
}

// -----

// CHECK-LABEL: func.func @avg_pool2d_strides(
// CHECK-NEXT:    %[[R:.*]] = pet.avg_pool2d %arg0 kernel [3, 3] strides [1, 2] : tensor<1x2x5x5xf32> -> tensor<1x2x3x2xf32>
// CHECK-NEXT:    return %[[R]]
func.func @avg_pool2d_strides(%x: tensor<1x2x5x5xf32>) -> tensor<1x2x3x2xf32> {
  %0 = pet.avg_pool2d %x kernel [3, 3] strides [1, 2] : tensor<1x2x5x5xf32> -> tensor<1x2x3x2xf32>
  return %0 : tensor<1x2x3x2xf32>
}

// -----

// CHECK-LABEL: func.func @avg_pool2d_padding(
// CHECK-NEXT:    %[[A:.*]] = pet.avg_pool2d %arg0 kernel [3, 3] strides [1, 1] pad_low [1, 1] pad_high [1, 1] : tensor<1x3x7x7xf16> -> tensor<1x3x7x7xf16>
// CHECK-NEXT:    %[[B:.*]] = pet.avg_pool2d %arg0 kernel [3, 3] strides [1, 1] pad_low [1, 0] pad_high [0, 1] exclude_pad : tensor<1x3x7x7xf16> -> tensor<1x3x6x6xf16>
// CHECK-NEXT:    %[[C:.*]] = pet.avg_pool2d %arg0 kernel [2, 2] exclude_pad : tensor<1x3x7x7xf16> -> tensor<1x3x3x3xf16>
// CHECK-NEXT:    return %[[A]], %[[B]], %[[C]]
func.func @avg_pool2d_padding(%x: tensor<1x3x7x7xf16>)
    -> (tensor<1x3x7x7xf16>, tensor<1x3x6x6xf16>, tensor<1x3x3x3xf16>) {
  %0 = pet.avg_pool2d %x kernel [3, 3] strides [1, 1] pad_low [1, 1] pad_high [1, 1] : tensor<1x3x7x7xf16> -> tensor<1x3x7x7xf16>
  %1 = pet.avg_pool2d %x kernel [3, 3] strides [1, 1] pad_low [1, 0] pad_high [0, 1] exclude_pad : tensor<1x3x7x7xf16> -> tensor<1x3x6x6xf16>
  %2 = pet.avg_pool2d %x kernel [2, 2] exclude_pad : tensor<1x3x7x7xf16> -> tensor<1x3x3x3xf16>
  return %0, %1, %2 : tensor<1x3x7x7xf16>, tensor<1x3x6x6xf16>, tensor<1x3x3x3xf16>
}

// -----

//===----------------------------------------------------------------------===//
// Layout operators
//===----------------------------------------------------------------------===//

// Result dimension i is input dimension perm[i].
// CHECK-LABEL: func.func @transpose(
// CHECK-NEXT:    %[[A:.*]] = pet.transpose %arg0 perm [1, 0] : tensor<3x5xf32> -> tensor<5x3xf32>
// CHECK-NEXT:    %[[B:.*]] = pet.transpose %arg1 perm [2, 0, 1] : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
// CHECK-NEXT:    %[[C:.*]] = pet.transpose %arg2 perm [0, 2, 1, 3] : tensor<1x16x12x64xbf16> -> tensor<1x12x16x64xbf16>
// CHECK-NEXT:    %[[D:.*]] = pet.transpose %arg3 perm [] : tensor<f32> -> tensor<f32>
// CHECK-NEXT:    return %[[A]], %[[B]], %[[C]], %[[D]]
func.func @transpose(%a: tensor<3x5xf32>, %b: tensor<2x3x4xf32>, %c: tensor<1x16x12x64xbf16>, %d: tensor<f32>)
    -> (tensor<5x3xf32>, tensor<4x2x3xf32>, tensor<1x12x16x64xbf16>, tensor<f32>) {
  %0 = pet.transpose %a perm [1, 0] : tensor<3x5xf32> -> tensor<5x3xf32>
  %1 = pet.transpose %b perm [2, 0, 1] : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  %2 = pet.transpose %c perm [0, 2, 1, 3] : tensor<1x16x12x64xbf16> -> tensor<1x12x16x64xbf16>
  %3 = pet.transpose %d perm [] : tensor<f32> -> tensor<f32>
  return %0, %1, %2, %3 : tensor<5x3xf32>, tensor<4x2x3xf32>, tensor<1x12x16x64xbf16>, tensor<f32>
}

// -----

// CHECK-LABEL: func.func @reshape(
// CHECK-NEXT:    %[[A:.*]] = pet.reshape %arg0 : tensor<1x768xf32> -> tensor<1x12x64xf32>
// CHECK-NEXT:    %[[B:.*]] = pet.reshape %arg1 : tensor<2x3x4xf64> -> tensor<24xf64>
// CHECK-NEXT:    %[[C:.*]] = pet.reshape %arg2 : tensor<1x1xf16> -> tensor<f16>
// CHECK-NEXT:    return %[[A]], %[[B]], %[[C]]
func.func @reshape(%a: tensor<1x768xf32>, %b: tensor<2x3x4xf64>, %c: tensor<1x1xf16>)
    -> (tensor<1x12x64xf32>, tensor<24xf64>, tensor<f16>) {
  %0 = pet.reshape %a : tensor<1x768xf32> -> tensor<1x12x64xf32>
  %1 = pet.reshape %b : tensor<2x3x4xf64> -> tensor<24xf64>
  %2 = pet.reshape %c : tensor<1x1xf16> -> tensor<f16>
  return %0, %1, %2 : tensor<1x12x64xf32>, tensor<24xf64>, tensor<f16>
}

// -----

// CHECK-LABEL: func.func @concat(
// CHECK-NEXT:    %[[A:.*]] = pet.concat %arg0 axis 0 : (tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT:    %[[B:.*]] = pet.concat %arg1, %arg2, %arg3 axis 1 : (tensor<1x64x4xf32>, tensor<1x32x4xf32>, tensor<1x16x4xf32>) -> tensor<1x112x4xf32>
// CHECK-NEXT:    %[[C:.*]] = pet.concat %arg0, %arg0 axis 0 {pet.tag} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
// CHECK-NEXT:    return %[[A]], %[[B]], %[[C]]
func.func @concat(%a: tensor<2x3xf32>, %b: tensor<1x64x4xf32>, %c: tensor<1x32x4xf32>, %d: tensor<1x16x4xf32>)
    -> (tensor<2x3xf32>, tensor<1x112x4xf32>, tensor<4x3xf32>) {
  %0 = pet.concat %a axis 0 : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %1 = pet.concat %b, %c, %d axis 1 : (tensor<1x64x4xf32>, tensor<1x32x4xf32>, tensor<1x16x4xf32>) -> tensor<1x112x4xf32>
  %2 = pet.concat %a, %a axis 0 {pet.tag} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  return %0, %1, %2 : tensor<2x3xf32>, tensor<1x112x4xf32>, tensor<4x3xf32>
}

// -----

// CHECK-LABEL: func.func @split(
// CHECK-NEXT:    %[[A:.*]]:2 = pet.split %arg0 axis 1 sizes [1, 5] : (tensor<1x6x4xf32>) -> (tensor<1x1x4xf32>, tensor<1x5x4xf32>)
// CHECK-NEXT:    %[[B:.*]]:3 = pet.split %arg1 axis 0 sizes [2, 3, 1] : (tensor<6x2xf64>) -> (tensor<2x2xf64>, tensor<3x2xf64>, tensor<1x2xf64>)
// CHECK-NEXT:    %[[C:.*]] = pet.split %arg1 axis 1 sizes [2] : (tensor<6x2xf64>) -> tensor<6x2xf64>
// CHECK-NEXT:    return %[[A]]#0, %[[A]]#1, %[[B]]#0, %[[B]]#1, %[[B]]#2, %[[C]]
func.func @split(%x: tensor<1x6x4xf32>, %y: tensor<6x2xf64>)
    -> (tensor<1x1x4xf32>, tensor<1x5x4xf32>, tensor<2x2xf64>, tensor<3x2xf64>, tensor<1x2xf64>, tensor<6x2xf64>) {
  %a, %b = pet.split %x axis 1 sizes [1, 5] : (tensor<1x6x4xf32>) -> (tensor<1x1x4xf32>, tensor<1x5x4xf32>)
  %c:3 = pet.split %y axis 0 sizes [2, 3, 1] : (tensor<6x2xf64>) -> (tensor<2x2xf64>, tensor<3x2xf64>, tensor<1x2xf64>)
  %d = pet.split %y axis 1 sizes [2] : (tensor<6x2xf64>) -> tensor<6x2xf64>
  return %a, %b, %c#0, %c#1, %c#2, %d : tensor<1x1x4xf32>, tensor<1x5x4xf32>, tensor<2x2xf64>, tensor<3x2xf64>, tensor<1x2xf64>, tensor<6x2xf64>
}

// -----

// With strides [1, 2, 3] the last positions read are 1, 6 and 4.
// CHECK-LABEL: func.func @slice(
// CHECK-NEXT:    %[[A:.*]] = pet.slice %arg0 offsets [1, 2] sizes [2, 3] : tensor<4x6xf32> -> tensor<2x3xf32>
// CHECK-NEXT:    %[[B:.*]] = pet.slice %arg1 offsets [1, 0, 1] sizes [1, 4, 2] strides [1, 2, 3] : tensor<2x8x5xf32> -> tensor<1x4x2xf32>
// CHECK-NEXT:    return %[[A]], %[[B]]
func.func @slice(%a: tensor<4x6xf32>, %b: tensor<2x8x5xf32>) -> (tensor<2x3xf32>, tensor<1x4x2xf32>) {
  %0 = pet.slice %a offsets [1, 2] sizes [2, 3] : tensor<4x6xf32> -> tensor<2x3xf32>
  %1 = pet.slice %b offsets [1, 0, 1] sizes [1, 4, 2] strides [1, 2, 3] : tensor<2x8x5xf32> -> tensor<1x4x2xf32>
  return %0, %1 : tensor<2x3xf32>, tensor<1x4x2xf32>
}

// -----

// CHECK-LABEL: func.func @pad(
// CHECK-NEXT:    %[[A:.*]] = pet.pad %arg0 low [0, 0, 1, 1] high [0, 0, 1, 1] : tensor<8x8x1x1xf32> -> tensor<8x8x3x3xf32>
// CHECK-NEXT:    %[[B:.*]] = pet.pad %arg1 low [1, 0] high [0, 2] : tensor<2x3xbf16> -> tensor<3x5xbf16>
// CHECK-NEXT:    return %[[A]], %[[B]]
func.func @pad(%a: tensor<8x8x1x1xf32>, %b: tensor<2x3xbf16>) -> (tensor<8x8x3x3xf32>, tensor<3x5xbf16>) {
  %0 = pet.pad %a low [0, 0, 1, 1] high [0, 0, 1, 1] : tensor<8x8x1x1xf32> -> tensor<8x8x3x3xf32>
  %1 = pet.pad %b low [1, 0] high [0, 2] : tensor<2x3xbf16> -> tensor<3x5xbf16>
  return %0, %1 : tensor<8x8x3x3xf32>, tensor<3x5xbf16>
}

// -----

//===----------------------------------------------------------------------===//
// Non-linear operators
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @activations(
// CHECK-NEXT:    %[[A:.*]] = pet.relu %arg0 : tensor<2x8xf32>
// CHECK-NEXT:    %[[B:.*]] = pet.gelu %[[A]] : tensor<2x8xf32>
// CHECK-NEXT:    %[[C:.*]] = pet.gelu %[[B]] approximate : tensor<2x8xf32>
// CHECK-NEXT:    %[[D:.*]] = pet.sigmoid %[[C]] : tensor<2x8xf32>
// CHECK-NEXT:    %[[E:.*]] = pet.tanh %[[D]] : tensor<2x8xf32>
// CHECK-NEXT:    %[[F:.*]] = pet.relu %arg1 : tensor<3xf16>
// CHECK-NEXT:    %[[G:.*]] = pet.sigmoid %arg2 : tensor<4x4xbf16>
// CHECK-NEXT:    %[[H:.*]] = pet.tanh %arg3 : tensor<f64>
// CHECK-NEXT:    %[[I:.*]] = pet.gelu %arg3 approximate : tensor<f64>
// CHECK-NEXT:    %[[J:.*]] = pet.rsqrt %arg0 : tensor<2x8xf32>
// CHECK-NEXT:    return %[[E]], %[[F]], %[[G]], %[[H]], %[[I]], %[[J]]
func.func @activations(%x: tensor<2x8xf32>, %y: tensor<3xf16>, %z: tensor<4x4xbf16>, %s: tensor<f64>)
    -> (tensor<2x8xf32>, tensor<3xf16>, tensor<4x4xbf16>, tensor<f64>, tensor<f64>, tensor<2x8xf32>) {
  %0 = pet.relu %x : tensor<2x8xf32>
  %1 = pet.gelu %0 : tensor<2x8xf32>
  %2 = pet.gelu %1 approximate : tensor<2x8xf32>
  %3 = pet.sigmoid %2 : tensor<2x8xf32>
  %4 = pet.tanh %3 : tensor<2x8xf32>
  %5 = pet.relu %y : tensor<3xf16>
  %6 = pet.sigmoid %z : tensor<4x4xbf16>
  %7 = pet.tanh %s : tensor<f64>
  %8 = pet.gelu %s approximate : tensor<f64>
  %9 = pet.rsqrt %x : tensor<2x8xf32>
  return %4, %5, %6, %7, %8, %9 : tensor<2x8xf32>, tensor<3xf16>, tensor<4x4xbf16>, tensor<f64>, tensor<f64>, tensor<2x8xf32>
}

// -----

// CHECK-LABEL: func.func @softmax(
// CHECK-NEXT:    %[[A:.*]] = pet.softmax %arg0 axis 2 : tensor<2x12x16xf32>
// CHECK-NEXT:    %[[B:.*]] = pet.softmax %[[A]] axis 0 : tensor<2x12x16xf32>
// CHECK-NEXT:    %[[C:.*]] = pet.softmax %[[B]] axis 1 safe : tensor<2x12x16xf32>
// CHECK-NEXT:    return %[[C]]
func.func @softmax(%x: tensor<2x12x16xf32>) -> tensor<2x12x16xf32> {
  %0 = pet.softmax %x axis 2 : tensor<2x12x16xf32>
  %1 = pet.softmax %0 axis 0 : tensor<2x12x16xf32>
  %2 = pet.softmax %1 axis 1 safe : tensor<2x12x16xf32>
  return %2 : tensor<2x12x16xf32>
}

// -----

// CHECK-LABEL: func.func @layer_norm(
// CHECK-NEXT:    %[[A:.*]] = pet.layer_norm %arg0 axis 1 epsilon 9.9999999999999995E-7 : tensor<4x768xf32>
// CHECK-NEXT:    %[[B:.*]] = pet.layer_norm %arg1 axis 0 epsilon 0.000000e+00 : tensor<2x3x4xf64>
// CHECK-NEXT:    return %[[A]], %[[B]]
func.func @layer_norm(%x: tensor<4x768xf32>, %y: tensor<2x3x4xf64>) -> (tensor<4x768xf32>, tensor<2x3x4xf64>) {
  %0 = pet.layer_norm %x axis 1 epsilon 1.0e-6 : tensor<4x768xf32>
  %1 = pet.layer_norm %y axis 0 epsilon 0.0 : tensor<2x3x4xf64>
  return %0, %1 : tensor<4x768xf32>, tensor<2x3x4xf64>
}

// -----

// CHECK-LABEL: func.func @max_pool2d(
// CHECK-NEXT:    %[[A:.*]] = pet.max_pool2d %arg0 kernel [2, 2] : tensor<1x4x8x8xf32> -> tensor<1x4x4x4xf32>
// CHECK-NEXT:    %[[B:.*]] = pet.max_pool2d %arg0 kernel [3, 3] strides [2, 2] pad_low [1, 1] pad_high [1, 1] : tensor<1x4x8x8xf32> -> tensor<1x4x4x4xf32>
// CHECK-NEXT:    return %[[A]], %[[B]]
func.func @max_pool2d(%x: tensor<1x4x8x8xf32>) -> (tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>) {
  %0 = pet.max_pool2d %x kernel [2, 2] : tensor<1x4x8x8xf32> -> tensor<1x4x4x4xf32>
  %1 = pet.max_pool2d %x kernel [3, 3] strides [2, 2] pad_low [1, 1] pad_high [1, 1] : tensor<1x4x8x8xf32> -> tensor<1x4x4x4xf32>
  return %0, %1 : tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>
}

// -----

// A 3-tap window dilated by 2 spans 5 positions, so padding up to 2 is
// allowed. Height: (8 + 2 + 2 - 5) / 1 + 1 = 8; width: (8 + 1 + 1 - 5) + 1 = 6.
// With only the kernel and dilations, strides default to the kernel size:
// (9 - 3) / 2 + 1 = 4.
// CHECK-LABEL: func.func @max_pool2d_dilations(
// CHECK-NEXT:    %[[A:.*]] = pet.max_pool2d %arg0 kernel [3, 3] strides [1, 1] pad_low [2, 1] pad_high [2, 1] dilations [2, 2] : tensor<1x1x8x8xf16> -> tensor<1x1x8x6xf16>
// CHECK-NEXT:    %[[B:.*]] = pet.max_pool2d %arg1 kernel [2, 2] dilations [2, 2] : tensor<1x1x9x9xf16> -> tensor<1x1x4x4xf16>
// CHECK-NEXT:    return %[[A]], %[[B]]
func.func @max_pool2d_dilations(%x: tensor<1x1x8x8xf16>, %y: tensor<1x1x9x9xf16>) -> (tensor<1x1x8x6xf16>, tensor<1x1x4x4xf16>) {
  %0 = pet.max_pool2d %x kernel [3, 3] strides [1, 1] pad_low [2, 1] pad_high [2, 1] dilations [2, 2] : tensor<1x1x8x8xf16> -> tensor<1x1x8x6xf16>
  %1 = pet.max_pool2d %y kernel [2, 2] dilations [2, 2] : tensor<1x1x9x9xf16> -> tensor<1x1x4x4xf16>
  return %0, %1 : tensor<1x1x8x6xf16>, tensor<1x1x4x4xf16>
}

// -----

// CHECK-LABEL: func.func @insert
// CHECK: pet.insert %{{.*}} into %{{.*}} offsets [0, 0, 3, 0] : tensor<1x3x2x8xf32> into tensor<1x3x8x8xf32>
func.func @insert(%s: tensor<1x3x2x8xf32>, %d: tensor<1x3x8x8xf32>) -> tensor<1x3x8x8xf32> {
  %0 = pet.insert %s into %d offsets [0, 0, 3, 0] : tensor<1x3x2x8xf32> into tensor<1x3x8x8xf32>
  return %0 : tensor<1x3x8x8xf32>
}
