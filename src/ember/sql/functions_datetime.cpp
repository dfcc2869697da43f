// Date/time functions on Date (days) and Timestamp (UTC micros): field extraction,
// day and month arithmetic, truncation, months_between, current_date/timestamp.
// Timestamps are UTC: Ember has no session time zone (documented limitation).
#include <chrono>
#include <cmath>

#include "ember/columnar/datetime.h"
#include "ember/sql/functions_common.h"

namespace ember::sql::fn {

namespace {

// Functions, not namespace-scope constants: the built-ins may be registered during static
// initialisation (a registerUdf in another translation unit), before such constants are.
DataType kDate() { return DataType::date(); }
DataType kTs() { return DataType::timestamp(); }
DataType kInt() { return DataType::int32(); }

inline int64_t floorDiv(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}
inline int64_t floorMod(int64_t a, int64_t b) { return a - floorDiv(a, b) * b; }
inline int32_t daysOf(int64_t micros) {
  return static_cast<int32_t>(floorDiv(micros, kMicrosPerDay));
}

enum class Part {
  Year,
  Month,
  Day,
  DayOfWeek,
  DayOfYear,
  Quarter,
  WeekOfYear,
  Hour,
  Minute,
  Second
};

inline int32_t isoWeek(int32_t days) {
  int32_t wd = static_cast<int32_t>(floorMod(days + 3, 7)) + 1;  // Monday = 1
  int32_t thursday = days - wd + 4;
  int32_t y = civilFromDays(thursday).year;
  return (thursday - daysFromCivil(y, 1, 1)) / 7 + 1;
}

template <Part P>
inline int32_t datePart(int32_t d) {
  if constexpr (P == Part::DayOfWeek) {
    return static_cast<int32_t>(floorMod(d + 4, 7)) + 1;  // 1970-01-01 was a Thursday
  } else if constexpr (P == Part::WeekOfYear) {
    return isoWeek(d);
  } else {
    CivilDate c = civilFromDays(d);
    if constexpr (P == Part::Year) return c.year;
    if constexpr (P == Part::Month) return c.month;
    if constexpr (P == Part::Day) return c.day;
    if constexpr (P == Part::Quarter) return (c.month - 1) / 3 + 1;
    if constexpr (P == Part::DayOfYear) return d - daysFromCivil(c.year, 1, 1) + 1;
    return 0;
  }
}

template <Part P>
ColumnPtr partKernel(std::span<const ColumnPtr> args, int64_t rows) {
  const Column& a = *args[0];
  if constexpr (P == Part::Hour || P == Part::Minute || P == Part::Second) {
    constexpr int64_t unit = P == Part::Hour     ? 3600 * kMicrosPerSecond
                             : P == Part::Minute ? 60 * kMicrosPerSecond
                                                 : kMicrosPerSecond;
    constexpr int64_t mod = P == Part::Hour ? 24 : 60;
    return mapUnary<int64_t, int32_t>(args[0], kInt(), rows, [](int64_t us) {
      return static_cast<int32_t>(floorDiv(floorMod(us, kMicrosPerDay), unit) % mod);
    });
  } else {
    if (a.type().id() == TypeId::Timestamp)
      return mapUnary<int64_t, int32_t>(args[0], kInt(), rows,
                                        [](int64_t us) { return datePart<P>(daysOf(us)); });
    return mapUnary<int32_t, int32_t>(args[0], kInt(), rows,
                                      [](int32_t d) { return datePart<P>(d); });
  }
}

// A date-part function accepts a date, a timestamp, or a string (cast to date).
template <Part P>
ScalarFunction partFn(std::string name, std::vector<std::string> aliases, std::string usage) {
  ScalarFunction f;
  f.name = name;
  f.aliases = std::move(aliases);
  f.usage = std::move(usage);
  f.bind = [name](std::span<const DataType> types, std::span<const std::optional<Value>>) {
    checkArity(name, types, 1, 1);
    TypeId id = types[0].id();
    constexpr bool timeOfDay = P == Part::Hour || P == Part::Minute || P == Part::Second;
    if (id != TypeId::Date && id != TypeId::Timestamp && !isStringLike(types[0]))
      bindError(name, "expects a date or timestamp, got " + types[0].toString());
    DataType arg = timeOfDay || id == TypeId::Timestamp ? kTs() : kDate();
    return BoundFunction{kInt(), true, {arg}, partKernel<P>};
  };
  return f;
}

// ---- truncation ----
enum class Level { Year, Quarter, Month, Week, Day, Hour, Minute, Second, Milli, Micro, None };

Level parseLevel(std::string_view s) {
  std::string l;
  for (char c : s) l += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (l == "year" || l == "yyyy" || l == "yy") return Level::Year;
  if (l == "quarter") return Level::Quarter;
  if (l == "month" || l == "mon" || l == "mm") return Level::Month;
  if (l == "week") return Level::Week;
  if (l == "day" || l == "dd") return Level::Day;
  if (l == "hour") return Level::Hour;
  if (l == "minute") return Level::Minute;
  if (l == "second") return Level::Second;
  if (l == "millisecond") return Level::Milli;
  if (l == "microsecond") return Level::Micro;
  return Level::None;
}

int32_t truncDays(int32_t d, Level l) {
  CivilDate c = civilFromDays(d);
  switch (l) {
    case Level::Year:
      return daysFromCivil(c.year, 1, 1);
    case Level::Quarter:
      return daysFromCivil(c.year, (c.month - 1) / 3 * 3 + 1, 1);
    case Level::Month:
      return daysFromCivil(c.year, c.month, 1);
    case Level::Week:
      return d - static_cast<int32_t>(floorMod(d + 3, 7));  // back to Monday
    default:
      return d;
  }
}

int64_t truncMicros(int64_t us, Level l) {
  switch (l) {
    case Level::Year:
    case Level::Quarter:
    case Level::Month:
    case Level::Week:
      return static_cast<int64_t>(truncDays(daysOf(us), l)) * kMicrosPerDay;
    case Level::Day:
      return us - floorMod(us, kMicrosPerDay);
    case Level::Hour:
      return us - floorMod(us, 3600 * kMicrosPerSecond);
    case Level::Minute:
      return us - floorMod(us, 60 * kMicrosPerSecond);
    case Level::Second:
      return us - floorMod(us, kMicrosPerSecond);
    case Level::Milli:
      return us - floorMod(us, 1000);
    default:
      return us;
  }
}

// date_trunc(fmt, ts) -> timestamp; trunc(date, fmt) -> date (year..week only). An
// unknown unit gives NULL, as Spark.
template <bool DateTrunc>
ColumnPtr truncKernel(std::span<const ColumnPtr> args, int64_t rows) {
  size_t unitArg = DateTrunc ? 0 : 1, valueArg = DateTrunc ? 1 : 0;
  std::string last;
  bool have = false;
  Level level = Level::None;
  auto levelAt = [&](const RowArgs& a, int64_t i) {
    std::string_view u = a.str(unitArg, i);
    if (!have || u != last) level = parseLevel(u), last = std::string(u), have = true;
    return level;
  };
  if constexpr (DateTrunc) {
    return fixedRows<int64_t>(kTs(), args, rows, [&](const RowArgs& a, int64_t i, int64_t& o) {
      Level l = levelAt(a, i);
      if (l == Level::None) return false;
      o = truncMicros(a.val<int64_t>(valueArg, i), l);
      return true;
    });
  } else {
    return fixedRows<int32_t>(kDate(), args, rows, [&](const RowArgs& a, int64_t i, int32_t& o) {
      Level l = levelAt(a, i);
      if (l > Level::Week) return false;
      o = truncDays(a.val<int32_t>(valueArg, i), l);
      return true;
    });
  }
}

// ---- arithmetic ----
// Day arithmetic with the builtins (NULL rows hold garbage, and signed overflow is
// undefined); a valid row leaving the int32 day range is an error.
template <int Sign>
ColumnPtr dateAddKernel(std::span<const ColumnPtr> args, int64_t rows) {
  ColumnPtr out = makeResult(kDate(), args, rows);
  const int32_t *d = args[0]->values<int32_t>(), *n = args[1]->values<int32_t>();
  int32_t* o = out->mutableValues<int32_t>();
  bool bad = false;
  for (int64_t i = 0; i < rows; ++i)
    bad |= Sign > 0 ? __builtin_add_overflow(d[i], n[i], &o[i])
                    : __builtin_sub_overflow(d[i], n[i], &o[i]);
  if (bad)
    for (int64_t i = 0; i < rows; ++i)
      if (out->isValid(i) && (Sign > 0 ? __builtin_add_overflow(d[i], n[i], &o[i])
                                       : __builtin_sub_overflow(d[i], n[i], &o[i])))
        throw UserError("date arithmetic overflow: " + std::to_string(n[i]) + " days from day " +
                        std::to_string(d[i]) + " leaves the date range");
  return out;
}

ColumnPtr dateDiffKernel(std::span<const ColumnPtr> args, int64_t rows) {
  ColumnPtr out = makeResult(kInt(), args, rows);
  const int32_t *a = args[0]->values<int32_t>(), *b = args[1]->values<int32_t>();
  int32_t* o = out->mutableValues<int32_t>();
  // Two real dates differ by far less than 2^31 days; only garbage wraps.
  for (int64_t i = 0; i < rows; ++i) __builtin_sub_overflow(a[i], b[i], &o[i]);
  return out;
}

ColumnPtr addMonthsKernel(std::span<const ColumnPtr> args, int64_t rows) {
  return fixedRows<int32_t>(kDate(), args, rows, [](const RowArgs& a, int64_t i, int32_t& o) {
    o = addMonths(a.val<int32_t>(0, i), a.val<int32_t>(1, i));
    return true;
  });
}

ColumnPtr lastDayKernel(std::span<const ColumnPtr> args, int64_t rows) {
  return mapUnary<int32_t, int32_t>(args[0], kDate(), rows, [](int32_t d) {
    CivilDate c = civilFromDays(d);
    return daysFromCivil(c.year, c.month, daysInMonth(c.year, c.month));
  });
}

// Spark's months_between: whole months when both days are equal or both are month
// ends; otherwise the remainder counts in 31-day months, including the time of day.
double monthsBetween(int64_t t1, int64_t t2, bool roundOff) {
  int32_t d1 = daysOf(t1), d2 = daysOf(t2);
  CivilDate a = civilFromDays(d1), b = civilFromDays(d2);
  double months = (a.year - b.year) * 12.0 + (a.month - b.month);
  bool end1 = a.day == daysInMonth(a.year, a.month), end2 = b.day == daysInMonth(b.year, b.month);
  if (a.day == b.day || (end1 && end2)) return months;
  double secs1 = static_cast<double>(floorMod(t1, kMicrosPerDay)) / kMicrosPerSecond;
  double secs2 = static_cast<double>(floorMod(t2, kMicrosPerDay)) / kMicrosPerSecond;
  double diff = months + ((a.day - b.day) * 86400.0 + secs1 - secs2) / (31.0 * 86400.0);
  if (!roundOff) return diff;
  return std::round(diff * 1e8) / 1e8;
}

ColumnPtr monthsBetweenKernel(std::span<const ColumnPtr> args, int64_t rows) {
  return fixedRows<double>(DataType::float64(), args, rows,
                           [&](const RowArgs& a, int64_t i, double& o) {
                             bool round = args.size() < 3 || a.val<uint8_t>(2, i);
                             o = monthsBetween(a.val<int64_t>(0, i), a.val<int64_t>(1, i), round);
                             return true;
                           });
}

ColumnPtr makeDateKernel(std::span<const ColumnPtr> args, int64_t rows) {
  return fixedRows<int32_t>(kDate(), args, rows, [](const RowArgs& a, int64_t i, int32_t& o) {
    int32_t y = a.val<int32_t>(0, i), m = a.val<int32_t>(1, i), d = a.val<int32_t>(2, i);
    if (!isValidCivil(y, m, d)) return false;
    o = daysFromCivil(y, m, d);
    return true;
  });
}

int64_t nowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// current_date / current_timestamp: the instant is taken when the call is bound, so
// every row of a task sees the same value (Spark fixes it per query).
ScalarFunction currentFn(bool date) {
  ScalarFunction f;
  f.name = date ? "current_date" : "current_timestamp";
  f.aliases = date ? std::vector<std::string>{"curdate"} : std::vector<std::string>{"now"};
  f.usage = f.name + "() - the current " + (date ? "date" : "timestamp") + " (UTC)";
  f.deterministic = false;
  f.bind = [date, name = f.name](std::span<const DataType> types,
                                 std::span<const std::optional<Value>>) {
    checkArity(name, types, 0, 0);
    int64_t now = nowMicros();
    DataType t = date ? kDate() : kTs();
    return BoundFunction{t, false, {}, [now, date, t](std::span<const ColumnPtr>, int64_t rows) {
                           ColumnPtr out = Column::make(t, rows);
                           if (date)
                             std::fill_n(out->mutableValues<int32_t>(), rows, daysOf(now));
                           else
                             std::fill_n(out->mutableValues<int64_t>(), rows, now);
                           return out;
                         }};
  };
  return f;
}

}  // namespace

void registerDatetime(FunctionRegistry& r) {
  r.add(partFn<Part::Year>("year", {}, "year(date) - the year"));
  r.add(partFn<Part::Month>("month", {}, "month(date) - the month (1-12)"));
  r.add(partFn<Part::Day>("day", {"dayofmonth"}, "day(date) - the day of the month"));
  r.add(partFn<Part::DayOfWeek>("dayofweek", {}, "dayofweek(date) - 1 = Sunday ... 7 = Saturday"));
  r.add(partFn<Part::DayOfYear>("dayofyear", {}, "dayofyear(date) - 1..366"));
  r.add(partFn<Part::Quarter>("quarter", {}, "quarter(date) - 1..4"));
  r.add(partFn<Part::WeekOfYear>("weekofyear", {}, "weekofyear(date) - the ISO-8601 week"));
  r.add(partFn<Part::Hour>("hour", {}, "hour(ts) - 0..23"));
  r.add(partFn<Part::Minute>("minute", {}, "minute(ts) - 0..59"));
  r.add(partFn<Part::Second>("second", {}, "second(ts) - 0..59"));
  r.add(fixedFunction("date_add", {"dateadd"}, "date_add(date, n) - n days later",
                      {kDate(), kInt()}, kDate(), dateAddKernel<1>));
  r.add(fixedFunction("date_sub", {}, "date_sub(date, n) - n days earlier", {kDate(), kInt()},
                      kDate(), dateAddKernel<-1>));
  r.add(fixedFunction("datediff", {}, "datediff(end, start) - days from start to end",
                      {kDate(), kDate()}, kInt(), dateDiffKernel));
  r.add(fixedFunction("add_months", {}, "add_months(date, n) - n months later (day clamped)",
                      {kDate(), kInt()}, kDate(), addMonthsKernel));
  r.add(fixedFunction("last_day", {}, "last_day(date) - the last day of the month", {kDate()},
                      kDate(), lastDayKernel));
  r.add(fixedFunction(
      "months_between", {}, "months_between(ts1, ts2[, roundOff]) - months from ts2 to ts1",
      {kTs(), kTs(), DataType::boolean()}, DataType::float64(), monthsBetweenKernel, 2));
  r.add(fixedFunction("date_trunc", {},
                      "date_trunc(unit, ts) - ts truncated to year, quarter, month, week, day, "
                      "hour, minute, second, millisecond or microsecond",
                      {DataType::string(), kTs()}, kTs(), truncKernel<true>));
  r.add(fixedFunction("trunc", {},
                      "trunc(date, unit) - date truncated to year, quarter, month "
                      "or week",
                      {kDate(), DataType::string()}, kDate(), truncKernel<false>));
  r.add(fixedFunction("make_date", {}, "make_date(y, m, d) - the date, NULL if invalid",
                      {kInt(), kInt(), kInt()}, kDate(), makeDateKernel));
  r.add(currentFn(true));
  r.add(currentFn(false));
}

}  // namespace ember::sql::fn
