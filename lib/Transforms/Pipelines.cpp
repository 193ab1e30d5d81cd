//===- Pipelines.cpp - The PET optimization pipeline ----------------------===//

#include "PET/Transforms/Pipelines.h"

#include "PET/Transforms/Passes.h"

#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::pet;

void mlir::pet::buildPETOptimizePipeline(OpPassManager &pm,
                                         const PETOptimizeOptions &options) {
  PETMutateOptions mutate;
  mutate.depth = options.depth;
  mutate.maxStates = options.maxStates;
  mutate.minEquivalent = options.minEquivalent;
  mutate.seed = options.seed;
  mutate.trials = options.trials;
  mutate.costDb = options.costDb;
  mutate.minGain = options.minGain;
  mutate.report = options.report;
  mutate.operators = llvm::to_vector(options.operators);
  mutate.beamWidth = options.beamWidth;
  mutate.maxWindowOps = options.maxWindowOps;
  mutate.rounds = options.rounds;
  mutate.timeLimit = options.timeLimit;
  mutate.costKeys = options.costKeys;
  mutate.candidatesPerPart = options.candidatesPerPart;
  mutate.candidates = options.candidates;
  mutate.requireMeasured = options.requireMeasured;
  mutate.layoutAlternatives = options.layoutAlternatives;
  mutate.wholeProgramCheck = options.wholeProgramCheck;
  // Inference batch normalization folded first: the search costs and
  // splits the convolutions as they will run (with their bias), and a
  // mutant's pieces would hide a convolution from the folding.
  pm.addNestedPass<func::FuncOp>(createPETFoldChannelScales());
  pm.addPass(createPETMutate(mutate));
  if (options.correctionKernels)
    pm.addNestedPass<func::FuncOp>(createPETCorrectionKernels());
  pm.addNestedPass<func::FuncOp>(createPETCorrect());
  pm.addNestedPass<func::FuncOp>(createPETFuseCorrections());
  pm.addNestedPass<func::FuncOp>(createPETFoldChannelScales());
  pm.addNestedPass<func::FuncOp>(createPETMergeSplitBiases());
  pm.addPass(createPETPreprocess());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void mlir::pet::registerPETPipelines() {
  PassPipelineRegistration<PETOptimizeOptions>(
      "pet-optimize",
      "PET: replace multi-linear subprograms by cheaper verified mutants, "
      "materialize their corrections, clean up",
      buildPETOptimizePipeline);
}
