//===- FiltersLast.cpp - Convolution filters stored KRSC at load ----------===//

#include "PET/Conversion/Passes.h"

#include "PET/Dialect/PET/PETOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

namespace mlir::pet {
#define GEN_PASS_DEF_GPUFILTERSLAST
#include "PET/Conversion/Passes.h.inc"
} // namespace mlir::pet

using namespace mlir;
using namespace mlir::pet;

namespace {
/// `value` transposed by `perm` (a pet.transpose).
Value transpose(OpBuilder &b, Location loc, Value value,
                ArrayRef<int64_t> perm) {
  return TransposeOp::create(b, loc, ValueRange{value},
                             ArrayRef<NamedAttribute>{b.getNamedAttr(
                                 "permutation", b.getDenseI64ArrayAttr(perm))})
      .getResult();
}

/// Whether every reader of `arg` takes it as a 4-d f32 convolution's
/// filter.
bool onlyFilters(BlockArgument arg) {
  auto type = dyn_cast<RankedTensorType>(arg.getType());
  if (!type || type.getRank() != 4 || !type.hasStaticShape() ||
      !type.getElementType().isF32() || arg.use_empty())
    return false;
  return llvm::all_of(arg.getUses(), [](OpOperand &use) {
    auto conv = dyn_cast<Conv2DOp>(use.getOwner());
    return conv && conv.getFilter() == use.get() &&
           conv.getInput() != use.get();
  });
}

/// Stores the preprocessed filters of `func` KRSC: its preprocessing
/// function returns them transposed, and `func` reads them back through a
/// transpose (a view, for --pet-gpu-conv-calls).
LogicalResult storeFiltersLast(func::FuncOp func, func::FuncOp preprocess) {
  if (!preprocess.getBody().hasOneBlock())
    return preprocess.emitError("expected a preprocessing function of one "
                                "block");
  auto ret = cast<func::ReturnOp>(preprocess.getBody().front().getTerminator());
  unsigned count = preprocess.getNumResults();
  if (func.getNumArguments() < count)
    return func.emitError("fewer arguments than @")
           << preprocess.getSymName() << " has results";
  unsigned base = func.getNumArguments() - count;
  OpBuilder b(func.getContext());
  for (unsigned k = 0; k < count; ++k) {
    BlockArgument arg = func.getArgument(base + k);
    if (!onlyFilters(arg) || ret.getOperand(k).getType() != arg.getType())
      continue;
    Location loc = arg.getLoc();
    // F x C x KH x KW -> F x KH x KW x C when computed ...
    b.setInsertionPoint(ret);
    ret.setOperand(k, transpose(b, loc, ret.getOperand(k), {0, 2, 3, 1}));
    // ... and read back as F x C x KH x KW.
    arg.setType(ret.getOperand(k).getType());
    b.setInsertionPointToStart(&func.getBody().front());
    Value filter = transpose(b, loc, arg, {0, 3, 1, 2});
    arg.replaceAllUsesExcept(filter, filter.getDefiningOp());
  }
  preprocess.setType(FunctionType::get(
      func.getContext(), preprocess.getArgumentTypes(), ret.getOperandTypes()));
  func.setType(FunctionType::get(func.getContext(),
                                 func.getBody().getArgumentTypes(),
                                 func.getResultTypes()));
  return success();
}

struct GPUFiltersLastPass
    : public pet::impl::GPUFiltersLastBase<GPUFiltersLastPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    for (auto func : llvm::to_vector(module.getOps<func::FuncOp>())) {
      auto name = func->getAttrOfType<FlatSymbolRefAttr>("pet.preprocess");
      if (!name || func.isExternal())
        continue;
      // The verifier makes sure that it names a function with a body.
      auto preprocess = module.lookupSymbol<func::FuncOp>(name);
      if (failed(storeFiltersLast(func, preprocess)))
        return signalPassFailure();
    }
  }
};
} // namespace
