//===- ImportNormalizations.cpp - Raise torch-mlir's decompositions -------===//
//
// torch-mlir decomposes softmax, layer normalization and GELU into
// reductions and element-wise generics. These patterns recognize the
// decompositions as the element-wise import leaves them (PET's sub, mul,
// scale and rsqrt between linalg reductions) and put PET's operator in
// their place, so that the lowerings compute each in one pass over its rows
// (the GPU's row kernels) instead of one generic kernel per step. They
// match the whole computation, operand by operand; anything else stays as
// it is. Broadcast copies read by PET's broadcasting operators become
// reshapes (the operator broadcasts); attention's queries and keys, scaled
// each and the keys transposed, become a product of the two in their common
// layout, scaled once.
//
//===----------------------------------------------------------------------===//

#include "ImportSupport.h"

#include "PET/Dialect/PET/PETOps.h"
#include "PET/Dialect/PET/ScalarFunctions.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/Matchers.h"

#include <cmath>

using namespace mlir;
using namespace mlir::pet;
using namespace mlir::pet::linalg_import;

namespace {

//===----------------------------------------------------------------------===//
// Matchers
//===----------------------------------------------------------------------===//

/// Whether `v` is the block argument of `op`'s operand `i` (inputs first,
/// then inits).
bool isArg(linalg::GenericOp op, Value v, unsigned i) {
  auto arg = dyn_cast<BlockArgument>(v);
  return arg && arg.getOwner() == op.getBody() && arg.getArgNumber() == i;
}

/// The value `op` yields for its result `i`.
Value yieldedValue(linalg::GenericOp op, unsigned i) {
  return cast<linalg::YieldOp>(op.getBody()->getTerminator()).getValues()[i];
}

/// The operation of `op`'s body that defines `v`, if it is an `OpTy`.
template <typename OpTy> OpTy bodyOp(linalg::GenericOp op, Value v) {
  auto def = v.getDefiningOp<OpTy>();
  return def && def->getBlock() == op.getBody() ? def : OpTy();
}

/// The generic on tensors whose result 0 is `v`.
linalg::GenericOp genericOf(Value v) {
  auto op = v.getDefiningOp<linalg::GenericOp>();
  if (!op || !op.hasPureTensorSemantics() || op->getResult(0) != v)
    return {};
  return op;
}

/// Whether `op` is element-wise: all loops parallel, its results written
/// through the identity.
bool isElementwise(linalg::GenericOp op) {
  return op.getNumParallelLoops() == op.getNumLoops() &&
         llvm::all_of(op.getDpsInitsMutable(), [&](OpOperand &init) {
           return op.getMatchingIndexingMap(&init).isIdentity();
         });
}

/// A reduction over the trailing dimensions from `axis` of one input read
/// through the identity; its result 0 keeps the reduced dimensions (size 1)
/// or drops them; the results after it are unused.
struct Reduction {
  Value input;
  int64_t axis;
  bool keepsDims;
  Value init;
};

/// `v` as a reduction whose body combines element and accumulator with a
/// `Combiner`.
template <typename Combiner>
std::optional<Reduction> matchTrailingReduction(Value v) {
  linalg::GenericOp op = genericOf(v);
  if (!op || op.getNumDpsInputs() != 1 || op.getNumDpsInits() < 1)
    return std::nullopt;
  for (unsigned i = 1; i < op->getNumResults(); ++i)
    if (!op->getResult(i).use_empty())
      return std::nullopt;
  int64_t rank = op.getNumLoops();
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  int64_t axis = 0;
  while (axis < rank && iterators[axis] == utils::IteratorType::parallel)
    ++axis;
  if (axis == rank)
    return std::nullopt;
  for (int64_t d = axis; d < rank; ++d)
    if (iterators[d] != utils::IteratorType::reduction)
      return std::nullopt;
  if (!op.getMatchingIndexingMap(op.getDpsInputOperand(0)).isIdentity())
    return std::nullopt;
  AffineMap out = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  bool keepsDims = out.getNumResults() == rank;
  if (!keepsDims && out.getNumResults() != axis)
    return std::nullopt;
  MLIRContext *context = op.getContext();
  for (auto [d, expr] : llvm::enumerate(out.getResults()))
    if (expr != (static_cast<int64_t>(d) < axis
                     ? getAffineDimExpr(d, context)
                     : getAffineConstantExpr(0, context)))
      return std::nullopt;
  auto combiner = bodyOp<Combiner>(op, yieldedValue(op, 0));
  if (!combiner)
    return std::nullopt;
  Value a = combiner->getOperand(0), b = combiner->getOperand(1);
  unsigned accumulator = op.getNumDpsInputs();
  if (!(isArg(op, a, 0) && isArg(op, b, accumulator)) &&
      !(isArg(op, b, 0) && isArg(op, a, accumulator)))
    return std::nullopt;
  return Reduction{op.getDpsInputOperand(0)->get(), axis, keepsDims,
                   op.getDpsInitOperand(0)->get()};
}

/// The input of `v`'s element-wise generic of one input (through the
/// identity) whose body applies one `OpTy` to it.
template <typename OpTy> Value matchUnary(Value v) {
  linalg::GenericOp op = genericOf(v);
  if (!op || op.getNumDpsInputs() != 1 || op->getNumResults() != 1 ||
      !isElementwise(op) ||
      !op.getMatchingIndexingMap(op.getDpsInputOperand(0)).isIdentity())
    return {};
  auto body = bodyOp<OpTy>(op, yieldedValue(op, 0));
  if (!body || body->getNumOperands() != 1 ||
      !isArg(op, body->getOperand(0), 0))
    return {};
  return op.getDpsInputOperand(0)->get();
}

/// The number of elements of `value`'s dimensions from `axis` on.
int64_t trailingElements(Value value, int64_t axis) {
  auto type = cast<RankedTensorType>(value.getType());
  int64_t n = 1;
  for (int64_t d = axis; d < type.getRank(); ++d)
    n *= type.getDimSize(d);
  return n;
}

/// `v` as the mean of its input over the trailing dimensions from `axis`
/// (dimensions kept): the sum scaled by 1 / count. The input, and the axis.
std::optional<std::pair<Value, int64_t>> matchMean(Value v) {
  auto scale = v.getDefiningOp<ScaleOp>();
  if (!scale)
    return std::nullopt;
  std::optional<Reduction> sum =
      matchTrailingReduction<arith::AddFOp>(scale.getInput());
  if (!sum || !sum->keepsDims || !isFilledWith(sum->init, 0.0))
    return std::nullopt;
  double count = trailingElements(sum->input, sum->axis);
  if (std::fabs(scale.getFactor().convertToDouble() * count - 1) > 1e-9)
    return std::nullopt;
  return std::pair(sum->input, sum->axis);
}

/// Whether `v` is the (biased) variance of `x` over the trailing dimensions
/// from `axis`: mean((y - mean(y))^2) with y = x, or x widened to another
/// float type and the variance narrowed back.
bool isVariance(Value v, Value x, int64_t axis) {
  if (Value wide = matchUnary<arith::TruncFOp>(v))
    v = wide;
  std::optional<std::pair<Value, int64_t>> mean = matchMean(v);
  if (!mean || mean->second != axis)
    return false;
  auto square = mean->first.getDefiningOp<MulOp>();
  if (!square || square.getLhs() != square.getRhs())
    return false;
  auto centered = square.getLhs().getDefiningOp<SubOp>();
  if (!centered)
    return false;
  Value y = centered.getLhs();
  std::optional<std::pair<Value, int64_t>> yMean = matchMean(centered.getRhs());
  if (!yMean || yMean->first != y || yMean->second != axis)
    return false;
  return y == x || matchUnary<arith::ExtFOp>(y) == x;
}

/// The value of `v`'s constant when it is a float splat.
std::optional<double> splatValue(Value v) {
  if (!v.getDefiningOp<arith::ConstantOp>())
    return std::nullopt;
  return getConstantFloat(v);
}

//===----------------------------------------------------------------------===//
// Softmax
//===----------------------------------------------------------------------===//

/// exp(x - max(x)) / sum(exp(x - max(x))) over the last dimension, the max
/// and the sum as reductions, the division and the exponential as generics
/// -> pet.softmax.
struct SoftmaxFromDecomposition : public OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics() || op.getNumDpsInputs() != 2 ||
        op->getNumResults() != 1 || !isElementwise(op) ||
        !op.getMatchingIndexingMap(op.getDpsInputOperand(0)).isIdentity())
      return rewriter.notifyMatchFailure(op, "not an element-wise quotient");
    auto div = bodyOp<arith::DivFOp>(op, yieldedValue(op, 0));
    if (!div || !isArg(op, div.getLhs(), 0) || !isArg(op, div.getRhs(), 1))
      return rewriter.notifyMatchFailure(op, "not a quotient");
    auto type = cast<RankedTensorType>(op->getResult(0).getType());
    int64_t last = type.getRank() - 1;
    Value exps = op.getDpsInputOperand(0)->get();
    Value sums = op.getDpsInputOperand(1)->get();
    std::optional<Reduction> sum = matchTrailingReduction<arith::AddFOp>(sums);
    if (!sum || sum->input != exps || sum->axis != last ||
        !isFilledWith(sum->init, 0.0) ||
        failed(getBroadcastShape(
            sums, op.getMatchingIndexingMap(op.getDpsInputOperand(1)),
            type.getShape())))
      return rewriter.notifyMatchFailure(op, "not divided by the row's sum");
    auto shifted = matchUnary<math::ExpOp>(exps);
    auto sub = shifted ? shifted.getDefiningOp<SubOp>() : SubOp();
    if (!sub)
      return rewriter.notifyMatchFailure(op, "not an exponential of x - max");
    Value x = sub.getLhs();
    Value max = sub.getRhs();
    // The row maxima with their reduced dimension dropped, then put back
    // as size 1 (and nothing else moved).
    if (auto reshape = max.getDefiningOp<ReshapeOp>()) {
      ArrayRef<int64_t> to = reshape.getType().getShape();
      ArrayRef<int64_t> from = reshape.getInput().getType().getShape();
      if (to.empty() || to.back() != 1 || to.drop_back() != from)
        return rewriter.notifyMatchFailure(op, "not the maxima unsqueezed");
      max = reshape.getInput();
    }
    std::optional<Reduction> maxima =
        matchTrailingReduction<arith::MaximumFOp>(max);
    if (x.getType() != type || !maxima || maxima->input != x ||
        maxima->axis != last || !isFilledWith(maxima->init, -INFINITY))
      return rewriter.notifyMatchFailure(op, "not shifted by the row's max");
    rewriter.replaceOpWithNewOp<SoftmaxOp>(
        op, type, x, rewriter.getI64IntegerAttr(last), UnitAttr());
    return success();
  }
};

/// select(all(x == -inf) along the row, 0, softmax(x)) -> pet.softmax safe
/// (PyTorch's _safe_softmax, in its scaled dot-product attention).
struct SafeSoftmaxFromSelect : public OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics() || op.getNumDpsInputs() != 3 ||
        op->getNumResults() != 1 || !isElementwise(op) ||
        !op.getMatchingIndexingMap(op.getDpsInputOperand(2)).isIdentity())
      return rewriter.notifyMatchFailure(op, "not an element-wise select");
    auto select = bodyOp<arith::SelectOp>(op, yieldedValue(op, 0));
    if (!select || !isArg(op, select.getCondition(), 0) ||
        !isArg(op, select.getTrueValue(), 1) ||
        !isArg(op, select.getFalseValue(), 2) ||
        !isFilledWith(op.getDpsInputOperand(1)->get(), 0.0))
      return rewriter.notifyMatchFailure(op, "not select(c, 0, y)");
    auto softmax = op.getDpsInputOperand(2)->get().getDefiningOp<SoftmaxOp>();
    auto type = cast<RankedTensorType>(op->getResult(0).getType());
    int64_t last = type.getRank() - 1;
    if (!softmax || softmax.getSafe() || softmax.getType() != type ||
        softmax.getAxis() != static_cast<uint64_t>(last))
      return rewriter.notifyMatchFailure(op, "not of a softmax");
    Value condition = op.getDpsInputOperand(0)->get();
    std::optional<Reduction> all =
        matchTrailingReduction<arith::AndIOp>(condition);
    auto fill =
        all ? all->init.getDefiningOp<linalg::FillOp>() : linalg::FillOp();
    if (!all || all->axis != last || !fill ||
        !matchPattern(fill.getInputs()[0], m_One()) ||
        failed(getBroadcastShape(
            condition, op.getMatchingIndexingMap(op.getDpsInputOperand(0)),
            type.getShape())))
      return rewriter.notifyMatchFailure(op, "not a whole row's condition");
    // x == -inf, element by element (x possibly widened first).
    linalg::GenericOp compare = genericOf(all->input);
    if (!compare || compare.getNumDpsInputs() != 1 || !isElementwise(compare) ||
        !compare.getMatchingIndexingMap(compare.getDpsInputOperand(0))
             .isIdentity() ||
        compare.getDpsInputOperand(0)->get() != softmax.getInput())
      return rewriter.notifyMatchFailure(op, "not a test of the input");
    auto cmp = bodyOp<arith::CmpFOp>(compare, yieldedValue(compare, 0));
    if (!cmp || cmp.getPredicate() != arith::CmpFPredicate::OEQ)
      return rewriter.notifyMatchFailure(op, "not an equality test");
    Value tested = cmp.getLhs();
    if (auto ext = bodyOp<arith::ExtFOp>(compare, tested))
      tested = ext.getIn();
    std::optional<double> bound = getConstantFloat(cmp.getRhs());
    if (!isArg(compare, tested, 0) || !bound || *bound != -INFINITY)
      return rewriter.notifyMatchFailure(op, "not x == -inf");
    rewriter.replaceOpWithNewOp<SoftmaxOp>(op, type, softmax.getInput(),
                                           softmax.getAxisAttr(),
                                           rewriter.getUnitAttr());
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Layer normalization
//===----------------------------------------------------------------------===//

/// (x - mean(x)) * rsqrt(var(x) + eps), mean and variance over the trailing
/// dimensions from one axis -> pet.layer_norm (its affine part stays the
/// pet.mul and pet.add that follow, as PET models it).
struct LayerNormFromDecomposition : public OpRewritePattern<MulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MulOp op,
                                PatternRewriter &rewriter) const override {
    for (auto [centeredSide, scaleSide] :
         {std::pair(op.getLhs(), op.getRhs()),
          std::pair(op.getRhs(), op.getLhs())}) {
      auto centered = centeredSide.getDefiningOp<SubOp>();
      auto rsqrt = scaleSide.getDefiningOp<RsqrtOp>();
      if (!centered || !rsqrt)
        continue;
      Value x = centered.getLhs();
      std::optional<std::pair<Value, int64_t>> mean =
          matchMean(centered.getRhs());
      auto shifted = rsqrt.getInput().getDefiningOp<AddOp>();
      if (!mean || mean->first != x || x.getType() != op.getType() || !shifted)
        continue;
      int64_t axis = mean->second;
      for (auto [variance, epsilon] :
           {std::pair(shifted.getLhs(), shifted.getRhs()),
            std::pair(shifted.getRhs(), shifted.getLhs())}) {
        std::optional<double> eps = splatValue(epsilon);
        if (!eps || *eps < 0 || !isVariance(variance, x, axis))
          continue;
        rewriter.replaceOpWithNewOp<LayerNormOp>(
            op, op.getType(), x, rewriter.getI64IntegerAttr(axis),
            rewriter.getF64FloatAttr(*eps));
        return success();
      }
    }
    return rewriter.notifyMatchFailure(op, "not a normalization");
  }
};

//===----------------------------------------------------------------------===//
// GELU
//===----------------------------------------------------------------------===//

/// The factors of the product `v` (arith.mulf of `op`'s body, nested).
void collectFactors(linalg::GenericOp op, Value v, SmallVector<Value> &factors,
                    int depth = 0) {
  if (auto mul = bodyOp<arith::MulFOp>(op, v); mul && depth < 4) {
    collectFactors(op, mul.getLhs(), factors, depth + 1);
    collectFactors(op, mul.getRhs(), factors, depth + 1);
    return;
  }
  factors.push_back(v);
}

/// Whether `v` is 1 + erf(x / sqrt(2)) in `op`'s body (x its input).
bool isOnePlusErf(linalg::GenericOp op, Value v) {
  auto add = bodyOp<arith::AddFOp>(op, v);
  if (!add)
    return false;
  for (auto [one, erfSide] : {std::pair(add.getLhs(), add.getRhs()),
                              std::pair(add.getRhs(), add.getLhs())}) {
    std::optional<double> c = getConstantFloat(one);
    auto erf = bodyOp<math::ErfOp>(op, erfSide);
    if (!c || *c != 1.0 || !erf)
      continue;
    Value arg = erf.getOperand();
    // Within f32's rounding of sqrt(2) (1.41421354) or of its inverse.
    auto near = [](std::optional<double> c, double expected) {
      return c && std::fabs(*c - expected) <= 1e-7 * expected;
    };
    if (auto div = bodyOp<arith::DivFOp>(op, arg))
      return isArg(op, div.getLhs(), 0) &&
             near(getConstantFloat(div.getRhs()), M_SQRT2);
    if (auto mul = bodyOp<arith::MulFOp>(op, arg))
      return (isArg(op, mul.getLhs(), 0) &&
              near(getConstantFloat(mul.getRhs()), M_SQRT1_2)) ||
             (isArg(op, mul.getRhs(), 0) &&
              near(getConstantFloat(mul.getLhs()), M_SQRT1_2));
  }
  return false;
}

/// x * 0.5 * (1 + erf(x / sqrt(2))), the factors in any order and
/// grouping -> pet.gelu.
struct GeluFromBody : public OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics() || op.getNumDpsInputs() != 1 ||
        op->getNumResults() != 1 || !isElementwise(op) ||
        !op.getMatchingIndexingMap(op.getDpsInputOperand(0)).isIdentity() ||
        op.getDpsInputOperand(0)->get().getType() != op->getResult(0).getType())
      return rewriter.notifyMatchFailure(op, "not element-wise on one input");
    SmallVector<Value> factors;
    collectFactors(op, yieldedValue(op, 0), factors);
    if (factors.size() != 3)
      return rewriter.notifyMatchFailure(op, "not a product of three");
    bool x = false, half = false, erf = false;
    for (Value f : factors) {
      std::optional<double> c = getConstantFloat(f);
      if (isArg(op, f, 0) && !x)
        x = true;
      else if (c && *c == 0.5 && !half)
        half = true;
      else if (isOnePlusErf(op, f) && !erf)
        erf = true;
    }
    if (!x || !half || !erf)
      return rewriter.notifyMatchFailure(op, "not x * 0.5 * (1 + erf)");
    rewriter.replaceOpWithNewOp<GeluOp>(op, op->getResult(0).getType(),
                                        op.getDpsInputOperand(0)->get(),
                                        UnitAttr());
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Broadcast copies
//===----------------------------------------------------------------------===//

/// NumPy's broadcast of two shapes (aligned on the last dimension), or
/// nothing when they do not broadcast.
std::optional<SmallVector<int64_t>> broadcastShapes(ArrayRef<int64_t> a,
                                                    ArrayRef<int64_t> b) {
  size_t rank = std::max(a.size(), b.size());
  SmallVector<int64_t> result(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t x = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t y = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (x != y && x != 1 && y != 1)
      return std::nullopt;
    result[i] = x == 1 ? y : x;
  }
  return result;
}

/// op(a, broadcast copy of b) -> op(a, reshape(b)): PET's binary operators
/// broadcast their operands themselves.
template <typename OpTy>
struct AbsorbBroadcastCopy : public OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    auto resultType = cast<RankedTensorType>(op.getType());
    for (unsigned i = 0; i < 2; ++i) {
      linalg::GenericOp copy = genericOf(op->getOperand(i));
      if (!copy || copy.getNumDpsInputs() != 1 || copy->getNumResults() != 1 ||
          !isElementwise(copy) || !isArg(copy, yieldedValue(copy, 0), 0))
        continue;
      Value source = copy.getDpsInputOperand(0)->get();
      auto copyType = cast<RankedTensorType>(copy->getResult(0).getType());
      FailureOr<SmallVector<int64_t>> shape = getBroadcastShape(
          source, copy.getMatchingIndexingMap(copy.getDpsInputOperand(0)),
          copyType.getShape());
      if (failed(shape) || ArrayRef<int64_t>(*shape) == copyType.getShape())
        continue;
      auto other = cast<RankedTensorType>(op->getOperand(1 - i).getType());
      std::optional<SmallVector<int64_t>> result =
          broadcastShapes(other.getShape(), *shape);
      if (!result || ArrayRef<int64_t>(*result) != resultType.getShape())
        continue;
      Value reshaped = reshapeTo(rewriter, op.getLoc(), source, *shape);
      rewriter.modifyOpInPlace(op, [&] { op->setOperand(i, reshaped); });
      return success();
    }
    return rewriter.notifyMatchFailure(op, "no broadcast copy read");
  }
};

/// f(reshape(x)) -> reshape(f(x)) for an element-wise function f (GELU,
/// say) of a reshape read once: each element gets the same value, and f
/// reads its producer directly (a product's bias, whose library call then
/// applies f in its epilogue).
struct ElementwiseBeforeReshape : public RewritePattern {
  ElementwiseBeforeReshape(MLIRContext *context)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/1, context) {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    if (!hasScalarFunction(op))
      return rewriter.notifyMatchFailure(op, "not element-wise");
    auto reshape = op->getOperand(0).getDefiningOp<ReshapeOp>();
    if (!reshape || !reshape->hasOneUse())
      return rewriter.notifyMatchFailure(op, "not of a reshape read once");
    Value input = reshape.getInput();
    Operation *moved = rewriter.clone(*op);
    moved->setOperand(0, input);
    moved->getResult(0).setType(input.getType());
    rewriter.replaceOpWithNewOp<ReshapeOp>(op, op->getResult(0).getType(),
                                           moved->getResult(0));
    rewriter.eraseOp(reshape);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Attention's scaling and key transpose
//===----------------------------------------------------------------------===//

/// reshape(scale(x)) -> scale(reshape(x)), and the same for transposes: the
/// scale moves towards the product it multiplies (exactly: each element
/// is scaled as before).
template <typename LayoutOp>
struct ScaleAfterLayout : public OpRewritePattern<LayoutOp> {
  using OpRewritePattern<LayoutOp>::OpRewritePattern;

  LogicalResult matchAndRewrite(LayoutOp op,
                                PatternRewriter &rewriter) const override {
    auto scale = op->getOperand(0).template getDefiningOp<ScaleOp>();
    if (!scale || !scale->hasOneUse())
      return rewriter.notifyMatchFailure(op, "not of a scale read once");
    Operation *moved = rewriter.clone(*op);
    moved->setOperand(0, scale.getInput());
    rewriter.replaceOpWithNewOp<ScaleOp>(op, op->getResult(0).getType(),
                                         moved->getResult(0),
                                         scale.getFactorAttr());
    rewriter.eraseOp(scale);
    return success();
  }
};

/// scale(scale(p, a), b) -> scale(p, a * b) for a batched product p
/// (possibly reshaped or transposed), the inner scale read once: the scales of
/// attention's queries and keys, each moved after the product
/// (ScaleAfterProduct). The values are the same; the rounding differs unless a
/// factor is a power of two (which the folder merges anyway). Other chains of
/// scales stay as they are.
struct MergeScales : public OpRewritePattern<ScaleOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ScaleOp op,
                                PatternRewriter &rewriter) const override {
    auto inner = op.getInput().getDefiningOp<ScaleOp>();
    if (!inner || !inner->hasOneUse())
      return rewriter.notifyMatchFailure(op, "not of a scale read once");
    // The product, possibly reshaped or transposed since.
    Value product = inner.getInput();
    while (isa_and_nonnull<ReshapeOp, TransposeOp>(product.getDefiningOp()))
      product = product.getDefiningOp()->getOperand(0);
    if (!product.getDefiningOp<BatchMatmulOp>())
      return rewriter.notifyMatchFailure(op, "not of a product's scale");
    double factor =
        op.getFactor().convertToDouble() * inner.getFactor().convertToDouble();
    if (!std::isfinite(factor))
      return rewriter.notifyMatchFailure(op, "the product overflows");
    rewriter.replaceOpWithNewOp<ScaleOp>(op, op.getType(), inner.getInput(),
                                         rewriter.getF64FloatAttr(factor));
    return success();
  }
};

/// batch_matmul(scale(a, s), scale(b, t)) -> scale(batch_matmul(a, b), s *
/// t) (either scale may be missing): PyTorch's scaled dot-product attention
/// scales the queries and the keys by the square root of the factor each;
/// after the product, the scale joins the softmax's row kernel. The values
/// are the same; the rounding differs as the products are associated
/// differently.
struct ScaleAfterProduct : public OpRewritePattern<BatchMatmulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(BatchMatmulOp op,
                                PatternRewriter &rewriter) const override {
    double factor = 1;
    SmallVector<Value, 2> operands = {op.getLhs(), op.getRhs()};
    bool scaled = false;
    for (Value &operand : operands)
      if (auto scale = operand.getDefiningOp<ScaleOp>();
          scale && scale->hasOneUse()) {
        factor *= scale.getFactor().convertToDouble();
        operand = scale.getInput();
        scaled = true;
      }
    if (!scaled || !std::isfinite(factor))
      return rewriter.notifyMatchFailure(op, "no operand scaled");
    auto product = BatchMatmulOp::create(
        rewriter, op.getLoc(), op.getType(), operands[0], operands[1],
        op.getTransposeLhsAttr(), op.getTransposeRhsAttr());
    rewriter.replaceOpWithNewOp<ScaleOp>(op, op.getType(), product,
                                         rewriter.getF64FloatAttr(factor));
    return success();
  }
};

/// batch_matmul(a, reshape(transpose(x, P))) with P moving x's innermost
/// dimension to the second last (the keys' transpose; the reshape merging
/// leading dimensions only) -> batch_matmul(a, reshape(transpose(x, P')))
/// transpose_rhs, P' = P with its last two entries exchanged, which keeps
/// the innermost dimension: the keys are read in the layout the queries
/// and values have (a view, not a copy).
struct TransposedRhs : public OpRewritePattern<BatchMatmulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(BatchMatmulOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getTransposeRhs())
      return rewriter.notifyMatchFailure(op, "transposed already");
    Value rhs = op.getRhs();
    auto reshape = rhs.getDefiningOp<ReshapeOp>();
    Value transposed = reshape ? reshape.getInput() : rhs;
    auto transpose = transposed.getDefiningOp<TransposeOp>();
    if (!transpose || !transpose->hasOneUse() ||
        (reshape && !reshape->hasOneUse()))
      return rewriter.notifyMatchFailure(op, "rhs is not a transpose");
    auto type = cast<RankedTensorType>(transposed.getType());
    int64_t rank = type.getRank();
    if (rank < 3)
      return rewriter.notifyMatchFailure(op, "not batched");
    // The reshape keeps the last two dimensions.
    auto rhsType = cast<RankedTensorType>(rhs.getType());
    if (rhsType.getDimSize(1) != type.getDimSize(rank - 2) ||
        rhsType.getDimSize(2) != type.getDimSize(rank - 1))
      return rewriter.notifyMatchFailure(op, "the reshape mixes rows");
    SmallVector<int64_t> perm(transpose.getPermutation());
    std::swap(perm[rank - 2], perm[rank - 1]);
    // Only when that leaves the innermost dimension in place.
    if (perm[rank - 1] != rank - 1)
      return rewriter.notifyMatchFailure(op, "not the keys' transpose");
    SmallVector<int64_t> shape(type.getShape());
    std::swap(shape[rank - 2], shape[rank - 1]);
    Location loc = op.getLoc();
    Value swapped = TransposeOp::create(
        rewriter, loc, RankedTensorType::get(shape, type.getElementType()),
        transpose.getInput(), rewriter.getDenseI64ArrayAttr(perm));
    Value keys = reshapeTo(
        rewriter, loc, swapped,
        {rhsType.getDimSize(0), rhsType.getDimSize(2), rhsType.getDimSize(1)});
    rewriter.replaceOpWithNewOp<BatchMatmulOp>(op, op.getType(), op.getLhs(),
                                               keys, op.getTransposeLhsAttr(),
                                               rewriter.getUnitAttr());
    return success();
  }
};

} // namespace

void mlir::pet::linalg_import::populateNormalizationImportPatterns(
    RewritePatternSet &patterns) {
  MLIRContext *context = patterns.getContext();
  patterns.add<SoftmaxFromDecomposition, SafeSoftmaxFromSelect,
               LayerNormFromDecomposition, GeluFromBody,
               AbsorbBroadcastCopy<AddOp>, AbsorbBroadcastCopy<SubOp>,
               AbsorbBroadcastCopy<MulOp>, ScaleAfterLayout<ReshapeOp>,
               ScaleAfterLayout<TransposeOp>, ScaleAfterProduct, MergeScales,
               TransposedRhs, ElementwiseBeforeReshape>(context);
}
