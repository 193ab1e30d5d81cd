//===- LinalgToPET.cpp - Import linalg-on-tensors as torch-mlir emits it --===//
//
// Each pattern recognizes one linalg or tensor form and replaces it by PET
// operators computing the same values; what no pattern recognizes stays as
// it is (the PET pipeline optimizes around it). Accumulating named ops
// (convolutions, matrix products) whose init is not a zero fill get a
// pet.add of the init (torch-mlir puts the bias there).
//
//===----------------------------------------------------------------------===//

#include "PET/Conversion/LinalgToPET.h"
#include "PET/Conversion/Passes.h"

#include "ImportSupport.h"

#include "PET/Dialect/PET/PETOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Transforms/CSE.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>
#include <optional>

namespace mlir::pet {
#define GEN_PASS_DEF_CONVERTLINALGTOPET
#include "PET/Conversion/Passes.h.inc"
} // namespace mlir::pet

using namespace mlir;
using namespace mlir::pet;
using namespace mlir::pet::linalg_import;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

std::optional<double> mlir::pet::linalg_import::getConstantFloat(Value value) {
  // A constant of another width: what torch-mlir writes for Python floats
  // (an f64 constant truncated where it is used), the value it becomes.
  if (isa_and_nonnull<arith::TruncFOp, arith::ExtFOp>(value.getDefiningOp())) {
    std::optional<double> wide =
        getConstantFloat(value.getDefiningOp()->getOperand(0));
    auto type = dyn_cast<FloatType>(value.getType());
    if (!wide || !type)
      return std::nullopt;
    APFloat narrow(*wide);
    bool lost;
    narrow.convert(type.getFloatSemantics(), APFloat::rmNearestTiesToEven,
                   &lost);
    return narrow.convertToDouble();
  }
  FloatAttr scalar;
  if (matchPattern(value, m_Constant(&scalar)))
    return scalar.getValueAsDouble();
  DenseFPElementsAttr dense;
  if (matchPattern(value, m_Constant(&dense)) && dense.isSplat())
    return dense.getSplatValue<APFloat>().convertToDouble();
  return std::nullopt;
}

bool mlir::pet::linalg_import::isFilledWith(Value value, double expected) {
  if (auto fill = value.getDefiningOp<linalg::FillOp>())
    value = fill.getInputs()[0];
  std::optional<double> v = getConstantFloat(value);
  return v && *v == expected;
}

static SmallVector<int64_t> toVector(DenseIntElementsAttr attr) {
  return llvm::map_to_vector(attr.getValues<int64_t>(),
                             [](int64_t v) { return v; });
}

/// Named attributes as PET's users write them: only those that differ from
/// their defaults (every value `defaultValue`).
struct AttrList {
  OpBuilder &b;
  SmallVector<NamedAttribute> attrs;

  AttrList &add(StringRef name, ArrayRef<int64_t> values,
                std::optional<int64_t> defaultValue) {
    if (!defaultValue ||
        llvm::any_of(values, [&](int64_t v) { return v != *defaultValue; }))
      attrs.push_back(b.getNamedAttr(name, b.getDenseI64ArrayAttr(values)));
    return *this;
  }
  AttrList &add(StringRef name, int64_t value, int64_t defaultValue) {
    if (value != defaultValue)
      attrs.push_back(b.getNamedAttr(name, b.getI64IntegerAttr(value)));
    return *this;
  }
};

Value mlir::pet::linalg_import::reshapeTo(PatternRewriter &rewriter,
                                          Location loc, Value value,
                                          ArrayRef<int64_t> shape) {
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getShape() == shape)
    return value;
  return ReshapeOp::create(rewriter, loc,
                           RankedTensorType::get(shape, type.getElementType()),
                           value);
}

FailureOr<SmallVector<int64_t>>
mlir::pet::linalg_import::getBroadcastShape(Value value, AffineMap map,
                                            ArrayRef<int64_t> shape) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type || !type.hasStaticShape() || map.getNumSymbols())
    return failure();
  SmallVector<int64_t> target(shape.size(), 1);
  int64_t last = -1;
  for (auto [i, expr] : llvm::enumerate(map.getResults())) {
    if (auto dim = dyn_cast<AffineDimExpr>(expr)) {
      int64_t d = dim.getPosition();
      if (d <= last ||
          (type.getDimSize(i) != shape[d] && type.getDimSize(i) != 1))
        return failure();
      target[d] = type.getDimSize(i);
      last = d;
      continue;
    }
    auto constant = dyn_cast<AffineConstantExpr>(expr);
    if (!constant || constant.getValue() != 0 || type.getDimSize(i) != 1)
      return failure();
  }
  return target;
}

/// Whether `OpTy` built from `operands` and `attrs` with result type
/// `type` verifies, tried outside the IR: patterns create nothing until they
/// know they succeed.
template <typename OpTy>
static bool wouldVerify(Location loc, ValueRange operands,
                        ArrayRef<NamedAttribute> attrs, Type type) {
  ScopedDiagnosticHandler quiet(loc.getContext(),
                                [](Diagnostic &) { return success(); });
  OperationState state(loc, OpTy::getOperationName(), operands, {type}, attrs);
  Operation *op = Operation::create(state);
  bool valid = succeeded(verify(op));
  op->destroy();
  return valid;
}

/// `result` plus what an accumulating named operator started from.
static Value addInit(PatternRewriter &rewriter, Location loc, Value result,
                     Value init) {
  if (isFilledWith(init, 0.0))
    return result;
  auto type = cast<RankedTensorType>(result.getType());
  if (auto broadcast = init.getDefiningOp<linalg::BroadcastOp>()) {
    // A bias broadcast into the output: added with PET's broadcasting.
    Value input = broadcast.getInput();
    auto inputType = cast<RankedTensorType>(input.getType());
    SmallVector<int64_t> shape(type.getRank(), 1);
    ArrayRef<int64_t> added = broadcast.getDimensions();
    unsigned next = 0;
    for (int64_t d = 0; d < type.getRank(); ++d)
      if (!llvm::is_contained(added, d))
        shape[d] = inputType.getDimSize(next++);
    Value bias = reshapeTo(rewriter, loc, input, shape);
    return AddOp::create(rewriter, loc, ValueRange{result, bias});
  }
  return AddOp::create(rewriter, loc, ValueRange{result, init});
}

/// The zero padding of a tensor.pad that feeds a pooling or convolution,
/// {input, low, high}; the input itself with no padding otherwise.
struct Padded {
  Value input;
  SmallVector<int64_t> low, high;
};

static Padded peelPad(Value value, double padValue) {
  auto type = cast<RankedTensorType>(value.getType());
  Padded padded{value, SmallVector<int64_t>(type.getRank(), 0),
                SmallVector<int64_t>(type.getRank(), 0)};
  auto pad = value.getDefiningOp<tensor::PadOp>();
  if (!pad)
    return padded;
  Value constant = pad.getConstantPaddingValue();
  if (!constant || !isFilledWith(constant, padValue) || !pad.getLow().empty() ||
      !pad.getHigh().empty())
    return padded;
  padded.input = pad.getSource();
  padded.low.assign(pad.getStaticLow().begin(), pad.getStaticLow().end());
  padded.high.assign(pad.getStaticHigh().begin(), pad.getStaticHigh().end());
  return padded;
}

//===----------------------------------------------------------------------===//
// Convolutions and matrix products
//===----------------------------------------------------------------------===//

/// pet.conv2d's attributes for a linalg convolution of `groups` groups.
template <typename LinalgConv>
static SmallVector<NamedAttribute>
convAttributes(PatternRewriter &rewriter, LinalgConv op, int64_t groups) {
  AttrList attrs{rewriter, {}};
  attrs.add("strides", toVector(op.getStrides()), 1)
      .add("dilations", toVector(op.getDilations()), 1)
      .add("groups", groups, 1);
  return attrs.attrs;
}

namespace {
struct ImportConv2DNchwFchw
    : public OpRewritePattern<linalg::Conv2DNchwFchwOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::Conv2DNchwFchwOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics())
      return failure();
    Location loc = op.getLoc();
    SmallVector<NamedAttribute> attrs = convAttributes(rewriter, op, 1);
    ValueRange operands = op.getInputs();
    if (!wouldVerify<Conv2DOp>(loc, operands, attrs, op.getResultTypes()[0]))
      return rewriter.notifyMatchFailure(op, "PET rejects the parameters");
    auto conv = Conv2DOp::create(rewriter, loc, operands, attrs);
    Value result = addInit(rewriter, loc, conv, op.getOutputs()[0]);
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Grouped convolution: [N, G, C, H, W] * [G, F, C, KH, KW].
struct ImportConv2DNgchwGfchw
    : public OpRewritePattern<linalg::Conv2DNgchwGfchwOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::Conv2DNgchwGfchwOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics())
      return failure();
    Location loc = op.getLoc();
    Value input = op.getInputs()[0], filter = op.getInputs()[1];
    auto in = cast<RankedTensorType>(input.getType());
    auto fl = cast<RankedTensorType>(filter.getType());
    auto out = cast<RankedTensorType>(op.getResultTypes()[0]);
    if (!in.hasStaticShape() || !fl.hasStaticShape() || !out.hasStaticShape())
      return failure();
    int64_t groups = in.getDimSize(1);
    Value in4 = reshapeTo(rewriter, loc, input,
                          {in.getDimSize(0), groups * in.getDimSize(2),
                           in.getDimSize(3), in.getDimSize(4)});
    Value f4 = reshapeTo(rewriter, loc, filter,
                         {groups * fl.getDimSize(1), fl.getDimSize(2),
                          fl.getDimSize(3), fl.getDimSize(4)});
    auto conv = Conv2DOp::create(rewriter, loc, ValueRange{in4, f4},
                                 convAttributes(rewriter, op, groups));
    Value y = reshapeTo(rewriter, loc, conv, out.getShape());
    rewriter.replaceOp(op, addInit(rewriter, loc, y, op.getOutputs()[0]));
    return success();
  }
};

/// Depthwise convolution: [N, C, H, W] * [C, KH, KW], one group per channel.
struct ImportDepthwiseConv2DNchwChw
    : public OpRewritePattern<linalg::DepthwiseConv2DNchwChwOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::DepthwiseConv2DNchwChwOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics())
      return failure();
    Location loc = op.getLoc();
    Value filter = op.getInputs()[1];
    auto fl = cast<RankedTensorType>(filter.getType());
    if (!fl.hasStaticShape())
      return failure();
    auto in = cast<RankedTensorType>(op.getInputs()[0].getType());
    if (!in.hasStaticShape() || in.getDimSize(1) != fl.getDimSize(0))
      return rewriter.notifyMatchFailure(op, "channel multiplier");
    Value f4 =
        reshapeTo(rewriter, loc, filter,
                  {fl.getDimSize(0), 1, fl.getDimSize(1), fl.getDimSize(2)});
    auto conv =
        Conv2DOp::create(rewriter, loc, ValueRange{op.getInputs()[0], f4},
                         convAttributes(rewriter, op, fl.getDimSize(0)));
    rewriter.replaceOp(op, addInit(rewriter, loc, conv, op.getOutputs()[0]));
    return success();
  }
};

template <typename LinalgOp, typename PetOp>
struct ImportMatmul : public OpRewritePattern<LinalgOp> {
  using OpRewritePattern<LinalgOp>::OpRewritePattern;

  LogicalResult matchAndRewrite(LinalgOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics() || op.hasUserDefinedMaps())
      return rewriter.notifyMatchFailure(op, "transposed or broadcast form");
    Location loc = op.getLoc();
    ValueRange operands = op.getInputs();
    if (!wouldVerify<PetOp>(loc, operands, {}, op.getResultTypes()[0]))
      return rewriter.notifyMatchFailure(op, "element types");
    auto product =
        PetOp::create(rewriter, loc, operands, ArrayRef<NamedAttribute>{});
    rewriter.replaceOp(op, addInit(rewriter, loc, product, op.getOutputs()[0]));
    return success();
  }
};

/// A batch matmul of one batch is a matmul between reshapes: the form PET's
/// generator merges (Q, K and V projections of one input).
struct ImportSingleBatchMatmul
    : public OpRewritePattern<linalg::BatchMatmulOp> {
  ImportSingleBatchMatmul(MLIRContext *context)
      : OpRewritePattern(context, /*benefit=*/2) {}

  LogicalResult matchAndRewrite(linalg::BatchMatmulOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics() || op.hasUserDefinedMaps())
      return rewriter.notifyMatchFailure(op, "transposed or broadcast form");
    auto lhs = cast<RankedTensorType>(op.getInputs()[0].getType());
    auto rhs = cast<RankedTensorType>(op.getInputs()[1].getType());
    auto out = cast<RankedTensorType>(op.getResultTypes()[0]);
    if (!lhs.hasStaticShape() || !rhs.hasStaticShape() ||
        lhs.getDimSize(0) != 1 || rhs.getDimSize(0) != 1 ||
        lhs.getElementType() != out.getElementType() ||
        rhs.getElementType() != out.getElementType())
      return rewriter.notifyMatchFailure(op, "not one batch");
    Location loc = op.getLoc();
    Value a = reshapeTo(rewriter, loc, op.getInputs()[0],
                        lhs.getShape().drop_front());
    Value b = reshapeTo(rewriter, loc, op.getInputs()[1],
                        rhs.getShape().drop_front());
    Value product = MatmulOp::create(rewriter, loc, ValueRange{a, b},
                                     ArrayRef<NamedAttribute>{});
    Value result = reshapeTo(rewriter, loc, product, out.getShape());
    rewriter.replaceOp(op, addInit(rewriter, loc, result, op.getOutputs()[0]));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

struct ImportMaxPool : public OpRewritePattern<linalg::PoolingNchwMaxOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::PoolingNchwMaxOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics() ||
        !isFilledWith(op.getOutputs()[0], -INFINITY))
      return rewriter.notifyMatchFailure(op, "init is not -inf");
    Padded padded = peelPad(op.getInputs()[0], -INFINITY);
    if (padded.low[0] || padded.low[1] || padded.high[0] || padded.high[1])
      return rewriter.notifyMatchFailure(op, "pads batch or channels");
    auto window = cast<RankedTensorType>(op.getInputs()[1].getType());
    // Strides are always written: pet.max_pool2d defaults them to the
    // kernel, not to 1.
    AttrList attrs{rewriter, {}};
    attrs.add("kernel", window.getShape(), std::nullopt)
        .add("strides", toVector(op.getStrides()), std::nullopt)
        .add("pad_low", ArrayRef(padded.low).drop_front(2), 0)
        .add("pad_high", ArrayRef(padded.high).drop_front(2), 0)
        .add("dilations", toVector(op.getDilations()), 1);
    if (!wouldVerify<MaxPool2DOp>(op.getLoc(), padded.input, attrs.attrs,
                                  op.getResultTypes()[0]))
      return rewriter.notifyMatchFailure(op, "PET rejects the parameters");
    rewriter.replaceOpWithNewOp<MaxPool2DOp>(op, ValueRange{padded.input},
                                             attrs.attrs);
    return success();
  }
};

/// A sum over a window: the (padding-counting) average times the window's
/// size.
struct ImportSumPool : public OpRewritePattern<linalg::PoolingNchwSumOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::PoolingNchwSumOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics() || !isFilledWith(op.getOutputs()[0], 0.0))
      return rewriter.notifyMatchFailure(op, "init is not zero");
    if (llvm::any_of(op.getDilations().getValues<int64_t>(),
                     [](int64_t d) { return d != 1; }))
      return rewriter.notifyMatchFailure(op, "dilated");
    Padded padded = peelPad(op.getInputs()[0], 0.0);
    if (padded.low[0] || padded.low[1] || padded.high[0] || padded.high[1])
      return rewriter.notifyMatchFailure(op, "pads batch or channels");
    auto window = cast<RankedTensorType>(op.getInputs()[1].getType());
    AttrList attrs{rewriter, {}};
    attrs.add("kernel", window.getShape(), std::nullopt)
        .add("strides", toVector(op.getStrides()), std::nullopt)
        .add("pad_low", ArrayRef(padded.low).drop_front(2), 0)
        .add("pad_high", ArrayRef(padded.high).drop_front(2), 0);
    if (!wouldVerify<AvgPool2DOp>(op.getLoc(), padded.input, attrs.attrs,
                                  op.getResultTypes()[0]))
      return rewriter.notifyMatchFailure(op, "PET rejects the parameters");
    auto pool = AvgPool2DOp::create(rewriter, op.getLoc(),
                                    ValueRange{padded.input}, attrs.attrs);
    // The sum: the average times the window's size.
    rewriter.replaceOpWithNewOp<ScaleOp>(
        op, pool,
        rewriter.getF64FloatAttr(static_cast<double>(window.getNumElements())));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Layout
//===----------------------------------------------------------------------===//

struct ImportTranspose : public OpRewritePattern<linalg::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::TransposeOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics())
      return failure();
    rewriter.replaceOpWithNewOp<TransposeOp>(
        op, ValueRange{op.getInput()},
        ArrayRef<NamedAttribute>{rewriter.getNamedAttr(
            "permutation",
            rewriter.getDenseI64ArrayAttr(op.getPermutation()))});
    return success();
  }
};

template <typename ReshapeLike>
struct ImportReshape : public OpRewritePattern<ReshapeLike> {
  using OpRewritePattern<ReshapeLike>::OpRewritePattern;

  LogicalResult matchAndRewrite(ReshapeLike op,
                                PatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    if (!type.hasStaticShape() ||
        !cast<RankedTensorType>(op.getSrc().getType()).hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shape");
    rewriter.replaceOpWithNewOp<ReshapeOp>(op, type, op.getSrc());
    return success();
  }
};

struct ImportConcat : public OpRewritePattern<tensor::ConcatOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(tensor::ConcatOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.getType().hasStaticShape())
      return failure();
    rewriter.replaceOpWithNewOp<ConcatOp>(
        op, op.getInputs(),
        ArrayRef<NamedAttribute>{rewriter.getNamedAttr(
            "axis", rewriter.getI64IntegerAttr(op.getDim()))});
    return success();
  }
};

/// Whether all offsets, sizes and strides are static.
template <typename SliceLike> static bool isStaticSlice(SliceLike op) {
  return op.getOffsets().empty() && op.getSizes().empty() &&
         op.getStrides().empty();
}

struct ImportExtractSlice : public OpRewritePattern<tensor::ExtractSliceOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(tensor::ExtractSliceOp op,
                                PatternRewriter &rewriter) const override {
    if (!isStaticSlice(op) ||
        !cast<RankedTensorType>(op.getSource().getType()).hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic slice");
    if (llvm::any_of(op.getStaticStrides(), [](int64_t s) { return s < 1; }))
      return rewriter.notifyMatchFailure(op, "non-positive stride");
    Location loc = op.getLoc();
    auto slice =
        SliceOp::create(rewriter, loc, op.getSource(),
                        rewriter.getDenseI64ArrayAttr(op.getStaticOffsets()),
                        rewriter.getDenseI64ArrayAttr(op.getStaticSizes()),
                        rewriter.getDenseI64ArrayAttr(op.getStaticStrides()));
    // A rank-reducing slice drops unit dimensions: a reshape.
    Value result = reshapeTo(rewriter, loc, slice, op.getType().getShape());
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct ImportInsertSlice : public OpRewritePattern<tensor::InsertSliceOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(tensor::InsertSliceOp op,
                                PatternRewriter &rewriter) const override {
    if (!isStaticSlice(op) || !op.getSourceType().hasStaticShape() ||
        !op.getDestType().hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic slice");
    if (llvm::any_of(op.getStaticStrides(), [](int64_t s) { return s != 1; }))
      return rewriter.notifyMatchFailure(op, "strided insert");
    Location loc = op.getLoc();
    Value source =
        reshapeTo(rewriter, loc, op.getSource(), op.getStaticSizes());
    rewriter.replaceOpWithNewOp<InsertOp>(
        op, source, op.getDest(),
        rewriter.getDenseI64ArrayAttr(op.getStaticOffsets()));
    return success();
  }
};

struct ImportPad : public OpRewritePattern<tensor::PadOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(tensor::PadOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.getType().hasStaticShape() || !op.getLow().empty() ||
        !op.getHigh().empty())
      return rewriter.notifyMatchFailure(op, "dynamic padding");
    Value value = op.getConstantPaddingValue();
    if (!value || !isFilledWith(value, 0.0))
      return rewriter.notifyMatchFailure(op, "not a zero padding");
    // Kept for a pooling that reads it (its padding value is its own).
    if (llvm::any_of(op->getUsers(), [](Operation *user) {
          return isa<linalg::PoolingNchwMaxOp>(user);
        }))
      return failure();
    if (llvm::any_of(op.getStaticLow(), [](int64_t p) { return p < 0; }) ||
        llvm::any_of(op.getStaticHigh(), [](int64_t p) { return p < 0; }))
      return failure();
    rewriter.replaceOpWithNewOp<PadOp>(
        op, ValueRange{op.getSource()},
        ArrayRef<NamedAttribute>{
            rewriter.getNamedAttr(
                "low", rewriter.getDenseI64ArrayAttr(op.getStaticLow())),
            rewriter.getNamedAttr(
                "high", rewriter.getDenseI64ArrayAttr(op.getStaticHigh()))});
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Element-wise generics
//===----------------------------------------------------------------------===//

/// An element-wise linalg.generic: all loops parallel, one result written
/// through the identity map.
static bool isElementwise(linalg::GenericOp op) {
  if (!op.hasPureTensorSemantics() || op.getNumDpsInits() != 1 ||
      op.getNumLoops() != op.getNumParallelLoops() ||
      !op.getMatchingIndexingMap(op.getDpsInitOperand(0)).isIdentity())
    return false;
  auto type = cast<RankedTensorType>(op.getResultTypes()[0]);
  // One element type throughout (PET has no casts).
  return type.hasStaticShape() && isa<FloatType>(type.getElementType()) &&
         llvm::all_of(op.getDpsInputs(), [&](Value v) {
           auto t = dyn_cast<RankedTensorType>(v.getType());
           return t && t.getElementType() == type.getElementType();
         });
}

struct ImportElementwiseGeneric : public OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    if (!isElementwise(op))
      return rewriter.notifyMatchFailure(op, "not element-wise");
    Block &body = op.getRegion().front();
    auto yield = cast<linalg::YieldOp>(body.getTerminator());
    Value yielded = yield.getValues()[0];
    auto type = cast<RankedTensorType>(op.getResultTypes()[0]);
    Location loc = op.getLoc();
    // The generic's input behind a block argument, with the shape it has as
    // an operand of PET's broadcasting operators (nothing is created yet).
    struct Input {
      Value value;
      SmallVector<int64_t> shape;
      bool isFull;
    };
    auto operandOf = [&](Value v) -> FailureOr<Input> {
      auto arg = dyn_cast<BlockArgument>(v);
      if (!arg || arg.getOwner() != &body ||
          arg.getArgNumber() >= op.getNumDpsInputs())
        return failure();
      OpOperand *operand = op.getDpsInputOperand(arg.getArgNumber());
      FailureOr<SmallVector<int64_t>> shape = getBroadcastShape(
          operand->get(), op.getMatchingIndexingMap(operand), type.getShape());
      if (failed(shape))
        return failure();
      bool isFull = ArrayRef<int64_t>(*shape) == type.getShape();
      return Input{operand->get(), *shape, isFull};
    };
    auto materialize = [&](const Input &in) {
      return reshapeTo(rewriter, loc, in.value, in.shape);
    };
    // The PET operators made below have the generic's type by construction.
    auto replace = [&](Value v) {
      rewriter.replaceOp(op, v);
      return success();
    };
    // A copy: a transpose, or a broadcast along size-1 dimensions (a
    // reshape).
    if (auto arg = dyn_cast<BlockArgument>(yielded);
        arg && arg.getOwner() == &body &&
        arg.getArgNumber() < op.getNumDpsInputs()) {
      OpOperand *operand = op.getDpsInputOperand(arg.getArgNumber());
      AffineMap map = op.getMatchingIndexingMap(operand);
      if (map.isPermutation() && !map.isIdentity()) {
        // result[d] = input[map(d)]: the transpose by the inverse.
        SmallVector<int64_t> perm(map.getNumResults());
        for (auto [i, expr] : llvm::enumerate(map.getResults()))
          perm[cast<AffineDimExpr>(expr).getPosition()] = i;
        return replace(TransposeOp::create(
            rewriter, loc, ValueRange{operand->get()},
            ArrayRef<NamedAttribute>{rewriter.getNamedAttr(
                "permutation", rewriter.getDenseI64ArrayAttr(perm))}));
      }
      FailureOr<Input> in = operandOf(yielded);
      if (succeeded(in) && in->isFull)
        return replace(materialize(*in));
      return rewriter.notifyMatchFailure(op, "a broadcast PET cannot express");
    }
    Operation *def = yielded.getDefiningOp();
    if (!def || def->getBlock() != &body)
      return rewriter.notifyMatchFailure(op, "yields no computation");
    // A scalar constant, or an input that is a splat constant tensor.
    auto constantOf = [&](Value v) -> std::optional<double> {
      if (std::optional<double> c = getConstantFloat(v))
        return c;
      auto arg = dyn_cast<BlockArgument>(v);
      if (!arg || arg.getOwner() != &body ||
          arg.getArgNumber() >= op.getNumDpsInputs())
        return std::nullopt;
      return getConstantFloat(op.getDpsInputOperand(arg.getArgNumber())->get());
    };
    // Sums, differences and products of two inputs.
    if (isa<arith::AddFOp, arith::SubFOp, arith::MulFOp>(def)) {
      FailureOr<Input> a = operandOf(def->getOperand(0));
      FailureOr<Input> b = operandOf(def->getOperand(1));
      // PET's result is the broadcast of its operands: one must be full.
      if (succeeded(a) && succeeded(b) && (a->isFull || b->isFull)) {
        SmallVector<Value, 2> operands = {materialize(*a), materialize(*b)};
        Value r;
        if (isa<arith::AddFOp>(def))
          r = AddOp::create(rewriter, loc, operands);
        else if (isa<arith::SubFOp>(def))
          r = SubOp::create(rewriter, loc, operands);
        else
          r = MulOp::create(rewriter, loc, operands);
        rewriter.replaceOp(op, r);
        return success();
      }
    }
    // Adding a constant: x + c, c + x, x - c, c - x (a constant tensor of
    // ones' shape, broadcast).
    if (isa<arith::AddFOp, arith::SubFOp>(def)) {
      for (unsigned side : {1u, 0u}) {
        std::optional<double> c = constantOf(def->getOperand(side));
        FailureOr<Input> in = operandOf(def->getOperand(1 - side));
        if (!c || failed(in) || !in->isFull || !std::isfinite(*c))
          continue;
        auto constantType = RankedTensorType::get(
            SmallVector<int64_t>(type.getRank(), 1), type.getElementType());
        Value constant = arith::ConstantOp::create(
            rewriter, loc,
            DenseElementsAttr::get(
                constantType,
                rewriter.getFloatAttr(type.getElementType(), *c)));
        Value x = materialize(*in);
        if (isa<arith::AddFOp>(def))
          return replace(AddOp::create(rewriter, loc, ValueRange{x, constant}));
        return replace(
            side == 1 ? SubOp::create(rewriter, loc, ValueRange{x, constant})
                      : SubOp::create(rewriter, loc, ValueRange{constant, x}));
      }
    }
    // Scaling by a constant: x * c, c * x, x / c, -x.
    auto scaleBy = [&](Value x, double factor) -> LogicalResult {
      FailureOr<Input> in = operandOf(x);
      if (failed(in) || !in->isFull || !std::isfinite(factor))
        return rewriter.notifyMatchFailure(op, "not a full scaled input");
      return replace(ScaleOp::create(rewriter, loc, materialize(*in),
                                     rewriter.getF64FloatAttr(factor)));
    };
    if (auto mul = dyn_cast<arith::MulFOp>(def)) {
      if (std::optional<double> c = constantOf(mul.getRhs()))
        return scaleBy(mul.getLhs(), *c);
      if (std::optional<double> c = constantOf(mul.getLhs()))
        return scaleBy(mul.getRhs(), *c);
    }
    if (auto div = dyn_cast<arith::DivFOp>(def))
      if (std::optional<double> c = constantOf(div.getRhs()))
        if (*c != 0)
          return scaleBy(div.getLhs(), 1.0 / *c);
    if (auto neg = dyn_cast<arith::NegFOp>(def))
      return scaleBy(neg.getOperand(), -1.0);
    // ReLU: max(x, 0), or x > 0 ? x : 0.
    auto relu = [&](Value x) -> LogicalResult {
      FailureOr<Input> in = operandOf(x);
      if (failed(in) || !in->isFull)
        return rewriter.notifyMatchFailure(op, "not a full input");
      return replace(ReluOp::create(rewriter, loc, materialize(*in)));
    };
    if (auto max = dyn_cast<arith::MaximumFOp>(def)) {
      if (isFilledWith(max.getRhs(), 0.0))
        return relu(max.getLhs());
      if (isFilledWith(max.getLhs(), 0.0))
        return relu(max.getRhs());
    }
    if (auto select = dyn_cast<arith::SelectOp>(def)) {
      auto cmp = select.getCondition().getDefiningOp<arith::CmpFOp>();
      if (cmp &&
          (cmp.getPredicate() == arith::CmpFPredicate::UGT ||
           cmp.getPredicate() == arith::CmpFPredicate::OGT) &&
          cmp.getLhs() == select.getTrueValue() &&
          isFilledWith(cmp.getRhs(), 0.0) &&
          isFilledWith(select.getFalseValue(), 0.0))
        return relu(select.getTrueValue());
    }
    if (isa<math::TanhOp, math::RsqrtOp>(def)) {
      FailureOr<Input> in = operandOf(def->getOperand(0));
      if (succeeded(in) && in->isFull) {
        Value x = materialize(*in);
        if (isa<math::TanhOp>(def))
          return replace(TanhOp::create(rewriter, loc, x));
        return replace(RsqrtOp::create(rewriter, loc, x));
      }
    }
    return rewriter.notifyMatchFailure(op, "body not recognized");
  }
};
} // namespace

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

void mlir::pet::populateLinalgToPETPatterns(RewritePatternSet &patterns) {
  MLIRContext *context = patterns.getContext();
  patterns.add<
      ImportConv2DNchwFchw, ImportConv2DNgchwGfchw,
      ImportDepthwiseConv2DNchwChw, ImportMatmul<linalg::MatmulOp, MatmulOp>,
      ImportMatmul<linalg::BatchMatmulOp, BatchMatmulOp>,
      ImportSingleBatchMatmul, ImportMaxPool, ImportSumPool, ImportTranspose,
      ImportReshape<tensor::CollapseShapeOp>,
      ImportReshape<tensor::ExpandShapeOp>, ImportConcat, ImportExtractSlice,
      ImportInsertSlice, ImportPad, ImportElementwiseGeneric>(context);
  populateNormalizationImportPatterns(patterns);
}

namespace {
struct ConvertLinalgToPETPass
    : public pet::impl::ConvertLinalgToPETBase<ConvertLinalgToPETPass> {
  using Base::Base;

  void runOnOperation() override {
    MLIRContext *context = &getContext();
    RewritePatternSet patterns(context);
    populateLinalgToPETPatterns(patterns);
    // PET's canonicalizations join what the import makes (reshape chains,
    // paddings into convolutions, scales).
    for (RegisteredOperationName name : context->getRegisteredOperations())
      if (name.getDialectNamespace() == PETDialect::getDialectNamespace())
        name.getCanonicalizationPatterns(patterns, context);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
    // The same reshape of an input made for several operators becomes one
    // value, so that operators reading it are seen to share it.
    IRRewriter rewriter(context);
    DominanceInfo dominance;
    eliminateCommonSubExpressions(rewriter, dominance, getOperation());
  }
};
} // namespace
