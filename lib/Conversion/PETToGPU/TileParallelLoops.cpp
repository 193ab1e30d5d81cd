//===- TileParallelLoops.cpp - Innermost loop dimension to GPU threads ----===//

#include "PET/Conversion/Passes.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"

namespace mlir::pet {
#define GEN_PASS_DEF_TILEPARALLELLOOPS
#include "PET/Conversion/Passes.h.inc"
} // namespace mlir::pet

using namespace mlir;

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
      scf::tileParallelLoop(op, sizes, /*noMinMaxBounds=*/true);
    }
  }
};
} // namespace
