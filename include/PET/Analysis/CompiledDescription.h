//===- CompiledDescription.h - Descriptions ready to evaluate ---*- C++ -*-===//
//
// Multi-linear descriptions turned into a form that is fast to evaluate on
// integer loop values: linear expressions become dot products, result maps
// become (loop, offset) pairs. Shared by the evaluators and box propagation.
//
//===----------------------------------------------------------------------===//

#ifndef PET_ANALYSIS_COMPILEDDESCRIPTION_H
#define PET_ANALYSIS_COMPILEDDESCRIPTION_H

#include "PET/Dialect/PET/MultiLinearDescription.h"

#include "mlir/IR/AffineExpr.h"

namespace mlir::pet {

/// `sum_i coefficients[i] * d_i + constant`, if `expr` is linear.
struct LinearForm {
  SmallVector<int64_t> coefficients;
  int64_t constant = 0;
};
std::optional<LinearForm> getLinearForm(AffineExpr expr, unsigned numDims);
/// How much `expr` changes when dimension `dim` goes up by one, if that is
/// the same everywhere (`dim` occurs outside floordiv/mod/ceildiv only).
std::optional<int64_t> getAffineCoefficient(AffineExpr expr, unsigned dim);

/// Evaluates an affine expression of loop values.
class CompiledExpr {
public:
  CompiledExpr(AffineExpr expr, unsigned numDims);
  int64_t operator()(ArrayRef<int64_t> loops) const;
  AffineExpr getExpr() const { return expr; }
  /// The linear form, or nothing for floordiv/mod/ceildiv expressions.
  const std::optional<LinearForm> &getLinearForm() const { return linear; }

private:
  /// One step of a postfix program for expressions that are not linear.
  struct Step {
    AffineExprKind kind; // Constant, DimId, or a binary operation
    int64_t value;       // the constant, or the dimension
  };

  AffineExpr expr;
  std::optional<LinearForm> linear;
  SmallVector<Step, 8> program;
};

/// Evaluates every result of an affine map.
class CompiledMap {
public:
  explicit CompiledMap(AffineMap map);
  void apply(ArrayRef<int64_t> loops, SmallVectorImpl<int64_t> &out) const;
  ArrayRef<CompiledExpr> getExprs() const { return exprs; }

private:
  SmallVector<CompiledExpr, 4> exprs;
};

/// One term of a description, compiled.
struct CompiledTerm {
  struct Factor {
    unsigned operandIndex;
    CompiledMap map;
  };

  explicit CompiledTerm(const MultiLinearTerm &term);

  /// Fixes the parallel loops in `loops` (sized to the loop count) for
  /// result position `position`; false if the term does not write it.
  bool bindResultPosition(ArrayRef<int64_t> position,
                          SmallVectorImpl<int64_t> &loops) const;
  /// The result position the loop point `loops` writes.
  void getResultPosition(ArrayRef<int64_t> loops,
                         SmallVectorImpl<int64_t> &position) const;

  SmallVector<int64_t> loopBounds;
  /// resultLoops[r] is the loop that indexes result dimension r, shifted by
  /// resultOffsets[r].
  SmallVector<unsigned> resultLoops;
  SmallVector<int64_t> resultOffsets;
  SmallVector<unsigned> reductionLoops;
  SmallVector<Factor, 2> factors;
  /// The reduction loop that exact evaluators run innermost, as a strided
  /// range: the longest one along which every factor's index is affine; -1
  /// if there is none. innerSteps[f][d] is the change of factor f's index d
  /// when that loop goes up by one.
  int innerLoop = -1;
  SmallVector<SmallVector<int64_t, 4>, 2> innerSteps;
  double scale;
  int64_t divisor;
  bool divideByInBoundsCount;
};

SmallVector<CompiledTerm, 1>
compileDescription(const MultiLinearDescription &desc);

/// True if `index` lies inside `shape`.
inline bool isInBounds(ArrayRef<int64_t> index, ArrayRef<int64_t> shape) {
  for (size_t d = 0, e = index.size(); d < e; ++d)
    if (index[d] < 0 || index[d] >= shape[d])
      return false;
  return true;
}

/// Row-major linear index of `index` in `shape`.
inline int64_t linearizeIndex(ArrayRef<int64_t> index,
                              ArrayRef<int64_t> shape) {
  int64_t linear = 0;
  for (size_t d = 0, e = index.size(); d < e; ++d)
    linear = linear * shape[d] + index[d];
  return linear;
}

/// The index of row-major position `linear` in `shape` (the inverse of
/// linearizeIndex), written to `index`.
inline void delinearizeIndex(int64_t linear, ArrayRef<int64_t> shape,
                             SmallVectorImpl<int64_t> &index) {
  index.resize(shape.size());
  for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
    index[d] = linear % shape[d];
    linear /= shape[d];
  }
}

/// Advances `point` to the next point of [0, bounds) in row-major order over
/// the dimensions listed in `dims`; false after the last one.
inline bool nextPoint(SmallVectorImpl<int64_t> &point, ArrayRef<int64_t> bounds,
                      ArrayRef<unsigned> dims) {
  for (size_t i = dims.size(); i-- > 0;) {
    unsigned d = dims[i];
    if (++point[d] < bounds[d])
      return true;
    point[d] = 0;
  }
  return false;
}

} // namespace mlir::pet

#endif // PET_ANALYSIS_COMPILEDDESCRIPTION_H
