//===- CanonicalizeNumericsTest.cpp - Folds keep the program's values -----===//
//
// Runs -canonicalize on programs built to exercise the PET folders and
// checks, with the reference evaluator on random inputs, that every output
// is unchanged and that the folds did remove operators.
//
//===----------------------------------------------------------------------===//

#include "ReferenceEvaluator.h"

#include "PET/Dialect/PET/PETOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"
#include "gtest/gtest.h"

using namespace mlir;
using namespace pet_test;

namespace {

struct FoldCase {
  const char *name;
  const char *function; // a func.func @f
  unsigned petOpsAfter; // PET operators left after canonicalization
};

const FoldCase kCases[] = {
    {"transpose pair composing to identity",
     R"(func.func @f(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
       %0 = pet.transpose %x perm [2, 0, 1] : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
       %1 = pet.transpose %0 perm [1, 2, 0] : tensor<4x2x3xf32> -> tensor<2x3x4xf32>
       return %1 : tensor<2x3x4xf32>
     })",
     0},
    {"transpose pair composing to one transpose",
     R"(func.func @f(%x: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
       %0 = pet.transpose %x perm [1, 0, 2] : tensor<2x3x4xf32> -> tensor<3x2x4xf32>
       %1 = pet.transpose %0 perm [2, 1, 0] : tensor<3x2x4xf32> -> tensor<4x2x3xf32>
       return %1 : tensor<4x2x3xf32>
     })",
     1},
    {"transpose of a product with a transposed operand",
     R"(func.func @f(%x: tensor<3x4xf32>, %w: tensor<6x4xf32>) -> tensor<3x6xf32> {
       %0 = pet.transpose %x perm [1, 0] : tensor<3x4xf32> -> tensor<4x3xf32>
       %1 = pet.matmul %w, %0 : (tensor<6x4xf32>, tensor<4x3xf32>) -> tensor<6x3xf32>
       %2 = pet.transpose %1 perm [1, 0] : tensor<6x3xf32> -> tensor<3x6xf32>
       return %2 : tensor<3x6xf32>
     })",
     2},
    {"reshape chain",
     R"(func.func @f(%x: tensor<2x6xf32>) -> tensor<4x3xf32> {
       %0 = pet.reshape %x : tensor<2x6xf32> -> tensor<3x4xf32>
       %1 = pet.reshape %0 : tensor<3x4xf32> -> tensor<12xf32>
       %2 = pet.reshape %1 : tensor<12xf32> -> tensor<4x3xf32>
       return %2 : tensor<4x3xf32>
     })",
     1},
    {"reshape round trip",
     R"(func.func @f(%x: tensor<2x6xf32>) -> tensor<2x6xf32> {
       %0 = pet.reshape %x : tensor<2x6xf32> -> tensor<3x4xf32>
       %1 = pet.reshape %0 : tensor<3x4xf32> -> tensor<2x6xf32>
       return %1 : tensor<2x6xf32>
     })",
     0},
    {"identity layout operators",
     R"(func.func @f(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
       %0 = pet.slice %x offsets [0, 0] sizes [2, 3] : tensor<2x3xf32> -> tensor<2x3xf32>
       %1 = pet.pad %0 low [0, 0] high [0, 0] : tensor<2x3xf32> -> tensor<2x3xf32>
       %2 = pet.concat %1 axis 0 : (tensor<2x3xf32>) -> tensor<2x3xf32>
       %3 = pet.split %2 axis 1 sizes [3] : (tensor<2x3xf32>) -> tensor<2x3xf32>
       %4 = pet.scale %3 by 1.0 : tensor<2x3xf32>
       %5 = pet.transpose %4 perm [0, 1] : tensor<2x3xf32> -> tensor<2x3xf32>
       return %5 : tensor<2x3xf32>
     })",
     0},
    {"split and concat inverse pairs",
     R"(func.func @f(%x: tensor<2x8xf32>, %y: tensor<1x8xf32>) -> (tensor<2x8xf32>, tensor<1x8xf32>) {
       %a, %b = pet.split %x axis 1 sizes [3, 5] : (tensor<2x8xf32>) -> (tensor<2x3xf32>, tensor<2x5xf32>)
       %c = pet.concat %a, %b axis 1 : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x8xf32>
       %d = pet.concat %c, %y axis 0 : (tensor<2x8xf32>, tensor<1x8xf32>) -> tensor<3x8xf32>
       %p, %q = pet.split %d axis 0 sizes [2, 1] : (tensor<3x8xf32>) -> (tensor<2x8xf32>, tensor<1x8xf32>)
       %s = pet.scale %q by 3.0 : tensor<1x8xf32>
       return %p, %s : tensor<2x8xf32>, tensor<1x8xf32>
     })",
     1},
    {"folds around real computation",
     R"(func.func @f(%x: tensor<2x3xf32>, %w: tensor<3x4xf32>) -> tensor<4x2xf32> {
       %0 = pet.transpose %x perm [1, 0] : tensor<2x3xf32> -> tensor<3x2xf32>
       %1 = pet.transpose %0 perm [1, 0] : tensor<3x2xf32> -> tensor<2x3xf32>
       %2 = pet.matmul %1, %w : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
       %3 = pet.relu %2 : tensor<2x4xf32>
       %4 = pet.scale %3 by 2.0 : tensor<2x4xf32>
       %5 = pet.transpose %4 perm [1, 0] : tensor<2x4xf32> -> tensor<4x2xf32>
       return %5 : tensor<4x2xf32>
     })",
     4},
    {"scales of scales combine",
     R"(func.func @f(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
       %0 = pet.scale %x by 0.5 : tensor<2x3xf32>
       %1 = pet.scale %0 by 3.0 : tensor<2x3xf32>
       %2 = pet.scale %1 by -0.25 : tensor<2x3xf32>
       return %2 : tensor<2x3xf32>
     })",
     1},
    {"an image's zero padding moves into the convolution",
     R"(func.func @f(%x: tensor<1x2x5x5xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x3x3x3xf32> {
       %p = pet.pad %x low [0, 0, 1, 0] high [0, 0, 0, 2] : tensor<1x2x5x5xf32> -> tensor<1x2x6x7xf32>
       %y = pet.conv2d %p, %w strides [2, 2] pad_low [1, 1] pad_high [0, 0] : (tensor<1x2x6x7xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x3x3xf32>
       return %y : tensor<1x3x3x3xf32>
     })",
     1},
};

unsigned countPetOps(ModuleOp module) {
  unsigned count = 0;
  module.walk([&](Operation *op) {
    count += op->getDialect() && op->getDialect()->getNamespace() ==
                                     pet::PETDialect::getDialectNamespace();
  });
  return count;
}

TEST(CanonicalizeNumericsTest, FoldsPreserveValues) {
  MLIRContext context;
  context.loadDialect<pet::PETDialect, func::FuncDialect>();
  std::mt19937 rng(7);
  for (const FoldCase &c : kCases) {
    OwningOpRef<ModuleOp> module =
        parseSourceString<ModuleOp>(c.function, &context);
    ASSERT_TRUE(module) << c.name;
    auto func = cast<func::FuncOp>(module->getBody()->front());
    SmallVector<RefTensor> args;
    for (Type type : func.getArgumentTypes())
      args.push_back(
          randomTensor(cast<RankedTensorType>(type).getShape(), rng));
    auto before = evaluateFunction(func, args);
    ASSERT_TRUE(before) << c.name;
    unsigned opsBefore = countPetOps(*module);

    PassManager pm(&context);
    pm.addPass(createCanonicalizerPass());
    ASSERT_TRUE(succeeded(pm.run(*module))) << c.name;
    ASSERT_TRUE(succeeded(verify(*module))) << c.name;

    EXPECT_EQ(countPetOps(*module), c.petOpsAfter) << c.name;
    EXPECT_LT(countPetOps(*module), opsBefore) << c.name;
    auto after = evaluateFunction(func, args);
    ASSERT_TRUE(after) << c.name;
    ASSERT_EQ(after->size(), before->size());
    for (size_t i = 0; i < before->size(); ++i)
      EXPECT_EQ(maxAbsDifference((*before)[i], (*after)[i]), 0.0) << c.name;
  }
}

} // namespace
