//===- EquivalenceVerifier.h - Per-box equivalence of programs --*- C++ -*-===//
//
// Decides, box by box, where two multi-linear programs over the same inputs
// compute the same outputs (shared/DESIGN.md, Theorems 1 and 2): both
// programs' output partitions are refined into one, and each box is tested
// at its lower corner p0 and at p0 + e_i for every dimension i in which it
// has more than one position, on random inputs in Z_q (q = 2^61 - 1),
// exactly. Only those positions' receptive fields are evaluated.
//
//===----------------------------------------------------------------------===//

#ifndef PET_ANALYSIS_EQUIVALENCEVERIFIER_H
#define PET_ANALYSIS_EQUIVALENCEVERIFIER_H

#include "PET/Support/Box.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace mlir::pet {

struct VerifierOptions {
  /// Independent random trials; a non-equivalent box passes all of them
  /// with probability at most (degree / q)^trials.
  unsigned trials = 2;
  uint64_t seed = 0x5e7c0de;
};

struct BoxVerdict {
  Box box;
  bool equivalent;
};

struct VerificationResult {
  /// Verdicts for each result of the functions, boxes in row-major order.
  SmallVector<SmallVector<BoxVerdict>> results;
  /// Highest polynomial degree of an output in either program.
  unsigned degree = 0;
  unsigned trials = 0;
  /// Bound on the probability that a non-equivalent box was reported
  /// equivalent: (degree / q)^trials.
  double errorBound = 0;
  /// Output positions tested, and positions of intermediate values the
  /// evaluation computed, over all trials and both programs.
  int64_t positionsTested = 0;
  int64_t positionsComputed = 0;

  int64_t getNumBoxes() const;
  int64_t getNumEquivalent() const;
};

/// Compares `candidate` with `original`. Fails with a diagnostic (naming the
/// operator, for operators without exact semantics) if either program is not
/// multi-linear, or their signatures differ.
FailureOr<VerificationResult> verifyEquivalence(func::FuncOp original,
                                                func::FuncOp candidate,
                                                const VerifierOptions &options);

/// The polynomial degree of each value returned by `func` in its arguments
/// (constants have degree 0).
SmallVector<unsigned> getResultDegrees(func::FuncOp func);

/// The polynomial degree of `result` given those of its operation's operands
/// (a multi-linear term multiplies its factors' degrees; other operations
/// take the largest).
unsigned getResultDegree(OpResult result,
                         function_ref<unsigned(Value)> operandDegree);

} // namespace mlir::pet

#endif // PET_ANALYSIS_EQUIVALENCEVERIFIER_H
