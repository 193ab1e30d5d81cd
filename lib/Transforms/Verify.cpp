//===- Verify.cpp - Verify candidates against originals, box by box -------===//

#include "PET/Transforms/Passes.h"

#include "PET/Analysis/EquivalenceVerifier.h"
#include "PET/Dialect/PET/PETAttributes.h"

#include "mlir/IR/SymbolTable.h"
#include "llvm/Support/FormatVariadic.h"

namespace mlir::pet {
#define GEN_PASS_DEF_PETVERIFY
#include "PET/Transforms/Passes.h.inc"
} // namespace mlir::pet

using namespace mlir;
using namespace mlir::pet;

static constexpr StringLiteral kCandidateOf = "pet.candidate_of";

namespace {
struct VerifyPass : public pet::impl::PETVerifyBase<VerifyPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    MLIRContext *context = &getContext();
    VerifierOptions options;
    options.trials = trials;
    options.seed = seed;
    if (trials == 0) {
      module.emitError("pet-verify needs at least one trial");
      return signalPassFailure();
    }

    for (auto candidate : module.getOps<func::FuncOp>()) {
      Attribute marker = candidate->getAttr(kCandidateOf);
      if (!marker)
        continue;
      auto ref = dyn_cast<FlatSymbolRefAttr>(marker);
      if (!ref) {
        candidate.emitError("'")
            << kCandidateOf << "' must name a function, like @original";
        signalPassFailure();
        continue;
      }
      auto original = symbols.lookup<func::FuncOp>(ref.getValue());
      if (!original || original == candidate) {
        candidate.emitError("candidate of ")
            << ref << ", which is not another function of this module";
        signalPassFailure();
        continue;
      }
      FailureOr<VerificationResult> result =
          verifyEquivalence(original, candidate, options);
      if (failed(result)) {
        signalPassFailure();
        continue;
      }
      for (auto [index, verdicts] : llvm::enumerate(result->results)) {
        SmallVector<Attribute> equivalent, different;
        for (const BoxVerdict &verdict : verdicts)
          (verdict.equivalent ? equivalent : different)
              .push_back(BoxAttr::get(context, verdict.box));
        candidate.setResultAttr(index, "pet.equivalent",
                                ArrayAttr::get(context, equivalent));
        candidate.setResultAttr(index, "pet.nonequivalent",
                                ArrayAttr::get(context, different));
      }
      int64_t boxes = result->getNumBoxes();
      int64_t same = result->getNumEquivalent();
      candidate.emitRemark()
          << "against @" << original.getSymName() << ": " << same << " of "
          << boxes << " boxes equivalent, " << boxes - same << " not; "
          << result->positionsTested << " positions tested in "
          << result->trials << " trial(s) over Z_q, q = 2^61-1, degree "
          << result->degree << "; a non-equivalent box passes with "
          << "probability <= "
          << llvm::formatv("{0:e2}", result->errorBound).str();
    }
  }
};
} // namespace
