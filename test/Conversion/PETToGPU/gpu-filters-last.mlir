// RUN: pet-opt %s --pet-gpu-filters-last | FileCheck %s
// RUN: pet-opt %s --pet-gpu-filters-last --pet-gpu-conv-calls | FileCheck %s --check-prefix=CALLS

// The preprocessed filter comes out of the preprocessing function KRSC and
// is read back through a transpose, which the convolution call takes as a
// strided view of the KRSC buffer. The preprocessed bias and the filter
// that another operator also reads stay as they are. Numerics: test_cpu's
// test_filters_stored_krsc_compute_the_same_on_cpu (ResNet-18 through
// --pet-gpu-filters-last against without, on the CPU), pet-runtime-test's
// KRSC cases on the GPU machine.

// CHECK-LABEL: func.func @f_preprocess
// CHECK-SAME: -> (tensor<8x3x3x4xf32>, tensor<1x8x1x1xf32>, tensor<8x4x1x1xf32>)
// CHECK: %[[S:.*]] = pet.mul
// CHECK: %[[T:.*]] = pet.transpose %[[S]] perm [0, 2, 3, 1] : tensor<8x4x3x3xf32> -> tensor<8x3x3x4xf32>
// CHECK: return %[[T]], %{{.*}}, %{{.*}} : tensor<8x3x3x4xf32>, tensor<1x8x1x1xf32>, tensor<8x4x1x1xf32>
// CHECK-LABEL: func.func @f
// CHECK-SAME: %[[W:[a-z0-9]+]]: tensor<8x3x3x4xf32> {pet.preprocessed, pet.weight}
// CHECK-NEXT: %[[K:.*]] = pet.transpose %[[W]] perm [0, 3, 1, 2] : tensor<8x3x3x4xf32> -> tensor<8x4x3x3xf32>
// CHECK: pet.conv2d %{{.*}}, %[[K]]

// CALLS-LABEL: func.func @f(
// CALLS: %[[B:.*]] = bufferization.to_buffer %{{.*}} read_only : tensor<8x3x3x4xf32> to memref<8x3x3x4xf32>
// CALLS: %[[V:.*]] = memref.transpose %[[B]] (d0, d1, d2, d3) -> (d0, d3, d1, d2) : memref<8x3x3x4xf32> to memref<8x4x3x3xf32, strided<[36, 1, 12, 4]>>
// CALLS: %[[VC:.*]] = memref.cast %[[V]]
// CALLS: call @pet_rt_conv2d_fused_f32(%{{.*}}, %[[VC]],
// CALLS-NOT: pet.transpose
func.func @f_preprocess(%w: tensor<8x4x3x3xf32>, %s: tensor<8x1x1x1xf32>, %b: tensor<1x8x1x1xf32>, %v: tensor<8x4x1x1xf32>) -> (tensor<8x4x3x3xf32>, tensor<1x8x1x1xf32>, tensor<8x4x1x1xf32>) {
  %0 = pet.mul %w, %s : (tensor<8x4x3x3xf32>, tensor<8x1x1x1xf32>) -> tensor<8x4x3x3xf32>
  return %0, %b, %v : tensor<8x4x3x3xf32>, tensor<1x8x1x1xf32>, tensor<8x4x1x1xf32>
}
func.func @f(%x: tensor<1x4x6x6xf32>, %w: tensor<8x4x3x3xf32> {pet.weight}, %s: tensor<8x1x1x1xf32> {pet.weight}, %b0: tensor<1x8x1x1xf32> {pet.weight}, %v0: tensor<8x4x1x1xf32> {pet.weight}, %pw: tensor<8x4x3x3xf32> {pet.preprocessed, pet.weight}, %pb: tensor<1x8x1x1xf32> {pet.preprocessed, pet.weight}, %pv: tensor<8x4x1x1xf32> {pet.preprocessed, pet.weight}) -> (tensor<1x8x6x6xf32>, tensor<8x4x1x1xf32>) attributes {pet.preprocess = @f_preprocess} {
  %0 = pet.conv2d %x, %pw pad_low [1, 1] pad_high [1, 1] : (tensor<1x4x6x6xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32>
  %1 = pet.add %0, %pb : (tensor<1x8x6x6xf32>, tensor<1x8x1x1xf32>) -> tensor<1x8x6x6xf32>
  %2 = pet.relu %pv : tensor<8x4x1x1xf32>
  return %1, %2 : tensor<1x8x6x6xf32>, tensor<8x4x1x1xf32>
}

