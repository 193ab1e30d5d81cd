// RUN: pet-opt %s --pet-gpu-name-kernels | FileCheck %s

// Outlined kernels, all named `f_kernel`, get their host function's name
// and the first source line of their launch; a name that repeats gets a
// count; a kernel launched twice keeps one name; a launch without a source
// line is named after its function alone.

// CHECK-LABEL: func.func @f
// CHECK:       gpu.launch_func @f_kernel::@f_L15 blocks
// CHECK:       gpu.launch_func @f_kernel_0::@f_L15_1 blocks
// CHECK:       gpu.launch_func @f_kernel::@f_L15 blocks
// CHECK:       gpu.launch_func @f_kernel_1::@f blocks
// CHECK:       gpu.module @f_kernel
// CHECK:         gpu.func @f_L15(
// CHECK:       gpu.module @f_kernel_0
// CHECK:         gpu.func @f_L15_1(
// CHECK:       gpu.module @f_kernel_1
// CHECK:         gpu.func @f(
module attributes {gpu.container_module} {
  func.func @f(%m: memref<4xf32>) {
    %c1 = arith.constant 1 : index
    gpu.launch_func @f_kernel::@f_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%m : memref<4xf32>) loc(fused["model.mlir":15:3, "model.mlir":16:3])
    gpu.launch_func @f_kernel_0::@f_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%m : memref<4xf32>) loc("model.mlir":15:9)
    gpu.launch_func @f_kernel::@f_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%m : memref<4xf32>) loc("model.mlir":20:3)
    gpu.launch_func @f_kernel_1::@f_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%m : memref<4xf32>) loc(unknown)
    return
  }
  gpu.module @f_kernel {
    gpu.func @f_kernel(%arg0: memref<4xf32>) kernel {
      gpu.return
    }
  }
  gpu.module @f_kernel_0 {
    gpu.func @f_kernel(%arg0: memref<4xf32>) kernel {
      gpu.return
    }
  }
  gpu.module @f_kernel_1 {
    gpu.func @f_kernel(%arg0: memref<4xf32>) kernel {
      gpu.return
    }
  }
}
