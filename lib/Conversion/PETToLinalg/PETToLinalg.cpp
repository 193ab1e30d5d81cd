//===- PETToLinalg.cpp - PET to linalg-on-tensors -------------------------===//
//
// Multi-linear operators are lowered from their MultiLinearOpInterface
// description, once for all of them: each term is a linalg.generic over the
// term's loops whose inputs are the operands it reads (zero-padded and
// sliced so that every read is in bounds) and whose output is the part of
// the result the term writes. Non-linear operators have their own patterns.
//
//===----------------------------------------------------------------------===//

#include "PET/Conversion/PETToLinalg.h"
#include "PET/Conversion/Passes.h"

#include "PET/Dialect/PET/PETOps.h"
#include "PET/Dialect/PET/ScalarFunctions.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"

#include <cmath>

namespace mlir::pet {
#define GEN_PASS_DEF_CONVERTPETTOLINALG
#include "PET/Conversion/Passes.h.inc"
} // namespace mlir::pet

using namespace mlir;
using namespace mlir::pet;

using utils::IteratorType;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

namespace {
/// Builds tensor values at one location.
struct TensorBuilder {
  OpBuilder &b;
  Location loc;

  Value constant(Type element, double value) {
    return arith::ConstantOp::create(
        b, loc, b.getFloatAttr(cast<FloatType>(element), value));
  }

  /// A tensor of `type` filled with `value`.
  Value filled(RankedTensorType type, double value) {
    Value empty =
        tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType());
    return linalg::FillOp::create(
               b, loc, ValueRange{constant(type.getElementType(), value)},
               ValueRange{empty})
        .getResult(0);
  }

  Value pad(Value source, ArrayRef<int64_t> low, ArrayRef<int64_t> high,
            double value) {
    if (llvm::all_of(low, [](int64_t v) { return v == 0; }) &&
        llvm::all_of(high, [](int64_t v) { return v == 0; }))
      return source;
    auto type = cast<RankedTensorType>(source.getType());
    SmallVector<int64_t> shape;
    for (int64_t d = 0; d < type.getRank(); ++d)
      shape.push_back(type.getDimSize(d) + low[d] + high[d]);
    auto resultType = RankedTensorType::get(shape, type.getElementType());
    return tensor::PadOp::create(b, loc, resultType, source,
                                 getAsIndexOpFoldResult(b.getContext(), low),
                                 getAsIndexOpFoldResult(b.getContext(), high),
                                 constant(type.getElementType(), value));
  }

  Value slice(Value source, ArrayRef<int64_t> offsets,
              ArrayRef<int64_t> sizes) {
    auto type = cast<RankedTensorType>(source.getType());
    if (llvm::all_of(offsets, [](int64_t v) { return v == 0; }) &&
        llvm::equal(sizes, type.getShape()))
      return source;
    SmallVector<int64_t> ones(sizes.size(), 1);
    return tensor::ExtractSliceOp::create(
        b, loc, RankedTensorType::get(sizes, type.getElementType()), source,
        getAsIndexOpFoldResult(b.getContext(), offsets),
        getAsIndexOpFoldResult(b.getContext(), sizes),
        getAsIndexOpFoldResult(b.getContext(), ones));
  }

  Value insert(Value source, Value dest, ArrayRef<int64_t> offsets) {
    auto type = cast<RankedTensorType>(source.getType());
    if (type == dest.getType() &&
        llvm::all_of(offsets, [](int64_t v) { return v == 0; }))
      return source;
    SmallVector<int64_t> ones(offsets.size(), 1);
    return tensor::InsertSliceOp::create(
        b, loc, source, dest, getAsIndexOpFoldResult(b.getContext(), offsets),
        getAsIndexOpFoldResult(b.getContext(), type.getShape()),
        getAsIndexOpFoldResult(b.getContext(), ones));
  }

  /// An element-wise generic over `inputs` (all of `type`'s shape) into a
  /// new tensor of `type`.
  Value elementwise(RankedTensorType type, ValueRange inputs,
                    function_ref<Value(OpBuilder &, Location, ValueRange)> fn) {
    unsigned rank = type.getRank();
    SmallVector<AffineMap> maps(inputs.size() + 1,
                                b.getMultiDimIdentityMap(rank));
    SmallVector<IteratorType> iterators(rank, IteratorType::parallel);
    Value init =
        tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType());
    return linalg::GenericOp::create(
               b, loc, TypeRange{type}, inputs, ValueRange{init}, maps,
               iterators,
               [&](OpBuilder &nb, Location nloc, ValueRange args) {
                 Value v = fn(nb, nloc, args.drop_back());
                 linalg::YieldOp::create(nb, nloc, v);
               })
        .getResult(0);
  }

  /// Reduces `input` over dimensions `dims` (removed from the result) with
  /// `combine`, starting from `init`.
  Value
  reduce(Value input, ArrayRef<int64_t> dims, double init,
         function_ref<Value(OpBuilder &, Location, Value, Value)> combine,
         function_ref<Value(OpBuilder &, Location, Value)> map = nullptr) {
    auto type = cast<RankedTensorType>(input.getType());
    unsigned rank = type.getRank();
    SmallVector<int64_t> shape;
    SmallVector<AffineExpr> kept;
    SmallVector<IteratorType> iterators;
    for (unsigned d = 0; d < rank; ++d) {
      bool reduced = llvm::is_contained(dims, d);
      iterators.push_back(reduced ? IteratorType::reduction
                                  : IteratorType::parallel);
      if (!reduced) {
        shape.push_back(type.getDimSize(d));
        kept.push_back(b.getAffineDimExpr(d));
      }
    }
    auto resultType = RankedTensorType::get(shape, type.getElementType());
    SmallVector<AffineMap> maps = {
        b.getMultiDimIdentityMap(rank),
        AffineMap::get(rank, 0, kept, b.getContext())};
    return linalg::GenericOp::create(
               b, loc, TypeRange{resultType}, ValueRange{input},
               ValueRange{filled(resultType, init)}, maps, iterators,
               [&](OpBuilder &nb, Location nloc, ValueRange args) {
                 Value x = map ? map(nb, nloc, args[0]) : args[0];
                 linalg::YieldOp::create(nb, nloc,
                                         combine(nb, nloc, args[1], x));
               })
        .getResult(0);
  }

  /// The map that reads a tensor reduced over `dims` (see `reduce`) at the
  /// position of a tensor of rank `rank`.
  AffineMap broadcastMap(unsigned rank, ArrayRef<int64_t> dims) {
    SmallVector<AffineExpr> kept;
    for (unsigned d = 0; d < rank; ++d)
      if (!llvm::is_contained(dims, d))
        kept.push_back(b.getAffineDimExpr(d));
    return AffineMap::get(rank, 0, kept, b.getContext());
  }
};
} // namespace

//===----------------------------------------------------------------------===//
// Multi-linear operators
//===----------------------------------------------------------------------===//

namespace {
/// A term's factor, prepared as a linalg.generic input.
struct PreparedFactor {
  Value value;
  AffineMap map;
};
} // namespace

/// The operand of `access` padded with zeros and sliced to what `term`
/// reads, with the map that reads it in bounds. `operand` may be replaced
/// by a tensor of ones of its shape (to count in-bounds reads).
static PreparedFactor prepareFactor(TensorBuilder &tb,
                                    const MultiLinearTerm &term,
                                    const OperandAccess &access,
                                    Value operand) {
  auto type = cast<RankedTensorType>(operand.getType());
  SmallVector<IndexRange> ranges = getAccessRanges(access.map, term.loopBounds);
  SmallVector<int64_t> low, high, offsets, sizes;
  SmallVector<AffineExpr> exprs;
  for (auto [d, range] : llvm::enumerate(ranges)) {
    auto [min, max] = range;
    low.push_back(std::max<int64_t>(0, -min));
    high.push_back(std::max<int64_t>(0, max - (type.getDimSize(d) - 1)));
    offsets.push_back(min + low.back());
    sizes.push_back(max - min + 1);
    exprs.push_back(access.map.getResult(d) - min);
  }
  Value padded = tb.pad(operand, low, high, 0.0);
  return {tb.slice(padded, offsets, sizes),
          AffineMap::get(term.getNumLoops(), 0, exprs, tb.b.getContext())};
}

namespace {
/// The factors of one term and its constant coefficient.
struct ProductOfFactors {
  SmallVector<PreparedFactor> factors;
  double coefficient;
};
} // namespace

/// The sum over the reduction loops of `loops` (the loops of every term in
/// `products`, which share them) of the sum of the products, added to
/// `init` (of `outType`, indexed by `outMap`); with `accumulate` false (no
/// reduction loops), `init` is only the destination and is not read.
static Value sumOfProducts(TensorBuilder &tb, const MultiLinearTerm &loops,
                           ArrayRef<ProductOfFactors> products,
                           RankedTensorType outType, AffineMap outMap,
                           Value init, bool accumulate = true) {
  MLIRContext *context = tb.b.getContext();
  SmallVector<Value> inputs;
  SmallVector<AffineMap> maps;
  for (const ProductOfFactors &p : products)
    for (const PreparedFactor &f : p.factors) {
      inputs.push_back(f.value);
      maps.push_back(f.map);
    }
  // Loops that no map indexes by themselves get their range from a tensor
  // of their shape (as linalg's pooling operators do with the window).
  auto isIndexedAlone = [&](unsigned loop) {
    auto alone = [&](AffineMap map) {
      return llvm::any_of(map.getResults(), [&](AffineExpr e) {
        auto dim = dyn_cast<AffineDimExpr>(e);
        return dim && dim.getPosition() == loop;
      });
    };
    return alone(outMap) || llvm::any_of(maps, alone);
  };
  SmallVector<int64_t> windowShape;
  SmallVector<AffineExpr> windowExprs;
  for (unsigned loop = 0; loop < loops.getNumLoops(); ++loop)
    if (!isIndexedAlone(loop)) {
      windowShape.push_back(loops.loopBounds[loop]);
      windowExprs.push_back(getAffineDimExpr(loop, context));
    }
  if (!windowShape.empty()) {
    inputs.push_back(tensor::EmptyOp::create(tb.b, tb.loc, windowShape,
                                             outType.getElementType()));
    maps.push_back(
        AffineMap::get(loops.getNumLoops(), 0, windowExprs, context));
  }
  maps.push_back(outMap);
  auto element = cast<FloatType>(outType.getElementType());
  return linalg::GenericOp::create(
             tb.b, tb.loc, TypeRange{outType}, inputs, ValueRange{init}, maps,
             loops.iteratorTypes,
             [&](OpBuilder &b, Location loc, ValueRange args) {
               Value sum = accumulate ? args.back() : Value();
               unsigned next = 0;
               for (const ProductOfFactors &p : products) {
                 Value product = args[next++];
                 for (unsigned f = 1; f < p.factors.size(); ++f)
                   product =
                       arith::MulFOp::create(b, loc, product, args[next++]);
                 if (p.coefficient != 1.0)
                   product = arith::MulFOp::create(
                       b, loc, product,
                       arith::ConstantOp::create(
                           b, loc, b.getFloatAttr(element, p.coefficient)));
                 sum = sum ? arith::AddFOp::create(b, loc, sum, product)
                                 .getResult()
                           : product;
               }
               linalg::YieldOp::create(b, loc, sum);
             })
      .getResult(0);
}

/// Where a term writes: the part of the result (offsets, sizes) and the map
/// from its loops to that part.
struct TermOutput {
  SmallVector<int64_t> offsets, sizes;
  AffineMap map;
};

static TermOutput getTermOutput(const MultiLinearTerm &term,
                                MLIRContext *context) {
  TermOutput out;
  SmallVector<AffineExpr> exprs;
  for (AffineExpr e : term.resultMap.getResults()) {
    auto [loop, shift] = *getShiftedLoop(e);
    out.offsets.push_back(shift);
    out.sizes.push_back(term.loopBounds[loop]);
    exprs.push_back(getAffineDimExpr(loop, context));
  }
  out.map = AffineMap::get(term.getNumLoops(), 0, exprs, context);
  return out;
}

/// Whether `terms` (alike) write every position of a result of `shape`
/// once: no reduction loops, and the whole result.
static bool writeWholeResultOnce(ArrayRef<MultiLinearTerm> terms,
                                 ArrayRef<int64_t> shape,
                                 MLIRContext *context) {
  const MultiLinearTerm &term = terms.front();
  if (term.divideByInBoundsCount ||
      llvm::any_of(term.iteratorTypes,
                   [](IteratorType t) { return t == IteratorType::reduction; }))
    return false;
  TermOutput out = getTermOutput(term, context);
  return ArrayRef<int64_t>(out.sizes) == shape &&
         llvm::all_of(out.offsets, [](int64_t o) { return o == 0; });
}

/// Adds the contributions of `terms` (which share their loops and the part
/// of the result they write, as the two terms of an addition) to `acc`, in
/// one linalg.generic. With `overwrite` (`writeWholeResultOnce`), `acc` is
/// an empty tensor that the generic fills instead.
static Value lowerTerms(TensorBuilder &tb, ArrayRef<MultiLinearTerm> terms,
                        ValueRange operands, Value acc,
                        bool overwrite = false) {
  auto resultType = cast<RankedTensorType>(acc.getType());
  TermOutput out = getTermOutput(terms.front(), tb.b.getContext());
  auto outType = RankedTensorType::get(out.sizes, resultType.getElementType());
  SmallVector<ProductOfFactors> products;
  for (const MultiLinearTerm &term : terms) {
    ProductOfFactors &p = products.emplace_back();
    p.coefficient = term.scale / static_cast<double>(term.divisor);
    for (const OperandAccess &access : term.factors)
      p.factors.push_back(
          prepareFactor(tb, term, access, operands[access.operandIndex]));
  }
  if (overwrite)
    return sumOfProducts(tb, terms.front(), products, outType, out.map, acc,
                         /*accumulate=*/false);
  Value updated = sumOfProducts(tb, terms.front(), products, outType, out.map,
                                tb.slice(acc, out.offsets, out.sizes));
  return tb.insert(updated, acc, out.offsets);
}

/// Adds the contribution of `term`, an average that does not count reads
/// outside its operands, to `acc`: scale * sum / (number of in-bounds
/// reads), 0 where there is none.
static Value lowerAveragingTerm(TensorBuilder &tb, const MultiLinearTerm &term,
                                ValueRange operands, Value acc) {
  auto resultType = cast<RankedTensorType>(acc.getType());
  TermOutput out = getTermOutput(term, tb.b.getContext());
  auto outType = RankedTensorType::get(out.sizes, resultType.getElementType());
  ProductOfFactors values{{}, 1.0}, indicators{{}, 1.0};
  for (const OperandAccess &access : term.factors) {
    Value operand = operands[access.operandIndex];
    values.factors.push_back(prepareFactor(tb, term, access, operand));
    indicators.factors.push_back(prepareFactor(
        tb, term, access,
        tb.filled(cast<RankedTensorType>(operand.getType()), 1.0)));
  }
  Value sum = sumOfProducts(tb, term, {values}, outType, out.map,
                            tb.filled(outType, 0.0));
  Value count = sumOfProducts(tb, term, {indicators}, outType, out.map,
                              tb.filled(outType, 0.0));
  double scale = term.scale;
  Value updated = tb.elementwise(
      outType, {tb.slice(acc, out.offsets, out.sizes), sum, count},
      [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
        auto element = cast<FloatType>(args[0].getType());
        Value zero =
            arith::ConstantOp::create(b, loc, b.getFloatAttr(element, 0.0));
        Value mean = arith::DivFOp::create(b, loc, args[1], args[2]);
        Value scaled = arith::MulFOp::create(
            b, loc, mean,
            arith::ConstantOp::create(b, loc, b.getFloatAttr(element, scale)));
        Value some = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT,
                                           args[2], zero);
        Value add = arith::SelectOp::create(b, loc, some, scaled, zero);
        return arith::AddFOp::create(b, loc, args[0], add);
      });
  return tb.insert(updated, acc, out.offsets);
}

/// Whether two terms iterate alike and write the same part of the result.
static bool sameLoopsAndOutput(const MultiLinearTerm &a,
                               const MultiLinearTerm &b) {
  return a.loopBounds == b.loopBounds && a.iteratorTypes == b.iteratorTypes &&
         a.resultMap == b.resultMap && !a.divideByInBoundsCount &&
         !b.divideByInBoundsCount;
}

/// Whether `op` becomes a named linalg operator (patterns below).
static bool hasNamedForm(Operation *op) {
  return isa<Conv2DOp, MatmulOp, BatchMatmulOp, TransposeOp, SliceOp, PadOp,
             ConcatOp, SplitOp, InsertOp>(op);
}

namespace {
/// Convolutions and matrix products without transposes as linalg's named
/// operators (what IREE and other consumers know best); the generic path
/// covers the rest. A grouped convolution is linalg's NGCHW/GFCHW one on
/// the input and filter with their groups as a dimension of their own
/// (reshapes, no copies): as a generic its input map would pick channels
/// with `floordiv`, which IREE cannot tile when a group's output channels
/// do not divide its tile (GoogLeNet's merged 3x3 convolutions, 208 each).
struct ConvToNamedLinalg : public OpConversionPattern<Conv2DOp> {
  ConvToNamedLinalg(MLIRContext *context)
      : OpConversionPattern(context, /*benefit=*/2) {}

  LogicalResult
  matchAndRewrite(Conv2DOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    TensorBuilder tb{rewriter, op.getLoc()};
    auto type = cast<RankedTensorType>(op.getType());
    SmallVector<int64_t> low = {0, 0}, high = {0, 0};
    llvm::append_range(low, op.getPadLowValues());
    llvm::append_range(high, op.getPadHighValues());
    Value input = tb.pad(adaptor.getInput(), low, high, 0.0);
    // Rows and columns past the last window are not read: linalg wants the
    // input no larger than the windows cover.
    auto padded = cast<RankedTensorType>(input.getType());
    SmallVector<int64_t> strides = op.getStrideValues();
    SmallVector<int64_t> dilations = op.getDilationValues();
    auto filter = cast<RankedTensorType>(adaptor.getFilter().getType());
    SmallVector<int64_t> sizes(padded.getShape());
    for (int d = 0; d < 2; ++d)
      sizes[2 + d] = (type.getDimSize(2 + d) - 1) * strides[d] +
                     dilations[d] * (filter.getDimSize(2 + d) - 1) + 1;
    input = tb.slice(input, SmallVector<int64_t>(4, 0), sizes);
    SmallVector<NamedAttribute, 2> attributes{
        rewriter.getNamedAttr("strides", rewriter.getI64TensorAttr(strides)),
        rewriter.getNamedAttr("dilations",
                              rewriter.getI64TensorAttr(dilations))};
    int64_t groups = op.getGroupCount();
    if (groups == 1) {
      auto conv = linalg::Conv2DNchwFchwOp::create(
          rewriter, op.getLoc(), TypeRange{type},
          ValueRange{input, adaptor.getFilter()},
          ValueRange{tb.filled(type, 0.0)}, attributes);
      rewriter.replaceOp(op, conv.getResult(0));
      return success();
    }
    // N x (G C) x H x W -> N x G x C x H x W; (G F) x C x KH x KW ->
    // G x F x C x KH x KW; the result N x G x F x OH x OW back to NCHW.
    auto split = [&](Value value, int64_t dim) {
      auto t = cast<RankedTensorType>(value.getType());
      SmallVector<int64_t> shape(t.getShape());
      shape[dim] /= groups;
      shape.insert(shape.begin() + dim, groups);
      SmallVector<ReassociationIndices> reassociation;
      for (int64_t d = 0; d < t.getRank(); ++d)
        reassociation.push_back(d < dim    ? ReassociationIndices{d}
                                : d == dim ? ReassociationIndices{d, d + 1}
                                           : ReassociationIndices{d + 1});
      return std::make_pair(
          Value(tensor::ExpandShapeOp::create(
              rewriter, op.getLoc(),
              RankedTensorType::get(shape, t.getElementType()), value,
              reassociation)),
          reassociation);
    };
    auto [groupedInput, inputGroups] = split(input, 1);
    auto [groupedFilter, filterGroups] = split(adaptor.getFilter(), 0);
    SmallVector<int64_t> resultShape(type.getShape());
    resultShape[1] /= groups;
    resultShape.insert(resultShape.begin() + 1, groups);
    auto groupedType =
        RankedTensorType::get(resultShape, type.getElementType());
    auto conv = linalg::Conv2DNgchwGfchwOp::create(
        rewriter, op.getLoc(), TypeRange{groupedType},
        ValueRange{groupedInput, groupedFilter},
        ValueRange{tb.filled(groupedType, 0.0)}, attributes);
    rewriter.replaceOpWithNewOp<tensor::CollapseShapeOp>(
        op, type, conv.getResult(0), inputGroups);
    return success();
  }
};

template <typename PetOp, typename LinalgOp>
struct ProductToNamedLinalg : public OpConversionPattern<PetOp> {
  ProductToNamedLinalg(MLIRContext *context)
      : OpConversionPattern<PetOp>(context, /*benefit=*/2) {}

  LogicalResult
  matchAndRewrite(PetOp op, typename PetOp::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    TensorBuilder tb{rewriter, op.getLoc()};
    auto type = cast<RankedTensorType>(op.getType());
    // A transposed operand is transposed first (a copy), so that the
    // product stays a named operator (a library call on the GPU).
    auto transposed = [&](Value operand) -> Value {
      auto t = cast<RankedTensorType>(operand.getType());
      SmallVector<int64_t> perm =
          llvm::to_vector(llvm::seq<int64_t>(0, t.getRank()));
      std::swap(perm[t.getRank() - 2], perm[t.getRank() - 1]);
      SmallVector<int64_t> shape = llvm::to_vector(t.getShape());
      std::swap(shape[t.getRank() - 2], shape[t.getRank() - 1]);
      Value init = tensor::EmptyOp::create(rewriter, op.getLoc(), shape,
                                           t.getElementType());
      return linalg::TransposeOp::create(rewriter, op.getLoc(), operand, init,
                                         perm)
          ->getResult(0);
    };
    Value lhs =
        op.getTransposeLhs() ? transposed(adaptor.getLhs()) : adaptor.getLhs();
    Value rhs =
        op.getTransposeRhs() ? transposed(adaptor.getRhs()) : adaptor.getRhs();
    auto product = LinalgOp::create(
        rewriter, op.getLoc(), TypeRange{type}, ValueRange{lhs, rhs},
        ValueRange{tb.filled(type, 0.0)}, ArrayRef<NamedAttribute>{});
    rewriter.replaceOp(op, product->getResult(0));
    return success();
  }
};

/// Layout operators as their tensor-dialect (or linalg) counterparts.
struct LayoutToTensor : public ConversionPattern {
  LayoutToTensor(MLIRContext *context)
      : ConversionPattern(MatchAnyOpTypeTag(), /*benefit=*/2, context) {}

  LogicalResult
  matchAndRewrite(Operation *op, ArrayRef<Value> operands,
                  ConversionPatternRewriter &rewriter) const override {
    TensorBuilder tb{rewriter, op->getLoc()};
    Location loc = op->getLoc();
    if (auto transpose = dyn_cast<TransposeOp>(op)) {
      auto type = cast<RankedTensorType>(transpose.getType());
      Value init = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                           type.getElementType());
      auto t = linalg::TransposeOp::create(rewriter, loc, operands[0], init,
                                           transpose.getPermutation());
      rewriter.replaceOp(op, t->getResult(0));
      return success();
    }
    if (auto slice = dyn_cast<SliceOp>(op)) {
      auto type = cast<RankedTensorType>(slice.getType());
      SmallVector<int64_t> strides = slice.getStrideValues();
      Value r = tensor::ExtractSliceOp::create(
          rewriter, loc, type, operands[0],
          getAsIndexOpFoldResult(rewriter.getContext(), slice.getOffsets()),
          getAsIndexOpFoldResult(rewriter.getContext(), type.getShape()),
          getAsIndexOpFoldResult(rewriter.getContext(), strides));
      rewriter.replaceOp(op, r);
      return success();
    }
    if (auto pad = dyn_cast<PadOp>(op)) {
      rewriter.replaceOp(op,
                         tb.pad(operands[0], pad.getLow(), pad.getHigh(), 0.0));
      return success();
    }
    if (auto concat = dyn_cast<ConcatOp>(op)) {
      Value r =
          tensor::ConcatOp::create(rewriter, loc, concat.getAxis(), operands);
      rewriter.replaceOp(op, r);
      return success();
    }
    if (auto split = dyn_cast<SplitOp>(op)) {
      auto type = cast<RankedTensorType>(operands[0].getType());
      SmallVector<Value> pieces;
      int64_t offset = 0;
      for (int64_t size : split.getSizes()) {
        SmallVector<int64_t> offsets(type.getRank(), 0);
        SmallVector<int64_t> sizes(type.getShape());
        offsets[split.getAxis()] = offset;
        sizes[split.getAxis()] = size;
        pieces.push_back(tb.slice(operands[0], offsets, sizes));
        offset += size;
      }
      rewriter.replaceOp(op, pieces);
      return success();
    }
    if (auto insert = dyn_cast<InsertOp>(op)) {
      rewriter.replaceOp(
          op, tb.insert(operands[0], operands[1], insert.getOffsets()));
      return success();
    }
    return failure();
  }
};

struct MultiLinearToLinalg
    : public OpInterfaceConversionPattern<MultiLinearOpInterface> {
  using OpInterfaceConversionPattern::OpInterfaceConversionPattern;

  LogicalResult
  matchAndRewrite(MultiLinearOpInterface op, ArrayRef<Value> operands,
                  ConversionPatternRewriter &rewriter) const override {
    if (isa<ReshapeOp>(op) || hasNamedForm(op))
      return rewriter.notifyMatchFailure(op, "lowered by its own pattern");
    TensorBuilder tb{rewriter, op->getLoc()};
    SmallVector<Value> results;
    for (unsigned r = 0; r < op->getNumResults(); ++r) {
      auto type = cast<RankedTensorType>(op->getResult(r).getType());
      if (!isa<FloatType>(type.getElementType()))
        return rewriter.notifyMatchFailure(op, "not a float tensor");
      MultiLinearDescription desc = op.getMultiLinearDescription(r);
      ArrayRef<MultiLinearTerm> terms = desc.terms;
      Value acc;
      // Terms alike (a sum's) go into one generic.
      auto alike = [&] {
        size_t n = 1;
        while (n < terms.size() && sameLoopsAndOutput(terms[0], terms[n]))
          ++n;
        return n;
      };
      // An element-wise operator: one generic writes the result (no zero
      // fill to add to).
      if (!terms.empty() && alike() == terms.size() &&
          writeWholeResultOnce(terms, type.getShape(), getContext())) {
        Value empty = tensor::EmptyOp::create(
            rewriter, op->getLoc(), type.getShape(), type.getElementType());
        results.push_back(
            lowerTerms(tb, terms, operands, empty, /*overwrite=*/true));
        continue;
      }
      acc = tb.filled(type, 0.0);
      while (!terms.empty()) {
        if (terms.front().divideByInBoundsCount) {
          acc = lowerAveragingTerm(tb, terms.front(), operands, acc);
          terms = terms.drop_front();
          continue;
        }
        size_t n = alike();
        acc = lowerTerms(tb, terms.take_front(n), operands, acc);
        terms = terms.drop_front(n);
      }
      results.push_back(acc);
    }
    rewriter.replaceOp(op, results);
    return success();
  }
};

/// A reshape of static shapes: collapsed to one dimension, expanded to the
/// result's.
struct ReshapeToTensor : public OpConversionPattern<ReshapeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ReshapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value value = adaptor.getInput();
    auto from = cast<RankedTensorType>(value.getType());
    auto to = cast<RankedTensorType>(op.getType());
    // To one dimension and out again; a rank-0 tensor (one element) is
    // collapsed to, or expanded from, with no reassociation.
    auto all = [](int64_t rank) {
      SmallVector<ReassociationIndices> groups;
      if (rank == 0)
        return groups;
      groups.emplace_back();
      for (int64_t d = 0; d < rank; ++d)
        groups.back().push_back(d);
      return groups;
    };
    if (from.getRank() == 0 || to.getRank() == 0) {
      if (from.getRank() == 0)
        value = tensor::ExpandShapeOp::create(rewriter, loc, to, value, all(0));
      else
        value =
            tensor::CollapseShapeOp::create(rewriter, loc, to, value, all(0));
      rewriter.replaceOp(op, value);
      return success();
    }
    if (from.getRank() != 1)
      value = tensor::CollapseShapeOp::create(rewriter, loc, value,
                                              all(from.getRank()));
    if (to.getRank() != 1)
      value = tensor::ExpandShapeOp::create(rewriter, loc, to, value,
                                            all(to.getRank()));
    rewriter.replaceOp(op, value);
    return success();
  }
};
} // namespace

//===----------------------------------------------------------------------===//
// Non-linear operators
//===----------------------------------------------------------------------===//

namespace {
template <typename OpTy>
struct ElementwiseToLinalg : public OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  using OpAdaptor = typename OpConversionPattern<OpTy>::OpAdaptor;

  LogicalResult
  matchAndRewrite(OpTy op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    TensorBuilder tb{rewriter, op.getLoc()};
    auto type = cast<RankedTensorType>(op.getType());
    Value result =
        tb.elementwise(type, ValueRange{adaptor.getInput()},
                       [&](OpBuilder &b, Location loc, ValueRange args) {
                         return buildScalarFunction(b, loc, op, args[0]);
                       });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Broadcasts `reduced` (see TensorBuilder::reduce) back and applies `fn`
/// to each element of `input` and its reduced value.
Value combineWithReduced(
    TensorBuilder &tb, Value input, ArrayRef<Value> reduced,
    ArrayRef<int64_t> dims,
    function_ref<Value(OpBuilder &, Location, ValueRange)> fn) {
  auto type = cast<RankedTensorType>(input.getType());
  unsigned rank = type.getRank();
  SmallVector<Value> inputs = {input};
  SmallVector<AffineMap> maps = {tb.b.getMultiDimIdentityMap(rank)};
  for (Value r : reduced) {
    inputs.push_back(r);
    maps.push_back(tb.broadcastMap(rank, dims));
  }
  maps.push_back(tb.b.getMultiDimIdentityMap(rank));
  Value init = tensor::EmptyOp::create(tb.b, tb.loc, type.getShape(),
                                       type.getElementType());
  return linalg::GenericOp::create(
             tb.b, tb.loc, TypeRange{type}, inputs, ValueRange{init}, maps,
             SmallVector<IteratorType>(rank, IteratorType::parallel),
             [&](OpBuilder &b, Location loc, ValueRange args) {
               linalg::YieldOp::create(b, loc, fn(b, loc, args.drop_back()));
             })
      .getResult(0);
}

struct SoftmaxToLinalg : public OpConversionPattern<SoftmaxOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(SoftmaxOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    TensorBuilder tb{rewriter, op.getLoc()};
    Value x = adaptor.getInput();
    SmallVector<int64_t> dims = {static_cast<int64_t>(op.getAxis())};
    auto maximum = [](OpBuilder &b, Location loc, Value acc, Value v) {
      return arith::MaximumFOp::create(b, loc, acc, v).getResult();
    };
    auto add = [](OpBuilder &b, Location loc, Value acc, Value v) {
      return arith::AddFOp::create(b, loc, acc, v).getResult();
    };
    Value max = tb.reduce(x, dims, -INFINITY, maximum);
    Value e = combineWithReduced(
        tb, x, {max}, dims, [](OpBuilder &b, Location loc, ValueRange args) {
          return math::ExpOp::create(
                     b, loc, arith::SubFOp::create(b, loc, args[0], args[1]))
              .getResult();
        });
    Value sum = tb.reduce(e, dims, 0.0, add);
    Value result = combineWithReduced(
        tb, e, {sum, max}, dims,
        [safe = op.getSafe()](OpBuilder &b, Location loc, ValueRange args) {
          Value quotient = arith::DivFOp::create(b, loc, args[0], args[1]);
          if (!safe)
            return quotient;
          return buildSafeSoftmaxResult(b, loc, quotient, args[2]);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct LayerNormToLinalg : public OpConversionPattern<LayerNormOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(LayerNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    TensorBuilder tb{rewriter, op.getLoc()};
    Value x = adaptor.getInput();
    auto type = cast<RankedTensorType>(x.getType());
    SmallVector<int64_t> dims;
    double count = 1;
    for (int64_t d = op.getAxis(); d < type.getRank(); ++d) {
      dims.push_back(d);
      count *= type.getDimSize(d);
    }
    Type element = type.getElementType();
    auto add = [](OpBuilder &b, Location loc, Value acc, Value v) {
      return arith::AddFOp::create(b, loc, acc, v).getResult();
    };
    auto scaled = [&](OpBuilder &b, Location loc, Value v) {
      return arith::DivFOp::create(
                 b, loc, v,
                 arith::ConstantOp::create(
                     b, loc, b.getFloatAttr(cast<FloatType>(element), count)))
          .getResult();
    };
    // Mean and biased variance, each a sum of terms divided by the count.
    Value mean = tb.reduce(x, dims, 0.0, add, scaled);
    Value centered = combineWithReduced(
        tb, x, {mean}, dims, [](OpBuilder &b, Location loc, ValueRange args) {
          return arith::SubFOp::create(b, loc, args[0], args[1]).getResult();
        });
    Value variance = tb.reduce(
        centered, dims, 0.0, add, [&](OpBuilder &b, Location loc, Value v) {
          return scaled(b, loc, arith::MulFOp::create(b, loc, v, v));
        });
    double epsilon = op.getEpsilon().convertToDouble();
    Value result = combineWithReduced(
        tb, centered, {variance}, dims,
        [&](OpBuilder &b, Location loc, ValueRange args) {
          Value eps = arith::ConstantOp::create(
              b, loc, b.getFloatAttr(cast<FloatType>(element), epsilon));
          Value inv = math::RsqrtOp::create(
              b, loc, arith::AddFOp::create(b, loc, args[1], eps));
          return arith::MulFOp::create(b, loc, args[0], inv).getResult();
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct MaxPoolToLinalg : public OpConversionPattern<MaxPool2DOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(MaxPool2DOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    TensorBuilder tb{rewriter, op.getLoc()};
    auto type = cast<RankedTensorType>(op.getType());
    SmallVector<int64_t> low = {0, 0}, high = {0, 0};
    llvm::append_range(low, op.getPadLowValues());
    llvm::append_range(high, op.getPadHighValues());
    Value input = tb.pad(adaptor.getInput(), low, high, -INFINITY);
    Value init = tb.filled(type, -INFINITY);
    Value window = tensor::EmptyOp::create(
        rewriter, op.getLoc(), op.getKernel(), type.getElementType());
    SmallVector<NamedAttribute> attrs = {
        rewriter.getNamedAttr("strides",
                              rewriter.getI64TensorAttr(op.getStrideValues())),
        rewriter.getNamedAttr(
            "dilations", rewriter.getI64TensorAttr(op.getDilationValues()))};
    auto pool = linalg::PoolingNchwMaxOp::create(
        rewriter, op.getLoc(), TypeRange{type}, ValueRange{input, window},
        ValueRange{init}, attrs);
    rewriter.replaceOp(op, pool.getResult(0));
    return success();
  }
};
} // namespace

//===----------------------------------------------------------------------===//
// Corrections
//===----------------------------------------------------------------------===//

void mlir::pet::inlineCorrections(Operation *root) {
  SmallVector<CorrectOp> corrections;
  root->walk([&](CorrectOp op) { corrections.push_back(op); });
  for (CorrectOp op : corrections) {
    IRRewriter rewriter(op);
    Block &body = op.getBody().front();
    auto yield = cast<YieldOp>(body.getTerminator());
    rewriter.inlineBlockBefore(&body, op, op.getInputs());
    // Read after inlining: a yielded region argument is now the input.
    SmallVector<Value> originals(yield.getValues());
    rewriter.eraseOp(yield);
    SmallVector<Value> results;
    for (auto [i, mutant] : llvm::enumerate(op.getMutants())) {
      Value value = mutant;
      for (const Box &box : op.getBoxesOf(i)) {
        SmallVector<int64_t> sizes;
        for (auto [lo, hi] : llvm::zip(box.getLower(), box.getUpper()))
          sizes.push_back(hi - lo);
        Value piece = SliceOp::create(
            rewriter, op.getLoc(), originals[i],
            rewriter.getDenseI64ArrayAttr(box.getLower()),
            rewriter.getDenseI64ArrayAttr(sizes), /*strides=*/nullptr);
        value = InsertOp::create(rewriter, op.getLoc(), piece, value,
                                 rewriter.getDenseI64ArrayAttr(box.getLower()));
      }
      results.push_back(value);
    }
    rewriter.replaceOp(op, results);
  }
}

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

void mlir::pet::populatePETToLinalgPatterns(RewritePatternSet &patterns) {
  MLIRContext *context = patterns.getContext();
  patterns.add<MultiLinearToLinalg, ConvToNamedLinalg, LayoutToTensor,
               ProductToNamedLinalg<MatmulOp, linalg::MatmulOp>,
               ProductToNamedLinalg<BatchMatmulOp, linalg::BatchMatmulOp>>(
      context);
  patterns.add<ReshapeToTensor, ElementwiseToLinalg<ReluOp>,
               ElementwiseToLinalg<SigmoidOp>, ElementwiseToLinalg<TanhOp>,
               ElementwiseToLinalg<RsqrtOp>, ElementwiseToLinalg<GeluOp>,
               SoftmaxToLinalg, LayerNormToLinalg, MaxPoolToLinalg>(context);
}

namespace {
struct ConvertPETToLinalgPass
    : public pet::impl::ConvertPETToLinalgBase<ConvertPETToLinalgPass> {
  using Base::Base;

  void runOnOperation() override {
    inlineCorrections(getOperation());
    ConversionTarget target(getContext());
    target.addIllegalDialect<PETDialect>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    RewritePatternSet patterns(&getContext());
    populatePETToLinalgPatterns(patterns);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
