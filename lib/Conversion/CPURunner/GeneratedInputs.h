//===- GeneratedInputs.h - Inputs for generated mains ------*- C++ -*-===//
//
// The pseudo-random argument values of --pet-add-runner-main and
// --pet-add-timing-main (the formula is in PET/Support/RunnerInputs.h and
// the pass descriptions; python/pet_mlir/cpu.py computes the same values).
//
//===----------------------------------------------------------------------===//

#ifndef PET_LIB_CONVERSION_CPURUNNER_GENERATEDINPUTS_H
#define PET_LIB_CONVERSION_CPURUNNER_GENERATEDINPUTS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

namespace mlir::pet {

/// A linalg.generic that fills a tensor of `type` with the values of
/// argument `argNumber` under `seed`.
Value generateRunnerInput(OpBuilder &b, Location loc, RankedTensorType type,
                          int64_t seed, unsigned argNumber);

} // namespace mlir::pet

#endif // PET_LIB_CONVERSION_CPURUNNER_GENERATEDINPUTS_H
