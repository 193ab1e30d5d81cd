//===- AddTimingMain.cpp - A main that times candidate programs -----------===//

#include "PET/Conversion/Passes.h"

#include "GeneratedInputs.h"
#include "PET/Dialect/PET/EntryFunctions.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringSet.h"

namespace mlir::pet {
#define GEN_PASS_DEF_ADDTIMINGMAIN
#include "PET/Conversion/Passes.h.inc"
} // namespace mlir::pet

using namespace mlir;

namespace {
struct AddTimingMainPass
    : public pet::impl::AddTimingMainBase<AddTimingMainPass> {
  using Base::Base;

  void runOnOperation() override;
};
} // namespace

/// The functions to time: those with a program key, else every public one
/// that is not a preprocessing function.
static SmallVector<func::FuncOp> getTimedFunctions(ModuleOp module) {
  SmallVector<func::FuncOp> keyed, all;
  llvm::StringSet<> preprocessing;
  for (auto func : module.getOps<func::FuncOp>())
    if (func::FuncOp init = pet::getPreprocessFunction(func))
      preprocessing.insert(init.getSymName());
  for (auto func : module.getOps<func::FuncOp>()) {
    if (func.isExternal() || func.isPrivate() ||
        preprocessing.contains(func.getSymName()))
      continue;
    all.push_back(func);
    if (func->hasAttr("pet.program_key"))
      keyed.push_back(func);
  }
  return keyed.empty() ? all : keyed;
}

void AddTimingMainPass::runOnOperation() {
  ModuleOp module = getOperation();
  if (runs < 1 || calls < 1) {
    module.emitError("pet-add-timing-main needs runs >= 1 and calls >= 1");
    return signalPassFailure();
  }
  if (module.lookupSymbol(mainName)) {
    module.emitError("pet-add-timing-main: the module has a @")
        << mainName << " already";
    return signalPassFailure();
  }
  SmallVector<func::FuncOp> timed = getTimedFunctions(module);
  if (timed.empty()) {
    module.emitError("pet-add-timing-main: no public function to time");
    return signalPassFailure();
  }
  for (func::FuncOp func : timed) {
    if (!pet::hasStaticF32Signature(func)) {
      func.emitError("pet-add-timing-main: arguments and results must be "
                     "statically shaped f32 tensors");
      return signalPassFailure();
    }
  }

  Location loc = module.getLoc();
  OpBuilder b(module.getBodyRegion());
  b.setInsertionPointToEnd(module.getBody());
  auto declare = [&](StringRef name, TypeRange inputs) {
    if (auto existing = module.lookupSymbol<func::FuncOp>(name))
      return existing;
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(module.getBody());
    auto f = func::FuncOp::create(b, loc, name, b.getFunctionType(inputs, {}));
    f.setPrivate();
    return f;
  };
  Type i64 = b.getI64Type();
  func::FuncOp begin = declare("pet_rt_graph_begin", {});
  func::FuncOp end = declare("pet_rt_graph_end", {});
  func::FuncOp destroy = declare("pet_rt_graph_destroy", {});
  func::FuncOp time = declare("pet_rt_time_graph_calls", {i64, i64, i64});
  auto main =
      func::FuncOp::create(b, loc, mainName, b.getFunctionType({}, {}));
  b.setInsertionPointToStart(main.addEntryBlock());
  auto constant = [&](int64_t v) -> Value {
    return arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(v));
  };
  for (auto [label, func] : llvm::enumerate(timed)) {
    // The arguments a caller passes, then the preprocessing (once, before
    // the graph).
    SmallVector<Value> inputs;
    for (auto [i, type] : llvm::enumerate(pet::getCallerArgumentTypes(func)))
      inputs.push_back(pet::generateRunnerInput(
          b, loc, cast<RankedTensorType>(type), seed, i));
    FailureOr<SmallVector<Value>> all =
        pet::buildArgumentsWithPreprocessing(b, loc, func, inputs);
    if (failed(all)) {
      func.emitError("pet-add-timing-main: the preprocessing function does "
                     "not make the function's preprocessed arguments");
      return signalPassFailure();
    }
    SmallVector<Value> arguments = std::move(*all);
    func::CallOp::create(b, loc, func, arguments);
    func::CallOp::create(b, loc, begin, ValueRange{});
    for (int64_t c = 0; c < calls; ++c)
      func::CallOp::create(b, loc, func, arguments);
    func::CallOp::create(b, loc, end, ValueRange{});
    func::CallOp::create(
        b, loc, time,
        ValueRange{constant(label), constant(runs), constant(calls)});
    func::CallOp::create(b, loc, destroy, ValueRange{});
  }
  func::ReturnOp::create(b, loc);
}
