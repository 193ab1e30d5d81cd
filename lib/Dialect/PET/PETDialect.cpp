//===- PETDialect.cpp - The PET dialect -----------------------------------===//

#include "PET/Dialect/PET/PETDialect.h"
#include "PET/Dialect/PET/PETOps.h"

using namespace mlir;
using namespace mlir::pet;

#include "PET/Dialect/PET/PETOpsDialect.cpp.inc"

void PETDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "PET/Dialect/PET/PETOps.cpp.inc"
      >();
  registerAttributes();
}
