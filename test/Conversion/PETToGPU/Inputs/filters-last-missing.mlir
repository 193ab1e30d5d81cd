// A function whose pet.preprocess attribute names no function (RUN in
// ../gpu-filters-last.mlir).
// expected-error @+1 {{pet.preprocess names no function in the module: @missing}}
func.func @g(%x: tensor<1x4x6x6xf32>, %pw: tensor<8x4x3x3xf32> {pet.preprocessed, pet.weight}) -> tensor<1x8x4x4xf32> attributes {pet.preprocess = @missing} {
  %0 = pet.conv2d %x, %pw : (tensor<1x4x6x6xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x4x4xf32>
  return %0 : tensor<1x8x4x4xf32>
}
