//===- PETOps.cpp - PET operators: verification, type inference, folds ----===//

#include "PET/Dialect/PET/PETOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallBitVector.h"
#include "llvm/Support/MathExtras.h"

#include <cmath>

using namespace mlir;
using namespace mlir::pet;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

namespace {
/// Emits errors from `inferReturnTypes` the way `emitOpError` would, or
/// nothing when no location was given (type inference from a builder).
class InferErrorEmitter {
public:
  InferErrorEmitter(std::optional<Location> loc, StringRef opName)
      : loc(loc), opName(opName) {}
  InFlightDiagnostic operator()() const {
    if (!loc)
      return InFlightDiagnostic();
    return emitError(*loc) << "'" << opName << "' op ";
  }

private:
  std::optional<Location> loc;
  StringRef opName;
};
} // namespace

/// a * b + c, or nothing if it overflows int64_t.
static std::optional<int64_t> mulAdd(int64_t a, int64_t b, int64_t c) {
  int64_t product, sum;
  if (llvm::MulOverflow(a, b, product) || llvm::AddOverflow(product, c, sum))
    return std::nullopt;
  return sum;
}

static SmallVector<int64_t, 2> valuesOr(std::optional<ArrayRef<int64_t>> attr,
                                        ArrayRef<int64_t> defaults) {
  return SmallVector<int64_t, 2>(attr ? *attr : defaults);
}

/// Reads an optional per-spatial-dimension attribute `name` with defaults,
/// checking that it has one value per dimension, each at least `minValue`.
static LogicalResult getSpatialValues(std::optional<ArrayRef<int64_t>> attr,
                                      StringRef name,
                                      ArrayRef<int64_t> defaults,
                                      int64_t minValue,
                                      SmallVectorImpl<int64_t> &values,
                                      const InferErrorEmitter &emitError) {
  values.assign(attr ? attr->begin() : defaults.begin(),
                attr ? attr->end() : defaults.end());
  if (values.size() != defaults.size())
    return emitError() << "expects `" << name << "` to have " << defaults.size()
                       << " values (height, width), got " << values.size();
  for (int64_t v : values)
    if (v < minValue)
      return emitError() << "expects `" << name << "` values of at least "
                         << minValue << ", got " << v;
  return success();
}

/// Checks that `type` is a ranked tensor of rank `rank`; `what` names it in
/// messages ("input", "lhs", ...) and `layout` describes its dimensions.
static FailureOr<RankedTensorType>
getTensorOfRank(Type type, int64_t rank, StringRef what, StringRef layout,
                const InferErrorEmitter &emitError) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor)
    return emitError() << "expects a ranked " << what << " tensor, got "
                       << type;
  if (tensor.getRank() != rank)
    return emitError() << "expects a " << rank << "-D " << what << " ("
                       << layout << "), got " << tensor;
  return tensor;
}

static LogicalResult checkSameElementType(RankedTensorType a,
                                          RankedTensorType b, StringRef what,
                                          const InferErrorEmitter &emitError) {
  if (a.getElementType() != b.getElementType())
    return emitError() << "expects " << what
                       << " of the same element type, got "
                       << a.getElementType() << " and " << b.getElementType();
  return success();
}

/// The first of `count` windows (of `kernel` taps spaced `dilation` apart,
/// moved by `stride`, over an input of `size` padded by `padLow` first) none
/// of whose taps reads the input, if any. With the padding at most half a
/// window, every window's span meets the input, so a window can miss it only
/// by stepping over it: when `dilation` exceeds `size`, and then there are
/// at most `size` + 1 windows to look at.
static std::optional<int64_t>
findWindowInPadding(int64_t size, int64_t padLow, int64_t kernel,
                    int64_t stride, int64_t dilation, int64_t count) {
  if (dilation <= size)
    return std::nullopt;
  for (int64_t window = 0; window < count; ++window) {
    int64_t first = window * stride - padLow;
    // The first tap at or after position 0.
    int64_t tap = first >= 0 ? 0 : (-first + dilation - 1) / dilation;
    if (tap >= kernel || first + tap * dilation >= size)
      return window;
  }
  return std::nullopt;
}

/// Output extent of a sliding window: input `size` padded by `low` and
/// `high`, a kernel of `kernel` taps spaced `dilation` apart, moved by
/// `stride`. Fails if the dilated kernel does not fit in the padded input.
static FailureOr<int64_t>
getWindowOutputSize(int64_t size, int64_t low, int64_t high, int64_t kernel,
                    int64_t stride, int64_t dilation, StringRef dimName,
                    const InferErrorEmitter &emitError) {
  std::optional<int64_t> span = mulAdd(dilation, kernel - 1, 1);
  std::optional<int64_t> padded = mulAdd(size, 1, low);
  if (padded)
    padded = mulAdd(*padded, 1, high);
  if (!span || !padded)
    return emitError() << "window or padding of the " << dimName
                       << " overflows 64-bit sizes";
  if (*padded < *span)
    return emitError() << "window of " << *span << " positions (kernel "
                       << kernel << ", dilation " << dilation
                       << ") does not fit the padded " << dimName << " of "
                       << *padded;
  return (*padded - *span) / stride + 1;
}

/// Checks the permutation attribute of a transpose of a rank-`rank` tensor.
static LogicalResult checkPermutation(ArrayRef<int64_t> perm, int64_t rank,
                                      const InferErrorEmitter &emitError) {
  if (static_cast<int64_t>(perm.size()) != rank)
    return emitError() << "expects a permutation of " << rank
                       << " dimensions, got " << perm.size();
  llvm::SmallBitVector seen(rank);
  for (int64_t p : perm) {
    if (p < 0 || p >= rank || seen.test(p)) {
      InFlightDiagnostic diag = emitError();
      diag << "permutation [";
      llvm::interleaveComma(perm, diag);
      return diag << "] is not a permutation of 0.." << rank - 1;
    }
    seen.set(p);
  }
  return success();
}

static LogicalResult checkAxis(int64_t axis, int64_t rank,
                               const InferErrorEmitter &emitError) {
  if (axis < 0 || axis >= rank)
    return emitError() << "axis " << axis << " is out of range for rank "
                       << rank;
  return success();
}

//===----------------------------------------------------------------------===//
// Conv2DOp
//===----------------------------------------------------------------------===//

SmallVector<int64_t, 2> Conv2DOp::getStrideValues() {
  return valuesOr(getStrides(), {1, 1});
}
LogicalResult Conv2DOp::canonicalize(Conv2DOp op, PatternRewriter &rewriter) {
  auto pad = op.getInput().getDefiningOp<PadOp>();
  if (!pad)
    return failure();
  ArrayRef<int64_t> low = pad.getLow(), high = pad.getHigh();
  // Only the image's height and width, by non-negative amounts.
  if (low[0] || low[1] || high[0] || high[1] ||
      llvm::any_of(low, [](int64_t v) { return v < 0; }) ||
      llvm::any_of(high, [](int64_t v) { return v < 0; }))
    return failure();
  SmallVector<int64_t, 2> padLow = op.getPadLowValues();
  SmallVector<int64_t, 2> padHigh = op.getPadHighValues();
  for (int d = 0; d < 2; ++d) {
    padLow[d] += low[2 + d];
    padHigh[d] += high[2 + d];
  }
  rewriter.modifyOpInPlace(op, [&] {
    op.getInputMutable().assign(pad.getInput());
    op.setPadLowAttr(rewriter.getDenseI64ArrayAttr(padLow));
    op.setPadHighAttr(rewriter.getDenseI64ArrayAttr(padHigh));
  });
  return success();
}

SmallVector<int64_t, 2> Conv2DOp::getPadLowValues() {
  return valuesOr(getPadLow(), {0, 0});
}
SmallVector<int64_t, 2> Conv2DOp::getPadHighValues() {
  return valuesOr(getPadHigh(), {0, 0});
}
SmallVector<int64_t, 2> Conv2DOp::getDilationValues() {
  return valuesOr(getDilations(), {1, 1});
}

LogicalResult Conv2DOp::inferReturnTypes(MLIRContext *context,
                                         std::optional<Location> location,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  InferErrorEmitter emitError(location, getOperationName());
  FailureOr<RankedTensorType> input = getTensorOfRank(
      adaptor.getInput().getType(), 4, "input", "N x C x H x W", emitError);
  if (failed(input))
    return failure();
  FailureOr<RankedTensorType> filter =
      getTensorOfRank(adaptor.getFilter().getType(), 4, "filter",
                      "F x C/groups x KH x KW", emitError);
  if (failed(filter) || failed(checkSameElementType(
                            *input, *filter, "input and filter", emitError)))
    return failure();

  SmallVector<int64_t, 2> strides, padLow, padHigh, dilations;
  if (failed(getSpatialValues(adaptor.getStrides(), "strides", {1, 1}, 1,
                              strides, emitError)) ||
      failed(getSpatialValues(adaptor.getPadLow(), "pad_low", {0, 0}, 0, padLow,
                              emitError)) ||
      failed(getSpatialValues(adaptor.getPadHigh(), "pad_high", {0, 0}, 0,
                              padHigh, emitError)) ||
      failed(getSpatialValues(adaptor.getDilations(), "dilations", {1, 1}, 1,
                              dilations, emitError)))
    return failure();

  int64_t groups = adaptor.getGroups().value_or(1);
  ArrayRef<int64_t> in = input->getShape(), f = filter->getShape();
  if (groups < 1)
    return emitError() << "expects at least one group, got " << groups;
  if (in[1] % groups != 0)
    return emitError() << "input channels (" << in[1]
                       << ") are not divisible by groups (" << groups << ")";
  if (f[0] % groups != 0)
    return emitError() << "filters (" << f[0]
                       << ") are not divisible by groups (" << groups << ")";
  if (f[2] < 1 || f[3] < 1)
    return emitError() << "expects a filter of at least 1x1 taps, got " << f[2]
                       << "x" << f[3];
  if (f[1] != in[1] / groups)
    return emitError() << "filter has " << f[1]
                       << " input channels per group, but the input has "
                       << in[1] << " channels in " << groups << " group(s)";

  SmallVector<int64_t, 4> shape = {in[0], f[0]};
  StringRef dimNames[] = {"height", "width"};
  for (unsigned d = 0; d < 2; ++d) {
    FailureOr<int64_t> size =
        getWindowOutputSize(in[2 + d], padLow[d], padHigh[d], f[2 + d],
                            strides[d], dilations[d], dimNames[d], emitError);
    if (failed(size))
      return failure();
    shape.push_back(*size);
  }
  inferred.push_back(RankedTensorType::get(shape, input->getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// MatmulOp and BatchMatmulOp
//===----------------------------------------------------------------------===//

/// Infers `batch... x M x N` from `batch... x M x K` and `batch... x K x N`
/// operands (after their optional transposes).
static LogicalResult inferMatmulType(Type lhsType, Type rhsType,
                                     bool transposeLhs, bool transposeRhs,
                                     int64_t rank, StringRef layout,
                                     const InferErrorEmitter &emitError,
                                     SmallVectorImpl<Type> &inferred) {
  FailureOr<RankedTensorType> lhs =
      getTensorOfRank(lhsType, rank, "lhs", layout, emitError);
  if (failed(lhs))
    return failure();
  FailureOr<RankedTensorType> rhs =
      getTensorOfRank(rhsType, rank, "rhs", layout, emitError);
  if (failed(rhs) ||
      failed(checkSameElementType(*lhs, *rhs, "lhs and rhs", emitError)))
    return failure();

  ArrayRef<int64_t> a = lhs->getShape(), b = rhs->getShape();
  int64_t rows = transposeLhs ? a[rank - 1] : a[rank - 2];
  int64_t lhsK = transposeLhs ? a[rank - 2] : a[rank - 1];
  int64_t rhsK = transposeRhs ? b[rank - 1] : b[rank - 2];
  int64_t cols = transposeRhs ? b[rank - 2] : b[rank - 1];
  if (lhsK != rhsK)
    return emitError() << "contracted dimensions differ: lhs has K = " << lhsK
                       << ", rhs has K = " << rhsK;
  SmallVector<int64_t, 3> shape;
  for (int64_t d = 0; d + 2 < rank; ++d) {
    if (a[d] != b[d])
      return emitError() << "batch dimensions differ: lhs has " << a[d]
                         << ", rhs has " << b[d];
    shape.push_back(a[d]);
  }
  shape.push_back(rows);
  shape.push_back(cols);
  inferred.push_back(RankedTensorType::get(shape, lhs->getElementType()));
  return success();
}

LogicalResult MatmulOp::inferReturnTypes(MLIRContext *context,
                                         std::optional<Location> location,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  return inferMatmulType(
      adaptor.getLhs().getType(), adaptor.getRhs().getType(),
      adaptor.getTransposeLhs(), adaptor.getTransposeRhs(), 2, "M x K, K x N",
      InferErrorEmitter(location, getOperationName()), inferred);
}

LogicalResult BatchMatmulOp::inferReturnTypes(MLIRContext *context,
                                              std::optional<Location> location,
                                              Adaptor adaptor,
                                              SmallVectorImpl<Type> &inferred) {
  return inferMatmulType(adaptor.getLhs().getType(), adaptor.getRhs().getType(),
                         adaptor.getTransposeLhs(), adaptor.getTransposeRhs(),
                         3, "B x M x K, B x K x N",
                         InferErrorEmitter(location, getOperationName()),
                         inferred);
}

//===----------------------------------------------------------------------===//
// Broadcasting element-wise operators
//===----------------------------------------------------------------------===//

static LogicalResult inferBroadcastType(Type lhsType, Type rhsType,
                                        const InferErrorEmitter &emitError,
                                        SmallVectorImpl<Type> &inferred) {
  auto lhs = dyn_cast<RankedTensorType>(lhsType);
  auto rhs = dyn_cast<RankedTensorType>(rhsType);
  if (!lhs || !rhs)
    return emitError() << "expects ranked tensor operands";
  if (failed(checkSameElementType(lhs, rhs, "operands", emitError)))
    return failure();
  int64_t rank = std::max(lhs.getRank(), rhs.getRank());
  SmallVector<int64_t, 4> shape(rank);
  for (int64_t d = 0; d < rank; ++d) {
    int64_t a = d < rank - lhs.getRank()
                    ? 1
                    : lhs.getDimSize(d - (rank - lhs.getRank()));
    int64_t b = d < rank - rhs.getRank()
                    ? 1
                    : rhs.getDimSize(d - (rank - rhs.getRank()));
    if (a != b && a != 1 && b != 1)
      return emitError() << "operands " << lhs << " and " << rhs
                         << " are not broadcast-compatible: sizes " << a
                         << " and " << b << " in result dimension " << d;
    shape[d] = a == 1 ? b : a;
  }
  inferred.push_back(RankedTensorType::get(shape, lhs.getElementType()));
  return success();
}

#define PET_BROADCAST_INFER(OP)                                                \
  LogicalResult OP::inferReturnTypes(                                          \
      MLIRContext *context, std::optional<Location> location, Adaptor adaptor, \
      SmallVectorImpl<Type> &inferred) {                                       \
    return inferBroadcastType(                                                 \
        adaptor.getLhs().getType(), adaptor.getRhs().getType(),                \
        InferErrorEmitter(location, getOperationName()), inferred);            \
  }
PET_BROADCAST_INFER(AddOp)
PET_BROADCAST_INFER(SubOp)
PET_BROADCAST_INFER(MulOp)
#undef PET_BROADCAST_INFER

//===----------------------------------------------------------------------===//
// ScaleOp
//===----------------------------------------------------------------------===//

LogicalResult ScaleOp::verify() {
  double factor = getFactor().convertToDouble();
  if (!std::isfinite(factor))
    return emitOpError("expects a finite factor, got ") << factor;
  return success();
}

OpFoldResult ScaleOp::fold(FoldAdaptor) {
  if (getFactor().convertToDouble() == 1.0)
    return getInput();
  // scale(scale(x, a), b) = scale(x, a * b) when one factor is a power of
  // two: then the floating-point results are the same too (scaling by a
  // power of two rounds nothing, barring overflow and subnormals), not only
  // the exact ones.
  if (auto inner = getInput().getDefiningOp<ScaleOp>()) {
    double a = inner.getFactor().convertToDouble();
    double b = getFactor().convertToDouble();
    double product = a * b;
    auto isPowerOfTwo = [](double v) {
      int exponent;
      return v != 0 && std::isfinite(v) &&
             std::fabs(std::frexp(v, &exponent)) == 0.5;
    };
    if ((isPowerOfTwo(a) || isPowerOfTwo(b)) && std::isfinite(product) &&
        product != 0 && std::fma(a, b, -product) == 0) {
      setFactor(APFloat(product));
      getInputMutable().assign(inner.getInput());
      return getResult();
    }
  }
  return {};
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

/// Infers the result of a 2-D pooling window over an NCHW input and checks
/// that no window lies entirely in the padding (PyTorch's rule: padding at
/// most half the dilated kernel).
static LogicalResult
inferPoolType(Type inputType, ArrayRef<int64_t> kernel,
              std::optional<ArrayRef<int64_t>> stridesAttr,
              std::optional<ArrayRef<int64_t>> padLowAttr,
              std::optional<ArrayRef<int64_t>> padHighAttr,
              std::optional<ArrayRef<int64_t>> dilationsAttr,
              const InferErrorEmitter &emitError,
              SmallVectorImpl<Type> &inferred) {
  FailureOr<RankedTensorType> input =
      getTensorOfRank(inputType, 4, "input", "N x C x H x W", emitError);
  if (failed(input))
    return failure();
  SmallVector<int64_t, 2> kernelValues, strides, padLow, padHigh, dilations;
  if (failed(getSpatialValues(kernel, "kernel", {1, 1}, 1, kernelValues,
                              emitError)) ||
      failed(getSpatialValues(stridesAttr, "strides", kernelValues, 1, strides,
                              emitError)) ||
      failed(getSpatialValues(padLowAttr, "pad_low", {0, 0}, 0, padLow,
                              emitError)) ||
      failed(getSpatialValues(padHighAttr, "pad_high", {0, 0}, 0, padHigh,
                              emitError)) ||
      failed(getSpatialValues(dilationsAttr, "dilations", {1, 1}, 1, dilations,
                              emitError)))
    return failure();
  ArrayRef<int64_t> in = input->getShape();
  SmallVector<int64_t, 4> shape = {in[0], in[1]};
  StringRef dimNames[] = {"height", "width"};
  for (unsigned d = 0; d < 2; ++d) {
    FailureOr<int64_t> size =
        getWindowOutputSize(in[2 + d], padLow[d], padHigh[d], kernelValues[d],
                            strides[d], dilations[d], dimNames[d], emitError);
    if (failed(size))
      return failure();
    // The window fits in the padded input, so its span does not overflow.
    int64_t span = dilations[d] * (kernelValues[d] - 1) + 1;
    if (std::max(padLow[d], padHigh[d]) > span / 2)
      return emitError() << "padding of the " << dimNames[d] << " ("
                         << padLow[d] << ", " << padHigh[d]
                         << ") exceeds half the window of " << span;
    if (std::optional<int64_t> window =
            findWindowInPadding(in[2 + d], padLow[d], kernelValues[d],
                                strides[d], dilations[d], *size))
      return emitError() << "window " << *window << " of the " << dimNames[d]
                         << " reads only padding (taps spaced " << dilations[d]
                         << " apart over an input of " << in[2 + d] << ")";
    shape.push_back(*size);
  }
  inferred.push_back(RankedTensorType::get(shape, input->getElementType()));
  return success();
}

SmallVector<int64_t, 2> AvgPool2DOp::getStrideValues() {
  return valuesOr(getStrides(), getKernel());
}
SmallVector<int64_t, 2> AvgPool2DOp::getPadLowValues() {
  return valuesOr(getPadLow(), {0, 0});
}
SmallVector<int64_t, 2> AvgPool2DOp::getPadHighValues() {
  return valuesOr(getPadHigh(), {0, 0});
}

LogicalResult AvgPool2DOp::inferReturnTypes(MLIRContext *context,
                                            std::optional<Location> location,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  return inferPoolType(
      adaptor.getInput().getType(), adaptor.getKernel(), adaptor.getStrides(),
      adaptor.getPadLow(), adaptor.getPadHigh(), std::nullopt,
      InferErrorEmitter(location, getOperationName()), inferred);
}

SmallVector<int64_t, 2> MaxPool2DOp::getStrideValues() {
  return valuesOr(getStrides(), getKernel());
}
SmallVector<int64_t, 2> MaxPool2DOp::getPadLowValues() {
  return valuesOr(getPadLow(), {0, 0});
}
SmallVector<int64_t, 2> MaxPool2DOp::getPadHighValues() {
  return valuesOr(getPadHigh(), {0, 0});
}
SmallVector<int64_t, 2> MaxPool2DOp::getDilationValues() {
  return valuesOr(getDilations(), {1, 1});
}

LogicalResult MaxPool2DOp::inferReturnTypes(MLIRContext *context,
                                            std::optional<Location> location,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  return inferPoolType(
      adaptor.getInput().getType(), adaptor.getKernel(), adaptor.getStrides(),
      adaptor.getPadLow(), adaptor.getPadHigh(), adaptor.getDilations(),
      InferErrorEmitter(location, getOperationName()), inferred);
}

//===----------------------------------------------------------------------===//
// TransposeOp
//===----------------------------------------------------------------------===//

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *context,
                                            std::optional<Location> location,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  InferErrorEmitter emitError(location, getOperationName());
  auto input = dyn_cast<RankedTensorType>(adaptor.getInput().getType());
  if (!input)
    return emitError() << "expects a ranked input tensor";
  ArrayRef<int64_t> perm = adaptor.getPermutation();
  if (failed(checkPermutation(perm, input.getRank(), emitError)))
    return failure();
  SmallVector<int64_t, 4> shape =
      llvm::map_to_vector(perm, [&](int64_t p) { return input.getDimSize(p); });
  inferred.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

OpFoldResult TransposeOp::fold(FoldAdaptor) {
  ArrayRef<int64_t> perm = getPermutation();
  // transpose(transpose(x, inner), outer) == transpose(x, inner o outer).
  if (auto producer = getInput().getDefiningOp<TransposeOp>()) {
    ArrayRef<int64_t> inner = producer.getPermutation();
    SmallVector<int64_t> composed =
        llvm::map_to_vector(perm, [&](int64_t p) { return inner[p]; });
    getInputMutable().assign(producer.getInput());
    setPermutation(composed);
    if (!llvm::equal(composed, llvm::seq<int64_t>(0, composed.size())))
      return getResult();
    return getInput();
  }
  if (llvm::equal(perm, llvm::seq<int64_t>(0, perm.size())))
    return getInput();
  return {};
}

namespace {
/// transpose(matmul(a, b)) -> matmul(transpose(b), transpose(a)) where a or
/// b is itself a transpose, which then cancels: fewer transposes for the
/// same products and sums ((a b)^T = b^T a^T). A mutant that merged
/// products computing W x^T, then transposed back, becomes x W^T (W^T of
/// weights is computed once, at load).
struct TransposeOfMatmul : public OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    auto matmul = op.getInput().getDefiningOp<MatmulOp>();
    if (!matmul || !matmul->hasOneUse() ||
        op.getPermutation() != ArrayRef<int64_t>{1, 0})
      return rewriter.notifyMatchFailure(op, "not the transpose of a product");
    auto isTranspose = [](Value v) {
      auto t = v.getDefiningOp<TransposeOp>();
      return t && t.getPermutation() == ArrayRef<int64_t>{1, 0};
    };
    if (!isTranspose(matmul.getLhs()) && !isTranspose(matmul.getRhs()))
      return rewriter.notifyMatchFailure(op, "no operand transposed");
    Location loc = op.getLoc();
    auto transposed = [&](Value v) -> Value {
      if (isTranspose(v))
        return v.getDefiningOp<TransposeOp>().getInput();
      return TransposeOp::create(rewriter, loc, v,
                                 rewriter.getDenseI64ArrayAttr({1, 0}));
    };
    Value lhs = transposed(matmul.getRhs());
    Value rhs = transposed(matmul.getLhs());
    auto product = MatmulOp::create(rewriter, loc, op.getType(), lhs, rhs);
    product->setDiscardableAttrs(matmul->getDiscardableAttrDictionary());
    rewriter.replaceOp(op, product);
    return success();
  }
};
} // namespace

void TransposeOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                              MLIRContext *context) {
  results.add<TransposeOfMatmul>(context);
}

//===----------------------------------------------------------------------===//
// ReshapeOp
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::verify() {
  auto input = getInput().getType();
  auto result = getResult().getType();
  if (input.getElementType() != result.getElementType())
    return emitOpError(
               "expects input and result of the same element type, got ")
           << input.getElementType() << " and " << result.getElementType();
  if (input.getNumElements() != result.getNumElements())
    return emitOpError("cannot reshape ")
           << input << " (" << input.getNumElements() << " elements) to "
           << result << " (" << result.getNumElements() << " elements)";
  return success();
}

OpFoldResult ReshapeOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType())
    return getInput();
  // reshape(reshape(x)) == reshape(x): only the row-major order matters.
  if (auto producer = getInput().getDefiningOp<ReshapeOp>()) {
    if (producer.getInput().getType() == getType())
      return producer.getInput();
    getInputMutable().assign(producer.getInput());
    return getResult();
  }
  return {};
}

//===----------------------------------------------------------------------===//
// ConcatOp
//===----------------------------------------------------------------------===//

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *context,
                                         std::optional<Location> location,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  InferErrorEmitter emitError(location, getOperationName());
  ValueRange inputs = adaptor.getInputs();
  if (inputs.empty())
    return emitError() << "expects at least one input";
  auto first = dyn_cast<RankedTensorType>(inputs.front().getType());
  if (!first)
    return emitError() << "expects ranked input tensors";
  int64_t axis = adaptor.getAxis();
  if (failed(checkAxis(axis, first.getRank(), emitError)))
    return failure();
  SmallVector<int64_t, 4> shape(first.getShape());
  for (auto [i, value] : llvm::enumerate(inputs.drop_front())) {
    auto type = dyn_cast<RankedTensorType>(value.getType());
    if (!type || type.getRank() != first.getRank())
      return emitError() << "input #" << i + 1 << " has type "
                         << value.getType() << ", expected rank "
                         << first.getRank();
    if (failed(checkSameElementType(first, type, "inputs", emitError)))
      return failure();
    for (int64_t d = 0; d < first.getRank(); ++d) {
      if (d == axis)
        continue;
      if (type.getDimSize(d) != first.getDimSize(d))
        return emitError() << "input #" << i + 1 << " has size "
                           << type.getDimSize(d) << " in dimension " << d
                           << ", input #0 has " << first.getDimSize(d);
    }
    std::optional<int64_t> total =
        mulAdd(shape[axis], 1, type.getDimSize(axis));
    if (!total)
      return emitError() << "concatenated size overflows 64 bits";
    shape[axis] = *total;
  }
  inferred.push_back(RankedTensorType::get(shape, first.getElementType()));
  return success();
}

OpFoldResult ConcatOp::fold(FoldAdaptor) {
  if (getInputs().size() == 1)
    return getInputs().front();
  // concat(split(x)) along the same axis, all pieces in order, is x.
  auto split = getInputs().front().getDefiningOp<SplitOp>();
  if (split && split.getAxis() == getAxis() &&
      split.getNumResults() == getInputs().size() &&
      llvm::equal(getInputs(), split.getResults()))
    return split.getInput();
  return {};
}

//===----------------------------------------------------------------------===//
// SplitOp
//===----------------------------------------------------------------------===//

LogicalResult SplitOp::inferReturnTypes(MLIRContext *context,
                                        std::optional<Location> location,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &inferred) {
  InferErrorEmitter emitError(location, getOperationName());
  auto input = dyn_cast<RankedTensorType>(adaptor.getInput().getType());
  if (!input)
    return emitError() << "expects a ranked input tensor";
  int64_t axis = adaptor.getAxis();
  if (failed(checkAxis(axis, input.getRank(), emitError)))
    return failure();
  ArrayRef<int64_t> sizes = adaptor.getSizes();
  if (sizes.empty())
    return emitError() << "expects at least one piece";
  int64_t total = 0;
  for (int64_t size : sizes) {
    if (size < 1)
      return emitError() << "expects pieces of at least one slice, got "
                         << size;
    std::optional<int64_t> sum = mulAdd(total, 1, size);
    if (!sum)
      return emitError() << "piece sizes overflow 64 bits";
    total = *sum;
  }
  if (total != input.getDimSize(axis))
    return emitError() << "pieces add up to " << total << " but dimension "
                       << axis << " has size " << input.getDimSize(axis);
  for (int64_t size : sizes) {
    SmallVector<int64_t, 4> shape(input.getShape());
    shape[axis] = size;
    inferred.push_back(RankedTensorType::get(shape, input.getElementType()));
  }
  return success();
}

int64_t SplitOp::getOffset(unsigned index) {
  int64_t offset = 0;
  for (int64_t size : getSizes().take_front(index))
    offset += size;
  return offset;
}

LogicalResult SplitOp::fold(FoldAdaptor,
                            SmallVectorImpl<OpFoldResult> &results) {
  if (getNumResults() == 1) {
    results.push_back(getInput());
    return success();
  }
  // split(concat(a, b, ...)) into the pieces it was made of.
  auto concat = getInput().getDefiningOp<ConcatOp>();
  if (!concat || concat.getAxis() != getAxis() ||
      concat.getInputs().size() != getNumResults())
    return failure();
  for (auto [input, result] : llvm::zip(concat.getInputs(), getResults()))
    if (input.getType() != result.getType())
      return failure();
  results.append(concat.getInputs().begin(), concat.getInputs().end());
  return success();
}

//===----------------------------------------------------------------------===//
// SliceOp
//===----------------------------------------------------------------------===//

SmallVector<int64_t> SliceOp::getStrideValues() {
  if (std::optional<ArrayRef<int64_t>> strides = getStrides())
    return SmallVector<int64_t>(*strides);
  return SmallVector<int64_t>(getOffsets().size(), 1);
}

LogicalResult SliceOp::inferReturnTypes(MLIRContext *context,
                                        std::optional<Location> location,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &inferred) {
  InferErrorEmitter emitError(location, getOperationName());
  auto input = dyn_cast<RankedTensorType>(adaptor.getInput().getType());
  if (!input)
    return emitError() << "expects a ranked input tensor";
  int64_t rank = input.getRank();
  ArrayRef<int64_t> offsets = adaptor.getOffsets(), sizes = adaptor.getSizes();
  SmallVector<int64_t> strides(rank, 1);
  if (std::optional<ArrayRef<int64_t>> attr = adaptor.getStrides())
    strides.assign(attr->begin(), attr->end());
  if (static_cast<int64_t>(offsets.size()) != rank ||
      static_cast<int64_t>(sizes.size()) != rank ||
      static_cast<int64_t>(strides.size()) != rank)
    return emitError() << "expects " << rank
                       << " offsets, sizes and strides, got " << offsets.size()
                       << ", " << sizes.size() << " and " << strides.size();
  for (int64_t d = 0; d < rank; ++d) {
    if (offsets[d] < 0 || sizes[d] < 1 || strides[d] < 1)
      return emitError() << "expects offsets >= 0, sizes >= 1 and strides >= 1"
                         << ", got " << offsets[d] << ", " << sizes[d]
                         << " and " << strides[d] << " in dimension " << d;
    std::optional<int64_t> last = mulAdd(sizes[d] - 1, strides[d], offsets[d]);
    if (!last || *last >= input.getDimSize(d)) {
      InFlightDiagnostic diag = emitError() << "slice reads index ";
      if (last)
        diag << *last;
      else
        diag << "beyond 2^63";
      return diag << " of dimension " << d << ", which has size "
                  << input.getDimSize(d);
    }
  }
  inferred.push_back(RankedTensorType::get(sizes, input.getElementType()));
  return success();
}

OpFoldResult SliceOp::fold(FoldAdaptor) {
  if (getType() == getInput().getType() &&
      llvm::all_of(getOffsets(), [](int64_t o) { return o == 0; }))
    return getInput();
  return {};
}

//===----------------------------------------------------------------------===//
// PadOp
//===----------------------------------------------------------------------===//

LogicalResult PadOp::inferReturnTypes(MLIRContext *context,
                                      std::optional<Location> location,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &inferred) {
  InferErrorEmitter emitError(location, getOperationName());
  auto input = dyn_cast<RankedTensorType>(adaptor.getInput().getType());
  if (!input)
    return emitError() << "expects a ranked input tensor";
  ArrayRef<int64_t> low = adaptor.getLow(), high = adaptor.getHigh();
  if (static_cast<int64_t>(low.size()) != input.getRank() ||
      static_cast<int64_t>(high.size()) != input.getRank())
    return emitError() << "expects " << input.getRank()
                       << " low and high padding sizes, got " << low.size()
                       << " and " << high.size();
  SmallVector<int64_t, 4> shape;
  for (int64_t d = 0; d < input.getRank(); ++d) {
    if (low[d] < 0 || high[d] < 0)
      return emitError() << "expects non-negative padding, got " << low[d]
                         << " and " << high[d] << " in dimension " << d;
    std::optional<int64_t> size = mulAdd(input.getDimSize(d), 1, low[d]);
    if (size)
      size = mulAdd(*size, 1, high[d]);
    if (!size)
      return emitError() << "padded size of dimension " << d
                         << " overflows 64 bits";
    shape.push_back(*size);
  }
  inferred.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

OpFoldResult PadOp::fold(FoldAdaptor) {
  auto isZero = [](int64_t v) { return v == 0; };
  if (llvm::all_of(getLow(), isZero) && llvm::all_of(getHigh(), isZero))
    return getInput();
  return {};
}

//===----------------------------------------------------------------------===//
// InsertOp
//===----------------------------------------------------------------------===//

LogicalResult InsertOp::inferReturnTypes(MLIRContext *context,
                                         std::optional<Location> location,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  InferErrorEmitter emitError(location, getOperationName());
  auto source = dyn_cast<RankedTensorType>(adaptor.getSource().getType());
  auto dest = dyn_cast<RankedTensorType>(adaptor.getDest().getType());
  if (!source || !dest)
    return emitError() << "expects ranked tensors";
  if (failed(checkSameElementType(source, dest, "source and destination",
                                  emitError)))
    return failure();
  ArrayRef<int64_t> offsets = adaptor.getOffsets();
  if (source.getRank() != dest.getRank() ||
      static_cast<int64_t>(offsets.size()) != dest.getRank())
    return emitError() << "expects a source, a destination and offsets of "
                          "one rank, got "
                       << source.getRank() << ", " << dest.getRank() << " and "
                       << offsets.size();
  for (int64_t d = 0; d < dest.getRank(); ++d) {
    std::optional<int64_t> end = mulAdd(source.getDimSize(d), 1, offsets[d]);
    if (offsets[d] < 0 || !end || *end > dest.getDimSize(d))
      return emitError() << "source of size " << source.getDimSize(d)
                         << " at offset " << offsets[d]
                         << " does not fit dimension " << d
                         << " of the destination, of size "
                         << dest.getDimSize(d);
  }
  inferred.push_back(dest);
  return success();
}

//===----------------------------------------------------------------------===//
// Non-linear operators
//===----------------------------------------------------------------------===//

LogicalResult SoftmaxOp::verify() {
  return checkAxis(getAxis(), getType().getRank(),
                   InferErrorEmitter(getLoc(), getOperationName()));
}

LogicalResult LayerNormOp::verify() {
  if (failed(checkAxis(getAxis(), getType().getRank(),
                       InferErrorEmitter(getLoc(), getOperationName()))))
    return failure();
  if (!(getEpsilon().convertToDouble() >= 0.0))
    return emitOpError("expects a non-negative epsilon, got ")
           << getEpsilon().convertToDouble();
  return success();
}

#define GET_OP_CLASSES
#include "PET/Dialect/PET/PETOps.cpp.inc"
