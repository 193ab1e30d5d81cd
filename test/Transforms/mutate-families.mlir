// RUN: pet-opt %s -split-input-file --pet-mutate="min-gain=-100" | FileCheck %s
// RUN: pet-opt %s -split-input-file --pet-mutate="cost-db=%S/Inputs/merge-costs.json" | FileCheck %s --check-prefix=MERGE

// The mutant families of DESIGN.md, found by --pet-mutate on its own
// (`min-gain=-100` takes the cheapest mutant even when the roofline sees no
// gain; numerics: unittests/Transforms/MutateTest.cpp runs the same file).

// 1x1 and 3x3 convolutions of one input: with times saying the merged 7-filter
// convolution is fast, the 1x1 filter is zero-extended to 3x3, concatenated
// with the 3x3 filters, one convolution runs and its output is split.
// MERGE-LABEL: func.func @merge_1x1_3x3
// MERGE:      %[[P:.*]] = pet.pad %arg1 low [0, 0, 1, 1] high [0, 0, 1, 1]
// MERGE:      %[[W:.*]] = pet.concat {{.*}}%[[P]]{{.*}} axis 0
// MERGE:      %[[Y:.*]] = pet.conv2d %arg0, %[[W]] pad_low [1, 1] pad_high [1, 1] {pet.mutant = 0 : i64} : (tensor<1x2x5x5xf32>, tensor<7x2x3x3xf32>)
// MERGE:      pet.split %[[Y]] axis 1
// MERGE-NOT:  pet.conv2d
// MERGE:      return
func.func @merge_1x1_3x3(%x: tensor<1x2x5x5xf32>, %w1: tensor<3x2x1x1xf32>, %w3: tensor<4x2x3x3xf32>) -> (tensor<1x3x5x5xf32>, tensor<1x4x5x5xf32>) {
  %a = pet.conv2d %x, %w1 : (tensor<1x2x5x5xf32>, tensor<3x2x1x1xf32>) -> tensor<1x3x5x5xf32>
  %b = pet.conv2d %x, %w3 pad_low [1, 1] pad_high [1, 1] : (tensor<1x2x5x5xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x5x5xf32>
  %ra = pet.relu %a : tensor<1x3x5x5xf32>
  %rb = pet.relu %b : tensor<1x4x5x5xf32>
  return %ra, %rb : tensor<1x3x5x5xf32>, tensor<1x4x5x5xf32>
}

// -----

// Matmuls sharing an operand (Q, K, V projections): one matmul on the
// concatenated weights, split.
// CHECK-LABEL: func.func @qkv
// CHECK:      %[[W:.*]] = pet.concat %arg1, %arg2, %arg3 axis 1 {pet.mutant = 0 : i64} : {{.*}} -> tensor<6x9xf32>
// CHECK-NEXT: %[[Y:.*]] = pet.matmul %arg0, %[[W]] {pet.mutant = 0 : i64} : (tensor<4x6xf32>, tensor<6x9xf32>) -> tensor<4x9xf32>
// CHECK-NEXT: %[[S:.*]]:3 = pet.split %[[Y]] axis 1 sizes [3, 3, 3]
// CHECK-NEXT: return %[[S]]#0, %[[S]]#1, %[[S]]#2
func.func @qkv(%x: tensor<4x6xf32>, %q: tensor<6x3xf32>, %k: tensor<6x3xf32>, %v: tensor<6x3xf32>) -> (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>) {
  %0 = pet.matmul %x, %q : (tensor<4x6xf32>, tensor<6x3xf32>) -> tensor<4x3xf32>
  %1 = pet.matmul %x, %k : (tensor<4x6xf32>, tensor<6x3xf32>) -> tensor<4x3xf32>
  %2 = pet.matmul %x, %v : (tensor<4x6xf32>, tensor<6x3xf32>) -> tensor<4x3xf32>
  return %0, %1, %2 : tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>
}

// -----

// One filter on two inputs: the inputs concatenated along the batch.
// CHECK-LABEL: func.func @siamese
// CHECK:      %[[B:.*]] = pet.concat %arg0, %arg1 axis 0
// CHECK-NEXT: %[[Y:.*]] = pet.conv2d %[[B]], %arg2 pad_low [1, 1] pad_high [1, 1] {pet.mutant = 0 : i64} : (tensor<2x2x4x4xf32>
// CHECK-NEXT: pet.split %[[Y]] axis 0 sizes [1, 1]
func.func @siamese(%x: tensor<1x2x4x4xf32>, %y: tensor<1x2x4x4xf32>, %w: tensor<3x2x3x3xf32>) -> (tensor<1x3x4x4xf32>, tensor<1x3x4x4xf32>) {
  %a = pet.conv2d %x, %w pad_low [1, 1] pad_high [1, 1] : (tensor<1x2x4x4xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x4x4xf32>
  %b = pet.conv2d %y, %w pad_low [1, 1] pad_high [1, 1] : (tensor<1x2x4x4xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x4x4xf32>
  return %a, %b : tensor<1x3x4x4xf32>, tensor<1x3x4x4xf32>
}

// -----

// A convolution dilated by 2 as a dense one on the four parity sub-images
// (space-to-batch, batch-to-space).
// CHECK-LABEL: func.func @dilated
// CHECK:      pet.reshape %arg0 {{.*}} -> tensor<1x2x4x2x4x2xf32>
// CHECK-NEXT: pet.transpose {{.*}} perm [3, 5, 0, 1, 2, 4]
// CHECK-NEXT: pet.reshape {{.*}} -> tensor<4x2x4x4xf32>
// CHECK-NEXT: pet.conv2d {{.*}} pad_low [1, 1] pad_high [1, 1] {pet.mutant = 0 : i64} : (tensor<4x2x4x4xf32>
// CHECK-NOT:  dilations
// CHECK:      pet.transpose {{.*}} perm [2, 3, 4, 0, 5, 1]
func.func @dilated(%x: tensor<1x2x8x8xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x3x8x8xf32> {
  %0 = pet.conv2d %x, %w pad_low [2, 2] pad_high [2, 2] dilations [2, 2] : (tensor<1x2x8x8xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x8x8xf32>
  return %0 : tensor<1x3x8x8xf32>
}

// -----

// A 1x1 convolution of one image as a matrix product.
// CHECK-LABEL: func.func @pointwise
// CHECK-DAG:  %[[X:.*]] = pet.reshape %arg0 {pet.mutant = 0 : i64} : tensor<1x3x4x4xf32> -> tensor<3x16xf32>
// CHECK-DAG:  %[[W:.*]] = pet.reshape %arg1 {pet.mutant = 0 : i64} : tensor<5x3x1x1xf32> -> tensor<5x3xf32>
// CHECK:      %[[Y:.*]] = pet.matmul %[[W]], %[[X]]
// CHECK-NEXT: pet.reshape %[[Y]] {{.*}} -> tensor<1x5x4x4xf32>
// CHECK-NOT:  pet.conv2d
func.func @pointwise(%x: tensor<1x3x4x4xf32>, %w: tensor<5x3x1x1xf32>) -> tensor<1x5x4x4xf32> {
  %0 = pet.conv2d %x, %w : (tensor<1x3x4x4xf32>, tensor<5x3x1x1xf32>) -> tensor<1x5x4x4xf32>
  return %0 : tensor<1x5x4x4xf32>
}

// -----

// Convolutions of the two channel halves of one input are searched together
// with the split that makes the halves. Under the roofline the cheapest
// verified mutant is taken (any is exact: numerics in
// MutateTest.FamiliesKeepValues); with times saying a grouped convolution is
// fast, the two become one convolution of 2 groups on the whole input.
// CHECK-LABEL: func.func @halves
// CHECK: pet.mutant = 0 : i64
// CHECK: return
// MERGE-LABEL: func.func @halves
// MERGE-NEXT:  %[[W:.*]] = pet.concat %arg1, %arg2 axis 0 {pet.mutant = 0 : i64}
// MERGE-NEXT:  %[[Y:.*]] = pet.conv2d %arg0, %[[W]] pad_low [1, 1] pad_high [1, 1] groups 2 {pet.mutant = 0 : i64} : (tensor<1x4x6x6xf32>, tensor<6x2x3x3xf32>) -> tensor<1x6x6x6xf32>
// MERGE-NEXT:  %[[S:.*]]:2 = pet.split %[[Y]] axis 1 sizes [3, 3]
// MERGE-NEXT:  pet.relu %[[S]]#0
// MERGE-NEXT:  pet.relu %[[S]]#1
func.func @halves(%x: tensor<1x4x6x6xf32>, %w1: tensor<3x2x3x3xf32>, %w2: tensor<3x2x3x3xf32>) -> (tensor<1x3x6x6xf32>, tensor<1x3x6x6xf32>) {
  %a, %b = pet.split %x axis 1 sizes [2, 2] : (tensor<1x4x6x6xf32>) -> (tensor<1x2x6x6xf32>, tensor<1x2x6x6xf32>)
  %y1 = pet.conv2d %a, %w1 pad_low [1, 1] pad_high [1, 1] : (tensor<1x2x6x6xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x6x6xf32>
  %y2 = pet.conv2d %b, %w2 pad_low [1, 1] pad_high [1, 1] : (tensor<1x2x6x6xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x6x6xf32>
  %r1 = pet.relu %y1 : tensor<1x3x6x6xf32>
  %r2 = pet.relu %y2 : tensor<1x3x6x6xf32>
  return %r1, %r2 : tensor<1x3x6x6xf32>, tensor<1x3x6x6xf32>
}

// -----

// Reduction split: the 32 input channels in two groups of one grouped
// convolution (the filter's channel halves stacked along its outputs, a
// weight transform done once at load), the two partial sums added. Fully
// equivalent; with times saying the grouped convolution is fast, it wins.
// CHECK-LABEL: func.func @reduction_split
// MERGE-LABEL: func.func @reduction_split
// MERGE:      %[[H:.*]]:2 = pet.split %arg1 axis 1 sizes [16, 16]
// MERGE-NEXT: %[[W:.*]] = pet.concat %[[H]]#0, %[[H]]#1 axis 0 {{.*}} -> tensor<8x16x3x3xf32>
// MERGE-NEXT: %[[Y:.*]] = pet.conv2d %arg0, %[[W]] pad_low [1, 1] pad_high [1, 1] groups 2 {pet.mutant = 0 : i64} : (tensor<1x32x4x4xf32>, tensor<8x16x3x3xf32>) -> tensor<1x8x4x4xf32>
// MERGE-NEXT: %[[S:.*]]:2 = pet.split %[[Y]] axis 1 sizes [4, 4]
// MERGE-NEXT: %[[A:.*]] = pet.add %[[S]]#0, %[[S]]#1
// MERGE-NOT:  pet.correct
// MERGE:      pet.relu %[[A]]
func.func @reduction_split(%x: tensor<1x32x4x4xf32>, %w: tensor<4x32x3x3xf32> {pet.weight}) -> tensor<1x4x4x4xf32> {
  %0 = pet.conv2d %x, %w pad_low [1, 1] pad_high [1, 1] : (tensor<1x32x4x4xf32>, tensor<4x32x3x3xf32>) -> tensor<1x4x4x4xf32>
  %1 = pet.relu %0 : tensor<1x4x4x4xf32>
  return %1 : tensor<1x4x4x4xf32>
}

// -----

// Reduction split of a grouped convolution: every group's 8 input channels
// in two pieces, one convolution of 8 groups (the filter regrouped by
// reshape and transpose, once at load), the partial sums read as
// [N, groups, pieces, F/groups, H, W] and added. Fully equivalent.
// CHECK-LABEL: func.func @grouped_reduction_split
// MERGE-LABEL: func.func @grouped_reduction_split
// MERGE:      %[[W6:.*]] = pet.reshape %arg1 {{.*}}: tensor<8x8x3x3xf32> -> tensor<4x2x2x4x3x3xf32>
// MERGE-NEXT: %[[T:.*]] = pet.transpose %[[W6]] perm [0, 2, 1, 3, 4, 5]
// MERGE-NEXT: %[[W:.*]] = pet.reshape %[[T]] {{.*}}-> tensor<16x4x3x3xf32>
// MERGE-NEXT: %[[Y:.*]] = pet.conv2d %arg0, %[[W]] pad_low [1, 1] pad_high [1, 1] groups 8 {{.*}}-> tensor<1x16x2x2xf32>
// MERGE-NEXT: %[[R:.*]] = pet.reshape %[[Y]] {{.*}}-> tensor<1x4x2x2x2x2xf32>
// MERGE-NEXT: %[[S:.*]]:2 = pet.split %[[R]] axis 2 sizes [1, 1]
// MERGE-NEXT: %[[A:.*]] = pet.add %[[S]]#0, %[[S]]#1
// MERGE-NEXT: %[[O:.*]] = pet.reshape %[[A]] {{.*}}-> tensor<1x8x2x2xf32>
// MERGE-NOT:  pet.correct
// MERGE:      pet.relu %[[O]]
func.func @grouped_reduction_split(%x: tensor<1x32x2x2xf32>, %w: tensor<8x8x3x3xf32> {pet.weight}) -> tensor<1x8x2x2xf32> {
  %0 = pet.conv2d %x, %w pad_low [1, 1] pad_high [1, 1] groups 4 : (tensor<1x32x2x2xf32>, tensor<8x8x3x3xf32>) -> tensor<1x8x2x2xf32>
  %1 = pet.relu %0 : tensor<1x8x2x2xf32>
  return %1 : tensor<1x8x2x2xf32>
}

// -----

// Eight pieces where the output is small (2x2 here; 7x7 in ResNet-18's and
// ResNeXt-50's last stages): 128 channels in eight pieces of 16, one
// convolution of 8 groups (here reached as two pieces, each split in four by
// the second round's grouped split: cheaper by the estimate than eight
// pieces at once, which add in seven kernels).
// CHECK-LABEL: func.func @eight_way_reduction_split
// MERGE-LABEL: func.func @eight_way_reduction_split
// MERGE:      pet.conv2d %arg0, %{{.*}} pad_low [1, 1] pad_high [1, 1] groups 8 {{.*}}: (tensor<1x128x2x2xf32>, tensor<32x16x3x3xf32>) -> tensor<1x32x2x2xf32>
// MERGE-NOT:  pet.correct
func.func @eight_way_reduction_split(%x: tensor<1x128x2x2xf32>, %w: tensor<4x128x3x3xf32> {pet.weight}) -> tensor<1x4x2x2xf32> {
  %0 = pet.conv2d %x, %w pad_low [1, 1] pad_high [1, 1] : (tensor<1x128x2x2xf32>, tensor<4x128x3x3xf32>) -> tensor<1x4x2x2xf32>
  %1 = pet.relu %0 : tensor<1x4x2x2xf32>
  return %1 : tensor<1x4x2x2xf32>
}
