// RUN: pet-opt %s -split-input-file --convert-pet-to-linalg | FileCheck %s

// Every PET operator lowered to linalg-on-tensors. Numerics: each function
// here runs on the CPU (python/tests/test_cpu.py) and is compared with PET's
// reference evaluator on the same inputs.

// A padded, strided convolution of one group: linalg's named convolution on
// the zero-padded input, cut to the rows and columns the windows read.
// CHECK-LABEL: func.func @conv_strided
// CHECK:       %[[P:.*]] = tensor.pad %arg0 low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK:       %[[S:.*]] = tensor.extract_slice %[[P]][0, 0, 0, 0] [1, 2, 7, 7] [1, 1, 1, 1]
// CHECK:       linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%[[S]], %arg1 : tensor<1x2x7x7xf32>, tensor<3x2x3x3xf32>)
// CHECK-NOT:   pet.
func.func @conv_strided(%x: tensor<1x2x6x6xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x3x3x3xf32> {
  %0 = pet.conv2d %x, %w strides [2, 2] pad_low [1, 1] pad_high [1, 1] : (tensor<1x2x6x6xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x3x3xf32>
  return %0 : tensor<1x3x3x3xf32>
}

// -----

// A grouped convolution: linalg's NGCHW/GFCHW convolution on the input and
// filter with the groups as a dimension of their own (no floordiv in an
// indexing map, which IREE cannot tile for every group size), the result
// collapsed back to NCHW.
// CHECK-LABEL: func.func @conv_grouped_dilated
// CHECK:       %[[P:.*]] = tensor.pad %arg0 low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK:       %[[X:.*]] = tensor.expand_shape %[[P]] {{\[}}[0], [1, 2], [3], [4]] output_shape [2, 2, 2, 9, 9]
// CHECK:       %[[W:.*]] = tensor.expand_shape %arg1 {{\[}}[0, 1], [2], [3], [4]] output_shape [2, 3, 2, 3, 3]
// CHECK:       %[[C:.*]] = linalg.conv_2d_ngchw_gfchw {dilations = dense<2> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%[[X]], %[[W]] : tensor<2x2x2x9x9xf32>, tensor<2x3x2x3x3xf32>)
// CHECK:       tensor.collapse_shape %[[C]] {{\[}}[0], [1, 2], [3], [4]] : tensor<2x2x3x5x5xf32> into tensor<2x6x5x5xf32>
// CHECK-NOT:   linalg.generic
// CHECK-NOT:   pet.
func.func @conv_grouped_dilated(%x: tensor<2x4x7x7xf32>, %w: tensor<6x2x3x3xf32>) -> tensor<2x6x5x5xf32> {
  %0 = pet.conv2d %x, %w pad_low [1, 1] pad_high [1, 1] dilations [2, 2] groups 2 : (tensor<2x4x7x7xf32>, tensor<6x2x3x3xf32>) -> tensor<2x6x5x5xf32>
  return %0 : tensor<2x6x5x5xf32>
}

// -----

// A plain matmul is linalg.matmul; a transposed operand is transposed
// first (a copy), so that the product stays a named operator.
// CHECK-LABEL: func.func @matmuls
// CHECK:       linalg.matmul ins(%arg0, %arg1
// CHECK:       %[[TB:.*]] = linalg.transpose ins(%arg1 : tensor<6x5xf32>) outs(%{{.*}} : tensor<5x6xf32>) permutation = [1, 0]
// CHECK:       %[[TA:.*]] = linalg.transpose ins(%arg0 : tensor<4x6xf32>) outs(%{{.*}} : tensor<6x4xf32>) permutation = [1, 0]
// CHECK:       linalg.matmul ins(%[[TB]], %[[TA]] : tensor<5x6xf32>, tensor<6x4xf32>)
// CHECK:       %[[TC:.*]] = linalg.transpose ins(%arg2 : tensor<2x6x4xf32>) outs(%{{.*}} : tensor<2x4x6xf32>) permutation = [0, 2, 1]
// CHECK:       %[[TD:.*]] = linalg.transpose ins(%arg3 : tensor<2x5x6xf32>) outs(%{{.*}} : tensor<2x6x5xf32>) permutation = [0, 2, 1]
// CHECK:       linalg.batch_matmul ins(%[[TC]], %[[TD]]
// CHECK-NOT:   linalg.generic
// CHECK-NOT:   pet.
func.func @matmuls(%a: tensor<4x6xf32>, %b: tensor<6x5xf32>, %c: tensor<2x6x4xf32>, %d: tensor<2x5x6xf32>) -> (tensor<4x5xf32>, tensor<5x4xf32>, tensor<2x4x5xf32>) {
  %0 = pet.matmul %a, %b : (tensor<4x6xf32>, tensor<6x5xf32>) -> tensor<4x5xf32>
  %1 = pet.matmul %b, %a transpose_lhs transpose_rhs : (tensor<6x5xf32>, tensor<4x6xf32>) -> tensor<5x4xf32>
  %2 = pet.batch_matmul %c, %d transpose_lhs transpose_rhs : (tensor<2x6x4xf32>, tensor<2x5x6xf32>) -> tensor<2x4x5xf32>
  return %0, %1, %2 : tensor<4x5xf32>, tensor<5x4xf32>, tensor<2x4x5xf32>
}

// -----

// Broadcasting element-wise operators (the bias read at (d0, d1, 0, 0)); the
// two terms of a sum in one generic, which writes the result without
// reading it (no zero fill to add to).
// CHECK-DAG:   #[[B:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, 0, 0)>
// CHECK-LABEL: func.func @elementwise
// CHECK:       %[[E:.*]] = tensor.empty() : tensor<1x3x4x4xf32>
// CHECK-NEXT:  linalg.generic {indexing_maps = [#{{.*}}, #[[B]], #{{.*}}], {{.*}} outs(%[[E]] : tensor<1x3x4x4xf32>)
// CHECK-NEXT:  ^bb0(%[[X:.*]]: f32, %[[S:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT:  %[[P:.*]] = arith.mulf %[[X]], %[[S]] : f32
// CHECK-NEXT:  linalg.yield %[[P]] : f32
// CHECK:       ^bb0(%[[L:.*]]: f32, %[[R:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT:  %[[SUM:.*]] = arith.addf %[[L]], %[[R]] : f32
// CHECK-NEXT:  linalg.yield %[[SUM]] : f32
// CHECK-NOT:   linalg.fill
// CHECK-NOT:   pet.
func.func @elementwise(%x: tensor<1x3x4x4xf32>, %b: tensor<1x3x1x1xf32>, %y: tensor<1x3x4x4xf32>) -> (tensor<1x3x4x4xf32>, tensor<1x3x4x4xf32>, tensor<1x3x4x4xf32>, tensor<1x3x4x4xf32>) {
  %0 = pet.mul %x, %b : (tensor<1x3x4x4xf32>, tensor<1x3x1x1xf32>) -> tensor<1x3x4x4xf32>
  %1 = pet.add %x, %y : (tensor<1x3x4x4xf32>, tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  %2 = pet.sub %b, %y : (tensor<1x3x1x1xf32>, tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  %3 = pet.scale %x by -1.5 : tensor<1x3x4x4xf32>
  return %0, %1, %2, %3 : tensor<1x3x4x4xf32>, tensor<1x3x4x4xf32>, tensor<1x3x4x4xf32>, tensor<1x3x4x4xf32>
}

// -----

// Average pooling: the window's loops get their range from a tensor of the
// window's shape; without counting the padding, a count of in-bounds reads
// divides the sum.
// CHECK-LABEL: func.func @avg_pool
// CHECK:       tensor.empty() : tensor<3x3xf32>
// CHECK:       arith.divf
// CHECK:       arith.select
// CHECK-NOT:   pet.
func.func @avg_pool(%x: tensor<1x2x5x5xf32>) -> (tensor<1x2x5x5xf32>, tensor<1x2x4x4xf32>) {
  %0 = pet.avg_pool2d %x kernel [3, 3] strides [1, 1] pad_low [1, 1] pad_high [1, 1] : tensor<1x2x5x5xf32> -> tensor<1x2x5x5xf32>
  %1 = pet.avg_pool2d %x kernel [3, 3] strides [1, 1] pad_low [1, 0] pad_high [0, 1] exclude_pad : tensor<1x2x5x5xf32> -> tensor<1x2x4x4xf32>
  return %0, %1 : tensor<1x2x5x5xf32>, tensor<1x2x4x4xf32>
}

// -----

// Layout operators as their tensor-dialect counterparts. A reshape is a
// collapse to one dimension and an expand.
// CHECK-LABEL: func.func @layout
// CHECK:       linalg.transpose ins(%arg0 : tensor<2x3x4xf32>) outs(%{{.*}} : tensor<4x2x3xf32>) permutation = [2, 0, 1]
// CHECK:       tensor.collapse_shape %{{.*}} {{\[\[}}0, 1, 2]] : tensor<2x3x4xf32> into tensor<24xf32>
// CHECK:       tensor.expand_shape %{{.*}} {{\[\[}}0, 1]] output_shape [6, 4] : tensor<24xf32> into tensor<6x4xf32>
// CHECK:       tensor.concat dim(1) %arg0, %arg1
// CHECK:       tensor.extract_slice %arg0[0, 0, 0] [2, 1, 4] [1, 1, 1]
// CHECK:       tensor.extract_slice %arg0[0, 1, 0] [2, 2, 4] [1, 1, 1]
// CHECK:       %[[S:.*]] = tensor.extract_slice %arg0[0, 0, 1] [2, 3, 2] [1, 1, 2]
// CHECK:       tensor.pad %arg0 low[0, 1, 2] high[0, 1, 0]
// CHECK:       tensor.insert_slice %[[S]] into %arg1[0, 0, 1] [2, 3, 2] [1, 1, 1]
// CHECK-NOT:   pet.
func.func @layout(%x: tensor<2x3x4xf32>, %y: tensor<2x3x4xf32>) -> (tensor<4x2x3xf32>, tensor<6x4xf32>, tensor<2x6x4xf32>, tensor<2x1x4xf32>, tensor<2x2x4xf32>, tensor<2x3x2xf32>, tensor<2x5x6xf32>, tensor<2x3x4xf32>) {
  %0 = pet.transpose %x perm [2, 0, 1] : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  %1 = pet.reshape %x : tensor<2x3x4xf32> -> tensor<6x4xf32>
  %2 = pet.concat %x, %y axis 1 : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<2x6x4xf32>
  %3:2 = pet.split %x axis 1 sizes [1, 2] : (tensor<2x3x4xf32>) -> (tensor<2x1x4xf32>, tensor<2x2x4xf32>)
  %4 = pet.slice %x offsets [0, 0, 1] sizes [2, 3, 2] strides [1, 1, 2] : tensor<2x3x4xf32> -> tensor<2x3x2xf32>
  %5 = pet.pad %x low [0, 1, 2] high [0, 1, 0] : tensor<2x3x4xf32> -> tensor<2x5x6xf32>
  %6 = pet.insert %4 into %y offsets [0, 0, 1] : tensor<2x3x2xf32> into tensor<2x3x4xf32>
  return %0, %1, %2, %3#0, %3#1, %4, %5, %6 : tensor<4x2x3xf32>, tensor<6x4xf32>, tensor<2x6x4xf32>, tensor<2x1x4xf32>, tensor<2x2x4xf32>, tensor<2x3x2xf32>, tensor<2x5x6xf32>, tensor<2x3x4xf32>
}

// -----

// CHECK-LABEL: func.func @activations
// CHECK:       arith.maximumf
// CHECK:       math.exp
// CHECK:       math.tanh
// CHECK:       math.erf
// CHECK:       math.tanh
// CHECK:       math.rsqrt
// CHECK-NOT:   pet.
func.func @activations(%x: tensor<2x8xf32>) -> (tensor<2x8xf32>, tensor<2x8xf32>, tensor<2x8xf32>, tensor<2x8xf32>, tensor<2x8xf32>, tensor<2x8xf32>) {
  %0 = pet.relu %x : tensor<2x8xf32>
  %1 = pet.sigmoid %x : tensor<2x8xf32>
  %2 = pet.tanh %x : tensor<2x8xf32>
  %3 = pet.gelu %x : tensor<2x8xf32>
  %4 = pet.gelu %x approximate : tensor<2x8xf32>
  %5 = pet.rsqrt %x : tensor<2x8xf32>
  return %0, %1, %2, %3, %4, %5 : tensor<2x8xf32>, tensor<2x8xf32>, tensor<2x8xf32>, tensor<2x8xf32>, tensor<2x8xf32>, tensor<2x8xf32>
}

// -----

// Softmax and layer normalization: reductions, broadcast back.
// A safe softmax selects zero where the lane's maximum is -inf.
// CHECK-LABEL: func.func @normalizations
// CHECK:       iterator_types = ["parallel", "reduction", "parallel"]
// CHECK:       math.exp
// CHECK:       arith.divf
// CHECK-NOT:   arith.select
// CHECK:       math.exp
// CHECK:       %[[Q:.*]] = arith.divf
// CHECK:       %[[E:.*]] = arith.cmpf oeq
// CHECK:       arith.select %[[E]], %{{.*}}, %[[Q]]
// CHECK:       math.rsqrt
// CHECK-NOT:   pet.
func.func @normalizations(%x: tensor<2x5x3xf32>) -> (tensor<2x5x3xf32>, tensor<2x5x3xf32>, tensor<2x5x3xf32>) {
  %0 = pet.softmax %x axis 1 : tensor<2x5x3xf32>
  %s = pet.softmax %x axis 1 safe : tensor<2x5x3xf32>
  %1 = pet.layer_norm %x axis 1 epsilon 1.0e-5 : tensor<2x5x3xf32>
  return %0, %s, %1 : tensor<2x5x3xf32>, tensor<2x5x3xf32>, tensor<2x5x3xf32>
}

// -----

// Max pooling on an input padded with -infinity.
// CHECK-LABEL: func.func @max_pool
// CHECK:       %[[P:.*]] = tensor.pad %arg0 low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK:       arith.constant 0xFF800000 : f32
// CHECK:       linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%[[P]], %{{.*}} : tensor<1x2x9x9xf32>, tensor<3x3xf32>)
// CHECK-NOT:   pet.
func.func @max_pool(%x: tensor<1x2x7x7xf32>) -> tensor<1x2x4x4xf32> {
  %0 = pet.max_pool2d %x kernel [3, 3] strides [2, 2] pad_low [1, 1] pad_high [1, 1] : tensor<1x2x7x7xf32> -> tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}

// -----

// A correction not materialized by --pet-correct: the original computed and
// its boxes written into the mutant.
// CHECK-LABEL: func.func @correction
// CHECK:       tensor.extract_slice %{{.*}}[0, 0, 3, 0] [1, 3, 2, 7] [1, 1, 1, 1]
// CHECK:       tensor.insert_slice %{{.*}}[0, 0, 3, 0] [1, 3, 2, 7] [1, 1, 1, 1]
// CHECK-NOT:   pet.
func.func @correction(%x: tensor<1x2x8x7xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x3x8x7xf32> {
  %s:2 = pet.split %x axis 2 sizes [4, 4] : (tensor<1x2x8x7xf32>) -> (tensor<1x2x4x7xf32>, tensor<1x2x4x7xf32>)
  %b = pet.concat %s#0, %s#1 axis 0 : (tensor<1x2x4x7xf32>, tensor<1x2x4x7xf32>) -> tensor<2x2x4x7xf32>
  %y = pet.conv2d %b, %w pad_low [1, 1] pad_high [1, 1] : (tensor<2x2x4x7xf32>, tensor<3x2x3x3xf32>) -> tensor<2x3x4x7xf32>
  %t:2 = pet.split %y axis 0 sizes [1, 1] : (tensor<2x3x4x7xf32>) -> (tensor<1x3x4x7xf32>, tensor<1x3x4x7xf32>)
  %m = pet.concat %t#0, %t#1 axis 2 : (tensor<1x3x4x7xf32>, tensor<1x3x4x7xf32>) -> tensor<1x3x8x7xf32>
  %c = pet.correct %m from(%x, %w) boxes [[#pet.box<[0:1, 0:3, 3:5, 0:7]>]] : tensor<1x3x8x7xf32> from tensor<1x2x8x7xf32>, tensor<3x2x3x3xf32> {
  ^bb0(%a: tensor<1x2x8x7xf32>, %v: tensor<3x2x3x3xf32>):
    %o = pet.conv2d %a, %v pad_low [1, 1] pad_high [1, 1] : (tensor<1x2x8x7xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x8x7xf32>
    pet.yield %o : tensor<1x3x8x7xf32>
  }
  return %c : tensor<1x3x8x7xf32>
}

// -----

// A correction whose original is one of its inputs (found by the fuzzer:
// the inlined region's yielded argument was read after inlining had
// replaced it, and the pass crashed). The whole result is the box: the
// input itself.
// CHECK-LABEL: func.func @correction_of_an_input
// CHECK-SAME:    (%[[X:[a-z0-9]+]]: tensor<2x4xf32>, %{{.*}}: tensor<2x4xf32>)
// CHECK-NEXT:  return %[[X]]
func.func @correction_of_an_input(%x: tensor<2x4xf32>, %m: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %y = pet.correct %m from(%x) boxes [[#pet.box<[0:2, 0:4]>]] : tensor<2x4xf32> from tensor<2x4xf32> {
  ^bb0(%a: tensor<2x4xf32>):
    pet.yield %a : tensor<2x4xf32>
  }
  return %y : tensor<2x4xf32>
}
