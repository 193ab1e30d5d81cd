//===- LayoutViews.cpp - Layout operators the GPU lowering never copies ---===//

#include "PET/Optimizer/LayoutViews.h"

#include "PET/Dialect/PET/ScalarFunctions.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

using namespace mlir;
using namespace mlir::pet;

/// The only reader of `value`, if there is exactly one.
static Operation *onlyUser(Value value) {
  return value.hasOneUse() ? *value.getUsers().begin() : nullptr;
}

static bool isF32(Value value) {
  return cast<RankedTensorType>(value.getType()).getElementType().isF32();
}

static double bytesOf(Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  return static_cast<double>(type.getNumElements()) *
         type.getElementTypeBitWidth() / 8;
}

ConvChain mlir::pet::matchConvChain(Conv2DOp conv) {
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

std::optional<ConvChain> mlir::pet::getConvChainProducing(Value value) {
  // A chain is a convolution, at most two additions and a ReLU: look for
  // the convolution up to three operators back through them.
  SmallVector<std::pair<Value, int>> work = {{value, 0}};
  while (!work.empty()) {
    auto [current, depth] = work.pop_back_val();
    Operation *def = current.getDefiningOp();
    if (auto conv = dyn_cast_or_null<Conv2DOp>(def)) {
      if (!isF32(conv.getResult()))
        continue;
      ConvChain chain = matchConvChain(conv);
      if (chain.getResult() == value)
        return chain;
      continue;
    }
    if (depth < 3 && isa_and_nonnull<AddOp, ReluOp>(def))
      for (Value operand : def->getOperands())
        work.push_back({operand, depth + 1});
  }
  return std::nullopt;
}

/// Whether every operator of `chain` is in `op`'s block (where a buffer
/// allocated before the chain reaches `op`).
static bool isInBlockOf(const ConvChain &chain, Operation *op) {
  return llvm::all_of(chain.ops, [&](Operation *chainOp) {
    return chainOp->getBlock() == op->getBlock();
  });
}

/// The split whose results are `concat`'s operands, all of them in order.
static SplitOp getWholeSplit(ConcatOp concat) {
  auto split = concat.getInputs().front().getDefiningOp<SplitOp>();
  if (!split || split.getNumResults() != concat.getInputs().size())
    return nullptr;
  for (auto [operand, result] :
       llvm::zip_equal(concat.getInputs(), split.getResults()))
    if (operand != result)
      return nullptr;
  return split;
}

std::optional<BatchView> mlir::pet::matchRowsAsBatch(ConcatOp concat) {
  if (concat.getAxis() != 0 || wantsCopies(concat))
    return std::nullopt;
  SplitOp split = getWholeSplit(concat);
  if (!split || (split.getAxis() != 2 && split.getAxis() != 3) ||
      !llvm::all_equal(split.getSizes()))
    return std::nullopt;
  auto type = cast<RankedTensorType>(split.getInput().getType());
  if (type.getRank() != 4 || type.getDimSize(0) != 1 || !isF32(concat))
    return std::nullopt;
  return BatchView{split.getInput(), static_cast<int64_t>(split.getAxis()),
                   static_cast<int64_t>(split.getNumResults())};
}

std::optional<BatchView> mlir::pet::matchBatchAsRows(ConcatOp concat) {
  if ((concat.getAxis() != 2 && concat.getAxis() != 3) || wantsCopies(concat))
    return std::nullopt;
  SplitOp split = getWholeSplit(concat);
  if (!split || split.getAxis() != 0 ||
      llvm::any_of(split.getSizes(), [](int64_t s) { return s != 1; }))
    return std::nullopt;
  if (llvm::any_of(split.getResults(),
                   [](Value result) { return !result.hasOneUse(); }))
    return std::nullopt;
  Value batch = split.getInput();
  if (!batch.hasOneUse() ||
      cast<RankedTensorType>(batch.getType()).getRank() != 4)
    return std::nullopt;
  std::optional<ConvChain> chain = getConvChainProducing(batch);
  if (!chain || chain->residual || !isInBlockOf(*chain, concat))
    return std::nullopt;
  return BatchView{batch, static_cast<int64_t>(concat.getAxis()),
                   static_cast<int64_t>(split.getNumResults())};
}

bool mlir::pet::isWrittenInPlace(ConcatOp concat, unsigned index) {
  Value operand = concat.getInputs()[index];
  if (!operand.hasOneUse() || wantsCopies(concat))
    return false;
  std::optional<ConvChain> chain = getConvChainProducing(operand);
  return chain && !chain->residual && isInBlockOf(*chain, concat);
}

/// Whether `user` reads `value` through a strided view without a copy: a
/// convolution's image (cuDNN takes strides), an element-wise operator or
/// a pooling (generated kernels index any memref), a concatenation (which
/// accounts for its own copies), the function's results.
static bool readsViews(Operation *user, Value value) {
  if (auto conv = dyn_cast<Conv2DOp>(user))
    return conv.getInput() == value && conv.getFilter() != value &&
           isF32(conv.getResult()) && !wantsCopies(conv);
  return hasScalarFunction(user) ||
         isa<AddOp, SubOp, MulOp, ScaleOp, AvgPool2DOp, MaxPool2DOp, ConcatOp,
             func::ReturnOp>(user);
}

std::optional<double> mlir::pet::getLayoutCopyBytes(Operation *op) {
  if (isa<SplitOp, SliceOp>(op)) {
    double bytes = 0;
    for (Value result : op->getResults())
      if (!llvm::all_of(result.getUsers(), [&](Operation *user) {
            return readsViews(user, result);
          }))
        bytes += 2 * bytesOf(result);
    return bytes;
  }
  auto concat = dyn_cast<ConcatOp>(op);
  if (!concat)
    return std::nullopt;
  if (matchBatchAsRows(concat))
    return 0.0;
  if (matchRowsAsBatch(concat) &&
      llvm::all_of(concat->getUsers(), [&](Operation *user) {
        return isa<Conv2DOp>(user) && readsViews(user, concat.getResult());
      }))
    return 0.0;
  double bytes = 0;
  for (unsigned i = 0, e = concat.getInputs().size(); i < e; ++i)
    if (!isWrittenInPlace(concat, i))
      bytes += 2 * bytesOf(concat.getInputs()[i]);
  return bytes;
}

bool mlir::pet::usesLayoutViews(Operation *root) {
  WalkResult result = root->walk([](Operation *op) {
    if (auto conv = dyn_cast<Conv2DOp>(op); conv && !wantsCopies(conv)) {
      Operation *def = conv.getInput().getDefiningOp();
      if (isF32(conv.getResult()) && isa_and_nonnull<SplitOp, SliceOp>(def))
        return WalkResult::interrupt();
      if (auto concat = dyn_cast_or_null<ConcatOp>(def);
          concat && matchRowsAsBatch(concat) && isF32(conv.getResult()))
        return WalkResult::interrupt();
    }
    if (auto concat = dyn_cast<ConcatOp>(op)) {
      if (matchBatchAsRows(concat))
        return WalkResult::interrupt();
      for (unsigned i = 0, e = concat.getInputs().size(); i < e; ++i)
        if (isWrittenInPlace(concat, i))
          return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return result.wasInterrupted();
}
