//===- Mutate.cpp - Replace subprograms by cheaper verified mutants -------===//

#include "PET/Transforms/Passes.h"

#include "PET/Analysis/Subprograms.h"
#include "PET/Dialect/PET/PETOps.h"
#include "PET/Optimizer/CostModel.h"
#include "PET/Optimizer/MutationGenerator.h"
#include "PET/Optimizer/SubprogramOptimizer.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Threading.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <mutex>

namespace mlir::pet {
#define GEN_PASS_DEF_PETMUTATE
#include "PET/Transforms/Passes.h.inc"
} // namespace mlir::pet

using namespace mlir;
using namespace mlir::pet;

/// Builds `mutant` on `inputs` at the builder's insertion point, with a
/// pet.correct that recomputes its wrong boxes with `original`; returns
/// the corrected results.
static SmallVector<Value> buildCorrectedMutant(OpBuilder &builder, Location loc,
                                               const Mutant &mutant,
                                               ValueRange inputs,
                                               func::FuncOp original) {
  SmallVector<Value> values = inlineBody(mutant.func, inputs, builder);
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
    Operation *correct =
        buildCorrection(builder, loc, values, inputs, wrong, original);
    values.assign(correct->getResults().begin(), correct->getResults().end());
  }
  return values;
}

/// Replaces `sub` by `mutant`, with a pet.correct for its wrong boxes.
static void replaceSubprogram(const Subprogram &sub, const Mutant &mutant,
                              func::FuncOp original, unsigned index) {
  Operation *first = sub.ops.front();
  OpBuilder builder(first);
  Operation *previous = first->getPrevNode();
  SmallVector<Value> values = buildCorrectedMutant(
      builder, first->getLoc(), mutant, sub.inputs, original);
  // Mark the mutant's operators, for inspection.
  for (Operation *op = previous ? previous->getNextNode()
                                : &first->getBlock()->front();
       op != first; op = op->getNextNode())
    if (!isa<CorrectOp>(op))
      op->setAttr("pet.mutant", builder.getI64IntegerAttr(index));
  for (auto [output, value] : llvm::zip_equal(sub.outputs, values)) {
    Value old = output;
    old.replaceAllUsesWith(value);
  }
  for (Operation *op : llvm::reverse(sub.ops))
    op->erase();
}

namespace {
/// One search: the subprograms (or windows) with one structural key share
/// it.
struct Search {
  OwningOpRef<ModuleOp> scratch;
  func::FuncOp original;
  OptimizerResult result;
  /// The measurement keys of the original and of each kept program.
  std::string originalKey;
  SmallVector<std::string> programKeys;
  double seconds = 0;
};

/// A part of a function to optimize: a whole subprogram or a window of one.
struct Part {
  func::FuncOp func;
  unsigned subprogram;
  unsigned partIndex;
  SmallVector<Operation *> ops;
  /// Index in the searches; -1 for parts skipped (with `status` saying why).
  int search = -1;
  bool reused = false;
  std::string status;
};

/// A function before its replacements: a copy of it (when the
/// whole-program check may need it) and its key as one program
/// (getProgramKey), under which the benchmark's run of it is stored.
struct WholeFunction {
  OwningOpRef<func::FuncOp> original;
  std::string key;
};

struct MutatePass : public pet::impl::PETMutateBase<MutatePass> {
  using Base::Base;

  void runOnOperation() override;
};
} // namespace

/// Writes `value` to `path` as indented JSON; on failure, an error on
/// `module` that names `what` and the file.
static LogicalResult writeJson(ModuleOp module, StringRef path, StringRef what,
                               llvm::json::Value value) {
  std::error_code error;
  llvm::raw_fd_ostream os(path, error, llvm::sys::fs::OF_Text);
  if (error)
    return module.emitError("cannot write the ")
           << what << " '" << path << "': " << error.message();
  os << llvm::formatv("{0:2}\n", value);
  return success();
}

/// Writes every search's original and kept programs (with their
/// corrections) as public functions of one module to `path`: `@s<i>_original`
/// and `@s<i>_p<k>`, each with its `pet.program_key` (the key a measurement
/// of it is stored under) and `pet.estimated_us`.
static LogicalResult writeCandidates(ModuleOp module, StringRef path,
                                     ArrayRef<std::unique_ptr<Search>> searches,
                                     const CostModel &model) {
  MLIRContext *context = module.getContext();
  OwningOpRef<ModuleOp> out = ModuleOp::create(UnknownLoc::get(context));
  OpBuilder builder(context);
  builder.setInsertionPointToEnd(out->getBody());
  for (auto [i, search] : llvm::enumerate(searches)) {
    func::FuncOp original = search->original;
    auto add = [&](const Twine &name, StringRef key, double estimate,
                   function_ref<SmallVector<Value>(ValueRange)> body) {
      auto func = func::FuncOp::create(builder, original.getLoc(), name.str(),
                                       original.getFunctionType());
      if (ArrayAttr argAttrs = original.getAllArgAttrs())
        func.setAllArgAttrs(argAttrs);
      func->setAttr("pet.program_key", builder.getStringAttr(key));
      func->setAttr("pet.estimated_us", builder.getF64FloatAttr(estimate));
      OpBuilder::InsertionGuard guard(builder);
      Block *block = func.addEntryBlock();
      builder.setInsertionPointToStart(block);
      func::ReturnOp::create(builder, original.getLoc(),
                             body(block->getArguments()));
    };
    add("s" + Twine(i) + "_original", search->originalKey,
        getProgramMicros(original, model),
        [&](ValueRange args) { return inlineBody(original, args, builder); });
    for (auto [k, program] : llvm::enumerate(search->result.programs))
      add("s" + Twine(i) + "_p" + Twine(k), search->programKeys[k],
          program.cost, [&](ValueRange args) {
            return buildCorrectedMutant(builder, original.getLoc(),
                                        program.mutant, args, original);
          });
  }
  std::error_code error;
  llvm::raw_fd_ostream os(path, error, llvm::sys::fs::OF_Text);
  if (error)
    return module.emitError("cannot write the candidates '")
           << path << "': " << error.message();
  out->print(os);
  return success();
}

/// Records in `report` the keys of `func` as it was and as optimized, and
/// their measured times where `model` has them; with `check`, gives `func`
/// its original body back when both were measured and the optimized one
/// was not faster (the subprograms' replacements then say "reverted").
static void checkWholeFunction(func::FuncOp func, WholeFunction &whole,
                               llvm::json::Object &report,
                               const CostModel &model, bool check) {
  std::string key = getProgramKey(func, VerificationResult());
  if (key == whole.key)
    return;
  report["key_before"] = whole.key;
  report["key_after"] = key;
  std::optional<double> before = model.lookup(whole.key);
  std::optional<double> after = model.lookup(key);
  if (before)
    report["measured_before_us"] = *before;
  if (after)
    report["measured_after_us"] = *after;
  if (!check || !whole.original || !before || !after || *after < *before)
    return;
  func.getBody().takeBody(whole.original->getBody());
  report["original_kept"] = true;
  if (llvm::json::Array *parts = report.getArray("subprograms"))
    for (llvm::json::Value &part : *parts) {
      llvm::json::Object *object = part.getAsObject();
      if (object->getString("status") == "replaced")
        (*object)["status"] = "reverted: the whole function measured no "
                              "faster";
    }
  // At the function's location, without printing the whole function.
  mlir::emitRemark(func.getLoc()) << llvm::formatv(
      "@{0} as optimized measured {1:f1} us whole, as it was {2:f1} us: "
      "kept as it was",
      func.getSymName(), *after, *before);
}

void MutatePass::runOnOperation() {
  ModuleOp module = getOperation();
  CostModel model;
  if (!costKeys.empty())
    model.recordQueries();
  if (!costDb.empty()) {
    std::string error;
    if (failed(model.loadDatabase(costDb, error))) {
      module.emitError(error);
      return signalPassFailure();
    }
  }
  if (minEquivalent < 0 || minEquivalent > 1 || trials == 0 || depth == 0 ||
      beamWidth == 0 || rounds == 0) {
    module.emitError("pet-mutate needs depth >= 1, trials >= 1, "
                     "beam-width >= 1, rounds >= 1 and min-equivalent in "
                     "[0, 1]");
    return signalPassFailure();
  }
  for (const std::string &name : operators)
    if (!llvm::is_contained(getMutationOperatorNames(), name)) {
      module.emitError("pet-mutate: unknown operator '")
          << name << "' in operators=; the generator builds "
          << llvm::join(getMutationOperatorNames(), ", ");
      return signalPassFailure();
    }
  OptimizerOptions options;
  options.mutation.maxDepth = depth;
  options.mutation.maxStates = maxStates;
  options.mutation.minEquivalentFraction = minEquivalent;
  options.mutation.seed = seed;
  options.mutation.operators.assign(operators.begin(), operators.end());
  options.mutation.verifier.trials = trials;
  options.mutation.verifier.seed = seed;
  options.beamWidth = beamWidth;
  options.rounds = rounds;
  options.keepPrograms = std::max(1u, unsigned(candidatesPerPart));

  auto start = std::chrono::steady_clock::now();
  if (timeLimit > 0)
    options.mutation.deadline =
        start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                    std::chrono::duration<double>(timeLimit));
  auto seconds = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                         start)
        .count();
  };

  // The parts searched: small subprograms whole, larger ones in windows.
  // Their outlined originals do not depend on how other parts are replaced,
  // so every search runs first (in parallel), then the replacements.
  SmallVector<Part> parts;
  SmallVector<std::unique_ptr<Search>> searches;
  llvm::StringMap<unsigned> searchOfKey;
  for (auto func : module.getOps<func::FuncOp>()) {
    if (func.isExternal() || func.isPrivate())
      continue;
    size_t first = parts.size();
    for (auto [index, whole] : llvm::enumerate(findSubprograms(func)))
      for (const Subprogram &window :
           getSearchWindows(whole, std::max(1u, unsigned(maxWindowOps)))) {
        Part &part = parts.emplace_back();
        part.func = func;
        part.subprogram = index;
        part.partIndex = parts.size() - 1 - first;
        part.ops = window.ops;
      }
  }
  for (Part &part : parts) {
    Subprogram sub = makeSubprogram(part.ops);
    // Unsupported shapes (dynamic, non-tensor) stay as they are.
    if (llvm::any_of(sub.inputs, [](Value v) {
          auto t = dyn_cast<RankedTensorType>(v.getType());
          return !t || !t.hasStaticShape();
        })) {
      part.status = "skipped: inputs that are not statically shaped tensors";
      continue;
    }
    auto search = std::make_unique<Search>();
    search->scratch = ModuleOp::create(UnknownLoc::get(&getContext()));
    OpBuilder builder(&getContext());
    builder.setInsertionPointToEnd(search->scratch->getBody());
    search->original = outlineSubprogram(sub, "original", builder);
    auto [it, isNew] = searchOfKey.try_emplace(
        getStructuralKey(search->original), searches.size());
    part.search = it->second;
    part.reused = !isNew;
    if (isNew)
      searches.push_back(std::move(search));
  }

  // The searches, on the context's threads, longest first; their programs
  // stay in their own scratch modules.
  SmallVector<std::pair<double, Search *>> byWork =
      llvm::map_to_vector(searches, [&](const std::unique_ptr<Search> &s) {
        return std::make_pair(estimateSearchWork(s->original, options.mutation),
                              s.get());
      });
  llvm::stable_sort(
      byWork, [](const auto &a, const auto &b) { return a.first > b.first; });
  SmallVector<Search *> schedule = llvm::map_to_vector(
      byWork, [](const auto &entry) { return entry.second; });
  // Under a time limit each search may take its share of the time left
  // when it starts (its estimated work over the work not yet started, times
  // the threads), so that long searches do not leave none to the short
  // ones and time a search did not use goes to the later ones; all stop at
  // the limit.
  double remainingWork = 0;
  for (const auto &entry : byWork)
    remainingWork += entry.first;
  std::mutex progressMutex;
  unsigned threads =
      getContext().isMultithreadingEnabled()
          ? std::max(1u, getContext().getThreadPool().getMaxConcurrency())
          : 1u;
  unsigned done = 0;
  mlir::parallelForEach(&getContext(), schedule, [&](Search *search) {
    auto searchStart = std::chrono::steady_clock::now();
    OptimizerOptions searchOptions = options;
    if (timeLimit > 0) {
      double work = estimateSearchWork(search->original, options.mutation);
      double share = 1.0;
      {
        std::lock_guard<std::mutex> lock(progressMutex);
        if (remainingWork > 0)
          share = std::min(1.0, threads * work / remainingWork);
        remainingWork -= work;
      }
      auto left = *options.mutation.deadline - searchStart;
      searchOptions.mutation.deadline =
          searchStart +
          std::chrono::duration_cast<std::chrono::steady_clock::duration>(
              share * left);
    }
    search->result = optimizeSubprogram(search->original, *search->scratch,
                                        model, searchOptions);
    if (layoutAlternatives)
      addCopyLayoutTwins(search->result, *search->scratch, model);
    search->originalKey = getProgramKey(search->original, VerificationResult());
    for (const RankedProgram &program : search->result.programs)
      search->programKeys.push_back(
          getProgramKey(program.mutant.func, program.mutant.verdict));
    search->seconds = std::chrono::duration<double>(
                          std::chrono::steady_clock::now() - searchStart)
                          .count();
    std::lock_guard<std::mutex> lock(progressMutex);
    ++done;
    // A progress line for searches that take a while.
    if (seconds() > 1.0)
      llvm::errs() << llvm::formatv("pet-mutate: search {0}/{1} done ({2:f1} "
                                    "s)\n",
                                    done, searches.size(), seconds());
  });

  if (!candidates.empty() &&
      failed(writeCandidates(module, candidates, searches, model)))
    return signalPassFailure();

  // Each function to be optimized, with its key as a whole program, for
  // the report and the whole-program check after the replacements; a copy
  // of it only where a database could send it back.
  bool mayRevert = wholeProgramCheck && model.getNumMeasurements() > 0;
  llvm::DenseMap<Operation *, WholeFunction> wholeFunctions;
  for (Part &part : parts)
    if (part.search >= 0 && !wholeFunctions.contains(part.func))
      wholeFunctions[part.func] = {
          mayRevert ? OwningOpRef<func::FuncOp>(part.func.clone()) : nullptr,
          getProgramKey(part.func, VerificationResult())};

  // The replacements, in order.
  llvm::json::Array functionReports;
  SmallVector<func::FuncOp> reportedFunctions;
  llvm::json::Array subprogramReports;
  for (auto [i, part] : llvm::enumerate(parts)) {
    // Computed now: earlier replacements may have changed its inputs.
    Subprogram sub = makeSubprogram(part.ops);
    llvm::json::Object entry{
        {"index", static_cast<int64_t>(part.subprogram)},
        {"window", static_cast<int64_t>(part.partIndex)},
        {"operators", static_cast<int64_t>(sub.ops.size())},
        {"inputs", static_cast<int64_t>(sub.inputs.size())},
        {"outputs", static_cast<int64_t>(sub.outputs.size())}};
    auto finish = [&](StringRef status) {
      entry["status"] = status.str();
      subprogramReports.push_back(std::move(entry));
      if (i + 1 == parts.size() || parts[i + 1].func != part.func) {
        functionReports.push_back(
            llvm::json::Object{{"name", part.func.getSymName().str()},
                               {"subprograms", std::move(subprogramReports)}});
        reportedFunctions.push_back(part.func);
        subprogramReports = llvm::json::Array();
      }
    };
    if (part.search < 0) {
      finish(part.status);
      continue;
    }
    Search &search = *searches[part.search];
    const OptimizerResult &result = search.result;
    const MutationStats &stats = result.stats;
    entry["reused_search"] = part.reused;
    entry["search_ms"] = part.reused ? 0.0 : 1000 * search.seconds;
    entry["search_states"] = stats.statesVisited;
    entry["tensors_created"] = stats.tensorsCreated;
    entry["duplicates_pruned"] = stats.prunedDuplicates;
    entry["candidates_verified"] = stats.candidatesVerified;
    entry["mutants"] = result.programsSeen;
    entry["rounds"] = static_cast<int64_t>(result.roundsRun);
    if (stats.stoppedByDeadline)
      entry["stopped_by_time_limit"] = true;
    double before = getProgramMicros(search.original, model);
    entry["cost_before_us"] = before;
    // The program to take: the one expected to save the largest fraction,
    // by measurement where the original and it were both measured whole,
    // else by estimate (never, with require-measured).
    std::optional<double> measuredBefore = model.lookup(search.originalKey);
    if (measuredBefore)
      entry["measured_before_us"] = *measuredBefore;
    const RankedProgram *chosen = nullptr;
    double chosenRatio = 1 - minGain;
    std::optional<double> chosenMeasured;
    llvm::json::Array candidateReports;
    for (auto [program, key] :
         llvm::zip_equal(result.programs, search.programKeys)) {
      std::optional<double> measured = model.lookup(key);
      llvm::json::Object report{{"key", key}, {"estimated_us", program.cost}};
      if (measured)
        report["measured_us"] = *measured;
      candidateReports.push_back(std::move(report));
      double ratio;
      if (measured && measuredBefore)
        ratio = *measured / std::max(*measuredBefore, 1e-9);
      else if (requireMeasured)
        continue;
      else
        ratio = program.cost / std::max(before, 1e-9);
      if (ratio < chosenRatio) {
        chosen = &program;
        chosenRatio = ratio;
        chosenMeasured = measuredBefore ? measured : std::nullopt;
      }
    }
    entry["candidates"] = std::move(candidateReports);
    if (!chosen) {
      entry["cost_after_us"] = before;
      finish(requireMeasured ? "kept: no mutant measured faster"
                             : "kept: no cheaper mutant");
      continue;
    }
    const Mutant &best = chosen->mutant;
    if (failed(hoistInputs(sub))) {
      entry["cost_after_us"] = before;
      finish("skipped: inputs computed by operators with side effects");
      continue;
    }
    entry["cost_after_us"] = chosen->cost;
    if (chosenMeasured)
      entry["measured_after_us"] = *chosenMeasured;
    entry["found_in_round"] = static_cast<int64_t>(chosen->round);
    entry["equivalent_fraction"] = best.equivalentFraction;
    int64_t mutantOps = static_cast<int64_t>(
        func::FuncOp(best.func).getBody().front().getOperations().size() - 1);
    entry["mutant_operators"] = mutantOps;
    llvm::json::Array corrected;
    for (auto [r, verdicts] : llvm::enumerate(best.verdict.results)) {
      llvm::json::Array boxes;
      for (const BoxVerdict &v : verdicts)
        if (!v.equivalent)
          boxes.push_back(llvm::json::Object{
              {"lower", llvm::json::Array(v.box.getLower())},
              {"upper", llvm::json::Array(v.box.getUpper())}});
      corrected.push_back(llvm::json::Object{
          {"shape",
           llvm::json::Array(
               cast<RankedTensorType>(sub.outputs[r].getType()).getShape())},
          {"boxes", std::move(boxes)}});
    }
    entry["corrected"] = std::move(corrected);
    int64_t wrongBoxes =
        best.verdict.getNumBoxes() - best.verdict.getNumEquivalent();
    std::string measuredText =
        chosenMeasured ? llvm::formatv("; measured {0:f2} us -> {1:f2} us",
                                       *measuredBefore, *chosenMeasured)
                             .str()
                       : std::string();
    sub.ops.front()->emitRemark() << llvm::formatv(
        "subprogram {0} of @{1}: a mutant of {2} operator(s) replaces "
        "{3} ({4:f1}% of output positions equivalent, {5} box(es) "
        "corrected); estimated {6:f2} us -> {7:f2} us{10}; {8} candidates "
        "verified, {9} search states",
        part.subprogram, part.func.getSymName(), mutantOps, sub.ops.size(),
        100 * best.equivalentFraction, wrongBoxes, before, chosen->cost,
        stats.candidatesVerified, stats.statesVisited, measuredText);
    replaceSubprogram(sub, best, search.original, part.subprogram);
    finish("replaced");
  }
  for (auto [func, report] :
       llvm::zip_equal(reportedFunctions, functionReports)) {
    auto it = wholeFunctions.find(func);
    if (it != wholeFunctions.end())
      checkWholeFunction(func, it->second, *report.getAsObject(), model,
                         wholeProgramCheck);
  }
  if (!report.empty() &&
      failed(writeJson(
          module, report, "report",
          llvm::json::Object{
              {"cost_model", model.getNumMeasurements()
                                 ? "measured database, roofline fallback"
                                 : "roofline"},
              {"seconds", seconds()},
              {"functions", std::move(functionReports)}})))
    return signalPassFailure();
  if (!costKeys.empty()) {
    // What the searches compared, for a profiler to measure (the benchmark
    // writes a cost database of them, `bench/models/measure_ops.py`).
    llvm::json::Array keys;
    for (const std::string &key : model.getQueriedKeys())
      keys.push_back(key);
    if (failed(writeJson(module, costKeys, "cost keys",
                         llvm::json::Object{{"keys", std::move(keys)}})))
      return signalPassFailure();
  }
}
