#include "ember/columnar/value.h"

#include <fmt/format.h>

#include <cmath>

#include "ember/columnar/datetime.h"
#include "ember/columnar/decimal.h"

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
    default:
      return "<" + type_.toString() + ">";
  }
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
    default:
      return toString();
  }
}

bool Value::operator==(const Value& o) const {
  if (type_ != o.type_ || null_ != o.null_) return false;
  if (null_) return true;
  if (type_.isFloating()) return d_ == o.d_ || (std::isnan(d_) && std::isnan(o.d_));
  if (type_.id() == TypeId::String) return s_ == o.s_;
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
    default:
      c.appendNull();
  }
}

void Value::serialize(ByteWriter& w) const {
  type_.serialize(w);
  w.writeRaw<uint8_t>(null_);
  if (null_) return;
  if (type_.isFloating())
    w.writeRaw(d_);
  else if (type_.id() == TypeId::String)
    w.writeString(s_);
  else
    w.writeRaw(i_);
}

Value Value::deserialize(ByteReader& r) {
  Value v;
  v.type_ = DataType::deserialize(r);
  v.null_ = r.readRaw<uint8_t>() != 0;
  if (v.null_) return v;
  if (v.type_.isFloating())
    v.d_ = r.readRaw<double>();
  else if (v.type_.id() == TypeId::String)
    v.s_ = r.readString();
  else
    v.i_ = r.readRaw<int128_t>();
  return v;
}

}  // namespace ember
