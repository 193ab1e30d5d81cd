//===- LayoutViews.h - Layouts the GPU lowering never copies ---*- C++ -*-===//
//
// Mutants move data around: a convolution's input in pieces along the batch,
// its output back into the image, pieces concatenated. The GPU lowering
// (--pet-gpu-conv-calls) runs most of these without a copy: cuDNN reads and
// writes strided views, so a convolution reads a slice of a larger tensor
// or a batch-1 image's row halves as a batch of two images, and writes its
// result straight into its slice of a concatenation. The cost model prices
// a layout operator by what that lowering still copies, and a program that
// uses a view gets its own measurement key. Both ask here, so that what is
// priced is what is emitted.
//
//===----------------------------------------------------------------------===//

#ifndef PET_OPTIMIZER_LAYOUTVIEWS_H
#define PET_OPTIMIZER_LAYOUTVIEWS_H

#include "PET/Dialect/PET/PETOps.h"

#include <optional>

namespace mlir::pet {

/// The unit attribute that asks for copies instead of views: on a
/// `pet.concat`, it is neither a view nor written in place; on a
/// `pet.conv2d`, its image is passed as a contiguous copy. The optimizer
/// sets it on a program's layout twin (`layout-alternatives`), so that a
/// measurement decides between the two lowerings of one program.
inline constexpr llvm::StringLiteral kCopyLayoutAttr = "pet.copy_layout";

/// Whether `op` carries kCopyLayoutAttr.
inline bool wantsCopies(Operation *op) { return op->hasAttr(kCopyLayoutAttr); }

/// A convolution and the element-wise operators after it that run as one
/// fused library call: bias and residual additions (each at most once,
/// either order), then a ReLU, each the only reader of the one before.
struct ConvChain {
  Conv2DOp conv;
  Value bias, residual;
  bool relu = false;
  /// The matched operators, in order; the last one's result is the call's.
  SmallVector<Operation *> ops;

  Value getResult() const { return ops.back()->getResult(0); }
};

/// The chain that starts at `conv` (possibly `conv` alone).
ConvChain matchConvChain(Conv2DOp conv);

/// The f32 convolution chain whose result is `value`, if there is one.
std::optional<ConvChain> getConvChainProducing(Value value);

/// A batch-1 image's rows (axis 2) or columns (axis 3) in `pieces` equal
/// parts, laid along the batch: `concat(split(image, axis), axis 0)`.
struct BatchView {
  /// The 1 x C x H x W image (rows as a batch read from it) or the
  /// pieces x C x H/pieces x W batch (written into the image).
  Value value;
  int64_t axis;
  int64_t pieces;
};

/// `concat` as a view of an image's rows or columns as a batch: what a
/// convolution reads in place.
std::optional<BatchView> matchRowsAsBatch(ConcatOp concat);

/// `concat(split(batch, axis 0, pieces of 1), axis 2 | 3)` where `batch` is
/// an f32 convolution chain's result (without residual) that only the split
/// reads: the library call writes the concatenation's result in place.
std::optional<BatchView> matchBatchAsRows(ConcatOp concat);

/// Whether operand `index` of `concat` is written in place by the library
/// call that produces it (a convolution chain's result, without residual,
/// read by nothing else, in the concatenation's block).
bool isWrittenInPlace(ConcatOp concat, unsigned index);

/// Bytes the GPU lowering copies to run the layout operator `op` (split or
/// concat), reads and writes counted; nullopt for other operators. A split
/// is a set of views: its results are copied only for readers that need
/// contiguous memory. A concatenation copies the operands not written in
/// place, nothing when it is a view.
std::optional<double> getLayoutCopyBytes(Operation *op);

/// Whether the GPU lowering of the operators under `root` uses a view or an
/// in-place write that a plain lowering would copy (programs measured
/// before views existed are keyed apart from those measured since).
bool usesLayoutViews(Operation *root);

} // namespace mlir::pet

#endif // PET_OPTIMIZER_LAYOUTVIEWS_H
