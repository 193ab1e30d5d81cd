//===- RandomProgramsMain.cpp - Random multi-linear programs as files -----===//
//
// pet-random-programs: writes the soundness fuzzer's random programs (the
// original program of each pair, cut by ReLUs as
// MutateTest.FuzzRandomProgramsStayExact cuts them) to files, one module
// each, for the pipelines that run outside the unit tests (the GPU soundness
// check, `python -m pet_mlir.gpu_soundness`).
//
//   pet-random-programs --count 300 --seed 9000 -o DIR
//
// writes DIR/random-<seed + i>.mlir for i < count: program i is built from
// seed `seed + i` with function name @original_<i>, so that the default
// seed gives the unit test's programs (its first 120).
//
//===----------------------------------------------------------------------===//

#include "../Analysis/RandomPrograms.h"

#include "PET/Dialect/PET/PETDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace llvm;

static cl::opt<unsigned> numPrograms("count", cl::desc("Number of programs"),
                                     cl::init(100));
static cl::opt<unsigned>
    firstSeed("seed", cl::desc("Seed of the first program"), cl::init(9000));
static cl::opt<std::string> outputDir("o", cl::desc("Output directory"),
                                      cl::Required);

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  cl::ParseCommandLineOptions(argc, argv,
                              "Random multi-linear PET programs, one file "
                              "each\n");
  if (std::error_code ec = sys::fs::create_directories(outputDir)) {
    errs() << "pet-random-programs: cannot create " << outputDir << ": "
           << ec.message() << "\n";
    return 1;
  }
  MLIRContext context;
  context
      .loadDialect<pet::PETDialect, func::FuncDialect, arith::ArithDialect>();
  for (unsigned i = 0; i < numPrograms; ++i) {
    unsigned id = firstSeed + i;
    OwningOpRef<ModuleOp> module = ModuleOp::create(UnknownLoc::get(&context));
    pet_test::ProgramPair pair =
        pet_test::buildRandomProgramPair(*module, id, i);
    pair.candidate.erase();
    pet_test::cutWithRelus(pair.original, i);
    if (failed(verify(*module))) {
      errs() << "pet-random-programs: program " << id << " does not verify\n";
      return 1;
    }
    SmallString<128> path(outputDir);
    sys::path::append(path, "random-" + std::to_string(id) + ".mlir");
    std::error_code ec;
    raw_fd_ostream os(path, ec);
    if (ec) {
      errs() << "pet-random-programs: cannot write " << path << ": "
             << ec.message() << "\n";
      return 1;
    }
    module->print(os);
    os << "\n";
  }
  return 0;
}
