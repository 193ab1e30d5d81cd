//===- FoldChannelScales.cpp - Channel scales into convolution filters ----===//

#include "PET/Transforms/Passes.h"

#include "PET/Dialect/PET/EntryFunctions.h"
#include "PET/Dialect/PET/PETOps.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::pet {
#define GEN_PASS_DEF_PETFOLDCHANNELSCALES
#include "PET/Transforms/Passes.h.inc"
} // namespace mlir::pet

using namespace mlir;
using namespace mlir::pet;

namespace {
/// The shape `F x 1 x 1 x 1` (or all ones for a single factor) that scales
/// the filter of a convolution with `channels` output channels as `type`
/// scales its result under NumPy broadcasting; failure if `type` is not one
/// factor per output channel.
FailureOr<SmallVector<int64_t>> filterScaleShape(RankedTensorType type,
                                                 int64_t channels) {
  if (type.getNumElements() == 1)
    return SmallVector<int64_t>(4, 1);
  // Aligned on the last dimension: the channel dimension is third from the
  // end, everything else is 1.
  ArrayRef<int64_t> shape = type.getShape();
  if (shape.size() < 3 || type.getNumElements() != channels ||
      shape[shape.size() - 3] != channels)
    return failure();
  return SmallVector<int64_t>{channels, 1, 1, 1};
}

/// `conv` with another filter, at the rewriter's insertion point.
Value convWithFilter(PatternRewriter &rewriter, Conv2DOp conv, Value filter) {
  return Conv2DOp::create(rewriter, conv.getLoc(), conv.getType(),
                          conv.getInput(), filter, conv.getStridesAttr(),
                          conv.getPadLowAttr(), conv.getPadHighAttr(),
                          conv.getDilationsAttr(), conv.getGroupsAttr());
}

/// The convolution producing `value` that nothing else reads, with a
/// filter computed from weights only.
Conv2DOp foldableConv(Value value) {
  auto conv = value.getDefiningOp<Conv2DOp>();
  if (!conv || !conv->hasOneUse() || !dependsOnlyOnWeights(conv.getFilter()))
    return {};
  return conv;
}

/// mul(conv(x, w), s) -> conv(x, w * reshape(s)).
struct FoldMul : public OpRewritePattern<MulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MulOp op,
                                PatternRewriter &rewriter) const override {
    for (auto [convSide, scaleSide] : {std::pair(op.getLhs(), op.getRhs()),
                                       std::pair(op.getRhs(), op.getLhs())}) {
      Conv2DOp conv = foldableConv(convSide);
      if (!conv || conv.getType() != op.getType() ||
          !dependsOnlyOnWeights(scaleSide))
        continue;
      auto scaleType = cast<RankedTensorType>(scaleSide.getType());
      auto filterType = cast<RankedTensorType>(conv.getFilter().getType());
      FailureOr<SmallVector<int64_t>> shape =
          filterScaleShape(scaleType, filterType.getDimSize(0));
      if (failed(shape) ||
          scaleType.getElementType() != filterType.getElementType())
        continue;
      Location loc = op.getLoc();
      Value factors = scaleSide;
      auto factorType =
          RankedTensorType::get(*shape, scaleType.getElementType());
      if (factorType != scaleType)
        factors = ReshapeOp::create(rewriter, loc, factorType, factors);
      Value filter =
          MulOp::create(rewriter, loc, filterType, conv.getFilter(), factors);
      rewriter.replaceOp(op, convWithFilter(rewriter, conv, filter));
      rewriter.eraseOp(conv);
      return success();
    }
    return rewriter.notifyMatchFailure(op, "not a convolution's channel scale");
  }
};

/// scale(conv(x, w), c) -> conv(x, scale(w, c)).
struct FoldScale : public OpRewritePattern<ScaleOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ScaleOp op,
                                PatternRewriter &rewriter) const override {
    Conv2DOp conv = foldableConv(op.getInput());
    if (!conv)
      return rewriter.notifyMatchFailure(op, "not a convolution's scale");
    Value filter =
        ScaleOp::create(rewriter, op.getLoc(), conv.getFilter().getType(),
                        conv.getFilter(), op.getFactorAttr());
    rewriter.replaceOp(op, convWithFilter(rewriter, conv, filter));
    rewriter.eraseOp(conv);
    return success();
  }
};

/// The operand of the two-operand `op` other than `side`.
Value otherOperand(Operation *op, Value side) {
  return op->getOperand(0) == side ? op->getOperand(1) : op->getOperand(0);
}

/// A foldable convolution's result plus an offset from weights only, with
/// the convolution's type: the convolution, and the offset.
std::optional<std::pair<Conv2DOp, Value>> convPlusOffset(Value value) {
  auto add = value.getDefiningOp<AddOp>();
  if (!add || !add->hasOneUse())
    return std::nullopt;
  for (Value side : add->getOperands()) {
    Conv2DOp conv = foldableConv(side);
    Value offset = otherOperand(add, side);
    if (conv && conv.getType() == add.getType() && dependsOnlyOnWeights(offset))
      return std::pair(conv, offset);
  }
  return std::nullopt;
}

/// sub(conv(x, w), c) -> add(conv(x, w), scale(c, -1)), with c from
/// weights only (batch normalization's mean): the offset is then a bias.
struct SubToAdd : public OpRewritePattern<SubOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(SubOp op,
                                PatternRewriter &rewriter) const override {
    Conv2DOp conv = foldableConv(op.getLhs());
    if (!conv || conv.getType() != op.getType() ||
        !dependsOnlyOnWeights(op.getRhs()))
      return rewriter.notifyMatchFailure(op, "not a convolution's offset");
    Value negated =
        ScaleOp::create(rewriter, op.getLoc(), op.getRhs().getType(),
                        op.getRhs(), rewriter.getF64FloatAttr(-1.0));
    rewriter.replaceOpWithNewOp<AddOp>(op, op.getType(), op.getLhs(), negated);
    return success();
  }
};

/// mul(add(conv(x, w), b), s) -> add(mul(conv(x, w), s), mul(b, s)), with
/// s one factor per output channel and b from weights only: the scale
/// then reaches the convolution (FoldMul) and the offset stays a bias.
struct ScaleThroughOffset : public OpRewritePattern<MulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MulOp op,
                                PatternRewriter &rewriter) const override {
    for (Value side : op->getOperands()) {
      std::optional<std::pair<Conv2DOp, Value>> sum = convPlusOffset(side);
      Value factors = otherOperand(op, side);
      if (!sum || side.getType() != op.getType() ||
          !dependsOnlyOnWeights(factors))
        continue;
      auto [conv, offset] = *sum;
      auto filterType = cast<RankedTensorType>(conv.getFilter().getType());
      if (failed(filterScaleShape(cast<RankedTensorType>(factors.getType()),
                                  filterType.getDimSize(0))))
        continue;
      Location loc = op.getLoc();
      Value scaled =
          MulOp::create(rewriter, loc, op.getType(), conv.getResult(), factors);
      Value scaledOffset =
          MulOp::create(rewriter, loc, ValueRange{offset, factors});
      Operation *sumOp = side.getDefiningOp();
      rewriter.replaceOpWithNewOp<AddOp>(op, op.getType(), scaled,
                                         scaledOffset);
      rewriter.eraseOp(sumOp); // the convolution's other reader
      return success();
    }
    return rewriter.notifyMatchFailure(op, "not a convolution's offset scaled");
  }
};

/// add(add(conv(x, w), b1), b2) -> add(conv(x, w), add(b1, b2)) with b1
/// and b2 from weights only: one bias.
struct MergeOffsets : public OpRewritePattern<AddOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(AddOp op,
                                PatternRewriter &rewriter) const override {
    for (Value side : op->getOperands()) {
      std::optional<std::pair<Conv2DOp, Value>> sum = convPlusOffset(side);
      Value offset = otherOperand(op, side);
      if (!sum || side.getType() != op.getType() ||
          !dependsOnlyOnWeights(offset))
        continue;
      Value merged =
          AddOp::create(rewriter, op.getLoc(), ValueRange{sum->second, offset});
      Operation *sumOp = side.getDefiningOp();
      rewriter.replaceOpWithNewOp<AddOp>(op, op.getType(),
                                         sum->first.getResult(), merged);
      rewriter.eraseOp(sumOp); // the convolution's other reader
      return success();
    }
    return rewriter.notifyMatchFailure(op, "not two offsets of a convolution");
  }
};

struct FoldChannelScalesPass
    : public pet::impl::PETFoldChannelScalesBase<FoldChannelScalesPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns
        .add<FoldMul, FoldScale, SubToAdd, ScaleThroughOffset, MergeOffsets>(
            &getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
