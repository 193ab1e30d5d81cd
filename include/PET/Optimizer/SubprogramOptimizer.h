//===- SubprogramOptimizer.h - Beam search over mutants ---------*- C++ -*-===//
//
// PET's program optimizer for one subprogram (shared/DESIGN.md, "Program
// optimizer"): generate mutants, estimate their cost (corrections
// included), keep the cheapest few (the beam) and mutate those again, for a
// number of rounds. A program found in a later round is verified against
// the original subprogram itself, so its wrong boxes are exactly where the
// composition of mutations differs from the original.
//
//===----------------------------------------------------------------------===//

#ifndef PET_OPTIMIZER_SUBPROGRAMOPTIMIZER_H
#define PET_OPTIMIZER_SUBPROGRAMOPTIMIZER_H

#include "PET/Optimizer/CostModel.h"
#include "PET/Optimizer/MutationGenerator.h"

namespace mlir::pet {

struct OptimizerOptions {
  MutationOptions mutation;
  /// Programs kept between rounds.
  unsigned beamWidth = 2;
  /// Rounds of mutation: 1 mutates the original only.
  unsigned rounds = 2;
  /// Distinct programs kept in the result (the cheapest by estimate, over
  /// all rounds), for a measurement to choose among.
  unsigned keepPrograms = 8;
};

/// A program of the search with its estimated time (corrections included).
struct RankedProgram {
  Mutant mutant;
  double cost = 0;
  /// The round that found it (1 for a mutant of the original).
  unsigned round = 0;
};

struct OptimizerResult {
  /// The cheapest distinct programs of all rounds (in the scratch module,
  /// possibly dearer than the original, each with its verdict against the
  /// original), cheapest first, at most `keepPrograms`; empty if no mutant
  /// was found.
  SmallVector<RankedProgram> programs;
  /// Over all rounds.
  MutationStats stats;
  /// Distinct programs seen (mutants of any round) and kept in a beam.
  int64_t programsSeen = 0;
  unsigned roundsRun = 0;
};

/// Estimated time of the operators of `func`.
double getProgramMicros(func::FuncOp func, const CostModel &model);

/// Estimated time of recomputing the wrong boxes of `verdict` with
/// `original`: one kernel over the original's work, scaled by the largest
/// wrong fraction of an output; zero if nothing is wrong.
double getCorrectionMicros(const VerificationResult &verdict,
                           func::FuncOp original, const CostModel &model);

/// The key under which a measurement of `func` corrected on the wrong boxes
/// of `verdict` is stored: "program:" and a hash of its operators, its
/// weights and its wrong boxes, equal for equal programs in any module (and
/// apart for programs that the GPU lowering runs with layout views: see
/// LayoutViews.h).
std::string getProgramKey(func::FuncOp func, const VerificationResult &verdict);

/// Equivalent output positions over all output positions.
double getEquivalentFraction(const VerificationResult &verdict);

/// Beam search over mutants of `original` (an outlined multi-linear
/// subprogram), building programs in `scratch`. Deterministic for fixed
/// options.
OptimizerResult optimizeSubprogram(func::FuncOp original, ModuleOp scratch,
                                   const CostModel &model,
                                   const OptimizerOptions &options);

/// Adds to `result`, for each of its programs that the GPU lowering runs
/// with layout views (LayoutViews.h), its twin lowered with copies: a clone
/// in `scratch` whose concatenations and convolutions carry
/// kCopyLayoutAttr, priced by `model`, and keyed as the program measured
/// before views existed. A measurement then chooses between the two
/// lowerings of one program. Keeps `result.programs` cheapest first.
void addCopyLayoutTwins(OptimizerResult &result, ModuleOp scratch,
                        const CostModel &model);

} // namespace mlir::pet

#endif // PET_OPTIMIZER_SUBPROGRAMOPTIMIZER_H
