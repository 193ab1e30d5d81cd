//===- MergeSplitBiases.cpp - Pieces' biases added before their split ----===//

#include "PET/Transforms/Passes.h"

#include "PET/Dialect/PET/PETOps.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::pet {
#define GEN_PASS_DEF_PETMERGESPLITBIASES
#include "PET/Transforms/Passes.h.inc"
} // namespace mlir::pet

using namespace mlir;
using namespace mlir::pet;

namespace {
/// Whether `value` can be read where `op` is: an argument of its block, or
/// the result of an operator before it in that block.
bool isAvailableBefore(Value value, Operation *op) {
  if (auto arg = dyn_cast<BlockArgument>(value))
    return arg.getOwner() == op->getBlock();
  Operation *def = value.getDefiningOp();
  return def->getBlock() == op->getBlock() && def->isBeforeInBlock(op);
}

/// split(x) along the last axis, each piece then added a bias that varies
/// along that axis only (1 x ... x 1 x piece, one rank for all) ->
/// split(x + concat(biases)). Each element gets the same addition.
struct MergeBiases : public OpRewritePattern<SplitOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(SplitOp split,
                                PatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(split.getInput().getType());
    int64_t rank = type.getRank();
    if (rank == 0 || split.getAxis() != static_cast<uint64_t>(rank - 1) ||
        split.getNumResults() < 2)
      return failure();
    SmallVector<AddOp> adds;
    SmallVector<Value> biases;
    for (Value piece : split.getResults()) {
      if (!piece.hasOneUse())
        return failure();
      auto add = dyn_cast<AddOp>(*piece.getUsers().begin());
      if (!add || add.getType() != piece.getType())
        return failure();
      Value bias = add.getLhs() == piece ? add.getRhs() : add.getLhs();
      auto biasType = cast<RankedTensorType>(bias.getType());
      ArrayRef<int64_t> shape = biasType.getShape();
      auto pieceType = cast<RankedTensorType>(piece.getType());
      if (bias == piece || shape.empty() || !biasType.hasStaticShape() ||
          shape.back() != pieceType.getShape().back() ||
          llvm::any_of(shape.drop_back(), [](int64_t s) { return s != 1; }) ||
          (!biases.empty() &&
           cast<RankedTensorType>(biases.front().getType()).getRank() !=
               biasType.getRank()) ||
          !isAvailableBefore(bias, split))
        return failure();
      adds.push_back(add);
      biases.push_back(bias);
    }
    Location loc = split.getLoc();
    int64_t biasRank =
        cast<RankedTensorType>(biases.front().getType()).getRank();
    Value bias = ConcatOp::create(rewriter, loc, biases,
                                  rewriter.getI64IntegerAttr(biasRank - 1));
    Value sum = AddOp::create(rewriter, loc, split.getInput(), bias);
    auto merged = SplitOp::create(rewriter, loc, split->getResultTypes(), sum,
                                  split.getAxisAttr(), split.getSizesAttr());
    for (auto [add, piece] : llvm::zip_equal(adds, merged.getResults()))
      rewriter.replaceOp(add, piece);
    rewriter.eraseOp(split);
    return success();
  }
};

struct MergeSplitBiasesPass
    : public pet::impl::PETMergeSplitBiasesBase<MergeSplitBiasesPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<MergeBiases>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};
} // namespace
