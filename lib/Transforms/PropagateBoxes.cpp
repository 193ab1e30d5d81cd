//===- PropagateBoxes.cpp - Record box partitions as attributes -----------===//

#include "PET/Transforms/Passes.h"

#include "PET/Analysis/BoxPropagation.h"

namespace mlir::pet {
#define GEN_PASS_DEF_PETPROPAGATEBOXES
#include "PET/Transforms/Passes.h.inc"
} // namespace mlir::pet

using namespace mlir;
using namespace mlir::pet;

namespace {
struct PropagateBoxesPass
    : public pet::impl::PETPropagateBoxesBase<PropagateBoxesPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    BoxPropagation boxes(func);
    MLIRContext *context = &getContext();
    func.walk([&](Operation *op) {
      if (!isa<PETDialect>(op->getDialect()))
        return;
      SmallVector<Attribute> partitions;
      for (Value result : op->getResults())
        partitions.push_back(boxes.getPartition(result).toAttr(context));
      op->setAttr("pet.boxes", ArrayAttr::get(context, partitions));
    });
    markAllAnalysesPreserved();
  }
};
} // namespace
