//===- MultiLinearDescriptions.cpp - What each multi-linear op computes ---===//
//
// The `MultiLinearOpInterface` implementations: each operator states its
// computation as sum-of-products terms (see MultiLinearDescription.h).
//
//===----------------------------------------------------------------------===//

#include "PET/Dialect/PET/PETOps.h"

#include "mlir/IR/AffineExpr.h"

using namespace mlir;
using namespace mlir::pet;

namespace {
/// Builds one term over loops of the given bounds; the first `numParallel`
/// loops are parallel, the rest reductions.
struct TermBuilder {
  TermBuilder(MLIRContext *context, ArrayRef<int64_t> bounds,
              unsigned numParallel)
      : context(context) {
    term.loopBounds.assign(bounds.begin(), bounds.end());
    for (unsigned i = 0, e = bounds.size(); i < e; ++i)
      term.iteratorTypes.push_back(i < numParallel
                                       ? utils::IteratorType::parallel
                                       : utils::IteratorType::reduction);
  }

  AffineExpr dim(unsigned i) const { return getAffineDimExpr(i, context); }
  AffineMap map(ArrayRef<AffineExpr> exprs) const {
    return AffineMap::get(term.getNumLoops(), 0, exprs, context);
  }
  /// The map (d_0, ..., d_{n-1}) -> (d_0 + offsets[0], ...).
  AffineMap shifted(ArrayRef<int64_t> offsets) const {
    SmallVector<AffineExpr> exprs;
    for (auto [i, offset] : llvm::enumerate(offsets))
      exprs.push_back(dim(i) + offset);
    return map(exprs);
  }
  AffineMap identity() const {
    return AffineMap::getMultiDimIdentityMap(term.getNumLoops(), context);
  }

  TermBuilder &writes(AffineMap resultMap) {
    term.resultMap = resultMap;
    return *this;
  }
  TermBuilder &reads(unsigned operand, AffineMap map) {
    term.factors.push_back({operand, map});
    return *this;
  }
  TermBuilder &scaledBy(double scale, int64_t divisor = 1) {
    term.scale = scale;
    term.divisor = divisor;
    return *this;
  }

  MLIRContext *context;
  MultiLinearTerm term;
};
} // namespace

static MultiLinearDescription describe(ArrayRef<MultiLinearTerm> terms) {
  MultiLinearDescription desc;
  desc.terms.assign(terms.begin(), terms.end());
  return desc;
}

//===----------------------------------------------------------------------===//
// Contractions
//===----------------------------------------------------------------------===//

MultiLinearDescription Conv2DOp::getMultiLinearDescription(unsigned) {
  ArrayRef<int64_t> out = shapeOf(getResult()), filter = shapeOf(getFilter());
  SmallVector<int64_t, 2> strides = getStrideValues(),
                          padLow = getPadLowValues(),
                          dilations = getDilationValues();
  int64_t groups = getGroupCount();
  // Loops: n, f, oh, ow | c, kh, kw (c within the filter's group).
  TermBuilder b(
      getContext(),
      {out[0], out[1], out[2], out[3], filter[1], filter[2], filter[3]}, 4);
  AffineExpr n = b.dim(0), f = b.dim(1), oh = b.dim(2), ow = b.dim(3),
             c = b.dim(4), kh = b.dim(5), kw = b.dim(6);
  AffineExpr channel = c;
  if (groups != 1)
    channel = f.floorDiv(filter[0] / groups) * filter[1] + c;
  AffineExpr h = oh * strides[0] + kh * dilations[0] - padLow[0];
  AffineExpr w = ow * strides[1] + kw * dilations[1] - padLow[1];
  b.writes(b.map({n, f, oh, ow}))
      .reads(0, b.map({n, channel, h, w}))
      .reads(1, b.map({f, c, kh, kw}));
  return describe(b.term);
}

/// `batch... x M x N += lhs' * rhs'` with loops (batch..., m, n, k).
static MultiLinearDescription
describeMatmul(MLIRContext *context, ArrayRef<int64_t> out, int64_t contracted,
               bool transposeLhs, bool transposeRhs) {
  unsigned rank = out.size();
  SmallVector<int64_t> bounds(out);
  bounds.push_back(contracted);
  TermBuilder b(context, bounds, rank);
  SmallVector<AffineExpr> batch;
  for (unsigned i = 0; i + 2 < rank; ++i)
    batch.push_back(b.dim(i));
  AffineExpr m = b.dim(rank - 2), n = b.dim(rank - 1), k = b.dim(rank);
  auto withBatch = [&](AffineExpr row, AffineExpr col) {
    SmallVector<AffineExpr> exprs(batch);
    exprs.push_back(row);
    exprs.push_back(col);
    return b.map(exprs);
  };
  b.writes(withBatch(m, n))
      .reads(0, transposeLhs ? withBatch(k, m) : withBatch(m, k))
      .reads(1, transposeRhs ? withBatch(n, k) : withBatch(k, n));
  return describe(b.term);
}

MultiLinearDescription MatmulOp::getMultiLinearDescription(unsigned) {
  ArrayRef<int64_t> lhs = shapeOf(getLhs());
  return describeMatmul(getContext(), shapeOf(getResult()),
                        getTransposeLhs() ? lhs[0] : lhs[1], getTransposeLhs(),
                        getTransposeRhs());
}

MultiLinearDescription BatchMatmulOp::getMultiLinearDescription(unsigned) {
  ArrayRef<int64_t> lhs = shapeOf(getLhs());
  return describeMatmul(getContext(), shapeOf(getResult()),
                        getTransposeLhs() ? lhs[1] : lhs[2], getTransposeLhs(),
                        getTransposeRhs());
}

//===----------------------------------------------------------------------===//
// Element-wise operators
//===----------------------------------------------------------------------===//

/// The map from result loops to an operand broadcast to `resultShape`
/// (NumPy rules: trailing alignment, size-1 dimensions stretch).
static AffineMap getBroadcastMap(const TermBuilder &b,
                                 ArrayRef<int64_t> operandShape,
                                 ArrayRef<int64_t> resultShape) {
  unsigned lead = resultShape.size() - operandShape.size();
  SmallVector<AffineExpr> exprs;
  for (auto [i, size] : llvm::enumerate(operandShape)) {
    bool stretched = size == 1 && resultShape[lead + i] != 1;
    exprs.push_back(stretched ? getAffineConstantExpr(0, b.context)
                              : b.dim(lead + i));
  }
  return b.map(exprs);
}

/// `lhs + sign * rhs` as two single-factor terms.
static MultiLinearDescription describeSum(Operation *op, double sign) {
  ArrayRef<int64_t> out = shapeOf(op->getResult(0));
  TermBuilder lhs(op->getContext(), out, out.size());
  lhs.writes(lhs.identity())
      .reads(0, getBroadcastMap(lhs, shapeOf(op->getOperand(0)), out));
  TermBuilder rhs(op->getContext(), out, out.size());
  rhs.writes(rhs.identity())
      .reads(1, getBroadcastMap(rhs, shapeOf(op->getOperand(1)), out))
      .scaledBy(sign);
  return describe({lhs.term, rhs.term});
}

MultiLinearDescription AddOp::getMultiLinearDescription(unsigned) {
  return describeSum(*this, 1.0);
}

MultiLinearDescription SubOp::getMultiLinearDescription(unsigned) {
  return describeSum(*this, -1.0);
}

MultiLinearDescription MulOp::getMultiLinearDescription(unsigned) {
  ArrayRef<int64_t> out = shapeOf(getResult());
  TermBuilder b(getContext(), out, out.size());
  b.writes(b.identity())
      .reads(0, getBroadcastMap(b, shapeOf(getLhs()), out))
      .reads(1, getBroadcastMap(b, shapeOf(getRhs()), out));
  return describe(b.term);
}

MultiLinearDescription ScaleOp::getMultiLinearDescription(unsigned) {
  ArrayRef<int64_t> out = shapeOf(getResult());
  TermBuilder b(getContext(), out, out.size());
  b.writes(b.identity())
      .reads(0, b.identity())
      .scaledBy(getFactor().convertToDouble());
  return describe(b.term);
}

MultiLinearDescription AvgPool2DOp::getMultiLinearDescription(unsigned) {
  ArrayRef<int64_t> out = shapeOf(getResult()), kernel = getKernel();
  SmallVector<int64_t, 2> strides = getStrideValues(),
                          padLow = getPadLowValues();
  // Loops: n, c, oh, ow | kh, kw.
  TermBuilder b(getContext(),
                {out[0], out[1], out[2], out[3], kernel[0], kernel[1]}, 4);
  AffineExpr h = b.dim(2) * strides[0] + b.dim(4) - padLow[0];
  AffineExpr w = b.dim(3) * strides[1] + b.dim(5) - padLow[1];
  b.writes(b.map({b.dim(0), b.dim(1), b.dim(2), b.dim(3)}))
      .reads(0, b.map({b.dim(0), b.dim(1), h, w}))
      .scaledBy(1.0, kernel[0] * kernel[1]);
  b.term.divideByInBoundsCount = getExcludePad();
  return describe(b.term);
}

//===----------------------------------------------------------------------===//
// Layout operators
//===----------------------------------------------------------------------===//

MultiLinearDescription TransposeOp::getMultiLinearDescription(unsigned) {
  ArrayRef<int64_t> out = shapeOf(getResult());
  TermBuilder b(getContext(), out, out.size());
  // Result dimension i is input dimension perm[i].
  SmallVector<AffineExpr> exprs(out.size());
  for (auto [i, p] : llvm::enumerate(getPermutation()))
    exprs[p] = b.dim(i);
  b.writes(b.identity()).reads(0, b.map(exprs));
  return describe(b.term);
}

MultiLinearDescription ReshapeOp::getMultiLinearDescription(unsigned) {
  ArrayRef<int64_t> out = shapeOf(getResult()), in = shapeOf(getInput());
  TermBuilder b(getContext(), out, out.size());
  // Row-major linear index of the result position, as a sum of dimensions
  // times constant strides (the floordiv/mod below then pull out the terms
  // they divide, and simplifyWithLoopBounds the rest)...
  AffineExpr linear = getAffineConstantExpr(0, getContext());
  int64_t outStride = 1;
  for (int64_t i = out.size() - 1; i >= 0; --i) {
    linear = linear + b.dim(i) * outStride;
    outStride *= out[i];
  }
  // ...delinearized with the input's shape.
  SmallVector<AffineExpr> exprs(in.size());
  int64_t stride = 1;
  for (int64_t d = in.size() - 1; d >= 0; --d) {
    AffineExpr index = linear.floorDiv(stride);
    if (d > 0)
      index = index % in[d];
    exprs[d] = index;
    stride *= in[d];
  }
  b.writes(b.identity()).reads(0, b.map(exprs));
  return describe(b.term);
}

MultiLinearDescription ConcatOp::getMultiLinearDescription(unsigned) {
  SmallVector<MultiLinearTerm> terms;
  uint64_t axis = getAxis();
  int64_t offset = 0;
  for (auto [i, input] : llvm::enumerate(getInputs())) {
    ArrayRef<int64_t> shape = shapeOf(input);
    TermBuilder b(getContext(), shape, shape.size());
    SmallVector<int64_t> offsets(shape.size(), 0);
    offsets[axis] = offset;
    b.writes(b.shifted(offsets)).reads(i, b.identity());
    terms.push_back(b.term);
    offset += shape[axis];
  }
  return describe(terms);
}

MultiLinearDescription SplitOp::getMultiLinearDescription(unsigned index) {
  ArrayRef<int64_t> out = shapeOf(getResult(index));
  TermBuilder b(getContext(), out, out.size());
  SmallVector<int64_t> offsets(out.size(), 0);
  offsets[getAxis()] = getOffset(index);
  b.writes(b.identity()).reads(0, b.shifted(offsets));
  return describe(b.term);
}

MultiLinearDescription SliceOp::getMultiLinearDescription(unsigned) {
  ArrayRef<int64_t> out = shapeOf(getResult());
  SmallVector<int64_t> strides = getStrideValues();
  TermBuilder b(getContext(), out, out.size());
  SmallVector<AffineExpr> exprs;
  for (auto [i, offset] : llvm::enumerate(getOffsets()))
    exprs.push_back(b.dim(i) * strides[i] + offset);
  b.writes(b.identity()).reads(0, b.map(exprs));
  return describe(b.term);
}

MultiLinearDescription PadOp::getMultiLinearDescription(unsigned) {
  ArrayRef<int64_t> in = shapeOf(getInput());
  TermBuilder b(getContext(), in, in.size());
  b.writes(b.shifted(getLow())).reads(0, b.identity());
  return describe(b.term);
}

MultiLinearDescription InsertOp::getMultiLinearDescription(unsigned) {
  ArrayRef<int64_t> source = shapeOf(getSource()), dest = shapeOf(getDest());
  SmallVector<MultiLinearTerm> terms;
  // The source, shifted to its place...
  TermBuilder inserted(getContext(), source, source.size());
  inserted.writes(inserted.shifted(getOffsets())).reads(0, inserted.identity());
  terms.push_back(inserted.term);
  // ...and the destination around it, as disjoint boxes.
  Box whole = Box::fromShape(dest);
  SmallVector<int64_t> upper(getOffsets());
  for (auto [d, size] : llvm::enumerate(source))
    upper[d] += size;
  for (const Box &piece : subtract(whole, Box(getOffsets(), upper))) {
    TermBuilder kept(getContext(), piece.getExtents(), piece.getRank());
    AffineMap at = kept.shifted(piece.getLower());
    kept.writes(at).reads(1, at);
    terms.push_back(kept.term);
  }
  return describe(terms);
}
