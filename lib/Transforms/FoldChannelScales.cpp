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

struct FoldChannelScalesPass
    : public pet::impl::PETFoldChannelScalesBase<FoldChannelScalesPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldMul, FoldScale>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
