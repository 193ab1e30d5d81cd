//===- ConvCalls.cpp - Convolution chains as fused cuDNN calls ------------===//

#include "PET/Conversion/Passes.h"

#include "RuntimeFunctions.h"

#include "PET/Dialect/PET/PETOps.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace mlir::pet {
#define GEN_PASS_DEF_GPUCONVCALLS
#include "PET/Conversion/Passes.h.inc"
} // namespace mlir::pet

using namespace mlir;
using namespace mlir::pet;

namespace {
// The flags of pet_rt_conv2d_fused_f32 (runtime/include/pet_runtime.h).
constexpr int64_t kBias = 1, kResidual = 2, kRelu = 4;

/// A convolution and the element-wise operators after it that fuse.
struct ConvChain {
  Conv2DOp conv;
  Value bias, residual;
  bool relu = false;
  /// The matched operators, in order: the call replaces the last one's
  /// result.
  SmallVector<Operation *> ops;
};

/// The only reader of `value`, if there is exactly one.
Operation *onlyUser(Value value) {
  return value.hasOneUse() ? *value.getUsers().begin() : nullptr;
}

/// The convolution, then bias and residual additions (each at most once,
/// either order), then ReLU, each the only reader of the one before.
ConvChain matchChain(Conv2DOp conv) {
  ConvChain chain{conv, {}, {}, false, {conv}};
  auto type = cast<RankedTensorType>(conv.getType());
  auto biasType = RankedTensorType::get({1, type.getDimSize(1), 1, 1},
                                        type.getElementType());
  Value current = conv.getResult();
  while (auto add = dyn_cast_or_null<AddOp>(onlyUser(current))) {
    Value other = add.getLhs() == current ? add.getRhs() : add.getLhs();
    if (add.getType() != type || other == current)
      break;
    if (other.getType() == biasType && !chain.bias)
      chain.bias = other;
    else if (other.getType() == type && !chain.residual)
      chain.residual = other;
    else
      break;
    chain.ops.push_back(add);
    current = add.getResult();
  }
  if (auto relu = dyn_cast_or_null<ReluOp>(onlyUser(current))) {
    chain.relu = true;
    chain.ops.push_back(relu);
  }
  return chain;
}

/// A read-only buffer of `tensor` (of identity layout: bufferization
/// copies a strided one).
Value bufferOf(OpBuilder &b, Location loc, Value tensor) {
  auto type = cast<RankedTensorType>(tensor.getType());
  auto memref = MemRefType::get(type.getShape(), type.getElementType());
  return bufferization::ToBufferOp::create(b, loc, memref, tensor,
                                           /*read_only=*/true);
}

void replaceByCall(const ConvChain &chain) {
  Conv2DOp conv = chain.conv;
  Operation *last = chain.ops.back();
  OpBuilder b(last);
  Location loc = conv.getLoc();
  auto type = cast<RankedTensorType>(conv.getType());
  // cuDNN pads both sides alike: the image gets what one side has more.
  SmallVector<int64_t> low = conv.getPadLowValues();
  SmallVector<int64_t> high = conv.getPadHighValues();
  SmallVector<int64_t> pads, extraLow = {0, 0}, extraHigh = {0, 0};
  for (auto [l, h] : llvm::zip_equal(low, high)) {
    pads.push_back(std::min(l, h));
    extraLow.push_back(l - pads.back());
    extraHigh.push_back(h - pads.back());
  }
  Value input = conv.getInput();
  if (extraLow != extraHigh)
    input = PadOp::create(b, loc, input, b.getDenseI64ArrayAttr(extraLow),
                          b.getDenseI64ArrayAttr(extraHigh));
  Value output = memref::AllocOp::create(
      b, loc, MemRefType::get(type.getShape(), type.getElementType()));
  int64_t flags = (chain.bias ? kBias : 0) | (chain.residual ? kResidual : 0) |
                  (chain.relu ? kRelu : 0);
  Value bias = chain.bias ? bufferOf(b, loc, chain.bias) : output;
  Value residual = chain.residual ? bufferOf(b, loc, chain.residual) : output;
  SmallVector<int64_t> strides = conv.getStrideValues();
  SmallVector<int64_t> dilations = conv.getDilationValues();
  callRuntimeFunction(b, loc, "pet_rt_conv2d_fused_f32",
                      {bufferOf(b, loc, input),
                       bufferOf(b, loc, conv.getFilter()), bias, residual,
                       output},
                      {strides[0], strides[1], pads[0], pads[1], dilations[0],
                       dilations[1], conv.getGroupCount(), flags});
  Value result = bufferization::ToTensorOp::create(
      b, loc, type, output, /*restrict=*/true, /*writable=*/true);
  last->getResult(0).replaceAllUsesWith(result);
  for (Operation *op : llvm::reverse(chain.ops))
    op->erase();
}

struct GPUConvCallsPass : public pet::impl::GPUConvCallsBase<GPUConvCallsPass> {
  void runOnOperation() override {
    SmallVector<Conv2DOp> convs;
    getOperation().walk([&](Conv2DOp conv) {
      if (conv.getType().getElementType().isF32())
        convs.push_back(conv);
    });
    for (Conv2DOp conv : convs)
      replaceByCall(matchChain(conv));
  }
};
} // namespace
