//===- FuseCorrections.cpp - Element-wise operators through inserts -------===//

#include "PET/Transforms/Passes.h"

#include "PET/Dialect/PET/PETOps.h"
#include "PET/Dialect/PET/ScalarFunctions.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::pet {
#define GEN_PASS_DEF_PETFUSECORRECTIONS
#include "PET/Transforms/Passes.h.inc"
} // namespace mlir::pet

using namespace mlir;
using namespace mlir::pet;

namespace {
/// elementwise(insert(source into dest), others...) ->
///   insert(elementwise(source, slices of others) into
///          elementwise(dest, others...))
struct SinkElementwiseThroughInsert : public RewritePattern {
  SinkElementwiseThroughInsert(MLIRContext *context)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/1, context) {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    bool unary = isa<ScaleOp>(op) || hasScalarFunction(op);
    bool binary = isa<AddOp, SubOp, MulOp>(op);
    if (!unary && !binary)
      return rewriter.notifyMatchFailure(op, "not element-wise");
    auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
    // The first operand that an insert with no other reader makes.
    InsertOp insert;
    unsigned insertOperand = 0;
    for (auto [i, operand] : llvm::enumerate(op->getOperands())) {
      auto candidate = operand.getDefiningOp<InsertOp>();
      if (candidate && candidate->hasOneUse() &&
          candidate.getType() == resultType) {
        insert = candidate;
        insertOperand = i;
        break;
      }
    }
    if (!insert)
      return rewriter.notifyMatchFailure(op, "no insert of its result shape");
    ArrayRef<int64_t> offsets = insert.getOffsets();
    ArrayRef<int64_t> sizes = insert.getSource().getType().getShape();
    // Other operands: same rank, each dimension whole or broadcast (1).
    SmallVector<Value> sourceOperands;
    Location loc = op->getLoc();
    for (auto [i, operand] : llvm::enumerate(op->getOperands())) {
      if (i == insertOperand) {
        sourceOperands.push_back(insert.getSource());
        continue;
      }
      auto type = cast<RankedTensorType>(operand.getType());
      if (type.getRank() != resultType.getRank())
        return rewriter.notifyMatchFailure(op, "broadcast across ranks");
      SmallVector<int64_t> sliceOffsets, sliceSizes;
      bool whole = true;
      for (int64_t d = 0; d < type.getRank(); ++d) {
        bool broadcast =
            type.getDimSize(d) == 1 && resultType.getDimSize(d) != 1;
        sliceOffsets.push_back(broadcast ? 0 : offsets[d]);
        sliceSizes.push_back(broadcast ? 1 : sizes[d]);
        whole &=
            sliceOffsets.back() == 0 && sliceSizes.back() == type.getDimSize(d);
      }
      if (whole) {
        sourceOperands.push_back(operand);
        continue;
      }
      sourceOperands.push_back(SliceOp::create(
          rewriter, loc, operand, rewriter.getDenseI64ArrayAttr(sliceOffsets),
          rewriter.getDenseI64ArrayAttr(sliceSizes),
          /*strides=*/nullptr));
    }
    SmallVector<Value> destOperands(op->getOperands());
    destOperands[insertOperand] = insert.getDest();
    auto build = [&](ValueRange operands, Type type) {
      OperationState state(loc, op->getName(), operands, type, op->getAttrs());
      return rewriter.create(state)->getResult(0);
    };
    Value source = build(sourceOperands, insert.getSource().getType());
    Value dest = build(destOperands, resultType);
    rewriter.replaceOpWithNewOp<InsertOp>(op, source, dest,
                                          insert.getOffsetsAttr());
    rewriter.eraseOp(insert);
    return success();
  }
};

struct FuseCorrectionsPass
    : public pet::impl::PETFuseCorrectionsBase<FuseCorrectionsPass> {
  using Base::Base;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<SinkElementwiseThroughInsert>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};
} // namespace
