//===- TileParallelLoops.cpp - Parallel loops to blocks of GPU threads ----===//

#include "PET/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/IR/PatternMatch.h"

#include <algorithm>
#include <numeric>
#include <optional>
#include <tuple>

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

/// The loop dimension of `op` that an index of a memory access follows: the
/// induction variable itself, or an addition or product with it (a
/// window's position, `out * stride + tap`), up to two steps back.
static std::optional<unsigned> loopOf(scf::ParallelOp op, Value index,
                                      int depth = 0) {
  for (unsigned i = 0, e = op.getNumLoops(); i < e; ++i)
    if (index == op.getInductionVars()[i])
      return i;
  Operation *def = index.getDefiningOp();
  if (depth >= 2 || !isa_and_nonnull<arith::AddIOp, arith::MulIOp>(def))
    return std::nullopt;
  for (Value operand : def->getOperands())
    if (std::optional<unsigned> loop = loopOf(op, operand, depth + 1))
      return loop;
  return std::nullopt;
}

/// The dimension of `op` that should vary fastest across a block's
/// threads: the one that steps through the largest memref the loop reads
/// or writes where that memref is contiguous (stride 1), so that warps
/// read and write consecutive elements; between buffers of one size, a
/// written one, then the last dimension (the default order). A buffer
/// stored NHWC behind an NCHW view (--pet-gpu-conv-calls=channels-last=1)
/// is contiguous along its channels, identity layouts along their last
/// dimension. None where no access says (dynamic strides).
static std::optional<unsigned> contiguousLoop(scf::ParallelOp op) {
  unsigned last = op.getNumLoops() - 1;
  std::optional<std::tuple<int64_t, bool, bool, unsigned>> best;
  auto consider = [&](Value memref, ValueRange indices, bool written) {
    auto type = dyn_cast<MemRefType>(memref.getType());
    if (!type || !type.hasStaticShape())
      return;
    SmallVector<int64_t> strides;
    int64_t offset;
    if (failed(type.getStridesAndOffset(strides, offset)))
      return;
    for (auto [dim, stride] : llvm::enumerate(strides)) {
      if (stride != 1 || type.getDimSize(dim) == 1)
        continue;
      if (std::optional<unsigned> loop = loopOf(op, indices[dim])) {
        auto candidate = std::make_tuple(type.getNumElements(), written,
                                         *loop == last, *loop);
        if (!best || candidate > *best)
          best = candidate;
      }
    }
  };
  op.getBody()->walk([&](Operation *access) {
    if (auto load = dyn_cast<memref::LoadOp>(access))
      consider(load.getMemRef(), load.getIndices(), /*written=*/false);
    else if (auto store = dyn_cast<memref::StoreOp>(access))
      consider(store.getMemRef(), store.getIndices(), /*written=*/true);
  });
  if (!best)
    return std::nullopt;
  return std::get<3>(*best);
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
    // dimension is (3 x 3 filters, 7 x 7 images); the dimension contiguous
    // in the largest buffer it touches varies fastest.
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
      if (std::optional<unsigned> fastest = contiguousLoop(op)) {
        all.erase(all.begin() + *fastest);
        all.push_back(*fastest);
      }
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
