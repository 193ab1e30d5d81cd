//===- MatrixViews.h - Tensors read and written where they lie --*- C++ -*-===//
//
// The library calls of the GPU pipeline that take strided operands
// (--pet-gpu-matmul-calls, --pet-gpu-attention-calls) read a tensor through
// the transposes, reshapes and splits that made it, as a strided view of
// the buffer they started from, and write a result whose only reader is a
// layout transpose (and a reshape of it) straight into that layout.
//
//===----------------------------------------------------------------------===//

#ifndef PET_LIB_CONVERSION_PETTOGPU_MATRIXVIEWS_H
#define PET_LIB_CONVERSION_PETTOGPU_MATRIXVIEWS_H

#include "PET/Dialect/PET/PETOps.h"

#include "mlir/IR/Builders.h"

namespace mlir::pet {

/// The only operator that reads `v`, or null.
Operation *onlyUser(Value v);

/// A matrix product (`pet.matmul` or `pet.batch_matmul`): its operands and
/// their transposes.
struct Product {
  Operation *op = nullptr;
  Value lhs, rhs;
  bool transposeLhs = false, transposeRhs = false;
};

/// `op` as a product, if it is one.
std::optional<Product> productOf(Operation *op);

/// Row-major strides of `shape`.
SmallVector<int64_t> rowMajorStrides(ArrayRef<int64_t> shape);

/// Elements of a tensor's buffer: value[i] = base[offset + sum_d i_d *
/// strides[d]], `base` stored row-major.
struct View {
  Value base;
  int64_t offset = 0;
  SmallVector<int64_t> sizes, strides;

  /// `v` itself, row-major.
  static View of(Value v);
  bool isRowMajor() const { return strides == rowMajorStrides(sizes); }
};

/// `value` as a view of the buffer it is read from: through transposes,
/// reshapes of row-major views and splits (which copy when lowered alone).
View viewThrough(Value value);

/// `value` (2-d or 3-d, transposed in its last two dimensions if asked) as
/// 3-d matrices: a view of where it lies, or, when neither of its last two
/// dimensions has unit stride and `needUnitStride`, or `asComputed`, the
/// value itself, row-major.
View matrixView(Value value, bool transposed, bool asComputed = false,
                bool needUnitStride = true);

/// A memref of `view` at `b`'s insertion point: the base tensor's buffer
/// (`bufferization.to_buffer`, read-only unless `buffer` is given) cast to
/// the view's offset, sizes and strides.
Value materialize(OpBuilder &b, Location loc, const View &view,
                  Value buffer = nullptr);

/// A result written in the layout its readers want: the value the call's
/// buffer holds (`value`, or the layout transpose or reshape that only lay
/// it out), and the view of that buffer the call writes `value` through.
struct OutputLayout {
  ReshapeOp reshapeBefore;
  TransposeOp transpose;
  ReshapeOp reshape;
  Value result;

  /// `value`'s layout: a `pet.transpose` that keeps the last dimension last
  /// and is `value`'s only reader (or the only reader of a `pet.reshape`
  /// that is `value`'s only reader), and a `pet.reshape` that is its only
  /// reader, in `value`'s block, when the buffer of their result can be
  /// written as a strided view of `value`'s shape; or none (`result` is
  /// `value`).
  static OutputLayout of(Value value);
  /// The view of the buffer holding `result` (row-major) through which
  /// `value` is written, 3-d (a leading dimension of 1 for a matrix).
  View productView(Value value) const;
  /// Erases the reshapes and the transpose (their uses replaced before).
  void erase();
};

} // namespace mlir::pet

#endif // PET_LIB_CONVERSION_PETTOGPU_MATRIXVIEWS_H
