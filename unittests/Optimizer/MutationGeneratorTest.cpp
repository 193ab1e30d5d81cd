//===- MutationGeneratorTest.cpp - The generator finds PET's mutants ------===//
//
// Each known family of DESIGN.md, on a small subprogram: the generator must
// find the mutant on its own, the verifier must give exactly the expected
// wrong boxes, and every mutant it returns must really be equivalent on
// the boxes it claims (checked against brute force).
//
//===----------------------------------------------------------------------===//

#include "../Analysis/ExactEvaluation.h"

#include "PET/Analysis/Evaluator.h"
#include "PET/Dialect/PET/PETOps.h"
#include "PET/Optimizer/MutationGenerator.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/raw_ostream.h"
#include "gtest/gtest.h"

using namespace mlir;
using namespace mlir::pet;

namespace {

/// A 3x3 convolution of a small image: its H split into the batch is
/// partially equivalent (the seam rows are wrong).
const char *const kConv3x3 = R"(
    func.func @conv(%x: tensor<1x2x8x6xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x3x8x6xf32> {
      %0 = pet.conv2d %x, %w pad_low [1, 1] pad_high [1, 1]
          : (tensor<1x2x8x6xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x8x6xf32>
      return %0 : tensor<1x3x8x6xf32>
    })";

class MutationGeneratorTest : public ::testing::Test {
protected:
  MutationGeneratorTest() {
    context.loadDialect<PETDialect, func::FuncDialect>();
  }

  SmallVector<Mutant> generate(const char *ir, MutationOptions options = {}) {
    module = parseSourceString<ModuleOp>(ir, &context);
    EXPECT_TRUE(module);
    if (!module)
      return {};
    original = cast<func::FuncOp>(module->getBody()->front());
    scratch = ModuleOp::create(UnknownLoc::get(&context));
    SmallVector<Mutant> mutants =
        generateMutants(original, *scratch, options, &stats);
    for (const Mutant &m : mutants)
      checkAgainstBruteForce(m);
    return mutants;
  }

  /// Every box called equivalent agrees everywhere on fresh inputs.
  void checkAgainstBruteForce(const Mutant &m) {
    SmallVector<Tensor<ModQ>> inputs = pet_test::randomInputs(original, 4242);
    auto want = evaluateFunction<ModQ>(original, inputs);
    auto got = evaluateFunction<ModQ>(m.func, inputs);
    ASSERT_TRUE(succeeded(want) && succeeded(got));
    for (auto [r, verdicts] : llvm::enumerate(m.verdict.results))
      for (const BoxVerdict &v : verdicts) {
        if (!v.equivalent)
          continue;
        SmallVector<int64_t> p(v.box.getLower());
        while (true) {
          ASSERT_EQ((*want)[r].at(p), (*got)[r].at(p)) << print(m.func);
          int d = v.box.getRank() - 1;
          while (d >= 0 && ++p[d] == v.box.getUpper(d)) {
            p[d] = v.box.getLower(d);
            --d;
          }
          if (d < 0)
            break;
        }
      }
  }

  /// The mutants `generate` returns for `ir`, printed with their wrong
  /// boxes, from a fresh count of the search.
  std::string generateAsText(const char *ir, MutationOptions options = {}) {
    stats = MutationStats();
    std::string text;
    llvm::raw_string_ostream os(text);
    for (const Mutant &m : generate(ir, options)) {
      os << print(m.func);
      for (const Box &box : wrongBoxes(m))
        os << " wrong " << box;
    }
    return text;
  }

  static std::string print(func::FuncOp f) {
    std::string s;
    llvm::raw_string_ostream os(s);
    f.print(os);
    return s;
  }

  static unsigned count(func::FuncOp f, StringRef name) {
    unsigned n = 0;
    f.walk([&](Operation *op) { n += op->getName().getStringRef() == name; });
    return n;
  }

  static SmallVector<Box> wrongBoxes(const Mutant &m, unsigned result = 0) {
    SmallVector<Box> boxes;
    for (const BoxVerdict &v : m.verdict.results[result])
      if (!v.equivalent)
        boxes.push_back(v.box);
    return boxes;
  }

  MLIRContext context;
  OwningOpRef<ModuleOp> module, scratch;
  func::FuncOp original;
  MutationStats stats;
};

TEST_F(MutationGeneratorTest, ConvSplitAlongHIntoBatch) {
  SmallVector<Mutant> mutants = generate(kConv3x3);
  const Mutant *found = nullptr;
  for (const Mutant &m : mutants)
    if (count(m.func, "pet.conv2d") == 1 && count(m.func, "pet.split") == 2 &&
        count(m.func, "pet.concat") == 2) {
      SmallVector<Box> wrong = wrongBoxes(m);
      // Only the two rows at the seam (3 and 4) of an H split.
      bool seam = !wrong.empty() && llvm::all_of(wrong, [](const Box &b) {
        return b.getLower(2) >= 3 && b.getUpper(2) <= 5;
      });
      if (seam)
        found = &m;
    }
  ASSERT_TRUE(found) << "no H-split mutant among " << mutants.size();
  EXPECT_NEAR(found->equivalentFraction, 6.0 / 8.0, 1e-12);
  std::printf("[ generator ] %lld states, %lld tensors, %lld duplicates, %lld "
              "verified, %zu mutants\n",
              (long long)stats.statesVisited, (long long)stats.tensorsCreated,
              (long long)stats.prunedDuplicates,
              (long long)stats.candidatesVerified, mutants.size());
}

TEST_F(MutationGeneratorTest, MergeOneByOneAndThreeByThreeConvs) {
  SmallVector<Mutant> mutants = generate(R"(
    func.func @two(%x: tensor<1x2x5x5xf32>, %w1: tensor<3x2x1x1xf32>, %w3: tensor<4x2x3x3xf32>)
        -> (tensor<1x3x5x5xf32>, tensor<1x4x5x5xf32>) {
      %a = pet.conv2d %x, %w1 : (tensor<1x2x5x5xf32>, tensor<3x2x1x1xf32>) -> tensor<1x3x5x5xf32>
      %b = pet.conv2d %x, %w3 pad_low [1, 1] pad_high [1, 1]
          : (tensor<1x2x5x5xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x5x5xf32>
      return %a, %b : tensor<1x3x5x5xf32>, tensor<1x4x5x5xf32>
    })");
  const Mutant *merged = nullptr;
  for (const Mutant &m : mutants)
    if (count(m.func, "pet.conv2d") == 1 && m.equivalentFraction == 1.0)
      merged = &m;
  ASSERT_TRUE(merged) << "no merged convolution among " << mutants.size();
  EXPECT_EQ(count(merged->func, "pet.pad"), 1u);    // the 1x1 filter to 3x3
  EXPECT_EQ(count(merged->func, "pet.concat"), 1u); // the filters
  EXPECT_EQ(count(merged->func, "pet.split"), 1u);  // the outputs
  EXPECT_TRUE(wrongBoxes(*merged, 0).empty());
  EXPECT_TRUE(wrongBoxes(*merged, 1).empty());
}

TEST_F(MutationGeneratorTest, MergeMatmulsSharingAnOperand) {
  SmallVector<Mutant> mutants = generate(R"(
    func.func @qkv(%x: tensor<4x6xf32>, %q: tensor<6x3xf32>, %k: tensor<6x3xf32>, %v: tensor<6x3xf32>)
        -> (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>) {
      %0 = pet.matmul %x, %q : (tensor<4x6xf32>, tensor<6x3xf32>) -> tensor<4x3xf32>
      %1 = pet.matmul %x, %k : (tensor<4x6xf32>, tensor<6x3xf32>) -> tensor<4x3xf32>
      %2 = pet.matmul %x, %v : (tensor<4x6xf32>, tensor<6x3xf32>) -> tensor<4x3xf32>
      return %0, %1, %2 : tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>
    })");
  const Mutant *merged = nullptr;
  for (const Mutant &m : mutants)
    if (count(m.func, "pet.matmul") == 1 && m.equivalentFraction == 1.0)
      merged = &m;
  ASSERT_TRUE(merged) << "no merged matmul among " << mutants.size() << " ("
                      << stats.statesVisited << " states)";
  EXPECT_EQ(count(merged->func, "pet.concat"), 1u);
  EXPECT_EQ(count(merged->func, "pet.split"), 1u);
}

TEST_F(MutationGeneratorTest, OneByOneConvAsMatmul) {
  SmallVector<Mutant> mutants = generate(R"(
    func.func @pointwise(%x: tensor<1x3x4x4xf32>, %w: tensor<5x3x1x1xf32>) -> tensor<1x5x4x4xf32> {
      %0 = pet.conv2d %x, %w : (tensor<1x3x4x4xf32>, tensor<5x3x1x1xf32>) -> tensor<1x5x4x4xf32>
      return %0 : tensor<1x5x4x4xf32>
    })");
  const Mutant *product = nullptr;
  for (const Mutant &m : mutants)
    if (count(m.func, "pet.matmul") == 1 && count(m.func, "pet.conv2d") == 0 &&
        m.equivalentFraction == 1.0)
      product = &m;
  ASSERT_TRUE(product) << "no matmul form among " << mutants.size();
  EXPECT_EQ(count(product->func, "pet.reshape"), 3u);
}

TEST_F(MutationGeneratorTest, SameFilterOnTwoInputsAsOneBatch) {
  SmallVector<Mutant> mutants = generate(R"(
    func.func @siamese(%x: tensor<1x2x4x4xf32>, %y: tensor<1x2x4x4xf32>, %w: tensor<3x2x3x3xf32>)
        -> (tensor<1x3x4x4xf32>, tensor<1x3x4x4xf32>) {
      %a = pet.conv2d %x, %w pad_low [1, 1] pad_high [1, 1] : (tensor<1x2x4x4xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x4x4xf32>
      %b = pet.conv2d %y, %w pad_low [1, 1] pad_high [1, 1] : (tensor<1x2x4x4xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x4x4xf32>
      return %a, %b : tensor<1x3x4x4xf32>, tensor<1x3x4x4xf32>
    })");
  const Mutant *merged = nullptr;
  for (const Mutant &m : mutants)
    if (count(m.func, "pet.conv2d") == 1 && m.equivalentFraction == 1.0)
      merged = &m;
  ASSERT_TRUE(merged) << "no batched convolution among " << mutants.size();
}

TEST_F(MutationGeneratorTest, DilatedConvViaSpaceToBatch) {
  SmallVector<Mutant> mutants = generate(R"(
    func.func @dilated(%x: tensor<1x2x8x8xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x3x8x8xf32> {
      %0 = pet.conv2d %x, %w pad_low [2, 2] pad_high [2, 2] dilations [2, 2]
          : (tensor<1x2x8x8xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x8x8xf32>
      return %0 : tensor<1x3x8x8xf32>
    })");
  const Mutant *dense = nullptr;
  for (const Mutant &m : mutants) {
    bool undilated = false;
    func::FuncOp(m.func).walk([&](Conv2DOp conv) {
      undilated = conv.getDilationValues() == SmallVector<int64_t, 2>{1, 1};
    });
    if (undilated && m.equivalentFraction == 1.0)
      dense = &m;
  }
  ASSERT_TRUE(dense) << "no dense convolution on sub-images among "
                     << mutants.size();
  EXPECT_EQ(count(dense->func, "pet.transpose"), 2u);
}

TEST_F(MutationGeneratorTest, ConvolutionsOfChannelHalvesAsAGroupedOne) {
  SmallVector<Mutant> mutants = generate(R"(
    func.func @halves(%x: tensor<1x4x6x6xf32>, %w1: tensor<3x2x3x3xf32>, %w2: tensor<3x2x3x3xf32>)
        -> (tensor<1x3x6x6xf32>, tensor<1x3x6x6xf32>) {
      %a, %b = pet.split %x axis 1 sizes [2, 2] : (tensor<1x4x6x6xf32>) -> (tensor<1x2x6x6xf32>, tensor<1x2x6x6xf32>)
      %y1 = pet.conv2d %a, %w1 pad_low [1, 1] pad_high [1, 1] : (tensor<1x2x6x6xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x6x6xf32>
      %y2 = pet.conv2d %b, %w2 pad_low [1, 1] pad_high [1, 1] : (tensor<1x2x6x6xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x6x6xf32>
      return %y1, %y2 : tensor<1x3x6x6xf32>, tensor<1x3x6x6xf32>
    })");
  const Mutant *grouped = nullptr;
  for (const Mutant &m : mutants) {
    bool twoGroups = false;
    func::FuncOp(m.func).walk(
        [&](Conv2DOp conv) { twoGroups |= conv.getGroupCount() == 2; });
    if (twoGroups && count(m.func, "pet.conv2d") == 1 &&
        m.equivalentFraction == 1.0)
      grouped = &m;
  }
  ASSERT_TRUE(grouped) << "no grouped convolution among " << mutants.size();
  EXPECT_EQ(count(grouped->func, "pet.concat"), 1u); // the filters
}

TEST_F(MutationGeneratorTest, Deterministic) {
  std::string first = generateAsText(kConv3x3);
  EXPECT_FALSE(first.empty());
  EXPECT_EQ(first, generateAsText(kConv3x3));
}

TEST_F(MutationGeneratorTest, InputsDrawnAsReadGiveTheSameMutants) {
  // Large inputs are not drawn into arrays but element by element as the
  // search reads them: the same values, so the same mutants and verdicts.
  MutationOptions options;
  options.maxInputArrayElements = int64_t(1) << 26;
  std::string arrays = generateAsText(kConv3x3, options);
  MutationStats arrayStats = stats;
  options.maxInputArrayElements = 0;
  std::string asRead = generateAsText(kConv3x3, options);
  EXPECT_FALSE(arrays.empty());
  EXPECT_EQ(arrays, asRead);
  EXPECT_EQ(arrayStats.statesVisited, stats.statesVisited);
  EXPECT_EQ(arrayStats.candidatesVerified, stats.candidatesVerified);
}

} // namespace
