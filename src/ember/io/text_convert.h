// Text <-> typed values for the text-based formats (CSV, JSON): fast field parsers that
// append straight into columns, Spark-style type inference, and Spark-style formatting.
// Internal to the io layer. All functions are thread-safe (no shared state).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ember/columnar/column.h"
#include "ember/columnar/types.h"

namespace ember {

// A compiled Java-style date/time pattern (Spark's dateFormat / timestampFormat), e.g.
// "yyyy-MM-dd", "dd/MM/yyyy", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX".
// Supported letters: y (year), M (month, numeric), d, H, m, s, S (fraction), X/Z/x
// (zone offset: Z or +hh[:mm]); quoted literals 'T' and any non-letter literal. An empty
// pattern means the lenient ISO forms of datetime.h. Optional sections "[...]" (as in
// Spark's default "yyyy-MM-dd'T'HH:mm:ss[.SSS][XXX]") are skipped when they do not
// match. Throws UserError for other letters and unbalanced brackets.
class TemporalFormat {
 public:
  TemporalFormat() = default;
  static TemporalFormat compile(const std::string& pattern);

  bool isIso() const { return tokens_.empty(); }
  std::optional<int32_t> parseDate(std::string_view s) const;
  std::optional<int64_t> parseTimestamp(std::string_view s) const;  // micros, UTC
  void formatDate(int32_t days, std::string& out) const;
  void formatTimestamp(int64_t micros, std::string& out) const;

 private:
  struct Token {
    char letter;  // 0 for a literal
    int width;
    std::string literal;
  };
  bool parseFields(std::string_view s, int64_t f[8]) const;
  std::vector<Token> tokens_;
};

struct TextParseOptions {
  TemporalFormat dateFormat;       // ISO when not set
  TemporalFormat timestampFormat;  // ISO when not set
};

// Parses `s` as `type` and appends it to `col` (which has that type). Returns false,
// appending nothing, when `s` is not a valid value of the type.
bool appendParsed(Column& col, std::string_view s, const TextParseOptions& o);

bool parseInt64Text(std::string_view s, int64_t& out);
bool parseDoubleText(std::string_view s, double& out);
bool parseBoolText(std::string_view s, bool& out);

// Spark's CSV inference of one non-null field: int, bigint, decimal(p,0) for integers
// beyond bigint, double, date (dateFormat), timestamp, boolean, else string. With
// prefersDecimal, fractional numbers infer as decimal(p,s) instead of double.
DataType inferTextType(std::string_view s, const TextParseOptions& o, bool prefersDecimal);
// The common type of two inferred types (Null is "no value seen yet").
DataType mergeInferredTypes(const DataType& a, const DataType& b);

// Appends row i of c (not null) as text: decimals plain, doubles as Java prints them
// (1.0, 1.0E10), dates/timestamps with the formats (ISO timestamps as
// "2024-01-31T12:00:00.000Z", Spark's default), booleans true/false.
void formatValueText(const Column& c, int64_t i, const TextParseOptions& o, std::string& out);
void formatDoubleJava(double d, bool isFloat, std::string& out);

}  // namespace ember
