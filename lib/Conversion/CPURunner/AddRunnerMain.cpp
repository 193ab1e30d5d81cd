//===- AddRunnerMain.cpp - A @main for mlir-runner ------------------------===//

#include "PET/Conversion/Passes.h"

#include "GeneratedInputs.h"
#include "PET/Dialect/PET/EntryFunctions.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/SymbolTable.h"

namespace mlir::pet {
#define GEN_PASS_DEF_ADDRUNNERMAIN
#include "PET/Conversion/Passes.h.inc"
} // namespace mlir::pet

using namespace mlir;

namespace {
struct AddRunnerMainPass
    : public pet::impl::AddRunnerMainBase<AddRunnerMainPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    func::FuncOp target = pet::findEntryFunction(module, funcName);
    if (!target) {
      if (funcName.empty())
        module.emitError("pet-add-runner-main: no single public function; "
                         "name one with func=");
      else
        module.emitError("pet-add-runner-main: no function @") << funcName;
      return signalPassFailure();
    }
    // Arguments --pet-preprocess added are computed by its function from the
    // weights, as a runtime does at load: the entry point takes the others.
    // (The verifier makes sure that a `pet.preprocess` names a function.)
    func::FuncOp init = pet::getPreprocessFunction(target);
    SmallVector<Type> inputTypes = pet::getCallerArgumentTypes(target);
    std::string entryName = (target.getSymName() + "_entry").str();
    std::string mainName = print ? std::string(this->mainName) : "";
    for (StringRef name : {StringRef(entryName), StringRef(mainName)})
      if (!name.empty() && module.lookupSymbol(name)) {
        module.emitError("pet-add-runner-main: the module has a @")
            << name << " already";
        return signalPassFailure();
      }
    if (!pet::hasStaticF32Signature(target)) {
      target.emitError("pet-add-runner-main: arguments and results must be "
                       "statically shaped f32 tensors");
      return signalPassFailure();
    }
    Location loc = target.getLoc();
    OpBuilder b(module.getBodyRegion());
    b.setInsertionPointToEnd(module.getBody());

    // @<func>_entry: the preprocessing, then the function.
    auto entry = func::FuncOp::create(
        b, loc, entryName,
        b.getFunctionType(inputTypes, target.getResultTypes()));
    {
      OpBuilder::InsertionGuard guard(b);
      Block *body = entry.addEntryBlock();
      b.setInsertionPointToStart(body);
      FailureOr<SmallVector<Value>> arguments =
          pet::buildArgumentsWithPreprocessing(b, loc, target,
                                               body->getArguments());
      if (failed(arguments)) {
        target.emitError("pet-add-runner-main: the preprocessing function "
                         "does not make the function's preprocessed "
                         "arguments");
        return signalPassFailure();
      }
      auto call = func::CallOp::create(b, loc, target, *arguments);
      func::ReturnOp::create(b, loc, call.getResults());
    }
    if (!print)
      return;

    // @main: generated inputs, the entry point, the results printed.
    auto unranked = UnrankedTensorType::get(b.getF32Type());
    auto printFunc = func::FuncOp::create(b, loc, "printMemrefF32",
                                          b.getFunctionType({unranked}, {}));
    printFunc.setPrivate();
    auto main =
        func::FuncOp::create(b, loc, mainName, b.getFunctionType({}, {}));
    b.setInsertionPointToStart(main.addEntryBlock());
    SmallVector<Value> arguments;
    for (auto [i, type] : llvm::enumerate(inputTypes))
      arguments.push_back(
          pet::generateRunnerInput(b, loc, cast<RankedTensorType>(type), seed, i));
    auto call = func::CallOp::create(b, loc, entry, arguments);
    for (Value result : call.getResults()) {
      Value cast = tensor::CastOp::create(b, loc, unranked, result);
      func::CallOp::create(b, loc, printFunc, ValueRange{cast});
    }
    if (timeRuns > 0) {
      // The entry point again, captured in a CUDA graph, then timed.
      auto declare = [&](StringRef name, TypeRange inputs) {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPoint(main);
        auto f =
            func::FuncOp::create(b, loc, name, b.getFunctionType(inputs, {}));
        f.setPrivate();
        return f;
      };
      func::CallOp::create(b, loc, declare("pet_rt_graph_begin", {}),
                           ValueRange{});
      func::CallOp::create(b, loc, entry, arguments);
      func::CallOp::create(b, loc, declare("pet_rt_graph_end", {}),
                           ValueRange{});
      Value runs =
          arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(timeRuns));
      func::CallOp::create(b, loc,
                           declare("pet_rt_time_graph", {b.getI64Type()}),
                           ValueRange{runs});
    }
    func::ReturnOp::create(b, loc);
  }
};
} // namespace
