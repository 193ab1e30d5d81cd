//===- LayoutViewsTest.cpp - What the GPU lowering runs without a copy ----===//
//
// The analysis that --pet-gpu-conv-calls and the cost model share: which
// splits and concatenations are views or written in place, and what the
// others copy. (The lowering's IR: test/Conversion/PETToGPU/
// gpu-conv-calls.mlir; its numerics: pet-runtime-test's views and gpu_check
// on the GPU machine.)
//
//===----------------------------------------------------------------------===//

#include "PET/Optimizer/LayoutViews.h"
#include "PET/Dialect/PET/PETOps.h"
#include "PET/Optimizer/CostModel.h"
#include "PET/Optimizer/SubprogramOptimizer.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "gtest/gtest.h"

using namespace mlir;
using namespace mlir::pet;

namespace {

class LayoutViewsTest : public ::testing::Test {
protected:
  LayoutViewsTest() { context.loadDialect<PETDialect, func::FuncDialect>(); }

  func::FuncOp parse(const char *ir) {
    module = parseSourceString<ModuleOp>(ir, &context);
    EXPECT_TRUE(module);
    return module ? cast<func::FuncOp>(module->getBody()->front()) : nullptr;
  }

  template <typename OpT> SmallVector<OpT> all(func::FuncOp func) {
    SmallVector<OpT> ops;
    func.walk([&](OpT op) { ops.push_back(op); });
    return ops;
  }

  MLIRContext context;
  OwningOpRef<ModuleOp> module;
};

/// The H split of a batch-1 convolution: row halves as a batch and back.
const char *const kRows = R"(
    func.func @rows(%x: tensor<1x8x12x10xf32>, %w: tensor<16x8x3x3xf32>) -> tensor<1x16x12x10xf32> {
      %p:2 = pet.split %x axis 2 sizes [6, 6] : (tensor<1x8x12x10xf32>) -> (tensor<1x8x6x10xf32>, tensor<1x8x6x10xf32>)
      %c = pet.concat %p#0, %p#1 axis 0 : (tensor<1x8x6x10xf32>, tensor<1x8x6x10xf32>) -> tensor<2x8x6x10xf32>
      %y = pet.conv2d %c, %w pad_low [1, 1] pad_high [1, 1] : (tensor<2x8x6x10xf32>, tensor<16x8x3x3xf32>) -> tensor<2x16x6x10xf32>
      %q:2 = pet.split %y axis 0 sizes [1, 1] : (tensor<2x16x6x10xf32>) -> (tensor<1x16x6x10xf32>, tensor<1x16x6x10xf32>)
      %z = pet.concat %q#0, %q#1 axis 2 : (tensor<1x16x6x10xf32>, tensor<1x16x6x10xf32>) -> tensor<1x16x12x10xf32>
      return %z : tensor<1x16x12x10xf32>
    })";

// The H split of a batch-1 convolution: the image's row halves as a batch
// (read as a view), the batch back into rows (written in place); all four
// layout operators cost nothing, and the program is keyed as using views.
TEST_F(LayoutViewsTest, RowsAsBatchAndBackAreViews) {
  func::FuncOp func = parse(kRows);
  ASSERT_TRUE(func);
  SmallVector<ConcatOp> concats = all<ConcatOp>(func);
  ASSERT_EQ(concats.size(), 2u);
  std::optional<BatchView> in = matchRowsAsBatch(concats[0]);
  ASSERT_TRUE(in);
  EXPECT_EQ(in->value, func.getArgument(0));
  EXPECT_EQ(in->axis, 2);
  EXPECT_EQ(in->pieces, 2);
  EXPECT_FALSE(matchBatchAsRows(concats[0]));
  std::optional<BatchView> out = matchBatchAsRows(concats[1]);
  ASSERT_TRUE(out);
  EXPECT_EQ(out->axis, 2);
  EXPECT_EQ(out->pieces, 2);
  EXPECT_FALSE(matchRowsAsBatch(concats[1]));
  func.walk([&](Operation *op) {
    if (isa<SplitOp, ConcatOp>(op)) {
      EXPECT_EQ(getLayoutCopyBytes(op), 0.0)
          << op->getName().getStringRef().str();
      EXPECT_FALSE(CostModel::getWork(op).needsKernel)
          << op->getName().getStringRef().str();
    }
  });
  EXPECT_EQ(getLayoutCopyBytes(all<Conv2DOp>(func).front()), std::nullopt);
  EXPECT_TRUE(usesLayoutViews(func));
  EXPECT_EQ(CostModel().getMicros(concats[0]), 0.0);
}

// What still copies: rows of a batch of two (no single batch stride), a
// result read by a matrix product (the library needs it contiguous), a
// concatenation of values no library call produces, and a convolution with
// a residual (whose output must have the residual's strides).
TEST_F(LayoutViewsTest, CopiesWhereNoViewExists) {
  func::FuncOp func = parse(R"(
    func.func @copies(%x: tensor<2x4x6x6xf32>, %w: tensor<4x4x1x1xf32>, %a: tensor<8x6xf32>, %b: tensor<6x6xf32>, %r: tensor<1x4x6x6xf32>, %s: tensor<1x4x6x6xf32>) -> (tensor<4x4x3x6xf32>, tensor<4x6xf32>, tensor<1x8x6x6xf32>, tensor<1x8x6x6xf32>) {
      %h:2 = pet.split %x axis 2 sizes [3, 3] : (tensor<2x4x6x6xf32>) -> (tensor<2x4x3x6xf32>, tensor<2x4x3x6xf32>)
      %c = pet.concat %h#0, %h#1 axis 0 : (tensor<2x4x3x6xf32>, tensor<2x4x3x6xf32>) -> tensor<4x4x3x6xf32>
      %y = pet.conv2d %c, %w : (tensor<4x4x3x6xf32>, tensor<4x4x1x1xf32>) -> tensor<4x4x3x6xf32>
      %m:2 = pet.split %a axis 0 sizes [4, 4] : (tensor<8x6xf32>) -> (tensor<4x6xf32>, tensor<4x6xf32>)
      %p = pet.matmul %m#1, %b : (tensor<4x6xf32>, tensor<6x6xf32>) -> tensor<4x6xf32>
      %k = pet.concat %r, %s axis 1 : (tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32>) -> tensor<1x8x6x6xf32>
      %v = pet.conv2d %r, %w : (tensor<1x4x6x6xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x6x6xf32>
      %t = pet.add %v, %s : (tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
      %u = pet.conv2d %s, %w : (tensor<1x4x6x6xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x6x6xf32>
      %e = pet.concat %t, %u axis 1 : (tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32>) -> tensor<1x8x6x6xf32>
      return %y, %p, %k, %e : tensor<4x4x3x6xf32>, tensor<4x6xf32>, tensor<1x8x6x6xf32>, tensor<1x8x6x6xf32>
    })");
  ASSERT_TRUE(func);
  SmallVector<ConcatOp> concats = all<ConcatOp>(func);
  SmallVector<SplitOp> splits = all<SplitOp>(func);
  ASSERT_EQ(concats.size(), 3u);
  ASSERT_EQ(splits.size(), 2u);
  // Two images' halves: copied (2 x 576 bytes read and written).
  EXPECT_FALSE(matchRowsAsBatch(concats[0]));
  EXPECT_EQ(getLayoutCopyBytes(concats[0]), 2.0 * 2 * 2 * 4 * 3 * 6 * 4);
  // The split's halves are read by the concatenation (which pays).
  EXPECT_EQ(getLayoutCopyBytes(splits[0]), 0.0);
  // The matrix product's half is copied, the other half nobody reads.
  EXPECT_EQ(getLayoutCopyBytes(splits[1]), 2.0 * 4 * 6 * 4);
  EXPECT_TRUE(CostModel::getWork(splits[1]).needsKernel);
  // Arguments: both copied.
  EXPECT_FALSE(isWrittenInPlace(concats[1], 0));
  EXPECT_EQ(getLayoutCopyBytes(concats[1]), 2.0 * 2 * 4 * 36 * 4);
  // The residual chain copies, the plain convolution writes in place.
  EXPECT_FALSE(isWrittenInPlace(concats[2], 0));
  EXPECT_TRUE(isWrittenInPlace(concats[2], 1));
  EXPECT_EQ(getLayoutCopyBytes(concats[2]), 2.0 * 4 * 36 * 4);
  std::optional<ConvChain> chain =
      getConvChainProducing(concats[2].getInputs()[0]);
  ASSERT_TRUE(chain);
  EXPECT_EQ(chain->residual, func.getArgument(5));
  EXPECT_EQ(chain->ops.size(), 2u);
}

// A convolution chain (bias, ReLU) found from its result, and the channel
// slice a convolution reads: both change what the lowering emits, so the
// program counts as using views (getProgramKey keys it apart); a plain
// convolution does not.
TEST_F(LayoutViewsTest, ChainsAndSlicesMakeViewKeys) {
  func::FuncOp func = parse(R"(
    func.func @chain(%x: tensor<1x8x6x6xf32>, %w: tensor<4x4x3x3xf32>, %b: tensor<1x4x1x1xf32>, %o: tensor<1x2x6x6xf32>) -> tensor<1x6x6x6xf32> {
      %p:2 = pet.split %x axis 1 sizes [4, 4] : (tensor<1x8x6x6xf32>) -> (tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32>)
      %y = pet.conv2d %p#1, %w pad_low [1, 1] pad_high [1, 1] : (tensor<1x4x6x6xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x6x6xf32>
      %a = pet.add %b, %y : (tensor<1x4x1x1xf32>, tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
      %r = pet.relu %a : tensor<1x4x6x6xf32>
      %c = pet.concat %o, %r axis 1 : (tensor<1x2x6x6xf32>, tensor<1x4x6x6xf32>) -> tensor<1x6x6x6xf32>
      return %c : tensor<1x6x6x6xf32>
    }
    func.func @plain(%x: tensor<1x4x6x6xf32>, %w: tensor<4x4x3x3xf32>) -> tensor<1x4x6x6xf32> {
      %y = pet.conv2d %x, %w pad_low [1, 1] pad_high [1, 1] : (tensor<1x4x6x6xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x6x6xf32>
      return %y : tensor<1x4x6x6xf32>
    })");
  ASSERT_TRUE(func);
  ConcatOp concat = all<ConcatOp>(func).front();
  std::optional<ConvChain> chain = getConvChainProducing(concat.getInputs()[1]);
  ASSERT_TRUE(chain);
  EXPECT_EQ(chain->bias, func.getArgument(2));
  EXPECT_TRUE(chain->relu);
  EXPECT_EQ(chain->ops.size(), 3u);
  EXPECT_FALSE(getConvChainProducing(concat.getInputs()[0]));
  EXPECT_TRUE(isWrittenInPlace(concat, 1));
  EXPECT_EQ(getLayoutCopyBytes(concat), 2.0 * 2 * 36 * 4);
  EXPECT_EQ(getLayoutCopyBytes(all<SplitOp>(func).front()), 0.0);
  EXPECT_TRUE(usesLayoutViews(func));
  auto plain = cast<func::FuncOp>(*std::next(module->getBody()->begin()));
  EXPECT_FALSE(usesLayoutViews(plain));
}

// pet.copy_layout asks for copies: a program's twin (addCopyLayoutTwins)
// has no view left, is priced with its copies, and is keyed apart from the
// program with views.
TEST_F(LayoutViewsTest, CopyLayoutTwinsUseNoViews) {
  func::FuncOp func = parse(kRows);
  ASSERT_TRUE(func);
  CostModel model;
  OptimizerResult result;
  RankedProgram program;
  program.mutant.func = func;
  program.cost = getProgramMicros(func, model);
  result.programs.push_back(program);
  addCopyLayoutTwins(result, *module, model);
  ASSERT_EQ(result.programs.size(), 2u);
  func::FuncOp views = result.programs[0].mutant.func;
  func::FuncOp twin = result.programs[1].mutant.func;
  EXPECT_EQ(views, func);
  EXPECT_NE(twin, func);
  EXPECT_GT(result.programs[1].cost, result.programs[0].cost);
  EXPECT_FALSE(usesLayoutViews(twin));
  twin.walk([&](ConcatOp concat) {
    EXPECT_TRUE(wantsCopies(concat));
    EXPECT_FALSE(matchRowsAsBatch(concat));
    EXPECT_FALSE(matchBatchAsRows(concat));
    EXPECT_GT(*getLayoutCopyBytes(concat), 0.0);
  });
  EXPECT_NE(getProgramKey(views, VerificationResult()),
            getProgramKey(twin, VerificationResult()));
  // A twin of a program without views is not made.
  OptimizerResult plain;
  plain.programs.push_back(result.programs[1]);
  addCopyLayoutTwins(plain, *module, model);
  EXPECT_EQ(plain.programs.size(), 1u);
}

} // namespace
