//===- ChannelsLastPools.cpp - Max pools of NHWC images written NHWC ------===//
//
// In a channels-last program (--pet-gpu-conv-calls=channels-last=1) the
// convolutions' outputs are NHWC buffers seen as NCHW images. A max pool of
// one, lowered through linalg on tensors, writes a new NCHW buffer: the
// kernel either reads or writes across the layout (every thread a
// different cache line), and the next convolution transposes the image
// back. Here such a pool becomes linalg on buffers that writes an NHWC
// buffer of its own (padding, if any, an NHWC copy filled with -inf), so
// that it reads and writes along the channels, and what reads its result
// gets NHWC again.
//
//===----------------------------------------------------------------------===//

#include "PET/Conversion/Passes.h"

#include "TensorBuffers.h"

#include "PET/Dialect/PET/PETOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

#include <cmath>

namespace mlir::pet {
#define GEN_PASS_DEF_GPUCHANNELSLASTPOOLS
#include "PET/Conversion/Passes.h.inc"
} // namespace mlir::pet

using namespace mlir;
using namespace mlir::pet;

/// Replaces `pool` by linalg on buffers writing an NHWC buffer.
static void lowerToChannelsLast(MaxPool2DOp pool) {
  OpBuilder b(pool);
  Location loc = pool.getLoc();
  auto type = cast<RankedTensorType>(pool.getType());
  auto inputType = cast<RankedTensorType>(pool.getInput().getType());
  Type f32 = type.getElementType();
  Value negInf =
      arith::ConstantOp::create(b, loc, b.getFloatAttr(f32, -INFINITY));
  Value input = viewOf(b, loc, pool.getInput());
  SmallVector<int64_t> low = pool.getPadLowValues();
  SmallVector<int64_t> high = pool.getPadHighValues();
  if (llvm::any_of(low, [](int64_t p) { return p != 0; }) ||
      llvm::any_of(high, [](int64_t p) { return p != 0; })) {
    // The padded image, NHWC too: -inf around a copy of the input.
    SmallVector<int64_t> shape(inputType.getShape());
    shape[2] += low[0] + high[0];
    shape[3] += low[1] + high[1];
    Value padded = allocImage(b, loc, RankedTensorType::get(shape, f32),
                              /*channelsLast=*/true);
    linalg::FillOp::create(b, loc, ValueRange{negInf}, ValueRange{padded});
    SmallVector<int64_t> offsets = {0, 0, low[0], low[1]}, ones(4, 1);
    Value interior = memref::SubViewOp::create(b, loc, padded, offsets,
                                               inputType.getShape(), ones);
    linalg::CopyOp::create(b, loc, input, interior);
    input = padded;
  }
  Value output = allocImage(b, loc, type, /*channelsLast=*/true);
  linalg::FillOp::create(b, loc, ValueRange{negInf}, ValueRange{output});
  // The window operand gives linalg the window's shape; it is never read.
  Value window =
      memref::AllocaOp::create(b, loc, MemRefType::get(pool.getKernel(), f32));
  SmallVector<NamedAttribute> attrs = {
      b.getNamedAttr("strides", b.getI64TensorAttr(pool.getStrideValues())),
      b.getNamedAttr("dilations",
                     b.getI64TensorAttr(pool.getDilationValues()))};
  linalg::PoolingNchwMaxOp::create(b, loc, TypeRange{},
                                   ValueRange{input, window},
                                   ValueRange{output}, attrs);
  Value result = bufferization::ToTensorOp::create(
      b, loc, type, output, /*restrict=*/true, /*writable=*/true);
  pool.getResult().replaceAllUsesWith(result);
  pool.erase();
}

namespace {
struct GPUChannelsLastPoolsPass
    : public pet::impl::GPUChannelsLastPoolsBase<GPUChannelsLastPoolsPass> {
  void runOnOperation() override {
    SmallVector<MaxPool2DOp> pools;
    getOperation().walk([&](MaxPool2DOp pool) {
      if (isStaticF32(pool.getInput()) && isStaticF32(pool.getResult()) &&
          isChannelsLast(pool.getInput()))
        pools.push_back(pool);
    });
    for (MaxPool2DOp pool : pools)
      lowerToChannelsLast(pool);
  }
};
} // namespace
