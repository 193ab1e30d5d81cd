//===- NameKernels.cpp - Kernels named after the operators they run -------===//
//
// gpu-kernel-outlining names every kernel `<function>_kernel`, so a profile
// cannot tell them apart. Each kernel is renamed after its host function
// and the source line of the operator it computes (the launch's location:
// the PET operator's, through linalg and loops), e.g. `bert_base_L15`.
//
//===----------------------------------------------------------------------===//

#include "PET/Conversion/Passes.h"

#include "mlir/IR/SymbolTable.h"

namespace mlir::pet {
#define GEN_PASS_DEF_GPUNAMEKERNELS
#include "PET/Conversion/Passes.h.inc"
} // namespace mlir::pet

using namespace mlir;

/// The first source line in `loc` (fused locations: their first part with
/// one), or nothing.
static std::optional<unsigned> getLine(Location loc) {
  std::optional<unsigned> line;
  loc->walk([&](Location inner) {
    if (auto fileLoc = dyn_cast<FileLineColLoc>(inner)) {
      line = fileLoc.getLine();
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return line;
}

namespace {
struct GPUNameKernelsPass
    : public pet::impl::GPUNameKernelsBase<GPUNameKernelsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    // Each launch's kernel, found before any is renamed.
    SmallVector<std::pair<gpu::LaunchFuncOp, gpu::GPUFuncOp>> launches;
    module.walk([&](gpu::LaunchFuncOp launch) {
      auto kernelModule =
          symbols.lookup<gpu::GPUModuleOp>(launch.getKernelModuleName());
      if (!kernelModule)
        return;
      if (auto kernel = SymbolTable::lookupNearestSymbolFrom<gpu::GPUFuncOp>(
              kernelModule, launch.getKernelName()))
        launches.push_back({launch, kernel});
    });
    // In launch order; a kernel launched twice keeps its first name.
    llvm::StringMap<unsigned> used;
    DenseMap<Operation *, StringAttr> renamed;
    for (auto [launch, kernel] : launches) {
      StringAttr name = renamed.lookup(kernel);
      if (!name) {
        auto host = launch->getParentOfType<FunctionOpInterface>();
        std::string base = host ? host.getName().str() : "kernel";
        if (std::optional<unsigned> line = getLine(launch.getLoc()))
          base += "_L" + std::to_string(*line);
        if (unsigned count = used[base]++)
          base += "_" + std::to_string(count);
        name = StringAttr::get(&getContext(), base);
        SymbolTable::setSymbolName(kernel, name);
        renamed[kernel] = name;
      }
      launch.setKernelAttr(SymbolRefAttr::get(launch.getKernelModuleName(),
                                              {FlatSymbolRefAttr::get(name)}));
    }
  }
};
} // namespace
