// RUN: pet-opt %s -split-input-file --pet-correction-kernels | FileCheck %s
// RUN: pet-opt %s -split-input-file --pet-correction-kernels=max-work=100 | FileCheck %s --check-prefix=SMALL

// The seam rows of an H-split mutant (six boxes, merged into one of 2 rows x
// 3 channels x 7 columns): one loop of 42 iterations. Each evaluates the
// convolution at its position from its description: the channel and filter
// window as reduction loops, bounds checks only for the padded width (the
// rows a seam reads are inside the image), and writes its element of the
// mutant in place.

// CHECK-LABEL: func.func @seam
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x8x7xf32>, %[[W:.*]]: tensor<3x2x3x3xf32>, %[[M:.*]]: tensor<1x3x8x7xf32>)
// CHECK: %[[R:.*]] = scf.forall (%[[P:.*]]) in (42) shared_outs(%[[O:.*]] = %[[M]]) -> (tensor<1x3x8x7xf32>)
// CHECK-DAG: %[[F:.*]] = affine.apply #{{.*}}(%[[P]])
// CHECK-DAG: %[[H:.*]] = affine.apply #{{.*}}(%[[P]])
// CHECK-DAG: %[[WD:.*]] = affine.apply #{{.*}}(%[[P]])
// CHECK: %[[SL:.*]] = tensor.extract_slice %[[O]][%c0, %[[F]], %[[H]], %[[WD]]] [1, 1, 1, 1] [1, 1, 1, 1]
// CHECK: %[[SUM:.*]] = scf.for %[[C:.*]] = %{{.*}} to %c2
// CHECK: scf.for %{{.*}} = %{{.*}} to %c3
// CHECK: scf.for %{{.*}} = %{{.*}} to %c3
// CHECK-NOT: arith.cmpi {{.*}}%c8
// CHECK: arith.cmpi slt, %{{.*}}, %c7
// CHECK: %[[IN:.*]] = tensor.extract %[[X]]
// CHECK: %[[MASKED:.*]] = arith.select %{{.*}}, %[[IN]], %{{.*}} : f32
// CHECK: %[[WV:.*]] = tensor.extract %[[W]]
// CHECK: arith.mulf %[[MASKED]], %[[WV]]
// CHECK: %[[V:.*]] = tensor.insert %[[SUM]] into %[[SL]]
// CHECK: scf.forall.in_parallel
// CHECK-NEXT: tensor.parallel_insert_slice %[[V]] into %[[O]][%c0, %[[F]], %[[H]], %[[WD]]] [1, 1, 1, 1] [1, 1, 1, 1]
// CHECK: return %[[R]]

// Over the work limit (42 positions x 18 multiply-adds): left to --pet-correct.
// SMALL-LABEL: func.func @seam
// SMALL: pet.correct
func.func @seam(%x: tensor<1x2x8x7xf32>, %w: tensor<3x2x3x3xf32>, %m: tensor<1x3x8x7xf32>) -> tensor<1x3x8x7xf32> {
  %y = pet.correct %m from(%x, %w) boxes [[#pet.box<[0:1, 0:3, 3:4, 0:1]>, #pet.box<[0:1, 0:3, 3:4, 1:6]>, #pet.box<[0:1, 0:3, 3:4, 6:7]>, #pet.box<[0:1, 0:3, 4:5, 0:1]>, #pet.box<[0:1, 0:3, 4:5, 1:6]>, #pet.box<[0:1, 0:3, 4:5, 6:7]>]]
      : tensor<1x3x8x7xf32> from tensor<1x2x8x7xf32>, tensor<3x2x3x3xf32> {
  ^bb0(%a: tensor<1x2x8x7xf32>, %b: tensor<3x2x3x3xf32>):
    %0 = pet.conv2d %a, %b pad_low [1, 1] pad_high [1, 1] : (tensor<1x2x8x7xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x8x7xf32>
    pet.yield %0 : tensor<1x3x8x7xf32>
  }
  return %y : tensor<1x3x8x7xf32>
}

// -----

// Two results, one loop: iterations 0-11 belong to the first (rows 1-2 of
// the scaled matmul), 12-15 to the second (row 5 of the reshape, evaluated
// through the reshape's floordiv/mod description). Each iteration inserts a
// slice of one row into its own result and of none into the other.

// CHECK-LABEL: func.func @chain
// CHECK-SAME: (%[[A:.*]]: tensor<4x3xf32>, %[[B:.*]]: tensor<3x6xf32>, %[[M:.*]]: tensor<4x6xf32>, %[[N:.*]]: tensor<6x4xf32>)
// CHECK: %[[R:.*]]:2 = scf.forall (%[[P:.*]]) in (16) shared_outs(%[[O0:.*]] = %[[M]], %[[O1:.*]] = %[[N]])
// CHECK: %[[MINE0:.*]] = arith.andi
// CHECK: %[[SZ0:.*]] = arith.select %[[MINE0]], %c1, %c0
// CHECK: %[[S0:.*]] = tensor.extract_slice %[[O0]][%{{.*}}, %{{.*}}] [%[[SZ0]], 1] [1, 1] : tensor<4x6xf32> to tensor<?x1xf32>
// CHECK: %[[U0:.*]] = scf.if %[[MINE0]] -> (tensor<?x1xf32>)
// CHECK: scf.for
// CHECK: arith.mulf %{{.*}}, %cst
// CHECK: tensor.insert
// CHECK: } else {
// CHECK-NEXT: scf.yield %[[S0]]
// CHECK: %[[S1:.*]] = tensor.extract_slice %[[O1]]
// CHECK: %[[U1:.*]] = scf.if
// CHECK: scf.forall.in_parallel
// CHECK-NEXT: tensor.parallel_insert_slice %[[U0]] into %[[O0]]
// CHECK-NEXT: tensor.parallel_insert_slice %[[U1]] into %[[O1]]
// CHECK: return %[[R]]#0, %[[R]]#1
func.func @chain(%a: tensor<4x3xf32>, %b: tensor<3x6xf32>, %m: tensor<4x6xf32>, %n: tensor<6x4xf32>) -> (tensor<4x6xf32>, tensor<6x4xf32>) {
  %y:2 = pet.correct %m, %n from(%a, %b) boxes [[#pet.box<[1:3, 0:6]>], [#pet.box<[5:6, 0:4]>]]
      : tensor<4x6xf32>, tensor<6x4xf32> from tensor<4x3xf32>, tensor<3x6xf32> {
  ^bb0(%p: tensor<4x3xf32>, %q: tensor<3x6xf32>):
    %0 = pet.matmul %p, %q : (tensor<4x3xf32>, tensor<3x6xf32>) -> tensor<4x6xf32>
    %1 = pet.scale %0 by 2.0 : tensor<4x6xf32>
    %2 = pet.reshape %1 : tensor<4x6xf32> -> tensor<6x4xf32>
    pet.yield %1, %2 : tensor<4x6xf32>, tensor<6x4xf32>
  }
  return %y#0, %y#1 : tensor<4x6xf32>, tensor<6x4xf32>
}

// -----

// Element-wise operators in the region: the bias (broadcast over the
// positions' width) added and the ReLU applied at each position; a pad's
// border (position 0 of the padded tensor) reads nothing and gives zero.

// CHECK-LABEL: func.func @bias_relu_pad
// CHECK: scf.forall (%{{.*}}) in (4)
// CHECK-NOT: scf.for
// CHECK: tensor.extract %arg0
// CHECK: arith.select
// CHECK: tensor.extract %arg1
// CHECK: arith.addf
// CHECK: arith.maximumf
// CHECK: tensor.parallel_insert_slice
func.func @bias_relu_pad(%x: tensor<2x4xf32>, %bias: tensor<1x6xf32>, %m: tensor<2x6xf32>) -> tensor<2x6xf32> {
  %y = pet.correct %m from(%x, %bias) boxes [[#pet.box<[0:2, 0:2]>]]
      : tensor<2x6xf32> from tensor<2x4xf32>, tensor<1x6xf32> {
  ^bb0(%a: tensor<2x4xf32>, %b: tensor<1x6xf32>):
    %0 = pet.pad %a low [0, 1] high [0, 1] : tensor<2x4xf32> -> tensor<2x6xf32>
    %1 = pet.add %0, %b : (tensor<2x6xf32>, tensor<1x6xf32>) -> tensor<2x6xf32>
    %2 = pet.relu %1 : tensor<2x6xf32>
    pet.yield %2 : tensor<2x6xf32>
  }
  return %y : tensor<2x6xf32>
}

// -----

// Softmax has no pointwise form: the correction stays for --pet-correct.

// CHECK-LABEL: func.func @softmax
// CHECK: pet.correct
// CHECK-NOT: scf.forall
func.func @softmax(%x: tensor<2x4xf32>, %m: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %y = pet.correct %m from(%x) boxes [[#pet.box<[0:1, 0:4]>]]
      : tensor<2x4xf32> from tensor<2x4xf32> {
  ^bb0(%a: tensor<2x4xf32>):
    %0 = pet.softmax %a axis 1 : tensor<2x4xf32>
    pet.yield %0 : tensor<2x4xf32>
  }
  return %y : tensor<2x4xf32>
}

// -----

// No boxes: the mutant as it is.

// CHECK-LABEL: func.func @nothing_wrong
// CHECK-NEXT: return %arg1
func.func @nothing_wrong(%x: tensor<4xf32>, %m: tensor<4xf32>) -> tensor<4xf32> {
  %y = pet.correct %m from(%x) boxes [[]] : tensor<4xf32> from tensor<4xf32> {
  ^bb0(%a: tensor<4xf32>):
    pet.yield %a : tensor<4xf32>
  }
  return %y : tensor<4xf32>
}

// -----

// Long reductions are split: each seam position of a 3x3 convolution over
// 64 channels takes 576 multiply-adds, so a first loop over (chunk,
// position) computes partial sums over 22 channels each (3 chunks, a GPU
// thread each; neighbouring threads at neighbouring positions), and the
// loop over the positions adds them up.
// CHECK-LABEL: func.func @split_reduction
// CHECK: %[[E:.*]] = tensor.empty() : tensor<3x4xf32>
// CHECK: %[[PARTS:.*]] = scf.forall (%[[K:.*]], %[[P:.*]]) in (3, 4) shared_outs(%[[T:.*]] = %[[E]]) -> (tensor<3x4xf32>)
// CHECK: %[[LB:.*]] = arith.muli %[[K]], %c22
// CHECK: %[[END:.*]] = arith.addi %[[LB]], %c22
// CHECK: %[[UB:.*]] = arith.minsi %[[END]], %c64
// CHECK: scf.for %{{.*}} = %[[LB]] to %[[UB]]
// CHECK: %[[S:.*]] = tensor.extract_slice %[[T]][%[[K]], %[[P]]] [1, 1] [1, 1]
// CHECK: %[[U:.*]] = tensor.insert %{{.*}} into %[[S]][%c0{{.*}}, %c0{{.*}}]
// CHECK: tensor.parallel_insert_slice %[[U]] into %[[T]][%[[K]], %[[P]]] [1, 1] [1, 1]
// CHECK: scf.forall (%[[Q:.*]]) in (4) shared_outs
// CHECK: scf.for %[[J:.*]] = %c0{{.*}} to %c3
// CHECK: tensor.extract %[[PARTS]][%[[J]], %[[Q]]]
// SMALL-LABEL: func.func @split_reduction
// SMALL: pet.correct
func.func @split_reduction(%x: tensor<1x64x4x4xf32>, %w: tensor<2x64x3x3xf32>, %m: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %y = pet.correct %m from(%x, %w) boxes [[#pet.box<[0:1, 0:2, 1:3, 0:1]>]]
      : tensor<1x2x4x4xf32> from tensor<1x64x4x4xf32>, tensor<2x64x3x3xf32> {
  ^bb0(%a: tensor<1x64x4x4xf32>, %b: tensor<2x64x3x3xf32>):
    %0 = pet.conv2d %a, %b pad_low [1, 1] pad_high [1, 1] : (tensor<1x64x4x4xf32>, tensor<2x64x3x3xf32>) -> tensor<1x2x4x4xf32>
    pet.yield %0 : tensor<1x2x4x4xf32>
  }
  return %y : tensor<1x2x4x4xf32>
}

// -----

// The chunk count follows from the chunk size: 900 multiply-adds a position
// want 4 chunks of the 9 channels, chunks of 3 channels make 3, and the sum
// adds exactly those 3.
// CHECK-LABEL: func.func @uneven_chunks
// CHECK: %[[PARTS:.*]] = scf.forall (%{{.*}}, %{{.*}}) in (3, 2) shared_outs
// CHECK: arith.muli %{{.*}}, %c3
// CHECK: scf.forall (%[[Q:.*]]) in (2) shared_outs
// CHECK: scf.for %[[J:.*]] = %c0{{.*}} to %c3{{.*}} step
// CHECK: tensor.extract %[[PARTS]][%[[J]], %[[Q]]]
func.func @uneven_chunks(%x: tensor<1x9x10x10xf32>, %w: tensor<2x9x10x10xf32>, %m: tensor<1x2x1x1xf32>) -> tensor<1x2x1x1xf32> {
  %y = pet.correct %m from(%x, %w) boxes [[#pet.box<[0:1, 0:2, 0:1, 0:1]>]]
      : tensor<1x2x1x1xf32> from tensor<1x9x10x10xf32>, tensor<2x9x10x10xf32> {
  ^bb0(%a: tensor<1x9x10x10xf32>, %b: tensor<2x9x10x10xf32>):
    %0 = pet.conv2d %a, %b : (tensor<1x9x10x10xf32>, tensor<2x9x10x10xf32>) -> tensor<1x2x1x1xf32>
    pet.yield %0 : tensor<1x2x1x1xf32>
  }
  return %y : tensor<1x2x1x1xf32>
}
