//===- ExactEvaluation.h - Shared checks of exact evaluation ----*- C++ -*-===//
//
// Random Z_q inputs for a function, and the check that point evaluation
// (inputs read through a function, and from arrays through the strided
// views of layout operators) computes what whole-tensor evaluation does.
//
//===----------------------------------------------------------------------===//

#ifndef PET_UNITTESTS_ANALYSIS_EXACTEVALUATION_H
#define PET_UNITTESTS_ANALYSIS_EXACTEVALUATION_H

#include "PET/Analysis/Evaluator.h"

#include "gtest/gtest.h"

namespace pet_test {

/// Element k of argument a is randomModQ(seed, a, k), as the verifier draws.
llvm::SmallVector<mlir::pet::Tensor<mlir::pet::ModQ>>
randomInputs(mlir::func::FuncOp func, uint64_t seed);

/// Whether both point evaluators agree with whole-tensor evaluation of
/// `func`'s first result at every position, on randomInputs(func, seed);
/// the first disagreement otherwise.
::testing::AssertionResult pointsMatchWhole(mlir::func::FuncOp func,
                                            uint64_t seed);

} // namespace pet_test

#endif // PET_UNITTESTS_ANALYSIS_EXACTEVALUATION_H
