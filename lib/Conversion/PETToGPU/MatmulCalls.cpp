//===- MatmulCalls.cpp - Matrix products as fused cuBLASLt calls ----------===//
//
// Each f32 `pet.matmul` and `pet.batch_matmul` becomes one call of
// `pet_rt_gemm_f32` (runtime/: cuBLASLt) that
//   * reads its operands where they lie: through transposes (its own
//     `transpose_*` attributes, `pet.transpose`), reshapes of contiguous
//     tensors and splits, as strided views of a buffer, so that attention's
//     heads are never copied out of the projections' matrices;
//   * computes the bias addition, the residual addition and a GELU (tanh
//     approximation) that follow it in the same call (cuBLASLt's epilogue
//     and C operand);
//   * overwrites its output (no zero-filled buffer to accumulate into), and
//     writes a product whose only reader is a transpose (and a reshape)
//     straight into that layout.
//
//===----------------------------------------------------------------------===//

#include "PET/Conversion/Passes.h"

#include "RuntimeFunctions.h"
#include "TensorBuffers.h"

#include "PET/Dialect/PET/PETOps.h"

namespace mlir::pet {
#define GEN_PASS_DEF_GPUMATMULCALLS
#include "PET/Conversion/Passes.h.inc"
} // namespace mlir::pet

using namespace mlir;
using namespace mlir::pet;

namespace {
// The flags of pet_rt_gemm_f32 (runtime/include/pet_runtime.h).
constexpr int64_t kBias = 1, kResidual = 2, kGeluTanh = 4;

SmallVector<int64_t> rowMajorStrides(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t d = static_cast<int64_t>(shape.size()) - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * shape[d + 1];
  return strides;
}

/// Elements of a tensor's buffer: value[i] = base[offset + sum_d i_d *
/// strides[d]], `base` stored row-major.
struct View {
  Value base;
  int64_t offset = 0;
  SmallVector<int64_t> sizes, strides;

  static View of(Value v) {
    return {v, 0, SmallVector<int64_t>(shapeOf(v)),
            rowMajorStrides(shapeOf(v))};
  }
  bool isRowMajor() const { return strides == rowMajorStrides(sizes); }
};

/// The strides of a view of `sizes` and `strides` reshaped (row-major
/// order of elements) to `shape` without a copy, if there are such: each
/// group of old dimensions that becomes a group of new ones must be
/// contiguous within itself (NumPy's rule). Dimensions of size 1 take any
/// stride.
std::optional<SmallVector<int64_t>> reshapedStrides(ArrayRef<int64_t> sizes,
                                                    ArrayRef<int64_t> strides,
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

/// `value` as a view of the buffer it is read from: through transposes,
/// reshapes of row-major views and splits (which copy when lowered alone).
View viewThrough(Value value) {
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

/// `value` (2-d or 3-d, transposed in its last two dimensions if asked) as
/// the 3-d matrices cuBLASLt reads: a view of where it lies (unit stride
/// along rows or columns); otherwise, or `asComputed`, the value itself,
/// row-major.
View matrixView(Value value, bool transposed, bool asComputed = false) {
  View view = asComputed ? View::of(value) : viewThrough(value);
  auto fits = [](const View &v) {
    size_t r = v.sizes.size();
    return v.strides[r - 1] == 1 || v.strides[r - 2] == 1 ||
           v.sizes[r - 1] == 1 || v.sizes[r - 2] == 1;
  };
  if (!fits(view))
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

/// A memref of `view` at `b`'s insertion point: the base tensor's buffer
/// (`bufferization.to_buffer`, read-only unless `buffer` is given) cast to
/// the view's offset, sizes and strides.
Value materialize(OpBuilder &b, Location loc, const View &view,
                  Value buffer = nullptr) {
  auto baseType = cast<RankedTensorType>(view.base.getType());
  if (!buffer)
    buffer = bufferOf(b, loc, view.base);
  auto type = MemRefType::get(
      view.sizes, baseType.getElementType(),
      StridedLayoutAttr::get(b.getContext(), view.offset, view.strides));
  return memref::ReinterpretCastOp::create(b, loc, type, buffer, view.offset,
                                           view.sizes, view.strides);
}

/// A product and what its call computes after it.
struct Gemm {
  Operation *product;
  Value lhs, rhs;
  bool transposeLhs = false, transposeRhs = false;
  Value bias, residual;
  bool gelu = false;
  /// The epilogue's operators, in order.
  SmallVector<Operation *> epilogue;
  /// A transpose (and a reshape after it) that only lay out the product:
  /// the call writes their result.
  TransposeOp layoutTranspose;
  ReshapeOp layoutReshape;

  Value getResult() const {
    if (layoutReshape)
      return layoutReshape->getResult(0);
    if (layoutTranspose)
      return layoutTranspose->getResult(0);
    return epilogue.empty() ? product->getResult(0)
                            : epilogue.back()->getResult(0);
  }
};

Operation *onlyUser(Value v) {
  return v.hasOneUse() ? *v.getUsers().begin() : nullptr;
}

Gemm matchGemm(Operation *product) {
  Gemm gemm{product, product->getOperand(0), product->getOperand(1)};
  if (auto mm = dyn_cast<MatmulOp>(product)) {
    gemm.transposeLhs = mm.getTransposeLhs();
    gemm.transposeRhs = mm.getTransposeRhs();
  } else {
    auto bmm = cast<BatchMatmulOp>(product);
    gemm.transposeLhs = bmm.getTransposeLhs();
    gemm.transposeRhs = bmm.getTransposeRhs();
  }
  Value current = product->getResult(0);
  ArrayRef<int64_t> shape = shapeOf(current);
  int64_t n = shape.back();
  // Bias (the output's last dimension, broadcast) and residual (the
  // output's shape) additions, each at most once, then a GELU (tanh).
  while (Operation *user = onlyUser(current)) {
    if (user->getBlock() != product->getBlock())
      break;
    if (auto add = dyn_cast<AddOp>(user)) {
      Value other = add.getLhs() == current ? add.getRhs() : add.getLhs();
      if (other == current || add.getType() != current.getType() ||
          !isStaticF32(other))
        break;
      ArrayRef<int64_t> otherShape = shapeOf(other);
      bool isBias = !otherShape.empty() && otherShape.back() == n &&
                    llvm::all_of(otherShape.drop_back(),
                                 [](int64_t s) { return s == 1; });
      if (isBias && !gemm.bias && n != 1)
        gemm.bias = other;
      else if (otherShape == shape && !gemm.residual)
        gemm.residual = other;
      else
        break;
    } else if (auto gelu = dyn_cast<GeluOp>(user)) {
      // cuBLASLt's GELU is the tanh approximation; erf's is computed apart.
      if (!gelu.getApproximate())
        break;
      gemm.gelu = true;
      gemm.epilogue.push_back(user);
      break;
    } else {
      break;
    }
    gemm.epilogue.push_back(user);
    current = user->getResult(0);
  }
  // A product read only by a transpose that keeps the last dimension last
  // (and a reshape of that): written in their layout, rows contiguous.
  if (gemm.epilogue.empty())
    if (auto transpose = dyn_cast_or_null<TransposeOp>(onlyUser(current));
        transpose && transpose->getBlock() == product->getBlock() &&
        transpose.getPermutation().back() ==
            static_cast<int64_t>(shape.size()) - 1) {
      gemm.layoutTranspose = transpose;
      gemm.layoutReshape =
          dyn_cast_or_null<ReshapeOp>(onlyUser(transpose.getResult()));
      if (gemm.layoutReshape &&
          gemm.layoutReshape->getBlock() != product->getBlock())
        gemm.layoutReshape = nullptr;
    }
  return gemm;
}

void lowerGemm(Gemm gemm) {
  OpBuilder b(gemm.getResult().getDefiningOp());
  Location loc = gemm.product->getLoc();
  Value result = gemm.getResult();
  auto resultType = cast<RankedTensorType>(result.getType());
  Value buffer = memref::AllocOp::create(
      b, loc, MemRefType::get(resultType.getShape(), b.getF32Type()));
  // The product's view of the buffer: the buffer itself, or the inverse of
  // the layout transpose over it.
  Value product = gemm.product->getResult(0);
  View out = View::of(result);
  out.base = result;
  if (gemm.layoutTranspose) {
    ArrayRef<int64_t> perm = gemm.layoutTranspose.getPermutation();
    SmallVector<int64_t> transposed =
        rowMajorStrides(shapeOf(gemm.layoutTranspose.getResult()));
    out.sizes.assign(shapeOf(product).begin(), shapeOf(product).end());
    out.strides.assign(out.sizes.size(), 0);
    for (auto [d, p] : llvm::enumerate(perm))
      out.strides[p] = transposed[d];
  }
  if (out.sizes.size() == 2) {
    out.sizes.insert(out.sizes.begin(), 1);
    out.strides.insert(out.strides.begin(), out.sizes[1] * out.sizes[2]);
  }
  Value outView = materialize(b, loc, out, buffer);
  Value lhs = materialize(b, loc, matrixView(gemm.lhs, gemm.transposeLhs));
  Value rhs = materialize(b, loc, matrixView(gemm.rhs, gemm.transposeRhs));
  int64_t n = out.sizes.back();
  Value bias;
  if (gemm.bias) {
    View view = View::of(gemm.bias);
    bias = materialize(b, loc, View{view.base, 0, {n}, {1}});
  } else {
    bias = materialize(b, loc, View{result, 0, {n}, {1}}, buffer);
  }
  // cuBLASLt reads the residual (its C) with contiguous rows, like the
  // output: a view with other strides is passed as computed.
  Value residual = outView;
  if (gemm.residual) {
    View view = matrixView(gemm.residual, false);
    if (view.strides.back() != 1 && view.sizes.back() != 1)
      view = matrixView(gemm.residual, false, /*asComputed=*/true);
    residual = materialize(b, loc, view);
  }
  int64_t flags = (gemm.bias ? kBias : 0) | (gemm.residual ? kResidual : 0) |
                  (gemm.gelu ? kGeluTanh : 0);
  callRuntimeFunction(b, loc, "pet_rt_gemm_f32",
                      {lhs, rhs, bias, residual, outView}, {flags});
  Value tensor = bufferization::ToTensorOp::create(
      b, loc, resultType, buffer, /*restrict=*/true, /*writable=*/true);
  result.replaceAllUsesWith(tensor);
  if (gemm.layoutReshape)
    gemm.layoutReshape->erase();
  if (gemm.layoutTranspose)
    gemm.layoutTranspose->erase();
  for (Operation *op : llvm::reverse(gemm.epilogue))
    op->erase();
  gemm.product->erase();
}

struct GPUMatmulCallsPass
    : public pet::impl::GPUMatmulCallsBase<GPUMatmulCallsPass> {
  void runOnOperation() override {
    SmallVector<Operation *> products;
    getOperation().walk([&](Operation *op) {
      if (isa<MatmulOp, BatchMatmulOp>(op) &&
          llvm::all_of(op->getOperands(), isStaticF32) &&
          isStaticF32(op->getResult(0)))
        products.push_back(op);
    });
    for (Operation *product : products)
      lowerGemm(matchGemm(product));
    // Transposes, reshapes and splits that only the calls read (as views)
    // are gone.
    eraseUnread<TransposeOp, ReshapeOp, SplitOp>(getOperation());
  }
};
} // namespace
