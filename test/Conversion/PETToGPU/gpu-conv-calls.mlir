// RUN: pet-opt %s -split-input-file --pet-gpu-conv-calls | FileCheck %s
// RUN: pet-opt %s -split-input-file --pet-gpu-conv-calls=layout-views=0 | FileCheck %s --check-prefix=COPIES
// RUN: pet-opt %s -split-input-file --pet-gpu-conv-calls=channels-last=1 | FileCheck %s --check-prefix=NHWC

// A convolution, its bias, a residual and a ReLU become one call of the
// runtime's fused cuDNN convolution, which pads the image itself (numerics:
// pet-runtime-test's fused cases, and python -m pet_mlir.gpu_check on the GPU
// machine, bench/README.md).

// CHECK-LABEL: func.func private @pet_rt_conv2d_fused_f32(memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>, memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>, memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>, memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>, memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>, i64, i64, i64, i64, i64, i64, i64, i64) attributes {llvm.emit_c_interface}
// CHECK-LABEL: func.func @block
// CHECK-SAME: (%[[X:.*]]: tensor<1x8x8x8xf32>, %[[W:.*]]: tensor<16x8x3x3xf32> {pet.weight}, %[[B:.*]]: tensor<1x16x1x1xf32> {pet.weight}, %[[R:.*]]: tensor<1x16x4x4xf32>)
// CHECK-DAG: %[[OUT:.*]] = memref.alloc() : memref<1x16x4x4xf32>
// CHECK-DAG: %[[XB:.*]] = bufferization.to_buffer %[[X]] read_only : tensor<1x8x8x8xf32> to memref<1x8x8x8xf32, strided<[?, ?, ?, ?], offset: ?>>
// CHECK-DAG: %[[WB:.*]] = bufferization.to_buffer %[[W]] read_only
// CHECK-DAG: %[[BB:.*]] = bufferization.to_buffer %[[B]] read_only
// CHECK-DAG: %[[RB:.*]] = bufferization.to_buffer %[[R]] read_only
// CHECK-DAG: %[[XC:.*]] = memref.cast %[[XB]]
// CHECK-DAG: %[[WC:.*]] = memref.cast %[[WB]]
// CHECK-DAG: %[[BC:.*]] = memref.cast %[[BB]]
// CHECK-DAG: %[[RC:.*]] = memref.cast %[[RB]]
// CHECK-DAG: %[[OC:.*]] = memref.cast %[[OUT]]
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : i64
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : i64
// CHECK-DAG: %[[C7:.*]] = arith.constant 7 : i64
// CHECK: call @pet_rt_conv2d_fused_f32(%[[XC]], %[[WC]], %[[BC]], %[[RC]], %[[OC]], %[[C2]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[C7]])
// CHECK-NEXT: %[[T:.*]] = bufferization.to_tensor %[[OUT]] restrict writable
// CHECK-NEXT: return %[[T]]
func.func @block(%x: tensor<1x8x8x8xf32>, %w: tensor<16x8x3x3xf32> {pet.weight}, %b: tensor<1x16x1x1xf32> {pet.weight}, %r: tensor<1x16x4x4xf32>) -> tensor<1x16x4x4xf32> {
  %0 = pet.conv2d %x, %w strides [2, 2] pad_low [1, 1] pad_high [1, 1] : (tensor<1x8x8x8xf32>, tensor<16x8x3x3xf32>) -> tensor<1x16x4x4xf32>
  %1 = pet.add %b, %0 : (tensor<1x16x1x1xf32>, tensor<1x16x4x4xf32>) -> tensor<1x16x4x4xf32>
  %2 = pet.add %1, %r : (tensor<1x16x4x4xf32>, tensor<1x16x4x4xf32>) -> tensor<1x16x4x4xf32>
  %3 = pet.relu %2 : tensor<1x16x4x4xf32>
  return %3 : tensor<1x16x4x4xf32>
}

// -----

// The residual before the bias, no ReLU: flags 3 (bias | residual). The
// ReLU after the second convolution is fused although its input is the
// first call's result.

// CHECK-LABEL: func.func @residual_first
// CHECK: %[[C3:.*]] = arith.constant 3 : i64
// CHECK-NEXT: call @pet_rt_conv2d_fused_f32({{.*}}, %[[C3]])
// CHECK-NEXT: %[[T:.*]] = bufferization.to_tensor
// CHECK: bufferization.to_buffer %[[T]] read_only
// CHECK: %[[C4:.*]] = arith.constant 4 : i64
// CHECK-NEXT: call @pet_rt_conv2d_fused_f32({{.*}}, %[[C4]])
// CHECK-NOT: pet.
func.func @residual_first(%x: tensor<1x4x6x6xf32>, %w: tensor<4x4x1x1xf32>, %b: tensor<1x4x1x1xf32>) -> tensor<1x4x6x6xf32> {
  %0 = pet.conv2d %x, %w : (tensor<1x4x6x6xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x6x6xf32>
  %1 = pet.add %0, %x : (tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  %2 = pet.add %1, %b : (tensor<1x4x6x6xf32>, tensor<1x4x1x1xf32>) -> tensor<1x4x6x6xf32>
  %3 = pet.conv2d %2, %w : (tensor<1x4x6x6xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x6x6xf32>
  %4 = pet.relu %3 : tensor<1x4x6x6xf32>
  return %4 : tensor<1x4x6x6xf32>
}

// -----

// What does not fuse: a convolution read twice (its bias stays a pet.add),
// and a factor per position is no bias. Uneven padding: cuDNN pads by the
// smaller side (1 row and 0 columns here), the image by the rest first.

// CHECK-LABEL: func.func @partial
// CHECK: %[[C0:.*]] = arith.constant 0 : i64
// CHECK-NEXT: call @pet_rt_conv2d_fused_f32({{.*}}, %[[C0]])
// CHECK-NEXT: %[[T:.*]] = bufferization.to_tensor
// CHECK: pet.add %[[T]], %{{.*}} : (tensor<1x4x6x6xf32>, tensor<1x4x1x1xf32>)
// CHECK: %[[C0B:.*]] = arith.constant 0 : i64
// CHECK-NEXT: call @pet_rt_conv2d_fused_f32({{.*}}, %[[C0B]])
// CHECK: pet.add %{{.*}}, %{{.*}} : (tensor<1x4x6x6xf32>, tensor<1x1x6x6xf32>)
// CHECK: %[[P:.*]] = pet.pad %{{.*}} low [0, 0, 1, 0] high [0, 0, 0, 2] : tensor<1x4x6x6xf32> -> tensor<1x4x7x8xf32>
// CHECK: bufferization.to_buffer %[[P]]
// CHECK: call @pet_rt_conv2d_fused_f32(%{{[_a-z0-9]+}}, %{{[_a-z0-9]+}}, %{{[_a-z0-9]+}}, %{{[_a-z0-9]+}}, %{{[_a-z0-9]+}}, %{{[_a-z0-9]+}}, %{{[_a-z0-9]+}}, %c1_i64{{[_0-9]*}}, %c0_i64{{[_0-9]*}},
// CHECK-NOT: pet.conv2d
func.func @partial(%x: tensor<1x4x6x6xf32>, %w: tensor<4x4x3x3xf32>, %b: tensor<1x4x1x1xf32>, %p: tensor<1x1x6x6xf32>) -> (tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32>, tensor<1x4x7x6xf32>) {
  %0 = pet.conv2d %x, %w pad_low [1, 1] pad_high [1, 1] : (tensor<1x4x6x6xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x6x6xf32>
  %1 = pet.add %0, %b : (tensor<1x4x6x6xf32>, tensor<1x4x1x1xf32>) -> tensor<1x4x6x6xf32>
  %2 = pet.conv2d %x, %w pad_low [1, 1] pad_high [1, 1] : (tensor<1x4x6x6xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x6x6xf32>
  %3 = pet.add %2, %p : (tensor<1x4x6x6xf32>, tensor<1x1x6x6xf32>) -> tensor<1x4x6x6xf32>
  %4 = pet.conv2d %x, %w pad_low [2, 0] pad_high [1, 2] : (tensor<1x4x6x6xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x7x6xf32>
  return %0, %1, %3, %4 : tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32>, tensor<1x4x7x6xf32>
}

// -----

// Layout as views. The halves of a batch-1 image's rows, laid along the
// batch, are read as a view of the image (the batch steps by six rows of
// its own strides); the batch of results, turned back into one image by a
// split along the batch and a concatenation along rows, is written into
// that image's buffer (batch stride 6 rows x 10 = 60, channel stride 120);
// neither copy remains. The bias after the concatenation stays. Numerics:
// pet-runtime-test's views, and gpu_check on the GPU machine.

// With layout-views=0 the layout operators stay (copies) and the calls
// get contiguous buffers.
// COPIES-LABEL: func.func @rows
// COPIES-NOT: memref.reinterpret_cast
// COPIES: %[[C:.*]] = pet.concat %{{.*}}#0, %{{.*}}#1 axis 0
// COPIES: bufferization.to_buffer %[[C]] read_only : tensor<2x8x6x10xf32> to memref<2x8x6x10xf32>
// COPIES: pet.split %{{.*}} axis 0
// COPIES: pet.concat %{{.*}}#0, %{{.*}}#1 axis 2

// CHECK-LABEL: func.func @rows
// CHECK-SAME: (%[[X:.*]]: tensor<1x8x12x10xf32>
// CHECK: %[[OUT:.*]] = memref.alloc() : memref<1x16x12x10xf32>
// CHECK: %[[OV:.*]] = memref.reinterpret_cast %[[OUT]] to offset: [0], sizes: [2, 16, 6, 10], strides: [60, 120, 10, 1]
// CHECK: %[[XB:.*]] = bufferization.to_buffer %[[X]] read_only : tensor<1x8x12x10xf32> to memref<1x8x12x10xf32, strided<[?, ?, ?, ?], offset: ?>>
// CHECK: %[[BASE:.*]], %[[OFF:.*]], %{{.*}}:4, %[[ST:.*]]:4 = memref.extract_strided_metadata %[[XB]]
// CHECK: %[[SIX:.*]] = arith.constant 6 : index
// CHECK: %[[PIECE:.*]] = arith.muli %[[ST]]#2, %[[SIX]]
// CHECK: %[[XV:.*]] = memref.reinterpret_cast %[[BASE]] to offset: [%[[OFF]]], sizes: [2, 8, 6, 10], strides: [%[[PIECE]], %[[ST]]#1, %[[ST]]#2, %[[ST]]#3]
// CHECK: %[[XC:.*]] = memref.cast %[[XV]]
// CHECK: memref.cast %[[OV]]
// CHECK: memref.cast %[[OV]]
// CHECK: %[[OC:.*]] = memref.cast %[[OV]]
// CHECK: call @pet_rt_conv2d_fused_f32(%[[XC]], %{{.*}}, %{{.*}}, %{{.*}}, %[[OC]],
// CHECK: %[[T:.*]] = bufferization.to_tensor %[[OUT]] restrict writable
// CHECK: %[[R:.*]] = pet.add %[[T]], %{{.*}}
// CHECK-NOT: pet.split
// CHECK-NOT: pet.concat
// CHECK: return %[[R]]
func.func @rows(%x: tensor<1x8x12x10xf32>, %w: tensor<16x8x3x3xf32> {pet.weight}, %b: tensor<1x16x1x1xf32> {pet.weight}) -> tensor<1x16x12x10xf32> {
  %p:2 = pet.split %x axis 2 sizes [6, 6] : (tensor<1x8x12x10xf32>) -> (tensor<1x8x6x10xf32>, tensor<1x8x6x10xf32>)
  %c = pet.concat %p#0, %p#1 axis 0 : (tensor<1x8x6x10xf32>, tensor<1x8x6x10xf32>) -> tensor<2x8x6x10xf32>
  %y = pet.conv2d %c, %w pad_low [1, 1] pad_high [1, 1] : (tensor<2x8x6x10xf32>, tensor<16x8x3x3xf32>) -> tensor<2x16x6x10xf32>
  %q:2 = pet.split %y axis 0 sizes [1, 1] : (tensor<2x16x6x10xf32>) -> (tensor<1x16x6x10xf32>, tensor<1x16x6x10xf32>)
  %z = pet.concat %q#0, %q#1 axis 2 : (tensor<1x16x6x10xf32>, tensor<1x16x6x10xf32>) -> tensor<1x16x12x10xf32>
  %r = pet.add %z, %b : (tensor<1x16x12x10xf32>, tensor<1x16x1x1xf32>) -> tensor<1x16x12x10xf32>
  return %r : tensor<1x16x12x10xf32>
}

// -----

// A slice of channels is read where it lies; a chain whose result only a
// concatenation reads writes its slice of the concatenation's buffer
// (channels 4..9 of 10); the other operand is copied into its slice. The
// buffer is allocated before the convolution, read as a tensor where the
// concatenation was.

// CHECK-LABEL: func.func @concat
// CHECK-SAME: %[[O:[a-z0-9]+]]: tensor<2x4x7x7xf32>)
// CHECK: %[[P:.*]]:2 = pet.split
// CHECK: %[[OUT:.*]] = memref.alloc() : memref<2x10x7x7xf32>
// CHECK: %[[SLICE:.*]] = memref.subview %[[OUT]][0, 4, 0, 0] [2, 6, 7, 7] [1, 1, 1, 1]
// CHECK: %[[XB:.*]] = bufferization.to_buffer %[[P]]#1 read_only : tensor<2x8x7x7xf32> to memref<2x8x7x7xf32, strided<[?, ?, ?, ?], offset: ?>>
// CHECK: %[[XC:.*]] = memref.cast %[[XB]]
// CHECK: memref.cast %[[SLICE]]
// CHECK: %[[OC:.*]] = memref.cast %[[SLICE]]
// CHECK: call @pet_rt_conv2d_fused_f32(%[[XC]], %{{.*}}, %{{.*}}, %{{.*}}, %[[OC]], {{.*}}, %c5_i64)
// CHECK: %[[FIRST:.*]] = memref.subview %[[OUT]][0, 0, 0, 0] [2, 4, 7, 7] [1, 1, 1, 1]
// CHECK: bufferization.materialize_in_destination %[[O]] in restrict writable %[[FIRST]]
// CHECK: %[[T:.*]] = bufferization.to_tensor %[[OUT]] restrict writable
// CHECK-NOT: pet.concat
// CHECK: return %[[T]]
func.func @concat(%x: tensor<2x12x7x7xf32>, %w: tensor<6x8x3x3xf32> {pet.weight}, %b: tensor<1x6x1x1xf32> {pet.weight}, %o: tensor<2x4x7x7xf32>) -> tensor<2x10x7x7xf32> {
  %p:2 = pet.split %x axis 1 sizes [4, 8] : (tensor<2x12x7x7xf32>) -> (tensor<2x4x7x7xf32>, tensor<2x8x7x7xf32>)
  %y = pet.conv2d %p#1, %w pad_low [1, 1] pad_high [1, 1] : (tensor<2x8x7x7xf32>, tensor<6x8x3x3xf32>) -> tensor<2x6x7x7xf32>
  %a = pet.add %y, %b : (tensor<2x6x7x7xf32>, tensor<1x6x1x1xf32>) -> tensor<2x6x7x7xf32>
  %r = pet.relu %a : tensor<2x6x7x7xf32>
  %z = pet.concat %o, %r axis 1 : (tensor<2x4x7x7xf32>, tensor<2x6x7x7xf32>) -> tensor<2x10x7x7xf32>
  return %z : tensor<2x10x7x7xf32>
}

// -----

// What is not written in place: a chain with a residual (cuDNN's residual
// must have the output's strides), a result read twice, and rows that are
// not a batch-1 image's (two images' halves do not make one batch stride):
// each gets a buffer of its own and the concatenations stay.

// CHECK-LABEL: func.func @copies
// CHECK-NOT: memref.subview
// CHECK: %[[A:.*]] = memref.alloc() : memref<1x4x6x6xf32>
// CHECK: call @pet_rt_conv2d_fused_f32(
// CHECK: %[[R:.*]] = bufferization.to_tensor %[[A]]
// CHECK-NEXT: pet.concat %arg0, %[[R]] axis 1
// CHECK-NOT: memref.subview
// CHECK: %[[B:.*]] = memref.alloc() : memref<1x4x6x6xf32>
// CHECK: %[[S:.*]] = bufferization.to_tensor %[[B]]
// CHECK-NEXT: pet.concat %[[S]], %[[S]] axis 1
// CHECK: %[[C:.*]] = pet.concat %{{.*}}#0, %{{.*}}#1 axis 0
// CHECK-NOT: memref.reinterpret_cast
// CHECK: bufferization.to_buffer %[[C]] read_only
// CHECK-NOT: memref.subview
// CHECK-NOT: memref.reinterpret_cast
func.func @copies(%x: tensor<1x4x6x6xf32>, %w: tensor<4x4x1x1xf32>, %x2: tensor<2x4x6x6xf32>) -> (tensor<1x8x6x6xf32>, tensor<1x8x6x6xf32>, tensor<4x4x3x6xf32>) {
  %0 = pet.conv2d %x, %w : (tensor<1x4x6x6xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x6x6xf32>
  %1 = pet.add %0, %x : (tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  %2 = pet.concat %x, %1 axis 1 : (tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32>) -> tensor<1x8x6x6xf32>
  %3 = pet.conv2d %x, %w : (tensor<1x4x6x6xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x6x6xf32>
  %4 = pet.concat %3, %3 axis 1 : (tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32>) -> tensor<1x8x6x6xf32>
  %h:2 = pet.split %x2 axis 2 sizes [3, 3] : (tensor<2x4x6x6xf32>) -> (tensor<2x4x3x6xf32>, tensor<2x4x3x6xf32>)
  %c = pet.concat %h#0, %h#1 axis 0 : (tensor<2x4x3x6xf32>, tensor<2x4x3x6xf32>) -> tensor<4x4x3x6xf32>
  %5 = pet.conv2d %c, %w : (tensor<4x4x3x6xf32>, tensor<4x4x1x1xf32>) -> tensor<4x4x3x6xf32>
  return %2, %4, %5 : tensor<1x8x6x6xf32>, tensor<1x8x6x6xf32>, tensor<4x4x3x6xf32>
}

// -----

// `pet.copy_layout` (a program's twin lowered with copies, see
// --pet-mutate's layout-alternatives): the same program as @rows and
// @concat, every view and in-place write left out.

// CHECK-LABEL: func.func @marked
// CHECK-NOT: memref.reinterpret_cast
// CHECK-NOT: memref.subview
// CHECK: %[[C:.*]] = pet.concat %{{.*}}#0, %{{.*}}#1 axis 0 {pet.copy_layout}
// CHECK: bufferization.to_buffer %[[C]] read_only : tensor<2x8x6x10xf32> to memref<2x8x6x10xf32>
// CHECK: bufferization.to_buffer %{{.*}}#1 read_only : tensor<2x8x7x7xf32> to memref<2x8x7x7xf32>
// CHECK: pet.concat %{{.*}}, %{{.*}} axis 1 {pet.copy_layout}
func.func @marked(%x: tensor<1x8x12x10xf32>, %w: tensor<16x8x3x3xf32> {pet.weight}, %x2: tensor<2x12x7x7xf32>, %w2: tensor<6x8x3x3xf32> {pet.weight}, %o: tensor<2x4x7x7xf32>) -> (tensor<1x16x12x10xf32>, tensor<2x10x7x7xf32>) {
  %p:2 = pet.split %x axis 2 sizes [6, 6] : (tensor<1x8x12x10xf32>) -> (tensor<1x8x6x10xf32>, tensor<1x8x6x10xf32>)
  %c = pet.concat %p#0, %p#1 axis 0 {pet.copy_layout} : (tensor<1x8x6x10xf32>, tensor<1x8x6x10xf32>) -> tensor<2x8x6x10xf32>
  %y = pet.conv2d %c, %w pad_low [1, 1] pad_high [1, 1] {pet.copy_layout} : (tensor<2x8x6x10xf32>, tensor<16x8x3x3xf32>) -> tensor<2x16x6x10xf32>
  %q:2 = pet.split %y axis 0 sizes [1, 1] : (tensor<2x16x6x10xf32>) -> (tensor<1x16x6x10xf32>, tensor<1x16x6x10xf32>)
  %z = pet.concat %q#0, %q#1 axis 2 {pet.copy_layout} : (tensor<1x16x6x10xf32>, tensor<1x16x6x10xf32>) -> tensor<1x16x12x10xf32>
  %s:2 = pet.split %x2 axis 1 sizes [4, 8] : (tensor<2x12x7x7xf32>) -> (tensor<2x4x7x7xf32>, tensor<2x8x7x7xf32>)
  %v = pet.conv2d %s#1, %w2 pad_low [1, 1] pad_high [1, 1] {pet.copy_layout} : (tensor<2x8x7x7xf32>, tensor<6x8x3x3xf32>) -> tensor<2x6x7x7xf32>
  %k = pet.concat %o, %v axis 1 {pet.copy_layout} : (tensor<2x4x7x7xf32>, tensor<2x6x7x7xf32>) -> tensor<2x10x7x7xf32>
  return %z, %k : tensor<1x16x12x10xf32>, tensor<2x10x7x7xf32>
}

// -----

// channels-last=1: outputs stored NHWC, seen as NCHW through a transpose.
// The block's second convolution adds the downsampling convolution's result
// (NHWC too, though written after it) and writes NHWC; a convolution whose
// residual is an argument (NCHW) writes NCHW, the residual's layout. The
// residuals are passed as they lie (any strides: the runtime reads an NCHW
// residual into an NHWC output too). Numerics: pet-runtime-test's
// channels-last cases and gpu_check's -nhwc cases on the GPU machine.

// NHWC-LABEL: func.func @channels_last
// NHWC: %[[A:.*]] = memref.alloc() : memref<1x8x8x16xf32>
// NHWC: %[[AT:.*]] = memref.transpose %[[A]] (d0, d1, d2, d3) -> (d0, d3, d1, d2) : memref<1x8x8x16xf32> to memref<1x16x8x8xf32, strided<[1024, 1, 128, 16]>>
// NHWC: call @pet_rt_conv2d_fused_f32
// NHWC: %[[T0:.*]] = bufferization.to_tensor %[[AT]] restrict writable
// NHWC: %[[B:.*]] = memref.alloc() : memref<1x8x8x16xf32>
// NHWC: %[[BT:.*]] = memref.transpose %[[B]]
// NHWC: call @pet_rt_conv2d_fused_f32
// NHWC: %[[DOWN:.*]] = bufferization.to_tensor %[[BT]]
// NHWC: %[[C:.*]] = memref.alloc() : memref<1x8x8x16xf32>
// NHWC: %[[CT:.*]] = memref.transpose %[[C]]
// NHWC-DAG: bufferization.to_buffer %[[DOWN]] read_only : tensor<1x16x8x8xf32> to memref<1x16x8x8xf32, strided<[?, ?, ?, ?], offset: ?>>
// NHWC-DAG: bufferization.to_buffer %[[T0]] read_only : tensor<1x16x8x8xf32> to memref<1x16x8x8xf32, strided<[?, ?, ?, ?], offset: ?>>
// NHWC-DAG: %[[C6:.*]] = arith.constant 6 : i64
// NHWC: call @pet_rt_conv2d_fused_f32({{.*}}, %[[C6]])
// NHWC: %[[T2:.*]] = bufferization.to_tensor %[[CT]]
// NHWC: %[[D:.*]] = memref.alloc() : memref<1x16x8x8xf32>
// NHWC-NOT: memref.transpose
// NHWC: bufferization.to_buffer %{{.*}} read_only : tensor<1x16x8x8xf32> to memref<1x16x8x8xf32, strided<[?, ?, ?, ?], offset: ?>>
// NHWC: call @pet_rt_conv2d_fused_f32
// NHWC: %[[T3:.*]] = bufferization.to_tensor %[[D]]
// NHWC: return %[[T2]], %[[T3]]
func.func @channels_last(%x: tensor<1x8x8x8xf32>, %w1: tensor<16x8x3x3xf32>, %w2: tensor<16x16x3x3xf32>, %wd: tensor<16x8x1x1xf32>, %r: tensor<1x16x8x8xf32>) -> (tensor<1x16x8x8xf32>, tensor<1x16x8x8xf32>) {
  %0 = pet.conv2d %x, %w1 pad_low [1, 1] pad_high [1, 1] : (tensor<1x8x8x8xf32>, tensor<16x8x3x3xf32>) -> tensor<1x16x8x8xf32>
  %1 = pet.relu %0 : tensor<1x16x8x8xf32>
  %2 = pet.conv2d %1, %w2 pad_low [1, 1] pad_high [1, 1] : (tensor<1x16x8x8xf32>, tensor<16x16x3x3xf32>) -> tensor<1x16x8x8xf32>
  %3 = pet.conv2d %x, %wd : (tensor<1x8x8x8xf32>, tensor<16x8x1x1xf32>) -> tensor<1x16x8x8xf32>
  %4 = pet.add %2, %3 : (tensor<1x16x8x8xf32>, tensor<1x16x8x8xf32>) -> tensor<1x16x8x8xf32>
  %5 = pet.relu %4 : tensor<1x16x8x8xf32>
  %6 = pet.conv2d %5, %w2 pad_low [1, 1] pad_high [1, 1] : (tensor<1x16x8x8xf32>, tensor<16x16x3x3xf32>) -> tensor<1x16x8x8xf32>
  %7 = pet.add %6, %r : (tensor<1x16x8x8xf32>, tensor<1x16x8x8xf32>) -> tensor<1x16x8x8xf32>
  return %5, %7 : tensor<1x16x8x8xf32>, tensor<1x16x8x8xf32>
}
