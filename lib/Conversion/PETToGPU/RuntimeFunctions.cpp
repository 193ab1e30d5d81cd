//===- RuntimeFunctions.cpp - Declarations of runtime/ functions ----------===//

#include "RuntimeFunctions.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"

using namespace mlir;

/// An f32 memref of `rank` with unknown sizes, strides and offset: any
/// memref of that rank casts to it, and its C descriptor is the same.
static MemRefType anyMemRefType(MLIRContext *context, int64_t rank) {
  SmallVector<int64_t> unknown(rank, ShapedType::kDynamic);
  return MemRefType::get(
      unknown, Float32Type::get(context),
      StridedLayoutAttr::get(context, ShapedType::kDynamic, unknown));
}

func::FuncOp mlir::pet::declareRuntimeFunction(ModuleOp module, StringRef name,
                                               ArrayRef<int64_t> ranks,
                                               unsigned scalars) {
  if (auto existing = module.lookupSymbol<func::FuncOp>(name))
    return existing;
  OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
  SmallVector<Type> types;
  for (int64_t rank : ranks)
    types.push_back(anyMemRefType(b.getContext(), rank));
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
    arguments.push_back(memref::CastOp::create(
        b, loc, anyMemRefType(b.getContext(), type.getRank()), v));
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
