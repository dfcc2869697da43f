// CAST to and from string: Spark's text forms (Java's Double.toString for floats,
// decimals with their scale, ISO dates and timestamps) and Spark's lenient parsing
// (surrounding whitespace ignored, '12.7' -> 12 for integers, 'yes'/'no' booleans).
#include <charconv>
#include <cmath>
#include <limits>

#include "ember/columnar/datetime.h"
#include "ember/columnar/decimal.h"
#include "ember/sql/functions_common.h"

namespace ember::sql::fn {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && static_cast<unsigned char>(s.front()) <= ' ') s.remove_prefix(1);
  while (!s.empty() && static_cast<unsigned char>(s.back()) <= ' ') s.remove_suffix(1);
  return s;
}

template <class To, class Conv>
ColumnPtr parseLoop(const Column& c, const DataType& to, bool ansi, Conv conv) {
  int64_t n = c.size();
  ColumnPtr out = Column::make(to, n);
  propagateNulls(*out, {&c}, n);
  To* o = out->mutableValues<To>();
  const uint64_t* v = c.validity();
  for (int64_t i = 0; i < n; ++i) {
    if (!bitSet(v, i)) {
      o[i] = To{};
      continue;
    }
    if (!conv(trim(c.stringAt(i)), o[i])) {
      if (ansi) throwCastError(c, i, to);
      clearBit(out->mutableValidity(), i);
    }
  }
  return out;
}

// "-12", "+7", "12.99" (fraction truncated, as Spark's UTF8String.toLong).
bool parseInteger(std::string_view s, int64_t lo, int64_t hi, int64_t& out) {
  size_t i = 0;
  bool neg = false;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
  if (i == s.size()) return false;
  int128_t v = 0;
  size_t digits = 0;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, ++digits) {
    v = v * 10 + (s[i] - '0');
    if (v > static_cast<int128_t>(INT64_MAX) + 1) return false;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    size_t frac = 0;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) ++frac;
    if (digits + frac == 0) return false;
  } else if (digits == 0) {
    return false;
  }
  if (i != s.size()) return false;
  if (neg) v = -v;
  if (v < lo || v > hi) return false;
  out = static_cast<int64_t>(v);
  return true;
}

bool parseFloating(std::string_view s, double& out) {
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  if (!s.empty() && (s.back() == 'd' || s.back() == 'D' || s.back() == 'f' || s.back() == 'F'))
    s.remove_suffix(1);
  if (s.empty()) return false;
  auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  if (r.ec == std::errc::result_out_of_range) {
    out = (s[0] == '-' ? -1 : 1) * std::numeric_limits<double>::infinity();
    return r.ptr == s.data() + s.size();
  }
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

bool parseBoolean(std::string_view s, uint8_t& out) {
  std::string l;
  for (char ch : s) l += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (l == "t" || l == "true" || l == "y" || l == "yes" || l == "1") return out = 1, true;
  if (l == "f" || l == "false" || l == "n" || l == "no" || l == "0") return out = 0, true;
  return false;
}

// Spark accepts "2024", "2024-03", "2024-03-05" and a date followed by a time part.
bool parseDateLenient(std::string_view s, int32_t& out) {
  if (auto d = parseDate(s)) return out = *d, true;
  size_t cut = s.find_first_of(" T");
  if (cut != std::string_view::npos && cut >= 8) {
    if (auto d = parseDate(s.substr(0, cut))) return out = *d, true;
    return false;
  }
  int64_t y, m = 1;
  size_t dash = s.find('-', 1);
  if (s.size() >= 4 && dash == std::string_view::npos) {
    if (!parseInteger(s, 0, 9999, y) || s.find('.') != std::string_view::npos) return false;
  } else if (dash != std::string_view::npos && s.find('-', dash + 1) == std::string_view::npos) {
    if (!parseInteger(s.substr(0, dash), 0, 9999, y) || !parseInteger(s.substr(dash + 1), 1, 12, m))
      return false;
  } else {
    return false;
  }
  out = daysFromCivil(static_cast<int32_t>(y), static_cast<int32_t>(m), 1);
  return true;
}

template <class T>
ColumnPtr parseIntegers(const Column& c, const DataType& to, bool ansi) {
  int64_t lo = std::numeric_limits<T>::min(), hi = std::numeric_limits<T>::max();
  return parseLoop<T>(c, to, ansi, [lo, hi](std::string_view s, T& o) {
    int64_t v;
    if (!parseInteger(s, lo, hi, v)) return false;
    o = static_cast<T>(v);
    return true;
  });
}

}  // namespace

std::string formatFloating(double d, bool isFloat) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  if (d == 0) return std::signbit(d) ? "-0.0" : "0.0";
  char buf[64];
  auto r = isFloat ? std::to_chars(buf, buf + sizeof buf, static_cast<float>(d),
                                   std::chars_format::scientific)
                   : std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<size_t>(r.ptr - buf));
  // sci = [-]D[.DDD]e[+-]XX: split into sign, significant digits and exponent.
  bool neg = sci[0] == '-';
  if (neg) sci.remove_prefix(1);
  size_t e = sci.find('e');
  std::string digits;
  for (char ch : sci.substr(0, e))
    if (ch != '.') digits += ch;
  int exp = std::stoi(std::string(sci.substr(e + 1)));
  std::string out = neg ? "-" : "";
  double a = std::fabs(d);
  if (a >= 1e-3 && a < 1e7) {
    if (exp >= 0) {
      size_t intLen = static_cast<size_t>(exp) + 1;
      if (digits.size() < intLen) digits.append(intLen - digits.size(), '0');
      std::string frac = digits.substr(intLen);
      out += digits.substr(0, intLen) + "." + (frac.empty() ? "0" : frac);
    } else {
      out += "0." + std::string(static_cast<size_t>(-exp - 1), '0') + digits;
    }
    return out;
  }
  out += digits.substr(0, 1) + "." + (digits.size() > 1 ? digits.substr(1) : "0");
  return out + "E" + std::to_string(exp);
}

ColumnPtr castToString(const Column& c) {
  int64_t n = c.size();
  const DataType& t = c.type();
  const uint64_t* v = c.validity();
  StringBuilder b(n, n * 8);
  char buf[64];
  for (int64_t i = 0; i < n; ++i) {
    if (!bitSet(v, i)) {
      b.null();
      continue;
    }
    switch (t.id()) {
      case TypeId::Boolean:
        b.append(c.valueAt<uint8_t>(i) ? "true" : "false");
        break;
      case TypeId::Int8:
      case TypeId::Int16:
      case TypeId::Int32:
      case TypeId::Int64: {
        int64_t x = t.id() == TypeId::Int64   ? c.valueAt<int64_t>(i)
                    : t.id() == TypeId::Int32 ? c.valueAt<int32_t>(i)
                    : t.id() == TypeId::Int16 ? c.valueAt<int16_t>(i)
                                              : c.valueAt<int8_t>(i);
        auto r = std::to_chars(buf, buf + sizeof buf, x);
        b.append(std::string_view(buf, static_cast<size_t>(r.ptr - buf)));
        break;
      }
      case TypeId::Float32:
        b.append(formatFloating(c.valueAt<float>(i), true));
        break;
      case TypeId::Float64:
        b.append(formatFloating(c.valueAt<double>(i), false));
        break;
      case TypeId::Decimal:
        b.append(formatDecimal(t.isWideDecimal() ? c.valueAt<int128_t>(i) : c.valueAt<int64_t>(i),
                               t.scale()));
        break;
      case TypeId::Date:
        b.append(formatDate(c.valueAt<int32_t>(i)));
        break;
      case TypeId::Timestamp:
        b.append(formatTimestamp(c.valueAt<int64_t>(i)));
        break;
      default:
        throw UserError("cannot cast " + t.toString() + " to string");
    }
  }
  return b.finish();
}

ColumnPtr castFromString(const Column& c, const DataType& to, bool ansi) {
  switch (to.id()) {
    case TypeId::Boolean:
      return parseLoop<uint8_t>(c, to, ansi, parseBoolean);
    case TypeId::Int8:
      return parseIntegers<int8_t>(c, to, ansi);
    case TypeId::Int16:
      return parseIntegers<int16_t>(c, to, ansi);
    case TypeId::Int32:
      return parseIntegers<int32_t>(c, to, ansi);
    case TypeId::Int64:
      return parseIntegers<int64_t>(c, to, ansi);
    case TypeId::Float32:
      return parseLoop<float>(c, to, ansi, [](std::string_view s, float& o) {
        double d;
        if (!parseFloating(s, d)) return false;
        o = static_cast<float>(d);
        return true;
      });
    case TypeId::Float64:
      return parseLoop<double>(c, to, ansi, parseFloating);
    case TypeId::Decimal: {
      int p = to.precision(), s = to.scale();
      auto conv = [p, s](std::string_view str, auto& o) {
        auto v = parseDecimal(str, p, s);
        if (!v) return false;
        o = static_cast<std::remove_reference_t<decltype(o)>>(*v);
        return true;
      };
      if (to.isWideDecimal()) return parseLoop<int128_t>(c, to, ansi, conv);
      return parseLoop<int64_t>(c, to, ansi, conv);
    }
    case TypeId::Date:
      return parseLoop<int32_t>(c, to, ansi, parseDateLenient);
    case TypeId::Timestamp:
      return parseLoop<int64_t>(c, to, ansi, [](std::string_view s, int64_t& o) {
        if (auto t = parseTimestamp(s)) return o = *t, true;
        int32_t d;
        if (!parseDateLenient(s, d)) return false;
        o = static_cast<int64_t>(d) * kMicrosPerDay;
        return true;
      });
    default:
      throw UserError("cannot cast string to " + to.toString());
  }
}

}  // namespace ember::sql::fn
