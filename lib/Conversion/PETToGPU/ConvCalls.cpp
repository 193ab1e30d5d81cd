//===- ConvCalls.cpp - Convolution chains as fused cuDNN calls ------------===//

#include "PET/Conversion/Passes.h"

#include "RuntimeFunctions.h"
#include "TensorBuffers.h"

#include "PET/Dialect/PET/PETOps.h"
#include "PET/Optimizer/LayoutViews.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
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

/// The filter's buffer: a filter stored KRSC (--pet-gpu-filters-last: read
/// through pet.transpose [0, 3, 1, 2]) as a view of its F x KH x KW x C
/// buffer, strides [KH*KW*C, 1, KW*C, C]; otherwise its own buffer.
Value filterOf(OpBuilder &b, Location loc, Value filter) {
  auto transpose = filter.getDefiningOp<TransposeOp>();
  if (!transpose || transpose.getPermutation() != ArrayRef<int64_t>{0, 3, 1, 2})
    return bufferOf(b, loc, filter);
  return channelsSecondView(b, loc, bufferOf(b, loc, transpose.getInput()));
}

/// The convolution's image: a view of the image whose rows or columns
/// `concat` lays along the batch, when it does; else the operand itself.
Value inputViewOf(OpBuilder &b, Location loc, Value input) {
  auto concat = input.getDefiningOp<ConcatOp>();
  std::optional<BatchView> view =
      concat ? matchRowsAsBatch(concat) : std::nullopt;
  if (!view)
    return viewOf(b, loc, input);
  // image [1, C, H, W] -> [pieces, C, H/pieces, W] (rows; columns alike):
  // the batch steps by a piece's rows.
  Value image = viewOf(b, loc, view->value);
  auto metadata = memref::ExtractStridedMetadataOp::create(b, loc, image);
  auto type = cast<RankedTensorType>(input.getType());
  int64_t piece = type.getDimSize(view->axis);
  Value pieceStride =
      arith::MulIOp::create(b, loc, metadata.getStrides()[view->axis],
                            arith::ConstantIndexOp::create(b, loc, piece));
  SmallVector<OpFoldResult> sizes =
      llvm::map_to_vector(type.getShape(), [&](int64_t s) -> OpFoldResult {
        return b.getIndexAttr(s);
      });
  SmallVector<OpFoldResult> strides = {pieceStride, metadata.getStrides()[1],
                                       metadata.getStrides()[2],
                                       metadata.getStrides()[3]};
  return memref::ReinterpretCastOp::create(
      b, loc, stridedType(type.getShape(), type.getElementType()),
      metadata.getBaseBuffer(), metadata.getOffset(), sizes, strides);
}

/// Where a chain's call writes its result, other than a buffer of its own:
/// into its slice of a concatenation's buffer.
struct Destination {
  ConcatOp concat;
  /// The operand of `concat` the chain produces (in place), or -1: the
  /// chain's batch is `concat`'s rows or columns (matchBatchAsRows).
  int operand = -1;
};

/// The buffers of the concatenations written in place, and their writers.
struct InPlaceConcats {
  DenseMap<Operation *, Destination> byChainEnd;
  DenseMap<Operation *, Value> buffers;
  /// In order; whether each is a batch written back into rows or columns
  /// (matchBatchAsRows) rather than operands written into their slices.
  SmallVector<std::pair<ConcatOp, bool>> concats;
};

/// The slice of `concat`'s buffer that its operand `index` fills.
Value operandSlice(OpBuilder &b, Location loc, Value buffer, ConcatOp concat,
                   unsigned index) {
  int64_t axis = concat.getAxis();
  auto rank = cast<RankedTensorType>(concat.getType()).getRank();
  SmallVector<int64_t> offsets(rank, 0), ones(rank, 1);
  for (Value operand : concat.getInputs().take_front(index))
    offsets[axis] += cast<RankedTensorType>(operand.getType()).getDimSize(axis);
  auto shape =
      cast<RankedTensorType>(concat.getInputs()[index].getType()).getShape();
  return memref::SubViewOp::create(b, loc, buffer, offsets, shape, ones);
}

InPlaceConcats planInPlaceConcats(ModuleOp module, bool channelsLast) {
  InPlaceConcats plan;
  module.walk([&](ConcatOp concat) {
    if (!cast<RankedTensorType>(concat.getType()).hasStaticShape())
      return;
    SmallVector<std::pair<ConvChain, Destination>> writers;
    std::optional<BatchView> view = matchBatchAsRows(concat);
    if (view) {
      writers.push_back({*getConvChainProducing(view->value), {concat, -1}});
    } else {
      for (unsigned i = 0, e = concat.getInputs().size(); i < e; ++i)
        if (isWrittenInPlace(concat, i))
          writers.push_back({*getConvChainProducing(concat.getInputs()[i]),
                             {concat, static_cast<int>(i)}});
    }
    if (writers.empty())
      return;
    // The buffer, before the first of its writers.
    Operation *first = writers.front().first.conv;
    for (auto &writer : writers)
      if (writer.first.conv->isBeforeInBlock(first))
        first = writer.first.conv;
    OpBuilder b(first);
    auto type = cast<RankedTensorType>(concat.getType());
    plan.buffers[concat] =
        allocImage(b, concat.getLoc(), type, channelsLast && !view);
    for (auto &[chain, destination] : writers)
      plan.byChainEnd[chain.ops.back()] = destination;
    plan.concats.push_back({concat, view.has_value()});
  });
  return plan;
}

/// The view of `plan`'s buffer that the chain ending in `last` writes, if
/// it writes into a concatenation.
Value outputViewFor(OpBuilder &b, Location loc, const InPlaceConcats &plan,
                    Operation *last) {
  auto it = plan.byChainEnd.find(last);
  if (it == plan.byChainEnd.end())
    return nullptr;
  const Destination &destination = it->second;
  ConcatOp concat = destination.concat;
  Value buffer = plan.buffers.lookup(concat);
  if (destination.operand >= 0)
    return operandSlice(b, loc, buffer, concat, destination.operand);
  // [pieces, F, P, W] into [1, F, pieces * P, W] (rows; columns alike): the
  // batch steps by a piece's rows of the image.
  auto resultType = cast<RankedTensorType>(last->getResult(0).getType());
  int64_t axis = concat.getAxis();
  auto [strides, offset] =
      cast<MemRefType>(buffer.getType()).getStridesAndOffset();
  strides[0] = resultType.getDimSize(axis) * strides[axis];
  auto viewType =
      MemRefType::get(resultType.getShape(), resultType.getElementType(),
                      StridedLayoutAttr::get(b.getContext(), offset, strides));
  return memref::ReinterpretCastOp::create(b, loc, viewType, buffer, offset,
                                           resultType.getShape(), strides);
}

/// Replaces each concatenation written in place by its buffer: the
/// operands not written by their producers are copied into their slices.
void finishInPlaceConcats(const InPlaceConcats &plan) {
  DenseSet<Value> writtenInPlace;
  for (auto &[last, destination] : plan.byChainEnd)
    writtenInPlace.insert(last->getResult(0));
  for (auto [concat, batchAsRows] : plan.concats) {
    OpBuilder b(concat);
    Location loc = concat.getLoc();
    Value buffer = plan.buffers.lookup(concat);
    if (!batchAsRows)
      for (auto [index, operand] : llvm::enumerate(concat.getInputs())) {
        if (writtenInPlace.contains(operand))
          continue;
        auto materialize = bufferization::MaterializeInDestinationOp::create(
            b, loc, operand, operandSlice(b, loc, buffer, concat, index));
        materialize.setRestrict(true);
        materialize.setWritable(true);
      }
    Value result = bufferization::ToTensorOp::create(b, loc, concat.getType(),
                                                     buffer, /*restrict=*/true,
                                                     /*writable=*/true);
    concat.getResult().replaceAllUsesWith(result);
    // A batch's split goes with it: it reads the chain, which goes next.
    auto split = concat.getInputs().front().getDefiningOp<SplitOp>();
    concat->erase();
    if (batchAsRows)
      split->erase();
  }
}

/// Whether `tensor` is, or will be once every chain is replaced, stored
/// NHWC: written by a chain into a buffer of its own (not a
/// concatenation's) whose residual, if any, is NHWC too. A convolution's
/// own result is one (a chain that takes the addition reading it is
/// replaced first, and the convolution is left alone), and so is a max
/// pool of one (--pet-gpu-channels-last-pools, after this pass in PET's GPU
/// pipeline, writes it NHWC).
bool willBeChannelsLast(Value tensor, const InPlaceConcats &plan) {
  if (isChannelsLast(tensor))
    return true;
  if (auto pool = tensor.getDefiningOp<MaxPool2DOp>())
    return isStaticF32(pool.getResult()) &&
           willBeChannelsLast(pool.getInput(), plan);
  if (auto conv = tensor.getDefiningOp<Conv2DOp>())
    return cast<RankedTensorType>(tensor.getType()).getElementType().isF32() &&
           !plan.byChainEnd.contains(conv);
  std::optional<ConvChain> chain = getConvChainProducing(tensor);
  if (!chain || plan.byChainEnd.contains(chain->ops.back()) ||
      chain->ops.back()->getResult(0) != tensor)
    return false;
  return !chain->residual || willBeChannelsLast(chain->residual, plan);
}

/// Replaces `chain` by one library call. A chain that writes into a
/// concatenation's buffer is left for the caller to erase once the
/// concatenation is gone; returns whether it does.
bool replaceByCall(const ConvChain &chain, const InPlaceConcats &plan,
                   bool views, bool channelsLast) {
  Conv2DOp conv = chain.conv;
  Operation *last = chain.ops.back();
  OpBuilder b(last);
  Location loc = conv.getLoc();
  auto type = cast<RankedTensorType>(chain.getResult().getType());
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
  // Written into a concatenation's buffer, or a buffer of its own.
  // A residual is read with the output's strides: the output takes the
  // residual's layout.
  Value output = outputViewFor(b, loc, plan, last);
  Value ownBuffer;
  if (!output)
    output = ownBuffer =
        allocImage(b, loc, type,
                   channelsLast && (!chain.residual ||
                                    willBeChannelsLast(chain.residual, plan)));
  int64_t flags = (chain.bias ? kBias : 0) | (chain.residual ? kResidual : 0) |
                  (chain.relu ? kRelu : 0);
  Value bias = chain.bias ? bufferOf(b, loc, chain.bias) : output;
  Value residual = output;
  if (chain.residual)
    residual = channelsLast ? viewOf(b, loc, chain.residual)
                            : bufferOf(b, loc, chain.residual);
  SmallVector<int64_t> strides = conv.getStrideValues();
  SmallVector<int64_t> dilations = conv.getDilationValues();
  callRuntimeFunction(b, loc, "pet_rt_conv2d_fused_f32",
                      {views && !wantsCopies(conv) ? inputViewOf(b, loc, input)
                                                   : bufferOf(b, loc, input),
                       filterOf(b, loc, conv.getFilter()), bias, residual,
                       output},
                      {strides[0], strides[1], pads[0], pads[1], dilations[0],
                       dilations[1], conv.getGroupCount(), flags});
  if (!ownBuffer)
    return true;
  Value result = bufferization::ToTensorOp::create(
      b, loc, type, ownBuffer, /*restrict=*/true, /*writable=*/true);
  last->getResult(0).replaceAllUsesWith(result);
  for (Operation *op : llvm::reverse(chain.ops))
    op->erase();
  return false;
}

struct GPUConvCallsPass : public pet::impl::GPUConvCallsBase<GPUConvCallsPass> {
  using Base::Base;

  void runOnOperation() override {
    InPlaceConcats plan;
    if (layoutViews)
      plan = planInPlaceConcats(getOperation(), channelsLast);
    SmallVector<Conv2DOp> convs;
    getOperation().walk([&](Conv2DOp conv) {
      if (conv.getType().getElementType().isF32())
        convs.push_back(conv);
    });
    SmallVector<ConvChain> inPlace;
    for (Conv2DOp conv : convs) {
      ConvChain chain = matchConvChain(conv);
      if (replaceByCall(chain, plan, layoutViews, channelsLast))
        inPlace.push_back(chain);
    }
    finishInPlaceConcats(plan);
    for (const ConvChain &chain : inPlace)
      for (Operation *op : llvm::reverse(chain.ops))
        op->erase();
    // Splits, concatenations and filter transposes that only the calls
    // read (as views) are gone.
    eraseUnread<SplitOp, ConcatOp, TransposeOp>(getOperation());
  }
};
} // namespace
