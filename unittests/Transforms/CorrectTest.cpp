//===- CorrectTest.cpp - Corrections restore the original exactly ---------===//
//
// For random program pairs (P, P'): P' with a pet.correct over the boxes
// the verifier found wrong must compute P exactly (in Z_q), and so must the
// explicit operators --pet-correct turns it into. This exercises the
// restriction of every kind of operator to a box.
//
//===----------------------------------------------------------------------===//

#include "PassNumerics.h"

#include "../Analysis/RandomPrograms.h"

#include "PET/Analysis/EquivalenceVerifier.h"
#include "PET/Analysis/Evaluator.h"
#include "PET/Analysis/Subprograms.h"
#include "PET/Dialect/PET/PETOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "gtest/gtest.h"

#include <cstdlib>

using namespace mlir;
using namespace mlir::pet;
using namespace pet_test;

namespace {

/// `@fixed`: `candidate`'s values corrected on the wrong boxes by `original`.
func::FuncOp buildCorrected(ModuleOp module, func::FuncOp original,
                            func::FuncOp candidate,
                            const VerificationResult &verdict) {
  OpBuilder b(module.getContext());
  Location loc = b.getUnknownLoc();
  b.setInsertionPointToEnd(module.getBody());
  auto fixed =
      func::FuncOp::create(b, loc, "fixed", original.getFunctionType());
  Block *entry = fixed.addEntryBlock();
  b.setInsertionPointToStart(entry);
  SmallVector<Value> mutants = inlineBody(candidate, entry->getArguments(), b);
  SmallVector<SmallVector<Box>> wrong;
  for (const auto &verdicts : verdict.results) {
    SmallVector<Box> &list = wrong.emplace_back();
    for (const BoxVerdict &v : verdicts)
      if (!v.equivalent)
        list.push_back(v.box);
  }
  Operation *correct =
      buildCorrection(b, loc, mutants, entry->getArguments(), wrong, original);
  func::ReturnOp::create(b, loc, correct->getResults());
  return fixed;
}

TEST(CorrectTest, CorrectedMutantsComputeTheOriginal) {
  MLIRContext context;
  preparePassContext(context);
  int cases = 400;
  if (const char *env = std::getenv("PET_FUZZ_CASES"))
    cases = std::atoi(env);
  int corrected = 0;
  for (int i = 0; i < cases; ++i) {
    OwningOpRef<ModuleOp> module = ModuleOp::create(UnknownLoc::get(&context));
    ProgramPair pair = buildRandomProgramPair(*module, 20000 + i, i);
    FailureOr<VerificationResult> verdict =
        verifyEquivalence(pair.original, pair.candidate, VerifierOptions());
    ASSERT_TRUE(succeeded(verdict));
    if (verdict->getNumEquivalent() == verdict->getNumBoxes())
      continue;
    ++corrected;
    func::FuncOp fixed =
        buildCorrected(*module, pair.original, pair.candidate, *verdict);
    // The corrected candidate is the original, exactly.
    SmallVector<Tensor<ModQ>> inputs;
    for (auto [k, type] : llvm::enumerate(pair.original.getArgumentTypes())) {
      Tensor<ModQ> t(cast<RankedTensorType>(type).getShape());
      for (int64_t e = 0; e < t.getNumElements(); ++e)
        t[e] = randomModQ(77 + i, k, e);
      inputs.push_back(std::move(t));
    }
    auto want = evaluateFunction<ModQ>(pair.original, inputs);
    auto got = evaluateFunction<ModQ>(fixed, inputs);
    ASSERT_TRUE(succeeded(want) && succeeded(got));
    ASSERT_EQ((*want)[0].getData() == (*got)[0].getData(), true)
        << "case " << i;
    // And so are the explicit operators that materialize the correction.
    pair.original.erase();
    pair.candidate.erase();
    ASSERT_EQ(
        checkPipelinePreservesValues(*module, "func.func(pet-correct)", 5 + i),
        "")
        << "case " << i;
    unsigned left = 0;
    module->walk([&](CorrectOp) { ++left; });
    ASSERT_EQ(left, 0u);
  }
  EXPECT_GT(corrected, cases / 10);
}

} // namespace
