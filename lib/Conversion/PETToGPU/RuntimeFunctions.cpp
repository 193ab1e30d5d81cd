//===- RuntimeFunctions.cpp - Declarations of runtime/ functions ----------===//

#include "RuntimeFunctions.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"

using namespace mlir;

func::FuncOp mlir::pet::declareRuntimeFunction(ModuleOp module, StringRef name,
                                               ArrayRef<int64_t> ranks,
                                               unsigned scalars) {
  if (auto existing = module.lookupSymbol<func::FuncOp>(name))
    return existing;
  OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
  SmallVector<Type> types;
  for (int64_t rank : ranks)
    types.push_back(MemRefType::get(
        SmallVector<int64_t>(rank, ShapedType::kDynamic), b.getF32Type()));
  types.append(scalars, b.getI64Type());
  auto func = func::FuncOp::create(b, module.getLoc(), name,
                                   b.getFunctionType(types, {}));
  func.setPrivate();
  func->setAttr("llvm.emit_c_interface", b.getUnitAttr());
  return func;
}

void mlir::pet::callRuntimeFunction(OpBuilder &b, Location loc, StringRef name,
                                    ArrayRef<Value> memrefs,
                                    ArrayRef<int64_t> scalars) {
  SmallVector<int64_t> ranks;
  SmallVector<Value> arguments;
  for (Value v : memrefs) {
    auto type = cast<MemRefType>(v.getType());
    ranks.push_back(type.getRank());
    auto dynamic = MemRefType::get(
        SmallVector<int64_t>(type.getRank(), ShapedType::kDynamic),
        type.getElementType());
    arguments.push_back(memref::CastOp::create(b, loc, dynamic, v));
  }
  for (int64_t s : scalars)
    arguments.push_back(
        arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(s)));
  auto module =
      b.getInsertionBlock()->getParentOp()->getParentOfType<ModuleOp>();
  func::FuncOp callee =
      declareRuntimeFunction(module, name, ranks, scalars.size());
  func::CallOp::create(b, loc, callee, arguments);
}
