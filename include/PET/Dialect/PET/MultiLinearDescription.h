//===- MultiLinearDescription.h - Multi-linear ops as data ------*- C++ -*-===//
//
// How a multi-linear operator computes one of its results, as data that
// analyses and lowerings interpret generically.
//
// A description is a list of terms. Term t contributes
//
//   result[resultMap(i)] += scale / divisor * prod_f operand_f[map_f(i)]
//
// for every point i of its iteration domain [0, loopBounds). The contract:
//  * A read outside an operand's shape yields zero (convolution padding).
//  * Result positions that no term writes are zero (the border of `pad`).
//  * Every result expression of `resultMap` is a single loop dimension plus
//    a constant; each parallel loop appears in exactly one of them and no
//    reduction loop appears. So fixing a result position fixes the parallel
//    loops, and the reduction loops are summed over.
//  * Factor maps are affine maps of the loops (floordiv/mod by constants are
//    allowed: `reshape` uses them); a term with no factor does not occur.
//  * With `divideByInBoundsCount`, the divisor at a result position is the
//    number of reduction points whose reads are all inside their operands
//    (average pooling without counting the padding) instead of `divisor`.
//
//===----------------------------------------------------------------------===//

#ifndef PET_DIALECT_PET_MULTILINEARDESCRIPTION_H
#define PET_DIALECT_PET_MULTILINEARDESCRIPTION_H

#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/SmallVector.h"

#include <cstdint>
#include <optional>
#include <utility>

namespace mlir {
class Operation;
} // namespace mlir

namespace mlir::pet {

/// One factor of a term: operand `operandIndex` read at `map(loops)`.
struct OperandAccess {
  unsigned operandIndex;
  AffineMap map;
};

/// One sum-of-products term of a multi-linear description.
struct MultiLinearTerm {
  SmallVector<int64_t> loopBounds;
  SmallVector<utils::IteratorType> iteratorTypes;
  AffineMap resultMap;
  SmallVector<OperandAccess, 2> factors;
  /// Constant factor `scale / divisor`. A double is a dyadic rational, so
  /// both parts are exact in modular arithmetic as well.
  double scale = 1.0;
  int64_t divisor = 1;
  bool divideByInBoundsCount = false;

  unsigned getNumLoops() const { return loopBounds.size(); }
  bool isReduction(unsigned loop) const {
    return iteratorTypes[loop] == utils::IteratorType::reduction;
  }
};

/// How one result of a multi-linear operator is computed.
struct MultiLinearDescription {
  SmallVector<MultiLinearTerm, 1> terms;
};

/// For a result expression of the contract, `d_i` or `d_i + c`: (i, c).
/// Nothing for any other expression.
std::optional<std::pair<unsigned, int64_t>>
getShiftedLoop(AffineExpr resultExpr);

/// An inclusive range [min, max] of integers.
using IndexRange = std::pair<int64_t, int64_t>;

/// The range of values each result of `map` takes when its dimensions range
/// over [0, loopBounds). Exact for sums of dimensions with constant
/// coefficients; a sound over-approximation with floordiv/mod/ceildiv.
SmallVector<IndexRange> getAccessRanges(AffineMap map,
                                        ArrayRef<int64_t> loopBounds);

/// `expr` simplified with the knowledge that dimension d ranges over
/// [0, loopBounds[d]): a floordiv or mod whose dividend stays within one
/// multiple of the divisor becomes affine (so the access maps of aligned
/// reshapes become linear).
AffineExpr simplifyWithLoopBounds(AffineExpr expr,
                                  ArrayRef<int64_t> loopBounds);

/// How far the reads of `access` reach outside an operand of `shape`, per
/// dimension: {low, high} counts of zero positions read before index 0 and
/// after index shape-1 (both 0 when every read is in bounds).
SmallVector<std::pair<int64_t, int64_t>>
getZeroPadding(const MultiLinearTerm &term, const OperandAccess &access,
               ArrayRef<int64_t> shape);

/// Checks that `description` of result `resultIndex` of `op` obeys the
/// contract above (maps of the right arity, result expressions of the
/// allowed form, every write inside the result). Emits an error on `op` and
/// fails otherwise.
LogicalResult verifyMultiLinearDescription(Operation *op, unsigned resultIndex,
                                           const MultiLinearDescription &desc);

} // namespace mlir::pet

#endif // PET_DIALECT_PET_MULTILINEARDESCRIPTION_H
