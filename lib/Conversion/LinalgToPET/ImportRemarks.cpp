//===- ImportRemarks.cpp - What the linalg import left --------------------===//

#include "PET/Conversion/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <string>

namespace mlir::pet {
#define GEN_PASS_DEF_IMPORTREMARKS
#include "PET/Conversion/Passes.h.inc"
} // namespace mlir::pet

using namespace mlir;

namespace {
struct ImportRemarksPass
    : public pet::impl::ImportRemarksBase<ImportRemarksPass> {
  using Base::Base;

  void runOnOperation() override {
    getOperation()->walk<WalkOrder::PreOrder>([&](Operation *op) {
      if (!isa<linalg::LinalgDialect, tensor::TensorDialect>(op->getDialect()))
        return WalkResult::advance();
      // Helpers of what is reported, and bodies of linalg operations.
      if (isa<tensor::EmptyOp, tensor::YieldOp, linalg::YieldOp,
              linalg::IndexOp>(op))
        return WalkResult::advance();
      if (isa<linalg::FillOp>(op) &&
          llvm::all_of(op->getUsers(), [](Operation *user) {
            return isa<linalg::LinalgOp>(user);
          }))
        return WalkResult::skip();
      std::string detail;
      if (auto generic = dyn_cast<linalg::GenericOp>(op)) {
        llvm::raw_string_ostream os(detail);
        os << " (" << generic.getNumLoops() << " loops, "
           << generic.getNumReductionLoops() << " reduction; body:";
        for (Operation &inner :
             generic.getRegion().front().without_terminator())
          os << ' ' << inner.getName();
        os << ')';
      }
      op->emitRemark() << "not imported into PET: '" << op->getName() << "'"
                       << detail;
      return WalkResult::skip();
    });
  }
};
} // namespace
