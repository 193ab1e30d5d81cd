//===- RuntimeFunctions.h - Declarations of runtime/ functions --*- C++ -*-===//
//
// The functions of PET's GPU runtime (runtime/include/pet_runtime.h) that
// generated code calls: memref arguments of any shape and strides (MLIR's C
// interface, `_mlir_ciface_<name>`; each function says which operands may
// be strided views) then i64 scalars.
//
//===----------------------------------------------------------------------===//

#ifndef PET_LIB_CONVERSION_PETTOGPU_RUNTIMEFUNCTIONS_H
#define PET_LIB_CONVERSION_PETTOGPU_RUNTIMEFUNCTIONS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

namespace mlir::pet {

/// The runtime function `name` taking f32 memrefs of the given ranks (any
/// sizes) and `scalars` i64s, declared in `module` once.
func::FuncOp declareRuntimeFunction(ModuleOp module, StringRef name,
                                    ArrayRef<int64_t> ranks, unsigned scalars);

/// Calls the runtime function `name` at `b`'s insertion point on `memrefs`
/// (f32 memrefs of static shape, cast to unknown sizes and strides) and
/// `scalars`.
void callRuntimeFunction(OpBuilder &b, Location loc, StringRef name,
                         ArrayRef<Value> memrefs, ArrayRef<int64_t> scalars);

} // namespace mlir::pet

#endif // PET_LIB_CONVERSION_PETTOGPU_RUNTIMEFUNCTIONS_H
