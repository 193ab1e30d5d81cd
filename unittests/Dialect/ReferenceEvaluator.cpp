//===- ReferenceEvaluator.cpp - Test oracle for PET programs --------------===//

#include "ReferenceEvaluator.h"

#include "PET/Dialect/PET/PETOps.h"

#include "mlir/IR/AffineExpr.h"
#include "llvm/ADT/DenseMap.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace pet_test;

RefTensor::RefTensor(ArrayRef<int64_t> shape) : shape(shape) {
  int64_t size = 1;
  for (int64_t s : shape)
    size *= s;
  data.assign(size, 0.0);
}

int64_t RefTensor::linearize(ArrayRef<int64_t> index) const {
  int64_t linear = 0;
  for (auto [i, size] : llvm::zip_equal(index, shape))
    linear = linear * size + i;
  return linear;
}

bool RefTensor::inBounds(ArrayRef<int64_t> index) const {
  for (auto [i, size] : llvm::zip_equal(index, shape))
    if (i < 0 || i >= size)
      return false;
  return true;
}

/// Calls `fn` for every point of [0, bounds), last dimension fastest.
static void forEachPoint(ArrayRef<int64_t> bounds,
                         function_ref<void(ArrayRef<int64_t>)> fn) {
  for (int64_t b : bounds)
    if (b <= 0)
      return;
  SmallVector<int64_t> point(bounds.size(), 0);
  while (true) {
    fn(point);
    int64_t d = bounds.size() - 1;
    while (d >= 0 && ++point[d] == bounds[d])
      point[d--] = 0;
    if (d < 0)
      return;
  }
}

void RefTensor::forEachIndex(function_ref<void(ArrayRef<int64_t>)> fn) const {
  forEachPoint(shape, fn);
}

RefTensor pet_test::randomTensor(ArrayRef<int64_t> shape, std::mt19937 &rng) {
  RefTensor tensor(shape);
  std::uniform_int_distribution<int> dist(-4, 4);
  for (double &v : tensor.data)
    v = dist(rng);
  return tensor;
}

double pet_test::maxAbsDifference(const RefTensor &a, const RefTensor &b) {
  if (a.shape != b.shape)
    return std::numeric_limits<double>::infinity();
  double worst = 0;
  for (size_t i = 0; i < a.data.size(); ++i)
    worst = std::max(worst, std::fabs(a.data[i] - b.data[i]));
  return worst;
}

static int64_t floorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

static int64_t evalExpr(AffineExpr expr, ArrayRef<int64_t> dims) {
  if (auto cst = dyn_cast<AffineConstantExpr>(expr))
    return cst.getValue();
  if (auto dim = dyn_cast<AffineDimExpr>(expr))
    return dims[dim.getPosition()];
  auto bin = cast<AffineBinaryOpExpr>(expr);
  int64_t l = evalExpr(bin.getLHS(), dims), r = evalExpr(bin.getRHS(), dims);
  switch (expr.getKind()) {
  case AffineExprKind::Add:
    return l + r;
  case AffineExprKind::Mul:
    return l * r;
  case AffineExprKind::FloorDiv:
    return floorDiv(l, r);
  case AffineExprKind::CeilDiv:
    return -floorDiv(-l, r);
  case AffineExprKind::Mod:
    return l - floorDiv(l, r) * r;
  default:
    llvm_unreachable("symbols do not occur in descriptions");
  }
}

static SmallVector<int64_t> evalMap(AffineMap map, ArrayRef<int64_t> dims) {
  return llvm::map_to_vector(map.getResults(),
                             [&](AffineExpr e) { return evalExpr(e, dims); });
}

RefTensor pet_test::evaluateDescription(const pet::MultiLinearDescription &desc,
                                        ArrayRef<RefTensor> operands,
                                        ArrayRef<int64_t> resultShape) {
  RefTensor result(resultShape);
  for (const pet::MultiLinearTerm &term : desc.terms) {
    RefTensor sums(resultShape), counts(resultShape);
    RefTensor written(resultShape);
    forEachPoint(term.loopBounds, [&](ArrayRef<int64_t> loops) {
      SmallVector<int64_t> out = evalMap(term.resultMap, loops);
      double product = 1.0;
      bool inBounds = true;
      for (const pet::OperandAccess &access : term.factors) {
        const RefTensor &operand = operands[access.operandIndex];
        SmallVector<int64_t> index = evalMap(access.map, loops);
        if (!operand.inBounds(index)) {
          inBounds = false;
          product = 0.0;
          break;
        }
        product *= operand.at(index);
      }
      sums.at(out) += product;
      counts.at(out) += inBounds ? 1 : 0;
      written.at(out) = 1;
    });
    result.forEachIndex([&](ArrayRef<int64_t> index) {
      if (written.at(index) == 0)
        return;
      double divisor = term.divideByInBoundsCount
                           ? counts.at(index)
                           : static_cast<double>(term.divisor);
      result.at(index) += term.scale * sums.at(index) / divisor;
    });
  }
  return result;
}

std::optional<SmallVector<RefTensor>>
pet_test::evaluateFunction(func::FuncOp func, ArrayRef<RefTensor> args) {
  llvm::DenseMap<Value, RefTensor> values;
  for (auto [arg, tensor] : llvm::zip_equal(func.getArguments(), args))
    values[arg] = tensor;
  for (Operation &op : func.getBody().front()) {
    if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      SmallVector<RefTensor> results;
      for (Value v : ret.getOperands())
        results.push_back(values.lookup(v));
      return results;
    }
    SmallVector<RefTensor> operands;
    for (Value v : op.getOperands())
      operands.push_back(values.lookup(v));
    if (auto linear = dyn_cast<pet::MultiLinearOpInterface>(op)) {
      for (OpResult result : op.getResults())
        values[result] = evaluateDescription(
            linear.getMultiLinearDescription(result.getResultNumber()),
            operands, cast<RankedTensorType>(result.getType()).getShape());
      continue;
    }
    if (isa<pet::ReluOp>(op)) {
      RefTensor out = operands.front();
      for (double &v : out.data)
        v = std::max(v, 0.0);
      values[op.getResult(0)] = out;
      continue;
    }
    return std::nullopt;
  }
  return std::nullopt;
}
