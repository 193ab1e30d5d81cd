//===- MatrixViews.cpp - Tensors read and written where they lie ----------===//

#include "MatrixViews.h"

#include "TensorBuffers.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;
using namespace mlir::pet;

SmallVector<int64_t> mlir::pet::rowMajorStrides(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t d = static_cast<int64_t>(shape.size()) - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * shape[d + 1];
  return strides;
}

View View::of(Value v) {
  return {v, 0, SmallVector<int64_t>(shapeOf(v)), rowMajorStrides(shapeOf(v))};
}

/// The strides of a view of `sizes` and `strides` reshaped (row-major
/// order of elements) to `shape` without a copy, if there are such: each
/// group of old dimensions that becomes a group of new ones must be
/// contiguous within itself (NumPy's rule). Dimensions of size 1 take any
/// stride.
static std::optional<SmallVector<int64_t>>
reshapedStrides(ArrayRef<int64_t> sizes, ArrayRef<int64_t> strides,
                ArrayRef<int64_t> shape) {
  SmallVector<int64_t> oldSizes, oldStrides, newSizes;
  for (auto [size, stride] : llvm::zip_equal(sizes, strides))
    if (size != 1) {
      oldSizes.push_back(size);
      oldStrides.push_back(stride);
    }
  for (int64_t size : shape)
    if (size != 1)
      newSizes.push_back(size);
  SmallVector<int64_t> newStrides(newSizes.size(), 0);
  size_t oi = 0, ni = 0;
  while (oi < oldSizes.size() && ni < newSizes.size()) {
    size_t oj = oi + 1, nj = ni + 1;
    int64_t oldProduct = oldSizes[oi], newProduct = newSizes[ni];
    while (oldProduct != newProduct) {
      if (newProduct < oldProduct) {
        if (nj == newSizes.size())
          return std::nullopt;
        newProduct *= newSizes[nj++];
      } else {
        if (oj == oldSizes.size())
          return std::nullopt;
        oldProduct *= oldSizes[oj++];
      }
    }
    for (size_t k = oi; k + 1 < oj; ++k)
      if (oldStrides[k] != oldSizes[k + 1] * oldStrides[k + 1])
        return std::nullopt;
    newStrides[nj - 1] = oldStrides[oj - 1];
    for (size_t k = nj - 1; k > ni; --k)
      newStrides[k - 1] = newStrides[k] * newSizes[k];
    oi = oj;
    ni = nj;
  }
  if (oi != oldSizes.size() || ni != newSizes.size())
    return std::nullopt;
  // Back to `shape`; a dimension of size 1 is never stepped along.
  SmallVector<int64_t> result;
  size_t k = 0;
  for (int64_t size : shape)
    result.push_back(size == 1 ? 1 : newStrides[k++]);
  return result;
}

View mlir::pet::viewThrough(Value value) {
  if (auto transpose = value.getDefiningOp<TransposeOp>()) {
    View in = viewThrough(transpose.getInput());
    View out{in.base, in.offset, {}, {}};
    for (int64_t p : transpose.getPermutation()) {
      out.sizes.push_back(in.sizes[p]);
      out.strides.push_back(in.strides[p]);
    }
    return out;
  }
  if (auto reshape = value.getDefiningOp<ReshapeOp>()) {
    View in = viewThrough(reshape.getInput());
    if (std::optional<SmallVector<int64_t>> strides =
            reshapedStrides(in.sizes, in.strides, shapeOf(value)))
      return {in.base, in.offset, SmallVector<int64_t>(shapeOf(value)),
              *strides};
    return View::of(value);
  }
  if (auto split = value.getDefiningOp<SplitOp>()) {
    View in = viewThrough(split.getInput());
    int64_t axis = split.getAxis();
    in.offset += split.getOffset(cast<OpResult>(value).getResultNumber()) *
                 in.strides[axis];
    in.sizes[axis] = shapeOf(value)[axis];
    return in;
  }
  return View::of(value);
}

View mlir::pet::matrixView(Value value, bool transposed, bool asComputed,
                           bool needUnitStride) {
  View view = asComputed ? View::of(value) : viewThrough(value);
  auto fits = [](const View &v) {
    size_t r = v.sizes.size();
    return v.strides[r - 1] == 1 || v.strides[r - 2] == 1 ||
           v.sizes[r - 1] == 1 || v.sizes[r - 2] == 1;
  };
  if (needUnitStride && !fits(view))
    view = View::of(value);
  size_t r = view.sizes.size();
  if (transposed) {
    std::swap(view.sizes[r - 1], view.sizes[r - 2]);
    std::swap(view.strides[r - 1], view.strides[r - 2]);
  }
  if (r == 2) {
    view.sizes.insert(view.sizes.begin(), 1);
    view.strides.insert(view.strides.begin(), view.sizes[1] * view.sizes[2]);
  }
  return view;
}

Value mlir::pet::materialize(OpBuilder &b, Location loc, const View &view,
                             Value buffer) {
  auto baseType = cast<RankedTensorType>(view.base.getType());
  if (!buffer)
    buffer = bufferOf(b, loc, view.base);
  auto type = MemRefType::get(
      view.sizes, baseType.getElementType(),
      StridedLayoutAttr::get(b.getContext(), view.offset, view.strides));
  return memref::ReinterpretCastOp::create(b, loc, type, buffer, view.offset,
                                           view.sizes, view.strides);
}

Operation *mlir::pet::onlyUser(Value v) {
  return v.hasOneUse() ? *v.getUsers().begin() : nullptr;
}

std::optional<Product> mlir::pet::productOf(Operation *op) {
  if (!op)
    return std::nullopt;
  if (auto mm = dyn_cast<MatmulOp>(op))
    return Product{op, mm.getLhs(), mm.getRhs(), mm.getTransposeLhs(),
                   mm.getTransposeRhs()};
  if (auto bmm = dyn_cast<BatchMatmulOp>(op))
    return Product{op, bmm.getLhs(), bmm.getRhs(), bmm.getTransposeLhs(),
                   bmm.getTransposeRhs()};
  return std::nullopt;
}

/// The view of a row-major buffer of `layout`'s result through which the
/// value `value` is written: the inverse of the transpose, then of the
/// reshape before it (if the strides allow one).
static std::optional<View> layoutView(const OutputLayout &layout, Value value) {
  View out = View::of(layout.result);
  if (TransposeOp transpose = layout.transpose) {
    ArrayRef<int64_t> perm = transpose.getPermutation();
    SmallVector<int64_t> transposed =
        rowMajorStrides(shapeOf(transpose.getResult()));
    ArrayRef<int64_t> input = shapeOf(transpose.getInput());
    out.sizes.assign(input.begin(), input.end());
    out.strides.assign(out.sizes.size(), 0);
    for (auto [d, p] : llvm::enumerate(perm))
      out.strides[p] = transposed[d];
    if (layout.reshapeBefore) {
      std::optional<SmallVector<int64_t>> strides =
          reshapedStrides(out.sizes, out.strides, shapeOf(value));
      if (!strides)
        return std::nullopt;
      out.sizes.assign(shapeOf(value).begin(), shapeOf(value).end());
      out.strides = *strides;
    }
  }
  if (out.sizes.size() == 2) {
    out.sizes.insert(out.sizes.begin(), 1);
    out.strides.insert(out.strides.begin(), out.sizes[1] * out.sizes[2]);
  }
  return out;
}

OutputLayout OutputLayout::of(Value value) {
  OutputLayout none;
  none.result = value;
  OutputLayout layout = none;
  Block *block = value.getDefiningOp()->getBlock();
  Value current = value;
  // A reshape first (a product's batch dimensions split), if a transpose
  // follows it.
  if (auto reshape = dyn_cast_or_null<ReshapeOp>(onlyUser(current));
      reshape && reshape->getBlock() == block &&
      isa_and_nonnull<TransposeOp>(onlyUser(reshape.getResult()))) {
    layout.reshapeBefore = reshape;
    current = reshape.getResult();
  }
  auto transpose = dyn_cast_or_null<TransposeOp>(onlyUser(current));
  if (!transpose || transpose->getBlock() != block ||
      transpose.getPermutation().back() !=
          static_cast<int64_t>(shapeOf(current).size()) - 1 ||
      shapeOf(current).back() != shapeOf(value).back())
    return none;
  layout.transpose = transpose;
  layout.result = transpose.getResult();
  layout.reshape = dyn_cast_or_null<ReshapeOp>(onlyUser(transpose.getResult()));
  if (layout.reshape && layout.reshape->getBlock() != block)
    layout.reshape = nullptr;
  if (layout.reshape)
    layout.result = layout.reshape.getResult();
  if (!layoutView(layout, value))
    return none;
  return layout;
}

View OutputLayout::productView(Value value) const {
  return *layoutView(*this, value);
}

void OutputLayout::erase() {
  if (reshape)
    reshape->erase();
  if (transpose)
    transpose->erase();
  if (reshapeBefore)
    reshapeBefore->erase();
}
