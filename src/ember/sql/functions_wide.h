// 256-bit unsigned magnitudes: the exact slow path of decimal arithmetic when an
// intermediate (a rescaled operand, a 38x38-digit product, a dividend times 10^k)
// leaves the 128-bit range although the final result may still fit. Only used for the
// rows that overflow the fast int128 path, so clarity beats speed here.
#pragma once

#include "ember/columnar/types.h"

namespace ember::sql::fn {

struct U256 {
  uint128_t hi = 0, lo = 0;
};

inline U256 mulWide(uint128_t a, uint128_t b) {
  // Schoolbook multiplication on 64-bit limbs.
  uint64_t a0 = static_cast<uint64_t>(a), a1 = static_cast<uint64_t>(a >> 64);
  uint64_t b0 = static_cast<uint64_t>(b), b1 = static_cast<uint64_t>(b >> 64);
  uint128_t p00 = static_cast<uint128_t>(a0) * b0, p01 = static_cast<uint128_t>(a0) * b1;
  uint128_t p10 = static_cast<uint128_t>(a1) * b0, p11 = static_cast<uint128_t>(a1) * b1;
  uint128_t mid = (p00 >> 64) + static_cast<uint64_t>(p01) + static_cast<uint64_t>(p10);
  U256 r;
  r.lo = (mid << 64) | static_cast<uint64_t>(p00);
  r.hi = p11 + (p01 >> 64) + (p10 >> 64) + (mid >> 64);
  return r;
}

inline bool lessWide(const U256& a, const U256& b) {
  return a.hi != b.hi ? a.hi < b.hi : a.lo < b.lo;
}

inline U256 addWide(const U256& a, const U256& b) {
  U256 r;
  r.lo = a.lo + b.lo;
  r.hi = a.hi + b.hi + (r.lo < a.lo);
  return r;
}

// a - b, requires a >= b.
inline U256 subWide(const U256& a, const U256& b) {
  U256 r;
  r.lo = a.lo - b.lo;
  r.hi = a.hi - b.hi - (a.lo < b.lo);
  return r;
}

// Quotient of a / d rounded half up (away from zero on the magnitude); d > 0.
inline U256 divRoundWide(const U256& a, uint128_t d) {
  U256 q;
  uint128_t rem = 0;
  for (int bit = 255; bit >= 0; --bit) {
    bool carry = rem >> 127;
    uint128_t in = bit >= 128 ? (a.hi >> (bit - 128)) & 1 : (a.lo >> bit) & 1;
    rem = (rem << 1) | in;
    if (carry || rem >= d) {
      rem -= d;
      if (bit >= 128)
        q.hi |= uint128_t{1} << (bit - 128);
      else
        q.lo |= uint128_t{1} << bit;
    }
  }
  // Round: remainder >= d / 2 (compare 2*rem >= d without overflowing).
  if (rem >= d - rem) q = addWide(q, U256{0, 1});
  return q;
}

inline uint128_t absWide(int128_t v) {
  return v < 0 ? -static_cast<uint128_t>(v) : static_cast<uint128_t>(v);
}

}  // namespace ember::sql::fn
