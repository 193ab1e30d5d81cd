//===- Preprocess.cpp - Compute what depends only on weights once ---------===//

#include "PET/Transforms/Passes.h"

#include "PET/Analysis/Evaluator.h"
#include "PET/Dialect/PET/EntryFunctions.h"
#include "PET/Dialect/PET/PETOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/SetVector.h"

namespace mlir::pet {
#define GEN_PASS_DEF_PETPREPROCESS
#include "PET/Transforms/Passes.h.inc"
} // namespace mlir::pet

using namespace mlir;
using namespace mlir::pet;

/// The values of `op`'s results, computed from its constant operands by
/// evaluating it as a function of no arguments.
static FailureOr<SmallVector<Tensor<double>>> evaluate(Operation *op) {
  OpBuilder builder(op->getContext());
  OwningOpRef<ModuleOp> scratch = ModuleOp::create(op->getLoc());
  builder.setInsertionPointToEnd(scratch->getBody());
  auto func =
      func::FuncOp::create(builder, op->getLoc(), "preprocess",
                           builder.getFunctionType({}, op->getResultTypes()));
  builder.setInsertionPointToStart(func.addEntryBlock());
  IRMapping mapping;
  for (Value operand : op->getOperands())
    mapping.map(operand, builder.clone(*operand.getDefiningOp())->getResult(0));
  Operation *clone = builder.clone(*op, mapping);
  func::ReturnOp::create(builder, op->getLoc(), clone->getResults());
  return evaluateFunction<double>(func, {});
}

/// Replaces PET operators whose operands are all constants by constants.
static void foldConstantOperators(func::FuncOp func, int64_t maxElements) {
  // In order: a folded result can make its users foldable.
  SmallVector<Operation *> ops;
  for (Operation &op : func.getBody().front())
    if (isPreprocessable(&op))
      ops.push_back(&op);
  for (Operation *op : ops) {
    bool constant = llvm::all_of(op->getOperands(), [](Value v) {
      auto c = v.getDefiningOp<arith::ConstantOp>();
      return c && isa<DenseFPElementsAttr>(c.getValue());
    });
    bool small = llvm::all_of(op->getResultTypes(), [&](Type t) {
      return cast<RankedTensorType>(t).getNumElements() <= maxElements;
    });
    if (!constant || !small)
      continue;
    FailureOr<SmallVector<Tensor<double>>> values = evaluate(op);
    if (failed(values))
      continue;
    OpBuilder builder(op);
    for (auto [result, tensor] : llvm::zip(op->getResults(), *values)) {
      if (result.use_empty())
        continue;
      auto type = cast<RankedTensorType>(result.getType());
      auto element = cast<FloatType>(type.getElementType());
      SmallVector<APFloat> data;
      for (double v : tensor.getData()) {
        APFloat f(v);
        bool lost;
        f.convert(element.getFloatSemantics(), APFloat::rmNearestTiesToEven,
                  &lost);
        data.push_back(f);
      }
      auto constant = arith::ConstantOp::create(
          builder, op->getLoc(), DenseFPElementsAttr::get(type, data));
      result.replaceAllUsesWith(constant);
    }
    llvm::SetVector<Operation *> inputs;
    for (Value operand : op->getOperands())
      inputs.insert(operand.getDefiningOp());
    op->erase();
    // Weights used only here are not needed any more.
    for (Operation *input : inputs)
      if (input->use_empty())
        input->erase();
  }
}

/// Removes the preprocessed arguments of `func` that nothing reads, and
/// the results of its preprocessing function `init` that computed them.
static void pruneUnusedPreprocessed(func::FuncOp func, func::FuncOp init) {
  auto ret = cast<func::ReturnOp>(init.getBody().front().getTerminator());
  SmallVector<unsigned> preprocessed;
  for (BlockArgument arg : func.getArguments())
    if (func.getArgAttr(arg.getArgNumber(), PETDialect::kPreprocessedAttrName))
      preprocessed.push_back(arg.getArgNumber());
  if (preprocessed.size() != ret.getNumOperands())
    return; // not as --pet-preprocess made them: leave them
  llvm::BitVector unusedArgs(func.getNumArguments());
  llvm::BitVector unusedResults(ret.getNumOperands());
  for (auto [k, index] : llvm::enumerate(preprocessed))
    if (func.getArgument(index).use_empty()) {
      unusedArgs.set(index);
      unusedResults.set(k);
    }
  if (unusedResults.none())
    return;
  (void)func.eraseArguments(unusedArgs);
  ret->eraseOperands(unusedResults);
  init.setType(FunctionType::get(init.getContext(), init.getArgumentTypes(),
                                 ret.getOperandTypes()));
  // What computed only the removed results.
  SmallVector<Operation *> ops;
  for (Operation &op : init.getBody().front().without_terminator())
    ops.push_back(&op);
  for (Operation *op : llvm::reverse(ops))
    if (op->use_empty())
      op->erase();
}

/// Moves the PET operators of `func` that depend only on its weight
/// arguments (and constants) into a new function that computes them once;
/// `func` takes their results as new arguments instead. When `func` has a
/// preprocessing function already (this pass ran before, and what came
/// after made more of the function depend on weights only: a mutant's
/// biases concatenated, say), that function computes the new results too,
/// from the weights and what it computed, and the preprocessed arguments
/// nothing reads any more are removed.
static LogicalResult hoistWeightComputations(func::FuncOp func,
                                             SymbolTable &symbols) {
  func::FuncOp existing = getPreprocessFunction(func);
  SmallVector<BlockArgument> weights, preprocessed;
  for (BlockArgument arg : func.getArguments()) {
    if (isPreprocessingInput(func, arg.getArgNumber()))
      weights.push_back(arg);
    else if (existing && func.getArgAttr(arg.getArgNumber(),
                                         PETDialect::kPreprocessedAttrName))
      preprocessed.push_back(arg);
  }
  if (weights.empty())
    return success();
  if (existing && (existing.getNumArguments() != weights.size() ||
                   existing.getNumResults() != preprocessed.size() ||
                   !existing.getBody().hasOneBlock()))
    return func.emitError("the preprocessing function @")
           << existing.getSymName() << " does not compute the "
           << "preprocessed arguments of @" << func.getSymName()
           << " from its weights";
  // What depends on weights and constants only.
  llvm::DenseSet<Value> known(weights.begin(), weights.end());
  known.insert(preprocessed.begin(), preprocessed.end());
  llvm::SetVector<Operation *> slice =
      getWeightOnlyOps(func.getBody().front(), known);
  // Its results that the rest of the function reads.
  SmallVector<Value> frontier;
  for (Operation *op : slice)
    for (Value result : op->getResults())
      if (llvm::any_of(result.getUsers(),
                       [&](Operation *user) { return !slice.contains(user); }))
        frontier.push_back(result);
  if (frontier.empty())
    return success();
  if (!SymbolTable::symbolKnownUseEmpty(func, func->getParentOp())) {
    func.emitRemark("weights are not preprocessed: @")
        << func.getSymName()
        << " is called in the module, and preprocessing changes its "
           "arguments";
    return success();
  }

  // The preprocessing function: weights in, preprocessed weights out (a
  // new one, or the existing one with more results).
  OpBuilder builder(func);
  IRMapping mapping;
  func::FuncOp init = existing;
  SmallVector<Value> results;
  if (!init) {
    SmallVector<Type> weightTypes = llvm::map_to_vector(
        weights, [](BlockArgument arg) { return arg.getType(); });
    init = func::FuncOp::create(builder, func.getLoc(),
                                (func.getSymName() + "_preprocess").str(),
                                builder.getFunctionType(weightTypes, {}));
    symbols.insert(init); // renames on a clash
    Block *initBody = init.addEntryBlock();
    builder.setInsertionPointToStart(initBody);
    func::ReturnOp::create(builder, func.getLoc(), ValueRange{});
  }
  auto ret = cast<func::ReturnOp>(init.getBody().front().getTerminator());
  builder.setInsertionPoint(ret);
  for (auto [weight, arg] : llvm::zip_equal(weights, init.getArguments()))
    mapping.map(weight, arg);
  for (auto [arg, value] : llvm::zip_equal(preprocessed, ret.getOperands()))
    mapping.map(arg, value);
  for (Operation *op : slice) {
    for (Value operand : op->getOperands())
      if (auto constant = operand.getDefiningOp<arith::ConstantOp>();
          constant && !mapping.contains(operand))
        builder.clone(*constant, mapping);
    builder.clone(*op, mapping);
  }
  llvm::append_range(results, ret.getOperands());
  for (Value v : frontier)
    results.push_back(mapping.lookup(v));
  ret->setOperands(results);
  init.setType(FunctionType::get(init.getContext(), init.getArgumentTypes(),
                                 ret.getOperandTypes()));

  // The function reads the preprocessed weights as new arguments.
  MLIRContext *context = func.getContext();
  NamedAttribute flags[] = {
      NamedAttribute(StringAttr::get(context, PETDialect::kWeightAttrName),
                     UnitAttr::get(context)),
      NamedAttribute(
          StringAttr::get(context, PETDialect::kPreprocessedAttrName),
          UnitAttr::get(context))};
  for (Value value : frontier) {
    unsigned index = func.getNumArguments();
    if (failed(func.insertArgument(index, value.getType(),
                                   DictionaryAttr::get(context, flags),
                                   value.getLoc())))
      return func.emitError("cannot add a preprocessed-weight argument");
    value.replaceAllUsesWith(func.getArgument(index));
  }
  for (Operation *op : llvm::reverse(slice))
    op->erase();
  func->setAttr(PETDialect::kPreprocessFuncAttrName,
                FlatSymbolRefAttr::get(init.getSymNameAttr()));
  if (existing)
    pruneUnusedPreprocessed(func, init);
  return success();
}

namespace {
struct PreprocessPass : public pet::impl::PETPreprocessBase<PreprocessPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    for (auto func : llvm::to_vector(module.getOps<func::FuncOp>())) {
      if (func.isExternal())
        continue;
      foldConstantOperators(func, maxElements);
      if (failed(hoistWeightComputations(func, symbols)))
        return signalPassFailure();
    }
  }
};
} // namespace
