//===- PreprocessTest.cpp - Compile-time weights keep the values ----------===//

#include "PassNumerics.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
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
  EXPECT_EQ(checkPipelinePreservesValues(*module, "pet-preprocess"), "");
  // Only the convolution (and its one constant filter) is left.
  unsigned pet = 0, constants = 0;
  module->walk([&](Operation *op) {
    pet += op->getDialect()->getNamespace() == "pet";
    constants += op->getName().getStringRef() == "arith.constant";
  });
  EXPECT_EQ(pet, 1u);
  EXPECT_EQ(constants, 1u);
}

TEST(PreprocessTest, WeightArgumentsArePreprocessedOnceWithTheSameValues) {
  MLIRContext context;
  preparePassContext(context);
  // A merged mutant's filters, made from weight arguments (and a constant),
  // and a weight that is read directly.
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(R"(
    func.func @f(%x: tensor<1x2x4x4xf32>, %w1: tensor<2x2x1x1xf32> {pet.weight},
                 %w3: tensor<3x2x3x3xf32> {pet.weight}, %b: tensor<1x5x1x1xf32> {pet.weight})
        -> tensor<1x5x4x4xf32> {
      %c = arith.constant dense<0.5> : tensor<3x2x3x3xf32>
      %p = pet.pad %w1 low [0, 0, 1, 1] high [0, 0, 1, 1] : tensor<2x2x1x1xf32> -> tensor<2x2x3x3xf32>
      %s = pet.mul %w3, %c : (tensor<3x2x3x3xf32>, tensor<3x2x3x3xf32>) -> tensor<3x2x3x3xf32>
      %w = pet.concat %p, %s axis 0 : (tensor<2x2x3x3xf32>, tensor<3x2x3x3xf32>) -> tensor<5x2x3x3xf32>
      %y = pet.conv2d %x, %w pad_low [1, 1] pad_high [1, 1] : (tensor<1x2x4x4xf32>, tensor<5x2x3x3xf32>) -> tensor<1x5x4x4xf32>
      %z = pet.add %y, %b : (tensor<1x5x4x4xf32>, tensor<1x5x1x1xf32>) -> tensor<1x5x4x4xf32>
      return %z : tensor<1x5x4x4xf32>
    })",
                                                             &context);
  ASSERT_TRUE(module);
  EXPECT_EQ(checkPipelinePreservesValues(*module, "pet-preprocess"), "");
  auto f = module->lookupSymbol<func::FuncOp>("f");
  auto init = module->lookupSymbol<func::FuncOp>("f_preprocess");
  ASSERT_TRUE(f && init);
  // Per inference: the convolution and the bias; the filter is an argument.
  unsigned pet = 0;
  f.walk(
      [&](Operation *op) { pet += op->getDialect()->getNamespace() == "pet"; });
  EXPECT_EQ(pet, 2u);
  EXPECT_EQ(f.getNumArguments(), 5u);
  EXPECT_TRUE(f.getArgAttr(4, "pet.preprocessed"));
  EXPECT_EQ(init.getNumArguments(), 3u);
  EXPECT_EQ(init.getNumResults(), 1u);
  // Running it again finds nothing more to move.
  EXPECT_EQ(checkPipelinePreservesValues(*module, "pet-preprocess"), "");
  EXPECT_FALSE(module->lookupSymbol("f_preprocess_0"));
}

TEST(PreprocessTest, PreprocessingAgainExtendsTheFunctionWithTheSameValues) {
  MLIRContext context;
  preparePassContext(context);
  // Preprocessed (the bias reshaped), then more made of preprocessed
  // weights: the concatenation moves into the same preprocessing function.
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(R"(
    func.func @f_preprocess(%b1: tensor<2xf32>, %b2: tensor<3xf32>) -> (tensor<1x2xf32>, tensor<1x3xf32>) {
      %r1 = pet.reshape %b1 : tensor<2xf32> -> tensor<1x2xf32>
      %r2 = pet.reshape %b2 : tensor<3xf32> -> tensor<1x3xf32>
      return %r1, %r2 : tensor<1x2xf32>, tensor<1x3xf32>
    }
    func.func @f(%x: tensor<4x5xf32>, %b1: tensor<2xf32> {pet.weight}, %b2: tensor<3xf32> {pet.weight},
                 %r1: tensor<1x2xf32> {pet.weight, pet.preprocessed}, %r2: tensor<1x3xf32> {pet.weight, pet.preprocessed})
        -> tensor<4x5xf32> attributes {pet.preprocess = @f_preprocess} {
      %c = pet.concat %r1, %r2 axis 1 : (tensor<1x2xf32>, tensor<1x3xf32>) -> tensor<1x5xf32>
      %y = pet.add %x, %c : (tensor<4x5xf32>, tensor<1x5xf32>) -> tensor<4x5xf32>
      return %y : tensor<4x5xf32>
    })",
                                                             &context);
  ASSERT_TRUE(module);
  EXPECT_EQ(checkPipelinePreservesValues(*module, "pet-preprocess"), "");
  auto f = module->lookupSymbol<func::FuncOp>("f");
  auto init = module->lookupSymbol<func::FuncOp>("f_preprocess");
  ASSERT_TRUE(f && init);
  EXPECT_FALSE(module->lookupSymbol("f_preprocess_0"));
  // The inputs, the two weights and the concatenated bias.
  EXPECT_EQ(f.getNumArguments(), 4u);
  EXPECT_EQ(init.getNumResults(), 1u);
  unsigned pet = 0;
  f.walk(
      [&](Operation *op) { pet += op->getDialect()->getNamespace() == "pet"; });
  EXPECT_EQ(pet, 1u);
}
