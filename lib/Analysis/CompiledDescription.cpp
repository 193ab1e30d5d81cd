//===- CompiledDescription.cpp - Descriptions ready to evaluate -----------===//

#include "PET/Analysis/CompiledDescription.h"

#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace mlir::pet;

std::optional<LinearForm> mlir::pet::getLinearForm(AffineExpr expr,
                                                   unsigned numDims) {
  LinearForm form;
  form.coefficients.assign(numDims, 0);
  if (auto cst = dyn_cast<AffineConstantExpr>(expr)) {
    form.constant = cst.getValue();
    return form;
  }
  if (auto dim = dyn_cast<AffineDimExpr>(expr)) {
    form.coefficients[dim.getPosition()] = 1;
    return form;
  }
  auto binary = dyn_cast<AffineBinaryOpExpr>(expr);
  if (!binary)
    return std::nullopt;
  std::optional<LinearForm> lhs = getLinearForm(binary.getLHS(), numDims);
  std::optional<LinearForm> rhs = getLinearForm(binary.getRHS(), numDims);
  if (!lhs || !rhs)
    return std::nullopt;
  auto isConstant = [](const LinearForm &f) {
    return llvm::all_of(f.coefficients, [](int64_t c) { return c == 0; });
  };
  switch (expr.getKind()) {
  case AffineExprKind::Add:
    for (unsigned d = 0; d < numDims; ++d)
      form.coefficients[d] = lhs->coefficients[d] + rhs->coefficients[d];
    form.constant = lhs->constant + rhs->constant;
    return form;
  case AffineExprKind::Mul: {
    if (!isConstant(*lhs) && !isConstant(*rhs))
      return std::nullopt;
    const LinearForm &variable = isConstant(*rhs) ? *lhs : *rhs;
    int64_t factor = isConstant(*rhs) ? rhs->constant : lhs->constant;
    for (unsigned d = 0; d < numDims; ++d)
      form.coefficients[d] = variable.coefficients[d] * factor;
    form.constant = variable.constant * factor;
    return form;
  }
  default:
    return std::nullopt;
  }
}

std::optional<int64_t> mlir::pet::getAffineCoefficient(AffineExpr expr,
                                                       unsigned dim) {
  if (!expr.isFunctionOfDim(dim))
    return 0;
  if (isa<AffineDimExpr>(expr))
    return 1;
  auto binary = dyn_cast<AffineBinaryOpExpr>(expr);
  if (!binary)
    return std::nullopt;
  std::optional<int64_t> lhs = getAffineCoefficient(binary.getLHS(), dim);
  std::optional<int64_t> rhs = getAffineCoefficient(binary.getRHS(), dim);
  if (!lhs || !rhs)
    return std::nullopt;
  switch (expr.getKind()) {
  case AffineExprKind::Add:
    return *lhs + *rhs;
  case AffineExprKind::Mul: {
    // One side is free of `dim`; it must be a constant for the product to
    // change evenly.
    auto lhsConst = dyn_cast<AffineConstantExpr>(binary.getLHS());
    auto rhsConst = dyn_cast<AffineConstantExpr>(binary.getRHS());
    if (rhsConst)
      return *lhs * rhsConst.getValue();
    if (lhsConst)
      return *rhs * lhsConst.getValue();
    return std::nullopt;
  }
  default:
    return std::nullopt;
  }
}

static int64_t evaluateTree(AffineExpr expr, ArrayRef<int64_t> loops) {
  if (auto cst = dyn_cast<AffineConstantExpr>(expr))
    return cst.getValue();
  if (auto dim = dyn_cast<AffineDimExpr>(expr))
    return loops[dim.getPosition()];
  auto binary = cast<AffineBinaryOpExpr>(expr);
  int64_t lhs = evaluateTree(binary.getLHS(), loops);
  int64_t rhs = evaluateTree(binary.getRHS(), loops);
  switch (expr.getKind()) {
  case AffineExprKind::Add:
    return lhs + rhs;
  case AffineExprKind::Mul:
    return lhs * rhs;
  case AffineExprKind::FloorDiv:
    return llvm::divideFloorSigned(lhs, rhs);
  case AffineExprKind::CeilDiv:
    return llvm::divideCeilSigned(lhs, rhs);
  case AffineExprKind::Mod:
    return lhs - llvm::divideFloorSigned(lhs, rhs) * rhs;
  default:
    llvm_unreachable("symbols do not occur in multi-linear descriptions");
  }
}

/// Appends the postfix program of `expr` to `program`.
template <typename Step>
static void compilePostfix(AffineExpr expr, SmallVectorImpl<Step> &program) {
  if (auto cst = dyn_cast<AffineConstantExpr>(expr)) {
    program.push_back({AffineExprKind::Constant, cst.getValue()});
    return;
  }
  if (auto dim = dyn_cast<AffineDimExpr>(expr)) {
    program.push_back({AffineExprKind::DimId, dim.getPosition()});
    return;
  }
  auto binary = cast<AffineBinaryOpExpr>(expr);
  compilePostfix(binary.getLHS(), program);
  compilePostfix(binary.getRHS(), program);
  program.push_back({expr.getKind(), 0});
}

/// Stack depth the postfix programs may use (deeper ones walk the tree).
constexpr size_t kMaxStack = 16;

CompiledExpr::CompiledExpr(AffineExpr expr, unsigned numDims)
    : expr(expr), linear(pet::getLinearForm(expr, numDims)) {
  if (linear)
    return;
  compilePostfix(expr, program);
  size_t depth = 0, maxDepth = 0;
  for (const Step &step : program) {
    bool leaf = step.kind == AffineExprKind::Constant ||
                step.kind == AffineExprKind::DimId;
    depth = leaf ? depth + 1 : depth - 1;
    maxDepth = std::max(maxDepth, depth);
  }
  if (maxDepth > kMaxStack)
    program.clear();
}

int64_t CompiledExpr::operator()(ArrayRef<int64_t> loops) const {
  if (!linear && !program.empty()) {
    // floordiv/mod/ceildiv: the postfix program on a small stack (walking
    // the AffineExpr tree calls into MLIR for every node).
    int64_t stack[kMaxStack];
    size_t top = 0;
    for (const Step &step : program) {
      switch (step.kind) {
      case AffineExprKind::Constant:
        stack[top++] = step.value;
        continue;
      case AffineExprKind::DimId:
        stack[top++] = loops[step.value];
        continue;
      default:
        break;
      }
      int64_t rhs = stack[--top];
      int64_t &lhs = stack[top - 1];
      switch (step.kind) {
      case AffineExprKind::Add:
        lhs = lhs + rhs;
        break;
      case AffineExprKind::Mul:
        lhs = lhs * rhs;
        break;
      case AffineExprKind::FloorDiv:
        lhs = llvm::divideFloorSigned(lhs, rhs);
        break;
      case AffineExprKind::CeilDiv:
        lhs = llvm::divideCeilSigned(lhs, rhs);
        break;
      case AffineExprKind::Mod:
        lhs = lhs - llvm::divideFloorSigned(lhs, rhs) * rhs;
        break;
      default:
        llvm_unreachable("symbols do not occur in multi-linear descriptions");
      }
    }
    return stack[0];
  }
  if (!linear)
    return evaluateTree(expr, loops);
  int64_t value = linear->constant;
  for (size_t d = 0, e = loops.size(); d < e; ++d)
    value += linear->coefficients[d] * loops[d];
  return value;
}

CompiledMap::CompiledMap(AffineMap map) {
  for (AffineExpr expr : map.getResults())
    exprs.emplace_back(expr, map.getNumDims());
}

void CompiledMap::apply(ArrayRef<int64_t> loops,
                        SmallVectorImpl<int64_t> &out) const {
  out.resize(exprs.size());
  for (size_t i = 0, e = exprs.size(); i < e; ++i)
    out[i] = exprs[i](loops);
}

CompiledTerm::CompiledTerm(const MultiLinearTerm &term)
    : loopBounds(term.loopBounds), scale(term.scale), divisor(term.divisor),
      divideByInBoundsCount(term.divideByInBoundsCount) {
  unsigned numLoops = term.getNumLoops();
  for (AffineExpr expr : term.resultMap.getResults()) {
    // The description contract: `d_i` or `d_i + c`.
    auto [loop, offset] = *getShiftedLoop(expr);
    resultLoops.push_back(loop);
    resultOffsets.push_back(offset);
  }
  for (unsigned loop = 0; loop < numLoops; ++loop)
    if (term.isReduction(loop))
      reductionLoops.push_back(loop);
  for (const OperandAccess &access : term.factors)
    factors.push_back({access.operandIndex, CompiledMap(access.map)});
  for (unsigned loop : reductionLoops) {
    if (innerLoop >= 0 && loopBounds[loop] <= loopBounds[innerLoop])
      continue;
    SmallVector<SmallVector<int64_t, 4>, 2> steps;
    bool affine = true;
    for (const OperandAccess &access : term.factors) {
      SmallVector<int64_t, 4> &step = steps.emplace_back();
      for (AffineExpr expr : access.map.getResults()) {
        std::optional<int64_t> c = getAffineCoefficient(expr, loop);
        affine &= c.has_value();
        step.push_back(c.value_or(0));
      }
    }
    if (!affine)
      continue;
    innerLoop = loop;
    innerSteps = std::move(steps);
  }
}

bool CompiledTerm::bindResultPosition(ArrayRef<int64_t> position,
                                      SmallVectorImpl<int64_t> &loops) const {
  loops.assign(loopBounds.size(), 0);
  for (size_t r = 0, e = position.size(); r < e; ++r) {
    int64_t value = position[r] - resultOffsets[r];
    unsigned loop = resultLoops[r];
    if (value < 0 || value >= loopBounds[loop])
      return false;
    loops[loop] = value;
  }
  return true;
}

void CompiledTerm::getResultPosition(ArrayRef<int64_t> loops,
                                     SmallVectorImpl<int64_t> &position) const {
  position.resize(resultLoops.size());
  for (size_t r = 0, e = resultLoops.size(); r < e; ++r)
    position[r] = loops[resultLoops[r]] + resultOffsets[r];
}

SmallVector<CompiledTerm, 1>
mlir::pet::compileDescription(const MultiLinearDescription &desc) {
  SmallVector<CompiledTerm, 1> terms;
  for (const MultiLinearTerm &term : desc.terms)
    terms.emplace_back(term);
  return terms;
}
