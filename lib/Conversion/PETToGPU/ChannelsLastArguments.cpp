//===- ChannelsLastArguments.cpp - Image arguments copied into NHWC -------===//
//
// Candidates are timed alone (python -m pet_mlir.measure), each subprogram a
// function whose images arrive as NCHW arguments. In the channels-last
// program they are measured for, those images are convolution outputs stored
// NHWC, where a channel slice is no longer a contiguous view. Copying each
// image argument into an NHWC buffer at entry makes the lowering see what it
// will see in the program.
//
//===----------------------------------------------------------------------===//

#include "PET/Conversion/Passes.h"

#include "TensorBuffers.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace mlir::pet {
#define GEN_PASS_DEF_GPUCHANNELSLASTARGUMENTS
#include "PET/Conversion/Passes.h.inc"
} // namespace mlir::pet

using namespace mlir;
using namespace mlir::pet;

/// Copies the image arguments of `func` (4-D f32, not weights, read) into
/// NHWC buffers at its entry.
static void copyImageArguments(func::FuncOp func) {
  if (func.isExternal())
    return;
  Block &entry = func.getBody().front();
  OpBuilder b = OpBuilder::atBlockBegin(&entry);
  for (BlockArgument arg : entry.getArguments()) {
    auto type = dyn_cast<RankedTensorType>(arg.getType());
    if (!type || type.getRank() != 4 || !isStaticF32(arg) || arg.use_empty() ||
        func.getArgAttr(arg.getArgNumber(), "pet.weight"))
      continue;
    Location loc = arg.getLoc();
    Value source = bufferOf(b, loc, arg);
    Value nhwc = allocImage(b, loc, type, /*channelsLast=*/true);
    linalg::CopyOp::create(b, loc, source, nhwc);
    Value copy = bufferization::ToTensorOp::create(
        b, loc, type, nhwc, /*restrict=*/true, /*writable=*/true);
    arg.replaceAllUsesExcept(copy, source.getDefiningOp());
  }
}

namespace {
struct GPUChannelsLastArgumentsPass
    : public pet::impl::GPUChannelsLastArgumentsBase<
          GPUChannelsLastArgumentsPass> {
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>())
      copyImageArguments(func);
  }
};
} // namespace
