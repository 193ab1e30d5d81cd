//===- MutationGenerator.h - Enumerating mutants of a subprogram -*- C++
//-*-===//
//
// PET's mutation generator (shared/DESIGN.md, "Mutation generation"): from
// the inputs of a multi-linear subprogram, enumerate small programs over an
// operator set whose parameters come from the shapes and operators present
// (the subprogram's convolution and matmul configurations, its kernel sizes
// and output shapes, splits of dimensions into the batch), depth first.
// Every tensor a candidate creates is fingerprinted by its values at a few
// positions under fixed random Z_q inputs: a tensor equal to one already
// there prunes the branch, and a set of tensors reached before in another
// order is not searched again. Candidates whose outputs agree with the
// subprogram's at most sampled positions are verified box by box; those
// equivalent on at least a given fraction of the output are mutants.
//
//===----------------------------------------------------------------------===//

#ifndef PET_OPTIMIZER_MUTATIONGENERATOR_H
#define PET_OPTIMIZER_MUTATIONGENERATOR_H

#include "PET/Analysis/EquivalenceVerifier.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

#include <chrono>
#include <optional>

namespace mlir::pet {

struct MutationOptions {
  /// Operators in a mutant (a move of a dimension factor into another
  /// dimension counts as one).
  unsigned maxDepth = 4;
  /// Search states visited at most, times the square of the number of
  /// convolutions and matmuls in the subprogram (merging several takes
  /// longer searches than rewriting one), times 576 over the largest
  /// reduction of an operator when that is larger (a state costs in
  /// proportion to it).
  unsigned maxStates = 3000;
  /// Fraction of output positions that must be equivalent (PET: 0.7).
  double minEquivalentFraction = 0.7;
  /// Mutants kept at most.
  unsigned maxMutants = 16;
  uint64_t seed = 0x5e7;
  /// The operators mutants may use, by name without the dialect prefix
  /// (`conv2d`, `matmul`, ...); empty for all of
  /// `getMutationOperatorNames()`.
  SmallVector<std::string> operators;
  VerifierOptions verifier;
  /// When set, no search state is visited after this time (the search
  /// returns what it found so far).
  std::optional<std::chrono::steady_clock::time_point> deadline;
  /// The search's random inputs are drawn once into arrays when they have
  /// this many elements or fewer in all (64M: 512 MB); larger ones are
  /// drawn element by element as they are read, which costs less than
  /// drawing a batch of 16 large images for every search. Either way the
  /// values, and so the mutants, are the same.
  int64_t maxInputArrayElements = int64_t(1) << 26;
};

/// A relative estimate of how long `generateMutants(original, ...)` takes
/// (its state budget times the cost of a state), to schedule searches.
double estimateSearchWork(func::FuncOp original,
                          const MutationOptions &options);

/// The operators the generator builds mutants from.
ArrayRef<StringRef> getMutationOperatorNames();

struct Mutant {
  /// A function with the original's signature, in the scratch module.
  func::FuncOp func;
  VerificationResult verdict;
  /// Output positions in equivalent boxes, over all output positions.
  double equivalentFraction = 0;
};

struct MutationStats {
  int64_t statesVisited = 0;
  int64_t tensorsCreated = 0;
  int64_t prunedDuplicates = 0;
  int64_t candidatesVerified = 0;
  /// Whether the deadline stopped the search before its state budget.
  bool stoppedByDeadline = false;

  MutationStats &operator+=(const MutationStats &other) {
    stoppedByDeadline |= other.stoppedByDeadline;
    statesVisited += other.statesVisited;
    tensorsCreated += other.tensorsCreated;
    prunedDuplicates += other.prunedDuplicates;
    candidatesVerified += other.candidatesVerified;
    return *this;
  }
};

/// The operators of `func` as text that ignores names and locations: equal
/// for functions that compute the same way on the same shapes (so equal
/// subprograms, like repeated network blocks, are searched once).
std::string getStructuralKey(func::FuncOp func);

/// Mutants of `original`, a multi-linear function (an outlined subprogram),
/// built as functions in `scratch`, best equivalent fraction first; the
/// original itself is not among them. Deterministic for fixed options.
SmallVector<Mutant> generateMutants(func::FuncOp original, ModuleOp scratch,
                                    const MutationOptions &options,
                                    MutationStats *stats = nullptr);

} // namespace mlir::pet

#endif // PET_OPTIMIZER_MUTATIONGENERATOR_H
