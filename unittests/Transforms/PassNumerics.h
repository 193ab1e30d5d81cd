//===- PassNumerics.h - Do passes keep a program's values? ------*- C++ -*-===//
//
// The check every rewrite test makes: evaluate the public functions of a
// module on random inputs, run a pass pipeline, evaluate them again on the
// same inputs, and compare: exactly in Z_q when the functions are
// multi-linear, within a tolerance in double otherwise.
//
//===----------------------------------------------------------------------===//

#ifndef PET_UNITTESTS_TRANSFORMS_PASSNUMERICS_H
#define PET_UNITTESTS_TRANSFORMS_PASSNUMERICS_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"

#include <string>
#include <vector>

namespace pet_test {

/// A context with the dialects PET passes use, and the passes registered.
void preparePassContext(mlir::MLIRContext &context);

/// Runs `pipeline` (textual, the passes inside `builtin.module(...)`, e.g.
/// "pet-split{outline=true},canonicalize") over `module` and checks that
/// every public function computes what it computed before. Returns an empty
/// string on success, else what went wrong.
std::string checkPipelinePreservesValues(mlir::ModuleOp module,
                                         llvm::StringRef pipeline,
                                         unsigned seed = 1);

/// The cases of a lit test (`PET_SOURCE_DIR/relativePath`), split at
/// "// -----"; empty if the file cannot be read.
std::vector<std::string> readLitCases(llvm::StringRef relativePath);

/// checkPipelinePreservesValues on every case of a lit test, which must
/// have `expectedCases` of them. Empty on success, else what went wrong.
std::string checkLitCasesPreserveValues(mlir::MLIRContext &context,
                                        llvm::StringRef relativePath,
                                        llvm::StringRef pipeline,
                                        unsigned expectedCases);

} // namespace pet_test

#endif // PET_UNITTESTS_TRANSFORMS_PASSNUMERICS_H
