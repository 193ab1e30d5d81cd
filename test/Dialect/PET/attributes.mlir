// RUN: pet-opt %s -split-input-file | FileCheck %s
// RUN: pet-opt %s -split-input-file | pet-opt -split-input-file | FileCheck %s
// RUN: pet-opt %s -split-input-file -mlir-print-op-generic | pet-opt -split-input-file | FileCheck %s

// Round trip of #pet.box and #pet.partition, attached as discardable
// attributes to modules, functions and operators.

//===----------------------------------------------------------------------===//
// #pet.box
//===----------------------------------------------------------------------===//

// The dictionary is printed sorted by name; extra whitespace disappears.
// CHECK-LABEL: module attributes {
// CHECK-SAME:    pet.empty = #pet.box<[2:2, 0:3]>
// CHECK-SAME:    pet.extremes = #pet.box<[-9223372036854775808:9223372036854775807, 0:0]>
// CHECK-SAME:    pet.negative = #pet.box<[-1:2, -5:-3]>
// CHECK-SAME:    pet.rank0 = #pet.box<[]>
// CHECK-SAME:    pet.region = #pet.box<[0:1, 0:4, 0:1, 1:7]>
// CHECK-SAME:    pet.spaced = #pet.box<[0:4]>}
module attributes {
  pet.region = #pet.box<[0:1, 0:4, 0:1, 1:7]>,
  pet.rank0 = #pet.box<[]>,
  pet.empty = #pet.box<[2:2, 0:3]>,
  pet.negative = #pet.box<[-1:2, -5:-3]>,
  pet.extremes = #pet.box<[-9223372036854775808:9223372036854775807, 0:0]>,
  pet.spaced = #pet.box< [ 0 : 4 ] >
} {
}

// -----

// Boxes on operators, in an array attribute, and through an attribute alias
// (which is not printed back: the dialect declares no alias names).
#halo = #pet.box<[0:1, 0:4, 5:6, 0:6]>

// CHECK-LABEL: func.func @boxes_on_ops(
// CHECK-SAME:    attributes {pet.region = #pet.box<[0:1, 0:4, 0:6, 0:6]>}
// CHECK-NEXT:    %[[R:.*]] = pet.relu %arg0 {pet.halo = #pet.box<[0:1, 0:4, 5:6, 0:6]>, pet.region = #pet.box<[0:1, 0:4, 1:5, 1:5]>} : tensor<1x4x6x6xf32>
// CHECK-NEXT:    %[[S:.*]] = pet.scale %[[R]] by 5.000000e-01 {pet.regions = [#pet.box<[0:1, 0:2, 0:6, 0:6]>, #pet.box<[0:1, 2:4, 0:6, 0:6]>]} : tensor<1x4x6x6xf32>
// CHECK-NEXT:    return %[[S]]
func.func @boxes_on_ops(%x: tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
    attributes {pet.region = #pet.box<[0:1, 0:4, 0:6, 0:6]>} {
  %0 = pet.relu %x {pet.region = #pet.box<[0:1, 0:4, 1:5, 1:5]>, pet.halo = #halo} : tensor<1x4x6x6xf32>
  %1 = pet.scale %0 by 0.5 {pet.regions = [#pet.box<[0:1, 0:2, 0:6, 0:6]>, #pet.box<[0:1, 2:4, 0:6, 0:6]>]} : tensor<1x4x6x6xf32>
  return %1 : tensor<1x4x6x6xf32>
}

// -----

//===----------------------------------------------------------------------===//
// #pet.partition
//===----------------------------------------------------------------------===//

// The 9 regions of the 4x4 output plane of a 3x3 convolution with padding 1:
// rows and columns are split at 1 and 3 (the border positions read padding).
// CHECK-LABEL: func.func @conv_regions(
// CHECK-NEXT:    %[[R:.*]] = pet.conv2d %arg0, %arg1 pad_low [1, 1] pad_high [1, 1] {pet.region = #pet.partition<[1, 2, 4, 4] : [0:1, 0:2, 0:1, 0:1], [0:1, 0:2, 0:1, 1:3], [0:1, 0:2, 0:1, 3:4], [0:1, 0:2, 1:3, 0:1], [0:1, 0:2, 1:3, 1:3], [0:1, 0:2, 1:3, 3:4], [0:1, 0:2, 3:4, 0:1], [0:1, 0:2, 3:4, 1:3], [0:1, 0:2, 3:4, 3:4]>} : (tensor<1x3x4x4xf32>, tensor<2x3x3x3xf32>) -> tensor<1x2x4x4xf32>
// CHECK-NEXT:    return %[[R]]
func.func @conv_regions(%x: tensor<1x3x4x4xf32>, %w: tensor<2x3x3x3xf32>) -> tensor<1x2x4x4xf32> {
  %0 = pet.conv2d %x, %w pad_low [1, 1] pad_high [1, 1] {pet.region = #pet.partition<[1, 2, 4, 4] :
      [0:1, 0:2, 0:1, 0:1], [0:1, 0:2, 0:1, 1:3], [0:1, 0:2, 0:1, 3:4],
      [0:1, 0:2, 1:3, 0:1], [0:1, 0:2, 1:3, 1:3], [0:1, 0:2, 1:3, 3:4],
      [0:1, 0:2, 3:4, 0:1], [0:1, 0:2, 3:4, 1:3], [0:1, 0:2, 3:4, 3:4]>}
      : (tensor<1x3x4x4xf32>, tensor<2x3x3x3xf32>) -> tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}

// -----

// The same 9 boxes of a 4x4 plane, in another order: the order is kept.
// CHECK-LABEL: func.func @plane_regions(
// CHECK-SAME:    attributes {pet.region = #pet.partition<[4, 4] : [1:3, 1:3], [0:1, 0:1], [0:1, 1:3], [0:1, 3:4], [1:3, 0:1], [1:3, 3:4], [3:4, 0:1], [3:4, 1:3], [3:4, 3:4]>}
// CHECK-NEXT:    return %arg0
func.func @plane_regions(%x: tensor<4x4xf32>) -> tensor<4x4xf32>
    attributes {pet.region = #pet.partition<[4, 4] : [1:3, 1:3], [0:1, 0:1], [0:1, 1:3], [0:1, 3:4], [1:3, 0:1], [1:3, 3:4], [3:4, 0:1], [3:4, 1:3], [3:4, 3:4]>} {
  return %x : tensor<4x4xf32>
}

// -----

// A single box covering the tensor, the example of the documentation, the
// rank-0 partition (one box of rank 0) and the partition of a tensor with
// no positions (no boxes).
// CHECK-LABEL: func.func @small_partitions(
// CHECK-NEXT:    %[[A:.*]] = pet.sigmoid %arg0 {pet.region = #pet.partition<[4, 6] : [0:4, 0:6]>} : tensor<4x6xf32>
// CHECK-NEXT:    %[[B:.*]] = pet.tanh %[[A]] {pet.region = #pet.partition<[4, 6] : [0:1, 0:6], [1:4, 0:6]>} : tensor<4x6xf32>
// CHECK-NEXT:    %[[C:.*]] = pet.relu %arg1 {pet.region = #pet.partition<[] : []>} : tensor<f32>
// CHECK-NEXT:    return %[[B]], %[[C]]
func.func @small_partitions(%x: tensor<4x6xf32>, %s: tensor<f32>) -> (tensor<4x6xf32>, tensor<f32>) {
  %0 = pet.sigmoid %x {pet.region = #pet.partition<[4, 6] : [0:4, 0:6]>} : tensor<4x6xf32>
  %1 = pet.tanh %0 {pet.region = #pet.partition<[4,6]:[0:1,0:6],[1:4,0:6]>} : tensor<4x6xf32>
  %2 = pet.relu %s {pet.region = #pet.partition<[] : []>} : tensor<f32>
  return %1, %2 : tensor<4x6xf32>, tensor<f32>
}

// -----

// CHECK-LABEL: module attributes {
// CHECK-SAME:    pet.empty = #pet.partition<[0, 3] : >
// CHECK-SAME:    pet.empty_rank1 = #pet.partition<[0] : >
// CHECK-SAME:    pet.partitions = [#pet.partition<[2] : [0:1], [1:2]>, #pet.partition<[2] : [1:2], [0:1]>]
// CHECK-SAME:    pet.unit = #pet.partition<[1, 1, 1] : [0:1, 0:1, 0:1]>}
module attributes {
  pet.empty = #pet.partition<[0, 3] : >,
  pet.empty_rank1 = #pet.partition<[0]:>,
  pet.unit = #pet.partition<[1, 1, 1] : [0:1, 0:1, 0:1]>,
  pet.partitions = [#pet.partition<[2] : [0:1], [1:2]>, #pet.partition<[2] : [1:2], [0:1]>]
} {
}
