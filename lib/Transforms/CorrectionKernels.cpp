//===- CorrectionKernels.cpp - Corrections as one parallel loop -----------===//
//
// Each `pet.correct` becomes one `scf.forall` whose iterations are the
// positions of all its boxes. An iteration evaluates the original subprogram
// at its position from the multi-linear descriptions of its operators (the
// interface every analysis reads), so one emitter serves every operator:
// a term's parallel loops are fixed by the position, its reduction loops
// become `scf.for` loops, and reads outside an operand give zero.
//
//===----------------------------------------------------------------------===//

#include "PET/Transforms/Passes.h"

#include "PET/Dialect/PET/MultiLinearOpInterface.h"
#include "PET/Dialect/PET/PETOps.h"
#include "PET/Dialect/PET/ScalarFunctions.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace mlir::pet {
#define GEN_PASS_DEF_PETCORRECTIONKERNELS
#include "PET/Transforms/Passes.h.inc"
} // namespace mlir::pet

using namespace mlir;
using namespace mlir::pet;

//===----------------------------------------------------------------------===//
// Cost of one position
//===----------------------------------------------------------------------===//

namespace {
/// Multiply-adds (and scalar functions) that evaluating a region value at
/// one position takes, or nothing when an operator on the way cannot be
/// evaluated pointwise. Reading a region argument costs nothing.
class PointCost {
public:
  std::optional<double> of(Value value);

private:
  DenseMap<Value, std::optional<double>> memo;
};
} // namespace

std::optional<double> PointCost::of(Value value) {
  if (isa<BlockArgument>(value))
    return 0.0;
  if (auto it = memo.find(value); it != memo.end())
    return it->second;
  Operation *op = value.getDefiningOp();
  std::optional<double> cost;
  if (hasScalarFunction(op)) {
    if (std::optional<double> input = of(op->getOperand(0)))
      cost = *input + 1.0;
  } else if (auto multiLinear = dyn_cast<MultiLinearOpInterface>(op)) {
    MultiLinearDescription desc = multiLinear.getMultiLinearDescription(
        cast<OpResult>(value).getResultNumber());
    double total = 0.0;
    bool known = true;
    for (const MultiLinearTerm &term : desc.terms) {
      double points = 1.0, perPoint = 1.0;
      for (unsigned loop = 0; loop < term.getNumLoops(); ++loop)
        if (term.isReduction(loop))
          points *= static_cast<double>(term.loopBounds[loop]);
      for (const OperandAccess &factor : term.factors) {
        std::optional<double> c = of(op->getOperand(factor.operandIndex));
        known &= c.has_value();
        perPoint += c.value_or(0.0);
      }
      total += points * perPoint;
    }
    if (known)
      cost = total;
  }
  memo[value] = cost;
  return cost;
}

//===----------------------------------------------------------------------===//
// Values at one position
//===----------------------------------------------------------------------===//

namespace {
/// A position: one index value per dimension, with the inclusive range each
/// takes over the iterations (so that bounds checks known to pass are left
/// out).
struct Point {
  SmallVector<Value> indices;
  SmallVector<IndexRange> ranges;
};

/// A share of a reduction: iterations [index * size, (index + 1) * size) of
/// the first reduction loop of the one term of `value`'s operator.
struct Chunk {
  Value value;
  Value index;
  int64_t size;
};

/// Emits the scalar value of a correction region's value at a point.
class PointEmitter {
public:
  PointEmitter(Location loc, CorrectOp correct) : loc(loc), correct(correct) {}

  Value emit(OpBuilder &b, Value value, const Point &point);
  /// From now on, `chunk.value` is emitted as the partial sum of its chunk.
  void setChunk(std::optional<Chunk> c) { chunk = c; }

private:
  Value emitTerm(OpBuilder &b, Operation *op, const MultiLinearTerm &term,
                 const Point &point, FloatType element,
                 const Chunk *share = nullptr);
  /// `operand` at `point` where inside its shape, zero elsewhere; `inside`
  /// gets the condition (null when it always holds).
  Value read(OpBuilder &b, Value operand, const Point &point, Value &inside);

  Value index(OpBuilder &b, int64_t v) {
    return arith::ConstantIndexOp::create(b, loc, v);
  }
  Value zero(OpBuilder &b, FloatType element) {
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(element, 0.0));
  }
  Value both(OpBuilder &b, Value a, Value c) {
    if (!a)
      return c;
    return c ? arith::AndIOp::create(b, loc, a, c).getResult() : a;
  }
  /// `i` (ranging over `range`) clamped to [0, size) where the range leaves
  /// it, with `range` narrowed and `inside` and-ed with whether `i` was in.
  Value clampToSize(OpBuilder &b, Value i, IndexRange &range, int64_t size,
                    Value &inside);

  Location loc;
  CorrectOp correct;
  std::optional<Chunk> chunk;
};
} // namespace

Value PointEmitter::clampToSize(OpBuilder &b, Value i, IndexRange &range,
                                int64_t size, Value &inside) {
  auto &[min, max] = range;
  if (min >= 0 && max < size)
    return i;
  Value geZero =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, i, index(b, 0));
  Value ltSize = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, i,
                                       index(b, size));
  inside = both(b, inside, both(b, geZero, ltSize));
  min = std::clamp<int64_t>(min, 0, size - 1);
  max = std::clamp<int64_t>(max, 0, size - 1);
  return arith::MinSIOp::create(b, loc,
                                arith::MaxSIOp::create(b, loc, i, index(b, 0)),
                                index(b, size - 1));
}

Value PointEmitter::read(OpBuilder &b, Value operand, const Point &point,
                         Value &inside) {
  ArrayRef<int64_t> shape = shapeOf(operand);
  // Clamped indices, so that the read itself stays inside.
  Point in{{}, point.ranges};
  inside = Value();
  for (auto [d, size] : llvm::enumerate(shape))
    in.indices.push_back(
        clampToSize(b, point.indices[d], in.ranges[d], size, inside));
  Value value;
  if (auto arg = dyn_cast<BlockArgument>(operand))
    value = tensor::ExtractOp::create(
        b, loc, correct.getInputs()[arg.getArgNumber()], in.indices);
  else
    value = emit(b, operand, in);
  if (!inside)
    return value;
  auto element = cast<FloatType>(value.getType());
  return arith::SelectOp::create(b, loc, inside, value, zero(b, element));
}

Value PointEmitter::emitTerm(OpBuilder &b, Operation *op,
                             const MultiLinearTerm &term, const Point &point,
                             FloatType element, const Chunk *share) {
  unsigned numLoops = term.getNumLoops();
  // The parallel loops are fixed by the position: result index k is loop
  // `l` plus `shift`. Where that leaves the loop's range, the term does not
  // write the position.
  SmallVector<Value> loops(numLoops);
  SmallVector<IndexRange> loopRanges(numLoops);
  Value writes;
  for (auto [k, expr] : llvm::enumerate(term.resultMap.getResults())) {
    auto [loop, shift] = *getShiftedLoop(expr);
    Value v = point.indices[k];
    if (shift != 0)
      v = arith::SubIOp::create(b, loc, v, index(b, shift));
    loopRanges[loop] = {point.ranges[k].first - shift,
                        point.ranges[k].second - shift};
    loops[loop] =
        clampToSize(b, v, loopRanges[loop], term.loopBounds[loop], writes);
  }
  SmallVector<unsigned> reductions;
  for (unsigned loop = 0; loop < numLoops; ++loop)
    if (term.isReduction(loop)) {
      reductions.push_back(loop);
      loopRanges[loop] = {0, term.loopBounds[loop] - 1};
    }

  // The product of the factors at the loops' values, and whether every
  // read was inside its operand.
  auto product = [&](OpBuilder &nb, ArrayRef<Value> at,
                     Value &allInside) -> Value {
    Value result;
    allInside = Value();
    for (const OperandAccess &factor : term.factors) {
      // The access's range over the loops' ranges: shift each loop to
      // start at 0 and ask for the map's ranges over their extents.
      SmallVector<int64_t> extents;
      SmallVector<AffineExpr> shifted;
      for (auto [l, range] : llvm::enumerate(loopRanges)) {
        extents.push_back(range.second - range.first + 1);
        shifted.push_back(nb.getAffineDimExpr(l) + range.first);
      }
      AffineMap rangeMap =
          factor.map.replaceDimsAndSymbols(shifted, {}, numLoops, 0);
      Point operandPoint;
      operandPoint.ranges = getAccessRanges(rangeMap, extents);
      for (AffineExpr e : factor.map.getResults())
        operandPoint.indices.push_back(affine::AffineApplyOp::create(
            nb, loc, AffineMap::get(numLoops, 0, e), at));
      Value inside;
      Value v =
          read(nb, op->getOperand(factor.operandIndex), operandPoint, inside);
      allInside = both(nb, allInside, inside);
      result =
          result ? arith::MulFOp::create(nb, loc, result, v).getResult() : v;
    }
    return result;
  };

  Value zeroValue = zero(b, element);
  Value sum, count;
  if (reductions.empty()) {
    Value allInside;
    sum = product(b, loops, allInside);
    if (term.divideByInBoundsCount)
      count =
          allInside
              ? arith::SelectOp::create(
                    b, loc, allInside,
                    arith::ConstantOp::create(b, loc,
                                              b.getFloatAttr(element, 1.0)),
                    zeroValue)
                    .getResult()
              : arith::ConstantOp::create(b, loc, b.getFloatAttr(element, 1.0))
                    .getResult();
  } else {
    SmallVector<Value> lbs, ubs, steps;
    for (unsigned loop : reductions) {
      lbs.push_back(index(b, 0));
      ubs.push_back(index(b, term.loopBounds[loop]));
      steps.push_back(index(b, 1));
    }
    if (share) {
      // Only this chunk of the first reduction loop (its range stays the
      // whole loop's for the bounds checks: still true).
      Value start = arith::MulIOp::create(b, loc, share->index,
                                          index(b, share->size));
      lbs[0] = start;
      ubs[0] = arith::MinSIOp::create(
          b, loc, arith::AddIOp::create(b, loc, start, index(b, share->size)),
          index(b, term.loopBounds[reductions[0]]));
    }
    SmallVector<Value> inits = {zeroValue};
    if (term.divideByInBoundsCount)
      inits.push_back(zeroValue);
    scf::LoopNest nest = scf::buildLoopNest(
        b, loc, lbs, ubs, steps, inits,
        [&](OpBuilder &nb, Location, ValueRange ivs,
            ValueRange acc) -> scf::ValueVector {
          SmallVector<Value> at(loops);
          for (auto [r, loop] : llvm::enumerate(reductions))
            at[loop] = ivs[r];
          Value allInside;
          Value p = product(nb, at, allInside);
          scf::ValueVector next = {arith::AddFOp::create(nb, loc, acc[0], p)};
          if (term.divideByInBoundsCount) {
            Value one = arith::ConstantOp::create(
                nb, loc, nb.getFloatAttr(element, 1.0));
            Value inc = allInside
                            ? arith::SelectOp::create(nb, loc, allInside, one,
                                                      zero(nb, element))
                                  .getResult()
                            : one;
            next.push_back(arith::AddFOp::create(nb, loc, acc[1], inc));
          }
          return next;
        });
    sum = nest.results[0];
    if (term.divideByInBoundsCount)
      count = nest.results[1];
  }

  Value value = sum;
  double coefficient = term.scale / static_cast<double>(term.divisor);
  if (term.divideByInBoundsCount) {
    // scale * sum / count, zero where nothing was inside.
    Value mean = arith::DivFOp::create(b, loc, sum, count);
    Value scaled = arith::MulFOp::create(
        b, loc, mean,
        arith::ConstantOp::create(b, loc, b.getFloatAttr(element, term.scale)));
    Value some = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, count,
                                       zeroValue);
    value = arith::SelectOp::create(b, loc, some, scaled, zeroValue);
  } else if (coefficient != 1.0) {
    value = arith::MulFOp::create(
        b, loc, value,
        arith::ConstantOp::create(b, loc,
                                  b.getFloatAttr(element, coefficient)));
  }
  if (writes)
    value = arith::SelectOp::create(b, loc, writes, value, zeroValue);
  return value;
}

Value PointEmitter::emit(OpBuilder &b, Value value, const Point &point) {
  if (auto arg = dyn_cast<BlockArgument>(value))
    return tensor::ExtractOp::create(
        b, loc, correct.getInputs()[arg.getArgNumber()], point.indices);
  Operation *op = value.getDefiningOp();
  if (hasScalarFunction(op))
    return buildScalarFunction(b, loc, op, emit(b, op->getOperand(0), point));
  auto element =
      cast<FloatType>(cast<RankedTensorType>(value.getType()).getElementType());
  MultiLinearDescription desc =
      cast<MultiLinearOpInterface>(op).getMultiLinearDescription(
          cast<OpResult>(value).getResultNumber());
  const Chunk *share = chunk && chunk->value == value ? &*chunk : nullptr;
  Value sum;
  for (const MultiLinearTerm &term : desc.terms) {
    Value t = emitTerm(b, op, term, point, element, share);
    sum = sum ? arith::AddFOp::create(b, loc, sum, t).getResult() : t;
  }
  return sum ? sum : zero(b, element);
}

namespace {
/// How the first reduction loop of a correction's operator is split: in
/// `count` chunks of `size` iterations (the last one possibly shorter).
struct ChunkPlan {
  int64_t count;
  int64_t size;
};
} // namespace

/// The chunks the first reduction loop of `value`'s operator is split into
/// so that each (chunk, position) iteration does about `target`
/// multiply-adds; nothing where one iteration does no more, or where the
/// operator is not one reducing term (an activation, a sum of terms, an
/// average).
static std::optional<ChunkPlan> planReductionChunks(Value value,
                                                    double perPosition,
                                                    double target) {
  auto op = value.getDefiningOp<MultiLinearOpInterface>();
  if (!op || perPosition <= target)
    return std::nullopt;
  MultiLinearDescription desc =
      op.getMultiLinearDescription(cast<OpResult>(value).getResultNumber());
  if (desc.terms.size() != 1 || desc.terms[0].divideByInBoundsCount)
    return std::nullopt;
  const MultiLinearTerm &term = desc.terms[0];
  for (unsigned loop = 0; loop < term.getNumLoops(); ++loop) {
    if (!term.isReduction(loop))
      continue;
    int64_t bound = term.loopBounds[loop];
    int64_t wanted = std::clamp<int64_t>(
        static_cast<int64_t>(std::ceil(perPosition / target)), 1, bound);
    int64_t size = (bound + wanted - 1) / wanted;
    int64_t count = (bound + size - 1) / size;
    if (count < 2)
      return std::nullopt;
    return ChunkPlan{count, size};
  }
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

/// Multiply-adds an iteration of a correction loop does at most before its
/// reduction is split over several iterations (a GPU thread each).
constexpr double kChunkWork = 256;

namespace {
/// A box of one result, and where its positions start in the loop.
struct Piece {
  unsigned result;
  Box box;
  int64_t start;
};

struct CorrectionKernelsPass
    : public pet::impl::PETCorrectionKernelsBase<CorrectionKernelsPass> {
  using Base::Base;

  void getDependentDialects(DialectRegistry &registry) const override {
    registry
        .insert<affine::AffineDialect, arith::ArithDialect, math::MathDialect,
                scf::SCFDialect, tensor::TensorDialect>();
  }

  void runOnOperation() override {
    SmallVector<CorrectOp> corrections;
    getOperation().walk([&](CorrectOp op) { corrections.push_back(op); });
    for (CorrectOp correct : corrections)
      if (std::optional<SmallVector<Piece>> pieces = plan(correct))
        lower(correct, *pieces);
  }

  /// The pieces of `correct`'s loop, or nothing when it is left as it is.
  std::optional<SmallVector<Piece>> plan(CorrectOp correct) {
    SmallVector<Piece> pieces;
    PointCost cost;
    int64_t positions = 0;
    double work = 0.0;
    for (unsigned i = 0; i < correct.getNumResults(); ++i) {
      auto type = cast<RankedTensorType>(correct.getResult(i).getType());
      if (type.getRank() == 0 || !isa<FloatType>(type.getElementType()))
        return std::nullopt;
      std::optional<double> perPosition = cost.of(correct.getOriginalValue(i));
      if (!perPosition)
        return std::nullopt;
      for (const Box &box : mergeAdjacentBoxes(correct.getBoxesOf(i))) {
        if (box.isEmpty())
          continue;
        pieces.push_back({i, box, positions});
        positions += box.getVolume();
        work += *perPosition * static_cast<double>(box.getVolume());
      }
    }
    if (work > static_cast<double>(maxWork))
      return std::nullopt;
    return pieces;
  }

  /// The position that iteration `p` stands for in the boxes `own` of a
  /// result of shape `shape`: each box's delinearized index, selected by
  /// the first box whose end is beyond p.
  static Point buildPoint(OpBuilder &b, Location loc, Value p,
                          ArrayRef<const Piece *> own,
                          ArrayRef<int64_t> shape) {
    auto index = [&](int64_t v) -> Value {
      return arith::ConstantIndexOp::create(b, loc, v);
    };
    auto less = [&](int64_t bound) -> Value {
      return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, p,
                                   index(bound));
    };
    Point point;
    for (unsigned d = 0; d < shape.size(); ++d) {
      Value coordinate;
      int64_t min = shape[d], max = 0;
      for (const Piece *piece : llvm::reverse(own)) {
        const Box &box = piece->box;
        int64_t stride = 1;
        for (unsigned e = d + 1; e < shape.size(); ++e)
          stride *= box.getExtent(e);
        AffineExpr local = b.getAffineDimExpr(0) - piece->start;
        AffineExpr expr =
            local.floorDiv(stride) % box.getExtent(d) + box.getLower(d);
        Value c = box.getExtent(d) == 1
                      ? index(box.getLower(d))
                      : affine::AffineApplyOp::create(
                            b, loc, AffineMap::get(1, 0, expr), ValueRange{p})
                            .getResult();
        coordinate = coordinate
                         ? arith::SelectOp::create(
                               b, loc, less(piece->start + box.getVolume()),
                               c, coordinate)
                               .getResult()
                         : c;
        min = std::min(min, box.getLower(d));
        max = std::max(max, box.getUpper(d) - 1);
      }
      point.indices.push_back(coordinate);
      point.ranges.push_back({min, max});
    }
    return point;
  }

  /// A loop over (chunk, position) that computes, for the one result of
  /// `correct`, the partial sum of each chunk of its first reduction loop
  /// at each position: a [chunks, positions] tensor.
  static Value buildPartialSums(OpBuilder &b, CorrectOp correct,
                                ArrayRef<Piece> pieces, int64_t positions,
                                ChunkPlan chunks) {
    Location loc = correct.getLoc();
    Value original = correct.getOriginalValue(0);
    auto type = cast<RankedTensorType>(original.getType());
    // Chunk-major: neighbouring iterations (GPU threads) are neighbouring
    // positions of one chunk, which read neighbouring elements.
    Value empty = tensor::EmptyOp::create(b, loc, {chunks.count, positions},
                                          type.getElementType());
    auto loop = scf::ForallOp::create(
        b, loc,
        ArrayRef<OpFoldResult>{b.getIndexAttr(chunks.count),
                               b.getIndexAttr(positions)},
        ValueRange{empty}, std::nullopt);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value k = loop.getInductionVars()[0], p = loop.getInductionVars()[1];
    SmallVector<const Piece *> own =
        llvm::map_to_vector(pieces, [](const Piece &piece) { return &piece; });
    Point point = buildPoint(b, loc, p, own, type.getShape());
    PointEmitter emitter(loc, correct);
    emitter.setChunk(Chunk{original, k, chunks.size});
    Value v = emitter.emit(b, original, point);
    // Written in place, as the mutant's elements are (a new 1x1 tensor
    // would need memory allocated inside a kernel).
    Value shared = loop.getRegionIterArgs()[0];
    SmallVector<OpFoldResult> offsets = {k, p};
    SmallVector<OpFoldResult> ones(2, b.getIndexAttr(1));
    Value slice =
        tensor::ExtractSliceOp::create(b, loc, shared, offsets, ones, ones);
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    Value update =
        tensor::InsertOp::create(b, loc, v, slice, ValueRange{zero, zero});
    b.setInsertionPointToEnd(loop.getTerminator().getBody());
    tensor::ParallelInsertSliceOp::create(b, loc, update, shared, offsets, ones,
                                          ones);
    return loop.getResult(0);
  }

  void lower(CorrectOp correct, ArrayRef<Piece> pieces) {
    Location loc = correct.getLoc();
    OpBuilder b(correct);
    if (pieces.empty()) {
      correct.replaceAllUsesWith(correct.getMutants());
      correct.erase();
      return;
    }
    int64_t positions = pieces.back().start + pieces.back().box.getVolume();
    // The value at a position: the original evaluated there, or, for a
    // result whose positions each take a long reduction, the sum of its
    // partial sums, computed first by a loop over (chunk, position).
    PointEmitter emitter(loc, correct);
    std::function<Value(OpBuilder &, unsigned, Value, const Point &)> valueAt =
        [&](OpBuilder &nb, unsigned i, Value, const Point &point) {
          return emitter.emit(nb, correct.getOriginalValue(i), point);
        };
    Value partials;
    if (correct.getNumResults() == 1) {
      Value original = correct.getOriginalValue(0);
      PointCost cost;
      std::optional<ChunkPlan> plan = planReductionChunks(
          original, cost.of(original).value_or(0.0), kChunkWork);
      if (plan) {
        partials = buildPartialSums(b, correct, pieces, positions, *plan);
        int64_t chunks = plan->count;
        valueAt = [&, chunks](OpBuilder &nb, unsigned, Value p,
                              const Point &) -> Value {
          auto element = cast<RankedTensorType>(partials.getType())
                             .getElementType();
          Value zero = arith::ConstantOp::create(
              nb, loc, nb.getFloatAttr(element, 0.0));
          auto idx = [&](int64_t v) -> Value {
            return arith::ConstantIndexOp::create(nb, loc, v);
          };
          auto sum = scf::ForOp::create(
              nb, loc, idx(0), idx(chunks), idx(1), ValueRange{zero},
              [&](OpBuilder &lb, Location, Value k, ValueRange acc) {
                Value part = tensor::ExtractOp::create(lb, loc, partials,
                                                       ValueRange{k, p});
                scf::YieldOp::create(
                    lb, loc,
                    ValueRange{arith::AddFOp::create(lb, loc, acc[0], part)
                                   .getResult()});
              });
          return sum.getResult(0);
        };
      }
    }
    auto forall = scf::ForallOp::create(
        b, loc, ArrayRef<OpFoldResult>{b.getIndexAttr(positions)},
        correct.getMutants(), std::nullopt);
    b.setInsertionPointToStart(forall.getBody());
    Value p = forall.getInductionVars()[0];
    auto index = [&](int64_t v) -> Value {
      return arith::ConstantIndexOp::create(b, loc, v);
    };
    auto less = [&](int64_t bound) -> Value {
      return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, p,
                                   index(bound));
    };
    // Several results: every iteration inserts into each, a slice of size
    // 1 into its own and of size 0 into the others.
    bool guarded = correct.getNumResults() > 1;
    for (unsigned i = 0; i < correct.getNumResults(); ++i) {
      SmallVector<const Piece *> own;
      for (const Piece &piece : pieces)
        if (piece.result == i)
          own.push_back(&piece);
      Value shared = forall.getRegionIterArgs()[i];
      ArrayRef<int64_t> shape = shapeOf(shared);
      if (own.empty())
        continue;
      Point point = buildPoint(b, loc, p, own, shape);
      SmallVector<OpFoldResult> offsets(point.indices.begin(),
                                        point.indices.end());
      SmallVector<OpFoldResult> sizes(shape.size(), b.getIndexAttr(1)),
          strides(shape.size(), b.getIndexAttr(1));
      Value mine;
      if (guarded) {
        int64_t first = own.front()->start,
                end = own.back()->start + own.back()->box.getVolume();
        mine = arith::AndIOp::create(
            b, loc,
            arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, p,
                                  index(first)),
            less(end));
        sizes[0] = arith::SelectOp::create(b, loc, mine, index(1), index(0))
                       .getResult();
      }
      Value slice = tensor::ExtractSliceOp::create(b, loc, shared, offsets,
                                                   sizes, strides);
      SmallVector<Value> zeros(shape.size(), index(0));
      Value update;
      if (guarded) {
        auto ifOp = scf::IfOp::create(
            b, loc, mine,
            [&](OpBuilder &tb, Location) {
              Value v = valueAt(tb, i, p, point);
              scf::YieldOp::create(
                  tb, loc,
                  ValueRange{tensor::InsertOp::create(tb, loc, v, slice, zeros)
                                 .getResult()});
            },
            [&](OpBuilder &eb, Location) {
              scf::YieldOp::create(eb, loc, ValueRange{slice});
            });
        update = ifOp.getResult(0);
      } else {
        Value v = valueAt(b, i, p, point);
        update = tensor::InsertOp::create(b, loc, v, slice, zeros);
      }
      b.setInsertionPointToEnd(forall.getTerminator().getBody());
      tensor::ParallelInsertSliceOp::create(b, loc, update, shared, offsets,
                                            sizes, strides);
      b.setInsertionPoint(forall.getTerminator());
    }
    correct.replaceAllUsesWith(forall.getResults());
    correct.erase();
  }
};
} // namespace
