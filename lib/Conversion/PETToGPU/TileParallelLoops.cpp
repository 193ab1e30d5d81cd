//===- TileParallelLoops.cpp - Innermost loop dimension to GPU threads ----===//

#include "PET/Conversion/Passes.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"

#include <algorithm>

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
    SmallVector<scf::ParallelOp> loops;
    getOperation().walk([&](scf::ParallelOp op) {
      if (!op->getParentOfType<scf::ParallelOp>())
        loops.push_back(op);
    });
    for (scf::ParallelOp op : loops) {
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
