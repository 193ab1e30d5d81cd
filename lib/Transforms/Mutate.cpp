//===- Mutate.cpp - Replace subprograms by cheaper verified mutants -------===//

#include "PET/Transforms/Passes.h"

#include "PET/Analysis/CostModel.h"
#include "PET/Analysis/MutationGenerator.h"
#include "PET/Analysis/Subprograms.h"
#include "PET/Dialect/PET/PETOps.h"

#include "mlir/IR/Builders.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>

namespace mlir::pet {
#define GEN_PASS_DEF_PETMUTATE
#include "PET/Transforms/Passes.h.inc"
} // namespace mlir::pet

using namespace mlir;
using namespace mlir::pet;

/// Estimated time of a function's operators.
static double costOf(func::FuncOp func, const CostModel &model) {
  double total = 0;
  func.walk([&](Operation *op) { total += model.getMicros(op); });
  return total;
}

/// The cost of recomputing a mutant's wrong boxes with the original: one
/// kernel over the original's work, scaled by the largest wrong fraction
/// of an output.
static double correctionCost(const Mutant &mutant, func::FuncOp original,
                             const CostModel &model) {
  double wrong = 0;
  for (const auto &verdicts : mutant.verdict.results) {
    int64_t total = 0, bad = 0;
    for (const BoxVerdict &v : verdicts) {
      total += v.box.getVolume();
      bad += v.equivalent ? 0 : v.box.getVolume();
    }
    if (total)
      wrong = std::max(wrong, static_cast<double>(bad) / total);
  }
  if (wrong == 0)
    return 0;
  double work = 0;
  original.walk([&](Operation *op) {
    work += std::max(0.0, model.getRooflineMicros(op) -
                              model.getDevice().launchMicros);
  });
  return model.getDevice().launchMicros + wrong * work;
}

/// Replaces `sub` by `mutant`, with a pet.correct for its wrong boxes.
static void replaceSubprogram(const Subprogram &sub, const Mutant &mutant,
                              func::FuncOp original, unsigned index) {
  Operation *first = sub.ops.front();
  OpBuilder builder(first);
  Operation *previous = first->getPrevNode();
  SmallVector<Value> values = inlineBody(mutant.func, sub.inputs, builder);
  // Mark the mutant's operators, for inspection.
  for (Operation *op = previous ? previous->getNextNode()
                                : &first->getBlock()->front();
       op != first; op = op->getNextNode())
    op->setAttr("pet.mutant", builder.getI64IntegerAttr(index));

  SmallVector<SmallVector<Box>> wrong;
  bool anyWrong = false;
  for (const auto &verdicts : mutant.verdict.results) {
    SmallVector<Box> &list = wrong.emplace_back();
    for (const BoxVerdict &v : verdicts)
      if (!v.equivalent)
        list.push_back(v.box);
    anyWrong |= !list.empty();
  }
  if (anyWrong) {
    Operation *correct = buildCorrection(builder, first->getLoc(), values,
                                         sub.inputs, wrong, original);
    values.assign(correct->getResults().begin(), correct->getResults().end());
  }
  for (auto [output, value] : llvm::zip_equal(sub.outputs, values)) {
    Value old = output;
    old.replaceAllUsesWith(value);
  }
  for (Operation *op : llvm::reverse(sub.ops))
    op->erase();
}

namespace {
struct MutatePass : public pet::impl::PETMutateBase<MutatePass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    CostModel model;
    if (!costDb.empty()) {
      std::string error;
      if (failed(model.loadDatabase(costDb, error))) {
        module.emitError(error);
        return signalPassFailure();
      }
    }
    if (minEquivalent < 0 || minEquivalent > 1 || trials == 0 || depth == 0) {
      module.emitError("pet-mutate needs depth >= 1, trials >= 1 and "
                       "min-equivalent in [0, 1]");
      return signalPassFailure();
    }
    MutationOptions options;
    options.maxDepth = depth;
    options.maxStates = maxStates;
    options.minEquivalentFraction = minEquivalent;
    options.seed = seed;
    options.verifier.trials = trials;
    options.verifier.seed = seed;

    auto start = std::chrono::steady_clock::now();
    auto seconds = [&] {
      return std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                           start)
          .count();
    };
    llvm::json::Array functionReports;
    // One scratch module for the pass: mutants of a subprogram stay there,
    // to be reused for every subprogram with the same structural key.
    OwningOpRef<ModuleOp> scratch =
        ModuleOp::create(UnknownLoc::get(&getContext()));
    llvm::StringMap<std::pair<SmallVector<Mutant>, MutationStats>> searched;
    for (auto func : llvm::to_vector(module.getOps<func::FuncOp>())) {
      if (func.isExternal() || func.isPrivate())
        continue;
      llvm::json::Array subprogramReports;
      SmallVector<Subprogram> subprograms = findSubprograms(func);
      // The parts searched: small subprograms whole, larger ones in windows.
      SmallVector<std::pair<unsigned, SmallVector<Operation *>>> parts;
      for (auto [index, whole] : llvm::enumerate(subprograms))
        for (const Subprogram &window :
             getSearchWindows(whole, std::max(1u, unsigned(maxWindowOps))))
          parts.push_back({static_cast<unsigned>(index), window.ops});
      for (auto [partIndex, part] : llvm::enumerate(parts)) {
        unsigned index = part.first;
        // Computed now: earlier replacements may have changed its inputs.
        Subprogram sub = makeSubprogram(part.second);
        auto subStart = std::chrono::steady_clock::now();
        llvm::json::Object entry{
            {"index", static_cast<int64_t>(index)},
            {"window", static_cast<int64_t>(partIndex)},
            {"operators", static_cast<int64_t>(sub.ops.size())},
            {"inputs", static_cast<int64_t>(sub.inputs.size())},
            {"outputs", static_cast<int64_t>(sub.outputs.size())}};
        auto finish = [&](StringRef status) {
          entry["status"] = status.str();
          entry["search_ms"] = std::chrono::duration<double, std::milli>(
                                   std::chrono::steady_clock::now() - subStart)
                                   .count();
          subprogramReports.push_back(std::move(entry));
          // A progress line for searches that take a while.
          if (seconds() > 1.0)
            llvm::errs() << llvm::formatv(
                "pet-mutate: @{0} part {1}/{2} done ({3:f1} s)\n",
                func.getSymName(), partIndex + 1, parts.size(), seconds());
        };
        if (failed(hoistInputs(sub))) {
          finish("skipped: inputs computed by operators with side effects");
          continue;
        }
        // Unsupported shapes (dynamic, non-tensor) stay as they are.
        if (llvm::any_of(sub.inputs, [](Value v) {
              auto t = dyn_cast<RankedTensorType>(v.getType());
              return !t || !t.hasStaticShape();
            })) {
          finish("skipped: inputs that are not statically shaped tensors");
          continue;
        }
        OpBuilder builder(&getContext());
        builder.setInsertionPointToEnd(scratch->getBody());
        func::FuncOp original = outlineSubprogram(
            sub, ("original_" + Twine(searched.size())).str(), builder);
        std::string key = getStructuralKey(original);
        auto cached = searched.find(key);
        bool reused = cached != searched.end();
        if (!reused) {
          MutationStats stats;
          SmallVector<Mutant> found =
              generateMutants(original, *scratch, options, &stats);
          cached = searched.try_emplace(key, std::move(found), stats).first;
        }
        const SmallVector<Mutant> &mutants = cached->second.first;
        const MutationStats &stats = cached->second.second;
        entry["reused_search"] = reused;
        double before = costOf(original, model);
        const Mutant *best = nullptr;
        double bestCost = before * (1 - minGain);
        for (const Mutant &m : mutants) {
          double cost =
              costOf(m.func, model) + correctionCost(m, original, model);
          if (cost < bestCost) {
            bestCost = cost;
            best = &m;
          }
        }
        entry["search_states"] = stats.statesVisited;
        entry["tensors_created"] = stats.tensorsCreated;
        entry["duplicates_pruned"] = stats.prunedDuplicates;
        entry["candidates_verified"] = stats.candidatesVerified;
        entry["mutants"] = static_cast<int64_t>(mutants.size());
        entry["cost_before_us"] = before;
        if (!best) {
          entry["cost_after_us"] = before;
          finish("kept: no cheaper mutant");
          continue;
        }
        entry["cost_after_us"] = bestCost;
        entry["equivalent_fraction"] = best->equivalentFraction;
        entry["mutant_operators"] = static_cast<int64_t>(
            func::FuncOp(best->func).getBody().front().getOperations().size() -
            1);
        llvm::json::Array corrected;
        for (auto [r, verdicts] : llvm::enumerate(best->verdict.results)) {
          llvm::json::Array boxes;
          for (const BoxVerdict &v : verdicts)
            if (!v.equivalent)
              boxes.push_back(llvm::json::Object{
                  {"lower", llvm::json::Array(v.box.getLower())},
                  {"upper", llvm::json::Array(v.box.getUpper())}});
          corrected.push_back(llvm::json::Object{
              {"shape", llvm::json::Array(
                            cast<RankedTensorType>(sub.outputs[r].getType())
                                .getShape())},
              {"boxes", std::move(boxes)}});
        }
        entry["corrected"] = std::move(corrected);
        int64_t wrongBoxes =
            best->verdict.getNumBoxes() - best->verdict.getNumEquivalent();
        sub.ops.front()->emitRemark() << llvm::formatv(
            "subprogram {0} of @{1}: a mutant of {2} operator(s) replaces "
            "{3} ({4:f1}% of output positions equivalent, {5} box(es) "
            "corrected); estimated {6:f2} us -> {7:f2} us; {8} candidates "
            "verified, {9} search states",
            index, func.getSymName(),
            func::FuncOp(best->func).getBody().front().getOperations().size() -
                1,
            sub.ops.size(), 100 * best->equivalentFraction, wrongBoxes, before,
            bestCost, stats.candidatesVerified, stats.statesVisited);
        replaceSubprogram(sub, *best, original, index);
        finish("replaced");
      }
      functionReports.push_back(
          llvm::json::Object{{"name", func.getSymName().str()},
                             {"subprograms", std::move(subprogramReports)}});
    }
    if (!report.empty()) {
      std::error_code error;
      llvm::raw_fd_ostream os(report, error, llvm::sys::fs::OF_Text);
      if (error) {
        module.emitError("cannot write the report '")
            << report << "': " << error.message();
        return signalPassFailure();
      }
      os << llvm::formatv(
          "{0:2}\n",
          llvm::json::Value(llvm::json::Object{
              {"cost_model", model.getNumMeasurements()
                                 ? "measured database, roofline fallback"
                                 : "roofline"},
              {"seconds", seconds()},
              {"functions", std::move(functionReports)}}));
    }
  }
};
} // namespace
