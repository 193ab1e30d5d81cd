//===- ModularArithmetic.cpp - Exact arithmetic in Z_q --------------------===//

#include "PET/Analysis/ModularArithmetic.h"

#include <cmath>

using namespace mlir::pet;

ModQ ModQ::fromInt(int64_t value) {
  // |INT64_MIN| = 2^63 = 4 * 2^61 = 4 (mod q): reduce the magnitude first.
  uint64_t magnitude = value < 0 ? uint64_t(0) - static_cast<uint64_t>(value)
                                 : static_cast<uint64_t>(value);
  uint64_t folded = (magnitude & kModulus) + (magnitude >> 61);
  if (folded >= kModulus)
    folded -= kModulus;
  return value < 0 ? -ModQ(folded) : ModQ(folded);
}

bool ModQ::fromDouble(double value, ModQ &result) {
  if (!std::isfinite(value))
    return false;
  if (value == 0.0) {
    result = ModQ();
    return true;
  }
  // value = mantissa * 2^exponent with an integer mantissa below 2^53.
  int exponent;
  double fraction = std::frexp(value, &exponent);
  int64_t mantissa = static_cast<int64_t>(std::ldexp(fraction, 53));
  exponent -= 53;
  // 2^61 = 1 (mod q), so 2^e = 2^(e mod 61) for any integer e.
  int shift = ((exponent % 61) + 61) % 61;
  result = fromInt(mantissa) * ModQ(uint64_t(1) << shift);
  return true;
}

ModQ ModQ::pow(uint64_t exponent) const {
  ModQ result(1), base = *this;
  while (exponent) {
    if (exponent & 1)
      result *= base;
    base *= base;
    exponent >>= 1;
  }
  return result;
}
