//===- TensorBuffers.cpp - PET tensors handed to code on buffers ----------===//

#include "TensorBuffers.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/AffineMap.h"

using namespace mlir;

bool mlir::pet::isStaticF32(Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  return type && type.hasStaticShape() && type.getElementType().isF32();
}

bool mlir::pet::hasStaticF32Tensors(Operation *op) {
  return llvm::all_of(op->getOperands(), isStaticF32) &&
         llvm::all_of(op->getResults(), isStaticF32);
}

Value mlir::pet::bufferOf(OpBuilder &b, Location loc, Value tensor) {
  auto type = cast<RankedTensorType>(tensor.getType());
  auto memref = MemRefType::get(type.getShape(), type.getElementType());
  return bufferization::ToBufferOp::create(b, loc, memref, tensor,
                                           /*read_only=*/true);
}

MemRefType mlir::pet::stridedType(ArrayRef<int64_t> shape, Type element) {
  SmallVector<int64_t> strides(shape.size(), ShapedType::kDynamic);
  return MemRefType::get(shape, element,
                         StridedLayoutAttr::get(element.getContext(),
                                                ShapedType::kDynamic, strides));
}

Value mlir::pet::viewOf(OpBuilder &b, Location loc, Value tensor) {
  auto type = cast<RankedTensorType>(tensor.getType());
  return bufferization::ToBufferOp::create(
      b, loc, stridedType(type.getShape(), type.getElementType()), tensor,
      /*read_only=*/true);
}

Value mlir::pet::channelsSecondView(OpBuilder &b, Location loc,
                                    Value channelsLast) {
  AffineMap toChannelsSecond = AffineMap::getPermutationMap(
      ArrayRef<unsigned>{0, 3, 1, 2}, b.getContext());
  return memref::TransposeOp::create(b, loc, channelsLast,
                                     AffineMapAttr::get(toChannelsSecond));
}

Value mlir::pet::allocImage(OpBuilder &b, Location loc, RankedTensorType type,
                            bool channelsLast) {
  ArrayRef<int64_t> shape = type.getShape();
  if (!channelsLast || shape.size() != 4)
    return memref::AllocOp::create(
        b, loc, MemRefType::get(shape, type.getElementType()));
  Value nhwc = memref::AllocOp::create(
      b, loc,
      MemRefType::get({shape[0], shape[2], shape[3], shape[1]},
                      type.getElementType()));
  return channelsSecondView(b, loc, nhwc);
}

bool mlir::pet::isChannelsLast(Value tensor) {
  auto toTensor = tensor.getDefiningOp<bufferization::ToTensorOp>();
  if (!toTensor)
    return false;
  Value buffer = toTensor.getBuffer();
  while (auto subview = buffer.getDefiningOp<memref::SubViewOp>())
    buffer = subview.getSource();
  return buffer.getDefiningOp<memref::TransposeOp>() != nullptr;
}
