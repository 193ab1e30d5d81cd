//===- ImportSupport.h - What the linalg import patterns share --*- C++ -*-===//
//
// Helpers of the linalg-to-PET patterns (LinalgToPET.cpp) that the
// patterns raising whole computations (ImportNormalizations.cpp) use too.
//
//===----------------------------------------------------------------------===//

#ifndef PET_LIB_CONVERSION_LINALGTOPET_IMPORTSUPPORT_H
#define PET_LIB_CONVERSION_LINALGTOPET_IMPORTSUPPORT_H

#include "mlir/IR/PatternMatch.h"

#include <optional>

namespace mlir::pet::linalg_import {

/// The value of a scalar or splat floating-point constant, also through an
/// arith.truncf or arith.extf of one (torch-mlir's f64 Python floats).
std::optional<double> getConstantFloat(Value value);

/// Whether `value` is a tensor filled with `expected` (linalg.fill of a
/// constant, or a splat constant).
bool isFilledWith(Value value, double expected);

/// `value` reshaped to `shape` (itself when it has that shape already).
Value reshapeTo(PatternRewriter &rewriter, Location loc, Value value,
                ArrayRef<int64_t> shape);

/// The shape `value`, read through `map` (an element-wise operand's
/// indexing map) at positions of a tensor of `shape`, takes as an operand of
/// PET's broadcasting operators: its own dimensions where the map indexes,
/// size 1 elsewhere. Fails for maps that permute or repeat dimensions.
FailureOr<SmallVector<int64_t>> getBroadcastShape(Value value, AffineMap map,
                                                  ArrayRef<int64_t> shape);

/// Patterns raising what torch-mlir decomposes back into PET's operators:
/// softmax (and PyTorch's safe softmax), layer normalization, GELU, and
/// broadcast copies read by PET's broadcasting operators.
void populateNormalizationImportPatterns(RewritePatternSet &patterns);

} // namespace mlir::pet::linalg_import

#endif // PET_LIB_CONVERSION_LINALGTOPET_IMPORTSUPPORT_H
