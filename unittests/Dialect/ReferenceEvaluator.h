//===- ReferenceEvaluator.h - Test oracle for PET programs ------*- C++ -*-===//
//
// A deliberately naive evaluator used as a test oracle: it interprets
// multi-linear descriptions by enumerating every loop point, in double
// precision. Independent of the production evaluator on purpose.
//
//===----------------------------------------------------------------------===//

#ifndef PET_UNITTESTS_DIALECT_REFERENCEEVALUATOR_H
#define PET_UNITTESTS_DIALECT_REFERENCEEVALUATOR_H

#include "PET/Dialect/PET/MultiLinearDescription.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>
#include <random>
#include <vector>

namespace pet_test {

/// A dense row-major tensor of doubles.
struct RefTensor {
  llvm::SmallVector<int64_t> shape;
  std::vector<double> data;

  RefTensor() = default;
  explicit RefTensor(llvm::ArrayRef<int64_t> shape);
  int64_t linearize(llvm::ArrayRef<int64_t> index) const;
  bool inBounds(llvm::ArrayRef<int64_t> index) const;
  double &at(llvm::ArrayRef<int64_t> index) { return data[linearize(index)]; }
  double at(llvm::ArrayRef<int64_t> index) const {
    return data[linearize(index)];
  }
  /// Calls `fn(index)` for every index of the tensor, in row-major order.
  void forEachIndex(llvm::function_ref<void(llvm::ArrayRef<int64_t>)> fn) const;
};

/// A tensor of `shape` filled with small random integers (exact in double).
RefTensor randomTensor(llvm::ArrayRef<int64_t> shape, std::mt19937 &rng);

/// Largest absolute element-wise difference; infinity on a shape mismatch.
double maxAbsDifference(const RefTensor &a, const RefTensor &b);

/// Evaluates one multi-linear description on `operands`.
RefTensor evaluateDescription(const mlir::pet::MultiLinearDescription &desc,
                              llvm::ArrayRef<RefTensor> operands,
                              llvm::ArrayRef<int64_t> resultShape);

/// Runs `func` on `args`: multi-linear PET ops through their descriptions,
/// `pet.relu` directly. Returns nothing for any other op.
std::optional<llvm::SmallVector<RefTensor>>
evaluateFunction(mlir::func::FuncOp func, llvm::ArrayRef<RefTensor> args);

} // namespace pet_test

#endif // PET_UNITTESTS_DIALECT_REFERENCEEVALUATOR_H
