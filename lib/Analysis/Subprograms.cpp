//===- Subprograms.cpp - Multi-linear subprograms of a function -----------===//

#include "PET/Analysis/Subprograms.h"

#include "PET/Dialect/PET/EntryFunctions.h"
#include "PET/Dialect/PET/PETOps.h"

#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/EquivalenceClasses.h"
#include "llvm/ADT/SetVector.h"

using namespace mlir;
using namespace mlir::pet;

SmallVector<Subprogram> mlir::pet::findSubprograms(func::FuncOp func) {
  SmallVector<Subprogram> result;
  if (func.isExternal())
    return result;
  // The level of a value: how many operators that are not multi-linear
  // (and have operands: constants do not count) lie on the longest path from
  // the arguments to it. Multi-linear operators of one level connected by a
  // def-use edge, or reading a common value, are grouped; a path that leaves a
  // group and comes back must cross a non-linear operator, so it cannot end at
  // the same level: groups are convex, and each can be replaced as a whole.
  llvm::DenseMap<Value, unsigned> level;
  auto levelOf = [&](Value v) { return level.lookup(v); };
  llvm::EquivalenceClasses<Operation *> classes;
  SmallVector<Operation *> linearOps;
  /// The first multi-linear operator reading each value.
  llvm::DenseMap<Value, Operation *> readers;
  // What only weights determine (batch normalization folded into a filter,
  // say) is computed once, at load: in no subprogram, and of level 0 like
  // the weights.
  llvm::DenseSet<Value> weights;
  for (BlockArgument arg : func.getArguments())
    if (isPreprocessingInput(func, arg.getArgNumber()))
      weights.insert(arg);
  llvm::SetVector<Operation *> weightOnly =
      getWeightOnlyOps(func.getBody().front(), weights);
  for (Operation &op : func.getBody().getOps()) {
    if (weightOnly.contains(&op))
      continue;
    unsigned opLevel = 0;
    for (Value operand : op.getOperands())
      opLevel = std::max(opLevel, levelOf(operand));
    bool linear = isMultiLinear(&op);
    unsigned resultLevel =
        opLevel + (!linear && op.getNumOperands() > 0 ? 1 : 0);
    for (Value result : op.getResults())
      level[result] = resultLevel;
    if (!linear)
      continue;
    linearOps.push_back(&op);
    classes.insert(&op);
    for (Value operand : op.getOperands()) {
      if (Operation *def = operand.getDefiningOp();
          def && isMultiLinear(def) && def->getBlock() == op.getBlock() &&
          levelOf(operand) == opLevel)
        classes.unionSets(def, &op);
      // Operators of one level that read a common value belong together
      // too: that is where merges (1x1 with 3x3, Q with K with V) are.
      auto [it, first] = readers.try_emplace(operand, &op);
      if (!first && it->second->getBlock() == op.getBlock() &&
          levelOf(it->second->getResult(0)) == opLevel)
        classes.unionSets(it->second, &op);
    }
  }
  // One subprogram per class, numbered by first operator.
  llvm::DenseMap<Operation *, unsigned> indexOfLeader;
  for (Operation *op : linearOps) {
    Operation *leader = classes.getLeaderValue(op);
    auto [it, inserted] = indexOfLeader.try_emplace(leader, result.size());
    if (inserted)
      result.emplace_back();
    result[it->second].ops.push_back(op);
  }
  for (Subprogram &sub : result)
    sub = makeSubprogram(sub.ops);
  return result;
}

Subprogram mlir::pet::makeSubprogram(ArrayRef<Operation *> ops) {
  Subprogram sub;
  sub.ops.assign(ops.begin(), ops.end());
  llvm::sort(sub.ops,
             [](Operation *a, Operation *b) { return a->isBeforeInBlock(b); });
  llvm::SmallPtrSet<Operation *, 16> members(sub.ops.begin(), sub.ops.end());
  llvm::SetVector<Value> inputs;
  for (Operation *op : sub.ops) {
    for (Value operand : op->getOperands()) {
      Operation *def = operand.getDefiningOp();
      if (!def || !members.contains(def))
        inputs.insert(operand);
    }
    for (Value value : op->getResults())
      if (llvm::any_of(value.getUsers(), [&](Operation *user) {
            return !members.contains(user);
          }))
        sub.outputs.push_back(value);
  }
  sub.inputs = inputs.takeVector();
  return sub;
}

SmallVector<Subprogram> mlir::pet::getSearchWindows(const Subprogram &sub,
                                                    unsigned maxOps) {
  SmallVector<Subprogram> windows;
  if (sub.ops.size() <= maxOps) {
    windows.push_back(sub);
    return windows;
  }
  // Compute operators that read a common operand, or results of one
  // operator (the pieces of a split), are merge candidates; then every
  // other compute operator alone.
  auto sharesSource = [](Operation *a, Operation *b) {
    for (Value x : a->getOperands())
      for (Value y : b->getOperands()) {
        if (x == y)
          return true;
        Operation *def = x.getDefiningOp();
        if (def && def == y.getDefiningOp())
          return true;
      }
    return false;
  };
  llvm::SmallPtrSet<Operation *, 8> taken;
  auto isCompute = [](Operation *op) {
    return isa<Conv2DOp, MatmulOp, BatchMatmulOp>(op);
  };
  for (Operation *op : sub.ops) {
    if (!isCompute(op) || taken.contains(op))
      continue;
    SmallVector<Operation *> group = {op};
    for (Operation *other : sub.ops)
      if (other != op && isCompute(other) && !taken.contains(other) &&
          other->getName() == op->getName() && sharesSource(op, other))
        group.push_back(other);
    if (group.size() > 1) {
      for (Operation *member : group)
        taken.insert(member);
      // The operator whose results they read (a split into pieces), if only
      // they read it: then the window sees the whole tensor.
      llvm::SmallPtrSet<Operation *, 4> members(group.begin(), group.end());
      SmallVector<Operation *> window(group);
      for (Operation *member : group)
        for (Value operand : member->getOperands()) {
          Operation *def = operand.getDefiningOp();
          if (def && !members.contains(def) && !taken.contains(def) &&
              llvm::is_contained(sub.ops, def) && !isCompute(def) &&
              llvm::all_of(
                  def->getUsers(),
                  [&](Operation *user) { return members.contains(user); }) &&
              llvm::SmallPtrSet<Operation *, 4>(def->user_begin(),
                                                def->user_end())
                      .size() > 1) {
            members.insert(def);
            taken.insert(def);
            window.push_back(def);
          }
        }
      llvm::sort(window, [](Operation *a, Operation *b) {
        return a->isBeforeInBlock(b);
      });
      windows.push_back(makeSubprogram(window));
    }
  }
  for (Operation *op : sub.ops)
    if (isCompute(op) && !taken.contains(op))
      windows.push_back(makeSubprogram({op}));
  return windows;
}

LogicalResult mlir::pet::hoistInputs(const Subprogram &subprogram) {
  Operation *first = subprogram.ops.front();
  Block *block = first->getBlock();
  llvm::SmallPtrSet<Operation *, 16> members(subprogram.ops.begin(),
                                             subprogram.ops.end());
  llvm::SetVector<Operation *> toMove;
  SmallVector<Value> worklist(subprogram.inputs);
  while (!worklist.empty()) {
    Operation *def = worklist.pop_back_val().getDefiningOp();
    if (!def || def->getBlock() != block || members.contains(def) ||
        def->isBeforeInBlock(first) || !toMove.insert(def))
      continue;
    for (Value operand : def->getOperands())
      worklist.push_back(operand);
  }
  if (llvm::any_of(toMove,
                   [](Operation *op) { return !isMemoryEffectFree(op); }))
    return failure();
  SmallVector<Operation *> ordered = toMove.takeVector();
  llvm::sort(ordered,
             [](Operation *a, Operation *b) { return a->isBeforeInBlock(b); });
  for (Operation *op : ordered)
    op->moveBefore(first);
  return success();
}

func::FuncOp mlir::pet::outlineSubprogram(const Subprogram &subprogram,
                                          StringRef name, OpBuilder &builder) {
  Location loc = subprogram.ops.front()->getLoc();
  SmallVector<Type> inputTypes, outputTypes;
  for (Value v : subprogram.inputs)
    inputTypes.push_back(v.getType());
  for (Value v : subprogram.outputs)
    outputTypes.push_back(v.getType());
  auto func = func::FuncOp::create(
      builder, loc, name, builder.getFunctionType(inputTypes, outputTypes));
  OpBuilder::InsertionGuard guard(builder);
  // Inputs that only weights determine stay weights: what the subprogram
  // computes from them alone is preprocessing (done once, at load).
  for (auto [i, input] : llvm::enumerate(subprogram.inputs))
    if (dependsOnlyOnWeights(input))
      func.setArgAttr(i, PETDialect::kWeightAttrName, builder.getUnitAttr());
  Block *body = func.addEntryBlock();
  builder.setInsertionPointToStart(body);
  IRMapping mapping;
  mapping.map(subprogram.inputs, body->getArguments());
  for (Operation *op : subprogram.ops)
    builder.clone(*op, mapping);
  SmallVector<Value> results = llvm::map_to_vector(
      subprogram.outputs, [&](Value v) { return mapping.lookup(v); });
  func::ReturnOp::create(builder, loc, results);
  return func;
}

SmallVector<Value> mlir::pet::inlineBody(func::FuncOp func,
                                         ValueRange arguments,
                                         OpBuilder &builder) {
  IRMapping mapping;
  mapping.map(func.getArguments(), arguments);
  for (Operation &op : func.getBody().front().without_terminator())
    builder.clone(op, mapping);
  auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
  return llvm::map_to_vector(
      ret.getOperands(), [&](Value v) { return mapping.lookupOrDefault(v); });
}

Operation *mlir::pet::buildCorrection(OpBuilder &builder, Location loc,
                                      ValueRange mutants, ValueRange inputs,
                                      ArrayRef<SmallVector<Box>> boxes,
                                      func::FuncOp original) {
  SmallVector<Attribute> lists;
  for (const SmallVector<Box> &list : boxes)
    lists.push_back(builder.getArrayAttr(
        llvm::map_to_vector(list, [&](const Box &box) -> Attribute {
          return BoxAttr::get(builder.getContext(), box);
        })));
  auto correct = CorrectOp::create(builder, loc, mutants, inputs,
                                   builder.getArrayAttr(lists));
  OpBuilder::InsertionGuard guard(builder);
  Block *body = builder.createBlock(&correct.getBody());
  for (Value input : inputs)
    body->addArgument(input.getType(), loc);
  YieldOp::create(builder, loc,
                  inlineBody(original, body->getArguments(), builder));
  return correct;
}
