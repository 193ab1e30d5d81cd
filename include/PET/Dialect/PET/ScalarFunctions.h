//===- ScalarFunctions.h - What element-wise operators compute --*- C++ -*-===//
//
// The scalar function of PET's element-wise non-linear operators (relu,
// sigmoid, tanh, rsqrt, gelu), built with arith and math operations: one
// definition for every lowering that computes them element by element.
//
//===----------------------------------------------------------------------===//

#ifndef PET_DIALECT_PET_SCALARFUNCTIONS_H
#define PET_DIALECT_PET_SCALARFUNCTIONS_H

#include "mlir/IR/Builders.h"

namespace mlir::pet {

/// Whether `op` is an element-wise non-linear operator of one operand that
/// `buildScalarFunction` knows.
bool hasScalarFunction(Operation *op);

/// `op`'s function applied to the scalar `x` (of its element type). `op`
/// must satisfy `hasScalarFunction`.
Value buildScalarFunction(OpBuilder &b, Location loc, Operation *op, Value x);

/// What a `safe` softmax makes of an element's quotient exp(x - max) / sum,
/// given its lane's maximum: zero where the lane is all -inf (the quotient
/// is NaN there).
Value buildSafeSoftmaxResult(OpBuilder &b, Location loc, Value quotient,
                             Value laneMax);

} // namespace mlir::pet

#endif // PET_DIALECT_PET_SCALARFUNCTIONS_H
