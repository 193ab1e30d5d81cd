//===- SplitReductions.cpp - Long reductions over few rows, in two steps --===//

#include "PET/Conversion/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::pet {
#define GEN_PASS_DEF_SPLITREDUCTIONS
#include "PET/Conversion/Passes.h.inc"
} // namespace mlir::pet

using namespace mlir;

/// Elements each partial reduction keeps at least.
static constexpr int64_t kMinElementsPerPart = 8;

/// The number of partial reductions for `op`, or 0 to leave it alone.
static int64_t getSplitRatio(linalg::GenericOp op, int64_t minThreads) {
  if (op.getNumReductionLoops() != 1 || op.getNumDpsInits() != 1)
    return 0;
  SmallVector<int64_t> bounds = op.getStaticLoopRanges();
  int64_t points = 1, reduction = 0;
  for (auto [bound, type] : llvm::zip(bounds, op.getIteratorTypesArray())) {
    if (ShapedType::isDynamic(bound))
      return 0;
    if (type == utils::IteratorType::reduction)
      reduction = bound;
    else
      points *= bound;
  }
  if (points >= minThreads)
    return 0;
  int64_t limit = std::min(reduction / kMinElementsPerPart,
                           (minThreads + points - 1) / points);
  for (int64_t ratio = limit; ratio >= 4; --ratio)
    if (reduction % ratio == 0)
      return ratio;
  return 0;
}

namespace {
struct SplitReductionsPass
    : public pet::impl::SplitReductionsBase<SplitReductionsPass> {
  using Base::Base;

  void runOnOperation() override {
    // Collected first: the split operators are not split again.
    SmallVector<std::pair<linalg::GenericOp, int64_t>> candidates;
    getOperation().walk([&](linalg::GenericOp op) {
      if (int64_t ratio = getSplitRatio(op, minThreads))
        candidates.push_back({op, ratio});
    });
    IRRewriter rewriter(&getContext());
    for (auto [op, ratio] : candidates) {
      rewriter.setInsertionPoint(op);
      auto control = [&, ratio = ratio](linalg::LinalgOp) {
        linalg::SplitReductionOptions options;
        options.ratio = ratio;
        // The partial results go last, and each reduces a contiguous run
        // of elements: the parallel loops stay outermost (one parallel
        // loop nest, one GPU thread per partial result).
        options.index = cast<ShapedType>(op.getDpsInits()[0].getType())
                            .getRank();
        options.innerParallel = false;
        return options;
      };
      // Reductions upstream cannot split (no single combiner) stay.
      (void)linalg::splitReduction(rewriter, op, control);
    }
  }
};
} // namespace
