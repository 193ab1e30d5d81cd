// RUN: pet-opt %s -split-input-file --pet-verify -verify-diagnostics | FileCheck %s

// Fully equivalent: a 1x1 and a 3x3 convolution of the same input merged
// into one 3x3 convolution (the 1x1 filter zero-padded to 3x3, filters
// concatenated), whose output is split again.

func.func @two_convs(%x: tensor<1x2x6x6xf32>, %w1: tensor<3x2x1x1xf32>, %w3: tensor<4x2x3x3xf32>)
    -> (tensor<1x3x6x6xf32>, tensor<1x4x6x6xf32>) {
  %a = pet.conv2d %x, %w1 : (tensor<1x2x6x6xf32>, tensor<3x2x1x1xf32>) -> tensor<1x3x6x6xf32>
  %b = pet.conv2d %x, %w3 pad_low [1, 1] pad_high [1, 1] : (tensor<1x2x6x6xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %a, %b : tensor<1x3x6x6xf32>, tensor<1x4x6x6xf32>
}

// CHECK-LABEL: func.func @merged
// CHECK-SAME: -> (tensor<1x3x6x6xf32> {pet.equivalent = [#pet.box<[0:1, 0:3, 0:1, 0:1]>,
// CHECK-SAME: pet.nonequivalent = []}, tensor<1x4x6x6xf32> {pet.equivalent = [#pet.box<[0:1, 0:4, 0:1, 0:1]>,
// CHECK-SAME: pet.nonequivalent = []})
// expected-remark @+1 {{against @two_convs: 18 of 18 boxes equivalent, 0 not}}
func.func @merged(%x: tensor<1x2x6x6xf32>, %w1: tensor<3x2x1x1xf32>, %w3: tensor<4x2x3x3xf32>)
    -> (tensor<1x3x6x6xf32>, tensor<1x4x6x6xf32>) attributes {pet.candidate_of = @two_convs} {
  %p = pet.pad %w1 low [0, 0, 1, 1] high [0, 0, 1, 1] : tensor<3x2x1x1xf32> -> tensor<3x2x3x3xf32>
  %w = pet.concat %p, %w3 axis 0 : (tensor<3x2x3x3xf32>, tensor<4x2x3x3xf32>) -> tensor<7x2x3x3xf32>
  %y = pet.conv2d %x, %w pad_low [1, 1] pad_high [1, 1] : (tensor<1x2x6x6xf32>, tensor<7x2x3x3xf32>) -> tensor<1x7x6x6xf32>
  %a, %b = pet.split %y axis 1 sizes [3, 4] : (tensor<1x7x6x6xf32>) -> (tensor<1x3x6x6xf32>, tensor<1x4x6x6xf32>)
  return %a, %b : tensor<1x3x6x6xf32>, tensor<1x4x6x6xf32>
}

// -----

// Fully equivalent: a transpose round trip.

func.func @matmul(%a: tensor<4x6xf32>, %b: tensor<6x5xf32>) -> tensor<4x5xf32> {
  %0 = pet.matmul %a, %b : (tensor<4x6xf32>, tensor<6x5xf32>) -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}

// CHECK-LABEL: func.func @round_trip
// CHECK-SAME: -> (tensor<4x5xf32> {pet.equivalent = [#pet.box<[0:4, 0:5]>], pet.nonequivalent = []})
// expected-remark @+1 {{against @matmul: 1 of 1 boxes equivalent, 0 not; 6 positions tested in 2 trial(s)}}
func.func @round_trip(%a: tensor<4x6xf32>, %b: tensor<6x5xf32>) -> tensor<4x5xf32> attributes {pet.candidate_of = @matmul} {
  %bt = pet.transpose %b perm [1, 0] : tensor<6x5xf32> -> tensor<5x6xf32>
  %0 = pet.matmul %a, %bt transpose_rhs : (tensor<4x6xf32>, tensor<5x6xf32>) -> tensor<4x5xf32>
  %1 = pet.transpose %0 perm [1, 0] : tensor<4x5xf32> -> tensor<5x4xf32>
  %2 = pet.transpose %1 perm [1, 0] : tensor<5x4xf32> -> tensor<4x5xf32>
  return %2 : tensor<4x5xf32>
}

// -----

// Partially equivalent: the image split in two halves along H moved into the
// batch, one convolution, and the halves put back. Only the rows at the seam
// (3 and 4), where the halves' convolutions read zero padding instead of the
// other half, differ.

func.func @conv(%x: tensor<1x2x8x8xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x3x8x8xf32> {
  %0 = pet.conv2d %x, %w pad_low [1, 1] pad_high [1, 1] : (tensor<1x2x8x8xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x8x8xf32>
  return %0 : tensor<1x3x8x8xf32>
}

// CHECK-LABEL: func.func @split_h
// CHECK-SAME: pet.nonequivalent = [#pet.box<[0:1, 0:3, 3:4, 0:1]>, #pet.box<[0:1, 0:3, 3:4, 1:7]>, #pet.box<[0:1, 0:3, 3:4, 7:8]>, #pet.box<[0:1, 0:3, 4:5, 0:1]>, #pet.box<[0:1, 0:3, 4:5, 1:7]>, #pet.box<[0:1, 0:3, 4:5, 7:8]>]
// expected-remark @+1 {{against @conv: 12 of 18 boxes equivalent, 6 not}}
func.func @split_h(%x: tensor<1x2x8x8xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x3x8x8xf32> attributes {pet.candidate_of = @conv} {
  %a, %b = pet.split %x axis 2 sizes [4, 4] : (tensor<1x2x8x8xf32>) -> (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>)
  %x2 = pet.concat %a, %b axis 0 : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>) -> tensor<2x2x4x8xf32>
  %y2 = pet.conv2d %x2, %w pad_low [1, 1] pad_high [1, 1] : (tensor<2x2x4x8xf32>, tensor<3x2x3x3xf32>) -> tensor<2x3x4x8xf32>
  %c, %d = pet.split %y2 axis 0 sizes [1, 1] : (tensor<2x3x4x8xf32>) -> (tensor<1x3x4x8xf32>, tensor<1x3x4x8xf32>)
  %y = pet.concat %c, %d axis 2 : (tensor<1x3x4x8xf32>, tensor<1x3x4x8xf32>) -> tensor<1x3x8x8xf32>
  return %y : tensor<1x3x8x8xf32>
}

// -----

// Partially equivalent: the first input row replaced by zeros reaches the
// first three output rows through two 3x3 convolutions; rows 3-7 are right.

func.func @conv_chain(%x: tensor<1x1x8x1xf32>, %w: tensor<1x1x3x1xf32>) -> tensor<1x1x8x1xf32> {
  %0 = pet.conv2d %x, %w pad_low [1, 0] pad_high [1, 0] : (tensor<1x1x8x1xf32>, tensor<1x1x3x1xf32>) -> tensor<1x1x8x1xf32>
  %1 = pet.conv2d %0, %w pad_low [1, 0] pad_high [1, 0] : (tensor<1x1x8x1xf32>, tensor<1x1x3x1xf32>) -> tensor<1x1x8x1xf32>
  return %1 : tensor<1x1x8x1xf32>
}

// CHECK-LABEL: func.func @zeroed_row
// CHECK-SAME: {pet.equivalent = [#pet.box<[0:1, 0:1, 3:6, 0:1]>, #pet.box<[0:1, 0:1, 6:7, 0:1]>, #pet.box<[0:1, 0:1, 7:8, 0:1]>], pet.nonequivalent = [#pet.box<[0:1, 0:1, 0:1, 0:1]>, #pet.box<[0:1, 0:1, 1:2, 0:1]>, #pet.box<[0:1, 0:1, 2:3, 0:1]>]}
// expected-remark @+1 {{against @conv_chain: 3 of 6 boxes equivalent, 3 not}}
func.func @zeroed_row(%x: tensor<1x1x8x1xf32>, %w: tensor<1x1x3x1xf32>) -> tensor<1x1x8x1xf32> attributes {pet.candidate_of = @conv_chain} {
  %s = pet.slice %x offsets [0, 0, 1, 0] sizes [1, 1, 7, 1] : tensor<1x1x8x1xf32> -> tensor<1x1x7x1xf32>
  %z = pet.pad %s low [0, 0, 1, 0] high [0, 0, 0, 0] : tensor<1x1x7x1xf32> -> tensor<1x1x8x1xf32>
  %0 = pet.conv2d %z, %w pad_low [1, 0] pad_high [1, 0] : (tensor<1x1x8x1xf32>, tensor<1x1x3x1xf32>) -> tensor<1x1x8x1xf32>
  %1 = pet.conv2d %0, %w pad_low [1, 0] pad_high [1, 0] : (tensor<1x1x8x1xf32>, tensor<1x1x3x1xf32>) -> tensor<1x1x8x1xf32>
  return %1 : tensor<1x1x8x1xf32>
}

// -----

// Not equivalent: A * B against A * B^T on square matrices.

func.func @product(%a: tensor<3x3xf32>, %b: tensor<3x3xf32>) -> tensor<3x3xf32> {
  %0 = pet.matmul %a, %b : (tensor<3x3xf32>, tensor<3x3xf32>) -> tensor<3x3xf32>
  return %0 : tensor<3x3xf32>
}

// CHECK-LABEL: func.func @wrong_transpose
// CHECK-SAME: {pet.equivalent = [], pet.nonequivalent = [#pet.box<[0:3, 0:3]>]}
// expected-remark @+1 {{against @product: 0 of 1 boxes equivalent, 1 not}}
func.func @wrong_transpose(%a: tensor<3x3xf32>, %b: tensor<3x3xf32>) -> tensor<3x3xf32> attributes {pet.candidate_of = @product} {
  %0 = pet.matmul %a, %b transpose_rhs : (tensor<3x3xf32>, tensor<3x3xf32>) -> tensor<3x3xf32>
  return %0 : tensor<3x3xf32>
}

// -----

// Not equivalent by the smallest margin a double can express: a copy scaled
// by 1 + 2^-52. Exact arithmetic sees it; a floating-point comparison with
// any tolerance would not.

func.func @sum(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  %0 = pet.add %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// CHECK-LABEL: func.func @almost_sum
// CHECK-SAME: {pet.equivalent = [], pet.nonequivalent = [#pet.box<[0:4]>]}
// expected-remark @+1 {{against @sum: 0 of 1 boxes equivalent, 1 not}}
func.func @almost_sum(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> attributes {pet.candidate_of = @sum} {
  %0 = pet.add %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = pet.scale %0 by 1.0000000000000002 : tensor<4xf32>
  return %1 : tensor<4xf32>
}

// -----

func.func @orig(%a: tensor<4xf32>) -> tensor<4xf32> {
  return %a : tensor<4xf32>
}

func.func @with_relu(%a: tensor<4xf32>) -> tensor<4xf32> attributes {pet.candidate_of = @orig} {
  // expected-error @+1 {{'pet.relu' is not multi-linear: it has no exact evaluation in Z_q}}
  %0 = pet.relu %a : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @orig(%a: tensor<4xf32>) -> tensor<4xf32> {
  return %a : tensor<4xf32>
}

// expected-error @+1 {{candidate @other_type takes 'tensor<5xf32>' but @orig takes 'tensor<4xf32>'}}
func.func @other_type(%a: tensor<5xf32>) -> tensor<4xf32> attributes {pet.candidate_of = @orig} {
  %0 = pet.slice %a offsets [0] sizes [4] : tensor<5xf32> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// expected-error @+1 {{candidate of @missing, which is not another function of this module}}
func.func @lonely(%a: tensor<4xf32>) -> tensor<4xf32> attributes {pet.candidate_of = @missing} {
  return %a : tensor<4xf32>
}

// -----

// expected-error @+1 {{'pet.candidate_of' must name a function, like @original}}
func.func @bad_marker(%a: tensor<4xf32>) -> tensor<4xf32> attributes {pet.candidate_of = "orig"} {
  return %a : tensor<4xf32>
}

// -----

// expected-error @+1 {{cannot evaluate: argument #0 has type 'tensor<?xf32>', not a statically shaped tensor}}
func.func @dynamic(%a: tensor<?xf32>) -> tensor<?xf32> {
  return %a : tensor<?xf32>
}

func.func @dynamic_candidate(%a: tensor<?xf32>) -> tensor<?xf32> attributes {pet.candidate_of = @dynamic} {
  return %a : tensor<?xf32>
}

// -----

// The H-split mutant with its seam rows corrected by recomputing the
// original convolution there: fully equivalent.

func.func @conv_ref(%x: tensor<1x2x8x8xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x3x8x8xf32> {
  %0 = pet.conv2d %x, %w pad_low [1, 1] pad_high [1, 1] : (tensor<1x2x8x8xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x8x8xf32>
  return %0 : tensor<1x3x8x8xf32>
}

// CHECK-LABEL: func.func @split_h_corrected
// CHECK-SAME: pet.nonequivalent = []
// expected-remark @+1 {{against @conv_ref: 18 of 18 boxes equivalent, 0 not}}
func.func @split_h_corrected(%x: tensor<1x2x8x8xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x3x8x8xf32> attributes {pet.candidate_of = @conv_ref} {
  %a, %b = pet.split %x axis 2 sizes [4, 4] : (tensor<1x2x8x8xf32>) -> (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>)
  %x2 = pet.concat %a, %b axis 0 : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>) -> tensor<2x2x4x8xf32>
  %y2 = pet.conv2d %x2, %w pad_low [1, 1] pad_high [1, 1] : (tensor<2x2x4x8xf32>, tensor<3x2x3x3xf32>) -> tensor<2x3x4x8xf32>
  %c, %d = pet.split %y2 axis 0 sizes [1, 1] : (tensor<2x3x4x8xf32>) -> (tensor<1x3x4x8xf32>, tensor<1x3x4x8xf32>)
  %m = pet.concat %c, %d axis 2 : (tensor<1x3x4x8xf32>, tensor<1x3x4x8xf32>) -> tensor<1x3x8x8xf32>
  %y = pet.correct %m from(%x, %w) boxes [[#pet.box<[0:1, 0:3, 3:5, 0:8]>]]
      : tensor<1x3x8x8xf32> from tensor<1x2x8x8xf32>, tensor<3x2x3x3xf32> {
  ^bb0(%p: tensor<1x2x8x8xf32>, %q: tensor<3x2x3x3xf32>):
    %0 = pet.conv2d %p, %q pad_low [1, 1] pad_high [1, 1] : (tensor<1x2x8x8xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x8x8xf32>
    pet.yield %0 : tensor<1x3x8x8xf32>
  }
  return %y : tensor<1x3x8x8xf32>
}
