//===- EstimateCost.cpp - Record estimated operator times -----------------===//

#include "PET/Transforms/Passes.h"

#include "PET/Dialect/PET/PETDialect.h"
#include "PET/Optimizer/CostModel.h"

#include "mlir/IR/Builders.h"
#include "llvm/Support/FormatVariadic.h"

namespace mlir::pet {
#define GEN_PASS_DEF_PETESTIMATECOST
#include "PET/Transforms/Passes.h.inc"
} // namespace mlir::pet

using namespace mlir;
using namespace mlir::pet;

namespace {
struct EstimateCostPass
    : public pet::impl::PETEstimateCostBase<EstimateCostPass> {
  using Base::Base;

  void runOnOperation() override {
    CostModel model;
    if (!costDb.empty()) {
      std::string error;
      if (failed(model.loadDatabase(costDb, error))) {
        getOperation().emitError(error);
        return signalPassFailure();
      }
    }
    Builder builder(&getContext());
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      double total = 0;
      int kernels = 0, measured = 0;
      func.walk([&](Operation *op) {
        if (!isa<PETDialect>(op->getDialect()))
          return;
        double micros = model.getMicros(op);
        op->setAttr("pet.cost_us", builder.getF64FloatAttr(micros));
        if (model.isMeasured(op)) {
          op->setAttr("pet.measured", builder.getUnitAttr());
          ++measured;
        }
        if (emitKeys)
          op->setAttr("pet.cost_key",
                      builder.getStringAttr(CostModel::getKey(op)));
        total += micros;
        kernels += micros > 0;
      });
      if (kernels)
        func.emitRemark() << llvm::formatv(
            "estimated {0:f2} us in {1} kernel(s), {2} measured", total,
            kernels, measured);
    }
  }
};
} // namespace
