//===- MultiLinearOpInterface.h - Multi-linear operators --------*- C++ -*-===//

#ifndef PET_DIALECT_PET_MULTILINEAROPINTERFACE_H
#define PET_DIALECT_PET_MULTILINEAROPINTERFACE_H

#include "PET/Dialect/PET/MultiLinearDescription.h"
#include "mlir/IR/OpDefinition.h"

namespace mlir::pet {
namespace OpTrait {
/// Marks an operator that is not multi-linear in its operands.
template <typename ConcreteType>
class NonLinear : public ::mlir::OpTrait::TraitBase<ConcreteType, NonLinear> {};

/// Fails, naming the operand, if an operand of `op` is a tensor with a
/// dimension of size 0. (Results are the operators' own verifiers' to
/// check: an empty split piece or slice has its own message.)
LogicalResult verifyNonEmptyTensors(Operation *op);

template <typename ConcreteType>
class NonEmptyTensors
    : public ::mlir::OpTrait::TraitBase<ConcreteType, NonEmptyTensors> {
public:
  static LogicalResult verifyTrait(Operation *op) {
    return verifyNonEmptyTensors(op);
  }
};
} // namespace OpTrait
} // namespace mlir::pet

#include "PET/Dialect/PET/PETInterfaces.h.inc"

namespace mlir::pet {
/// True for operators that describe themselves as multi-linear.
inline bool isMultiLinear(Operation *op) {
  return isa<MultiLinearOpInterface>(op);
}
/// True for PET operators marked as not multi-linear.
inline bool isNonLinear(Operation *op) {
  return op->hasTrait<OpTrait::NonLinear>();
}
} // namespace mlir::pet

#endif // PET_DIALECT_PET_MULTILINEAROPINTERFACE_H
