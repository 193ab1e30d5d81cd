//===- RandomPrograms.h - Random multi-linear program pairs -----*- C++ -*-===//
//
// Builds random multi-linear programs P over NCHW tensors together with a
// candidate P' of the same signature made by rewriting some of P's steps:
// fully equivalent rewrites (zero-extended filters, transpose and reshape
// round trips, operand swaps, split scales), partially equivalent ones
// (convolutions split along H into the batch, zeroed borders, average
// pooling that excludes padding) and non-equivalent ones (shifted padding or
// slices, sub for add, other scales). For property tests of the verifier and,
// later, of the whole pipeline.
//
//===----------------------------------------------------------------------===//

#ifndef PET_UNITTESTS_ANALYSIS_RANDOMPROGRAMS_H
#define PET_UNITTESTS_ANALYSIS_RANDOMPROGRAMS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

#include <cstdint>

namespace pet_test {

struct ProgramPair {
  mlir::func::FuncOp original;
  mlir::func::FuncOp candidate;
};

/// Adds `@original_<id>` and `@candidate_<id>` to `module`, built from
/// `seed`; `rewriteChance` is the probability that a step of P is emitted
/// differently in P'.
ProgramPair buildRandomProgramPair(mlir::ModuleOp module, uint64_t seed,
                                   unsigned id, double rewriteChance = 0.35);

/// Adds `@layout_original_<id>` and `@layout_candidate_<id>`: two
/// independent random chains of reshapes (to any factorization, most of
/// them not aligned with the previous shape) and transposes of one small
/// tensor, ending in the same shape. Every output element is one input
/// element, so the two programs agree exactly where they move the same
/// element there: the boxes depend on where the reshapes wrap around.
ProgramPair buildRandomLayoutPair(mlir::ModuleOp module, uint64_t seed,
                                  unsigned id);

/// Cuts `func` into small multi-linear subprograms: a ReLU after every
/// single-result operator but the last (when `id % 3 == 0`, only after
/// convolutions). What the soundness fuzzers hand to the search.
void cutWithRelus(mlir::func::FuncOp func, unsigned id);

} // namespace pet_test

#endif // PET_UNITTESTS_ANALYSIS_RANDOMPROGRAMS_H
