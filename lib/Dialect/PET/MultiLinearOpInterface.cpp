//===- MultiLinearOpInterface.cpp - Multi-linear operators ----------------===//

#include "PET/Dialect/PET/MultiLinearOpInterface.h"

#include "mlir/IR/AffineExpr.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Operation.h"
#include "llvm/ADT/SmallBitVector.h"
#include "llvm/Support/raw_ostream.h"

#include <functional>
#include <limits>

#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace mlir::pet;

#include "PET/Dialect/PET/PETInterfaces.cpp.inc"

LogicalResult mlir::pet::OpTrait::verifyNonEmptyTensors(Operation *op) {
  for (auto [i, type] : llvm::enumerate(op->getOperandTypes())) {
    auto shaped = dyn_cast<ShapedType>(type);
    if (shaped && shaped.hasRank() && llvm::is_contained(shaped.getShape(), 0))
      return op->emitOpError("expects tensors without a dimension of size 0, "
                             "got ")
             << type << " as operand #" << i;
  }
  return success();
}

/// Interval evaluation of `expr` with dimension d ranging over
/// [0, bounds[d]).
static IndexRange getExprRange(AffineExpr expr, ArrayRef<int64_t> bounds) {
  constexpr IndexRange unbounded = {std::numeric_limits<int64_t>::min(),
                                    std::numeric_limits<int64_t>::max()};
  if (auto cst = dyn_cast<AffineConstantExpr>(expr))
    return {cst.getValue(), cst.getValue()};
  if (auto dim = dyn_cast<AffineDimExpr>(expr))
    return {0, std::max<int64_t>(bounds[dim.getPosition()] - 1, 0)};
  auto binary = dyn_cast<AffineBinaryOpExpr>(expr);
  if (!binary)
    return unbounded; // symbols do not occur in descriptions
  IndexRange lhs = getExprRange(binary.getLHS(), bounds);
  IndexRange rhs = getExprRange(binary.getRHS(), bounds);
  switch (expr.getKind()) {
  case AffineExprKind::Add:
    return {lhs.first + rhs.first, lhs.second + rhs.second};
  case AffineExprKind::Mul: {
    int64_t products[] = {lhs.first * rhs.first, lhs.first * rhs.second,
                          lhs.second * rhs.first, lhs.second * rhs.second};
    return {*llvm::min_element(products), *llvm::max_element(products)};
  }
  case AffineExprKind::FloorDiv:
  case AffineExprKind::CeilDiv: {
    // The divisor of an affine floordiv/ceildiv is a positive constant.
    int64_t divisor = rhs.first;
    if (divisor <= 0 || rhs.first != rhs.second)
      return unbounded;
    if (expr.getKind() == AffineExprKind::FloorDiv)
      return {llvm::divideFloorSigned(lhs.first, divisor),
              llvm::divideFloorSigned(lhs.second, divisor)};
    return {llvm::divideCeilSigned(lhs.first, divisor),
            llvm::divideCeilSigned(lhs.second, divisor)};
  }
  case AffineExprKind::Mod: {
    int64_t modulus = rhs.first;
    if (modulus <= 0 || rhs.first != rhs.second)
      return unbounded;
    // Exact when the range stays within one period, else every residue.
    if (llvm::divideFloorSigned(lhs.first, modulus) ==
        llvm::divideFloorSigned(lhs.second, modulus))
      return {lhs.first - llvm::divideFloorSigned(lhs.first, modulus) * modulus,
              lhs.second -
                  llvm::divideFloorSigned(lhs.second, modulus) * modulus};
    return {0, modulus - 1};
  }
  default:
    return unbounded;
  }
}

/// `sum floordiv d` or `sum mod d` where the sum is k * a + r with k a
/// divisor of d and r in [0, k): `a floordiv (d/k)`, or `(a mod (d/k)) * k +
/// r` (a reshape's row-major index delinearized with another shape, e.g.
/// (d0 * 144 + d1 * 9 + d2) floordiv 9216 = d0 floordiv 64 for d1 < 16,
/// d2 < 9).
static std::optional<AffineExpr> splitByCoefficient(AffineExpr sum, int64_t d,
                                                    AffineExprKind kind,
                                                    ArrayRef<int64_t> bounds) {
  SmallVector<std::pair<AffineExpr, int64_t>> terms; // (factor, coefficient)
  std::function<void(AffineExpr)> collect = [&](AffineExpr e) {
    auto binary = dyn_cast<AffineBinaryOpExpr>(e);
    if (binary && e.getKind() == AffineExprKind::Add) {
      collect(binary.getLHS());
      collect(binary.getRHS());
      return;
    }
    if (binary && e.getKind() == AffineExprKind::Mul)
      if (auto c = dyn_cast<AffineConstantExpr>(binary.getRHS());
          c && c.getValue() > 0) {
        terms.push_back({binary.getLHS(), c.getValue()});
        return;
      }
    terms.push_back({e, 1});
  };
  collect(sum);
  if (terms.size() < 2)
    return std::nullopt;
  SmallVector<int64_t> candidates;
  for (auto [factor, k] : terms)
    if (k > 1 && d % k == 0 && !llvm::is_contained(candidates, k))
      candidates.push_back(k);
  llvm::sort(candidates, std::greater<int64_t>());
  MLIRContext *context = sum.getContext();
  for (int64_t k : candidates) {
    AffineExpr a = getAffineConstantExpr(0, context),
               r = getAffineConstantExpr(0, context);
    for (auto [factor, c] : terms) {
      if (c % k == 0)
        a = a + factor * (c / k);
      else
        r = r + factor * c;
    }
    IndexRange range = getExprRange(r, bounds);
    if (range.first < 0 || range.second >= k)
      continue;
    if (kind == AffineExprKind::FloorDiv)
      return simplifyWithLoopBounds(a.floorDiv(d / k), bounds);
    return simplifyWithLoopBounds(a % (d / k), bounds) * k + r;
  }
  return std::nullopt;
}

AffineExpr mlir::pet::simplifyWithLoopBounds(AffineExpr expr,
                                             ArrayRef<int64_t> bounds) {
  auto binary = dyn_cast<AffineBinaryOpExpr>(expr);
  if (!binary)
    return expr;
  AffineExpr lhs = simplifyWithLoopBounds(binary.getLHS(), bounds);
  AffineExpr rhs = simplifyWithLoopBounds(binary.getRHS(), bounds);
  switch (expr.getKind()) {
  case AffineExprKind::Add:
    return lhs + rhs;
  case AffineExprKind::Mul:
    return lhs * rhs;
  case AffineExprKind::CeilDiv:
    return lhs.ceilDiv(rhs);
  default:
    break;
  }
  // floordiv and mod by a positive constant: the uniqued operators already
  // pull out terms whose coefficients are multiples of the divisor; what is
  // left divides to a constant when its range stays within one period.
  auto divisor = dyn_cast<AffineConstantExpr>(rhs);
  AffineExpr rebuilt = expr.getKind() == AffineExprKind::FloorDiv
                           ? lhs.floorDiv(rhs)
                           : lhs % rhs;
  if (!divisor || divisor.getValue() <= 0)
    return rebuilt;
  if (auto sum = dyn_cast<AffineBinaryOpExpr>(rebuilt);
      sum && sum.getKind() == AffineExprKind::Add)
    return simplifyWithLoopBounds(sum, bounds); // e.g. d0 + d1 floordiv 64
  int64_t d = divisor.getValue();
  IndexRange range = getExprRange(lhs, bounds);
  int64_t low = llvm::divideFloorSigned(range.first, d),
          high = llvm::divideFloorSigned(range.second, d);
  if (low != high)
    return splitByCoefficient(lhs, d, expr.getKind(), bounds).value_or(rebuilt);
  if (expr.getKind() == AffineExprKind::FloorDiv)
    return getAffineConstantExpr(low, expr.getContext());
  return lhs - low * d;
}

SmallVector<IndexRange> mlir::pet::getAccessRanges(AffineMap map,
                                                   ArrayRef<int64_t> bounds) {
  return llvm::map_to_vector(map.getResults(), [&](AffineExpr expr) {
    return getExprRange(expr, bounds);
  });
}

SmallVector<std::pair<int64_t, int64_t>>
mlir::pet::getZeroPadding(const MultiLinearTerm &term,
                          const OperandAccess &access,
                          ArrayRef<int64_t> shape) {
  SmallVector<std::pair<int64_t, int64_t>> padding;
  for (auto [range, size] :
       llvm::zip_equal(getAccessRanges(access.map, term.loopBounds), shape))
    padding.push_back({std::max<int64_t>(0, -range.first),
                       std::max<int64_t>(0, range.second - (size - 1))});
  return padding;
}

std::optional<std::pair<unsigned, int64_t>>
mlir::pet::getShiftedLoop(AffineExpr expr) {
  if (auto dim = dyn_cast<AffineDimExpr>(expr))
    return std::make_pair(dim.getPosition(), int64_t(0));
  if (expr.getKind() != AffineExprKind::Add)
    return std::nullopt;
  auto add = cast<AffineBinaryOpExpr>(expr);
  auto offset = dyn_cast<AffineConstantExpr>(add.getRHS());
  auto dim = dyn_cast<AffineDimExpr>(add.getLHS());
  if (!offset || !dim)
    return std::nullopt;
  return std::make_pair(dim.getPosition(), offset.getValue());
}

LogicalResult
mlir::pet::verifyMultiLinearDescription(Operation *op, unsigned resultIndex,
                                        const MultiLinearDescription &desc) {
  if (resultIndex >= op->getNumResults())
    return op->emitOpError("has no result #") << resultIndex;
  auto resultType =
      dyn_cast<RankedTensorType>(op->getResult(resultIndex).getType());
  if (!resultType)
    return op->emitOpError("multi-linear result is not a ranked tensor");
  if (desc.terms.empty())
    return op->emitOpError("multi-linear description has no term");

  for (auto [t, term] : llvm::enumerate(desc.terms)) {
    auto fail = [&, t = t]() {
      return op->emitOpError("multi-linear description term #") << t << ": ";
    };
    unsigned numLoops = term.getNumLoops();
    if (term.iteratorTypes.size() != numLoops)
      return fail() << "has " << numLoops << " loop bounds but "
                    << term.iteratorTypes.size() << " iterator types";
    for (int64_t bound : term.loopBounds)
      if (bound < 1)
        return fail() << "has an empty loop of bound " << bound;
    if (!term.resultMap || term.resultMap.getNumDims() != numLoops ||
        term.resultMap.getNumSymbols() != 0 ||
        term.resultMap.getNumResults() != resultType.getRank())
      return fail() << "result map does not map the " << numLoops
                    << " loops to the " << resultType.getRank()
                    << " result dimensions";
    if (term.factors.empty())
      return fail() << "has no factor";
    if (term.divisor < 1)
      return fail() << "has a divisor of " << term.divisor;

    // Result expressions: one loop plus a constant each, covering exactly
    // the parallel loops.
    llvm::SmallBitVector written(numLoops);
    for (AffineExpr expr : term.resultMap.getResults()) {
      std::optional<std::pair<unsigned, int64_t>> placed = getShiftedLoop(expr);
      std::optional<unsigned> dim;
      if (placed)
        dim = placed->first;
      if (!dim) {
        std::string text;
        llvm::raw_string_ostream(text) << expr;
        return fail() << "result expression " << text
                      << " is not a loop plus a constant";
      }
      if (term.isReduction(*dim) || written.test(*dim))
        return fail() << "loop d" << *dim
                      << " is a reduction or indexes the result twice";
      written.set(*dim);
    }
    for (unsigned loop = 0; loop < numLoops; ++loop)
      if (!term.isReduction(loop) && !written.test(loop))
        return fail() << "parallel loop d" << loop
                      << " does not index the result";
    for (auto [d, range] :
         llvm::enumerate(getAccessRanges(term.resultMap, term.loopBounds)))
      if (range.first < 0 || range.second >= resultType.getDimSize(d))
        return fail() << "writes indices [" << range.first << ", "
                      << range.second << "] of result dimension " << d
                      << " of size " << resultType.getDimSize(d);

    for (const OperandAccess &access : term.factors) {
      if (access.operandIndex >= op->getNumOperands())
        return fail() << "reads operand #" << access.operandIndex
                      << " which does not exist";
      auto operandType = dyn_cast<RankedTensorType>(
          op->getOperand(access.operandIndex).getType());
      if (!operandType || !access.map || access.map.getNumDims() != numLoops ||
          access.map.getNumSymbols() != 0 ||
          access.map.getNumResults() != operandType.getRank())
        return fail() << "map of operand #" << access.operandIndex
                      << " does not map the " << numLoops
                      << " loops to its dimensions";
    }
  }
  return success();
}
