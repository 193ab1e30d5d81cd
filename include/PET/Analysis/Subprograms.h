//===- Subprograms.h - Multi-linear subprograms of a function ---*- C++ -*-===//
//
// PET optimizes multi-linear tensor programs; a real program is cut into
// them at its non-linear operators (shared/DESIGN.md, "Program splitting").
// A subprogram is a maximal set of multi-linear operators connected through
// the values they pass each other; its inputs are the values it reads from
// outside (arguments, constants, results of non-linear or foreign
// operators), its outputs the values it produces that something outside
// reads (or the function returns).
//
//===----------------------------------------------------------------------===//

#ifndef PET_ANALYSIS_SUBPROGRAMS_H
#define PET_ANALYSIS_SUBPROGRAMS_H

#include "PET/Support/Box.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace mlir::pet {

struct Subprogram {
  /// The operators, in the order of the function's block.
  SmallVector<Operation *> ops;
  /// Values read from outside, in order of first use.
  SmallVector<Value> inputs;
  /// Values used outside, in order of definition.
  SmallVector<Value> outputs;
};

/// The multi-linear subprograms of `func`'s body, in the order of their
/// first operator.
SmallVector<Subprogram> findSubprograms(func::FuncOp func);

/// The subprogram made of `ops` (operators of one block): its inputs and
/// outputs relative to them.
Subprogram makeSubprogram(ArrayRef<Operation *> ops);

/// The parts of `sub` a mutation search looks at: the whole subprogram if it
/// has at most `maxOps` operators, else its groups of convolutions or
/// matrix products that read a common operand or results of one operator
/// (merge candidates; with that operator if only they read it, as the pieces
/// of a split) and each other convolution or matrix product alone, with the
/// element-wise rest (biases, batch-norm scales) left in place.
SmallVector<Subprogram> getSearchWindows(const Subprogram &sub,
                                         unsigned maxOps);

/// Moves the operators that compute the subprogram's inputs, where they come
/// after its first operator, up before it (with what they depend on), so
/// that a replacement of the whole subprogram can go at its first operator.
/// Legal because subprograms are convex; fails, moving nothing, if an
/// operator to move has memory effects.
LogicalResult hoistInputs(const Subprogram &subprogram);

/// A new function `name` that computes `subprogram` on its inputs (the
/// function's arguments) and returns its outputs, inserted by `builder`.
func::FuncOp outlineSubprogram(const Subprogram &subprogram, StringRef name,
                               OpBuilder &builder);

/// Clones the body of `func` at the builder's insertion point, its
/// arguments replaced by `arguments`; returns the values it would return.
SmallVector<Value> inlineBody(func::FuncOp func, ValueRange arguments,
                              OpBuilder &builder);

/// A `pet.correct` of `mutants` whose region recomputes `original` from
/// `inputs`, on `boxes` (one list per mutant value).
Operation *buildCorrection(OpBuilder &builder, Location loc, ValueRange mutants,
                           ValueRange inputs, ArrayRef<SmallVector<Box>> boxes,
                           func::FuncOp original);

} // namespace mlir::pet

#endif // PET_ANALYSIS_SUBPROGRAMS_H
