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

#include "MatrixViews.h"
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

/// A product and what its call computes after it.
struct Gemm {
  Product product;
  Value bias, residual;
  bool gelu = false;
  /// The epilogue's operators, in order.
  SmallVector<Operation *> epilogue;
  /// A transpose (and a reshape after it) that only lay out the product:
  /// the call writes their result.
  OutputLayout layout;

  Value getResult() const {
    if (layout.transpose)
      return layout.result;
    return epilogue.empty() ? product.op->getResult(0)
                            : epilogue.back()->getResult(0);
  }
};

Gemm matchGemm(const Product &product) {
  Gemm gemm{product};
  Operation *op = product.op;
  Value current = op->getResult(0);
  ArrayRef<int64_t> shape = shapeOf(current);
  int64_t n = shape.back();
  // Bias (the output's last dimension, broadcast) and residual (the
  // output's shape) additions, each at most once, then a GELU (tanh).
  while (Operation *user = onlyUser(current)) {
    if (user->getBlock() != op->getBlock())
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
    gemm.layout = OutputLayout::of(current);
  return gemm;
}

void lowerGemm(Gemm gemm) {
  OpBuilder b(gemm.getResult().getDefiningOp());
  Location loc = gemm.product.op->getLoc();
  Value result = gemm.getResult();
  auto resultType = cast<RankedTensorType>(result.getType());
  Value buffer = memref::AllocOp::create(
      b, loc, MemRefType::get(resultType.getShape(), b.getF32Type()));
  // The product's view of the buffer: the buffer itself, or the inverse of
  // the layout transpose over it.
  OutputLayout layout = gemm.layout;
  layout.result = result;
  View out = layout.productView(gemm.product.op->getResult(0));
  Value outView = materialize(b, loc, out, buffer);
  const Product &product = gemm.product;
  Value lhs =
      materialize(b, loc, matrixView(product.lhs, product.transposeLhs));
  Value rhs =
      materialize(b, loc, matrixView(product.rhs, product.transposeRhs));
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
  gemm.layout.erase();
  for (Operation *op : llvm::reverse(gemm.epilogue))
    op->erase();
  gemm.product.op->erase();
}

struct GPUMatmulCallsPass
    : public pet::impl::GPUMatmulCallsBase<GPUMatmulCallsPass> {
  void runOnOperation() override {
    SmallVector<Operation *> products;
    getOperation().walk([&](Operation *op) {
      if (isa<MatmulOp, BatchMatmulOp>(op) && hasStaticF32Tensors(op))
        products.push_back(op);
    });
    // Operands read when each is lowered: an earlier call replaces the
    // product it computes.
    for (Operation *product : products)
      lowerGemm(matchGemm(*productOf(product)));
    // Transposes, reshapes and splits that only the calls read (as views)
    // are gone.
    eraseUnread<TransposeOp, ReshapeOp, SplitOp>(getOperation());
  }
};
} // namespace
