// RUN: pet-opt %s --pet-mutate="rounds=1 cost-db=%S/Inputs/merge-split-costs.json report=%t1.json" | FileCheck %s --check-prefix=ONE
// RUN: FileCheck %s --input-file=%t1.json --check-prefix=REPORT1
// RUN: pet-opt %s --pet-mutate="cost-db=%S/Inputs/merge-split-costs.json report=%t2.json" | FileCheck %s --check-prefix=TWO
// RUN: FileCheck %s --input-file=%t2.json --check-prefix=REPORT2
// RUN: pet-opt %s --pet-mutate="beam-width=1 rounds=3 cost-db=%S/Inputs/merge-split-costs.json" | FileCheck %s --check-prefix=TWO

// The optimizer's rounds (numerics: unittests/Transforms/MutateTest.cpp runs
// the same pipelines). Two 3x3 convolutions of one input; the cost database
// says the merged 6-filter convolution is faster, and the merged one on a
// batch of two half images (H split) much faster. That takes five moves, more
// than one search of depth 4 makes: the first round merges, the second
// splits the merged convolution (a window of the first round's program) and
// is verified against the original, whose seam rows it recomputes. The
// merged result's split is free (its halves are views read by the ReLUs):
// the first round's program costs the convolution's 40 us and the filters'
// concatenation.

// ONE-LABEL: func.func @two
// ONE:       %[[W:.*]] = pet.concat %arg1, %arg2 axis 0 {pet.mutant = 0 : i64}
// ONE-NEXT:  %[[Y:.*]] = pet.conv2d %arg0, %[[W]] pad_low [1, 1] pad_high [1, 1] {pet.mutant = 0 : i64} : (tensor<1x2x8x7xf32>, tensor<6x2x3x3xf32>)
// ONE-NEXT:  pet.split %[[Y]] axis 1 sizes [3, 3]
// ONE-NOT:   pet.correct
// REPORT1:   "cost_after_us": 42
// REPORT1:   "found_in_round": 1
// REPORT1:   "rounds": 1

// TWO-LABEL: func.func @two
// TWO-DAG:   %[[W:.*]] = pet.concat %arg1, %arg2 axis 0
// TWO-DAG:   %[[H:.*]]:2 = pet.split %arg0 axis 2 sizes [4, 4]
// TWO:       %[[B:.*]] = pet.concat %[[H]]#0, %[[H]]#1 axis 0
// TWO-NEXT:  %[[Y:.*]] = pet.conv2d %[[B]], %[[W]] pad_low [1, 1] pad_high [1, 1] {pet.mutant = 0 : i64} : (tensor<2x2x4x7xf32>, tensor<6x2x3x3xf32>) -> tensor<2x6x4x7xf32>
// TWO:       %[[S:.*]]:2 = pet.split %{{.*}} axis 1 sizes [3, 3]
// TWO-NEXT:  pet.correct %[[S]]#0, %[[S]]#1 from(%arg0, %arg1, %arg2) boxes {{\[\[}}#pet.box<[0:1, 0:3, 3:4, 0:1]>,
// TWO-SAME:  #pet.box<[0:1, 0:3, 4:5, 6:7]>], [#pet.box<[0:1, 0:3, 3:4, 0:1]>,
// REPORT2:   "equivalent_fraction": 0.75
// REPORT2:   "found_in_round": 2
// REPORT2:   "rounds": 2

func.func @two(%x: tensor<1x2x8x7xf32>, %w1: tensor<3x2x3x3xf32>, %w2: tensor<3x2x3x3xf32>) -> (tensor<1x3x8x7xf32>, tensor<1x3x8x7xf32>) {
  %0 = pet.conv2d %x, %w1 pad_low [1, 1] pad_high [1, 1] : (tensor<1x2x8x7xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x8x7xf32>
  %1 = pet.conv2d %x, %w2 pad_low [1, 1] pad_high [1, 1] : (tensor<1x2x8x7xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x8x7xf32>
  %2 = pet.relu %0 : tensor<1x3x8x7xf32>
  %3 = pet.relu %1 : tensor<1x3x8x7xf32>
  return %2, %3 : tensor<1x3x8x7xf32>, tensor<1x3x8x7xf32>
}
