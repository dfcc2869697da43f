#include "ember/io/text_convert.h"

#include <charconv>
#include <cmath>
#include <cstring>

#include "ember/columnar/datetime.h"
#include "ember/columnar/decimal.h"
#include "ember/common/errors.h"

namespace ember {

// ---------------------------------------------------------------- parsing

bool parseInt64Text(std::string_view s, int64_t& out) {
  const char* p = s.data();
  const char* e = p + s.size();
  bool neg = false;
  if (p < e && (*p == '-' || *p == '+')) neg = *p++ == '-';
  if (p == e || e - p > 19) return false;
  uint64_t v = 0;
  for (; p < e; ++p) {
    unsigned d = static_cast<unsigned>(*p - '0');
    if (d > 9) return false;
    v = v * 10 + d;
  }
  // 19 digits may exceed int64 (but not uint64).
  if (v > static_cast<uint64_t>(INT64_MAX) + (neg ? 1 : 0)) return false;
  out = neg ? static_cast<int64_t>(0 - v) : static_cast<int64_t>(v);
  return true;
}

bool parseDoubleText(std::string_view s, double& out) {
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec == std::errc() && p == s.data() + s.size()) return true;
  // Java's spellings, which Spark reads and writes.
  if (s == "NaN") return out = NAN, true;
  if (s == "Infinity") return out = INFINITY, true;
  if (s == "-Infinity") return out = -INFINITY, true;
  return false;
}

bool parseBoolText(std::string_view s, bool& out) {
  if (s.size() == 4 && (s[0] | 0x20) == 't' && (s[1] | 0x20) == 'r' && (s[2] | 0x20) == 'u' &&
      (s[3] | 0x20) == 'e')
    return out = true, true;
  if (s.size() == 5 && (s[0] | 0x20) == 'f' && (s[1] | 0x20) == 'a' && (s[2] | 0x20) == 'l' &&
      (s[3] | 0x20) == 's' && (s[4] | 0x20) == 'e')
    return out = false, true;
  return false;
}

namespace {

// Fast path for the common "123.45" at scale >= its fraction digits; nullopt sends the
// caller to the general parser.
std::optional<int64_t> fastDecimal(std::string_view s, int scale) {
  const char* p = s.data();
  const char* e = p + s.size();
  bool neg = false;
  if (p < e && (*p == '-' || *p == '+')) neg = *p++ == '-';
  int64_t v = 0;
  int digits = 0, frac = -1;
  for (; p < e; ++p) {
    if (*p == '.' && frac < 0) {
      frac = 0;
      continue;
    }
    unsigned d = static_cast<unsigned>(*p - '0');
    if (d > 9) return std::nullopt;
    v = v * 10 + d;
    if (++digits > 17) return std::nullopt;
    if (frac >= 0) ++frac;
  }
  if (digits == 0) return std::nullopt;
  if (frac < 0) frac = 0;
  if (frac > scale) return std::nullopt;
  v *= pow10i64(scale - frac);
  return neg ? -v : v;
}

}  // namespace

bool appendParsed(Column& col, std::string_view s, const TextParseOptions& o) {
  const DataType& t = col.type();
  switch (t.id()) {
    case TypeId::String:
      col.appendString(s);
      return true;
    case TypeId::Int8:
    case TypeId::Int16:
    case TypeId::Int32:
    case TypeId::Int64: {
      int64_t v;
      if (!parseInt64Text(s, v)) return false;
      switch (t.id()) {
        case TypeId::Int8:
          if (v < INT8_MIN || v > INT8_MAX) return false;
          col.append<int8_t>(static_cast<int8_t>(v));
          break;
        case TypeId::Int16:
          if (v < INT16_MIN || v > INT16_MAX) return false;
          col.append<int16_t>(static_cast<int16_t>(v));
          break;
        case TypeId::Int32:
          if (v < INT32_MIN || v > INT32_MAX) return false;
          col.append<int32_t>(static_cast<int32_t>(v));
          break;
        default:
          col.append<int64_t>(v);
      }
      return true;
    }
    case TypeId::Float32:
    case TypeId::Float64: {
      double v;
      if (!parseDoubleText(s, v)) return false;
      if (t.id() == TypeId::Float32)
        col.append<float>(static_cast<float>(v));
      else
        col.append<double>(v);
      return true;
    }
    case TypeId::Decimal: {
      if (!t.isWideDecimal()) {
        auto f = fastDecimal(s, t.scale());
        if (f && fitsPrecision(*f, t.precision())) {
          col.append<int64_t>(*f);
          return true;
        }
      }
      auto v = parseDecimal(s, t.precision(), t.scale());
      if (!v) return false;
      if (t.isWideDecimal())
        col.append<int128_t>(*v);
      else
        col.append<int64_t>(static_cast<int64_t>(*v));
      return true;
    }
    case TypeId::Boolean: {
      bool b;
      if (!parseBoolText(s, b)) return false;
      col.append<uint8_t>(b ? 1 : 0);
      return true;
    }
    case TypeId::Date: {
      auto d = o.dateFormat.parseDate(s);
      if (!d) return false;
      col.append<int32_t>(*d);
      return true;
    }
    case TypeId::Timestamp: {
      auto ts = o.timestampFormat.parseTimestamp(s);
      if (!ts) return false;
      col.append<int64_t>(*ts);
      return true;
    }
    default:
      throw UserError("Cannot read a column of type " + t.toString() + " from text");
  }
}

// ---------------------------------------------------------------- inference

DataType inferTextType(std::string_view s, const TextParseOptions& o, bool prefersDecimal) {
  int64_t i;
  if (parseInt64Text(s, i))
    return i >= INT32_MIN && i <= INT32_MAX ? DataType::int32() : DataType::int64();
  // Integers beyond bigint, and with prefersDecimal fractions: decimal (Spark's rule).
  size_t digits = 0, frac = 0;
  bool plain = !s.empty(), dot = false;
  for (size_t k = 0; k < s.size(); ++k) {
    char c = s[k];
    if (c >= '0' && c <= '9')
      ++digits, frac += dot;
    else if (c == '.' && !dot)
      dot = true;
    else if (!((c == '-' || c == '+') && k == 0))
      plain = false;
  }
  if (plain && digits > 0 && digits <= 38 && (frac == 0 || prefersDecimal))
    return DataType::decimal(static_cast<int>(std::max<size_t>(digits, 1)), static_cast<int>(frac));
  double d;
  if (parseDoubleText(s, d)) return DataType::float64();
  if (o.dateFormat.parseDate(s) && (!o.dateFormat.isIso() || s.size() == 10))
    return DataType::date();
  if (o.timestampFormat.parseTimestamp(s)) return DataType::timestamp();
  bool b;
  if (parseBoolText(s, b)) return DataType::boolean();
  return DataType::string();
}

DataType mergeInferredTypes(const DataType& a, const DataType& b) {
  if (a.id() == TypeId::Null) return b;
  if (b.id() == TypeId::Null || a == b) return a;
  auto rank = [](const DataType& t) {
    switch (t.id()) {
      case TypeId::Int32:
        return 1;
      case TypeId::Int64:
        return 2;
      case TypeId::Decimal:
        return 3;
      case TypeId::Float64:
        return 4;
      default:
        return 0;
    }
  };
  int ra = rank(a), rb = rank(b);
  if (ra && rb) {
    if (ra == 3 && rb == 3) {
      int scale = std::max(a.scale(), b.scale());
      int intDigits = std::max(a.precision() - a.scale(), b.precision() - b.scale());
      if (intDigits + scale > 38) return DataType::float64();
      return DataType::decimal(intDigits + scale, scale);
    }
    if (ra == 3 || rb == 3) {
      const DataType& dec = ra == 3 ? a : b;
      int other = ra == 3 ? rb : ra;
      if (other == 4) return DataType::float64();
      int intDigits = std::max(dec.precision() - dec.scale(), other == 1 ? 10 : 19);
      if (intDigits + dec.scale() > 38) return DataType::float64();
      return DataType::decimal(intDigits + dec.scale(), dec.scale());
    }
    return ra > rb ? a : b;
  }
  if ((a.id() == TypeId::Date && b.id() == TypeId::Timestamp) ||
      (a.id() == TypeId::Timestamp && b.id() == TypeId::Date))
    return DataType::timestamp();
  return DataType::string();
}

// ---------------------------------------------------------------- formatting

void formatDoubleJava(double d, bool isFloat, std::string& out) {
  if (std::isnan(d)) return void(out += "NaN");
  if (std::isinf(d)) return void(out += d > 0 ? "Infinity" : "-Infinity");
  char buf[64];
  double a = std::fabs(d);
  bool plain = a == 0 || (a >= 1e-3 && a < 1e7);
  auto fmt = plain ? std::chars_format::fixed : std::chars_format::scientific;
  auto r = isFloat ? std::to_chars(buf, buf + sizeof buf, static_cast<float>(d), fmt)
                   : std::to_chars(buf, buf + sizeof buf, d, fmt);
  std::string_view s(buf, static_cast<size_t>(r.ptr - buf));
  if (plain) {
    out += s;
    if (s.find('.') == std::string_view::npos) out += ".0";
    return;
  }
  // "1.5e+10" -> "1.5E10", "1e-05" -> "1.0E-5"
  size_t e = s.find('e');
  std::string_view mant = s.substr(0, e);
  out += mant;
  if (mant.find('.') == std::string_view::npos) out += ".0";
  out += 'E';
  std::string_view exp = s.substr(e + 1);
  if (exp[0] == '-') out += '-';
  exp.remove_prefix(1);
  while (exp.size() > 1 && exp[0] == '0') exp.remove_prefix(1);
  out += exp;
}

void formatValueText(const Column& c, int64_t i, const TextParseOptions& o, std::string& out) {
  const DataType& t = c.type();
  char buf[48];
  switch (t.id()) {
    case TypeId::String:
      out += c.stringAt(i);
      break;
    case TypeId::Boolean:
      out += c.valueAt<uint8_t>(i) ? "true" : "false";
      break;
    case TypeId::Int8:
    case TypeId::Int16:
    case TypeId::Int32:
    case TypeId::Int64: {
      int64_t v = t.id() == TypeId::Int8    ? c.valueAt<int8_t>(i)
                  : t.id() == TypeId::Int16 ? c.valueAt<int16_t>(i)
                  : t.id() == TypeId::Int32 ? c.valueAt<int32_t>(i)
                                            : c.valueAt<int64_t>(i);
      auto r = std::to_chars(buf, buf + sizeof buf, v);
      out.append(buf, r.ptr);
      break;
    }
    case TypeId::Float32:
      formatDoubleJava(c.valueAt<float>(i), true, out);
      break;
    case TypeId::Float64:
      formatDoubleJava(c.valueAt<double>(i), false, out);
      break;
    case TypeId::Decimal:
      out += formatDecimal(t.isWideDecimal() ? c.valueAt<int128_t>(i) : c.valueAt<int64_t>(i),
                           t.scale());
      break;
    case TypeId::Date:
      if (o.dateFormat.isIso())
        out += formatDate(c.valueAt<int32_t>(i));
      else
        o.dateFormat.formatDate(c.valueAt<int32_t>(i), out);
      break;
    case TypeId::Timestamp:
      o.timestampFormat.formatTimestamp(c.valueAt<int64_t>(i), out);
      break;
    default:
      throw UserError("Cannot write a column of type " + t.toString() + " as text");
  }
}

}  // namespace ember
