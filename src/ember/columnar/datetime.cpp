#include "ember/columnar/datetime.h"

#include <fmt/format.h>

namespace ember {

// Howard Hinnant's days_from_civil / civil_from_days algorithms.
int32_t daysFromCivil(int32_t y, int32_t m, int32_t d) {
  y -= m <= 2;
  const int32_t era = (y >= 0 ? y : y - 399) / 400;
  const uint32_t yoe = static_cast<uint32_t>(y - era * 400);
  const uint32_t doy =
      (153 * static_cast<uint32_t>(m + (m > 2 ? -3 : 9)) + 2) / 5 + static_cast<uint32_t>(d) - 1;
  const uint32_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int32_t>(doe) - 719468;
}

CivilDate civilFromDays(int32_t z) {
  z += 719468;
  const int32_t era = (z >= 0 ? z : z - 146096) / 146097;
  const uint32_t doe = static_cast<uint32_t>(z - era * 146097);
  const uint32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int32_t y = static_cast<int32_t>(yoe) + era * 400;
  const uint32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const uint32_t mp = (5 * doy + 2) / 153;
  const uint32_t d = doy - (153 * mp + 2) / 5 + 1;
  const uint32_t m = mp < 10 ? mp + 3 : mp - 9;
  return {y + (m <= 2), static_cast<int32_t>(m), static_cast<int32_t>(d)};
}

int32_t daysInMonth(int32_t y, int32_t m) {
  static const int32_t kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

bool isValidCivil(int32_t y, int32_t m, int32_t d) {
  return m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m) && y >= -290000 && y <= 290000;
}

namespace {
// Reads 1..maxDigits digits at s[pos]; advances pos.
bool readInt(std::string_view s, size_t& pos, int minDigits, int maxDigits, int32_t& out) {
  int n = 0;
  int32_t v = 0;
  while (pos < s.size() && n < maxDigits && s[pos] >= '0' && s[pos] <= '9') {
    v = v * 10 + (s[pos] - '0');
    ++pos;
    ++n;
  }
  out = v;
  return n >= minDigits;
}

std::string_view trimView(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

bool parseDatePart(std::string_view s, size_t& pos, int32_t& days) {
  int32_t y, m, d;
  bool neg = pos < s.size() && s[pos] == '-';
  if (neg) ++pos;
  if (!readInt(s, pos, 4, 6, y)) return false;
  if (neg) y = -y;
  if (pos >= s.size() || s[pos++] != '-') return false;
  if (!readInt(s, pos, 1, 2, m)) return false;
  if (pos >= s.size() || s[pos++] != '-') return false;
  if (!readInt(s, pos, 1, 2, d)) return false;
  if (!isValidCivil(y, m, d)) return false;
  days = daysFromCivil(y, m, d);
  return true;
}
}  // namespace

std::optional<int32_t> parseDate(std::string_view s) {
  s = trimView(s);
  size_t pos = 0;
  int32_t days;
  if (!parseDatePart(s, pos, days) || pos != s.size()) return std::nullopt;
  return days;
}

std::optional<int64_t> parseTimestamp(std::string_view s) {
  s = trimView(s);
  size_t pos = 0;
  int32_t days;
  if (!parseDatePart(s, pos, days)) return std::nullopt;
  int64_t micros = static_cast<int64_t>(days) * kMicrosPerDay;
  if (pos == s.size()) return micros;
  if (s[pos] != ' ' && s[pos] != 'T') return std::nullopt;
  ++pos;
  int32_t hh, mm, ss = 0;
  if (!readInt(s, pos, 1, 2, hh) || pos >= s.size() || s[pos++] != ':' ||
      !readInt(s, pos, 1, 2, mm))
    return std::nullopt;
  int64_t frac = 0;
  if (pos < s.size() && s[pos] == ':') {
    ++pos;
    if (!readInt(s, pos, 1, 2, ss)) return std::nullopt;
    if (pos < s.size() && s[pos] == '.') {
      ++pos;
      int digits = 0;
      while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
        if (digits < 6) frac = frac * 10 + (s[pos] - '0');
        ++digits;
        ++pos;
      }
      if (digits == 0) return std::nullopt;
      for (int i = digits; i < 6; ++i) frac *= 10;
    }
  }
  if (pos < s.size() && s[pos] == 'Z') ++pos;
  if (pos != s.size() || hh > 23 || mm > 59 || ss > 59) return std::nullopt;
  return micros + (hh * 3600LL + mm * 60LL + ss) * kMicrosPerSecond + frac;
}

std::string formatDate(int32_t days) {
  CivilDate c = civilFromDays(days);
  if (c.year < 0 || c.year > 9999) return fmt::format("{}-{:02}-{:02}", c.year, c.month, c.day);
  return fmt::format("{:04}-{:02}-{:02}", c.year, c.month, c.day);
}

std::string formatTimestamp(int64_t micros) {
  int64_t days = micros / kMicrosPerDay;
  int64_t rem = micros % kMicrosPerDay;
  if (rem < 0) {
    rem += kMicrosPerDay;
    --days;
  }
  int64_t secs = rem / kMicrosPerSecond, frac = rem % kMicrosPerSecond;
  std::string s = fmt::format("{} {:02}:{:02}:{:02}", formatDate(static_cast<int32_t>(days)),
                              secs / 3600, secs / 60 % 60, secs % 60);
  if (frac) {
    std::string f = fmt::format("{:06}", frac);
    while (f.back() == '0') f.pop_back();
    s += "." + f;
  }
  return s;
}

int32_t addMonths(int32_t days, int32_t months) {
  CivilDate c = civilFromDays(days);
  int64_t total = static_cast<int64_t>(c.year) * 12 + (c.month - 1) + months;
  int32_t y = static_cast<int32_t>(total >= 0 ? total / 12 : (total - 11) / 12);
  int32_t m = static_cast<int32_t>(total - static_cast<int64_t>(y) * 12) + 1;
  int32_t d = std::min(c.day, daysInMonth(y, m));
  return daysFromCivil(y, m, d);
}

}  // namespace ember
