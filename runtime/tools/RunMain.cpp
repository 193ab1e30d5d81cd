//===- RunMain.cpp - Runs a program compiled by PET's GPU pipeline --------===//
//
// Linked with an object from `python -m pet_mlir.gpu compile` (whose
// @pet_main fills the inputs, runs the program and prints its results):
//   g++ prog.o runtime/tools/RunMain.cpp -Iruntime/include \
//       -Lbuild-runtime/lib -lpet_runtime -o prog
// Exits non-zero, saying so, without a GPU.
//
//===----------------------------------------------------------------------===//

#include "pet_runtime.h"

#include <cstdio>
#include <cstdlib>

extern "C" void pet_main(void);

int main() {
  if (pet_rt_init() != 0)
    return 1;
  pet_main();
  pet_rt_synchronize();
  return 0;
}
