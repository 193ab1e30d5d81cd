//===- Split.cpp - Split functions into multi-linear subprograms ----------===//

#include "PET/Transforms/Passes.h"

#include "PET/Analysis/Subprograms.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/SymbolTable.h"

namespace mlir::pet {
#define GEN_PASS_DEF_PETSPLIT
#include "PET/Transforms/Passes.h.inc"
} // namespace mlir::pet

using namespace mlir;
using namespace mlir::pet;

namespace {
struct SplitPass : public pet::impl::PETSplitBase<SplitPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    OpBuilder builder(&getContext());
    for (auto func : llvm::to_vector(module.getOps<func::FuncOp>())) {
      SmallVector<Subprogram> subprograms = findSubprograms(func);
      Operation *insertAfter = func;
      // Outputs of subprograms already outlined, now results of calls.
      llvm::DenseMap<Value, Value> replaced;
      for (auto [index, sub] : llvm::enumerate(subprograms)) {
        for (Value &input : sub.inputs)
          input = replaced.lookup_or(input, input);
        for (Operation *op : sub.ops)
          op->setAttr("pet.subprogram", builder.getI64IntegerAttr(index));
        if (!outline)
          continue;
        if (failed(hoistInputs(sub))) {
          sub.ops.front()->emitWarning("subprogram ")
              << index << " left in place: its inputs are computed by "
              << "operators with side effects after its first operator";
          continue;
        }
        builder.setInsertionPointAfter(insertAfter);
        func::FuncOp outlined = outlineSubprogram(
            sub, (func.getSymName() + "_sub" + Twine(index)).str(), builder);
        insertAfter = outlined;
        outlined.setPrivate();
        symbols.insert(outlined); // renames on a clash
        // The call goes where the first operator was: the inputs are now
        // computed before it, and outputs are used after their definitions.
        builder.setInsertionPoint(sub.ops.front());
        auto call = func::CallOp::create(builder, sub.ops.front()->getLoc(),
                                         outlined, sub.inputs);
        for (auto [output, result] :
             llvm::zip(sub.outputs, call.getResults())) {
          output.replaceAllUsesWith(result);
          replaced[output] = result;
        }
        for (Operation *op : llvm::reverse(sub.ops))
          op->erase();
      }
    }
  }
};
} // namespace
