//===- Correct.cpp - Materialize corrections of mutants -------------------===//

#include "PET/Transforms/Passes.h"

#include "PET/Dialect/PET/PETOps.h"
#include "PET/Dialect/PET/ScalarFunctions.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"

#include <map>

namespace mlir::pet {
#define GEN_PASS_DEF_PETCORRECT
#include "PET/Transforms/Passes.h.inc"
} // namespace mlir::pet

using namespace mlir;
using namespace mlir::pet;

namespace {
/// Builds the values of a correction region restricted to boxes.
class Restrictor {
public:
  Restrictor(OpBuilder &builder, CorrectOp correct)
      : b(builder), correct(correct), loc(correct.getLoc()) {}

  /// `value` (of the region) on `box`, as a tensor of the box's extents.
  Value build(Value value, const Box &box);

private:
  Value sliceOf(Value full, const Box &box);
  Value restrictConv(Conv2DOp conv, const Box &box);
  Value restrictMatmul(Operation *op, const Box &box);
  Value restrictElementwise(Operation *op, const Box &box);
  Value restrictTranspose(TransposeOp op, const Box &box);
  /// `value` on `box`, which may reach outside the value: zeros there.
  Value buildPadded(Value value, const Box &box);

  OpBuilder &b;
  CorrectOp correct;
  Location loc;
  std::map<std::pair<void *, std::string>, Value> cache;
};
} // namespace

static std::string keyOf(const Box &box) {
  std::string s;
  llvm::raw_string_ostream(s) << box;
  return s;
}

Value Restrictor::sliceOf(Value full, const Box &box) {
  if (box == Box::fromShape(shapeOf(full)))
    return full;
  SmallVector<int64_t> ones(box.getRank(), 1);
  return SliceOp::create(
             b, loc, ValueRange{full},
             ArrayRef<NamedAttribute>{
                 b.getNamedAttr("offsets",
                                b.getDenseI64ArrayAttr(box.getLower())),
                 b.getNamedAttr("sizes",
                                b.getDenseI64ArrayAttr(box.getExtents())),
                 b.getNamedAttr("strides", b.getDenseI64ArrayAttr(ones))})
      .getResult();
}

Value Restrictor::buildPadded(Value value, const Box &box) {
  Box inside = box.intersect(Box::fromShape(shapeOf(value)));
  SmallVector<int64_t> low, high;
  bool padded = false;
  for (unsigned d = 0; d < box.getRank(); ++d) {
    low.push_back(inside.getLower(d) - box.getLower(d));
    high.push_back(box.getUpper(d) - inside.getUpper(d));
    padded |= low.back() != 0 || high.back() != 0;
  }
  Value core = build(value, inside);
  if (!padded)
    return core;
  return PadOp::create(
             b, loc, ValueRange{core},
             ArrayRef<NamedAttribute>{
                 b.getNamedAttr("low", b.getDenseI64ArrayAttr(low)),
                 b.getNamedAttr("high", b.getDenseI64ArrayAttr(high))})
      .getResult();
}

Value Restrictor::restrictConv(Conv2DOp conv, const Box &box) {
  ArrayRef<int64_t> filter = shapeOf(conv.getFilter());
  int64_t groups = conv.getGroupCount();
  int64_t perGroup = filter[0] / groups;
  // The filters of the box's output channels; with groups, only whole
  // groups keep the input channels contiguous.
  if (groups != 1 && (box.getLower(1) % perGroup || box.getUpper(1) % perGroup))
    return Value();
  SmallVector<int64_t, 2> strides = conv.getStrideValues(),
                          padLow = conv.getPadLowValues(),
                          dilations = conv.getDilationValues();
  ArrayRef<int64_t> input = shapeOf(conv.getInput());
  int64_t channelLo = groups == 1 ? 0 : box.getLower(1) / perGroup * filter[1];
  int64_t channelHi =
      groups == 1 ? input[1] : box.getUpper(1) / perGroup * filter[1];
  // The receptive field, including the padding it reads.
  SmallVector<int64_t> lo = {box.getLower(0), channelLo},
                       hi = {box.getUpper(0), channelHi};
  for (int d = 0; d < 2; ++d) {
    lo.push_back(box.getLower(2 + d) * strides[d] - padLow[d]);
    hi.push_back((box.getUpper(2 + d) - 1) * strides[d] +
                 (filter[2 + d] - 1) * dilations[d] - padLow[d] + 1);
  }
  Value window = buildPadded(conv.getInput(), Box(lo, hi));
  Value filters =
      build(conv.getFilter(),
            Box({box.getLower(1), 0, 0, 0},
                {box.getUpper(1), filter[1], filter[2], filter[3]}));
  SmallVector<NamedAttribute> attrs;
  if (llvm::any_of(strides, [](int64_t s) { return s != 1; }))
    attrs.push_back(b.getNamedAttr("strides", b.getDenseI64ArrayAttr(strides)));
  if (llvm::any_of(dilations, [](int64_t d) { return d != 1; }))
    attrs.push_back(
        b.getNamedAttr("dilations", b.getDenseI64ArrayAttr(dilations)));
  int64_t boxGroups =
      groups == 1 ? 1 : (box.getUpper(1) - box.getLower(1)) / perGroup;
  if (boxGroups != 1)
    attrs.push_back(b.getNamedAttr("groups", b.getI64IntegerAttr(boxGroups)));
  return Conv2DOp::create(b, loc, ValueRange{window, filters}, attrs)
      .getResult();
}

Value Restrictor::restrictMatmul(Operation *op, const Box &box) {
  bool tl = op->hasAttr("transpose_lhs"), tr = op->hasAttr("transpose_rhs");
  unsigned rank = box.getRank();
  Value lhs = op->getOperand(0), rhs = op->getOperand(1);
  ArrayRef<int64_t> ls = shapeOf(lhs), rs = shapeOf(rhs);
  // Rows of the box from the lhs, columns from the rhs, all of K.
  SmallVector<int64_t> llo(rank, 0), lhi(ls), rlo(rank, 0), rhi(rs);
  for (unsigned d = 0; d + 2 < rank; ++d) {
    llo[d] = rlo[d] = box.getLower(d);
    lhi[d] = rhi[d] = box.getUpper(d);
  }
  unsigned row = tl ? rank - 1 : rank - 2, col = tr ? rank - 2 : rank - 1;
  llo[row] = box.getLower(rank - 2);
  lhi[row] = box.getUpper(rank - 2);
  rlo[col] = box.getLower(rank - 1);
  rhi[col] = box.getUpper(rank - 1);
  Value l = build(lhs, Box(llo, lhi)), r = build(rhs, Box(rlo, rhi));
  OperationState state(loc, op->getName());
  state.addOperands({l, r});
  state.addAttributes(op->getAttrs());
  state.addTypes(RankedTensorType::get(
      box.getExtents(),
      cast<RankedTensorType>(op->getResult(0).getType()).getElementType()));
  return b.create(state)->getResult(0);
}

Value Restrictor::restrictElementwise(Operation *op, const Box &box) {
  // Operands broadcast to the result: a size-1 dimension stays whole.
  SmallVector<Value> operands;
  unsigned rank = box.getRank();
  for (Value operand : op->getOperands()) {
    ArrayRef<int64_t> s = shapeOf(operand);
    unsigned lead = rank - s.size();
    SmallVector<int64_t> lo, hi;
    for (unsigned d = 0; d < s.size(); ++d) {
      bool stretched = s[d] == 1 && shapeOf(op->getResult(0))[lead + d] != 1;
      lo.push_back(stretched ? 0 : box.getLower(lead + d));
      hi.push_back(stretched ? 1 : box.getUpper(lead + d));
    }
    operands.push_back(build(operand, Box(lo, hi)));
  }
  OperationState state(loc, op->getName());
  state.addOperands(operands);
  state.addAttributes(op->getAttrs());
  state.addTypes(RankedTensorType::get(
      box.getExtents(),
      cast<RankedTensorType>(op->getResult(0).getType()).getElementType()));
  return b.create(state)->getResult(0);
}

Value Restrictor::restrictTranspose(TransposeOp op, const Box &box) {
  ArrayRef<int64_t> perm = op.getPermutation();
  SmallVector<int64_t> lo(perm.size()), hi(perm.size());
  for (auto [i, p] : llvm::enumerate(perm)) {
    lo[p] = box.getLower(i);
    hi[p] = box.getUpper(i);
  }
  Value input = build(op.getInput(), Box(lo, hi));
  return TransposeOp::create(b, loc, ValueRange{input},
                             ArrayRef<NamedAttribute>{b.getNamedAttr(
                                 "permutation", b.getDenseI64ArrayAttr(perm))})
      .getResult();
}

Value Restrictor::build(Value value, const Box &box) {
  auto key = std::make_pair(value.getAsOpaquePointer(), keyOf(box));
  auto it = cache.find(key);
  if (it != cache.end())
    return it->second;
  Value result;
  Box whole = Box::fromShape(shapeOf(value));
  if (auto arg = dyn_cast<BlockArgument>(value)) {
    result = sliceOf(correct.getInputs()[arg.getArgNumber()], box);
  } else {
    Operation *op = value.getDefiningOp();
    if (box != whole) {
      if (auto conv = dyn_cast<Conv2DOp>(op))
        result = restrictConv(conv, box);
      else if (isa<MatmulOp, BatchMatmulOp>(op))
        result = restrictMatmul(op, box);
      else if (isa<AddOp, SubOp, MulOp, ScaleOp>(op) || hasScalarFunction(op))
        result = restrictElementwise(op, box);
      else if (auto transpose = dyn_cast<TransposeOp>(op))
        result = restrictTranspose(transpose, box);
    }
    if (!result) {
      // Whole, from whole operands (built first: they go before it),
      // then sliced.
      IRMapping mapping;
      for (Value operand : op->getOperands())
        mapping.map(operand, build(operand, Box::fromShape(shapeOf(operand))));
      Operation *clone = b.clone(*op, mapping);
      Value full = clone->getResult(cast<OpResult>(value).getResultNumber());
      result = sliceOf(full, box);
    }
  }
  cache[key] = result;
  return result;
}

namespace {
struct CorrectPass : public pet::impl::PETCorrectBase<CorrectPass> {
  void runOnOperation() override {
    SmallVector<CorrectOp> corrections;
    getOperation().walk([&](CorrectOp op) { corrections.push_back(op); });
    for (CorrectOp correct : corrections) {
      OpBuilder builder(correct);
      Restrictor restrictor(builder, correct);
      SmallVector<Value> results;
      for (unsigned i = 0; i < correct.getNumResults(); ++i) {
        Value current = correct.getMutants()[i];
        for (const Box &box : mergeAdjacentBoxes(correct.getBoxesOf(i))) {
          if (box.isEmpty())
            continue;
          Value fix = restrictor.build(correct.getOriginalValue(i), box);
          current =
              InsertOp::create(
                  builder, correct.getLoc(), ValueRange{fix, current},
                  ArrayRef<NamedAttribute>{builder.getNamedAttr(
                      "offsets", builder.getDenseI64ArrayAttr(box.getLower()))})
                  .getResult();
        }
        results.push_back(current);
      }
      correct.replaceAllUsesWith(results);
      correct.erase();
    }
  }
};
} // namespace
