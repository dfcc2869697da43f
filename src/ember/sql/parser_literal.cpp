// Numeric and interval literals, typed as Spark types them.
#include <cmath>
#include <sstream>

#include "ember/columnar/decimal.h"
#include "ember/common/errors.h"
#include "ember/sql/parser_internal.h"

namespace ember::sql::detail {

// Spark types 1.50 as decimal(3,2): scale = digits after the point, precision = the
// significant digits, at least the scale (0.05 is decimal(2,2)).
Value decimalLiteral(const std::string& signedText) {
  bool negative = !signedText.empty() && signedText[0] == '-';
  std::string text =
      negative || (!signedText.empty() && signedText[0] == '+') ? signedText.substr(1) : signedText;
  size_t dot = text.find('.');
  std::string digits = dot == std::string::npos ? text : text.substr(0, dot) + text.substr(dot + 1);
  int scale = dot == std::string::npos ? 0 : static_cast<int>(text.size() - dot - 1);
  size_t firstNonZero = digits.find_first_not_of('0');
  int significant =
      firstNonZero == std::string::npos ? 1 : static_cast<int>(digits.size() - firstNonZero);
  int precision = std::max(significant, scale);
  if (precision > 38) return Value::float64(std::strtod(signedText.c_str(), nullptr));
  int128_t unscaled = 0;
  for (char c : digits) unscaled = unscaled * 10 + (c - '0');
  return Value::decimal(negative ? -unscaled : unscaled, precision, scale);
}

ExprPtr numberLiteral(const std::string& text) {
  if (text.find_first_of("eE") != std::string::npos)
    return lit(Value::float64(std::strtod(text.c_str(), nullptr)));
  if (text.find('.') == std::string::npos) {
    // pg hands over integers beyond int32 as "fval": bigint if it fits, else decimal.
    errno = 0;
    char* endp = nullptr;
    long long v = std::strtoll(text.c_str(), &endp, 10);
    if (errno == 0 && endp && *endp == '\0') return lit(Value::int64(v));
  }
  return lit(decimalLiteral(text));
}

IntervalValue parseInterval(const std::string& text, int typmodMask) {
  std::istringstream in(text);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  if (words.size() == 1 && typmodMask > 0) {
    // INTERVAL '3' MONTH reaches us as '3' plus pg's field mask.
    static const std::pair<int, const char*> kFields[] = {{1 << 2, "year"},    {1 << 1, "month"},
                                                          {1 << 3, "day"},     {1 << 10, "hour"},
                                                          {1 << 11, "minute"}, {1 << 12, "second"}};
    for (const auto& [bit, unit] : kFields)
      if (typmodMask & bit) {
        words.push_back(unit);
        break;
      }
  }
  if (words.empty() || words.size() % 2 != 0)
    throw UserError("cannot read interval '" + text +
                    "': write INTERVAL '<number> <unit>' or INTERVAL <number> <unit>, e.g. "
                    "INTERVAL '3' MONTH or INTERVAL 90 DAYS");
  IntervalValue iv;
  for (size_t i = 0; i < words.size(); i += 2) {
    char* endp = nullptr;
    double v = std::strtod(words[i].c_str(), &endp);
    if (endp == words[i].c_str() || *endp != '\0')
      throw UserError("cannot read interval '" + text + "': '" + words[i] + "' is not a number");
    std::string unit = toLowerAscii(words[i + 1]);
    if (unit.size() > 1 && unit.back() == 's') unit.pop_back();
    bool whole = v == std::floor(v);
    auto need = [&](bool ok) {
      if (!ok)
        throw UserError("cannot read interval '" + text + "': " + unit + " needs a whole number");
    };
    if (unit == "year") {
      need(whole);
      iv.months += static_cast<int64_t>(v) * 12;
    } else if (unit == "month") {
      need(whole);
      iv.months += static_cast<int64_t>(v);
    } else if (unit == "week") {
      need(whole);
      iv.days += static_cast<int64_t>(v) * 7;
    } else if (unit == "day") {
      need(whole);
      iv.days += static_cast<int64_t>(v);
    } else if (unit == "hour") {
      iv.micros += static_cast<int64_t>(std::llround(v * 3600e6));
    } else if (unit == "minute") {
      iv.micros += static_cast<int64_t>(std::llround(v * 60e6));
    } else if (unit == "second") {
      iv.micros += static_cast<int64_t>(std::llround(v * 1e6));
    } else if (unit == "millisecond") {
      iv.micros += static_cast<int64_t>(std::llround(v * 1e3));
    } else if (unit == "microsecond") {
      need(whole);
      iv.micros += static_cast<int64_t>(v);
    } else {
      throw UserError("cannot read interval '" + text + "': unknown unit '" + words[i + 1] +
                      "' (use year, month, week, day, hour, minute, second, millisecond, "
                      "microsecond)");
    }
  }
  return iv;
}

}  // namespace ember::sql::detail
