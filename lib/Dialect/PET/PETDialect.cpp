//===- PETDialect.cpp - The PET dialect -----------------------------------===//

#include "PET/Dialect/PET/PETDialect.h"
#include "PET/Dialect/PET/EntryFunctions.h"
#include "PET/Dialect/PET/PETOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/FunctionInterfaces.h"

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
  if (name != kPreprocessedAttrName)
    return success();
  // What --pet-preprocess makes and every runner relies on (see
  // getCallerArgumentTypes): preprocessed weights are the function's last
  // arguments, weights computed by the function its `pet.preprocess` names.
  auto func = dyn_cast<FunctionOpInterface>(op);
  if (!func || regionIndex != 0)
    return op->emitError("'")
           << name << "' is only meaningful on a function's arguments";
  if (!func.getArgAttr(argIndex, kWeightAttrName))
    return op->emitError("'")
           << name << "' argument " << argIndex << " must be a weight too ('"
           << kWeightAttrName << "')";
  if (!op->hasAttr(kPreprocessFuncAttrName))
    return op->emitError("'")
           << name << "' argument " << argIndex << " needs the function's '"
           << kPreprocessFuncAttrName << "' to compute it";
  if (argIndex + 1 < func.getNumArguments() &&
      !func.getArgAttr(argIndex + 1, kPreprocessedAttrName))
    return op->emitError("'")
           << name << "' arguments must come last: argument " << argIndex
           << " is followed by argument " << argIndex + 1 << ", which is not";
  return success();
}

/// The types of `types` as "(t0, t1, ...)" in a diagnostic.
static InFlightDiagnostic &printTypes(InFlightDiagnostic &diag,
                                      ArrayRef<Type> types) {
  diag << "(";
  llvm::interleaveComma(types, diag, [&](Type t) { diag << t; });
  return diag << ")";
}

LogicalResult PETDialect::verifyOperationAttribute(Operation *op,
                                                   NamedAttribute attribute) {
  if (attribute.getName().strref() != kPreprocessFuncAttrName)
    return success();
  auto symbol = dyn_cast<FlatSymbolRefAttr>(attribute.getValue());
  if (!symbol)
    return op->emitError("'")
           << kPreprocessFuncAttrName << "' must name a function (@name)";
  auto func = dyn_cast<func::FuncOp>(op);
  if (!func)
    return op->emitError("'")
           << kPreprocessFuncAttrName << "' must be on a func.func";
  auto init = SymbolTable::lookupNearestSymbolFrom<func::FuncOp>(op, symbol);
  if (!init || init.isExternal())
    return op->emitError("'") << kPreprocessFuncAttrName << "' names " << symbol
                              << ", which is not a function with a body here";
  // The preprocessing function takes the weights that are not preprocessed
  // (in order) and returns the preprocessed ones.
  SmallVector<Type> weights, preprocessed;
  for (auto [i, type] : llvm::enumerate(func.getArgumentTypes())) {
    if (func.getArgAttr(i, kPreprocessedAttrName))
      preprocessed.push_back(type);
    else if (isPreprocessingInput(func, i))
      weights.push_back(type);
  }
  auto check = [&](ArrayRef<Type> actual, StringRef verb,
                   ArrayRef<Type> expected, StringRef what) -> LogicalResult {
    if (actual == expected)
      return success();
    InFlightDiagnostic diag = op->emitError("preprocessing function ")
                              << symbol << " " << verb << " ";
    printTypes(diag, actual) << " but the function's " << what << " are ";
    return printTypes(diag, expected);
  };
  return failure(failed(check(init.getFunctionType().getInputs(), "takes",
                              weights, "weights")) ||
                 failed(check(init.getFunctionType().getResults(), "returns",
                              preprocessed, "preprocessed arguments")));
}
