//===- PETDialect.h - The PET dialect ---------------------------*- C++ -*-===//

#ifndef PET_DIALECT_PET_PETDIALECT_H
#define PET_DIALECT_PET_PETDIALECT_H

#include "mlir/IR/Dialect.h"

#include "PET/Dialect/PET/PETOpsDialect.h.inc"

#endif // PET_DIALECT_PET_PETDIALECT_H
