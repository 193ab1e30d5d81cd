//===- AttentionCalls.cpp - Attention as one runtime kernel ---------------===//
//
// softmax(scale * q k^T) v, as products, a scale and a softmax in the PET
// program, becomes one call of `pet_rt_attention_f32` (runtime/: the scores
// stay on chip), its operands read where they lie and its output written in
// the layout its reader wants (MatrixViews.h).
//
//===----------------------------------------------------------------------===//

#include "PET/Conversion/Passes.h"

#include "MatrixViews.h"
#include "RuntimeFunctions.h"
#include "TensorBuffers.h"

#include "PET/Dialect/PET/PETOps.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

#include <cstring>

namespace mlir::pet {
#define GEN_PASS_DEF_GPUATTENTIONCALLS
#include "PET/Conversion/Passes.h.inc"
} // namespace mlir::pet

using namespace mlir;
using namespace mlir::pet;

namespace {
// The flags of pet_rt_attention_f32 (runtime/include/pet_runtime.h).
constexpr int64_t kSafe = 1;
// The longest rows of q, k and v the kernel takes.
constexpr int64_t kMaxColumns = 128;

/// What one call computes.
struct Attention {
  Product scores, context;
  ScaleOp scale;
  SoftmaxOp softmax;
  /// Reshapes between the products and the softmax (rows kept).
  SmallVector<Operation *> reshapes;
  OutputLayout layout;
};

/// Whether `reshape` keeps rows (the last dimension) as they are.
bool keepsRows(ReshapeOp reshape) {
  return shapeOf(reshape.getInput()).back() ==
         shapeOf(reshape.getResult()).back();
}

/// The attention whose softmax is `softmax`, if it is one the kernel takes.
std::optional<Attention> match(SoftmaxOp softmax, int64_t maxKeys) {
  Attention a;
  a.softmax = softmax;
  int64_t rank = shapeOf(softmax.getResult()).size();
  if (static_cast<int64_t>(softmax.getAxis()) != rank - 1 ||
      !hasStaticF32Tensors(softmax))
    return std::nullopt;
  Block *block = softmax->getBlock();
  // Back to the scores' product: reshapes that keep rows and at most one
  // scale, each read only by the next.
  Value input = softmax.getInput();
  while (true) {
    Operation *def = input.getDefiningOp();
    if (!def || def->getBlock() != block || !input.hasOneUse())
      return std::nullopt;
    if (auto scale = dyn_cast<ScaleOp>(def)) {
      if (a.scale)
        return std::nullopt;
      a.scale = scale;
      input = scale.getInput();
    } else if (auto reshape = dyn_cast<ReshapeOp>(def);
               reshape && keepsRows(reshape)) {
      a.reshapes.push_back(reshape);
      input = reshape.getInput();
    } else {
      break;
    }
  }
  std::optional<Product> scores = productOf(input.getDefiningOp());
  // On to the context's product, through reshapes that keep rows.
  Value weights = softmax.getResult();
  Operation *user = nullptr;
  while (true) {
    if (!weights.hasOneUse())
      return std::nullopt;
    user = *weights.getUsers().begin();
    auto reshape = dyn_cast<ReshapeOp>(user);
    if (!reshape || !keepsRows(reshape) || reshape->getBlock() != block)
      break;
    a.reshapes.push_back(reshape);
    weights = reshape.getResult();
  }
  std::optional<Product> context = productOf(user);
  if (!scores || !context || context->op->getBlock() != block ||
      !hasStaticF32Tensors(scores->op) || !hasStaticF32Tensors(context->op) ||
      context->lhs != weights || context->transposeLhs ||
      context->rhs == weights ||
      // The reshapes between undo each other: the same rows, in order.
      shapeOf(weights) != shapeOf(scores->op->getResult(0)))
    return std::nullopt;
  a.scores = *scores;
  a.context = *context;
  // Row lengths: q's and k's (D), v's (Dv); keys (Lk).
  ArrayRef<int64_t> qShape = shapeOf(scores->lhs);
  int64_t d = scores->transposeLhs ? qShape[qShape.size() - 2] : qShape.back();
  ArrayRef<int64_t> vShape = shapeOf(context->rhs);
  int64_t dv =
      context->transposeRhs ? vShape[vShape.size() - 2] : vShape.back();
  int64_t keys = shapeOf(weights).back();
  if (d > kMaxColumns || dv > kMaxColumns || keys > maxKeys)
    return std::nullopt;
  a.layout = OutputLayout::of(context->op->getResult(0));
  return a;
}

void lower(Attention a) {
  Value result = a.layout.result;
  OpBuilder b(result.getDefiningOp());
  Location loc = a.softmax->getLoc();
  auto resultType = cast<RankedTensorType>(result.getType());
  Value buffer = memref::AllocOp::create(
      b, loc, MemRefType::get(resultType.getShape(), b.getF32Type()));
  Value context = a.context.op->getResult(0);
  Value out = materialize(b, loc, a.layout.productView(context), buffer);
  // The kernel takes any strides: q [B, Lq, D], k [B, Lk, D], v [B, Lk, Dv].
  auto view = [&](Value v, bool transposed) {
    return materialize(b, loc,
                       matrixView(v, transposed, /*asComputed=*/false,
                                  /*needUnitStride=*/false));
  };
  Value q = view(a.scores.lhs, a.scores.transposeLhs);
  Value k = view(a.scores.rhs, !a.scores.transposeRhs);
  Value v = view(a.context.rhs, a.context.transposeRhs);
  double factor = a.scale ? a.scale.getFactor().convertToDouble() : 1.0;
  int64_t bits;
  std::memcpy(&bits, &factor, sizeof(bits));
  callRuntimeFunction(b, loc, "pet_rt_attention_f32", {q, k, v, out},
                      {bits, a.softmax.getSafe() ? kSafe : 0});
  Value tensor = bufferization::ToTensorOp::create(
      b, loc, resultType, buffer, /*restrict=*/true, /*writable=*/true);
  result.replaceAllUsesWith(tensor);
  OutputLayout layout = a.layout;
  layout.erase();
  // The chain, readers before what they read (one block: program order).
  SmallVector<Operation *> chain = {a.scores.op, a.softmax, a.context.op};
  chain.append(a.reshapes.begin(), a.reshapes.end());
  if (a.scale)
    chain.push_back(a.scale);
  llvm::sort(chain,
             [](Operation *x, Operation *y) { return y->isBeforeInBlock(x); });
  for (Operation *op : chain)
    op->erase();
}

struct GPUAttentionCallsPass
    : public pet::impl::GPUAttentionCallsBase<GPUAttentionCallsPass> {
  using Base::Base;
  void runOnOperation() override {
    SmallVector<SoftmaxOp> softmaxes;
    getOperation().walk(
        [&](SoftmaxOp softmax) { softmaxes.push_back(softmax); });
    // Each matched when it is lowered: an earlier call replaces the context
    // it computes, which a later attention may read.
    for (SoftmaxOp softmax : softmaxes)
      if (std::optional<Attention> a = match(softmax, maxKeys))
        lower(*a);
    // Transposes, reshapes and splits that only the calls read (as views)
    // are gone.
    eraseUnread<TransposeOp, ReshapeOp, SplitOp>(getOperation());
  }
};
} // namespace
