//===- PETOps.h - PET operators ---------------------------------*- C++ -*-===//

#ifndef PET_DIALECT_PET_PETOPS_H
#define PET_DIALECT_PET_PETOPS_H

#include "PET/Dialect/PET/MultiLinearOpInterface.h"
#include "PET/Dialect/PET/PETAttributes.h"
#include "PET/Dialect/PET/PETDialect.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "PET/Dialect/PET/PETOps.h.inc"

namespace mlir::pet {
/// The shape of a ranked tensor value (every PET operand and result is
/// one).
inline ArrayRef<int64_t> shapeOf(Value value) {
  return cast<RankedTensorType>(value.getType()).getShape();
}
} // namespace mlir::pet

#endif // PET_DIALECT_PET_PETOPS_H
