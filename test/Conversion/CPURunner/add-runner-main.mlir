// RUN: pet-opt %s --pet-add-runner-main="seed=3" | FileCheck %s
// RUN: pet-opt %s --convert-pet-to-linalg --pet-add-runner-main | mlir-opt --pass-pipeline=%pet_cpu_pipeline | mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_libs | FileCheck %s --check-prefix=CPU

// A @main that fills the arguments, calls the function (through its entry
// point, which would first compute preprocessed weights) and prints each
// result; the documented CPU pipeline runs it (values: python/tests/test_cpu.py;
// errors: add-runner-main-invalid.mlir).
// CHECK-LABEL: func.func @f(
// CHECK-LABEL: func.func @f_entry(%arg0: tensor<2x3xf32>, %arg1: tensor<2x3xf32>) -> (tensor<3x3xf32>, tensor<2x3xf32>)
// CHECK-NEXT:  %[[E:.*]]:2 = call @f(%arg0, %arg1)
// CHECK-NEXT:  return %[[E]]#0, %[[E]]#1
// CHECK:       func.func private @printMemrefF32(tensor<*xf32>)
// CHECK-LABEL: func.func @main()
// CHECK:       %[[A:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<2x3xf32>)
// CHECK:       linalg.index 0
// CHECK:       arith.muli %{{.*}}, %c2654435761_i64
// CHECK:       arith.addi %{{.*}}, %c121509364527_i64
// CHECK:       arith.shrui
// CHECK:       %[[B:.*]] = linalg.generic
// CHECK:       arith.addi %{{.*}}, %c121509405030_i64
// CHECK:       %[[R:.*]]:2 = call @f_entry(%[[A]], %[[B]])
// CHECK:       %[[C0:.*]] = tensor.cast %[[R]]#0 : tensor<3x3xf32> to tensor<*xf32>
// CHECK-NEXT:  call @printMemrefF32(%[[C0]])
// CHECK:       %[[C1:.*]] = tensor.cast %[[R]]#1 : tensor<2x3xf32> to tensor<*xf32>
// CHECK-NEXT:  call @printMemrefF32(%[[C1]])
// CPU:         Unranked Memref {{.*}} rank = 2 offset = 0 sizes = [3, 3] strides = [3, 1] data =
// CPU:         Unranked Memref {{.*}} rank = 2 offset = 0 sizes = [2, 3] strides = [3, 1] data =
func.func @f(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) -> (tensor<3x3xf32>, tensor<2x3xf32>) {
  %0 = pet.matmul %a, %b transpose_lhs : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<3x3xf32>
  %1 = pet.relu %b : tensor<2x3xf32>
  return %0, %1 : tensor<3x3xf32>, tensor<2x3xf32>
}
