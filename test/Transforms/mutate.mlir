// RUN: pet-opt %s -split-input-file --pet-mutate="cost-db=%S/Inputs/split-conv-costs.json" 2>&1 | FileCheck %s
// RUN: pet-opt %s -split-input-file --pet-mutate 2>&1 | FileCheck %s --check-prefix=ROOF

// With measured times saying that this convolution runs 5x faster on a
// batch of two half images, the generator's H-split mutant wins, and the
// two seam rows (3 and 4) are recomputed by the original convolution. The
// image is 7 wide, so no W split exists. The split and concatenations cost
// nothing (the GPU lowering passes the halves to cuDNN as views and writes
// them back in place): 10 us and the correction.

// CHECK: remark: subprogram 0 of @conv: a mutant of 5 operator(s) replaces 1 (75.0% of output positions equivalent, 6 box(es) corrected); estimated 50.00 us -> 12.00 us
// CHECK-LABEL: func.func @conv
// CHECK:      %[[H:.*]]:2 = pet.split %[[X:.*]] axis 2 sizes [4, 4] {pet.mutant = 0 : i64}
// CHECK-NEXT: %[[B:.*]] = pet.concat %[[H]]#0, %[[H]]#1 axis 0
// CHECK-NEXT: %[[C:.*]] = pet.conv2d %[[B]], %[[W:.*]] pad_low [1, 1] pad_high [1, 1] {pet.mutant = 0 : i64} : (tensor<2x2x4x7xf32>
// CHECK-NEXT: %[[S:.*]]:2 = pet.split %[[C]] axis 0 sizes [1, 1]
// CHECK-NEXT: %[[M:.*]] = pet.concat %[[S]]#0, %[[S]]#1 axis 2
// CHECK-NEXT: %[[F:.*]] = pet.correct %[[M]] from(%[[X]], %[[W]]) boxes {{\[}}[#pet.box<[0:1, 0:3, 3:4, 0:1]>, #pet.box<[0:1, 0:3, 3:4, 1:6]>, #pet.box<[0:1, 0:3, 3:4, 6:7]>, #pet.box<[0:1, 0:3, 4:5, 0:1]>, #pet.box<[0:1, 0:3, 4:5, 1:6]>, #pet.box<[0:1, 0:3, 4:5, 6:7]>]]
// CHECK:        pet.conv2d
// CHECK-NEXT:   pet.yield
// CHECK:      pet.relu %[[F]]

// Without measurements the roofline sees no gain: nothing changes.
// ROOF-NOT: remark
// ROOF-LABEL: func.func @conv
// ROOF-NEXT: pet.conv2d %arg0, %arg1 pad_low [1, 1] pad_high [1, 1] : (tensor<1x2x8x7xf32>
// ROOF-NEXT: pet.relu

func.func @conv(%x: tensor<1x2x8x7xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x3x8x7xf32> {
  %0 = pet.conv2d %x, %w pad_low [1, 1] pad_high [1, 1] : (tensor<1x2x8x7xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x8x7xf32>
  %1 = pet.relu %0 : tensor<1x3x8x7xf32>
  return %1 : tensor<1x3x8x7xf32>
}
