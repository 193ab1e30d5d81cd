//===- GeneratedInputs.cpp - Deterministic inputs for generated mains -----===//

#include "GeneratedInputs.h"

#include "PET/Support/RunnerInputs.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

/// Argument `argNumber` of type `type`, filled as the pass describes.
Value mlir::pet::generateRunnerInput(OpBuilder &b, Location loc,
                                     RankedTensorType type, int64_t seed,
                                     unsigned argNumber) {
  unsigned rank = type.getRank();
  double scale =
      pet::getRunnerInputScale(type.getShape().data(), type.getRank());
  Value init =
      tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType());
  SmallVector<AffineMap> maps = {b.getMultiDimIdentityMap(rank)};
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, TypeRange{type}, ValueRange{}, ValueRange{init}, maps,
             iterators,
             [&](OpBuilder &nb, Location nloc, ValueRange) {
               Type i64 = nb.getI64Type();
               auto c = [&](int64_t v) -> Value {
                 return arith::ConstantOp::create(nb, nloc,
                                                  nb.getI64IntegerAttr(v));
               };
               // Row-major linear index.
               Value k = c(0);
               for (unsigned d = 0; d < rank; ++d) {
                 Value i = arith::IndexCastOp::create(
                     nb, nloc, i64, linalg::IndexOp::create(nb, nloc, d));
                 k = arith::AddIOp::create(
                     nb, nloc,
                     arith::MulIOp::create(nb, nloc, k, c(type.getDimSize(d))),
                     i);
               }
               Value h = arith::AddIOp::create(
                   nb, nloc,
                   arith::MulIOp::create(nb, nloc, k,
                                         c(pet::kRunnerInputMultiplier)),
                   c((seed * pet::kRunnerInputSeedFactor + argNumber) *
                     pet::kRunnerInputArgFactor));
               h = arith::AndIOp::create(
                   nb, nloc, arith::ShRUIOp::create(nb, nloc, h, c(16)),
                   c(65535));
               Type element = type.getElementType();
               Value f = arith::UIToFPOp::create(nb, nloc, element, h);
               auto fc = [&](double v) -> Value {
                 return arith::ConstantOp::create(
                     nb, nloc, nb.getFloatAttr(cast<FloatType>(element), v));
               };
               f = arith::SubFOp::create(
                   nb, nloc, arith::DivFOp::create(nb, nloc, f, fc(65536.0)),
                   fc(0.5));
               f = arith::MulFOp::create(nb, nloc, f, fc(scale));
               linalg::YieldOp::create(nb, nloc, f);
             })
      .getResult(0);
}
