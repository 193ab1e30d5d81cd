//===- PETToLinalg.h - PET to linalg-on-tensors -----------------*- C++ -*-===//

#ifndef PET_CONVERSION_PETTOLINALG_H
#define PET_CONVERSION_PETTOLINALG_H

#include "mlir/Transforms/DialectConversion.h"

namespace mlir::pet {

/// Patterns lowering every PET operator but `pet.correct` (see
/// `inlineCorrections`) to linalg, tensor, arith and math operations.
void populatePETToLinalgPatterns(RewritePatternSet &patterns);

/// Replaces every `pet.correct` under `root` by its original recomputed
/// (the region inlined) and its boxes inserted into the mutants, as PET
/// operators.
void inlineCorrections(Operation *root);

} // namespace mlir::pet

#endif // PET_CONVERSION_PETTOLINALG_H
