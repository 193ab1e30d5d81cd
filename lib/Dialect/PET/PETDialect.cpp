//===- PETDialect.cpp - The PET dialect -----------------------------------===//

#include "PET/Dialect/PET/PETDialect.h"
#include "PET/Dialect/PET/PETOps.h"

#include "mlir/IR/BuiltinAttributes.h"

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

LogicalResult PETDialect::verifyRegionArgAttribute(Operation *op,
                                                   unsigned regionIndex,
                                                   unsigned argIndex,
                                                   NamedAttribute attribute) {
  StringRef name = attribute.getName().strref();
  if ((name == kWeightAttrName || name == kPreprocessedAttrName) &&
      !isa<UnitAttr>(attribute.getValue()))
    return op->emitError("'") << name << "' on argument " << argIndex
                              << " must be a unit attribute";
  return success();
}

LogicalResult PETDialect::verifyOperationAttribute(Operation *op,
                                                   NamedAttribute attribute) {
  if (attribute.getName().strref() == kPreprocessFuncAttrName &&
      !isa<FlatSymbolRefAttr>(attribute.getValue()))
    return op->emitError("'")
           << kPreprocessFuncAttrName << "' must name a function (@name)";
  return success();
}
