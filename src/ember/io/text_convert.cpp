#include "ember/io/text_convert.h"

#include <charconv>
#include <cmath>
#include <cstring>

#include "ember/columnar/datetime.h"
#include "ember/columnar/decimal.h"
#include "ember/common/errors.h"

namespace ember {

// ---------------------------------------------------------------- TemporalFormat

TemporalFormat TemporalFormat::compile(const std::string& pattern) {
  TemporalFormat f;
  std::vector<size_t> opens;  // tokens of unclosed '['; width = index of the matching ']'
  for (size_t i = 0; i < pattern.size();) {
    char c = pattern[i];
    if (c == '\'') {  // quoted literal; '' is a quote
      size_t j = pattern.find('\'', i + 1);
      if (j == std::string::npos)
        throw UserError("Unterminated quote in date/time pattern '" + pattern + "'");
      f.tokens_.push_back({0, 0, j == i + 1 ? "'" : pattern.substr(i + 1, j - i - 1)});
      i = j + 1;
    } else if (c == '[') {
      opens.push_back(f.tokens_.size());
      f.tokens_.push_back({'[', 0, {}});
      ++i;
    } else if (c == ']') {
      if (opens.empty()) throw UserError("Unbalanced ']' in date/time pattern '" + pattern + "'");
      f.tokens_[opens.back()].width = static_cast<int>(f.tokens_.size());
      opens.pop_back();
      f.tokens_.push_back({']', 0, {}});
      ++i;
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      if (!std::strchr("yuMdHmsSXZx", c))
        throw UserError("Unsupported letter '" + std::string(1, c) + "' in date/time pattern '" +
                        pattern + "' (supported: y M d H m s S X Z)");
      size_t j = i;
      while (j < pattern.size() && pattern[j] == c) ++j;
      f.tokens_.push_back({c == 'u' ? 'y' : c, static_cast<int>(j - i), {}});
      i = j;
    } else {
      f.tokens_.push_back({0, 0, std::string(1, c)});
      ++i;
    }
  }
  if (!opens.empty()) throw UserError("Unbalanced '[' in date/time pattern '" + pattern + "'");
  return f;
}

bool TemporalFormat::parseFields(std::string_view s, int64_t f[8]) const {
  // year, month, day, hour, minute, second, micros, offset seconds
  f[0] = 1970, f[1] = 1, f[2] = 1, f[3] = f[4] = f[5] = f[6] = f[7] = 0;
  size_t p = 0;
  auto digits = [&](int minW, int maxW, int64_t& out) {
    int n = 0;
    int64_t v = 0;
    while (n < maxW && p < s.size() && s[p] >= '0' && s[p] <= '9') v = v * 10 + (s[p++] - '0'), ++n;
    out = v;
    return n >= minW;
  };
  auto match = [&](const Token& t, const Token* next) {
    // A number directly followed by another number field ("yyyyMMdd") takes exactly its
    // width, as Java's adjacent-value parsing does.
    bool adjacent = next && next->letter != 0 && next->letter != '[' && next->letter != ']';
    if (t.letter == 0) {
      if (s.substr(p, t.literal.size()) != t.literal) return false;
      p += t.literal.size();
      return true;
    }
    int64_t v = 0;
    int w = t.width;
    switch (t.letter) {
      case 'y':
        if (!digits(w == 2 ? 2 : 1, w == 2 ? 2 : adjacent ? std::max(w, 4) : 9, v)) return false;
        f[0] = w == 2 ? 2000 + v : v;
        return true;
      case 'M':
      case 'd':
      case 'H':
      case 'm':
      case 's': {
        if (!digits(w == 1 && !adjacent ? 1 : std::max(w, 2),
                    w == 1 && !adjacent ? 2 : std::max(w, 2), v))
          return false;
        f[std::string_view("?MdHms").find(t.letter)] = v;
        return true;
      }
      case 'S': {
        size_t start = p;
        if (!digits(1, std::max(w, 9), v)) return false;
        int n = static_cast<int>(p - start);
        while (n > 6) v /= 10, --n;
        while (n < 6) v *= 10, ++n;
        f[6] = v;
        return true;
      }
      default: {  // zone offset
        if (p < s.size() && s[p] == 'Z') {
          ++p;
          return true;
        }
        if (p >= s.size() || (s[p] != '+' && s[p] != '-')) return false;
        int sign = s[p++] == '-' ? -1 : 1;
        int64_t hh = 0, mm = 0;
        if (!digits(2, 2, hh)) return false;
        if (p < s.size() && s[p] == ':') ++p;
        if (p < s.size() && s[p] >= '0' && s[p] <= '9' && !digits(2, 2, mm)) return false;
        f[7] = sign * (hh * 3600 + mm * 60);
        return true;
      }
    }
  };
  // Optional sections "[...]": on a mismatch inside one, parsing resumes after it with the
  // position and fields as they were before it.
  struct Saved {
    size_t p;
    int64_t f[8];
    size_t end;
  };
  std::vector<Saved> open;
  for (size_t ti = 0; ti < tokens_.size(); ++ti) {
    const Token& t = tokens_[ti];
    if (t.letter == '[') {
      Saved sv{p, {}, static_cast<size_t>(t.width)};
      std::memcpy(sv.f, f, sizeof sv.f);
      open.push_back(sv);
      continue;
    }
    if (t.letter == ']') {
      if (!open.empty()) open.pop_back();
      continue;
    }
    if (match(t, ti + 1 < tokens_.size() ? &tokens_[ti + 1] : nullptr)) continue;
    if (open.empty()) return false;
    p = open.back().p;
    std::memcpy(f, open.back().f, sizeof open.back().f);
    ti = open.back().end;  // the section's ']'
    open.pop_back();
  }
  if (p != s.size()) return false;
  return f[3] < 24 && f[4] < 60 && f[5] < 60 && f[0] <= 999999 &&
         isValidCivil(static_cast<int32_t>(f[0]), static_cast<int32_t>(f[1]),
                      static_cast<int32_t>(f[2]));
}

std::optional<int32_t> TemporalFormat::parseDate(std::string_view s) const {
  if (tokens_.empty()) {
    // Fast path for the canonical "YYYY-MM-DD" (most dates in data files).
    auto dig = [&](size_t i) { return static_cast<unsigned>(s[i] - '0'); };
    if (s.size() == 10 && s[4] == '-' && s[7] == '-') {
      unsigned y = dig(0) * 1000 + dig(1) * 100 + dig(2) * 10 + dig(3), m = dig(5) * 10 + dig(6),
               d = dig(8) * 10 + dig(9);
      bool digits = true;
      for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) digits &= dig(i) <= 9;
      if (digits &&
          isValidCivil(static_cast<int32_t>(y), static_cast<int32_t>(m), static_cast<int32_t>(d)))
        return daysFromCivil(static_cast<int32_t>(y), static_cast<int32_t>(m),
                             static_cast<int32_t>(d));
    }
    return ember::parseDate(s);
  }
  int64_t f[8];
  if (!parseFields(s, f)) return std::nullopt;
  return daysFromCivil(static_cast<int32_t>(f[0]), static_cast<int32_t>(f[1]),
                       static_cast<int32_t>(f[2]));
}

std::optional<int64_t> TemporalFormat::parseTimestamp(std::string_view s) const {
  if (tokens_.empty()) return ember::parseTimestamp(s);
  int64_t f[8];
  if (!parseFields(s, f)) return std::nullopt;
  int64_t days = daysFromCivil(static_cast<int32_t>(f[0]), static_cast<int32_t>(f[1]),
                               static_cast<int32_t>(f[2]));
  return days * kMicrosPerDay + ((f[3] * 60 + f[4]) * 60 + f[5] - f[7]) * kMicrosPerSecond + f[6];
}

namespace {

void appendPadded(std::string& out, int64_t v, int width) {
  char buf[24];
  if (v < 0) out += '-', v = -v;
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
  for (int n = static_cast<int>(p - buf); n < width; ++n) out += '0';
  out.append(buf, p);
}

// Spark's default timestamp output pattern (session time zone UTC).
const TemporalFormat& isoTimestampOut() {
  static const TemporalFormat f = TemporalFormat::compile("yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
  return f;
}

}  // namespace

void TemporalFormat::formatDate(int32_t days, std::string& out) const {
  formatTimestamp(static_cast<int64_t>(days) * kMicrosPerDay, out);
}

void TemporalFormat::formatTimestamp(int64_t micros, std::string& out) const {
  if (tokens_.empty()) return isoTimestampOut().formatTimestamp(micros, out);
  int64_t days =
      micros >= 0 ? micros / kMicrosPerDay : -((-micros + kMicrosPerDay - 1) / kMicrosPerDay);
  int64_t rest = micros - days * kMicrosPerDay;
  CivilDate c = civilFromDays(static_cast<int32_t>(days));
  int64_t secs = rest / kMicrosPerSecond;
  int64_t f[7] = {
      c.year, c.month, c.day, secs / 3600, secs / 60 % 60, secs % 60, rest % kMicrosPerSecond};
  for (const Token& t : tokens_) {
    switch (t.letter) {
      case '[':
      case ']':
        break;
      case 0:
        out += t.literal;
        break;
      case 'y':
        appendPadded(out, t.width == 2 ? f[0] % 100 : f[0], t.width == 2 ? 2 : t.width);
        break;
      case 'M':
        appendPadded(out, f[1], t.width);
        break;
      case 'd':
        appendPadded(out, f[2], t.width);
        break;
      case 'H':
        appendPadded(out, f[3], t.width);
        break;
      case 'm':
        appendPadded(out, f[4], t.width);
        break;
      case 's':
        appendPadded(out, f[5], t.width);
        break;
      case 'S': {
        std::string frac;
        appendPadded(frac, f[6], 6);
        frac.resize(static_cast<size_t>(t.width), '0');
        out += frac;
        break;
      }
      default:
        out += t.letter == 'Z' ? "+0000" : "Z";
    }
  }
}

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
