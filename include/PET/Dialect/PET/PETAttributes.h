//===- PETAttributes.h - Box attributes -------------------------*- C++ -*-===//

#ifndef PET_DIALECT_PET_PETATTRIBUTES_H
#define PET_DIALECT_PET_PETATTRIBUTES_H

#include "PET/Support/Box.h"
#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"

#define GET_ATTRDEF_CLASSES
#include "PET/Dialect/PET/PETAttributes.h.inc"

#endif // PET_DIALECT_PET_PETATTRIBUTES_H
