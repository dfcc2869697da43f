// Value: one typed scalar (a literal, a cell of a collected Row, a statistic). Not for
// hot paths: kernels work on whole columns.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ember/columnar/column.h"
#include "ember/columnar/types.h"

namespace ember {

class Value {
 public:
  Value() = default;  // NULL of type void
  static Value null(DataType t = DataType::null());
  static Value boolean(bool v);
  static Value int8(int8_t v);
  static Value int16(int16_t v);
  static Value int32(int32_t v);
  static Value int64(int64_t v);
  static Value float32(float v);
  static Value float64(double v);
  static Value decimal(int128_t unscaled, int precision, int scale);
  static Value string(std::string v);
  static Value date(int32_t days);
  static Value timestamp(int64_t micros);
  // Nested values: `type` is the array/struct/map type; items are the elements (array),
  // the field values (struct) or the keys (map), `mapValues` the map's values.
  static Value array(DataType type, std::vector<Value> elements);
  static Value structOf(DataType type, std::vector<Value> fields);
  static Value map(DataType type, std::vector<Value> keys, std::vector<Value> values);

  const DataType& type() const { return type_; }
  bool isNull() const { return null_; }

  bool asBool() const { return i_ != 0; }
  // Integers, Date (days) and Timestamp (micros) as int64.
  int64_t asInt64() const { return static_cast<int64_t>(i_); }
  // Any numeric type converted to double.
  double asDouble() const;
  // Decimal's unscaled value (or an integer's value).
  int128_t asInt128() const { return i_; }
  const std::string& asString() const { return s_; }
  // Elements / fields / keys of a nested value (empty otherwise).
  const std::vector<Value>& items() const;
  // A map's values, parallel to items().
  const std::vector<Value>& mapValues() const;

  // As Spark's show() prints it: NULL as "NULL", decimals with their scale, dates
  // "2024-01-31", timestamps "2024-01-31 12:00:00", booleans "true"/"false", arrays
  // "[1, null, 3]", structs "{1, a}", maps "{a -> 1, b -> 2}" (nested NULLs as "null").
  std::string toString() const;
  // SQL literal text ('it''s', DATE '2024-01-31', 1.50BD is written as 1.50).
  std::string toSql() const;

  // Same type and value; NULL equals NULL here (it is a Value comparison, not SQL's =).
  bool operator==(const Value& o) const;
  bool operator!=(const Value& o) const { return !(*this == o); }

  static Value fromColumn(const Column& c, int64_t row);
  void appendTo(Column& c) const;  // c's type must match (ints widen/narrow by value)

  void serialize(ByteWriter& w) const;
  static Value deserialize(ByteReader& r);

 private:
  DataType type_;
  bool null_ = true;
  int128_t i_ = 0;  // bool, ints, date, timestamp, decimal unscaled
  double d_ = 0;    // float, double
  std::string s_;
  std::shared_ptr<const std::vector<Value>> items_, mapValues_;
};

using Row = std::vector<Value>;

}  // namespace ember
