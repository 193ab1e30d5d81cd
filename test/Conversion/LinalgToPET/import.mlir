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
// flatten (the scales after it: each element is scaled as before).
// CHECK-LABEL: func.func @global_avg_pool
// CHECK-NEXT:  %[[A:.*]] = pet.avg_pool2d %arg0 kernel [5, 5] strides [1, 1] : tensor<1x4x5x5xf32> -> tensor<1x4x1x1xf32>
// CHECK-NEXT:  %[[F:.*]] = pet.reshape %[[A]] : tensor<1x4x1x1xf32> -> tensor<1x4xf32>
// CHECK-NEXT:  %[[S:.*]] = pet.scale %[[F]] by 2.500000e+01
// CHECK-NEXT:  %[[D:.*]] = pet.scale %[[S]] by 4.000000e-02
// CHECK-NEXT:  return %[[D]]
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

// -----

// Softmax as torch-mlir decomposes PyTorch's scaled dot-product attention:
// the row's max (with its index, unused), exp(x - max), the row's sum, the
// quotient; then PyTorch's _safe_softmax, zeros where a whole row is -inf.
// The quotient becomes pet.softmax, the select a pet.softmax safe.
#id2 = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
#keep = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-LABEL: func.func @softmax
// CHECK-DAG:   %[[P:.*]] = pet.softmax %arg0 axis 1 : tensor<2x4xf32>
// CHECK-DAG:   %[[S:.*]] = pet.softmax %arg0 axis 1 safe : tensor<2x4xf32>
// CHECK-NOT:   linalg.generic
// CHECK:       return %[[S]], %[[P]]
func.func @softmax(%x: tensor<2x4xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>) {
  %ninf = arith.constant 0xFF800000 : f32
  %zero = arith.constant 0.000000e+00 : f32
  %c0 = arith.constant 0 : i64
  %true = arith.constant true
  %ninf64 = arith.constant 0xFFF0000000000000 : f64
  %zeros = arith.constant dense<0.000000e+00> : tensor<2x4xf32>
  %e0 = tensor.empty() : tensor<2xf32>
  %m0 = linalg.fill ins(%ninf : f32) outs(%e0 : tensor<2xf32>) -> tensor<2xf32>
  %ei = tensor.empty() : tensor<2xi64>
  %i0 = linalg.fill ins(%c0 : i64) outs(%ei : tensor<2xi64>) -> tensor<2xi64>
  %max:2 = linalg.generic {indexing_maps = [#id2, #row, #row], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<2x4xf32>) outs(%m0, %i0 : tensor<2xf32>, tensor<2xi64>) {
  ^bb0(%in: f32, %out: f32, %idx: i64):
    %i = linalg.index 1 : index
    %ii = arith.index_cast %i : index to i64
    %mx = arith.maximumf %in, %out : f32
    %gt = arith.cmpf ogt, %in, %out : f32
    %si = arith.select %gt, %ii, %idx : i64
    linalg.yield %mx, %si : f32, i64
  } -> (tensor<2xf32>, tensor<2xi64>)
  %mk = tensor.expand_shape %max#0 [[0, 1]] output_shape [2, 1] : tensor<2xf32> into tensor<2x1xf32>
  %e = tensor.empty() : tensor<2x4xf32>
  %sub = linalg.generic {indexing_maps = [#id2, #keep, #id2], iterator_types = ["parallel", "parallel"]} ins(%x, %mk : tensor<2x4xf32>, tensor<2x1xf32>) outs(%e : tensor<2x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.subf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<2x4xf32>
  %exp = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%sub : tensor<2x4xf32>) outs(%e : tensor<2x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %v = math.exp %a : f32
    linalg.yield %v : f32
  } -> tensor<2x4xf32>
  %e1 = tensor.empty() : tensor<2x1xf32>
  %z1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<2x1xf32>) -> tensor<2x1xf32>
  %sum = linalg.generic {indexing_maps = [#id2, #keep], iterator_types = ["parallel", "reduction"]} ins(%exp : tensor<2x4xf32>) outs(%z1 : tensor<2x1xf32>) {
  ^bb0(%a: f32, %o: f32):
    %v = arith.addf %a, %o : f32
    linalg.yield %v : f32
  } -> tensor<2x1xf32>
  %p = linalg.generic {indexing_maps = [#id2, #keep, #id2], iterator_types = ["parallel", "parallel"]} ins(%exp, %sum : tensor<2x4xf32>, tensor<2x1xf32>) outs(%e : tensor<2x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %v = arith.divf %a, %b : f32
    linalg.yield %v : f32
  } -> tensor<2x4xf32>
  %eb = tensor.empty() : tensor<2x4xi1>
  %isninf = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<2x4xf32>) outs(%eb : tensor<2x4xi1>) {
  ^bb0(%a: f32, %o: i1):
    %w = arith.extf %a : f32 to f64
    %c = arith.cmpf oeq, %w, %ninf64 : f64
    linalg.yield %c : i1
  } -> tensor<2x4xi1>
  %eb1 = tensor.empty() : tensor<2x1xi1>
  %t1 = linalg.fill ins(%true : i1) outs(%eb1 : tensor<2x1xi1>) -> tensor<2x1xi1>
  %all = linalg.generic {indexing_maps = [#id2, #keep], iterator_types = ["parallel", "reduction"]} ins(%isninf : tensor<2x4xi1>) outs(%t1 : tensor<2x1xi1>) {
  ^bb0(%a: i1, %o: i1):
    %v = arith.andi %a, %o : i1
    linalg.yield %v : i1
  } -> tensor<2x1xi1>
  %r = linalg.generic {indexing_maps = [#keep, #id2, #id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%all, %zeros, %p : tensor<2x1xi1>, tensor<2x4xf32>, tensor<2x4xf32>) outs(%e : tensor<2x4xf32>) {
  ^bb0(%c: i1, %z: f32, %v: f32, %o: f32):
    %s = arith.select %c, %z, %v : f32
    linalg.yield %s : f32
  } -> tensor<2x4xf32>
  return %r, %p : tensor<2x4xf32>, tensor<2x4xf32>
}

// -----

// Layer normalization as torch-mlir decomposes PyTorch's LayerNorm: the
// mean in f32, the variance in f64 (x widened, its own mean, squared
// deviations, narrowed back), rsqrt(var + eps): one pet.layer_norm. A
// deviation scaled by another tensor's variance stays as it is.
#id2 = affine_map<(d0, d1) -> (d0, d1)>
#keep = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-LABEL: func.func @layer_norm
// CHECK:       %[[N:.*]] = pet.layer_norm %arg0 axis 1 epsilon 9.9999997473787516E-6 : tensor<2x4xf32>
// CHECK:       %[[M:.*]] = pet.mul %{{.*}}, %{{.*}} : (tensor<2x4xf32>, tensor<2x1xf32>)
// CHECK:       return %[[N]], %[[M]]
func.func @layer_norm(%x: tensor<2x4xf32>, %y: tensor<2x4xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>) {
  %zero64 = arith.constant 0.000000e+00 : f64
  %zero = arith.constant 0.000000e+00 : f32
  %four64 = arith.constant 4.000000e+00 : f64
  %four = arith.constant 4.000000e+00 : f32
  %eps = arith.constant 1.000000e-05 : f64
  %e64 = tensor.empty() : tensor<2x4xf64>
  %e = tensor.empty() : tensor<2x4xf32>
  %e1 = tensor.empty() : tensor<2x1xf32>
  %e164 = tensor.empty() : tensor<2x1xf64>
  %z164 = linalg.fill ins(%zero64 : f64) outs(%e164 : tensor<2x1xf64>) -> tensor<2x1xf64>
  %z1 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<2x1xf32>) -> tensor<2x1xf32>
  // The variance of %x, in f64.
  %w = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<2x4xf32>) outs(%e64 : tensor<2x4xf64>) {
  ^bb0(%a: f32, %o: f64):
    %v = arith.extf %a : f32 to f64
    linalg.yield %v : f64
  } -> tensor<2x4xf64>
  %s64 = linalg.generic {indexing_maps = [#id2, #keep], iterator_types = ["parallel", "reduction"]} ins(%w : tensor<2x4xf64>) outs(%z164 : tensor<2x1xf64>) {
  ^bb0(%a: f64, %o: f64):
    %v = arith.addf %a, %o : f64
    linalg.yield %v : f64
  } -> tensor<2x1xf64>
  %m64 = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%s64 : tensor<2x1xf64>) outs(%e164 : tensor<2x1xf64>) {
  ^bb0(%a: f64, %o: f64):
    %v = arith.divf %a, %four64 : f64
    linalg.yield %v : f64
  } -> tensor<2x1xf64>
  %d = linalg.generic {indexing_maps = [#id2, #keep, #id2], iterator_types = ["parallel", "parallel"]} ins(%w, %m64 : tensor<2x4xf64>, tensor<2x1xf64>) outs(%e64 : tensor<2x4xf64>) {
  ^bb0(%a: f64, %b: f64, %o: f64):
    %v = arith.subf %a, %b : f64
    linalg.yield %v : f64
  } -> tensor<2x4xf64>
  %sq = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%d : tensor<2x4xf64>) outs(%e64 : tensor<2x4xf64>) {
  ^bb0(%a: f64, %o: f64):
    %v = arith.mulf %a, %a : f64
    linalg.yield %v : f64
  } -> tensor<2x4xf64>
  %ss = linalg.generic {indexing_maps = [#id2, #keep], iterator_types = ["parallel", "reduction"]} ins(%sq : tensor<2x4xf64>) outs(%z164 : tensor<2x1xf64>) {
  ^bb0(%a: f64, %o: f64):
    %v = arith.addf %a, %o : f64
    linalg.yield %v : f64
  } -> tensor<2x1xf64>
  %v64 = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%ss : tensor<2x1xf64>) outs(%e164 : tensor<2x1xf64>) {
  ^bb0(%a: f64, %o: f64):
    %v = arith.divf %a, %four64 : f64
    linalg.yield %v : f64
  } -> tensor<2x1xf64>
  %var = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%v64 : tensor<2x1xf64>) outs(%e1 : tensor<2x1xf32>) {
  ^bb0(%a: f64, %o: f32):
    %v = arith.truncf %a : f64 to f32
    linalg.yield %v : f32
  } -> tensor<2x1xf32>
  // The mean of %x, in f32, and rsqrt(var + eps).
  %s = linalg.generic {indexing_maps = [#id2, #keep], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<2x4xf32>) outs(%z1 : tensor<2x1xf32>) {
  ^bb0(%a: f32, %o: f32):
    %v = arith.addf %a, %o : f32
    linalg.yield %v : f32
  } -> tensor<2x1xf32>
  %mean = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%s : tensor<2x1xf32>) outs(%e1 : tensor<2x1xf32>) {
  ^bb0(%a: f32, %o: f32):
    %v = arith.divf %a, %four : f32
    linalg.yield %v : f32
  } -> tensor<2x1xf32>
  %ve = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%var : tensor<2x1xf32>) outs(%e1 : tensor<2x1xf32>) {
  ^bb0(%a: f32, %o: f32):
    %t = arith.truncf %eps : f64 to f32
    %v = arith.addf %a, %t : f32
    linalg.yield %v : f32
  } -> tensor<2x1xf32>
  %rs = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%ve : tensor<2x1xf32>) outs(%e1 : tensor<2x1xf32>) {
  ^bb0(%a: f32, %o: f32):
    %v = math.rsqrt %a : f32
    linalg.yield %v : f32
  } -> tensor<2x1xf32>
  %c = linalg.generic {indexing_maps = [#id2, #keep, #id2], iterator_types = ["parallel", "parallel"]} ins(%x, %mean : tensor<2x4xf32>, tensor<2x1xf32>) outs(%e : tensor<2x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %v = arith.subf %a, %b : f32
    linalg.yield %v : f32
  } -> tensor<2x4xf32>
  %n = linalg.generic {indexing_maps = [#id2, #keep, #id2], iterator_types = ["parallel", "parallel"]} ins(%c, %rs : tensor<2x4xf32>, tensor<2x1xf32>) outs(%e : tensor<2x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %v = arith.mulf %a, %b : f32
    linalg.yield %v : f32
  } -> tensor<2x4xf32>
  // The deviation of %y scaled by %x's statistics: not a normalization.
  %sy = linalg.generic {indexing_maps = [#id2, #keep], iterator_types = ["parallel", "reduction"]} ins(%y : tensor<2x4xf32>) outs(%z1 : tensor<2x1xf32>) {
  ^bb0(%a: f32, %o: f32):
    %v = arith.addf %a, %o : f32
    linalg.yield %v : f32
  } -> tensor<2x1xf32>
  %my = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%sy : tensor<2x1xf32>) outs(%e1 : tensor<2x1xf32>) {
  ^bb0(%a: f32, %o: f32):
    %v = arith.divf %a, %four : f32
    linalg.yield %v : f32
  } -> tensor<2x1xf32>
  %cy = linalg.generic {indexing_maps = [#id2, #keep, #id2], iterator_types = ["parallel", "parallel"]} ins(%y, %my : tensor<2x4xf32>, tensor<2x1xf32>) outs(%e : tensor<2x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %v = arith.subf %a, %b : f32
    linalg.yield %v : f32
  } -> tensor<2x4xf32>
  %ny = linalg.generic {indexing_maps = [#id2, #keep, #id2], iterator_types = ["parallel", "parallel"]} ins(%cy, %rs : tensor<2x4xf32>, tensor<2x1xf32>) outs(%e : tensor<2x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %v = arith.mulf %a, %b : f32
    linalg.yield %v : f32
  } -> tensor<2x4xf32>
  return %n, %ny : tensor<2x4xf32>, tensor<2x4xf32>
}

// -----

// GELU as torch-mlir writes it, x * ((erf(x / sqrt(2)) + 1) * 0.5): a
// pet.gelu; the same body with 0.4 for 0.5 is not GELU and stays. A bias
// broadcast by a copy and added: the add broadcasts a reshape instead.
#id2 = affine_map<(d0, d1) -> (d0, d1)>
#col = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @gelu_and_bias
// CHECK-DAG:   %[[B:.*]] = pet.reshape %arg1 : tensor<4xf32> -> tensor<1x4xf32>
// CHECK-DAG:   %[[A:.*]] = pet.add %arg0, %[[B]] : (tensor<2x4xf32>, tensor<1x4xf32>) -> tensor<2x4xf32>
// CHECK:       %[[G:.*]] = pet.gelu %[[A]] : tensor<2x4xf32>
// CHECK:       %[[NOT:.*]] = linalg.generic
// CHECK:       math.erf
// CHECK:       return %[[G]], %[[NOT]]
// REMARK:      remark: not imported into PET: 'linalg.generic' (2 loops, 0 reduction; body: arith.divf math.erf arith.addf arith.mulf arith.mulf)
func.func @gelu_and_bias(%x: tensor<2x4xf32>, %b: tensor<4xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>) {
  %sqrt2 = arith.constant 1.41421354 : f32
  %one = arith.constant 1.000000e+00 : f32
  %half = arith.constant 5.000000e-01 : f32
  %notHalf = arith.constant 4.000000e-01 : f32
  %e = tensor.empty() : tensor<2x4xf32>
  %bias = linalg.generic {indexing_maps = [#col, #id2], iterator_types = ["parallel", "parallel"]} ins(%b : tensor<4xf32>) outs(%e : tensor<2x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  } -> tensor<2x4xf32>
  %sum = linalg.generic {indexing_maps = [#id2, #id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%x, %bias : tensor<2x4xf32>, tensor<2x4xf32>) outs(%e : tensor<2x4xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %v = arith.addf %a, %c : f32
    linalg.yield %v : f32
  } -> tensor<2x4xf32>
  %g = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%sum : tensor<2x4xf32>) outs(%e : tensor<2x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %d = arith.divf %a, %sqrt2 : f32
    %f = math.erf %d : f32
    %p = arith.addf %f, %one : f32
    %h = arith.mulf %p, %half : f32
    %v = arith.mulf %a, %h : f32
    linalg.yield %v : f32
  } -> tensor<2x4xf32>
  %n = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<2x4xf32>) outs(%e : tensor<2x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %d = arith.divf %a, %sqrt2 : f32
    %f = math.erf %d : f32
    %p = arith.addf %f, %one : f32
    %h = arith.mulf %p, %notHalf : f32
    %v = arith.mulf %a, %h : f32
    linalg.yield %v : f32
  } -> tensor<2x4xf32>
  return %g, %n : tensor<2x4xf32>, tensor<2x4xf32>
}

// -----

// Attention as PyTorch's scaled dot-product attention decomposes: queries
// and keys scaled by the square root of the factor each, the keys
// transposed. The scales move after the product and merge; the keys are
// read in the queries' layout with transpose_rhs. The values' product,
// whose operand keeps its innermost dimension, stays as it is.
// CHECK-LABEL: func.func @attention
// CHECK-DAG:   %[[Q:.*]] = pet.transpose %arg0 perm [0, 2, 1, 3] : tensor<1x8x2x4xf32> -> tensor<1x2x8x4xf32>
// CHECK-DAG:   %[[K:.*]] = pet.transpose %arg1 perm [0, 2, 1, 3] : tensor<1x8x2x4xf32> -> tensor<1x2x8x4xf32>
// CHECK-DAG:   %[[QR:.*]] = pet.reshape %[[Q]] : tensor<1x2x8x4xf32> -> tensor<2x8x4xf32>
// CHECK-DAG:   %[[KR:.*]] = pet.reshape %[[K]] : tensor<1x2x8x4xf32> -> tensor<2x8x4xf32>
// CHECK:       %[[S:.*]] = pet.batch_matmul %[[QR]], %[[KR]] transpose_rhs : (tensor<2x8x4xf32>, tensor<2x8x4xf32>) -> tensor<2x8x8xf32>
// CHECK:       %[[SS:.*]] = pet.scale %[[S]] by 2.500000e-01 : tensor<2x8x8xf32>
// CHECK:       %[[P:.*]] = pet.softmax %[[SS]] axis 2
// CHECK:       pet.batch_matmul %[[P]], %{{.*}} : (tensor<2x8x8xf32>, tensor<2x8x4xf32>) -> tensor<2x8x4xf32>
// CHECK-NOT:   pet.scale
func.func @attention(%q: tensor<1x8x2x4xf32>, %k: tensor<1x8x2x4xf32>, %v: tensor<1x8x2x4xf32>) -> tensor<2x8x4xf32> {
  %qt = pet.transpose %q perm [0, 2, 1, 3] : tensor<1x8x2x4xf32> -> tensor<1x2x8x4xf32>
  %qs = pet.scale %qt by 0.5 : tensor<1x2x8x4xf32>
  %kt = pet.transpose %k perm [0, 2, 3, 1] : tensor<1x8x2x4xf32> -> tensor<1x2x4x8xf32>
  %ks = pet.scale %kt by 0.5 : tensor<1x2x4x8xf32>
  %qr = pet.reshape %qs : tensor<1x2x8x4xf32> -> tensor<2x8x4xf32>
  %kr = pet.reshape %ks : tensor<1x2x4x8xf32> -> tensor<2x4x8xf32>
  %s = pet.batch_matmul %qr, %kr : (tensor<2x8x4xf32>, tensor<2x4x8xf32>) -> tensor<2x8x8xf32>
  %vt = pet.transpose %v perm [0, 2, 1, 3] : tensor<1x8x2x4xf32> -> tensor<1x2x8x4xf32>
  %vr = pet.reshape %vt : tensor<1x2x8x4xf32> -> tensor<2x8x4xf32>
  %p = pet.softmax %s axis 2 : tensor<2x8x8xf32>
  %o = pet.batch_matmul %p, %vr : (tensor<2x8x8xf32>, tensor<2x8x4xf32>) -> tensor<2x8x4xf32>
  return %o : tensor<2x8x4xf32>
}

// -----

// An element-wise function of a reshape is taken before it (each element
// the same): GELU then reads the product's bias directly, and the reshapes
// cancel.
// CHECK-LABEL: func.func @gelu_of_reshape
// CHECK-NEXT:  %[[G:.*]] = pet.gelu %arg0 : tensor<8x6xf32>
// CHECK-NEXT:  return %[[G]]
func.func @gelu_of_reshape(%x: tensor<8x6xf32>) -> tensor<8x6xf32> {
  %r = pet.reshape %x : tensor<8x6xf32> -> tensor<1x8x6xf32>
  %g = pet.gelu %r : tensor<1x8x6xf32>
  %b = pet.reshape %g : tensor<1x8x6xf32> -> tensor<8x6xf32>
  return %b : tensor<8x6xf32>
}
