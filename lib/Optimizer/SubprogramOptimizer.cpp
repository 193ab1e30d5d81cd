//===- SubprogramOptimizer.cpp - Beam search over mutants -----------------===//

#include "PET/Optimizer/SubprogramOptimizer.h"

#include "PET/Analysis/Subprograms.h"
#include "PET/Dialect/PET/EntryFunctions.h"
#include "PET/Optimizer/LayoutViews.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/xxhash.h"

using namespace mlir;
using namespace mlir::pet;

double mlir::pet::getProgramMicros(func::FuncOp func, const CostModel &model) {
  double total = 0;
  func.walk([&](Operation *op) {
    // What only weights determine is computed once, at load.
    if (op->getNumResults() && isPreprocessable(op) &&
        llvm::all_of(op->getResults(), dependsOnlyOnWeights))
      return;
    total += model.getMicros(op);
  });
  return total;
}

double mlir::pet::getCorrectionMicros(const VerificationResult &verdict,
                                      func::FuncOp original,
                                      const CostModel &model) {
  double wrong = 0;
  for (const auto &verdicts : verdict.results) {
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

double mlir::pet::getEquivalentFraction(const VerificationResult &verdict) {
  int64_t total = 0, equivalent = 0;
  for (const auto &verdicts : verdict.results)
    for (const BoxVerdict &v : verdicts) {
      total += v.box.getVolume();
      equivalent += v.equivalent ? v.box.getVolume() : 0;
    }
  return total ? static_cast<double>(equivalent) / total : 0;
}

/// A window search of a later round gets the state budget of a first-round
/// search over this times the beam width.
constexpr unsigned kWindowShare = 4;

std::string mlir::pet::getProgramKey(func::FuncOp func,
                                     const VerificationResult &verdict) {
  std::string text = getStructuralKey(func);
  llvm::raw_string_ostream os(text);
  for (auto [r, verdicts] : llvm::enumerate(verdict.results))
    for (const BoxVerdict &v : verdicts)
      if (!v.equivalent) {
        os << " wrong" << r << ":";
        llvm::interleave(v.box.getLower(), os, ",");
        os << "..";
        llvm::interleave(v.box.getUpper(), os, ",");
      }
  // Programs the GPU lowering runs with views (strided library calls,
  // in-place concatenations) were measured with copies before those
  // existed: they get keys of their own, to be measured again.
  if (usesLayoutViews(func))
    os << " views";
  return llvm::formatv("program:{0:x-16}", llvm::xxh3_64bits(text)).str();
}

namespace {
using Program = RankedProgram;

/// Programs of later rounds: the windows of a program (see
/// getSearchWindows) are searched like subprograms, and each mutant of a
/// window makes a child with that window replaced.
class WindowMutator {
public:
  WindowMutator(ModuleOp scratch, const MutationOptions &options,
                MutationStats &stats)
      : scratch(scratch), options(options), stats(stats) {}

  /// `parent`'s children, functions in the scratch module (unverified).
  SmallVector<func::FuncOp> mutate(func::FuncOp parent);

private:
  ArrayRef<Mutant> mutantsOf(const Subprogram &window);
  func::FuncOp replaceWindow(func::FuncOp parent, const Subprogram &window,
                             const Mutant &mutant);

  ModuleOp scratch;
  const MutationOptions &options;
  MutationStats &stats;
  /// Searches by the structural key of the window.
  llvm::StringMap<SmallVector<Mutant>> searched;
};
} // namespace

ArrayRef<Mutant> WindowMutator::mutantsOf(const Subprogram &window) {
  OpBuilder builder(scratch.getContext());
  builder.setInsertionPointToEnd(scratch.getBody());
  func::FuncOp outlined = outlineSubprogram(window, "window", builder);
  std::string key = getStructuralKey(outlined);
  auto it = searched.find(key);
  if (it != searched.end()) {
    outlined.erase();
    return it->second;
  }
  MutationStats local;
  SmallVector<Mutant> mutants =
      generateMutants(outlined, scratch, options, &local);
  stats += local;
  return searched.try_emplace(key, std::move(mutants)).first->second;
}

func::FuncOp WindowMutator::replaceWindow(func::FuncOp parent,
                                          const Subprogram &window,
                                          const Mutant &mutant) {
  OpBuilder builder(scratch.getContext());
  builder.setInsertionPointToEnd(scratch.getBody());
  auto child = cast<func::FuncOp>(builder.clone(*parent));
  // The window's operators in the copy, by position.
  Block &from = parent.getBody().front(), &to = child.getBody().front();
  DenseMap<Operation *, Operation *> copies;
  for (auto [a, b] : llvm::zip_equal(from, to))
    copies[&a] = &b;
  Subprogram sub = makeSubprogram(llvm::map_to_vector(
      window.ops, [&](Operation *op) { return copies.lookup(op); }));
  // The functions are pure: moving operators is always possible.
  (void)hoistInputs(sub);
  builder.setInsertionPoint(sub.ops.front());
  SmallVector<Value> values = inlineBody(mutant.func, sub.inputs, builder);
  for (auto [output, value] : llvm::zip_equal(sub.outputs, values)) {
    Value old = output;
    old.replaceAllUsesWith(value);
  }
  for (Operation *op : llvm::reverse(sub.ops))
    op->erase();
  return child;
}

SmallVector<func::FuncOp> WindowMutator::mutate(func::FuncOp parent) {
  SmallVector<Operation *> ops;
  for (Operation &op : parent.getBody().front().without_terminator())
    ops.push_back(&op);
  SmallVector<func::FuncOp> children;
  if (ops.empty())
    return children;
  for (const Subprogram &window :
       getSearchWindows(makeSubprogram(ops), /*maxOps=*/1))
    for (const Mutant &m : mutantsOf(window))
      children.push_back(replaceWindow(parent, window, m));
  return children;
}

OptimizerResult mlir::pet::optimizeSubprogram(func::FuncOp original,
                                              ModuleOp scratch,
                                              const CostModel &model,
                                              const OptimizerOptions &options) {
  OptimizerResult result;
  double originalCost = getProgramMicros(original, model);
  llvm::StringSet<> seen;
  seen.insert(getStructuralKey(original));
  // The programs mutated in the next round; the original first.
  SmallVector<Program> beam = {{{original, {}, 1.0}, originalCost, 0}};
  // Later rounds search windows with a share of the state budget.
  MutationOptions windowOptions = options.mutation;
  windowOptions.maxStates = std::max(
      1u, options.mutation.maxStates / (options.beamWidth * kWindowShare));
  WindowMutator windows(scratch, windowOptions, result.stats);
  for (unsigned round = 1; round <= options.rounds && !beam.empty(); ++round) {
    result.roundsRun = round;
    SmallVector<Program> next;
    for (const Program &parent : beam) {
      SmallVector<Mutant> mutants;
      if (round == 1) {
        MutationStats stats;
        mutants = generateMutants(original, scratch, options.mutation, &stats);
        result.stats += stats;
      } else {
        for (func::FuncOp child : windows.mutate(parent.mutant.func))
          mutants.push_back({child, {}, 0});
      }
      for (Mutant &m : mutants) {
        if (!seen.insert(getStructuralKey(m.func)).second) {
          m.func.erase();
          continue;
        }
        // A mutant of a mutant: its wrong boxes are where it differs from
        // the original, whatever its parent got wrong.
        if (parent.mutant.func != original) {
          FailureOr<VerificationResult> verdict =
              verifyEquivalence(original, m.func, options.mutation.verifier);
          ++result.stats.candidatesVerified;
          if (failed(verdict)) {
            m.func.erase();
            continue;
          }
          m.verdict = std::move(*verdict);
          m.equivalentFraction = getEquivalentFraction(m.verdict);
          if (m.equivalentFraction < options.mutation.minEquivalentFraction) {
            m.func.erase();
            continue;
          }
        }
        double cost = getProgramMicros(m.func, model) +
                      getCorrectionMicros(m.verdict, original, model);
        next.push_back({std::move(m), cost, round});
      }
    }
    result.programsSeen += next.size();
    // Cheapest first; among equal costs, more equivalent, then earlier.
    llvm::stable_sort(next, [](const Program &a, const Program &b) {
      if (a.cost != b.cost)
        return a.cost < b.cost;
      return a.mutant.equivalentFraction > b.mutant.equivalentFraction;
    });
    // The cheapest programs of all rounds so far (stable: earlier rounds
    // first among equal costs).
    SmallVector<Program> kept = std::move(result.programs);
    llvm::append_range(kept, next);
    llvm::stable_sort(kept, [](const Program &a, const Program &b) {
      return a.cost < b.cost;
    });
    if (kept.size() > std::max(1u, options.keepPrograms))
      kept.resize(std::max(1u, options.keepPrograms));
    result.programs = std::move(kept);
    beam.clear();
    for (Program &p : next) {
      bool isKept = llvm::any_of(result.programs, [&](const Program &k) {
        return k.mutant.func == p.mutant.func;
      });
      if (beam.size() < options.beamWidth)
        beam.push_back(p);
      else if (!isKept)
        p.mutant.func.erase();
    }
  }
  return result;
}

void mlir::pet::addCopyLayoutTwins(OptimizerResult &result, ModuleOp scratch,
                                   const CostModel &model) {
  SmallVector<RankedProgram> twins;
  SymbolTable symbols(scratch);
  for (const RankedProgram &program : result.programs) {
    func::FuncOp views = program.mutant.func;
    if (!usesLayoutViews(views))
      continue;
    auto twin = cast<func::FuncOp>(views->clone());
    twin.setSymName((views.getSymName() + "_copies").str());
    symbols.insert(twin);
    twin.walk([](Operation *op) {
      if (isa<ConcatOp, Conv2DOp>(op))
        op->setAttr(kCopyLayoutAttr, UnitAttr::get(op->getContext()));
    });
    RankedProgram copies = program;
    copies.mutant.func = twin;
    // The same corrections; the layout priced as copies.
    copies.cost +=
        getProgramMicros(twin, model) - getProgramMicros(views, model);
    twins.push_back(copies);
  }
  llvm::append_range(result.programs, twins);
  llvm::stable_sort(result.programs,
                    [](const RankedProgram &a, const RankedProgram &b) {
                      return a.cost < b.cost;
                    });
}
