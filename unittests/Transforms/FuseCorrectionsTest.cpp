//===- FuseCorrectionsTest.cpp - Element-wise operators through inserts ---===//

#include "PassNumerics.h"

#include "PET/Dialect/PET/PETOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Parser/Parser.h"
#include "gtest/gtest.h"

using namespace mlir;
using namespace mlir::pet;
using namespace pet_test;

namespace {

/// Operators of `name` whose operand is the result of a pet.insert.
unsigned countAfterInsert(ModuleOp module, StringRef name) {
  unsigned n = 0;
  module.walk([&](Operation *op) {
    if (op->getName().getStringRef() == name)
      n += llvm::any_of(op->getOperands(), [](Value v) {
        return v.getDefiningOp<InsertOp>() != nullptr;
      });
  });
  return n;
}

/// The lit test's functions keep their values.
TEST(FuseCorrectionsTest, LitCasesKeepValues) {
  MLIRContext context;
  preparePassContext(context);
  EXPECT_EQ(checkLitCasesPreserveValues(context,
                                        "test/Transforms/fuse-corrections.mlir",
                                        "func.func(pet-fuse-corrections)", 3),
            "");
}

/// The whole pipeline on a corrected mutant followed by a bias and a ReLU:
/// they end up on both sides of the correction's insert, values unchanged.
TEST(FuseCorrectionsTest, OptimizedSeamConvolutionWithBiasAndRelu) {
  MLIRContext context;
  preparePassContext(context);
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(R"(
    func.func @conv(%x: tensor<1x2x8x7xf32>, %w: tensor<3x2x3x3xf32>, %b: tensor<1x3x1x1xf32>) -> tensor<1x3x8x7xf32> {
      %0 = pet.conv2d %x, %w pad_low [1, 1] pad_high [1, 1] : (tensor<1x2x8x7xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x8x7xf32>
      %1 = pet.relu %0 : tensor<1x3x8x7xf32>
      %2 = pet.add %1, %b : (tensor<1x3x8x7xf32>, tensor<1x3x1x1xf32>) -> tensor<1x3x8x7xf32>
      %3 = pet.tanh %2 : tensor<1x3x8x7xf32>
      return %3 : tensor<1x3x8x7xf32>
    })",
                                                             &context);
  ASSERT_TRUE(module);
  std::string pipeline = std::string("pet-optimize{cost-db=") + PET_SOURCE_DIR +
                         "/test/Transforms/Inputs/split-conv-costs.json}";
  EXPECT_EQ(checkPipelinePreservesValues(*module, pipeline), "");
  unsigned inserts = 0;
  module->walk([&](InsertOp) { ++inserts; });
  EXPECT_EQ(inserts, 1u);
  // Nothing element-wise reads the insert: the function returns it.
  EXPECT_EQ(countAfterInsert(*module, "pet.relu"), 0u);
  EXPECT_EQ(countAfterInsert(*module, "pet.add"), 0u);
  EXPECT_EQ(countAfterInsert(*module, "pet.tanh"), 0u);
  auto func = module->lookupSymbol<func::FuncOp>("conv");
  Operation *ret = func.getBody().front().getTerminator();
  EXPECT_TRUE(ret->getOperand(0).getDefiningOp<InsertOp>());
}

} // namespace
