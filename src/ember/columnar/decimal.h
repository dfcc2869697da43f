// Exact decimal arithmetic helpers: a decimal(p,s) value is an unscaled integer v
// meaning v / 10^s (int64 storage for p <= 18, __int128 above; see types.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ember/columnar/types.h"

namespace ember {

// 10^n for 0 <= n <= 38.
int128_t pow10i128(int n);
inline int64_t pow10i64(int n) { return static_cast<int64_t>(pow10i128(n)); }

// Parses "-12.345", "12", ".5", "1e3" into an unscaled value at `scale`, rounding half
// up beyond the scale; nullopt when malformed or when it needs more than `precision`
// digits.
std::optional<int128_t> parseDecimal(std::string_view s, int precision, int scale);
// "12.30" for (1230, 2).
std::string formatDecimal(int128_t unscaled, int scale);
// Changes the scale, rounding half away from zero when it shrinks.
int128_t rescaleDecimal(int128_t v, int fromScale, int toScale);
// Whether |v| < 10^precision.
bool fitsPrecision(int128_t v, int precision);
double decimalToDouble(int128_t unscaled, int scale);
std::string int128ToString(int128_t v);

}  // namespace ember
