//===- EquivalenceVerifier.cpp - Per-box equivalence of programs ----------===//

#include "PET/Analysis/EquivalenceVerifier.h"

#include "PET/Analysis/BoxPropagation.h"
#include "PET/Analysis/Evaluator.h"

#include <cmath>

using namespace mlir;
using namespace mlir::pet;

int64_t VerificationResult::getNumBoxes() const {
  int64_t count = 0;
  for (const auto &verdicts : results)
    count += verdicts.size();
  return count;
}

int64_t VerificationResult::getNumEquivalent() const {
  int64_t count = 0;
  for (const auto &verdicts : results)
    for (const BoxVerdict &verdict : verdicts)
      count += verdict.equivalent;
  return count;
}

/// Degrees of the values of `block` given those of its arguments; returns
/// the degrees of its terminator's operands.
static SmallVector<unsigned>
propagateDegrees(Block &block, llvm::DenseMap<Value, unsigned> &degree) {
  for (Operation &op : block) {
    if (op.hasTrait<mlir::OpTrait::IsTerminator>())
      return llvm::map_to_vector(op.getOperands(),
                                 [&](Value v) { return degree.lookup(v); });
    if (auto correct = dyn_cast<CorrectOp>(op)) {
      Block &body = correct.getBody().front();
      for (auto [arg, input] :
           llvm::zip(body.getArguments(), correct.getInputs()))
        degree[arg] = degree.lookup(input);
      SmallVector<unsigned> original = propagateDegrees(body, degree);
      for (auto [i, result] : llvm::enumerate(correct.getResults()))
        degree[result] =
            std::max(original[i], degree.lookup(correct.getMutants()[i]));
      continue;
    }
    for (OpResult result : op.getResults())
      degree[result] =
          getResultDegree(result, [&](Value v) { return degree.lookup(v); });
  }
  return {};
}

unsigned
mlir::pet::getResultDegree(OpResult result,
                           function_ref<unsigned(Value)> operandDegree) {
  Operation *op = result.getOwner();
  unsigned d = 0;
  // Products of their two operands, and operators that move or add
  // elements: known without building their descriptions.
  if (isa<Conv2DOp, MatmulOp, BatchMatmulOp>(op))
    return operandDegree(op->getOperand(0)) + operandDegree(op->getOperand(1));
  if (isa<SplitOp, ConcatOp, ReshapeOp, TransposeOp, PadOp, AddOp, SubOp>(op)) {
    for (Value operand : op->getOperands())
      d = std::max(d, operandDegree(operand));
    return d;
  }
  if (auto linear = dyn_cast<MultiLinearOpInterface>(op)) {
    for (const MultiLinearTerm &term :
         linear.getMultiLinearDescription(result.getResultNumber()).terms) {
      unsigned sum = 0;
      for (const OperandAccess &access : term.factors)
        sum += operandDegree(op->getOperand(access.operandIndex));
      d = std::max(d, sum);
    }
    return d;
  }
  for (Value operand : op->getOperands())
    d = std::max(d, operandDegree(operand));
  return d;
}

SmallVector<unsigned> mlir::pet::getResultDegrees(func::FuncOp func) {
  llvm::DenseMap<Value, unsigned> degree;
  for (BlockArgument arg : func.getArguments())
    degree[arg] = 1;
  return propagateDegrees(func.getBody().front(), degree);
}

static LogicalResult checkSameSignature(func::FuncOp original,
                                        func::FuncOp candidate) {
  FunctionType a = original.getFunctionType(), b = candidate.getFunctionType();
  if (a.getInputs() != b.getInputs())
    return candidate.emitError("candidate @")
           << candidate.getSymName() << " takes " << b.getInputs() << " but @"
           << original.getSymName() << " takes " << a.getInputs();
  if (a.getResults() != b.getResults())
    return candidate.emitError("candidate @")
           << candidate.getSymName() << " returns " << b.getResults()
           << " but @" << original.getSymName() << " returns "
           << a.getResults();
  return success();
}

FailureOr<VerificationResult>
mlir::pet::verifyEquivalence(func::FuncOp original, func::FuncOp candidate,
                             const VerifierOptions &options) {
  if (failed(checkEvaluable(original, /*exact=*/true, /*pointwise=*/true)) ||
      failed(checkEvaluable(candidate, /*exact=*/true, /*pointwise=*/true)) ||
      failed(checkSameSignature(original, candidate)))
    return failure();

  VerificationResult result;
  result.trials = options.trials;
  for (unsigned d : getResultDegrees(original))
    result.degree = std::max(result.degree, d);
  for (unsigned d : getResultDegrees(candidate))
    result.degree = std::max(result.degree, d);
  result.errorBound =
      std::pow(static_cast<double>(std::max(result.degree, 1u)) /
                   static_cast<double>(ModQ::kModulus),
               options.trials);

  // Boxes on which both programs are translation structured.
  BoxPropagation originalBoxes(original), candidateBoxes(candidate);
  auto originalReturn =
      cast<func::ReturnOp>(original.getBody().front().getTerminator());
  auto candidateReturn =
      cast<func::ReturnOp>(candidate.getBody().front().getTerminator());
  unsigned numResults = originalReturn.getNumOperands();
  for (unsigned r = 0; r < numResults; ++r) {
    GridPartition grid =
        originalBoxes.getPartition(originalReturn.getOperand(r));
    grid.refine(candidateBoxes.getPartition(candidateReturn.getOperand(r)));
    auto &verdicts = result.results.emplace_back();
    for (Box &box : grid.getBoxes())
      verdicts.push_back({std::move(box), true});
  }

  // Theorem 1's positions of each box, tested under Theorem 2's random
  // inputs; the caches keep shared receptive fields computed once a trial.
  PointEvaluator<ModQ> originalEval(original, nullptr),
      candidateEval(candidate, nullptr);
  SmallVector<int64_t> position;
  for (unsigned trial = 0; trial < options.trials; ++trial) {
    uint64_t seed = options.seed + 0x9e3779b97f4a7c15ULL * (trial + 1);
    SmallVector<uint64_t, 8> argumentSeeds;
    for (unsigned a = 0, e = original.getNumArguments(); a < e; ++a)
      argumentSeeds.push_back(randomArgumentSeed(seed, a));
    auto inputs = [argumentSeeds](unsigned arg, int64_t index) {
      return randomModQAt(argumentSeeds[arg], index);
    };
    originalEval.reset(inputs);
    candidateEval.reset(inputs);
    for (unsigned r = 0; r < numResults; ++r) {
      for (BoxVerdict &verdict : result.results[r]) {
        if (!verdict.equivalent)
          continue; // already refuted
        const Box &box = verdict.box;
        auto test = [&](ArrayRef<int64_t> p) {
          ++result.positionsTested;
          return originalEval.evaluateResult(r, p) ==
                 candidateEval.evaluateResult(r, p);
        };
        position.assign(box.getLower().begin(), box.getLower().end());
        bool same = test(position);
        for (unsigned d = 0; same && d < box.getRank(); ++d) {
          if (box.getExtent(d) < 2)
            continue;
          ++position[d];
          same = test(position);
          --position[d];
        }
        verdict.equivalent = same;
      }
    }
    result.positionsComputed +=
        originalEval.getNumComputed() + candidateEval.getNumComputed();
  }
  return result;
}
