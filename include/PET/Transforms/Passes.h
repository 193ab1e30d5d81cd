//===- Passes.h - PET passes ------------------------------------*- C++ -*-===//

#ifndef PET_TRANSFORMS_PASSES_H
#define PET_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::pet {

#define GEN_PASS_DECL
#include "PET/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "PET/Transforms/Passes.h.inc"

} // namespace mlir::pet

#endif // PET_TRANSFORMS_PASSES_H
