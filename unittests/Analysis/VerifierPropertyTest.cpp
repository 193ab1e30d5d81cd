//===- VerifierPropertyTest.cpp - Box verdicts against brute force --------===//
//
// Thousands of random program pairs (P, P'): every box the verifier calls
// equivalent must agree at every position on fresh random Z_q inputs, and
// every box it calls non-equivalent must differ somewhere. The first catches
// unsound box propagation (a box where Theorem 1 does not hold), the second
// false alarms. PET_PROPERTY_CASES sets the number of cases.
//
//===----------------------------------------------------------------------===//

#include "ExactEvaluation.h"
#include "RandomPrograms.h"

#include "PET/Analysis/EquivalenceVerifier.h"
#include "PET/Analysis/Evaluator.h"
#include "PET/Dialect/PET/PETOps.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/raw_ostream.h"
#include "gtest/gtest.h"

#include <cstdlib>
#include <functional>

using namespace mlir;
using namespace mlir::pet;
using namespace pet_test;

namespace {

std::string print(const Box &box) {
  std::string text;
  llvm::raw_string_ostream(text) << box;
  return text;
}

std::string print(Operation *op) {
  std::string text;
  llvm::raw_string_ostream os(text);
  op->print(os);
  return text;
}

/// True if `a` and `b` differ at some position of `box`.
bool differsIn(const Tensor<ModQ> &a, const Tensor<ModQ> &b, const Box &box) {
  SmallVector<int64_t> p(box.getLower());
  unsigned rank = box.getRank();
  while (true) {
    if (a.at(p) != b.at(p))
      return true;
    int d = rank - 1;
    while (d >= 0 && ++p[d] == box.getUpper(d)) {
      p[d] = box.getLower(d);
      --d;
    }
    if (d < 0)
      return false;
  }
}

int caseCount(int fallback) {
  if (const char *env = std::getenv("PET_PROPERTY_CASES"))
    return std::atoi(env);
  return fallback;
}

using PairBuilder = std::function<ProgramPair(ModuleOp, int)>;

/// Runs `cases` pairs from `build` through the verifier and brute force.
void checkVerdicts(const PairBuilder &build, int cases, int minFully,
                   int minPartially, int minNot) {
  MLIRContext context;
  context.loadDialect<PETDialect, func::FuncDialect>();
  int fully = 0, partially = 0, not_ = 0;
  int64_t boxes = 0;
  for (int i = 0; i < cases; ++i) {
    OwningOpRef<ModuleOp> module = ModuleOp::create(UnknownLoc::get(&context));
    ProgramPair pair = build(*module, i);
    ASSERT_TRUE(succeeded(mlir::verify(*module))) << print(*module);

    VerifierOptions options;
    options.seed = 31 * i + 7;
    FailureOr<VerificationResult> result =
        verifyEquivalence(pair.original, pair.candidate, options);
    ASSERT_TRUE(succeeded(result)) << print(*module);

    // Fresh inputs, independent of the verifier's.
    SmallVector<Tensor<ModQ>> inputs = randomInputs(pair.original, 99991 + i);
    auto expected = evaluateFunction<ModQ>(pair.original, inputs);
    auto actual = evaluateFunction<ModQ>(pair.candidate, inputs);
    ASSERT_TRUE(succeeded(expected) && succeeded(actual));

    int64_t equivalent = 0, total = 0;
    for (const BoxVerdict &verdict : result->results[0]) {
      bool differs = differsIn((*expected)[0], (*actual)[0], verdict.box);
      ASSERT_EQ(differs, !verdict.equivalent)
          << "case " << i << ", box " << print(verdict.box) << " verdict "
          << (verdict.equivalent ? "equivalent" : "not equivalent") << "\n"
          << print(*module);
      equivalent += verdict.equivalent;
      ++total;
    }
    boxes += total;
    if (equivalent == total)
      ++fully;
    else if (equivalent == 0)
      ++not_;
    else
      ++partially;
  }
  // The generator must exercise all three outcomes, partial equivalence
  // (where box propagation matters most) in particular.
  EXPECT_GE(fully, minFully);
  EXPECT_GE(partially, minPartially);
  EXPECT_GE(not_, minNot);
  std::printf("[ property ] %d cases: %d fully, %d partially, %d not "
              "equivalent; %lld boxes\n",
              cases, fully, partially, not_, static_cast<long long>(boxes));
}

TEST(VerifierPropertyTest, VerdictsMatchBruteForce) {
  int cases = caseCount(3000);
  checkVerdicts(
      [](ModuleOp module, int i) {
        return buildRandomProgramPair(module, 1000 + i, i);
      },
      cases, cases / 10, cases / 20, cases / 20);
}

/// Reshape chains: boxes come from where reshapes stop being affine. Cheap
/// per case, and the cases that need every affinity check are rare (one in
/// tens of thousands for the cross-dimension one), so more of them.
TEST(VerifierPropertyTest, LayoutVerdictsMatchBruteForce) {
  int cases = 4 * caseCount(3000);
  checkVerdicts(
      [](ModuleOp module, int i) {
        return buildRandomLayoutPair(module, 7000 + i, i);
      },
      cases, cases / 20, cases / 20, cases / 20);
}

/// Point evaluation computes what whole-tensor evaluation computes, with
/// inputs from a function (values read one at a time) and from arrays (read
/// by pointer through the layout operators' strided views).
void checkPointEvaluation(function_ref<ProgramPair(ModuleOp, int)> build,
                          int cases) {
  MLIRContext context;
  context.loadDialect<PETDialect, func::FuncDialect>();
  for (int i = 0; i < cases; ++i) {
    OwningOpRef<ModuleOp> module = ModuleOp::create(UnknownLoc::get(&context));
    ProgramPair pair = build(*module, i);
    for (func::FuncOp func : {pair.original, pair.candidate})
      ASSERT_TRUE(pointsMatchWhole(func, 17 + i)) << "case " << i << "\n"
                                                  << print(func);
  }
}

TEST(VerifierPropertyTest, PointEvaluationMatchesWholeTensors) {
  checkPointEvaluation(
      [](ModuleOp module, int i) {
        return buildRandomProgramPair(module, 5000 + i, i, 0.5);
      },
      caseCount(3000) / 10);
}

TEST(VerifierPropertyTest, PointEvaluationMatchesWholeTensorsOnLayouts) {
  checkPointEvaluation(
      [](ModuleOp module, int i) {
        return buildRandomLayoutPair(module, 8000 + i, i);
      },
      caseCount(3000) / 10);
}

} // namespace
