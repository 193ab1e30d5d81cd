//===- PreprocessTest.cpp - Compile-time weights keep the values ----------===//

#include "PassNumerics.h"

#include "mlir/Parser/Parser.h"
#include "gtest/gtest.h"

using namespace mlir;
using namespace pet_test;

TEST(PreprocessTest, ConstantOnlyOperatorsFoldToTheSameValues) {
  MLIRContext context;
  preparePassContext(context);
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(R"(
    func.func @f(%x: tensor<1x2x4x4xf32>) -> tensor<1x5x4x4xf32> {
      %w1 = arith.constant dense<[[[[0.5]], [[-1.25]]], [[[2.0]], [[0.75]]]]> : tensor<2x2x1x1xf32>
      %w3 = arith.constant dense<0.375> : tensor<3x2x3x3xf32>
      %p = pet.pad %w1 low [0, 0, 1, 1] high [0, 0, 1, 1] : tensor<2x2x1x1xf32> -> tensor<2x2x3x3xf32>
      %w = pet.concat %p, %w3 axis 0 : (tensor<2x2x3x3xf32>, tensor<3x2x3x3xf32>) -> tensor<5x2x3x3xf32>
      %t = pet.transpose %w perm [1, 0, 2, 3] : tensor<5x2x3x3xf32> -> tensor<2x5x3x3xf32>
      %u = pet.transpose %t perm [1, 0, 2, 3] : tensor<2x5x3x3xf32> -> tensor<5x2x3x3xf32>
      %d = pet.concat %u, %u axis 1 : (tensor<5x2x3x3xf32>, tensor<5x2x3x3xf32>) -> tensor<5x4x3x3xf32>
      %h:2 = pet.split %d axis 1 sizes [2, 2] : (tensor<5x4x3x3xf32>) -> (tensor<5x2x3x3xf32>, tensor<5x2x3x3xf32>)
      %y = pet.conv2d %x, %h#1 pad_low [1, 1] pad_high [1, 1] : (tensor<1x2x4x4xf32>, tensor<5x2x3x3xf32>) -> tensor<1x5x4x4xf32>
      return %y : tensor<1x5x4x4xf32>
    })",
                                                             &context);
  ASSERT_TRUE(module);
  EXPECT_EQ(checkPipelinePreservesValues(*module, "func.func(pet-preprocess)"),
            "");
  // Only the convolution (and its one constant filter) is left.
  unsigned pet = 0, constants = 0;
  module->walk([&](Operation *op) {
    pet += op->getDialect()->getNamespace() == "pet";
    constants += op->getName().getStringRef() == "arith.constant";
  });
  EXPECT_EQ(pet, 1u);
  EXPECT_EQ(constants, 1u);
}
