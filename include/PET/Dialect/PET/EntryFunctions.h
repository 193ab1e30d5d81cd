//===- EntryFunctions.h - The functions a program is run through -*- C++
//-*-===//
//
// A PET module's entry function is a public function that is not a weight
// preprocessing function (named by another's `pet.preprocess`). Runners,
// evaluators and API generators pick it the same way.
//
//===----------------------------------------------------------------------===//

#ifndef PET_DIALECT_PET_ENTRYFUNCTIONS_H
#define PET_DIALECT_PET_ENTRYFUNCTIONS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SetVector.h"

namespace mlir::pet {

/// The function `name`, or, with an empty name, the only public function
/// with a body that no `pet.preprocess` names. Null if there is none, or
/// several.
func::FuncOp findEntryFunction(ModuleOp module, StringRef name);

/// The function `func`'s `pet.preprocess` names (the verifier makes sure
/// that it exists and has a body); null without one.
func::FuncOp getPreprocessFunction(func::FuncOp func);

/// Whether every argument and result of `func` is a statically shaped f32
/// tensor (what runners, the GPU runtime and the C API take).
bool hasStaticF32Signature(func::FuncOp func);

/// Whether argument `index` of `func` is a weight that --pet-preprocess
/// reads: marked `{pet.weight}` and not already preprocessed.
bool isPreprocessingInput(func::FuncOp func, unsigned index);

/// Whether `op` is a PET computation --pet-preprocess may move or fold.
bool isPreprocessable(Operation *op);

/// Whether `value` is what --pet-preprocess computes once: a constant, a
/// preprocessing input, or a preprocessable operator of such values.
bool dependsOnlyOnWeights(Value value);

/// The operators of `block` that compute from `known` values and constants
/// only, in block order: what --pet-preprocess computes once, at load.
/// `known` gets their results and the constants.
llvm::SetVector<Operation *> getWeightOnlyOps(Block &block,
                                              llvm::DenseSet<Value> &known);

/// The types of the arguments a caller passes to `func`: those before the
/// ones --pet-preprocess added (which `func`'s preprocessing function
/// computes from the weights among the others, as a runtime does at load).
SmallVector<Type> getCallerArgumentTypes(func::FuncOp func);

/// `arguments` (a caller's, see getCallerArgumentTypes) followed by the
/// results of `func`'s preprocessing function, called at the builder on the
/// weights among them: all of `func`'s arguments. Fails when they are not
/// as many as `func` takes.
FailureOr<SmallVector<Value>>
buildArgumentsWithPreprocessing(OpBuilder &b, Location loc, func::FuncOp func,
                                ValueRange arguments);

} // namespace mlir::pet

#endif // PET_DIALECT_PET_ENTRYFUNCTIONS_H
