//===- Preprocess.cpp - Compute constant-only operators at compile time ---===//

#include "PET/Transforms/Passes.h"

#include "PET/Analysis/Evaluator.h"
#include "PET/Dialect/PET/PETOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/SetVector.h"

namespace mlir::pet {
#define GEN_PASS_DEF_PETPREPROCESS
#include "PET/Transforms/Passes.h.inc"
} // namespace mlir::pet

using namespace mlir;
using namespace mlir::pet;

/// The values of `op`'s results, computed from its constant operands by
/// evaluating it as a function of no arguments.
static FailureOr<SmallVector<Tensor<double>>> evaluate(Operation *op) {
  OpBuilder builder(op->getContext());
  OwningOpRef<ModuleOp> scratch = ModuleOp::create(op->getLoc());
  builder.setInsertionPointToEnd(scratch->getBody());
  auto func =
      func::FuncOp::create(builder, op->getLoc(), "preprocess",
                           builder.getFunctionType({}, op->getResultTypes()));
  builder.setInsertionPointToStart(func.addEntryBlock());
  IRMapping mapping;
  for (Value operand : op->getOperands())
    mapping.map(operand, builder.clone(*operand.getDefiningOp())->getResult(0));
  Operation *clone = builder.clone(*op, mapping);
  func::ReturnOp::create(builder, op->getLoc(), clone->getResults());
  return evaluateFunction<double>(func, {});
}

namespace {
struct PreprocessPass : public pet::impl::PETPreprocessBase<PreprocessPass> {
  using Base::Base;

  void runOnOperation() override {
    // In order: a folded result can make its users foldable.
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      if (isa<PETDialect>(op->getDialect()) && !isa<CorrectOp, YieldOp>(op) &&
          !op->getParentOfType<CorrectOp>())
        ops.push_back(op);
    });
    for (Operation *op : ops) {
      bool constant = op->getNumOperands() > 0 &&
                      llvm::all_of(op->getOperands(), [](Value v) {
                        auto c = v.getDefiningOp<arith::ConstantOp>();
                        return c && isa<DenseFPElementsAttr>(c.getValue());
                      });
      bool small = llvm::all_of(op->getResultTypes(), [&](Type t) {
        return cast<RankedTensorType>(t).getNumElements() <= maxElements;
      });
      if (!constant || !small)
        continue;
      FailureOr<SmallVector<Tensor<double>>> values = evaluate(op);
      if (failed(values))
        continue;
      OpBuilder builder(op);
      for (auto [result, tensor] : llvm::zip(op->getResults(), *values)) {
        if (result.use_empty())
          continue;
        auto type = cast<RankedTensorType>(result.getType());
        auto element = cast<FloatType>(type.getElementType());
        SmallVector<APFloat> data;
        for (double v : tensor.getData()) {
          APFloat f(v);
          bool lost;
          f.convert(element.getFloatSemantics(), APFloat::rmNearestTiesToEven,
                    &lost);
          data.push_back(f);
        }
        auto constant = arith::ConstantOp::create(
            builder, op->getLoc(), DenseFPElementsAttr::get(type, data));
        result.replaceAllUsesWith(constant);
      }
      llvm::SetVector<Operation *> inputs;
      for (Value operand : op->getOperands())
        inputs.insert(operand.getDefiningOp());
      op->erase();
      // Weights used only here are not needed any more.
      for (Operation *input : inputs)
        if (input->use_empty())
          input->erase();
    }
  }
};
} // namespace
