//===- FoldChannelScalesTest.cpp - Channel scales into filters ------------===//

#include "PassNumerics.h"

#include "mlir/Parser/Parser.h"
#include "gtest/gtest.h"

using namespace mlir;
using namespace pet_test;

namespace {

/// Every case of the lit test keeps its values (exactly, in Z_q, where it is
/// multi-linear).
TEST(FoldChannelScalesTest, LitCasesKeepValues) {
  MLIRContext context;
  preparePassContext(context);
  EXPECT_EQ(checkLitCasesPreserveValues(
                context, "test/Transforms/fold-channel-scales.mlir",
                "func.func(pet-fold-channel-scales)", 5),
            "");
}

/// Batch-norm folded, then preprocessed: the convolution reads a filter the
/// preprocessing function computes, and the values stay.
TEST(FoldChannelScalesTest, FoldedScaleIsPreprocessed) {
  MLIRContext context;
  preparePassContext(context);
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(R"(
    func.func @bn(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32> {pet.weight}, %s: tensor<1x4x1x1xf32> {pet.weight}, %b: tensor<1x4x1x1xf32> {pet.weight}) -> tensor<1x4x8x8xf32> {
      %0 = pet.conv2d %x, %w pad_low [1, 1] pad_high [1, 1] : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32>
      %1 = pet.mul %0, %s : (tensor<1x4x8x8xf32>, tensor<1x4x1x1xf32>) -> tensor<1x4x8x8xf32>
      %2 = pet.add %1, %b : (tensor<1x4x8x8xf32>, tensor<1x4x1x1xf32>) -> tensor<1x4x8x8xf32>
      %3 = pet.relu %2 : tensor<1x4x8x8xf32>
      return %3 : tensor<1x4x8x8xf32>
    })",
                                                             &context);
  ASSERT_TRUE(module);
  // Values are compared on @bn before and after; its preprocessing runs
  // as part of evaluating it.
  EXPECT_EQ(checkPipelinePreservesValues(
                *module, "func.func(pet-fold-channel-scales),pet-preprocess"),
            "");
  unsigned muls = 0;
  module->walk([&](Operation *op) {
    if (op->getName().getStringRef() == "pet.mul")
      ++muls;
  });
  // The one pet.mul left scales the filter, in @bn_preprocess.
  auto pre = module->lookupSymbol("bn_preprocess");
  ASSERT_TRUE(pre);
  unsigned preMuls = 0;
  pre->walk([&](Operation *op) {
    preMuls += op->getName().getStringRef() == "pet.mul";
  });
  EXPECT_EQ(muls, 1u);
  EXPECT_EQ(preMuls, 1u);
}

} // namespace
