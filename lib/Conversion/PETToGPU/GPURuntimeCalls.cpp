//===- GPURuntimeCalls.cpp - Library calls and GPU-visible memory ---------===//

#include "PET/Conversion/Passes.h"

#include "RuntimeFunctions.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"

namespace mlir::pet {
#define GEN_PASS_DEF_GPURUNTIMECALLS
#include "PET/Conversion/Passes.h.inc"
} // namespace mlir::pet

using namespace mlir;

namespace {

/// A statically shaped f32 memref with the identity layout.
bool isContiguousF32(Value value) {
  auto type = dyn_cast<MemRefType>(value.getType());
  return type && type.getElementType().isF32() && type.hasStaticShape() &&
         type.getLayout().isIdentity();
}

/// Replaces `op` by a call of the runtime function `name` on its memref
/// operands (copied to contiguous buffers where needed, the output back,
/// except those in `views`, which the function takes strided) and
/// `scalars`.
void replaceByCall(Operation *op, StringRef name, ArrayRef<Value> memrefs,
                   Value output, ArrayRef<int64_t> scalars,
                   ArrayRef<Value> views = {}) {
  OpBuilder b(op);
  Location loc = op->getLoc();
  SmallVector<Value> operands;
  Value outputCopy;
  for (Value v : memrefs) {
    Value operand = v;
    if (!isContiguousF32(v) && !llvm::is_contained(views, v)) {
      auto type = cast<MemRefType>(v.getType());
      operand = memref::AllocOp::create(
          b, loc, MemRefType::get(type.getShape(), type.getElementType()));
      memref::CopyOp::create(b, loc, v, operand);
      if (v == output)
        outputCopy = operand;
    }
    operands.push_back(operand);
  }
  pet::callRuntimeFunction(b, loc, name, operands, scalars);
  if (outputCopy)
    memref::CopyOp::create(b, loc, outputCopy, output);
  op->erase();
}

SmallVector<int64_t> values(DenseIntElementsAttr attr) {
  return llvm::map_to_vector(attr.getValues<int64_t>(),
                             [](int64_t v) { return v; });
}

struct GPURuntimeCallsPass
    : public pet::impl::GPURuntimeCallsBase<GPURuntimeCallsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    // What the rest of the GPU pipeline lowers; anything else is named.
    bool unsupported = false;
    module.walk([&](Operation *op) {
      StringRef dialect = op->getName().getDialectNamespace();
      if (!llvm::is_contained({"builtin", "func", "arith", "math", "memref",
                               "linalg", "scf", "gpu", "affine", "cf",
                               "bufferization", "llvm", "vector"},
                              dialect)) {
        op->emitError("the GPU lowering does not handle '")
            << op->getName() << "'";
        unsupported = true;
      }
    });
    if (unsupported)
      return signalPassFailure();
    auto f32Memrefs = [](Operation *op) {
      return llvm::all_of(op->getOperands(), [](Value v) {
        auto type = dyn_cast<MemRefType>(v.getType());
        return type && type.hasStaticShape() && type.getElementType().isF32();
      });
    };
    SmallVector<Operation *> ops;
    module.walk([&](Operation *op) {
      if (isa<linalg::Conv2DNchwFchwOp, linalg::MatmulOp,
              linalg::BatchMatmulOp>(op) &&
          cast<linalg::LinalgOp>(op).hasPureBufferSemantics() && f32Memrefs(op))
        ops.push_back(op);
    });
    for (Operation *op : ops) {
      if (auto conv = dyn_cast<linalg::Conv2DNchwFchwOp>(op)) {
        SmallVector<int64_t> strides = values(conv.getStrides());
        SmallVector<int64_t> dilations = values(conv.getDilations());
        Value out = conv.getOutputs()[0];
        // cuDNN reads and writes strided images (memref.subview never
        // makes positions overlap); the filter must be contiguous.
        replaceByCall(op, "pet_rt_conv2d_f32",
                      {conv.getInputs()[0], conv.getInputs()[1], out}, out,
                      {strides[0], strides[1], dilations[0], dilations[1], 1},
                      /*views=*/{conv.getInputs()[0], out});
      } else if (auto mm = dyn_cast<linalg::MatmulOp>(op)) {
        if (mm.hasUserDefinedMaps())
          continue;
        Value out = mm.getOutputs()[0];
        replaceByCall(op, "pet_rt_matmul_f32",
                      {mm.getInputs()[0], mm.getInputs()[1], out}, out, {});
      } else if (auto bmm = dyn_cast<linalg::BatchMatmulOp>(op)) {
        if (bmm.hasUserDefinedMaps())
          continue;
        Value out = bmm.getOutputs()[0];
        replaceByCall(op, "pet_rt_batch_matmul_f32",
                      {bmm.getInputs()[0], bmm.getInputs()[1], out}, out, {});
      }
    }
    // Constants (weights) live in the host program's data: kernels read a
    // GPU-visible copy.
    SmallVector<memref::GetGlobalOp> globals;
    module.walk([&](memref::GetGlobalOp op) { globals.push_back(op); });
    for (memref::GetGlobalOp global : globals) {
      OpBuilder b(global->getContext());
      b.setInsertionPointAfter(global);
      auto type = global.getType();
      if (!type.getLayout().isIdentity())
        continue;
      auto copy = memref::AllocOp::create(b, global.getLoc(), type);
      global.getResult().replaceAllUsesWith(copy);
      memref::CopyOp::create(b, global.getLoc(), global, copy);
    }
    // Copies between GPU-visible buffers run as kernels (linalg.copy, made
    // parallel loops by the next passes), not element by element on the
    // host; copies out of constants stay host copies.
    SmallVector<memref::CopyOp> copies;
    module.walk([&](memref::CopyOp op) { copies.push_back(op); });
    for (memref::CopyOp copy : copies) {
      if (copy.getSource().getDefiningOp<memref::GetGlobalOp>())
        continue;
      OpBuilder b(copy);
      linalg::CopyOp::create(b, copy.getLoc(), copy.getSource(),
                             copy.getTarget());
      copy.erase();
    }
    // Memory that kernels, the libraries and the host all reach.
    SmallVector<memref::AllocOp> allocs;
    module.walk([&](memref::AllocOp op) { allocs.push_back(op); });
    for (memref::AllocOp alloc : allocs) {
      OpBuilder b(alloc);
      auto gpuAlloc = gpu::AllocOp::create(
          b, alloc.getLoc(), alloc.getType(), /*asyncToken=*/Type(),
          /*asyncDependencies=*/ValueRange(), alloc.getDynamicSizes(),
          alloc.getSymbolOperands(), /*hostShared=*/true);
      alloc.replaceAllUsesWith(gpuAlloc.getMemref());
      alloc.erase();
    }
    SmallVector<memref::DeallocOp> deallocs;
    module.walk([&](memref::DeallocOp op) { deallocs.push_back(op); });
    for (memref::DeallocOp dealloc : deallocs) {
      OpBuilder b(dealloc);
      gpu::DeallocOp::create(b, dealloc.getLoc(), /*asyncToken=*/Type(),
                             ValueRange(), dealloc.getMemref());
      dealloc.erase();
    }
  }
};
} // namespace
