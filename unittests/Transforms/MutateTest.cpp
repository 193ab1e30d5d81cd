//===- MutateTest.cpp - --pet-mutate keeps every program's values ---------===//

#include "PassNumerics.h"

#include "../Analysis/RandomPrograms.h"

#include "PET/Dialect/PET/PETOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/MemoryBuffer.h"
#include "gtest/gtest.h"

#include <cstdlib>

using namespace mlir;
using namespace mlir::pet;
using namespace pet_test;

namespace {

class MutateTest : public ::testing::Test {
protected:
  MutateTest() { preparePassContext(context); }
  MLIRContext context;
};

unsigned countOps(ModuleOp module, StringRef name) {
  unsigned n = 0;
  module.walk(
      [&](Operation *op) { n += op->getName().getStringRef() == name; });
  return n;
}

TEST_F(MutateTest, SplitConvolutionWithCorrectionsKeepsValues) {
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(R"(
    func.func @conv(%x: tensor<1x2x8x7xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x3x8x7xf32> {
      %0 = pet.conv2d %x, %w pad_low [1, 1] pad_high [1, 1] : (tensor<1x2x8x7xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x8x7xf32>
      %1 = pet.relu %0 : tensor<1x3x8x7xf32>
      return %1 : tensor<1x3x8x7xf32>
    })",
                                                             &context);
  ASSERT_TRUE(module);
  std::string pipeline = std::string("pet-mutate{cost-db=") + PET_SOURCE_DIR +
                         "/test/Transforms/Inputs/split-conv-costs.json}";
  EXPECT_EQ(checkPipelinePreservesValues(*module, pipeline), "");
  EXPECT_EQ(countOps(*module, "pet.correct"), 1u);
  // Materialized: the seam rows recomputed from a slice of the input.
  EXPECT_EQ(checkPipelinePreservesValues(*module, "func.func(pet-correct)"),
            "");
  EXPECT_EQ(countOps(*module, "pet.correct"), 0u);
  EXPECT_EQ(countOps(*module, "pet.insert"), 1u);
  EXPECT_EQ(countOps(*module, "pet.conv2d"), 2u);
}

TEST_F(MutateTest, MergedConvolutionsKeepValues) {
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(R"(
    func.func @two(%x: tensor<1x2x5x5xf32>, %w1: tensor<3x2x1x1xf32>, %w3: tensor<4x2x3x3xf32>)
        -> (tensor<1x3x5x5xf32>, tensor<1x4x5x5xf32>) {
      %a = pet.conv2d %x, %w1 : (tensor<1x2x5x5xf32>, tensor<3x2x1x1xf32>) -> tensor<1x3x5x5xf32>
      %b = pet.conv2d %x, %w3 pad_low [1, 1] pad_high [1, 1] : (tensor<1x2x5x5xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x5x5xf32>
      %ra = pet.relu %a : tensor<1x3x5x5xf32>
      %rb = pet.tanh %b : tensor<1x4x5x5xf32>
      return %ra, %rb : tensor<1x3x5x5xf32>, tensor<1x4x5x5xf32>
    })",
                                                             &context);
  ASSERT_TRUE(module);
  // Accept any mutant, cheaper or not, to exercise the replacement.
  EXPECT_EQ(checkPipelinePreservesValues(*module, "pet-mutate{min-gain=-100}"),
            "");
  EXPECT_LE(countOps(*module, "pet.conv2d"), 2u);
}

/// The rounds lit test (test/Transforms/mutate-rounds.mlir), with numerics:
/// a program of the second round (merged, then H split) and its corrections
/// keep the values.
TEST_F(MutateTest, LaterRoundsKeepValues) {
  std::string path =
      std::string(PET_SOURCE_DIR) + "/test/Transforms/mutate-rounds.mlir";
  auto buffer = llvm::MemoryBuffer::getFile(path);
  ASSERT_TRUE(bool(buffer)) << path;
  std::string costs = std::string(PET_SOURCE_DIR) +
                      "/test/Transforms/Inputs/merge-split-costs.json";
  for (std::string rounds : {"1", "2", "3"}) {
    OwningOpRef<ModuleOp> module =
        parseSourceString<ModuleOp>((*buffer)->getBuffer(), &context);
    ASSERT_TRUE(module);
    std::string mutate =
        "pet-mutate{rounds=" + rounds + " cost-db=" + costs + "}";
    EXPECT_EQ(checkPipelinePreservesValues(*module, mutate), "") << rounds;
    // One convolution for the two, on a batch of two from round 2 on.
    unsigned batch = 0;
    module->walk([&](Conv2DOp conv) {
      if (conv->hasAttr("pet.mutant"))
        batch = conv.getType().getDimSize(0);
    });
    EXPECT_EQ(batch, rounds == "1" ? 1u : 2u) << rounds;
    EXPECT_EQ(countOps(*module, "pet.correct"), rounds == "1" ? 0u : 1u);
    EXPECT_EQ(checkPipelinePreservesValues(*module, "func.func(pet-correct)"),
              "")
        << rounds;
    EXPECT_EQ(countOps(*module, "pet.correct"), 0u);
  }
}

/// The whole --pet-optimize pipeline on a function whose weights are
/// arguments: the merged, H-split mutant with its corrections materialized,
/// and the merged filter computed once by the preprocessing function.
TEST_F(MutateTest, OptimizePipelineWithWeightArgumentsKeepsValues) {
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(R"(
    func.func @two(%x: tensor<1x2x8x7xf32>, %w1: tensor<3x2x3x3xf32> {pet.weight},
                   %w2: tensor<3x2x3x3xf32> {pet.weight})
        -> (tensor<1x3x8x7xf32>, tensor<1x3x8x7xf32>) {
      %0 = pet.conv2d %x, %w1 pad_low [1, 1] pad_high [1, 1] : (tensor<1x2x8x7xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x8x7xf32>
      %1 = pet.conv2d %x, %w2 pad_low [1, 1] pad_high [1, 1] : (tensor<1x2x8x7xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x8x7xf32>
      %2 = pet.relu %0 : tensor<1x3x8x7xf32>
      %3 = pet.tanh %1 : tensor<1x3x8x7xf32>
      return %2, %3 : tensor<1x3x8x7xf32>, tensor<1x3x8x7xf32>
    })",
                                                             &context);
  ASSERT_TRUE(module);
  std::string pipeline = std::string("pet-optimize{cost-db=") + PET_SOURCE_DIR +
                         "/test/Transforms/Inputs/merge-split-costs.json}";
  EXPECT_EQ(checkPipelinePreservesValues(*module, pipeline), "");
  auto init = module->lookupSymbol<func::FuncOp>("two_preprocess");
  ASSERT_TRUE(init);
  EXPECT_EQ(countOps(*module, "pet.correct"), 0u);
  // The merged filter is made once, outside the inference function.
  unsigned concats = 0;
  init.walk([&](ConcatOp) { ++concats; });
  EXPECT_EQ(concats, 1u);
  auto two = module->lookupSymbol<func::FuncOp>("two");
  EXPECT_EQ(two.getNumArguments(), 4u);
  unsigned weightConcats = 0;
  two.walk([&](ConcatOp concat) {
    weightConcats += concat.getType().getDimSize(1) == 2 &&
                     concat.getType().getDimSize(2) == 3;
  });
  EXPECT_EQ(weightConcats, 0u);
}

/// The families lit test (test/Transforms/mutate-families.mlir), with
/// numerics: every rewrite it shows keeps the values.
TEST_F(MutateTest, FamiliesKeepValues) {
  std::vector<std::string> chunks =
      readLitCases("test/Transforms/mutate-families.mlir");
  ASSERT_EQ(chunks.size(), 9u);
  std::string costs =
      std::string(PET_SOURCE_DIR) + "/test/Transforms/Inputs/merge-costs.json";
  for (const std::string &chunk : chunks) {
    for (std::string pipeline :
         {std::string("pet-mutate{min-gain=-100},func.func(pet-correct)"),
          "pet-mutate{cost-db=" + costs + "},func.func(pet-correct)"}) {
      OwningOpRef<ModuleOp> module =
          parseSourceString<ModuleOp>(chunk, &context);
      ASSERT_TRUE(module);
      EXPECT_EQ(checkPipelinePreservesValues(*module, pipeline), "")
          << pipeline << "\n"
          << chunk;
      bool mutated = module
                         ->walk([](Operation *op) {
                           return op->hasAttr("pet.mutant")
                                      ? WalkResult::interrupt()
                                      : WalkResult::advance();
                         })
                         .wasInterrupted();
      if (pipeline.find("min-gain") != std::string::npos) {
        EXPECT_TRUE(mutated) << chunk;
      }
    }
  }
}

/// The soundness fuzzer: random multi-linear programs (cut by ReLUs at
/// random points), every subprogram replaced by some mutant, values equal
/// exactly in Z_q. PET_FUZZ_CASES sets the number of programs.
TEST_F(MutateTest, FuzzRandomProgramsStayExact) {
  int cases = 120;
  if (const char *env = std::getenv("PET_FUZZ_CASES"))
    cases = std::atoi(env);
  int replaced = 0;
  for (int i = 0; i < cases; ++i) {
    OwningOpRef<ModuleOp> module = ModuleOp::create(UnknownLoc::get(&context));
    ProgramPair pair = buildRandomProgramPair(*module, 9000 + i, i);
    pair.candidate.erase();
    cutWithRelus(pair.original, i);
    std::string before = std::to_string(countOps(*module, "pet.conv2d"));
    std::string error = checkPipelinePreservesValues(
        *module,
        "pet-mutate{min-gain=-100 max-states=3000 depth=3 "
        "min-equivalent=0.5},func.func(pet-correct)",
        3 + i);
    ASSERT_EQ(error, "") << "case " << i;
    ASSERT_EQ(countOps(*module, "pet.correct"), 0u);
    replaced += countOps(*module, "pet.insert") > 0 ||
                module
                    ->walk([](Operation *op) {
                      return op->hasAttr("pet.mutant") ? WalkResult::interrupt()
                                                       : WalkResult::advance();
                    })
                    .wasInterrupted();
  }
  // The fuzzer must actually exercise replacements.
  EXPECT_GT(replaced, cases / 8);
  std::printf("[ fuzz ] %d programs, %d with a subprogram replaced\n", cases,
              replaced);
}

} // namespace
