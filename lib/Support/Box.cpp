//===- Box.cpp - Hyper-rectangles of tensor positions ---------------------===//

#include "PET/Support/Box.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/Sequence.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cassert>
#include <limits>

using namespace mlir::pet;

static constexpr int64_t kSaturated = std::numeric_limits<int64_t>::max();

/// Products and sums of non-negative counts, saturating at INT64_MAX.
static int64_t saturatingMultiply(int64_t a, int64_t b) {
  int64_t result;
  return llvm::MulOverflow(a, b, result) ? kSaturated : result;
}
static int64_t saturatingAdd(int64_t a, int64_t b) {
  int64_t result;
  return llvm::AddOverflow(a, b, result) ? kSaturated : result;
}

Box::Box(llvm::ArrayRef<int64_t> lower, llvm::ArrayRef<int64_t> upper)
    : lower(lower), upper(upper) {
  assert(lower.size() == upper.size() && "box bounds of different ranks");
}

Box Box::fromShape(llvm::ArrayRef<int64_t> shape) {
  llvm::SmallVector<int64_t> zeros(shape.size(), 0);
  return Box(zeros, shape);
}

int64_t Box::getExtent(unsigned dim) const {
  return std::max<int64_t>(0, upper[dim] - lower[dim]);
}

llvm::SmallVector<int64_t> Box::getExtents() const {
  llvm::SmallVector<int64_t> extents;
  for (unsigned d = 0, e = getRank(); d < e; ++d)
    extents.push_back(getExtent(d));
  return extents;
}

bool Box::isEmpty() const {
  for (unsigned d = 0, e = getRank(); d < e; ++d)
    if (lower[d] >= upper[d])
      return true;
  return false;
}

int64_t Box::getVolume() const {
  int64_t volume = 1;
  for (unsigned d = 0, e = getRank(); d < e; ++d)
    volume = saturatingMultiply(volume, getExtent(d));
  return volume;
}

bool Box::contains(llvm::ArrayRef<int64_t> point) const {
  if (point.size() != getRank())
    return false;
  for (unsigned d = 0, e = getRank(); d < e; ++d)
    if (point[d] < lower[d] || point[d] >= upper[d])
      return false;
  return true;
}

bool Box::contains(const Box &other) const {
  if (other.getRank() != getRank())
    return false;
  if (other.isEmpty())
    return true;
  for (unsigned d = 0, e = getRank(); d < e; ++d)
    if (other.lower[d] < lower[d] || other.upper[d] > upper[d])
      return false;
  return true;
}

bool Box::intersects(const Box &other) const {
  return other.getRank() == getRank() && !intersect(other).isEmpty();
}

Box Box::intersect(const Box &other) const {
  assert(other.getRank() == getRank() && "intersecting boxes of other ranks");
  Box result = *this;
  for (unsigned d = 0, e = getRank(); d < e; ++d) {
    result.lower[d] = std::max(lower[d], other.lower[d]);
    result.upper[d] = std::min(upper[d], other.upper[d]);
  }
  return result;
}

std::pair<Box, Box> Box::split(unsigned dim, int64_t at) const {
  assert(dim < getRank() && "split dimension out of range");
  Box below = *this, above = *this;
  below.upper[dim] = std::min(upper[dim], std::max(lower[dim], at));
  above.lower[dim] = std::max(lower[dim], std::min(upper[dim], at));
  return {below, above};
}

llvm::SmallVector<Box> mlir::pet::subtract(const Box &box, const Box &other) {
  llvm::SmallVector<Box> pieces;
  if (box.isEmpty())
    return pieces;
  if (!box.intersects(other)) {
    pieces.push_back(box);
    return pieces;
  }
  // Peel off, dimension by dimension, the slabs of `rest` below and above
  // `other`; what remains at the end is the intersection, which is dropped.
  Box rest = box;
  for (unsigned d = 0, e = box.getRank(); d < e; ++d) {
    auto [below, notBelow] = rest.split(d, other.getLower(d));
    auto [middle, above] = notBelow.split(d, other.getUpper(d));
    if (!below.isEmpty())
      pieces.push_back(below);
    if (!above.isEmpty())
      pieces.push_back(above);
    rest = middle;
  }
  return pieces;
}

Box Box::translate(llvm::ArrayRef<int64_t> offset) const {
  assert(offset.size() == getRank() && "offset of another rank");
  Box result = *this;
  for (unsigned d = 0, e = getRank(); d < e; ++d) {
    result.lower[d] += offset[d];
    result.upper[d] += offset[d];
  }
  return result;
}

bool Box::operator<(const Box &other) const {
  if (lower != other.lower)
    return std::lexicographical_compare(lower.begin(), lower.end(),
                                        other.lower.begin(), other.lower.end());
  return std::lexicographical_compare(upper.begin(), upper.end(),
                                      other.upper.begin(), other.upper.end());
}

void Box::print(llvm::raw_ostream &os) const {
  os << '[';
  llvm::interleaveComma(llvm::seq<unsigned>(0, getRank()), os,
                        [&](unsigned d) { os << lower[d] << ':' << upper[d]; });
  os << ']';
}

llvm::raw_ostream &mlir::pet::operator<<(llvm::raw_ostream &os,
                                         const Box &box) {
  box.print(os);
  return os;
}

std::optional<std::string>
mlir::pet::checkPartition(llvm::ArrayRef<int64_t> shape,
                          llvm::ArrayRef<Box> boxes) {
  std::string message;
  llvm::raw_string_ostream os(message);
  Box whole = Box::fromShape(shape);
  for (auto [i, box] : llvm::enumerate(boxes)) {
    if (box.getRank() != shape.size()) {
      os << "box #" << i << " has rank " << box.getRank()
         << " but the tensor has rank " << shape.size();
      return message;
    }
    if (box.isEmpty()) {
      os << "box #" << i << " (" << box << ") is empty";
      return message;
    }
    if (!whole.contains(box)) {
      os << "box #" << i << " (" << box << ") is not inside the tensor ("
         << whole << ")";
      return message;
    }
    for (unsigned j = 0; j < i; ++j) {
      if (boxes[j].intersects(box)) {
        os << "boxes #" << j << " (" << boxes[j] << ") and #" << i << " ("
           << box << ") overlap";
        return message;
      }
    }
  }
  if (whole.getVolume() == kSaturated) {
    os << "the tensor has too many positions (2^63 or more) to partition";
    return message;
  }
  // Disjoint boxes inside the tensor cover it iff their volumes add up.
  int64_t covered = getTotalVolume(boxes);
  if (covered != whole.getVolume()) {
    os << "the boxes cover " << covered << " of the tensor's "
       << whole.getVolume() << " positions";
    return message;
  }
  return std::nullopt;
}

llvm::SmallVector<Box> mlir::pet::refinePartitions(llvm::ArrayRef<Box> a,
                                                   llvm::ArrayRef<Box> b) {
  llvm::SmallVector<Box> result;
  for (const Box &x : a)
    for (const Box &y : b) {
      Box common = x.intersect(y);
      if (!common.isEmpty())
        result.push_back(std::move(common));
    }
  llvm::sort(result);
  return result;
}

int64_t mlir::pet::getTotalVolume(llvm::ArrayRef<Box> boxes) {
  int64_t total = 0;
  for (const Box &box : boxes)
    total = saturatingAdd(total, box.getVolume());
  return total;
}

llvm::SmallVector<Box>
mlir::pet::mergeAdjacentBoxes(llvm::SmallVector<Box> boxes) {
  bool merged = true;
  while (merged) {
    merged = false;
    for (size_t i = 0; i < boxes.size() && !merged; ++i)
      for (size_t j = 0; j < boxes.size() && !merged; ++j) {
        if (i == j)
          continue;
        const Box &a = boxes[i], &b = boxes[j];
        int differing = -1;
        bool ok = true;
        for (unsigned d = 0; d < a.getRank() && ok; ++d) {
          if (a.getLower(d) == b.getLower(d) && a.getUpper(d) == b.getUpper(d))
            continue;
          if (differing >= 0 || a.getUpper(d) != b.getLower(d))
            ok = false;
          differing = d;
        }
        if (!ok || differing < 0)
          continue;
        llvm::SmallVector<int64_t> upper(a.getUpper());
        upper[differing] = b.getUpper(differing);
        boxes[i] = Box(a.getLower(), upper);
        boxes.erase(boxes.begin() + j);
        merged = true;
      }
  }
  return boxes;
}
