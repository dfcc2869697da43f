// Calendar arithmetic for Date (days since 1970-01-01) and Timestamp (microseconds
// since the epoch, UTC), proleptic Gregorian as Spark 3 and Arrow use.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ember {

struct CivilDate {
  int32_t year;
  int32_t month;  // 1..12
  int32_t day;    // 1..31
};

int32_t daysFromCivil(int32_t y, int32_t m, int32_t d);
CivilDate civilFromDays(int32_t days);
bool isValidCivil(int32_t y, int32_t m, int32_t d);
int32_t daysInMonth(int32_t y, int32_t m);

// "YYYY-MM-DD" (also "YYYY-M-D"); nullopt when malformed or not a real date.
std::optional<int32_t> parseDate(std::string_view s);
std::string formatDate(int32_t days);
// "YYYY-MM-DD[ |T]HH:MM[:SS[.ffffff]][Z]" or a date alone (midnight).
std::optional<int64_t> parseTimestamp(std::string_view s);
// "YYYY-MM-DD HH:MM:SS[.ffffff]" (fraction printed only when non-zero, trailing zeros
// dropped, as Spark shows timestamps).
std::string formatTimestamp(int64_t micros);

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kMicrosPerDay = 86'400LL * kMicrosPerSecond;

// Adds months, clamping the day to the month's end (Spark's add_months).
int32_t addMonths(int32_t days, int32_t months);

}  // namespace ember
