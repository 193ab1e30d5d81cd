// RUN: pet-opt %s -split-input-file -verify-diagnostics

// One case per diagnostic of the pet operators. Errors found while inferring
// the result types are followed by the generic "failed to infer returned
// types" error of InferTypeOpInterface.

//===----------------------------------------------------------------------===//
// ODS type constraints
//===----------------------------------------------------------------------===//

func.func @dynamic_shape(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // expected-error @+1 {{'pet.relu' op operand #0 must be statically shaped tensor of floating-point values, but got 'tensor<?x4xf32>'}}
  %0 = pet.relu %x : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

func.func @dynamic_shape_inferred_op(%x: tensor<1x3x?x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{'pet.conv2d' op operand #0 must be statically shaped tensor of floating-point values, but got 'tensor<1x3x?x8xf32>'}}
  %0 = pet.conv2d %x, %w : (tensor<1x3x?x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @dynamic_result(%a: tensor<4x8xf32>, %b: tensor<8x16xf32>) {
  // expected-error @+1 {{'pet.matmul' op result #0 must be statically shaped tensor of floating-point values, but got 'tensor<4x?xf32>'}}
  %0 = pet.matmul %a, %b : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x?xf32>
  return
}

// -----

func.func @integer_element_type(%x: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{'pet.relu' op operand #0 must be statically shaped tensor of floating-point values, but got 'tensor<4xi32>'}}
  %0 = pet.relu %x : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

func.func @integer_element_type_binary(%a: tensor<4xi8>, %b: tensor<4xi8>) {
  // expected-error @+1 {{'pet.add' op operand #0 must be statically shaped tensor of floating-point values, but got 'tensor<4xi8>'}}
  %0 = pet.add %a, %b : (tensor<4xi8>, tensor<4xi8>) -> tensor<4xi8>
  return
}

// -----

func.func @unranked(%x: tensor<*xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{custom op 'pet.relu' invalid kind of type specified: expected builtin.tensor, but found 'tensor<*xf32>'}}
  %0 = pet.relu %x : tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @unranked_generic(%x: tensor<*xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'pet.sigmoid' op operand #0 must be statically shaped tensor of floating-point values, but got 'tensor<*xf32>'}}
  %0 = "pet.sigmoid"(%x) : (tensor<*xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @same_operand_and_result_type(%x: tensor<4xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{'pet.tanh' op requires the same type for all operands and results}}
  %0 = "pet.tanh"(%x) : (tensor<4xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @missing_required_attribute(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'pet.softmax' op requires attribute 'axis'}}
  %0 = "pet.softmax"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Result type checked against the inferred one
//===----------------------------------------------------------------------===//

func.func @wrong_result_type(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{'pet.conv2d' op inferred type(s) 'tensor<1x4x6x6xf32>' are incompatible with return type(s) of operation 'tensor<1x4x5x5xf32>'}}
  // expected-error @+1 {{'pet.conv2d' op failed to infer returned types}}
  %0 = pet.conv2d %x, %w : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x5x5xf32>
  return
}

// -----

func.func @wrong_result_element_type(%a: tensor<4x8xf32>, %b: tensor<8x16xf32>) {
  // expected-error @+2 {{'pet.matmul' op inferred type(s) 'tensor<4x16xf32>' are incompatible with return type(s) of operation 'tensor<4x16xf16>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.matmul %a, %b : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf16>
  return
}

// -----

func.func @wrong_number_of_results(%x: tensor<4x4xf32>) {
  // expected-error @+2 {{'pet.split' op inferred type(s) 'tensor<2x4xf32>', 'tensor<2x4xf32>' are incompatible with return type(s) of operation 'tensor<2x4xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.split %x axis 0 sizes [2, 2] : (tensor<4x4xf32>) -> tensor<2x4xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// pet.conv2d
//===----------------------------------------------------------------------===//

func.func @conv2d_input_rank(%x: tensor<3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{'pet.conv2d' op expects a 4-D input (N x C x H x W), got 'tensor<3x8x8xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.conv2d %x, %w : (tensor<3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv2d_filter_rank(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3x1xf32>) {
  // expected-error @+2 {{'pet.conv2d' op expects a 4-D filter (F x C/groups x KH x KW), got 'tensor<4x3x3x3x1xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.conv2d %x, %w : (tensor<1x3x8x8xf32>, tensor<4x3x3x3x1xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv2d_element_types(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf16>) {
  // expected-error @+2 {{'pet.conv2d' op expects input and filter of the same element type, got 'f32' and 'f16'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.conv2d %x, %w : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf16>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv2d_strides_count(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{'pet.conv2d' op expects `strides` to have 2 values (height, width), got 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.conv2d %x, %w strides [1, 1, 1] : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv2d_strides_zero(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{'pet.conv2d' op expects `strides` values of at least 1, got 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.conv2d %x, %w strides [1, 0] : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv2d_pad_low_count(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{'pet.conv2d' op expects `pad_low` to have 2 values (height, width), got 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.conv2d %x, %w pad_low [1] : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv2d_pad_low_negative(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{'pet.conv2d' op expects `pad_low` values of at least 0, got -1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.conv2d %x, %w pad_low [-1, 0] : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x5x6xf32>
  return
}

// -----

func.func @conv2d_pad_high_count(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{'pet.conv2d' op expects `pad_high` to have 2 values (height, width), got 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.conv2d %x, %w pad_high [] : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv2d_pad_high_negative(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{'pet.conv2d' op expects `pad_high` values of at least 0, got -2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.conv2d %x, %w pad_high [0, -2] : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x4xf32>
  return
}

// -----

func.func @conv2d_dilations_count(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{'pet.conv2d' op expects `dilations` to have 2 values (height, width), got 4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.conv2d %x, %w dilations [1, 1, 1, 1] : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv2d_dilations_zero(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{'pet.conv2d' op expects `dilations` values of at least 1, got 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.conv2d %x, %w dilations [0, 1] : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x6xf32>
  return
}

// -----

func.func @conv2d_groups_zero(%x: tensor<1x4x8x8xf32>, %w: tensor<4x4x3x3xf32>) {
  // expected-error @+2 {{'pet.conv2d' op expects at least one group, got 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.conv2d %x, %w groups 0 : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv2d_groups_negative(%x: tensor<1x4x8x8xf32>, %w: tensor<4x4x3x3xf32>) {
  // expected-error @+2 {{'pet.conv2d' op expects at least one group, got -2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.conv2d %x, %w groups -2 : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv2d_input_channels_not_divisible(%x: tensor<1x6x8x8xf32>, %w: tensor<4x1x3x3xf32>) {
  // expected-error @+2 {{'pet.conv2d' op input channels (6) are not divisible by groups (4)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.conv2d %x, %w groups 4 : (tensor<1x6x8x8xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv2d_filters_not_divisible(%x: tensor<1x4x8x8xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+2 {{'pet.conv2d' op filters (3) are not divisible by groups (2)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.conv2d %x, %w groups 2 : (tensor<1x4x8x8xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x6x6xf32>
  return
}

// -----

func.func @conv2d_filter_channels(%x: tensor<1x3x8x8xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+2 {{'pet.conv2d' op filter has 2 input channels per group, but the input has 3 channels in 1 group(s)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.conv2d %x, %w : (tensor<1x3x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

// With 2 groups a filter must have 4 / 2 = 2 input channels, not all 4.
func.func @conv2d_filter_channels_grouped(%x: tensor<1x4x8x8xf32>, %w: tensor<4x4x3x3xf32>) {
  // expected-error @+2 {{'pet.conv2d' op filter has 4 input channels per group, but the input has 4 channels in 2 group(s)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.conv2d %x, %w groups 2 : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv2d_window_too_high(%x: tensor<1x3x4x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{'pet.conv2d' op window of 5 positions (kernel 3, dilation 2) does not fit the padded height of 4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.conv2d %x, %w dilations [2, 1] : (tensor<1x3x4x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x1x6xf32>
  return
}

// -----

// Padding counts: 1 + 1 + 1 = 3 is still less than the 4 taps of the kernel.
func.func @conv2d_window_too_wide(%x: tensor<1x3x8x1xf32>, %w: tensor<4x3x3x4xf32>) {
  // expected-error @+2 {{'pet.conv2d' op window of 4 positions (kernel 4, dilation 1) does not fit the padded width of 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.conv2d %x, %w pad_low [0, 1] pad_high [0, 1] : (tensor<1x3x8x1xf32>, tensor<4x3x3x4xf32>) -> tensor<1x4x6x1xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// pet.matmul and pet.batch_matmul
//===----------------------------------------------------------------------===//

func.func @matmul_lhs_rank(%a: tensor<2x4x8xf32>, %b: tensor<8x16xf32>) {
  // expected-error @+2 {{'pet.matmul' op expects a 2-D lhs (M x K, K x N), got 'tensor<2x4x8xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.matmul %a, %b : (tensor<2x4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
  return
}

// -----

func.func @matmul_rhs_rank(%a: tensor<4x8xf32>, %b: tensor<8xf32>) {
  // expected-error @+2 {{'pet.matmul' op expects a 2-D rhs (M x K, K x N), got 'tensor<8xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.matmul %a, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @matmul_element_types(%a: tensor<4x8xbf16>, %b: tensor<8x16xf16>) {
  // expected-error @+2 {{'pet.matmul' op expects lhs and rhs of the same element type, got 'bf16' and 'f16'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.matmul %a, %b : (tensor<4x8xbf16>, tensor<8x16xf16>) -> tensor<4x16xbf16>
  return
}

// -----

func.func @matmul_contracted_dims(%a: tensor<4x8xf32>, %b: tensor<16x8xf32>) {
  // expected-error @+2 {{'pet.matmul' op contracted dimensions differ: lhs has K = 8, rhs has K = 16}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.matmul %a, %b : (tensor<4x8xf32>, tensor<16x8xf32>) -> tensor<4x8xf32>
  return
}

// -----

// With transpose_lhs, K is the first dimension of lhs.
func.func @matmul_contracted_dims_transposed(%a: tensor<4x8xf32>, %b: tensor<8x16xf32>) {
  // expected-error @+2 {{'pet.matmul' op contracted dimensions differ: lhs has K = 4, rhs has K = 8}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.matmul %a, %b transpose_lhs : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<8x16xf32>
  return
}

// -----

func.func @batch_matmul_rank(%a: tensor<4x8xf32>, %b: tensor<2x8x16xf32>) {
  // expected-error @+2 {{'pet.batch_matmul' op expects a 3-D lhs (B x M x K, B x K x N), got 'tensor<4x8xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.batch_matmul %a, %b : (tensor<4x8xf32>, tensor<2x8x16xf32>) -> tensor<2x4x16xf32>
  return
}

// -----

func.func @batch_matmul_contracted_dims(%a: tensor<2x4x8xf32>, %b: tensor<2x4x16xf32>) {
  // expected-error @+2 {{'pet.batch_matmul' op contracted dimensions differ: lhs has K = 8, rhs has K = 16}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.batch_matmul %a, %b transpose_rhs : (tensor<2x4x8xf32>, tensor<2x4x16xf32>) -> tensor<2x4x4xf32>
  return
}

// -----

func.func @batch_matmul_batch_dims(%a: tensor<2x4x8xf32>, %b: tensor<3x8x16xf32>) {
  // expected-error @+2 {{'pet.batch_matmul' op batch dimensions differ: lhs has 2, rhs has 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.batch_matmul %a, %b : (tensor<2x4x8xf32>, tensor<3x8x16xf32>) -> tensor<2x4x16xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// pet.add, pet.sub, pet.mul
//===----------------------------------------------------------------------===//

func.func @add_element_types(%a: tensor<4xf32>, %b: tensor<4xf64>) {
  // expected-error @+2 {{'pet.add' op expects operands of the same element type, got 'f32' and 'f64'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.add %a, %b : (tensor<4xf32>, tensor<4xf64>) -> tensor<4xf32>
  return
}

// -----

func.func @sub_not_broadcastable(%a: tensor<2x3xf32>, %b: tensor<4x3xf32>) {
  // expected-error @+2 {{'pet.sub' op operands 'tensor<2x3xf32>' and 'tensor<4x3xf32>' are not broadcast-compatible: sizes 2 and 4 in result dimension 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.sub %a, %b : (tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

// Shapes are aligned on their last dimension: 3 faces 4, not 2.
func.func @mul_not_broadcastable_ranks(%a: tensor<2x3x4xf32>, %b: tensor<3xf32>) {
  // expected-error @+2 {{'pet.mul' op operands 'tensor<2x3x4xf32>' and 'tensor<3xf32>' are not broadcast-compatible: sizes 4 and 3 in result dimension 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.mul %a, %b : (tensor<2x3x4xf32>, tensor<3xf32>) -> tensor<2x3x4xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// pet.avg_pool2d and pet.max_pool2d
//===----------------------------------------------------------------------===//

func.func @avg_pool2d_input_rank(%x: tensor<2x8x8xf32>) {
  // expected-error @+2 {{'pet.avg_pool2d' op expects a 4-D input (N x C x H x W), got 'tensor<2x8x8xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.avg_pool2d %x kernel [2, 2] : tensor<2x8x8xf32> -> tensor<2x4x4xf32>
  return
}

// -----

func.func @avg_pool2d_kernel_count(%x: tensor<1x2x8x8xf32>) {
  // expected-error @+2 {{'pet.avg_pool2d' op expects `kernel` to have 2 values (height, width), got 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.avg_pool2d %x kernel [2] : tensor<1x2x8x8xf32> -> tensor<1x2x4x4xf32>
  return
}

// -----

func.func @avg_pool2d_kernel_zero(%x: tensor<1x2x8x8xf32>) {
  // expected-error @+2 {{'pet.avg_pool2d' op expects `kernel` values of at least 1, got 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.avg_pool2d %x kernel [2, 0] strides [1, 1] : tensor<1x2x8x8xf32> -> tensor<1x2x7x9xf32>
  return
}

// -----

func.func @avg_pool2d_strides_count(%x: tensor<1x2x8x8xf32>) {
  // expected-error @+2 {{'pet.avg_pool2d' op expects `strides` to have 2 values (height, width), got 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.avg_pool2d %x kernel [2, 2] strides [1, 2, 2] : tensor<1x2x8x8xf32> -> tensor<1x2x4x4xf32>
  return
}

// -----

func.func @avg_pool2d_strides_negative(%x: tensor<1x2x8x8xf32>) {
  // expected-error @+2 {{'pet.avg_pool2d' op expects `strides` values of at least 1, got -1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.avg_pool2d %x kernel [2, 2] strides [-1, 2] : tensor<1x2x8x8xf32> -> tensor<1x2x4x4xf32>
  return
}

// -----

func.func @avg_pool2d_pad_low_negative(%x: tensor<1x2x8x8xf32>) {
  // expected-error @+2 {{'pet.avg_pool2d' op expects `pad_low` values of at least 0, got -1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.avg_pool2d %x kernel [2, 2] pad_low [-1, -1] : tensor<1x2x8x8xf32> -> tensor<1x2x4x4xf32>
  return
}

// -----

func.func @avg_pool2d_pad_high_count(%x: tensor<1x2x8x8xf32>) {
  // expected-error @+2 {{'pet.avg_pool2d' op expects `pad_high` to have 2 values (height, width), got 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.avg_pool2d %x kernel [2, 2] pad_high [1] : tensor<1x2x8x8xf32> -> tensor<1x2x4x4xf32>
  return
}

// -----

// A 3-tap window may be padded by 1 on each side, not by 2.
func.func @avg_pool2d_padding_exceeds_half_window(%x: tensor<1x2x8x8xf32>) {
  // expected-error @+2 {{'pet.avg_pool2d' op padding of the height (2, 0) exceeds half the window of 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.avg_pool2d %x kernel [3, 3] strides [1, 1] pad_low [2, 0] : tensor<1x2x8x8xf32> -> tensor<1x2x8x6xf32>
  return
}

// -----

func.func @avg_pool2d_padding_exceeds_half_window_width(%x: tensor<1x2x8x8xf32>) {
  // expected-error @+2 {{'pet.avg_pool2d' op padding of the width (0, 2) exceeds half the window of 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.avg_pool2d %x kernel [2, 2] pad_high [0, 2] : tensor<1x2x8x8xf32> -> tensor<1x2x4x5xf32>
  return
}

// -----

func.func @avg_pool2d_window_too_large(%x: tensor<1x2x4x4xf32>) {
  // expected-error @+2 {{'pet.avg_pool2d' op window of 5 positions (kernel 5, dilation 1) does not fit the padded height of 4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.avg_pool2d %x kernel [5, 1] : tensor<1x2x4x4xf32> -> tensor<1x2x1x4xf32>
  return
}

// -----

func.func @max_pool2d_input_rank(%x: tensor<1x1x2x8x8xf32>) {
  // expected-error @+2 {{'pet.max_pool2d' op expects a 4-D input (N x C x H x W), got 'tensor<1x1x2x8x8xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.max_pool2d %x kernel [2, 2] : tensor<1x1x2x8x8xf32> -> tensor<1x2x4x4xf32>
  return
}

// -----

func.func @max_pool2d_dilations_count(%x: tensor<1x2x8x8xf32>) {
  // expected-error @+2 {{'pet.max_pool2d' op expects `dilations` to have 2 values (height, width), got 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.max_pool2d %x kernel [2, 2] dilations [2] : tensor<1x2x8x8xf32> -> tensor<1x2x4x4xf32>
  return
}

// -----

func.func @max_pool2d_dilations_zero(%x: tensor<1x2x8x8xf32>) {
  // expected-error @+2 {{'pet.max_pool2d' op expects `dilations` values of at least 1, got 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.max_pool2d %x kernel [2, 2] dilations [1, 0] : tensor<1x2x8x8xf32> -> tensor<1x2x4x4xf32>
  return
}

// -----

// The half-window rule uses the dilated window: a 2-tap kernel dilated by 3
// spans 4 positions, so padding 2 is fine but 3 is not.
func.func @max_pool2d_padding_exceeds_dilated_window(%x: tensor<1x2x8x8xf32>) {
  // expected-error @+2 {{'pet.max_pool2d' op padding of the width (3, 1) exceeds half the window of 4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.max_pool2d %x kernel [2, 2] strides [1, 1] pad_low [2, 3] pad_high [2, 1] dilations [3, 3] : tensor<1x2x8x8xf32> -> tensor<1x2x9x9xf32>
  return
}

// -----

func.func @max_pool2d_window_too_large(%x: tensor<1x2x8x4xf32>) {
  // expected-error @+2 {{'pet.max_pool2d' op window of 7 positions (kernel 3, dilation 3) does not fit the padded width of 6}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.max_pool2d %x kernel [1, 3] strides [1, 1] pad_low [0, 1] pad_high [0, 1] dilations [1, 3] : tensor<1x2x8x4xf32> -> tensor<1x2x8x1xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// pet.transpose
//===----------------------------------------------------------------------===//

func.func @transpose_permutation_length(%x: tensor<2x3x4xf32>) {
  // expected-error @+2 {{'pet.transpose' op expects a permutation of 3 dimensions, got 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.transpose %x perm [1, 0] : tensor<2x3x4xf32> -> tensor<3x2x4xf32>
  return
}

// -----

func.func @transpose_permutation_duplicate(%x: tensor<2x3x4xf32>) {
  // expected-error @+2 {{'pet.transpose' op permutation [0, 1, 0] is not a permutation of 0..2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.transpose %x perm [0, 1, 0] : tensor<2x3x4xf32> -> tensor<2x3x2xf32>
  return
}

// -----

func.func @transpose_permutation_out_of_range(%x: tensor<2x3x4xf32>) {
  // expected-error @+2 {{'pet.transpose' op permutation [0, 3, 1] is not a permutation of 0..2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.transpose %x perm [0, 3, 1] : tensor<2x3x4xf32> -> tensor<2x4x3xf32>
  return
}

// -----

func.func @transpose_permutation_negative(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'pet.transpose' op permutation [-1, 0] is not a permutation of 0..1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.transpose %x perm [-1, 0] : tensor<2x3xf32> -> tensor<3x2xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// pet.reshape
//===----------------------------------------------------------------------===//

func.func @reshape_element_count(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'pet.reshape' op cannot reshape 'tensor<2x3xf32>' (6 elements) to 'tensor<7xf32>' (7 elements)}}
  %0 = pet.reshape %x : tensor<2x3xf32> -> tensor<7xf32>
  return
}

// -----

func.func @reshape_element_type(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'pet.reshape' op expects input and result of the same element type, got 'f32' and 'f16'}}
  %0 = pet.reshape %x : tensor<2x3xf32> -> tensor<6xf16>
  return
}

// -----

//===----------------------------------------------------------------------===//
// pet.concat
//===----------------------------------------------------------------------===//

func.func @concat_no_input() {
  // expected-error @+2 {{'pet.concat' op expects at least one input}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.concat axis 0 : () -> tensor<2xf32>
  return
}

// -----

func.func @concat_axis_out_of_range(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) {
  // expected-error @+2 {{'pet.concat' op axis 2 is out of range for rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.concat %a, %b axis 2 : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x6xf32>
  return
}

// -----

func.func @concat_axis_negative(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) {
  // expected-error @+2 {{'pet.concat' op axis -1 is out of range for rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.concat %a, %b axis -1 : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x6xf32>
  return
}

// -----

func.func @concat_rank_mismatch(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>, %c: tensor<2x3x1xf32>) {
  // expected-error @+2 {{'pet.concat' op input #2 has type 'tensor<2x3x1xf32>', expected rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.concat %a, %b, %c axis 0 : (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3x1xf32>) -> tensor<6x3xf32>
  return
}

// -----

func.func @concat_size_mismatch(%a: tensor<2x3xf32>, %b: tensor<2x4xf32>) {
  // expected-error @+2 {{'pet.concat' op input #1 has size 4 in dimension 1, input #0 has 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.concat %a, %b axis 0 : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<4x3xf32>
  return
}

// -----

func.func @concat_element_types(%a: tensor<2x3xf32>, %b: tensor<2x3xbf16>) {
  // expected-error @+2 {{'pet.concat' op expects inputs of the same element type, got 'f32' and 'bf16'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.concat %a, %b axis 0 : (tensor<2x3xf32>, tensor<2x3xbf16>) -> tensor<4x3xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// pet.split
//===----------------------------------------------------------------------===//

func.func @split_sizes_sum(%x: tensor<2x6xf32>) {
  // expected-error @+2 {{'pet.split' op pieces add up to 5 but dimension 1 has size 6}}
  // expected-error @+1 {{failed to infer returned types}}
  %0:2 = pet.split %x axis 1 sizes [2, 3] : (tensor<2x6xf32>) -> (tensor<2x2xf32>, tensor<2x3xf32>)
  return
}

// -----

func.func @split_size_zero(%x: tensor<2x6xf32>) {
  // expected-error @+2 {{'pet.split' op expects pieces of at least one slice, got 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0:3 = pet.split %x axis 1 sizes [6, 0, 0] : (tensor<2x6xf32>) -> (tensor<2x6xf32>, tensor<2x0xf32>, tensor<2x0xf32>)
  return
}

// -----

func.func @split_size_negative(%x: tensor<2x6xf32>) {
  // expected-error @+2 {{'pet.split' op expects pieces of at least one slice, got -1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0:2 = pet.split %x axis 1 sizes [7, -1] : (tensor<2x6xf32>) -> (tensor<2x7xf32>, tensor<2x6xf32>)
  return
}

// -----

func.func @split_no_piece(%x: tensor<2x6xf32>) {
  // expected-error @+2 {{'pet.split' op expects at least one piece}}
  // expected-error @+1 {{failed to infer returned types}}
  pet.split %x axis 1 sizes [] : (tensor<2x6xf32>) -> ()
  return
}

// -----

func.func @split_axis_out_of_range(%x: tensor<2x6xf32>) {
  // expected-error @+2 {{'pet.split' op axis 2 is out of range for rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0:2 = pet.split %x axis 2 sizes [1, 1] : (tensor<2x6xf32>) -> (tensor<2x6xf32>, tensor<2x6xf32>)
  return
}

// -----

//===----------------------------------------------------------------------===//
// pet.slice
//===----------------------------------------------------------------------===//

func.func @slice_out_of_bounds(%x: tensor<4x6xf32>) {
  // expected-error @+2 {{'pet.slice' op slice reads index 6 of dimension 1, which has size 6}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.slice %x offsets [0, 3] sizes [4, 4] : tensor<4x6xf32> -> tensor<4x4xf32>
  return
}

// -----

// With stride 2, the 3 positions read from offset 1 are 1, 3 and 5.
func.func @slice_strided_out_of_bounds(%x: tensor<4x5xf32>) {
  // expected-error @+2 {{'pet.slice' op slice reads index 5 of dimension 1, which has size 5}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.slice %x offsets [0, 1] sizes [4, 3] strides [1, 2] : tensor<4x5xf32> -> tensor<4x3xf32>
  return
}

// -----

func.func @slice_offsets_count(%x: tensor<4x6xf32>) {
  // expected-error @+2 {{'pet.slice' op expects 2 offsets, sizes and strides, got 1, 2 and 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.slice %x offsets [0] sizes [4, 6] : tensor<4x6xf32> -> tensor<4x6xf32>
  return
}

// -----

func.func @slice_sizes_count(%x: tensor<4x6xf32>) {
  // expected-error @+2 {{'pet.slice' op expects 2 offsets, sizes and strides, got 2, 3 and 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.slice %x offsets [0, 0] sizes [4, 6, 1] : tensor<4x6xf32> -> tensor<4x6xf32>
  return
}

// -----

func.func @slice_strides_count(%x: tensor<4x6xf32>) {
  // expected-error @+2 {{'pet.slice' op expects 2 offsets, sizes and strides, got 2, 2 and 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.slice %x offsets [0, 0] sizes [4, 6] strides [1] : tensor<4x6xf32> -> tensor<4x6xf32>
  return
}

// -----

func.func @slice_stride_zero(%x: tensor<4x6xf32>) {
  // expected-error @+2 {{'pet.slice' op expects offsets >= 0, sizes >= 1 and strides >= 1, got 0, 2 and 0 in dimension 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.slice %x offsets [0, 0] sizes [4, 2] strides [1, 0] : tensor<4x6xf32> -> tensor<4x2xf32>
  return
}

// -----

func.func @slice_size_zero(%x: tensor<4x6xf32>) {
  // expected-error @+2 {{'pet.slice' op expects offsets >= 0, sizes >= 1 and strides >= 1, got 1, 0 and 1 in dimension 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.slice %x offsets [1, 0] sizes [0, 6] : tensor<4x6xf32> -> tensor<0x6xf32>
  return
}

// -----

func.func @slice_offset_negative(%x: tensor<4x6xf32>) {
  // expected-error @+2 {{'pet.slice' op expects offsets >= 0, sizes >= 1 and strides >= 1, got -1, 2 and 1 in dimension 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.slice %x offsets [-1, 0] sizes [2, 6] : tensor<4x6xf32> -> tensor<2x6xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// pet.pad
//===----------------------------------------------------------------------===//

func.func @pad_negative(%x: tensor<4x6xf32>) {
  // expected-error @+2 {{'pet.pad' op expects non-negative padding, got 0 and -1 in dimension 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.pad %x low [0, 0] high [0, -1] : tensor<4x6xf32> -> tensor<4x5xf32>
  return
}

// -----

func.func @pad_negative_low(%x: tensor<4x6xf32>) {
  // expected-error @+2 {{'pet.pad' op expects non-negative padding, got -2 and 1 in dimension 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.pad %x low [-2, 0] high [1, 0] : tensor<4x6xf32> -> tensor<3x6xf32>
  return
}

// -----

func.func @pad_count(%x: tensor<4x6xf32>) {
  // expected-error @+2 {{'pet.pad' op expects 2 low and high padding sizes, got 2 and 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.pad %x low [1, 1] high [1, 1, 1] : tensor<4x6xf32> -> tensor<6x8xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// pet.softmax and pet.layer_norm
//===----------------------------------------------------------------------===//

func.func @softmax_axis_out_of_range(%x: tensor<2x8xf32>) {
  // expected-error @+1 {{'pet.softmax' op axis 2 is out of range for rank 2}}
  %0 = pet.softmax %x axis 2 : tensor<2x8xf32>
  return
}

// -----

func.func @softmax_axis_negative(%x: tensor<2x8xf32>) {
  // expected-error @+1 {{'pet.softmax' op axis -1 is out of range for rank 2}}
  %0 = pet.softmax %x axis -1 : tensor<2x8xf32>
  return
}

// -----

func.func @softmax_rank0(%x: tensor<f32>) {
  // expected-error @+1 {{'pet.softmax' op axis 0 is out of range for rank 0}}
  %0 = pet.softmax %x axis 0 : tensor<f32>
  return
}

// -----

func.func @layer_norm_axis_out_of_range(%x: tensor<2x8xf32>) {
  // expected-error @+1 {{'pet.layer_norm' op axis 3 is out of range for rank 2}}
  %0 = pet.layer_norm %x axis 3 epsilon 1.0e-5 : tensor<2x8xf32>
  return
}

// -----

func.func @layer_norm_negative_epsilon(%x: tensor<2x8xf32>) {
  // expected-error @+1 {{'pet.layer_norm' op expects a non-negative epsilon, got -1.000000e-05}}
  %0 = pet.layer_norm %x axis 1 epsilon -1.0e-5 : tensor<2x8xf32>
  return
}

// -----

func.func @layer_norm_nan_epsilon(%x: tensor<2x8xf32>) {
  // expected-error @+1 {{'pet.layer_norm' op expects a non-negative epsilon, got nan}}
  %0 = pet.layer_norm %x axis 1 epsilon 0x7FF8000000000000 : tensor<2x8xf32>
  return
}

// -----

// Sizes that overflow 64 bits are errors, not wrapped-around shapes.

func.func @slice_stride_overflow(%x: tensor<4xf32>) {
  // expected-error @+2 {{'pet.slice' op slice reads index beyond 2^63 of dimension 0, which has size 4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.slice %x offsets [0] sizes [3] strides [4611686018427387904] : tensor<4xf32> -> tensor<3xf32>
  return
}

// -----

func.func @conv2d_empty_kernel(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x0x3xf32>) {
  // expected-error @+1 {{'pet.conv2d' op expects tensors without a dimension of size 0, got 'tensor<4x3x0x3xf32>' as operand #1}}
  %0 = pet.conv2d %x, %w : (tensor<1x3x8x8xf32>, tensor<4x3x0x3xf32>) -> tensor<1x4x9x6xf32>
  return
}

// -----

func.func @pad_overflow(%x: tensor<1xf32>) {
  // expected-error @+2 {{'pet.pad' op padded size of dimension 0 overflows 64 bits}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.pad %x low [9223372036854775807] high [0] : tensor<1xf32> -> tensor<1xf32>
  return
}

// -----

func.func @conv2d_dilation_overflow(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{'pet.conv2d' op window or padding of the height overflows 64-bit sizes}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.conv2d %x, %w dilations [4611686018427387904, 1] : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @max_pool2d_huge_padding(%x: tensor<1x1x4x4xf32>) {
  // expected-error @+2 {{'pet.max_pool2d' op padding of the height (4611686018427387904, 0) exceeds half the window of 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.max_pool2d %x kernel [1, 1] pad_low [4611686018427387904, 0] : tensor<1x1x4x4xf32> -> tensor<1x1x4x4xf32>
  return
}

// -----

func.func @insert_too_big(%s: tensor<3x2xf32>, %d: tensor<4x4xf32>) {
  // expected-error @+1 {{'pet.insert' op source of size 3 at offset 2 does not fit dimension 0 of the destination, of size 4}}
  %0 = pet.insert %s into %d offsets [2, 0] : tensor<3x2xf32> into tensor<4x4xf32>
  return
}

// -----

func.func @insert_rank(%s: tensor<2xf32>, %d: tensor<4x4xf32>) {
  // expected-error @+1 {{'pet.insert' op expects a source, a destination and offsets of one rank, got 1, 2 and 2}}
  %0 = pet.insert %s into %d offsets [0, 0] : tensor<2xf32> into tensor<4x4xf32>
  return
}

// -----

func.func @insert_element_types(%s: tensor<2xf16>, %d: tensor<4xf32>) {
  // expected-error @+1 {{'pet.insert' op expects source and destination of the same element type, got 'f16' and 'f32'}}
  %0 = pet.insert %s into %d offsets [0] : tensor<2xf16> into tensor<4xf32>
  return
}

// -----

func.func @concat_overflow(%a: tensor<4611686018427387904xf32>, %b: tensor<4611686018427387904xf32>) {
  // expected-error @+2 {{'pet.concat' op concatenated size overflows 64 bits}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.concat %a, %b axis 0 : (tensor<4611686018427387904xf32>, tensor<4611686018427387904xf32>) -> tensor<1xf32>
  return
}

// -----

func.func @split_sizes_overflow(%x: tensor<4xf32>) {
  // expected-error @+2 {{'pet.split' op piece sizes overflow 64 bits}}
  // expected-error @+1 {{failed to infer returned types}}
  %0:2 = pet.split %x axis 0 sizes [4611686018427387904, 4611686018427387904] : (tensor<4xf32>) -> (tensor<2xf32>, tensor<2xf32>)
  return
}

// -----

// A window of two taps 2 apart over an input of height 1, padded by 1:
// its taps read rows -1 and 1, both padding.
func.func @max_pool2d_window_in_padding(%x: tensor<1x1x1x1xf32>) {
  // expected-error @+2 {{'pet.max_pool2d' op window 0 of the height reads only padding (taps spaced 2 apart over an input of 1)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = pet.max_pool2d %x kernel [2, 1] strides [1, 1] pad_low [1, 0] pad_high [1, 0] dilations [2, 1] : tensor<1x1x1x1xf32> -> tensor<1x1x1x1xf32>
  return
}

// -----

// The same dilated window over an input of height 2 always reads a row.
func.func @max_pool2d_dilation_above_input(%x: tensor<1x1x2x1xf32>) -> tensor<1x1x2x1xf32> {
  %0 = pet.max_pool2d %x kernel [2, 1] strides [1, 1] pad_low [1, 0] pad_high [1, 0] dilations [2, 1] : tensor<1x1x2x1xf32> -> tensor<1x1x2x1xf32>
  return %0 : tensor<1x1x2x1xf32>
}

// -----

func.func @matmul_empty(%a: tensor<4x0xf32>, %b: tensor<0x8xf32>) {
  // expected-error @+1 {{'pet.matmul' op expects tensors without a dimension of size 0, got 'tensor<4x0xf32>' as operand #0}}
  %0 = pet.matmul %a, %b : (tensor<4x0xf32>, tensor<0x8xf32>) -> tensor<4x8xf32>
  return
}

// -----

func.func @conv2d_empty_batch(%x: tensor<0x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{'pet.conv2d' op expects tensors without a dimension of size 0, got 'tensor<0x3x8x8xf32>' as operand #0}}
  %0 = pet.conv2d %x, %w : (tensor<0x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<0x4x6x6xf32>
  return
}

// -----

func.func @scale_nan(%x: tensor<4xf32>) {
  // expected-error @+1 {{'pet.scale' op expects a finite factor, got nan}}
  %0 = pet.scale %x by 0x7FF8000000000000 : tensor<4xf32>
  return
}

// -----

func.func @scale_infinite(%x: tensor<4xf32>) {
  // expected-error @+1 {{'pet.scale' op expects a finite factor, got INF}}
  %0 = pet.scale %x by 0x7FF0000000000000 : tensor<4xf32>
  return
}
