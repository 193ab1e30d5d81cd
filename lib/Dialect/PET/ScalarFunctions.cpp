//===- ScalarFunctions.cpp - What element-wise operators compute ----------===//

#include "PET/Dialect/PET/ScalarFunctions.h"

#include "PET/Dialect/PET/PETOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

#include <cmath>

using namespace mlir;
using namespace mlir::pet;

static Value constant(OpBuilder &b, Location loc, Type type, double v) {
  return arith::ConstantOp::create(b, loc,
                                   b.getFloatAttr(cast<FloatType>(type), v));
}

static Value gelu(OpBuilder &b, Location loc, GeluOp op, Value x) {
  Type t = x.getType();
  Value half = constant(b, loc, t, 0.5), one = constant(b, loc, t, 1.0);
  Value inner;
  if (op.getApproximate()) {
    // tanh(sqrt(2 / pi) * (x + 0.044715 x^3))
    Value x3 =
        arith::MulFOp::create(b, loc, x, arith::MulFOp::create(b, loc, x, x));
    Value sum = arith::AddFOp::create(
        b, loc, x,
        arith::MulFOp::create(b, loc, constant(b, loc, t, 0.044715), x3));
    inner = math::TanhOp::create(
        b, loc,
        arith::MulFOp::create(b, loc,
                              constant(b, loc, t, std::sqrt(2.0 / M_PI)), sum));
  } else {
    inner = math::ErfOp::create(
        b, loc,
        arith::MulFOp::create(b, loc, x,
                              constant(b, loc, t, 1.0 / std::sqrt(2.0))));
  }
  return arith::MulFOp::create(b, loc, arith::MulFOp::create(b, loc, half, x),
                               arith::AddFOp::create(b, loc, one, inner));
}

bool mlir::pet::hasScalarFunction(Operation *op) {
  return isa<ReluOp, SigmoidOp, TanhOp, RsqrtOp, GeluOp>(op);
}

Value mlir::pet::buildScalarFunction(OpBuilder &b, Location loc, Operation *op,
                                     Value x) {
  if (isa<ReluOp>(op))
    return arith::MaximumFOp::create(b, loc, x,
                                     constant(b, loc, x.getType(), 0.0));
  if (isa<SigmoidOp>(op)) {
    Value one = constant(b, loc, x.getType(), 1.0);
    Value e = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, x));
    return arith::DivFOp::create(b, loc, one,
                                 arith::AddFOp::create(b, loc, one, e));
  }
  if (isa<TanhOp>(op))
    return math::TanhOp::create(b, loc, x);
  if (isa<RsqrtOp>(op))
    return math::RsqrtOp::create(b, loc, x);
  return gelu(b, loc, cast<GeluOp>(op), x);
}

Value mlir::pet::buildSafeSoftmaxResult(OpBuilder &b, Location loc,
                                        Value quotient, Value laneMax) {
  Type type = quotient.getType();
  Value empty =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, laneMax,
                            constant(b, loc, type, -INFINITY));
  return arith::SelectOp::create(b, loc, empty, constant(b, loc, type, 0.0),
                                 quotient);
}
