//===- pet-opt.cpp - The PET-MLIR optimizer driver ------------------------===//
//
// An mlir-opt for PET: parses a module, runs the passes named on the command
// line (or by --pass-pipeline), prints the result. Every option of mlir-opt
// works (-split-input-file, -verify-diagnostics, --mlir-timing, ...).
//
//===----------------------------------------------------------------------===//

#include "PET/Conversion/Passes.h"
#include "PET/Dialect/PET/PETDialect.h"
#include "PET/Transforms/Passes.h"
#include "PET/Transforms/Pipelines.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  registry.insert<mlir::pet::PETDialect, mlir::affine::AffineDialect,
                  mlir::arith::ArithDialect,
                  mlir::bufferization::BufferizationDialect,
                  mlir::cf::ControlFlowDialect, mlir::func::FuncDialect,
                  mlir::gpu::GPUDialect, mlir::LLVM::LLVMDialect,
                  mlir::linalg::LinalgDialect, mlir::math::MathDialect,
                  mlir::memref::MemRefDialect, mlir::NVVM::NVVMDialect,
                  mlir::scf::SCFDialect, mlir::tensor::TensorDialect>();
  // Upstream generic passes: canonicalize, cse, inline, symbol-dce, ...
  mlir::registerTransformsPasses();
  mlir::pet::registerPETPasses();
  mlir::pet::registerPETConversionPasses();
  mlir::pet::registerPETPipelines();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "PET-MLIR optimizer driver\n", registry));
}
