//===- EntryFunctions.cpp - The functions a program is run through --------===//

#include "PET/Dialect/PET/EntryFunctions.h"
#include "PET/Dialect/PET/PETDialect.h"
#include "PET/Dialect/PET/PETOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/StringSet.h"

using namespace mlir;
using namespace mlir::pet;

func::FuncOp mlir::pet::findEntryFunction(ModuleOp module, StringRef name) {
  if (!name.empty())
    return module.lookupSymbol<func::FuncOp>(name);
  llvm::StringSet<> preprocessing;
  for (auto func : module.getOps<func::FuncOp>())
    if (auto init = func->getAttrOfType<FlatSymbolRefAttr>(
            PETDialect::kPreprocessFuncAttrName))
      preprocessing.insert(init.getValue());
  func::FuncOp entry;
  for (auto func : module.getOps<func::FuncOp>()) {
    if (!func.isPublic() || func.isExternal() ||
        preprocessing.contains(func.getSymName()))
      continue;
    if (entry)
      return {};
    entry = func;
  }
  return entry;
}

func::FuncOp mlir::pet::getPreprocessFunction(func::FuncOp func) {
  auto name = func->getAttrOfType<FlatSymbolRefAttr>(
      PETDialect::kPreprocessFuncAttrName);
  if (!name)
    return {};
  return SymbolTable::lookupNearestSymbolFrom<func::FuncOp>(func, name);
}

bool mlir::pet::hasStaticF32Signature(func::FuncOp func) {
  auto isF32Tensor = [](Type t) {
    auto tensor = dyn_cast<RankedTensorType>(t);
    return tensor && tensor.hasStaticShape() && tensor.getElementType().isF32();
  };
  return llvm::all_of(func.getArgumentTypes(), isF32Tensor) &&
         llvm::all_of(func.getResultTypes(), isF32Tensor);
}

bool mlir::pet::isPreprocessingInput(func::FuncOp func, unsigned index) {
  return func.getArgAttr(index, PETDialect::kWeightAttrName) &&
         !func.getArgAttr(index, PETDialect::kPreprocessedAttrName);
}

bool mlir::pet::isPreprocessable(Operation *op) {
  return isa<PETDialect>(op->getDialect()) && !isa<CorrectOp, YieldOp>(op) &&
         op->getNumRegions() == 0 && op->getNumOperands() > 0;
}

bool mlir::pet::dependsOnlyOnWeights(Value value) {
  SmallVector<Value> work = {value};
  llvm::SmallPtrSet<Operation *, 8> seen;
  while (!work.empty()) {
    Value v = work.pop_back_val();
    if (auto arg = dyn_cast<BlockArgument>(v)) {
      auto func = dyn_cast<func::FuncOp>(arg.getOwner()->getParentOp());
      if (!func || !arg.getOwner()->isEntryBlock() ||
          !isPreprocessingInput(func, arg.getArgNumber()))
        return false;
      continue;
    }
    Operation *op = v.getDefiningOp();
    if (!seen.insert(op).second || isa<arith::ConstantOp>(op))
      continue;
    if (!isPreprocessable(op))
      return false;
    llvm::append_range(work, op->getOperands());
  }
  return true;
}

llvm::SetVector<Operation *>
mlir::pet::getWeightOnlyOps(Block &block, llvm::DenseSet<Value> &known) {
  llvm::SetVector<Operation *> slice;
  for (Operation &op : block) {
    if (auto constant = dyn_cast<arith::ConstantOp>(op)) {
      known.insert(constant.getResult());
      continue;
    }
    if (!isPreprocessable(&op) || !llvm::all_of(op.getOperands(), [&](Value v) {
          return known.contains(v);
        }))
      continue;
    slice.insert(&op);
    known.insert(op.getResults().begin(), op.getResults().end());
  }
  return slice;
}

SmallVector<Type> mlir::pet::getCallerArgumentTypes(func::FuncOp func) {
  SmallVector<Type> types;
  for (auto [i, type] : llvm::enumerate(func.getArgumentTypes())) {
    if (func.getArgAttr(i, PETDialect::kPreprocessedAttrName))
      break;
    types.push_back(type);
  }
  return types;
}

FailureOr<SmallVector<Value>>
mlir::pet::buildArgumentsWithPreprocessing(OpBuilder &b, Location loc,
                                           func::FuncOp func,
                                           ValueRange arguments) {
  SmallVector<Value> all(arguments);
  if (func::FuncOp init = getPreprocessFunction(func)) {
    SmallVector<Value> weights;
    for (auto [i, value] : llvm::enumerate(arguments))
      if (func.getArgAttr(i, PETDialect::kWeightAttrName))
        weights.push_back(value);
    llvm::append_range(all,
                       func::CallOp::create(b, loc, init, weights).getResults());
  }
  if (all.size() != func.getNumArguments())
    return failure();
  return all;
}
