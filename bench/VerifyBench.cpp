//===- VerifyBench.cpp - How fast is per-box verification? ----------------===//
//
// Times verifyEquivalence on PET-sized mutants: the H-split-into-batch
// mutant of a 1x64x56x56 3x3 convolution (ResNet-18's first stage), and a
// BERT-size matmul (128x768 by 768x768) with its contraction split in two
// halves that are added back. Prints boxes, positions, and median time per
// candidate and per box. Target: well under 10 ms per candidate.
//
//===----------------------------------------------------------------------===//

#include "PET/Analysis/EquivalenceVerifier.h"
#include "PET/Dialect/PET/PETDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

using namespace mlir;
using namespace mlir::pet;

static const char *kConvSplit = R"(
func.func @conv(%x: tensor<1x64x56x56xf32>, %w: tensor<64x64x3x3xf32>) -> tensor<1x64x56x56xf32> {
  %0 = pet.conv2d %x, %w pad_low [1, 1] pad_high [1, 1] : (tensor<1x64x56x56xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x56x56xf32>
  return %0 : tensor<1x64x56x56xf32>
}
func.func @mutant(%x: tensor<1x64x56x56xf32>, %w: tensor<64x64x3x3xf32>) -> tensor<1x64x56x56xf32> {
  %a, %b = pet.split %x axis 2 sizes [28, 28] : (tensor<1x64x56x56xf32>) -> (tensor<1x64x28x56xf32>, tensor<1x64x28x56xf32>)
  %x2 = pet.concat %a, %b axis 0 : (tensor<1x64x28x56xf32>, tensor<1x64x28x56xf32>) -> tensor<2x64x28x56xf32>
  %y2 = pet.conv2d %x2, %w pad_low [1, 1] pad_high [1, 1] : (tensor<2x64x28x56xf32>, tensor<64x64x3x3xf32>) -> tensor<2x64x28x56xf32>
  %c, %d = pet.split %y2 axis 0 sizes [1, 1] : (tensor<2x64x28x56xf32>) -> (tensor<1x64x28x56xf32>, tensor<1x64x28x56xf32>)
  %y = pet.concat %c, %d axis 2 : (tensor<1x64x28x56xf32>, tensor<1x64x28x56xf32>) -> tensor<1x64x56x56xf32>
  return %y : tensor<1x64x56x56xf32>
}
)";

static const char *kMatmulSplitK = R"(
func.func @matmul(%a: tensor<128x768xf32>, %b: tensor<768x768xf32>) -> tensor<128x768xf32> {
  %0 = pet.matmul %a, %b : (tensor<128x768xf32>, tensor<768x768xf32>) -> tensor<128x768xf32>
  return %0 : tensor<128x768xf32>
}
func.func @mutant(%a: tensor<128x768xf32>, %b: tensor<768x768xf32>) -> tensor<128x768xf32> {
  %a0, %a1 = pet.split %a axis 1 sizes [384, 384] : (tensor<128x768xf32>) -> (tensor<128x384xf32>, tensor<128x384xf32>)
  %b0, %b1 = pet.split %b axis 0 sizes [384, 384] : (tensor<768x768xf32>) -> (tensor<384x768xf32>, tensor<384x768xf32>)
  %p0 = pet.matmul %a0, %b0 : (tensor<128x384xf32>, tensor<384x768xf32>) -> tensor<128x768xf32>
  %p1 = pet.matmul %a1, %b1 : (tensor<128x384xf32>, tensor<384x768xf32>) -> tensor<128x768xf32>
  %0 = pet.add %p0, %p1 : (tensor<128x768xf32>, tensor<128x768xf32>) -> tensor<128x768xf32>
  return %0 : tensor<128x768xf32>
}
)";

static int run(MLIRContext &context, const char *name, const char *source,
               int repeats) {
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(source, &context);
  if (!module)
    return 1;
  auto funcs = llvm::to_vector(module->getOps<func::FuncOp>());
  VerifierOptions options;
  std::vector<double> times;
  FailureOr<VerificationResult> result = failure();
  for (int i = 0; i < repeats; ++i) {
    auto start = std::chrono::steady_clock::now();
    result = verifyEquivalence(funcs[0], funcs[1], options);
    auto end = std::chrono::steady_clock::now();
    if (failed(result))
      return 1;
    times.push_back(
        std::chrono::duration<double, std::micro>(end - start).count());
  }
  std::sort(times.begin(), times.end());
  double median = times[times.size() / 2];
  int64_t boxes = result->getNumBoxes();
  std::printf("| %-28s | %5lld | %5lld | %7lld | %9lld | %9.0f | %8.1f |\n",
              name, static_cast<long long>(boxes),
              static_cast<long long>(boxes - result->getNumEquivalent()),
              static_cast<long long>(result->positionsTested),
              static_cast<long long>(result->positionsComputed), median,
              median / boxes);
  return 0;
}

int main(int argc, char **argv) {
  int repeats = argc > 1 ? std::atoi(argv[1]) : 21;
  MLIRContext context;
  context.loadDialect<PETDialect, func::FuncDialect>();
  std::printf("verifyEquivalence, %d trials in Z_q, median of %d runs\n\n",
              VerifierOptions().trials, repeats);
  std::printf("| %-28s | boxes | wrong | tested | computed | total us | us/box "
              "|\n|---|---|---|---|---|---|---|\n",
              "candidate");
  return run(context, "conv 1x64x56x56 3x3, H split", kConvSplit, repeats) ||
         run(context, "matmul 128x768x768, K split", kMatmulSplitK, repeats);
}
