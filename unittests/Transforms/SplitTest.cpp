//===- SplitTest.cpp - Subprograms and their outlining --------------------===//

#include "PassNumerics.h"

#include "PET/Analysis/Subprograms.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Parser/Parser.h"
#include "gtest/gtest.h"

using namespace mlir;
using namespace mlir::pet;
using namespace pet_test;

namespace {

const char *kResidualBlock = R"(
func.func @block(%x: tensor<1x4x6x6xf32>, %w1: tensor<4x4x3x3xf32>, %s: tensor<1x4x1x1xf32>,
                 %w2: tensor<4x4x3x3xf32>) -> tensor<1x4x6x6xf32> {
  %c1 = pet.conv2d %x, %w1 pad_low [1, 1] pad_high [1, 1] : (tensor<1x4x6x6xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x6x6xf32>
  %n1 = pet.mul %c1, %s : (tensor<1x4x6x6xf32>, tensor<1x4x1x1xf32>) -> tensor<1x4x6x6xf32>
  %r1 = pet.relu %n1 : tensor<1x4x6x6xf32>
  %c2 = pet.conv2d %r1, %w2 pad_low [1, 1] pad_high [1, 1] : (tensor<1x4x6x6xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x6x6xf32>
  %sum = pet.add %c2, %x : (tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  %out = pet.relu %sum : tensor<1x4x6x6xf32>
  return %out : tensor<1x4x6x6xf32>
}
)";

/// A multi-linear value used both by a non-linear operator and, directly,
/// by a multi-linear one that also consumes the non-linear result.
const char *kSidePath = R"(
func.func @side(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %a = pet.scale %x by 2.0 : tensor<4xf32>
  %r = pet.tanh %a : tensor<4xf32>
  %s = pet.scale %r by 3.0 : tensor<4xf32>
  %b = pet.add %a, %s : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %c = pet.sub %a, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %b, %c : tensor<4xf32>, tensor<4xf32>
}
)";

class SplitTest : public ::testing::Test {
protected:
  SplitTest() { preparePassContext(context); }
  OwningOpRef<ModuleOp> parse(const char *ir) {
    return parseSourceString<ModuleOp>(ir, &context);
  }
  MLIRContext context;
};

TEST_F(SplitTest, ResidualBlockHasTwoSubprograms) {
  OwningOpRef<ModuleOp> module = parse(kResidualBlock);
  ASSERT_TRUE(module);
  auto func = cast<func::FuncOp>(module->getBody()->front());
  SmallVector<Subprogram> subs = findSubprograms(func);
  ASSERT_EQ(subs.size(), 2u);
  EXPECT_EQ(subs[0].ops.size(), 2u); // conv, mul
  EXPECT_EQ(subs[0].inputs.size(), 3u);
  EXPECT_EQ(subs[0].outputs.size(), 1u);
  EXPECT_EQ(subs[1].ops.size(), 2u); // conv, add
  // The residual input is the function argument: read, not recomputed.
  EXPECT_EQ(subs[1].inputs.size(), 3u);
  EXPECT_EQ(subs[1].inputs[2], func.getArgument(0));
}

TEST_F(SplitTest, GroupsStayConvex) {
  OwningOpRef<ModuleOp> module = parse(kSidePath);
  ASSERT_TRUE(module);
  auto func = cast<func::FuncOp>(module->getBody()->front());
  SmallVector<Subprogram> subs = findSubprograms(func);
  // %a and %c, before the tanh; %s and %b after it: %b reads %a directly,
  // but one group {a, b} would have to run both before and after the tanh.
  ASSERT_EQ(subs.size(), 2u);
  EXPECT_EQ(subs[0].ops.size(), 2u);
  EXPECT_EQ(subs[1].ops.size(), 2u);
  EXPECT_EQ(subs[0].outputs.size(), 2u); // %a (to tanh and %b), %c
}

TEST_F(SplitTest, OutliningKeepsValues) {
  for (const char *ir : {kResidualBlock, kSidePath}) {
    OwningOpRef<ModuleOp> module = parse(ir);
    ASSERT_TRUE(module);
    EXPECT_EQ(checkPipelinePreservesValues(*module, "pet-split{outline=true}"),
              "");
    // The functions now call their subprograms.
    int calls = 0;
    module->walk([&](func::CallOp) { ++calls; });
    EXPECT_EQ(calls, 2);
  }
}

} // namespace
