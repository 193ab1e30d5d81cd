//===- Pipelines.h - The PET optimization pipeline --------------*- C++ -*-===//
//
// `--pet-optimize`, and the same from C++ for other compilers:
//
//   mlir::pet::registerPETPasses();
//   mlir::pet::registerPETPipelines();
//   mlir::pet::PETOptimizeOptions options;
//   options.costDb = "h100.json";
//   mlir::pet::buildPETOptimizePipeline(pm, options); // pm on builtin.module
//
//===----------------------------------------------------------------------===//

#ifndef PET_TRANSFORMS_PIPELINES_H
#define PET_TRANSFORMS_PIPELINES_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace mlir::pet {

struct PETOptimizeOptions : public PassPipelineOptions<PETOptimizeOptions> {
  PassOptions::Option<unsigned> depth{
      *this, "depth", llvm::cl::desc("Operators in a mutant at most"),
      llvm::cl::init(4)};
  PassOptions::Option<unsigned> maxStates{
      *this, "max-states",
      llvm::cl::desc("Search states per searched part at most, times the "
                     "square of its number of convolutions and matmuls"),
      llvm::cl::init(3000)};
  PassOptions::Option<double> minEquivalent{
      *this, "min-equivalent",
      llvm::cl::desc("Fraction of output positions a mutant must get right"),
      llvm::cl::init(0.7)};
  PassOptions::Option<uint64_t> seed{
      *this, "seed", llvm::cl::desc("Seed of fingerprints and verification"),
      llvm::cl::init(0x5e7)};
  PassOptions::Option<unsigned> trials{
      *this, "trials", llvm::cl::desc("Random Z_q trials per position"),
      llvm::cl::init(2)};
  PassOptions::Option<std::string> costDb{
      *this, "cost-db", llvm::cl::desc("JSON file of measured operator times")};
  PassOptions::Option<double> minGain{
      *this, "min-gain",
      llvm::cl::desc("Fraction of the estimated time a mutant must save"),
      llvm::cl::init(0.0)};
  PassOptions::ListOption<std::string> operators{
      *this, "operators",
      llvm::cl::desc("Operators mutants may use (default all)")};
  PassOptions::Option<unsigned> maxWindowOps{
      *this, "max-window-ops",
      llvm::cl::desc("Subprograms of more operators are searched in "
                     "windows: convolutions/matmuls alone or with those "
                     "sharing an operand (--pet-mutate's option)"),
      llvm::cl::init(2)};
  PassOptions::Option<unsigned> beamWidth{
      *this, "beam-width",
      llvm::cl::desc("Cheapest programs of a round mutated again"),
      llvm::cl::init(2)};
  PassOptions::Option<unsigned> rounds{
      *this, "rounds", llvm::cl::desc("Rounds of mutation per searched part"),
      llvm::cl::init(2)};
  PassOptions::Option<std::string> costKeys{
      *this, "cost-keys",
      llvm::cl::desc("Write the keys of the operators the searches costed "
                     "to this JSON file (to measure them)")};
  PassOptions::Option<double> timeLimit{
      *this, "time-limit",
      llvm::cl::desc("Seconds the mutation searches may take in all (0: no "
                     "limit)"),
      llvm::cl::init(0)};
  PassOptions::Option<bool> correctionKernels{
      *this, "correction-kernels",
      llvm::cl::desc("Correct each subprogram in one parallel loop over its "
                     "wrong positions (--pet-correction-kernels) where "
                     "possible, instead of per-box operators"),
      llvm::cl::init(false)};
  PassOptions::Option<unsigned> candidatesPerPart{
      *this, "candidates-per-part",
      llvm::cl::desc("Cheapest distinct programs a search keeps for a "
                     "measurement to choose among"),
      llvm::cl::init(8)};
  PassOptions::Option<std::string> candidates{
      *this, "candidates",
      llvm::cl::desc("Write the searches' originals and kept programs to "
                     "this MLIR file, to be timed whole")};
  PassOptions::Option<bool> requireMeasured{
      *this, "require-measured",
      llvm::cl::desc("Replace subprograms only by programs measured whole "
                     "and measured faster than the original"),
      llvm::cl::init(false)};
  PassOptions::Option<bool> layoutAlternatives{
      *this, "layout-alternatives",
      llvm::cl::desc("Also keep each program that uses layout views as its "
                     "twin lowered with copies, for a measurement to choose"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> wholeProgramCheck{
      *this, "whole-program-check",
      llvm::cl::desc("Keep a function as it was when the database measured "
                     "its optimized form whole no faster"),
      llvm::cl::init(true)};
  PassOptions::Option<std::string> report{
      *this, "report",
      llvm::cl::desc("Write what the search did to this JSON file")};
};

/// Mutation (with verification and costing), materialized corrections
/// (with `correction-kernels`, as one parallel loop per subprogram where
/// possible),
/// element-wise operators moved through the corrections' inserts,
/// preprocessing (constant-only operators computed at compile time, weight
/// transforms moved into a preprocessing function), then
/// clean-up (canonicalization, which eliminates inverse layout pairs, and
/// CSE).
void buildPETOptimizePipeline(OpPassManager &pm,
                              const PETOptimizeOptions &options);

/// Registers `--pet-optimize`.
void registerPETPipelines();

} // namespace mlir::pet

#endif // PET_TRANSFORMS_PIPELINES_H
