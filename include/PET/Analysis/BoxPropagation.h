//===- BoxPropagation.h - Box partitions of tensor values -------*- C++ -*-===//
//
// Box propagation (shared/DESIGN.md, "Box"): every tensor value of a
// multi-linear program gets a partition into boxes on each of which the
// value, as a polynomial in the program's inputs, is "translation
// structured": moving the position by one step along a dimension shifts every
// monomial by the same offset. That is what Theorem 1 needs to decide
// equivalence on a whole box from m+1 of its positions.
//
// Partitions are grids (per-dimension cut lists). They are computed from
// MultiLinearOpInterface descriptions only: an operator's result is cut
// wherever one of its reads moves to another box of an operand (a tensor's
// own edge included: reads outside are the zero padding), wherever a read
// stops being affine in the position (floordiv/mod of reshapes), and at the
// borders of each term's written region (concat, pad). A grid may be finer
// than the coarsest valid partition, never coarser.
//
//===----------------------------------------------------------------------===//

#ifndef PET_ANALYSIS_BOXPROPAGATION_H
#define PET_ANALYSIS_BOXPROPAGATION_H

#include "PET/Dialect/PET/PETAttributes.h"
#include "PET/Dialect/PET/PETOps.h"
#include "PET/Support/Box.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/DenseMap.h"

namespace mlir::pet {

/// A partition of a tensor into the cells of a grid.
class GridPartition {
public:
  GridPartition() = default;
  /// The partition with one box, the whole tensor.
  explicit GridPartition(ArrayRef<int64_t> shape);

  ArrayRef<int64_t> getShape() const { return shape; }
  unsigned getRank() const { return shape.size(); }
  /// Sorted cut coordinates of `dim`, from 0 to its size.
  SmallVector<int64_t> getCuts(unsigned dim) const;
  bool hasCut(unsigned dim, int64_t coordinate) const {
    return coordinate >= 0 && coordinate <= shape[dim] &&
           cuts[dim].test(coordinate);
  }
  /// Cuts `dim` at `coordinate`; coordinates outside (0, size) are ignored.
  void addCut(unsigned dim, int64_t coordinate);
  /// Cuts every coordinate of `dim`.
  void cutEverywhere(unsigned dim);
  /// Adds the cuts of `other` (same shape): the common refinement.
  void refine(const GridPartition &other);

  int64_t getNumBoxes() const;
  /// The boxes, in row-major order of the grid cells.
  SmallVector<Box> getBoxes() const;
  PartitionAttr toAttr(MLIRContext *context) const;

  bool operator==(const GridPartition &other) const {
    return shape == other.shape && cuts == other.cuts;
  }

private:
  SmallVector<int64_t, 4> shape;
  /// Bit k of cuts[d]: a box boundary at coordinate k of dimension d.
  SmallVector<llvm::BitVector, 4> cuts;
};

/// The partition of result `resultIndex` of `op` given its operands'.
GridPartition propagateBoxes(MultiLinearOpInterface op, unsigned resultIndex,
                             ArrayRef<const GridPartition *> operands);

/// Partitions of all values of a function. Arguments, and results of
/// operators that are not multi-linear, are one box: they start a new
/// multi-linear subprogram. A `pet.correct` result is cut like both its
/// mutant and its original, and at the borders of its boxes.
class BoxPropagation {
public:
  explicit BoxPropagation(func::FuncOp func);
  const GridPartition &getPartition(Value value) const;

private:
  void propagate(Block &block);
  const GridPartition &getOrWhole(Value value);

  llvm::DenseMap<Value, GridPartition> partitions;
};

} // namespace mlir::pet

#endif // PET_ANALYSIS_BOXPROPAGATION_H
