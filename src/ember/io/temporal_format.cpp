// TemporalFormat (text_convert.h): Java-style date/time patterns for the text formats.
#include <algorithm>
#include <charconv>
#include <cstring>
#include <string_view>
#include <vector>

#include "ember/columnar/datetime.h"
#include "ember/common/errors.h"
#include "ember/io/text_convert.h"

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

}  // namespace ember
