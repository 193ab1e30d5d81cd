//===- ModularArithmeticTest.cpp - Z_q for q = 2^61 - 1 -------------------===//

#include "PET/Analysis/ModularArithmetic.h"

#include "gtest/gtest.h"

#include <cmath>
#include <limits>
#include <random>

using namespace mlir::pet;

namespace {

constexpr uint64_t q = ModQ::kModulus;

uint64_t referenceMul(uint64_t a, uint64_t b) {
  return static_cast<uint64_t>(static_cast<unsigned __int128>(a) * b % q);
}

TEST(ModQTest, RingOperationsMatchWideIntegerArithmetic) {
  std::mt19937_64 rng(3);
  for (int i = 0; i < 100000; ++i) {
    uint64_t a = rng() % q, b = rng() % q;
    if (i % 10 == 0)
      a = q - 1 - (rng() % 3); // near the modulus
    ModQ x = ModQ::fromReduced(a), y = ModQ::fromReduced(b);
    EXPECT_EQ((x * y).getValue(), referenceMul(a, b));
    EXPECT_EQ((x + y).getValue(), (a + b) % q);
    EXPECT_EQ((x - y).getValue(), (a + q - b) % q);
    EXPECT_EQ((x + (-x)).getValue(), 0u);
  }
}

TEST(ModQTest, Inverse) {
  std::mt19937_64 rng(5);
  for (int i = 0; i < 1000; ++i) {
    ModQ x = ModQ::fromReduced(1 + rng() % (q - 1));
    EXPECT_EQ((x * x.inverse()).getValue(), 1u);
  }
  EXPECT_EQ(ModQ().inverse().getValue(), 0u);
}

TEST(ModQTest, SignedIntegers) {
  EXPECT_EQ((ModQ::fromInt(-1) + ModQ::fromInt(1)).getValue(), 0u);
  EXPECT_EQ(ModQ::fromInt(-1).getValue(), q - 1);
  EXPECT_EQ(ModQ::fromInt(static_cast<int64_t>(q)).getValue(), 0u);
  // 2^63 = 4 * 2^61 = 4 (mod q), so INT64_MIN = -4 and INT64_MAX = 3.
  EXPECT_EQ(ModQ::fromInt(std::numeric_limits<int64_t>::min()).getValue(),
            q - 4);
  EXPECT_EQ(ModQ::fromInt(std::numeric_limits<int64_t>::max()).getValue(), 3u);
}

TEST(ModQTest, DoublesAreExactDyadicRationals) {
  auto fromDouble = [](double v) {
    ModQ r;
    EXPECT_TRUE(ModQ::fromDouble(v, r));
    return r;
  };
  EXPECT_EQ((fromDouble(0.5) * ModQ::fromInt(2)).getValue(), 1u);
  EXPECT_EQ((fromDouble(0.75) * ModQ::fromInt(4)).getValue(), 3u);
  EXPECT_EQ((fromDouble(-0.125) * ModQ::fromInt(8)), ModQ::fromInt(-1));
  EXPECT_EQ(fromDouble(3.0), ModQ::fromInt(3));
  EXPECT_EQ(fromDouble(1099511627776.0), ModQ::fromInt(int64_t(1) << 40));
  // 0.1 is not 1/10 but m / 2^56 with m = 7205759403792794.
  EXPECT_EQ(fromDouble(0.1) * ModQ::fromInt(int64_t(1) << 56),
            ModQ::fromInt(7205759403792794));
  EXPECT_NE(fromDouble(0.1) * ModQ::fromInt(10), ModQ::fromInt(1));
  // Products of doubles that are exact stay exact.
  EXPECT_EQ(fromDouble(0.375) * fromDouble(1.5), fromDouble(0.5625));
  EXPECT_EQ(fromDouble(0.0), ModQ());
  ModQ unused;
  EXPECT_FALSE(ModQ::fromDouble(std::nan(""), unused));
  EXPECT_FALSE(
      ModQ::fromDouble(std::numeric_limits<double>::infinity(), unused));
  // Tiny and huge magnitudes are fine: 2^-1000 * 2^1000 = 1.
  EXPECT_EQ(
      (fromDouble(std::ldexp(1.0, -1000)) * fromDouble(std::ldexp(1.0, 1000)))
          .getValue(),
      1u);
}

} // namespace
