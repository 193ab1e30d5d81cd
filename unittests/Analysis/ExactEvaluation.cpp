//===- ExactEvaluation.cpp - Shared checks of exact evaluation ------------===//

#include "ExactEvaluation.h"

using namespace mlir;
using namespace mlir::pet;

SmallVector<Tensor<ModQ>> pet_test::randomInputs(func::FuncOp func,
                                                 uint64_t seed) {
  SmallVector<Tensor<ModQ>> inputs;
  for (auto [i, type] : llvm::enumerate(func.getArgumentTypes())) {
    Tensor<ModQ> tensor(cast<RankedTensorType>(type).getShape());
    for (int64_t k = 0; k < tensor.getNumElements(); ++k)
      tensor[k] = randomModQ(seed, i, k);
    inputs.push_back(std::move(tensor));
  }
  return inputs;
}

::testing::AssertionResult pet_test::pointsMatchWhole(func::FuncOp func,
                                                      uint64_t seed) {
  SmallVector<Tensor<ModQ>> inputs = randomInputs(func, seed);
  auto whole = evaluateFunction<ModQ>(func, inputs);
  if (failed(whole))
    return ::testing::AssertionFailure() << "whole-tensor evaluation failed";
  PointEvaluator<ModQ> byFunction(func, [seed](unsigned arg, int64_t k) {
    return randomModQ(seed, arg, k);
  });
  PointEvaluator<ModQ> byArray(func, nullptr);
  byArray.setInputData(
      llvm::map_to_vector(inputs, [](const Tensor<ModQ> &t) -> ArrayRef<ModQ> {
        return t.getData();
      }));
  const Tensor<ModQ> &out = (*whole)[0];
  ArrayRef<int64_t> shape = out.getShape();
  SmallVector<int64_t> p(shape.size());
  for (int64_t k = 0; k < out.getNumElements(); ++k) {
    // Row-major position of element k.
    int64_t rest = k;
    for (int d = static_cast<int>(shape.size()) - 1; d >= 0; --d) {
      p[d] = rest % shape[d];
      rest /= shape[d];
    }
    if (byFunction.evaluateResult(0, p) != out[k])
      return ::testing::AssertionFailure() << "element " << k;
    if (byArray.evaluateResult(0, p) != out[k])
      return ::testing::AssertionFailure()
             << "element " << k << " (input arrays)";
  }
  return ::testing::AssertionSuccess();
}
