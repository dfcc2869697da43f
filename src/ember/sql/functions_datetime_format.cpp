// Date/time formatting and parsing with Spark's pattern letters: y M d D H h m s S a E,
// MMM / MMMM month names, EEE / EEEE day names, 'quoted' literals, X / Z / z zones
// (always UTC: Ember timestamps are UTC). A literal pattern is compiled once at bind.
// Parsing is strict about literals and the end of input: text that does not match
// gives NULL (Spark with ANSI off).
#include <ctime>

#include "ember/columnar/datetime.h"
#include "ember/sql/functions_common.h"

namespace ember::sql::fn {

namespace {

const char* kMonths[] = {"January", "February", "March",     "April",   "May",      "June",
                         "July",    "August",   "September", "October", "November", "December"};
const char* kDays[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                       "Thursday", "Friday", "Saturday"};

struct Token {
  char letter;  // 0 for a literal
  int width;
  std::string text;
};

using Pattern = std::vector<Token>;

Pattern compilePattern(std::string_view p) {
  Pattern out;
  for (size_t i = 0; i < p.size();) {
    char c = p[i];
    if (c == '\'') {
      size_t j = i + 1;
      std::string lit;
      while (j < p.size()) {
        if (p[j] == '\'') {
          if (j + 1 < p.size() && p[j + 1] == '\'') {
            lit += '\'';
            j += 2;
            continue;
          }
          break;
        }
        lit += p[j++];
      }
      if (j == i + 1) lit = "'";  // '' is a quote
      out.push_back({0, 0, lit});
      i = j + 1;
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      if (std::string_view("yMdDHhmsSaEXZzu").find(c) == std::string_view::npos)
        throw UserError("unsupported datetime pattern letter '" + std::string(1, c) + "' in '" +
                        std::string(p) + "'");
      size_t j = i;
      while (j < p.size() && p[j] == c) ++j;
      out.push_back({c, static_cast<int>(j - i), {}});
      i = j;
    } else {
      out.push_back({0, 0, std::string(1, c)});
      ++i;
    }
  }
  return out;
}

void pad(std::string& out, int64_t v, int width) {
  std::string s = std::to_string(v < 0 ? -v : v);
  if (v < 0) out += '-';
  if (static_cast<int>(s.size()) < width) out.append(static_cast<size_t>(width) - s.size(), '0');
  out += s;
}

void formatMicros(const Pattern& p, int64_t us, std::string& out) {
  int64_t days = us / kMicrosPerDay, rem = us % kMicrosPerDay;
  if (rem < 0) rem += kMicrosPerDay, --days;
  CivilDate c = civilFromDays(static_cast<int32_t>(days));
  int64_t secs = rem / kMicrosPerSecond, frac = rem % kMicrosPerSecond;
  int hour = static_cast<int>(secs / 3600);
  out.clear();
  for (const Token& t : p) {
    switch (t.letter) {
      case 0:
        out += t.text;
        break;
      case 'y':
      case 'u':
        if (t.width == 2)
          pad(out, ((c.year % 100) + 100) % 100, 2);
        else
          pad(out, c.year, t.width);
        break;
      case 'M':
        if (t.width >= 4)
          out += kMonths[c.month - 1];
        else if (t.width == 3)
          out.append(kMonths[c.month - 1], 3);
        else
          pad(out, c.month, t.width);
        break;
      case 'd':
        pad(out, c.day, t.width);
        break;
      case 'D':
        pad(out, days - daysFromCivil(c.year, 1, 1) + 1, t.width);
        break;
      case 'H':
        pad(out, hour, t.width);
        break;
      case 'h':
        pad(out, hour % 12 == 0 ? 12 : hour % 12, t.width);
        break;
      case 'm':
        pad(out, secs / 60 % 60, t.width);
        break;
      case 's':
        pad(out, secs % 60, t.width);
        break;
      case 'S': {
        std::string f = std::to_string(frac);
        f = std::string(6 - f.size(), '0') + f;
        f.resize(static_cast<size_t>(t.width), '0');
        out += f;
        break;
      }
      case 'a':
        out += hour < 12 ? "AM" : "PM";
        break;
      case 'E': {
        const char* name = kDays[((days + 4) % 7 + 7) % 7];
        if (t.width >= 4)
          out += name;
        else
          out.append(name, 3);
        break;
      }
      case 'X':
        out += "Z";
        break;
      case 'Z':
        out += "+0000";
        break;
      default:  // 'z'
        out += "UTC";
    }
  }
}

bool readNumber(std::string_view s, size_t& pos, int maxDigits, int64_t& v) {
  size_t start = pos;
  v = 0;
  while (pos < s.size() && pos - start < static_cast<size_t>(maxDigits) && s[pos] >= '0' &&
         s[pos] <= '9')
    v = v * 10 + (s[pos++] - '0');
  return pos > start;
}

bool matchName(std::string_view s, size_t& pos, const char* const* names, int count, int& idx) {
  for (int full = 1; full >= 0; --full)
    for (int k = 0; k < count; ++k) {
      std::string_view n(names[k]);
      if (!full) n = n.substr(0, 3);
      if (s.size() - pos < n.size()) continue;
      bool eq = true;
      for (size_t j = 0; j < n.size() && eq; ++j)
        eq = std::tolower(static_cast<unsigned char>(s[pos + j])) ==
             std::tolower(static_cast<unsigned char>(n[j]));
      if (eq) {
        pos += n.size();
        idx = k;
        return true;
      }
    }
  return false;
}

std::optional<int64_t> parseMicros(const Pattern& p, std::string_view s) {
  int64_t year = 1970, month = 1, day = 1, doy = -1, hour = 0, minute = 0, second = 0, frac = 0;
  bool pm = false, ampm = false;
  size_t pos = 0;
  for (const Token& t : p) {
    int64_t v = 0;
    int idx;
    switch (t.letter) {
      case 0:
        if (s.substr(pos, t.text.size()) != t.text) return std::nullopt;
        pos += t.text.size();
        break;
      case 'y':
      case 'u':
        if (!readNumber(s, pos, t.width == 2 ? 2 : std::max(4, t.width), v)) return std::nullopt;
        year = t.width == 2 ? 2000 + v : v;
        break;
      case 'M':
        if (t.width >= 3) {
          if (!matchName(s, pos, kMonths, 12, idx)) return std::nullopt;
          month = idx + 1;
        } else if (!readNumber(s, pos, 2, month)) {
          return std::nullopt;
        }
        break;
      case 'd':
        if (!readNumber(s, pos, 2, day)) return std::nullopt;
        break;
      case 'D':
        if (!readNumber(s, pos, 3, doy)) return std::nullopt;
        break;
      case 'H':
      case 'h':
        if (!readNumber(s, pos, 2, hour)) return std::nullopt;
        break;
      case 'm':
        if (!readNumber(s, pos, 2, minute)) return std::nullopt;
        break;
      case 's':
        if (!readNumber(s, pos, 2, second)) return std::nullopt;
        break;
      case 'S': {
        size_t st = pos;
        if (!readNumber(s, pos, std::max(t.width, 1) > 6 ? t.width : 6, frac)) return std::nullopt;
        for (size_t k = pos - st; k < 6; ++k) frac *= 10;
        for (size_t k = pos - st; k > 6; --k) frac /= 10;
        break;
      }
      case 'a':
        if (s.size() - pos < 2) return std::nullopt;
        ampm = true;
        pm = std::toupper(static_cast<unsigned char>(s[pos])) == 'P';
        if (!pm && std::toupper(static_cast<unsigned char>(s[pos])) != 'A') return std::nullopt;
        pos += 2;
        break;
      case 'E':
        if (!matchName(s, pos, kDays, 7, idx)) return std::nullopt;
        break;
      default:  // zones: only UTC spellings are accepted
        if (s.substr(pos, 1) == "Z")
          ++pos;
        else if (s.substr(pos, 3) == "UTC")
          pos += 3;
        else if (s.substr(pos, 5) == "+0000")
          pos += 5;
        else if (s.substr(pos, 6) == "+00:00")
          pos += 6;
        else
          return std::nullopt;
    }
  }
  if (pos != s.size()) return std::nullopt;
  if (ampm) {
    if (hour < 1 || hour > 12) return std::nullopt;
    hour = hour % 12 + (pm ? 12 : 0);
  }
  if (hour > 23 || minute > 59 || second > 59) return std::nullopt;
  int64_t days;
  if (doy >= 0) {
    int64_t first = daysFromCivil(static_cast<int32_t>(year), 1, 1);
    if (doy < 1 || doy > daysFromCivil(static_cast<int32_t>(year) + 1, 1, 1) - first)
      return std::nullopt;
    days = first + doy - 1;
  } else {
    if (!isValidCivil(static_cast<int32_t>(year), static_cast<int32_t>(month),
                      static_cast<int32_t>(day)))
      return std::nullopt;
    days = daysFromCivil(static_cast<int32_t>(year), static_cast<int32_t>(month),
                         static_cast<int32_t>(day));
  }
  return days * kMicrosPerDay + ((hour * 60 + minute) * 60 + second) * kMicrosPerSecond + frac;
}

// The pattern argument `k`: compiled once if literal, else per distinct row value.
struct PatternSource {
  std::shared_ptr<const Pattern> literal;
  std::string fallback;  // default pattern when the argument is absent
  std::string last;
  std::shared_ptr<const Pattern> cached;
  const Pattern& get(const RowArgs& a, size_t k, int64_t i) {
    if (literal) return *literal;
    std::string_view p = k < a.cols.size() ? a.str(k, i) : std::string_view(fallback);
    if (!cached || p != last) cached = std::make_shared<const Pattern>(compilePattern(p)), last = p;
    return *cached;
  }
};

PatternSource patternSource(std::span<const std::optional<Value>> lits, size_t k,
                            const std::string& dflt) {
  PatternSource s;
  s.fallback = dflt;
  if (k >= lits.size())
    s.literal = std::make_shared<const Pattern>(compilePattern(dflt));
  else if (lits[k] && !lits[k]->isNull())
    s.literal = std::make_shared<const Pattern>(compilePattern(lits[k]->asString()));
  return s;
}

const char* kDefaultTs = "yyyy-MM-dd HH:mm:ss";

// to_date / to_timestamp / unix_timestamp on strings: parse with the pattern; with no
// pattern, to_date and to_timestamp are CASTs.
BoundFunction bindParse(const std::string& name, DataType result, std::span<const DataType> types,
                        std::span<const std::optional<Value>> lits) {
  bool unix = result.id() == TypeId::Int64;
  checkArity(name, types, unix ? 0 : 1, 2);
  if (types.empty()) {  // unix_timestamp(): now
    return BoundFunction{result, false, {}, [](std::span<const ColumnPtr>, int64_t rows) {
                           ColumnPtr out = Column::make(DataType::int64(), rows);
                           int64_t now = static_cast<int64_t>(std::time(nullptr));
                           std::fill_n(out->mutableValues<int64_t>(), rows, now);
                           return out;
                         }};
  }
  TypeId in = types[0].id();
  if (in == TypeId::Date || in == TypeId::Timestamp || (types.size() == 1 && !unix)) {
    DataType arg = in == TypeId::Date ? (unix ? DataType::timestamp() : DataType::date())
                   : in == TypeId::Timestamp || unix ? DataType::timestamp()
                                                     : result;
    if (!implicitlyCastable(types[0], arg))
      bindError(name, "expects a string, date or timestamp, got " + types[0].toString());
    std::vector<DataType> argTypes{arg};
    if (types.size() == 2) argTypes.push_back(DataType::string());
    return BoundFunction{result, true, argTypes,
                         [result, unix](std::span<const ColumnPtr> args, int64_t rows) {
                           if (!unix) return castColumn(args[0], result, false);
                           return mapUnary<int64_t, int64_t>(args[0], result, rows, [](int64_t us) {
                             return us / kMicrosPerSecond - (us % kMicrosPerSecond < 0);
                           });
                         }};
  }
  if (!isStringLike(types[0])) bindError(name, "expects a string, got " + types[0].toString());
  PatternSource src = patternSource(lits, 1, unix ? kDefaultTs : "");
  std::vector<DataType> argTypes(types.size(), DataType::string());
  ScalarKernel k = [src, result](std::span<const ColumnPtr> args, int64_t rows) {
    PatternSource local = src;
    TypeId r = result.id();
    return visitFixed(result, [&](auto tag) -> ColumnPtr {
      using T = decltype(tag);
      return fixedRows<T>(result, args, rows, [&](const RowArgs& a, int64_t i, T& o) {
        auto us = parseMicros(local.get(a, 1, i), a.str(0, i));
        if (!us) return false;
        // Floor divisions: times before 1970 round down.
        if (r == TypeId::Date)
          o = static_cast<T>((*us - (*us % kMicrosPerDay + kMicrosPerDay) % kMicrosPerDay) /
                             kMicrosPerDay);
        else if (r == TypeId::Int64)
          o = static_cast<T>(
              (*us - (*us % kMicrosPerSecond + kMicrosPerSecond) % kMicrosPerSecond) /
              kMicrosPerSecond);
        else
          o = static_cast<T>(*us);
        return true;
      });
    });
  };
  return {result, true, argTypes, k};
}

BoundFunction bindFormat(const std::string& name, bool fromUnix, std::span<const DataType> types,
                         std::span<const std::optional<Value>> lits) {
  checkArity(name, types, fromUnix ? 1 : 2, 2);
  DataType arg = fromUnix ? DataType::int64() : DataType::timestamp();
  if (!implicitlyCastable(types[0], arg))
    bindError(name, "expects " + arg.toString() + ", got " + types[0].toString());
  PatternSource src = patternSource(lits, 1, kDefaultTs);
  std::vector<DataType> argTypes{arg};
  if (types.size() == 2) argTypes.push_back(DataType::string());
  ScalarKernel k = [src, fromUnix](std::span<const ColumnPtr> args, int64_t rows) {
    PatternSource local = src;
    std::string tmp;
    return stringRows(args, rows, [&](const RowArgs& a, int64_t i, StringBuilder& b) {
      int64_t v = a.val<int64_t>(0, i);
      formatMicros(local.get(a, 1, i), fromUnix ? v * kMicrosPerSecond : v, tmp);
      b.append(tmp);
    });
  };
  return {DataType::string(), true, argTypes, k};
}

ScalarFunction make(std::string name, std::vector<std::string> aliases, std::string usage,
                    decltype(ScalarFunction::bind) bind, bool deterministic = true) {
  ScalarFunction f;
  f.name = std::move(name);
  f.aliases = std::move(aliases);
  f.usage = std::move(usage);
  f.bind = std::move(bind);
  f.deterministic = deterministic;
  return f;
}

}  // namespace

void registerDatetimeFormat(FunctionRegistry& r) {
  using Types = std::span<const DataType>;
  using Lits = std::span<const std::optional<Value>>;
  r.add(make("to_date", {}, "to_date(str[, fmt]) - the date str denotes; NULL if it does not parse",
             [](Types t, Lits l) { return bindParse("to_date", DataType::date(), t, l); }));
  r.add(
      make("to_timestamp", {},
           "to_timestamp(str[, fmt]) - the timestamp str denotes; NULL if it does not parse",
           [](Types t, Lits l) { return bindParse("to_timestamp", DataType::timestamp(), t, l); }));
  // Not deterministic: without arguments it reads the clock.
  r.add(make(
      "unix_timestamp", {"to_unix_timestamp"},
      "unix_timestamp([str|ts[, fmt]]) - seconds since 1970-01-01 00:00:00 UTC",
      [](Types t, Lits l) { return bindParse("unix_timestamp", DataType::int64(), t, l); }, false));
  r.add(make("date_format", {}, "date_format(ts, fmt) - ts as text, e.g. 'yyyy-MM-dd HH:mm'",
             [](Types t, Lits l) { return bindFormat("date_format", false, t, l); }));
  r.add(make("from_unixtime", {},
             "from_unixtime(seconds[, fmt]) - the time as text (default yyyy-MM-dd HH:mm:ss)",
             [](Types t, Lits l) { return bindFormat("from_unixtime", true, t, l); }));
}

}  // namespace ember::sql::fn
