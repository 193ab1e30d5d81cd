//===- TileParallelLoops.cpp - Parallel loops to blocks of GPU threads ----===//

#include "PET/Conversion/Passes.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/IR/PatternMatch.h"

#include <algorithm>
#include <numeric>

namespace mlir::pet {
#define GEN_PASS_DEF_TILEPARALLELLOOPS
#include "PET/Conversion/Passes.h.inc"
} // namespace mlir::pet

using namespace mlir;

/// The same loop with its dimensions in reverse order (a parallel loop's
/// dimensions are unordered): gpu-map-parallel-loops maps the first to x,
/// so the innermost, contiguous dimension goes to x, where blocks may have
/// 1024 threads and warps read consecutive elements.
static void reverseDimensions(scf::ParallelOp op) {
  if (!op.getInitVals().empty() || op.getNumLoops() < 2)
    return;
  auto reversed = [](ValueRange values) {
    SmallVector<Value> v(values);
    std::reverse(v.begin(), v.end());
    return v;
  };
  OpBuilder b(op);
  auto loop = scf::ParallelOp::create(
      b, op.getLoc(), reversed(op.getLowerBound()),
      reversed(op.getUpperBound()), reversed(op.getStep()));
  Block *from = op.getBody(), *to = loop.getBody();
  unsigned n = op.getNumLoops();
  for (unsigned i = 0; i < n; ++i)
    from->getArgument(i).replaceAllUsesWith(to->getArgument(n - 1 - i));
  to->getTerminator()->erase();
  to->getOperations().splice(to->end(), from->getOperations());
  op.erase();
}

namespace {
struct TileParallelLoopsPass
    : public pet::impl::TileParallelLoopsBase<TileParallelLoopsPass> {
  using Base::Base;

  void runOnOperation() override {
    if (threads < 1) {
      getOperation().emitError("pet-tile-parallel-loops needs threads >= 1");
      return signalPassFailure();
    }
    // All dimensions of a loop nest combined into one, so that a block's
    // threads cover consecutive elements however small the innermost
    // dimension is (3 x 3 filters, 7 x 7 images).
    auto outermost = [&] {
      SmallVector<scf::ParallelOp> loops;
      getOperation().walk([&](scf::ParallelOp op) {
        if (!op->getParentOfType<scf::ParallelOp>())
          loops.push_back(op);
      });
      return loops;
    };
    IRRewriter rewriter(&getContext());
    for (scf::ParallelOp op : outermost()) {
      if (op.getNumLoops() < 2 || !op.getInitVals().empty())
        continue;
      std::vector<unsigned> all(op.getNumLoops());
      std::iota(all.begin(), all.end(), 0u);
      rewriter.setInsertionPoint(op);
      collapseParallelLoops(rewriter, op, {all});
    }
    for (scf::ParallelOp op : outermost()) {
      SmallVector<int64_t> sizes(op.getNumLoops(), 1);
      sizes.back() = threads;
      auto [outer, inner] =
          scf::tileParallelLoop(op, sizes, /*noMinMaxBounds=*/true);
      reverseDimensions(inner);
      reverseDimensions(outer);
    }
  }
};
} // namespace
