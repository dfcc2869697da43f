#include "ember/columnar/value.h"

#include <fmt/format.h>

#include <cmath>

#include "ember/columnar/datetime.h"
#include "ember/columnar/decimal.h"
#include "ember/common/errors.h"

namespace ember {

Value Value::null(DataType t) {
  Value v;
  v.type_ = std::move(t);
  return v;
}

#define EMBER_VALUE_CTOR(name, ctype, dtype, member) \
  Value Value::name(ctype x) {                       \
    Value v;                                         \
    v.type_ = DataType::dtype();                     \
    v.null_ = false;                                 \
    v.member = x;                                    \
    return v;                                        \
  }
EMBER_VALUE_CTOR(boolean, bool, boolean, i_)
EMBER_VALUE_CTOR(int8, int8_t, int8, i_)
EMBER_VALUE_CTOR(int16, int16_t, int16, i_)
EMBER_VALUE_CTOR(int32, int32_t, int32, i_)
EMBER_VALUE_CTOR(int64, int64_t, int64, i_)
EMBER_VALUE_CTOR(float32, float, float32, d_)
EMBER_VALUE_CTOR(float64, double, float64, d_)
EMBER_VALUE_CTOR(date, int32_t, date, i_)
EMBER_VALUE_CTOR(timestamp, int64_t, timestamp, i_)
#undef EMBER_VALUE_CTOR

Value Value::decimal(int128_t unscaled, int precision, int scale) {
  Value v;
  v.type_ = DataType::decimal(precision, scale);
  v.null_ = false;
  v.i_ = unscaled;
  return v;
}

Value Value::string(std::string s) {
  Value v;
  v.type_ = DataType::string();
  v.null_ = false;
  v.s_ = std::move(s);
  return v;
}

Value Value::array(DataType type, std::vector<Value> elements) {
  Value v;
  v.type_ = std::move(type);
  v.null_ = false;
  v.items_ = std::make_shared<const std::vector<Value>>(std::move(elements));
  return v;
}

Value Value::structOf(DataType type, std::vector<Value> fields) {
  Value v = array(std::move(type), std::move(fields));
  return v;
}

Value Value::map(DataType type, std::vector<Value> keys, std::vector<Value> values) {
  Value v = array(std::move(type), std::move(keys));
  v.mapValues_ = std::make_shared<const std::vector<Value>>(std::move(values));
  return v;
}

const std::vector<Value>& Value::items() const {
  static const std::vector<Value> none;
  return items_ ? *items_ : none;
}

const std::vector<Value>& Value::mapValues() const {
  static const std::vector<Value> none;
  return mapValues_ ? *mapValues_ : none;
}

double Value::asDouble() const {
  if (type_.isFloating()) return d_;
  if (type_.isDecimal()) return decimalToDouble(i_, type_.scale());
  return static_cast<double>(i_);
}

namespace {
std::string formatDouble(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  if (d == std::floor(d) && std::fabs(d) < 1e15) return fmt::format("{:.1f}", d);
  return fmt::format("{}", d);  // shortest round-trip representation
}
// Elements inside arrays, structs and maps print NULL as "null", as Spark does.
std::string nestedItem(const Value& v) { return v.isNull() ? "null" : v.toString(); }
}  // namespace

std::string Value::toString() const {
  if (null_) return "NULL";
  switch (type_.id()) {
    case TypeId::Null:
      return "NULL";
    case TypeId::Boolean:
      return i_ ? "true" : "false";
    case TypeId::Int8:
    case TypeId::Int16:
    case TypeId::Int32:
    case TypeId::Int64:
      return std::to_string(static_cast<int64_t>(i_));
    case TypeId::Float32:
      return formatDouble(static_cast<float>(d_));
    case TypeId::Float64:
      return formatDouble(d_);
    case TypeId::Decimal:
      return formatDecimal(i_, type_.scale());
    case TypeId::String:
      return s_;
    case TypeId::Date:
      return formatDate(static_cast<int32_t>(i_));
    case TypeId::Timestamp:
      return formatTimestamp(static_cast<int64_t>(i_));
    case TypeId::List:
    case TypeId::Struct: {
      bool list = type_.id() == TypeId::List;
      std::string s = list ? "[" : "{";
      for (size_t k = 0; k < items().size(); ++k) s += (k ? ", " : "") + nestedItem(items()[k]);
      return s + (list ? "]" : "}");
    }
    case TypeId::Map: {
      std::string s = "{";
      for (size_t k = 0; k < items().size(); ++k)
        s += (k ? ", " : "") + nestedItem(items()[k]) + " -> " + nestedItem(mapValues()[k]);
      return s + "}";
    }
  }
  return "?";
}

std::string Value::toSql() const {
  if (null_) return "NULL";
  switch (type_.id()) {
    case TypeId::String: {
      std::string out = "'";
      for (char c : s_) {
        if (c == '\'') out += '\'';
        out += c;
      }
      return out + "'";
    }
    case TypeId::Date:
      return "DATE '" + toString() + "'";
    case TypeId::Timestamp:
      return "TIMESTAMP '" + toString() + "'";
    case TypeId::List:
    case TypeId::Map: {
      bool list = type_.id() == TypeId::List;
      std::string s = list ? "array(" : "map(";
      for (size_t k = 0; k < items().size(); ++k) {
        s += (k ? ", " : "") + items()[k].toSql();
        if (!list) s += ", " + mapValues()[k].toSql();
      }
      return s + ")";
    }
    case TypeId::Struct: {
      std::string s = "named_struct(";
      for (size_t k = 0; k < items().size(); ++k)
        s += (k ? ", " : "") + Value::string(type_.children()[k].name).toSql() + ", " +
             items()[k].toSql();
      return s + ")";
    }
    default:
      return toString();
  }
}

bool Value::operator==(const Value& o) const {
  if (type_ != o.type_ || null_ != o.null_) return false;
  if (null_) return true;
  if (type_.isFloating()) return d_ == o.d_ || (std::isnan(d_) && std::isnan(o.d_));
  if (type_.id() == TypeId::String) return s_ == o.s_;
  if (type_.isNested()) return items() == o.items() && mapValues() == o.mapValues();
  return i_ == o.i_;
}

Value Value::fromColumn(const Column& c, int64_t row) {
  const DataType& t = c.type();
  if (c.isNull(row)) return null(t);
  switch (t.id()) {
    case TypeId::Boolean:
      return boolean(c.valueAt<uint8_t>(row) != 0);
    case TypeId::Int8:
      return int8(c.valueAt<int8_t>(row));
    case TypeId::Int16:
      return int16(c.valueAt<int16_t>(row));
    case TypeId::Int32:
      return int32(c.valueAt<int32_t>(row));
    case TypeId::Int64:
      return int64(c.valueAt<int64_t>(row));
    case TypeId::Float32:
      return float32(c.valueAt<float>(row));
    case TypeId::Float64:
      return float64(c.valueAt<double>(row));
    case TypeId::Decimal:
      return decimal(t.isWideDecimal() ? c.valueAt<int128_t>(row) : c.valueAt<int64_t>(row),
                     t.precision(), t.scale());
    case TypeId::String:
      return string(std::string(c.stringAt(row)));
    case TypeId::Date:
      return date(c.valueAt<int32_t>(row));
    case TypeId::Timestamp:
      return timestamp(c.valueAt<int64_t>(row));
    case TypeId::Struct: {
      std::vector<Value> fields;
      for (const auto& ch : c.children()) fields.push_back(fromColumn(*ch, row));
      return structOf(t, std::move(fields));
    }
    case TypeId::List:
    case TypeId::Map: {
      std::vector<Value> keys, values;
      for (int32_t j = c.listBegin(row); j < c.listEnd(row); ++j) {
        keys.push_back(fromColumn(c.child(0), j));
        if (t.id() == TypeId::Map) values.push_back(fromColumn(c.child(1), j));
      }
      return t.id() == TypeId::Map ? map(t, std::move(keys), std::move(values))
                                   : array(t, std::move(keys));
    }
    default:
      return null(t);
  }
}

void Value::appendTo(Column& c) const {
  if (null_) {
    c.appendNull();
    return;
  }
  switch (c.type().id()) {
    case TypeId::Boolean:
      c.append<uint8_t>(i_ != 0);
      break;
    case TypeId::Int8:
      c.append<int8_t>(static_cast<int8_t>(i_));
      break;
    case TypeId::Int16:
      c.append<int16_t>(static_cast<int16_t>(i_));
      break;
    case TypeId::Int32:
    case TypeId::Date:
      c.append<int32_t>(static_cast<int32_t>(i_));
      break;
    case TypeId::Int64:
    case TypeId::Timestamp:
      c.append<int64_t>(static_cast<int64_t>(i_));
      break;
    case TypeId::Float32:
      c.append<float>(static_cast<float>(type_.isFloating() ? d_ : asDouble()));
      break;
    case TypeId::Float64:
      c.append<double>(type_.isFloating() ? d_ : asDouble());
      break;
    case TypeId::Decimal: {
      int128_t v = type_.isDecimal() ? rescaleDecimal(i_, type_.scale(), c.type().scale())
                                     : i_ * pow10i128(c.type().scale());
      if (c.type().isWideDecimal())
        c.append<int128_t>(v);
      else
        c.append<int64_t>(static_cast<int64_t>(v));
      break;
    }
    case TypeId::String:
      c.appendString(type_.id() == TypeId::String ? s_ : toString());
      break;
    case TypeId::List:
    case TypeId::Map:
    case TypeId::Struct:
      if (type_.id() != c.type().id() ||
          (c.type().id() == TypeId::Struct && items().size() != c.children().size()))
        throw InternalError("cannot append a " + type_.toString() + " value to a " +
                            c.type().toString() + " column");
      for (size_t k = 0; k < items().size(); ++k) {
        size_t child = c.type().id() == TypeId::Struct ? k : 0;
        items()[k].appendTo(c.child(child));
        if (c.type().id() == TypeId::Map) mapValues()[k].appendTo(c.child(1));
      }
      c.appendNestedRow();
      break;
    default:
      c.appendNull();
  }
}

void Value::serialize(ByteWriter& w) const {
  type_.serialize(w);
  w.writeRaw<uint8_t>(null_);
  if (null_) return;
  if (type_.isFloating()) {
    w.writeRaw(d_);
  } else if (type_.id() == TypeId::String) {
    w.writeString(s_);
  } else if (type_.isNested()) {
    w.writeVarint(items().size());
    for (const auto& v : items()) v.serialize(w);
    w.writeVarint(mapValues().size());
    for (const auto& v : mapValues()) v.serialize(w);
  } else {
    w.writeRaw(i_);
  }
}

Value Value::deserialize(ByteReader& r) {
  Value v;
  v.type_ = DataType::deserialize(r);
  v.null_ = r.readRaw<uint8_t>() != 0;
  if (v.null_) return v;
  if (v.type_.isFloating()) {
    v.d_ = r.readRaw<double>();
  } else if (v.type_.id() == TypeId::String) {
    v.s_ = r.readString();
  } else if (v.type_.isNested()) {
    for (auto* part : {&v.items_, &v.mapValues_}) {
      size_t n = r.readVarint();
      if (n > r.remaining()) throw IoError("corrupt nested value: implausible size");
      std::vector<Value> items;
      for (size_t k = 0; k < n; ++k) items.push_back(deserialize(r));
      *part = std::make_shared<const std::vector<Value>>(std::move(items));
    }
  } else {
    v.i_ = r.readRaw<int128_t>();
  }
  return v;
}

}  // namespace ember
