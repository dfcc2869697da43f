#include "ember/columnar/decimal.h"

#include <cmath>
#include <cstdlib>

namespace ember {

int128_t pow10i128(int n) {
  static const auto table = [] {
    struct T {
      int128_t v[39];
    } t{};
    t.v[0] = 1;
    for (int i = 1; i <= 38; ++i) t.v[i] = t.v[i - 1] * 10;
    return t;
  }();
  return table.v[n < 0 ? 0 : (n > 38 ? 38 : n)];
}

std::string int128ToString(int128_t v) {
  if (v == 0) return "0";
  bool neg = v < 0;
  uint128_t u = neg ? -static_cast<uint128_t>(v) : static_cast<uint128_t>(v);
  char buf[48];
  int pos = 48;
  while (u) {
    buf[--pos] = static_cast<char>('0' + static_cast<int>(u % 10));
    u /= 10;
  }
  if (neg) buf[--pos] = '-';
  return std::string(buf + pos, buf + 48);
}

std::string formatDecimal(int128_t unscaled, int scale) {
  std::string digits = int128ToString(unscaled < 0 ? -unscaled : unscaled);
  std::string out;
  if (unscaled < 0) out += '-';
  if (scale <= 0) return out + digits;
  size_t n = digits.size(), s = static_cast<size_t>(scale);
  if (n <= s) {
    out += "0.";
    out.append(s - n, '0');
    out += digits;
  } else {
    out.append(digits, 0, n - s);
    out += '.';
    out.append(digits, n - s, s);
  }
  return out;
}

bool fitsPrecision(int128_t v, int precision) {
  int128_t lim = pow10i128(precision);
  return v < lim && v > -lim;
}

int128_t rescaleDecimal(int128_t v, int fromScale, int toScale) {
  if (toScale >= fromScale) return v * pow10i128(toScale - fromScale);
  int128_t div = pow10i128(fromScale - toScale);
  int128_t q = v / div, r = v % div;
  if (r * 2 >= div) ++q;
  if (r * 2 <= -div) --q;
  return q;
}

double decimalToDouble(int128_t unscaled, int scale) {
  return static_cast<double>(unscaled) / std::pow(10.0, scale);
}

std::optional<int128_t> parseDecimal(std::string_view s, int precision, int scale) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  if (s.empty()) return std::nullopt;
  bool neg = false;
  size_t i = 0;
  if (s[0] == '-' || s[0] == '+') {
    neg = s[0] == '-';
    ++i;
  }
  int128_t v = 0;
  int digits = 0, fracDigits = 0;
  bool seenDot = false, any = false, roundUp = false;
  int exponent = 0;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c >= '0' && c <= '9') {
      any = true;
      if (seenDot && fracDigits >= scale) {
        // Beyond the target scale: remember the first dropped digit for rounding.
        if (fracDigits == scale) roundUp = c >= '5';
        ++fracDigits;
        continue;
      }
      if (v != 0 || c != '0') ++digits;
      if (digits > 38) return std::nullopt;
      v = v * 10 + (c - '0');
      if (seenDot) ++fracDigits;
    } else if (c == '.' && !seenDot) {
      seenDot = true;
    } else if ((c == 'e' || c == 'E') && any) {
      char* end = nullptr;
      std::string e(s.substr(i + 1));
      long ex = std::strtol(e.c_str(), &end, 10);
      if (e.empty() || *end != '\0' || ex > 76 || ex < -76) return std::nullopt;
      exponent = static_cast<int>(ex);
      break;
    } else {
      return std::nullopt;
    }
  }
  if (!any) return std::nullopt;
  int kept = std::min(fracDigits, scale);
  if (exponent != 0) {
    // Re-scale exactly: value = v * 10^(exponent - kept); target scale `scale`.
    int shift = scale - kept + exponent;
    if (shift >= 0) {
      if (shift > 38) return std::nullopt;
      v *= pow10i128(shift);
    } else {
      v = rescaleDecimal(v, -shift, 0);
    }
    roundUp = false;
  } else {
    v *= pow10i128(scale - kept);
  }
  if (roundUp) ++v;
  if (!fitsPrecision(v, precision)) return std::nullopt;
  return neg ? -v : v;
}

}  // namespace ember
