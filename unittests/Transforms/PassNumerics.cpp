//===- PassNumerics.cpp - Do passes keep a program's values? --------------===//

#include "PassNumerics.h"

#include "PET/Analysis/Evaluator.h"
#include "PET/Dialect/PET/PETDialect.h"
#include "PET/Transforms/Passes.h"
#include "PET/Transforms/Pipelines.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <mutex>
#include <random>

using namespace mlir;
using namespace mlir::pet;

void pet_test::preparePassContext(MLIRContext &context) {
  static std::once_flag registered;
  std::call_once(registered, [] {
    registerPETPasses();
    registerPETPipelines();
    registerTransformsPasses();
  });
  context.loadDialect<PETDialect, func::FuncDialect, arith::ArithDialect>();
}

namespace {
/// Values of every public function, in double and, where exact evaluation
/// applies, in Z_q.
struct Snapshot {
  llvm::StringMap<SmallVector<Tensor<double>>> real;
  llvm::StringMap<SmallVector<Tensor<ModQ>>> exact;
};
} // namespace

static std::string takeSnapshot(ModuleOp module, unsigned seed,
                                Snapshot &snapshot) {
  // Preprocessing functions are compared through the functions they serve
  // (--pet-preprocess may give one more results).
  llvm::StringSet<> preprocessing;
  for (auto func : module.getOps<func::FuncOp>())
    if (auto name = func->getAttrOfType<FlatSymbolRefAttr>(
            PETDialect::kPreprocessFuncAttrName))
      preprocessing.insert(name.getValue());
  for (auto func : module.getOps<func::FuncOp>()) {
    if (func.isPrivate() || func.isExternal() ||
        preprocessing.contains(func.getSymName()))
      continue;
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> dist(-1, 1);
    SmallVector<Tensor<double>> real;
    SmallVector<Tensor<ModQ>> exact;
    // Arguments that --pet-preprocess added come from its function.
    SmallVector<unsigned> weights;
    for (auto [i, type] : llvm::enumerate(func.getArgumentTypes())) {
      if (func.getArgAttr(i, PETDialect::kPreprocessedAttrName))
        break;
      if (func.getArgAttr(i, PETDialect::kWeightAttrName))
        weights.push_back(i);
      auto shape = cast<RankedTensorType>(type).getShape();
      Tensor<double> r(shape);
      Tensor<ModQ> q(shape);
      for (int64_t k = 0; k < r.getNumElements(); ++k) {
        r[k] = dist(rng);
        q[k] = randomModQ(seed, i, k);
      }
      real.push_back(std::move(r));
      exact.push_back(std::move(q));
    }
    bool exactInputs = true;
    if (auto name = func->getAttrOfType<FlatSymbolRefAttr>(
            PETDialect::kPreprocessFuncAttrName)) {
      auto init = module.lookupSymbol<func::FuncOp>(name);
      if (!init)
        return "@" + func.getSymName().str() + " names no function " +
               name.getValue().str();
      SmallVector<Tensor<double>> realWeights;
      SmallVector<Tensor<ModQ>> exactWeights;
      for (unsigned i : weights) {
        realWeights.push_back(real[i]);
        exactWeights.push_back(exact[i]);
      }
      auto realInit = evaluateFunction<double>(init, realWeights);
      if (failed(realInit))
        return "cannot evaluate @" + init.getSymName().str();
      real.append(realInit->begin(), realInit->end());
      ScopedDiagnosticHandler quiet(module.getContext(),
                                    [](Diagnostic &) { return success(); });
      auto exactInit = evaluateFunction<ModQ>(init, exactWeights);
      exactInputs = succeeded(exactInit);
      if (exactInputs)
        exact.append(exactInit->begin(), exactInit->end());
    }
    if (real.size() != func.getNumArguments())
      return "@" + func.getSymName().str() +
             " has preprocessed arguments its function does not compute";
    auto realOut = evaluateFunction<double>(func, real);
    if (failed(realOut))
      return "cannot evaluate @" + func.getSymName().str();
    snapshot.real[func.getSymName()] = std::move(*realOut);
    // Exact values only where defined; diagnostics of the attempt dropped.
    ScopedDiagnosticHandler quiet(module.getContext(),
                                  [](Diagnostic &) { return success(); });
    auto exactOut = exactInputs
                        ? evaluateFunction<ModQ>(func, exact)
                        : FailureOr<SmallVector<Tensor<ModQ>>>(failure());
    if (succeeded(exactOut))
      snapshot.exact[func.getSymName()] = std::move(*exactOut);
  }
  return "";
}

std::string pet_test::checkPipelinePreservesValues(ModuleOp module,
                                                   StringRef pipeline,
                                                   unsigned seed) {
  Snapshot before, after;
  if (std::string error = takeSnapshot(module, seed, before); !error.empty())
    return "before: " + error;
  PassManager pm = PassManager::on<ModuleOp>(module.getContext());
  std::string errors;
  llvm::raw_string_ostream os(errors);
  if (failed(parsePassPipeline(pipeline, pm, os)))
    return "bad pipeline: " + errors;
  std::string diagnostics;
  {
    ScopedDiagnosticHandler capture(module.getContext(), [&](Diagnostic &d) {
      diagnostics += d.str() + "\n";
      return success();
    });
    if (failed(pm.run(module)))
      return "the pipeline failed: " + diagnostics;
  }
  if (std::string error = takeSnapshot(module, seed, after); !error.empty())
    return "after: " + error;
  for (auto &entry : before.real) {
    auto it = after.real.find(entry.getKey());
    if (it == after.real.end())
      return "@" + entry.getKey().str() + " disappeared";
    for (auto [a, b] : llvm::zip_equal(entry.getValue(), it->getValue())) {
      if (a.getShape() != b.getShape())
        return "@" + entry.getKey().str() + " changed shape";
      for (int64_t k = 0; k < a.getNumElements(); ++k)
        if (std::fabs(a[k] - b[k]) > 1e-9 * (1 + std::fabs(a[k])))
          return "@" + entry.getKey().str() + " element " + std::to_string(k) +
                 ": " + std::to_string(a[k]) + " became " +
                 std::to_string(b[k]);
    }
  }
  for (auto &entry : before.exact) {
    auto it = after.exact.find(entry.getKey());
    if (it == after.exact.end())
      return "@" + entry.getKey().str() + " lost its exact semantics";
    for (auto [a, b] : llvm::zip_equal(entry.getValue(), it->getValue()))
      for (int64_t k = 0; k < a.getNumElements(); ++k)
        if (a[k] != b[k])
          return "@" + entry.getKey().str() + " differs in Z_q at element " +
                 std::to_string(k);
  }
  return "";
}

std::vector<std::string> pet_test::readLitCases(llvm::StringRef relativePath) {
  auto buffer = llvm::MemoryBuffer::getFile(std::string(PET_SOURCE_DIR) + "/" +
                                            relativePath.str());
  if (!buffer)
    return {};
  SmallVector<StringRef> chunks;
  (*buffer)->getBuffer().split(chunks, "// -----");
  return std::vector<std::string>(chunks.begin(), chunks.end());
}

std::string pet_test::checkLitCasesPreserveValues(MLIRContext &context,
                                                  StringRef relativePath,
                                                  StringRef pipeline,
                                                  unsigned expectedCases) {
  std::vector<std::string> cases = readLitCases(relativePath);
  if (cases.size() != expectedCases)
    return relativePath.str() + ": " + std::to_string(cases.size()) +
           " cases, expected " + std::to_string(expectedCases);
  std::string errors;
  for (const std::string &text : cases) {
    OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(text, &context);
    if (!module) {
      errors += "a case does not parse:\n" + text;
      continue;
    }
    std::string error = checkPipelinePreservesValues(*module, pipeline);
    if (!error.empty())
      errors += error + "\nin the case:\n" + text;
  }
  return errors;
}
