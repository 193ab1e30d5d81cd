//===- Passes.h - PET conversions -------------------------------*- C++ -*-===//

#ifndef PET_CONVERSION_PASSES_H
#define PET_CONVERSION_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"

#include "PET/Dialect/PET/PETDialect.h"

namespace mlir::pet {

#define GEN_PASS_DECL
#include "PET/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "PET/Conversion/Passes.h.inc"

} // namespace mlir::pet

#endif // PET_CONVERSION_PASSES_H
