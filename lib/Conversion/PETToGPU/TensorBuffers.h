//===- TensorBuffers.h - PET tensors handed to code on buffers --*- C++ -*-===//
//
// The GPU lowerings that run before bufferization (--pet-gpu-conv-calls,
// --pet-gpu-matmul-calls, --pet-gpu-row-kernels) replace PET operators by
// library calls or kernels on memrefs: they take the tensors they read as
// read-only buffers and give their results back as tensors.
//
//===----------------------------------------------------------------------===//

#ifndef PET_LIB_CONVERSION_PETTOGPU_TENSORBUFFERS_H
#define PET_LIB_CONVERSION_PETTOGPU_TENSORBUFFERS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Operation.h"

namespace mlir::pet {

/// Whether `value` is a statically shaped f32 tensor (what the lowerings
/// handle).
bool isStaticF32(Value value);

/// Whether every operand and result of `op` is one.
bool hasStaticF32Tensors(Operation *op);

/// A read-only buffer of `tensor` with the identity layout
/// (`bufferization.to_buffer`; bufferization copies a strided one).
Value bufferOf(OpBuilder &b, Location loc, Value tensor);

/// A memref type of `shape` with any strides and offset: what a library
/// call or kernel that takes views is given.
MemRefType stridedType(ArrayRef<int64_t> shape, Type element);

/// A read-only buffer of `tensor` with whatever strides it has (a slice of
/// a larger tensor, an NHWC image, is passed as it lies).
Value viewOf(OpBuilder &b, Location loc, Value tensor);

/// A 4-d buffer stored channels last (N x H x W x C, or a filter's
/// F x KH x KW x C) seen in the channels-second order the operators index
/// (`memref.transpose`: strides [HWC, 1, WC, C]).
Value channelsSecondView(OpBuilder &b, Location loc, Value channelsLast);

/// A new buffer for an NCHW image of `type`: with `channelsLast`, stored
/// NHWC (an N x H x W x C allocation seen through `memref.transpose` as
/// N x C x H x W with strides [HWC, 1, WC, C]), the layout of cuDNN's
/// tensor-core kernels; otherwise dense NCHW.
Value allocImage(OpBuilder &b, Location loc, RankedTensorType type,
                 bool channelsLast);

/// Whether `tensor` is an image written into an NHWC buffer (allocImage)
/// by a library call or kernel, or a slice of one.
bool isChannelsLast(Value tensor);

/// Erases the operators of kinds `Ops` under `root` that nothing reads any
/// more (layout operators whose readers became calls on views); readers
/// before what they read, so that a chain of them goes in one walk.
template <typename... Ops> void eraseUnread(Operation *root) {
  SmallVector<Operation *> found;
  root->walk([&](Operation *op) {
    if (isa<Ops...>(op))
      found.push_back(op);
  });
  for (Operation *op : llvm::reverse(found))
    if (op->use_empty())
      op->erase();
}

} // namespace mlir::pet

#endif // PET_LIB_CONVERSION_PETTOGPU_TENSORBUFFERS_H
