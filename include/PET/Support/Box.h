//===- Box.h - Hyper-rectangles of tensor positions -------------*- C++ -*-===//
//
// A box is a hyper-rectangle of positions of a tensor: one half-open interval
// [lower, upper) per dimension. Boxes are the unit in which PET reasons about
// partial equivalence (see shared/DESIGN.md, "Box"). This header holds the
// MLIR-independent algebra; `#pet.box` and `#pet.partition` wrap it as IR
// attributes.
//
//===----------------------------------------------------------------------===//

#ifndef PET_SUPPORT_BOX_H
#define PET_SUPPORT_BOX_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

namespace llvm {
class raw_ostream;
} // namespace llvm

namespace mlir::pet {

/// A hyper-rectangle [lower_0, upper_0) x ... x [lower_{r-1}, upper_{r-1}).
/// A box with lower_d >= upper_d in some dimension is empty; a rank-0 box is
/// the single position of a scalar tensor.
class Box {
public:
  Box() = default;
  Box(llvm::ArrayRef<int64_t> lower, llvm::ArrayRef<int64_t> upper);

  /// The box [0, shape_0) x ... covering a whole tensor of `shape`.
  static Box fromShape(llvm::ArrayRef<int64_t> shape);

  unsigned getRank() const { return lower.size(); }
  llvm::ArrayRef<int64_t> getLower() const { return lower; }
  llvm::ArrayRef<int64_t> getUpper() const { return upper; }
  int64_t getLower(unsigned dim) const { return lower[dim]; }
  int64_t getUpper(unsigned dim) const { return upper[dim]; }
  /// Number of positions along `dim` (0 if the box is empty there).
  int64_t getExtent(unsigned dim) const;
  llvm::SmallVector<int64_t> getExtents() const;

  bool isEmpty() const;
  /// Number of positions in the box (saturating at INT64_MAX).
  int64_t getVolume() const;

  bool contains(llvm::ArrayRef<int64_t> point) const;
  /// True if every position of `other` is in this box (an empty `other` is
  /// contained in every box of the same rank).
  bool contains(const Box &other) const;
  bool intersects(const Box &other) const;

  /// The positions in both boxes; empty (but of the same rank) if none.
  Box intersect(const Box &other) const;

  /// Splits the box at coordinate `at` of `dim` into the parts below and at
  /// or above it. A part may be empty when `at` lies outside the box.
  std::pair<Box, Box> split(unsigned dim, int64_t at) const;

  /// This box moved by `offset` (one entry per dimension).
  Box translate(llvm::ArrayRef<int64_t> offset) const;

  bool operator==(const Box &other) const {
    return lower == other.lower && upper == other.upper;
  }
  bool operator!=(const Box &other) const { return !(*this == other); }
  /// Lexicographic order on (lower, upper), for canonical listings.
  bool operator<(const Box &other) const;

  /// Prints `[l0:u0, l1:u1]` (NumPy slice notation, half-open intervals);
  /// a rank-0 box prints as `[]`.
  void print(llvm::raw_ostream &os) const;

private:
  llvm::SmallVector<int64_t, 4> lower;
  llvm::SmallVector<int64_t, 4> upper;
};

llvm::raw_ostream &operator<<(llvm::raw_ostream &os, const Box &box);

/// Disjoint non-empty boxes whose union is the positions of `box` that are
/// not in `other` (at most 2 * rank of them).
llvm::SmallVector<Box> subtract(const Box &box, const Box &other);

/// Checks that `boxes` partition a tensor of `shape`: every box is non-empty,
/// of the tensor's rank, inside it, and no two overlap, and together they cover
/// every position. On failure returns a sentence saying what is wrong.
std::optional<std::string> checkPartition(llvm::ArrayRef<int64_t> shape,
                                          llvm::ArrayRef<Box> boxes);

/// `boxes` with adjacent ones merged: two boxes equal in every dimension but
/// one, where one ends where the other begins, become one, until no two do.
llvm::SmallVector<Box> mergeAdjacentBoxes(llvm::SmallVector<Box> boxes);

/// The common refinement of two partitions of the same tensor: the non-empty
/// pairwise intersections, sorted. Both inputs must partition the same shape.
llvm::SmallVector<Box> refinePartitions(llvm::ArrayRef<Box> a,
                                        llvm::ArrayRef<Box> b);

/// Sum of the volumes of `boxes` (saturating at INT64_MAX).
int64_t getTotalVolume(llvm::ArrayRef<Box> boxes);

} // namespace mlir::pet

#endif // PET_SUPPORT_BOX_H
