// RUN: pet-opt %s -split-input-file --convert-linalg-to-pet | FileCheck %s
// RUN: pet-opt %s -split-input-file --convert-linalg-to-pet --pet-import-remarks 2>&1 >/dev/null | FileCheck %s --check-prefix=REMARK

// The linalg forms torch-mlir emits (here as its ONNX importer printed them
// for small models, weights as arguments), imported into PET. Numerics:
// python/tests/test_import.py runs each function on the CPU before and after.

#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#channel = affine_map<(d0, d1, d2, d3) -> (d0, d1, 0, 0)>
// A convolution with a bias in its init, batch normalization and ReLU: the
// zero padding moves into the convolution, the bias is reshaped for PET's
// broadcasting; the normalization's rsqrt(variance + eps), eps an f64
// constant truncated in the body as torch-mlir writes Python floats,
// becomes PET operators (which --pet-preprocess computes once at load).
// CHECK-LABEL: func.func @conv_bn_relu
// CHECK-DAG:   %[[EPS:.*]] = arith.constant dense<9.99999974E-6> : tensor<1x1x1x1xf32>
// CHECK-DAG:   %[[Y:.*]] = pet.conv2d %arg0, %arg1 pad_low [1, 1] pad_high [1, 1] : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32>
// CHECK-DAG:   %[[B:.*]] = pet.reshape %arg2 : tensor<4xf32> -> tensor<1x4x1x1xf32>
// CHECK:       %[[YB:.*]] = pet.add %[[Y]], %[[B]]
// CHECK:       %[[VE:.*]] = pet.add %arg4, %[[EPS]] : (tensor<1x4x1x1xf32>, tensor<1x1x1x1xf32>) -> tensor<1x4x1x1xf32>
// CHECK:       %[[R:.*]] = pet.rsqrt %[[VE]] : tensor<1x4x1x1xf32>
// CHECK:       %[[S:.*]] = pet.sub %[[YB]], %arg3
// CHECK:       %[[M:.*]] = pet.mul %[[S]], %[[R]]
// CHECK:       %[[Z:.*]] = pet.relu %[[M]]
// CHECK:       return %[[Z]]
func.func @conv_bn_relu(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>, %mean: tensor<1x4x1x1xf32>, %var: tensor<1x4x1x1xf32>) -> tensor<1x4x8x8xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %padded = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %cst : f32
  } : tensor<1x3x8x8xf32> to tensor<1x3x10x10xf32>
  %0 = tensor.empty() : tensor<1x4x8x8xf32>
  %broadcasted = linalg.broadcast ins(%b : tensor<4xf32>) outs(%0 : tensor<1x4x8x8xf32>) dimensions = [0, 2, 3]
  %1 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>} ins(%padded, %w : tensor<1x3x10x10xf32>, tensor<4x3x3x3xf32>) outs(%broadcasted : tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %2 = tensor.empty() : tensor<1x4x1x1xf32>
  %eps = arith.constant 1.000000e-05 : f64
  %ve = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%var : tensor<1x4x1x1xf32>) outs(%2 : tensor<1x4x1x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %e = arith.truncf %eps : f64 to f32
    %a = arith.addf %in, %e : f32
    linalg.yield %a : f32
  } -> tensor<1x4x1x1xf32>
  %3 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%ve : tensor<1x4x1x1xf32>) outs(%2 : tensor<1x4x1x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = math.rsqrt %in : f32
    linalg.yield %r : f32
  } -> tensor<1x4x1x1xf32>
  %4 = linalg.generic {indexing_maps = [#id, #channel, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%1, %mean : tensor<1x4x8x8xf32>, tensor<1x4x1x1xf32>) outs(%0 : tensor<1x4x8x8xf32>) {
  ^bb0(%in: f32, %in_1: f32, %out: f32):
    %s = arith.subf %in, %in_1 : f32
    linalg.yield %s : f32
  } -> tensor<1x4x8x8xf32>
  %5 = linalg.generic {indexing_maps = [#id, #channel, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%4, %3 : tensor<1x4x8x8xf32>, tensor<1x4x1x1xf32>) outs(%0 : tensor<1x4x8x8xf32>) {
  ^bb0(%in: f32, %in_1: f32, %out: f32):
    %m = arith.mulf %in, %in_1 : f32
    linalg.yield %m : f32
  } -> tensor<1x4x8x8xf32>
  %6 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%5 : tensor<1x4x8x8xf32>) outs(%0 : tensor<1x4x8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %c = arith.cmpf ugt, %in, %cst : f32
    %s = arith.select %c, %in, %cst : f32
    linalg.yield %s : f32
  } -> tensor<1x4x8x8xf32>
  return %6 : tensor<1x4x8x8xf32>
}

// -----

// Max pooling on a -inf padding; the padded tensor goes with it.
// CHECK-LABEL: func.func @max_pool
// CHECK-NEXT:  %[[P:.*]] = pet.max_pool2d %arg0 kernel [3, 3] strides [2, 2] pad_low [1, 1] pad_high [1, 1] : tensor<1x2x8x8xf32> -> tensor<1x2x4x4xf32>
// CHECK-NEXT:  return %[[P]]
func.func @max_pool(%x: tensor<1x2x8x8xf32>) -> tensor<1x2x4x4xf32> {
  %ninf = arith.constant 0xFF800000 : f32
  %padded = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %ninf : f32
  } : tensor<1x2x8x8xf32> to tensor<1x2x10x10xf32>
  %0 = tensor.empty() : tensor<1x2x4x4xf32>
  %1 = linalg.fill ins(%ninf : f32) outs(%0 : tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  %2 = tensor.empty() : tensor<3x3xf32>
  %3 = linalg.pooling_nchw_max {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>} ins(%padded, %2 : tensor<1x2x10x10xf32>, tensor<3x3xf32>) outs(%1 : tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  return %3 : tensor<1x2x4x4xf32>
}

// -----

#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// Global average pooling (a window sum, then a division by its size) and a
// flatten.
// CHECK-LABEL: func.func @global_avg_pool
// CHECK-NEXT:  %[[A:.*]] = pet.avg_pool2d %arg0 kernel [5, 5] strides [1, 1] : tensor<1x4x5x5xf32> -> tensor<1x4x1x1xf32>
// CHECK-NEXT:  %[[S:.*]] = pet.scale %[[A]] by 2.500000e+01
// CHECK-NEXT:  %[[D:.*]] = pet.scale %[[S]] by 4.000000e-02
// CHECK-NEXT:  %[[F:.*]] = pet.reshape %[[D]] : tensor<1x4x1x1xf32> -> tensor<1x4xf32>
// CHECK-NEXT:  return %[[F]]
func.func @global_avg_pool(%x: tensor<1x4x5x5xf32>) -> tensor<1x4xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %cst_0 = arith.constant 2.500000e+01 : f32
  %0 = tensor.empty() : tensor<1x4x1x1xf32>
  %1 = linalg.fill ins(%cst : f32) outs(%0 : tensor<1x4x1x1xf32>) -> tensor<1x4x1x1xf32>
  %2 = tensor.empty() : tensor<5x5xf32>
  %3 = linalg.pooling_nchw_sum {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>} ins(%x, %2 : tensor<1x4x5x5xf32>, tensor<5x5xf32>) outs(%1 : tensor<1x4x1x1xf32>) -> tensor<1x4x1x1xf32>
  %4 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%3 : tensor<1x4x1x1xf32>) outs(%0 : tensor<1x4x1x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %d = arith.divf %in, %cst_0 : f32
    linalg.yield %d : f32
  } -> tensor<1x4x1x1xf32>
  %collapsed = tensor.collapse_shape %4 [[0], [1, 2, 3]] : tensor<1x4x1x1xf32> into tensor<1x4xf32>
  return %collapsed : tensor<1x4xf32>
}

// -----

#row = affine_map<(d0, d1) -> (d0, d1)>
#bias = affine_map<(d0, d1) -> (d1)>
// A linear layer (Gemm with transB): transpose, matmul, bias.
// CHECK-LABEL: func.func @linear
// CHECK:       %[[T:.*]] = pet.transpose %arg1 perm [1, 0]
// CHECK:       %[[M:.*]] = pet.matmul %arg0, %[[T]] : (tensor<2x8xf32>, tensor<8x5xf32>) -> tensor<2x5xf32>
// CHECK:       %[[B:.*]] = pet.reshape %arg2 : tensor<5xf32> -> tensor<1x5xf32>
// CHECK:       pet.add %[[M]], %[[B]]
func.func @linear(%x: tensor<2x8xf32>, %w: tensor<5x8xf32>, %b: tensor<5xf32>) -> tensor<2x5xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %0 = tensor.empty() : tensor<8x5xf32>
  %transposed = linalg.transpose ins(%w : tensor<5x8xf32>) outs(%0 : tensor<8x5xf32>) permutation = [1, 0]
  %1 = tensor.empty() : tensor<2x5xf32>
  %2 = linalg.fill ins(%cst : f32) outs(%1 : tensor<2x5xf32>) -> tensor<2x5xf32>
  %3 = linalg.matmul ins(%x, %transposed : tensor<2x8xf32>, tensor<8x5xf32>) outs(%2 : tensor<2x5xf32>) -> tensor<2x5xf32>
  %4 = linalg.generic {indexing_maps = [#row, #bias, #row], iterator_types = ["parallel", "parallel"]} ins(%3, %b : tensor<2x5xf32>, tensor<5xf32>) outs(%1 : tensor<2x5xf32>) {
  ^bb0(%in: f32, %in_1: f32, %out: f32):
    %s = arith.addf %in, %in_1 : f32
    linalg.yield %s : f32
  } -> tensor<2x5xf32>
  return %4 : tensor<2x5xf32>
}

// -----

// Attention scores: batch matmul, a scale, and the softmax's pieces, of
// which PET takes the multi-linear subtraction of the maximum.
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#red = affine_map<(d0, d1, d2) -> (d0, d1, 0)>
// CHECK-LABEL: func.func @scores
// CHECK:       %[[S:.*]] = pet.batch_matmul %arg0, %arg1 : (tensor<2x4x8xf32>, tensor<2x8x4xf32>) -> tensor<2x4x4xf32>
// CHECK:       %[[C:.*]] = pet.scale %[[S]] by 1.250000e-01
// CHECK:       pet.sub %[[C]], %arg2
// CHECK:       math.exp
func.func @scores(%q: tensor<2x4x8xf32>, %k: tensor<2x8x4xf32>, %max: tensor<2x4x1xf32>) -> tensor<2x4x4xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %c8 = arith.constant 8.000000e+00 : f32
  %0 = tensor.empty() : tensor<2x4x4xf32>
  %1 = linalg.fill ins(%cst : f32) outs(%0 : tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %2 = linalg.batch_matmul ins(%q, %k : tensor<2x4x8xf32>, tensor<2x8x4xf32>) outs(%1 : tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %3 = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%2 : tensor<2x4x4xf32>) outs(%0 : tensor<2x4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %d = arith.divf %in, %c8 : f32
    linalg.yield %d : f32
  } -> tensor<2x4x4xf32>
  %4 = linalg.generic {indexing_maps = [#id3, #red, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%3, %max : tensor<2x4x4xf32>, tensor<2x4x1xf32>) outs(%0 : tensor<2x4x4xf32>) {
  ^bb0(%in: f32, %in_1: f32, %out: f32):
    %s = arith.subf %in, %in_1 : f32
    linalg.yield %s : f32
  } -> tensor<2x4x4xf32>
  %5 = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]} ins(%4 : tensor<2x4x4xf32>) outs(%0 : tensor<2x4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %e = math.exp %in : f32
    linalg.yield %e : f32
  } -> tensor<2x4x4xf32>
  return %5 : tensor<2x4x4xf32>
}

// -----

// Grouped and depthwise convolutions.
// CHECK-LABEL: func.func @grouped
// CHECK:       %[[W:.*]] = pet.reshape %arg1 : tensor<2x3x2x3x3xf32> -> tensor<6x2x3x3xf32>
// CHECK-NEXT:  %[[Y:.*]] = pet.conv2d %arg0, %[[W]] pad_low [1, 1] pad_high [1, 1] groups 2 : (tensor<1x4x6x6xf32>, tensor<6x2x3x3xf32>) -> tensor<1x6x6x6xf32>
// CHECK-NEXT:  %[[D:.*]] = pet.reshape %arg2 : tensor<4x3x3xf32> -> tensor<4x1x3x3xf32>
// CHECK-NEXT:  %[[Z:.*]] = pet.conv2d %arg0, %[[D]] strides [2, 2] groups 4 : (tensor<1x4x6x6xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x2x2xf32>
// CHECK-NEXT:  return %[[Y]], %[[Z]]
func.func @grouped(%x: tensor<1x4x6x6xf32>, %w: tensor<2x3x2x3x3xf32>, %d: tensor<4x3x3xf32>) -> (tensor<1x6x6x6xf32>, tensor<1x4x2x2xf32>) {
  %cst = arith.constant 0.000000e+00 : f32
  %padded = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %cst : f32
  } : tensor<1x4x6x6xf32> to tensor<1x4x8x8xf32>
  %0 = tensor.empty() : tensor<1x6x6x6xf32>
  %expanded = tensor.expand_shape %padded [[0], [1, 2], [3], [4]] output_shape [1, 2, 2, 8, 8] : tensor<1x4x8x8xf32> into tensor<1x2x2x8x8xf32>
  %expanded_1 = tensor.expand_shape %0 [[0], [1, 2], [3], [4]] output_shape [1, 2, 3, 6, 6] : tensor<1x6x6x6xf32> into tensor<1x2x3x6x6xf32>
  %1 = linalg.fill ins(%cst : f32) outs(%expanded_1 : tensor<1x2x3x6x6xf32>) -> tensor<1x2x3x6x6xf32>
  %2 = linalg.conv_2d_ngchw_gfchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>} ins(%expanded, %w : tensor<1x2x2x8x8xf32>, tensor<2x3x2x3x3xf32>) outs(%1 : tensor<1x2x3x6x6xf32>) -> tensor<1x2x3x6x6xf32>
  %collapsed = tensor.collapse_shape %2 [[0], [1, 2], [3], [4]] : tensor<1x2x3x6x6xf32> into tensor<1x6x6x6xf32>
  %3 = tensor.empty() : tensor<1x4x2x2xf32>
  %4 = linalg.fill ins(%cst : f32) outs(%3 : tensor<1x4x2x2xf32>) -> tensor<1x4x2x2xf32>
  %5 = linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>} ins(%x, %d : tensor<1x4x6x6xf32>, tensor<4x3x3xf32>) outs(%4 : tensor<1x4x2x2xf32>) -> tensor<1x4x2x2xf32>
  return %collapsed, %5 : tensor<1x6x6x6xf32>, tensor<1x4x2x2xf32>
}

// -----

// Layout: transpose, flatten, concatenation, slices (one rank-reducing, one
// strided), an insert.
// CHECK-LABEL: func.func @layout
// CHECK:       pet.transpose %arg0 perm [0, 2, 1]
// CHECK:       pet.reshape %{{.*}} : tensor<2x4x3xf32> -> tensor<2x12xf32>
// CHECK:       pet.concat
// CHECK:       pet.slice %{{.*}} offsets [0, 2] sizes [2, 8] strides [1, 1]
// CHECK:       %[[R:.*]] = pet.slice %{{.*}} offsets [1, 0] sizes [1, 8] strides [1, 3]
// CHECK:       pet.reshape %[[R]] : tensor<1x8xf32> -> tensor<8xf32>
// CHECK:       pet.insert
// CHECK-NOT:   tensor.
func.func @layout(%x: tensor<2x3x4xf32>, %y: tensor<1x8xf32>) -> (tensor<2x8xf32>, tensor<8xf32>, tensor<2x24xf32>) {
  %0 = tensor.empty() : tensor<2x4x3xf32>
  %transposed = linalg.transpose ins(%x : tensor<2x3x4xf32>) outs(%0 : tensor<2x4x3xf32>) permutation = [0, 2, 1]
  %collapsed = tensor.collapse_shape %transposed [[0], [1, 2]] : tensor<2x4x3xf32> into tensor<2x12xf32>
  %concat = tensor.concat dim(1) %collapsed, %collapsed : (tensor<2x12xf32>, tensor<2x12xf32>) -> tensor<2x24xf32>
  %s = tensor.extract_slice %concat[0, 2] [2, 8] [1, 1] : tensor<2x24xf32> to tensor<2x8xf32>
  %r = tensor.extract_slice %concat[1, 0] [1, 8] [1, 3] : tensor<2x24xf32> to tensor<8xf32>
  %i = tensor.insert_slice %y into %concat[1, 4] [1, 8] [1, 1] : tensor<1x8xf32> into tensor<2x24xf32>
  return %s, %r, %i : tensor<2x8xf32>, tensor<8xf32>, tensor<2x24xf32>
}

// -----

// A scalar constant on either side of a sum or difference becomes a
// constant tensor of ones' shape (a splat tensor input stays an operand);
// a body PET does not model (erf) stays in linalg and is named by a
// remark.
#id2 = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @constant_offsets
// CHECK-DAG:   %[[ONE:.*]] = arith.constant dense<1.000000e+00> : tensor<1x1xf32>
// CHECK-DAG:   %[[TWO:.*]] = arith.constant dense<2.000000e+00> : tensor<2x3xf32>
// CHECK:       %[[A:.*]] = pet.add %arg0, %[[ONE]] : (tensor<2x3xf32>, tensor<1x1xf32>) -> tensor<2x3xf32>
// CHECK:       %[[B:.*]] = pet.sub %[[TWO]], %[[A]] : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK:       %[[C:.*]] = linalg.generic
// CHECK:       math.erf
// CHECK:       return %[[C]]
// REMARK:      remark: not imported into PET: 'linalg.generic' (2 loops, 0 reduction; body: math.erf)
func.func @constant_offsets(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %one = arith.constant 1.000000e+00 : f32
  %two = arith.constant dense<2.000000e+00> : tensor<2x3xf32>
  %0 = tensor.empty() : tensor<2x3xf32>
  %1 = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<2x3xf32>) outs(%0 : tensor<2x3xf32>) {
  ^bb0(%in: f32, %out: f32):
    %a = arith.addf %one, %in : f32
    linalg.yield %a : f32
  } -> tensor<2x3xf32>
  %2 = linalg.generic {indexing_maps = [#id2, #id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%two, %1 : tensor<2x3xf32>, tensor<2x3xf32>) outs(%0 : tensor<2x3xf32>) {
  ^bb0(%in: f32, %in_1: f32, %out: f32):
    %s = arith.subf %in, %in_1 : f32
    linalg.yield %s : f32
  } -> tensor<2x3xf32>
  %3 = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%2 : tensor<2x3xf32>) outs(%0 : tensor<2x3xf32>) {
  ^bb0(%in: f32, %out: f32):
    %e = math.erf %in : f32
    linalg.yield %e : f32
  } -> tensor<2x3xf32>
  return %3 : tensor<2x3xf32>
}
