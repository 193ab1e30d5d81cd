//===- RunnerInputs.h - The CPU path's generated inputs ---------*- C++ -*-===//
//
// The deterministic inputs `--pet-add-runner-main` builds into a `@main`
// (and `--pet-evaluate` feeds the reference evaluator), so that a program
// run on the CPU, by IREE or by the evaluator sees the same numbers.
// python/pet_mlir/cpu.py has the same formula. Standard C++ only: the GPU
// machine's drivers (runtime/tools/ApiCheck.cpp) include it without LLVM.
//
//===----------------------------------------------------------------------===//

#ifndef PET_SUPPORT_RUNNERINPUTS_H
#define PET_SUPPORT_RUNNERINPUTS_H

#include <cmath>
#include <cstddef>
#include <cstdint>

namespace mlir::pet {

/// Multiplier and seed mixing of the hash, and its bits used.
constexpr int64_t kRunnerInputMultiplier = 2654435761;
constexpr int64_t kRunnerInputSeedFactor = 1000003;
constexpr int64_t kRunnerInputArgFactor = 40503;

/// Arguments are scaled by 1 / sqrt(fan_in): the element count over the
/// first dimension (1 for rank 1), so that values stay moderate through
/// deep networks.
inline float getRunnerInputScale(const int64_t *shape, size_t rank) {
  int64_t n = 1;
  for (size_t d = 0; d < rank; ++d)
    n *= shape[d];
  int64_t fanIn = rank > 1 ? n / shape[0] : 1;
  return static_cast<float>(1.0 / std::sqrt(static_cast<double>(fanIn)));
}

/// Element `linearIndex` (row-major) of argument `argNumber`, computed in
/// f32 exactly as the generated IR does.
inline float getRunnerInput(int64_t seed, unsigned argNumber,
                            int64_t linearIndex, float scale) {
  uint64_t h =
      static_cast<uint64_t>(linearIndex) *
          static_cast<uint64_t>(kRunnerInputMultiplier) +
      static_cast<uint64_t>((seed * kRunnerInputSeedFactor + argNumber) *
                            kRunnerInputArgFactor);
  float f = static_cast<float>((h >> 16) & 65535) / 65536.0f - 0.5f;
  return f * scale;
}

} // namespace mlir::pet

#endif // PET_SUPPORT_RUNNERINPUTS_H
