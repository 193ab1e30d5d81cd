//===- Evaluate.cpp - Print a function's results on generated inputs ------===//

#include "PET/Transforms/Passes.h"

#include "PET/Analysis/Evaluator.h"
#include "PET/Dialect/PET/EntryFunctions.h"
#include "PET/Dialect/PET/PETDialect.h"
#include "PET/Support/RunnerInputs.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

namespace mlir::pet {
#define GEN_PASS_DEF_PETEVALUATE
#include "PET/Transforms/Passes.h.inc"
} // namespace mlir::pet

using namespace mlir;
using namespace mlir::pet;

namespace {
struct EvaluatePass : public pet::impl::PETEvaluateBase<EvaluatePass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    func::FuncOp target = findEntryFunction(module, funcName);
    if (!target) {
      module.emitError("pet-evaluate: name one public function with func=");
      return signalPassFailure();
    }
    SmallVector<Tensor<double>> arguments;
    SmallVector<Tensor<double>> weights;
    for (auto [a, type] : llvm::enumerate(target.getArgumentTypes())) {
      // Arguments --pet-preprocess added: computed below.
      if (target.getArgAttr(a, PETDialect::kPreprocessedAttrName))
        break;
      auto tensor = dyn_cast<RankedTensorType>(type);
      if (!tensor || !tensor.hasStaticShape()) {
        target.emitError("pet-evaluate: argument ")
            << a << " is not a statically shaped tensor";
        return signalPassFailure();
      }
      Tensor<double> value(tensor.getShape());
      float scale =
          getRunnerInputScale(tensor.getShape().data(), tensor.getRank());
      for (int64_t k = 0; k < value.getNumElements(); ++k)
        value[k] = getRunnerInput(seed, a, k, scale);
      if (target.getArgAttr(a, PETDialect::kWeightAttrName))
        weights.push_back(value);
      arguments.push_back(std::move(value));
    }
    if (func::FuncOp init = getPreprocessFunction(target)) {
      FailureOr<SmallVector<Tensor<double>>> preprocessed =
          evaluateFunction<double>(init, weights);
      if (failed(preprocessed))
        return signalPassFailure();
      llvm::append_range(arguments, *preprocessed);
    }
    FailureOr<SmallVector<Tensor<double>>> results =
        evaluateFunction<double>(target, arguments);
    if (failed(results))
      return signalPassFailure();
    llvm::raw_ostream &os = llvm::outs();
    for (auto [i, result] : llvm::enumerate(*results)) {
      os << "pet-evaluate result " << i << " sizes = [";
      llvm::interleaveComma(result.getShape(), os);
      os << "] data =";
      for (double v : result.getData())
        os << ' ' << llvm::format("%.9g", v);
      os << '\n';
    }
  }
};
} // namespace
