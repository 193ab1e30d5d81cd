//===- ModularArithmetic.h - Exact arithmetic in Z_q ------------*- C++ -*-===//
//
// Theorem 2 of PET tests polynomial identities by evaluating both programs on
// random inputs from a large finite field, exactly. This is that field: the
// integers modulo the Mersenne prime q = 2^61 - 1, where a product of two
// residues fits in 128 bits and reduces with shifts.
//
//===----------------------------------------------------------------------===//

#ifndef PET_ANALYSIS_MODULARARITHMETIC_H
#define PET_ANALYSIS_MODULARARITHMETIC_H

#include <cstdint>

namespace mlir::pet {

class ModQ {
public:
  static constexpr uint64_t kModulus = (uint64_t(1) << 61) - 1;

  constexpr ModQ() = default;
  /// The residue of a signed integer.
  static ModQ fromInt(int64_t value);
  /// The residue of a finite double, read as the exact dyadic rational
  /// m * 2^e it is (so 0.5 is the inverse of 2). Fails (returns false) for
  /// infinities and NaN.
  static bool fromDouble(double value, ModQ &result);
  /// The residue of `value`, which must already be below kModulus.
  static constexpr ModQ fromReduced(uint64_t value) { return ModQ(value); }

  /// The residue of a 128-bit integer (sums of products accumulated
  /// without reducing each one: 2^61 = 1 modulo q).
  static ModQ fromWide(unsigned __int128 x) {
    unsigned __int128 high = x >> 61; // < 2^67
    uint64_t folded = static_cast<uint64_t>(high & kModulus) +
                      static_cast<uint64_t>(high >> 61); // < 2^61 + 2^6
    uint64_t sum = (static_cast<uint64_t>(x) & kModulus) + folded; // < 2^63
    sum = (sum & kModulus) + (sum >> 61);
    return ModQ(sum >= kModulus ? sum - kModulus : sum);
  }

  uint64_t getValue() const { return value; }

  ModQ operator+(ModQ other) const {
    uint64_t sum = value + other.value; // < 2^62, no overflow
    return ModQ(sum >= kModulus ? sum - kModulus : sum);
  }
  ModQ operator-(ModQ other) const {
    return ModQ(value >= other.value ? value - other.value
                                     : value + kModulus - other.value);
  }
  ModQ operator-() const { return ModQ(value ? kModulus - value : 0); }
  ModQ operator*(ModQ other) const {
    unsigned __int128 product =
        static_cast<unsigned __int128>(value) * other.value;
    uint64_t low = static_cast<uint64_t>(product) & kModulus;
    uint64_t high = static_cast<uint64_t>(product >> 61);
    uint64_t sum = low + high;
    return ModQ(sum >= kModulus ? sum - kModulus : sum);
  }
  ModQ &operator+=(ModQ other) { return *this = *this + other; }
  ModQ &operator*=(ModQ other) { return *this = *this * other; }
  bool operator==(ModQ other) const { return value == other.value; }
  bool operator!=(ModQ other) const { return value != other.value; }

  /// this^exponent.
  ModQ pow(uint64_t exponent) const;
  /// The multiplicative inverse; the inverse of 0 is 0.
  ModQ inverse() const { return pow(kModulus - 2); }

private:
  constexpr explicit ModQ(uint64_t value) : value(value) {}
  uint64_t value = 0;
};

} // namespace mlir::pet

#endif // PET_ANALYSIS_MODULARARITHMETIC_H
