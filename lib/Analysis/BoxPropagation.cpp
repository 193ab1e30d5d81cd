//===- BoxPropagation.cpp - Box partitions of tensor values ---------------===//

#include "PET/Analysis/BoxPropagation.h"

#include "PET/Analysis/CompiledDescription.h"

#include "llvm/ADT/SmallBitVector.h"

using namespace mlir;
using namespace mlir::pet;

//===----------------------------------------------------------------------===//
// GridPartition
//===----------------------------------------------------------------------===//

GridPartition::GridPartition(ArrayRef<int64_t> shape) : shape(shape) {
  for (int64_t size : shape) {
    llvm::BitVector bits(size + 1);
    bits.set(0);
    bits.set(size);
    cuts.push_back(std::move(bits));
  }
}

SmallVector<int64_t> GridPartition::getCuts(unsigned dim) const {
  SmallVector<int64_t> result;
  for (unsigned bit : cuts[dim].set_bits())
    result.push_back(bit);
  return result;
}

void GridPartition::addCut(unsigned dim, int64_t coordinate) {
  if (coordinate > 0 && coordinate < shape[dim])
    cuts[dim].set(coordinate);
}

void GridPartition::cutEverywhere(unsigned dim) { cuts[dim].set(); }

void GridPartition::refine(const GridPartition &other) {
  assert(other.shape == shape && "refining with a partition of another shape");
  for (unsigned d = 0, e = getRank(); d < e; ++d)
    cuts[d] |= other.cuts[d];
}

int64_t GridPartition::getNumBoxes() const {
  int64_t count = 1;
  for (const llvm::BitVector &bits : cuts)
    count *= std::max<int64_t>(bits.count() - 1, 0);
  return count;
}

SmallVector<Box> GridPartition::getBoxes() const {
  SmallVector<Box> boxes;
  unsigned rank = getRank();
  SmallVector<SmallVector<int64_t>> allCuts;
  for (unsigned d = 0; d < rank; ++d) {
    allCuts.push_back(getCuts(d));
    if (allCuts.back().size() < 2)
      return boxes; // an empty dimension: no position, no box
  }
  SmallVector<int64_t> cell(rank, 0), lower(rank), upper(rank);
  while (true) {
    for (unsigned d = 0; d < rank; ++d) {
      lower[d] = allCuts[d][cell[d]];
      upper[d] = allCuts[d][cell[d] + 1];
    }
    boxes.emplace_back(lower, upper);
    int d = rank - 1;
    while (d >= 0 && ++cell[d] + 1 == static_cast<int64_t>(allCuts[d].size()))
      cell[d--] = 0;
    if (d < 0)
      return boxes;
  }
}

PartitionAttr GridPartition::toAttr(MLIRContext *context) const {
  return PartitionAttr::get(context, shape, getBoxes());
}

//===----------------------------------------------------------------------===//
// Propagation through one operator
//===----------------------------------------------------------------------===//

namespace {
/// Where the loops of a term put their values in the result.
struct ResultPlacement {
  /// Result dimension indexed by each loop, or -1 for reduction loops.
  SmallVector<int> dim;
  SmallVector<int64_t> offset;
};
} // namespace

/// Above this many points, an access is not analysed exactly: every
/// coordinate of the result dimensions it depends on is cut (sound, fine).
static constexpr int64_t kMaxAccessPoints = int64_t(1) << 22;

/// Cuts `out` so that, on each of its cells and for every fixed value of
/// the reduction loops, the index `expr` reads in dimension `dim` of an
/// operand partitioned as `in` is affine in the position, with the same
/// slope for every reduction value, and stays in one interval of that
/// dimension (the regions before 0 and from the size on count as intervals:
/// reads there are the zero padding).
static void cutForAccess(AffineExpr expr, ArrayRef<int64_t> loopBounds,
                         const ResultPlacement &placement,
                         const GridPartition &in, unsigned dim,
                         GridPartition &out) {
  unsigned numLoops = loopBounds.size();
  llvm::SmallBitVector used(numLoops);
  expr.walk([&](AffineExpr e) {
    if (auto d = dyn_cast<AffineDimExpr>(e))
      used.set(d.getPosition());
  });
  SmallVector<unsigned> loops; // the loops `expr` depends on
  bool dependsOnPosition = false;
  for (unsigned loop : used.set_bits()) {
    loops.push_back(loop);
    dependsOnPosition |= placement.dim[loop] >= 0;
  }
  if (!dependsOnPosition)
    return;

  int64_t numPoints = 1;
  SmallVector<int64_t> strides(loops.size());
  for (size_t a = loops.size(); a-- > 0;) {
    strides[a] = numPoints;
    numPoints *= loopBounds[loops[a]];
    if (numPoints > kMaxAccessPoints)
      break;
  }
  if (numPoints > kMaxAccessPoints) {
    for (unsigned loop : loops)
      if (placement.dim[loop] >= 0)
        for (int64_t x = 1; x < loopBounds[loop]; ++x)
          out.addCut(placement.dim[loop], x + placement.offset[loop]);
    return;
  }

  // The index read at each point of the loops `expr` depends on, and the
  // interval of `in`'s dimension it falls in.
  SmallVector<int64_t> inCuts = in.getCuts(dim);
  int64_t inSize = in.getShape()[dim];
  auto intervalOf = [&](int64_t index) -> int64_t {
    if (index < 0)
      return -1;
    if (index >= inSize)
      return inCuts.size();
    return std::upper_bound(inCuts.begin(), inCuts.end(), index) -
           inCuts.begin() - 1;
  };
  CompiledExpr compiled(expr, numLoops);
  std::vector<int64_t> values(numPoints);
  std::vector<int64_t> intervals(numPoints);
  SmallVector<int64_t> point(numLoops, 0);
  // Along the innermost loop the index usually moves by a constant step
  // (a grouped convolution's channel: (f floordiv F/g) * C/g + c): the
  // expression is evaluated in full only where that loop starts over.
  unsigned innermost = loops.back();
  std::optional<int64_t> innerStep = getAffineCoefficient(expr, innermost);
  for (int64_t x = 0; x < numPoints; ++x) {
    values[x] = innerStep && point[innermost] != 0 ? values[x - 1] + *innerStep
                                                   : compiled(point);
    intervals[x] = intervalOf(values[x]);
    nextPoint(point, loopBounds, loops);
  }

  // Local checks between neighbouring points; a violated one is resolved by
  // a cut between its points, and cuts only remove constraints, so one pass
  // leaves every cell consistent.
  SmallVector<int64_t> coords(loops.size(), 0);
  for (int64_t x = 0; x < numPoints; ++x) {
    for (size_t a = 0; a < loops.size(); ++a) {
      unsigned loop = loops[a];
      int resultDim = placement.dim[loop];
      if (resultDim < 0)
        continue; // only position dimensions get cuts
      int64_t xa = coords[a], bound = loopBounds[loop];
      int64_t base = placement.offset[loop];
      if (xa + 1 >= bound || out.hasCut(resultDim, base + xa + 1))
        continue;
      int64_t y = x + strides[a];
      if (intervals[x] != intervals[y]) {
        out.addCut(resultDim, base + xa + 1);
        continue;
      }
      int64_t delta = values[y] - values[x];
      if (xa + 2 < bound && !out.hasCut(resultDim, base + xa + 2) &&
          values[y + strides[a]] - values[y] != delta)
        out.addCut(resultDim, base + xa + 2);
      for (size_t b = 0; b < loops.size(); ++b) {
        if (b == a || coords[b] + 1 >= loopBounds[loops[b]])
          continue;
        int64_t w = x + strides[b];
        if (values[w + strides[a]] - values[w] == delta)
          continue;
        int otherDim = placement.dim[loops[b]];
        if (otherDim < 0) {
          // The slope depends on a reduction loop: keep x and y apart.
          out.addCut(resultDim, base + xa + 1);
          break;
        }
        int64_t cut = placement.offset[loops[b]] + coords[b] + 1;
        if (!out.hasCut(otherDim, cut))
          out.addCut(otherDim, cut);
      }
    }
    for (size_t a = loops.size(); a-- > 0;) {
      if (++coords[a] < loopBounds[loops[a]])
        break;
      coords[a] = 0;
    }
  }
}

GridPartition
mlir::pet::propagateBoxes(MultiLinearOpInterface op, unsigned resultIndex,
                          ArrayRef<const GridPartition *> operands) {
  auto type = cast<RankedTensorType>(op->getResult(resultIndex).getType());
  GridPartition out(type.getShape());
  MultiLinearDescription desc = op.getMultiLinearDescription(resultIndex);
  for (const MultiLinearTerm &term : desc.terms) {
    if (llvm::any_of(term.loopBounds, [](int64_t b) { return b <= 0; }))
      continue;
    CompiledTerm compiled(term);
    ResultPlacement placement;
    placement.dim.assign(term.getNumLoops(), -1);
    placement.offset.assign(term.getNumLoops(), 0);
    for (auto [r, loop] : llvm::enumerate(compiled.resultLoops)) {
      placement.dim[loop] = r;
      placement.offset[loop] = compiled.resultOffsets[r];
      // The borders of the region this term writes.
      out.addCut(r, compiled.resultOffsets[r]);
      out.addCut(r, compiled.resultOffsets[r] + term.loopBounds[loop]);
    }
    for (const OperandAccess &access : term.factors) {
      const GridPartition &in = *operands[access.operandIndex];
      for (auto [dim, expr] : llvm::enumerate(access.map.getResults()))
        cutForAccess(simplifyWithLoopBounds(expr, term.loopBounds),
                     term.loopBounds, placement, in, dim, out);
    }
  }
  return out;
}

//===----------------------------------------------------------------------===//
// BoxPropagation
//===----------------------------------------------------------------------===//

/// Values that have a partition: statically shaped tensors.
static bool isPartitioned(Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  return type && type.hasStaticShape();
}

BoxPropagation::BoxPropagation(func::FuncOp func) {
  for (BlockArgument arg : func.getArguments())
    if (isPartitioned(arg))
      (void)getOrWhole(arg);
  if (!func.isExternal())
    propagate(func.getBody().front());
}

const GridPartition &BoxPropagation::getOrWhole(Value value) {
  auto it = partitions.find(value);
  if (it == partitions.end())
    it = partitions
             .try_emplace(value,
                          cast<RankedTensorType>(value.getType()).getShape())
             .first;
  return it->second;
}

void BoxPropagation::propagate(Block &block) {
  for (Operation &op : block) {
    if (auto correct = dyn_cast<CorrectOp>(op)) {
      Block &body = correct.getBody().front();
      for (auto [arg, input] :
           llvm::zip(body.getArguments(), correct.getInputs())) {
        GridPartition partition = getOrWhole(input);
        partitions[arg] = std::move(partition);
      }
      propagate(body);
      for (unsigned i = 0; i < correct.getNumResults(); ++i) {
        GridPartition result = getOrWhole(correct.getMutants()[i]);
        GridPartition original = getOrWhole(correct.getOriginalValue(i));
        result.refine(original);
        for (const Box &box : correct.getBoxesOf(i))
          for (unsigned d = 0; d < box.getRank(); ++d) {
            result.addCut(d, box.getLower(d));
            result.addCut(d, box.getUpper(d));
          }
        partitions[correct.getResult(i)] = std::move(result);
      }
      continue;
    }
    auto linear = dyn_cast<MultiLinearOpInterface>(&op);
    if (!linear) {
      for (Value result : op.getResults())
        if (isPartitioned(result))
          partitions[result] = GridPartition(
              cast<RankedTensorType>(result.getType()).getShape());
      continue;
    }
    // Insert first, then take addresses: an insertion may move entries.
    for (Value operand : op.getOperands())
      (void)getOrWhole(operand);
    SmallVector<const GridPartition *> operands;
    for (Value operand : op.getOperands())
      operands.push_back(&partitions.find(operand)->second);
    SmallVector<GridPartition, 1> results;
    for (unsigned i = 0; i < op.getNumResults(); ++i)
      results.push_back(propagateBoxes(linear, i, operands));
    for (unsigned i = 0; i < op.getNumResults(); ++i)
      partitions[op.getResult(i)] = std::move(results[i]);
  }
}

const GridPartition &BoxPropagation::getPartition(Value value) const {
  auto it = partitions.find(value);
  assert(it != partitions.end() && "value of another function");
  return it->second;
}
