// CAST between atomic types, and the implicit-coercion rules (commonType, widerType).
// Numeric conversions are type-specialised loops per (from, to) physical pair; string
// parsing and formatting live in functions_cast_string.cpp.
#include <cmath>
#include <limits>

#include "ember/columnar/datetime.h"
#include "ember/columnar/decimal.h"
#include "ember/columnar/value.h"
#include "ember/sql/functions_common.h"

namespace ember::sql {

using namespace fn;

namespace {

enum class Kind { Bool, Int, Float, Dec, Other };

Kind kindOf(const DataType& t) {
  if (t.id() == TypeId::Boolean) return Kind::Bool;
  if (t.isInteger()) return Kind::Int;
  if (t.isFloating()) return Kind::Float;
  if (t.isDecimal()) return Kind::Dec;
  return Kind::Other;
}

int rank(TypeId id) { return static_cast<int>(id); }

DataType widerDecimal(const DataType& a, const DataType& b) {
  int s = std::max(a.scale(), b.scale());
  int range = std::max(a.precision() - a.scale(), b.precision() - b.scale());
  return DataType::decimal(std::min(38, s + range), std::min(38, s));
}

std::optional<DataType> numericWider(const DataType& a, const DataType& b) {
  if (a.isInteger() && b.isInteger()) return rank(a.id()) >= rank(b.id()) ? a : b;
  if (a.isDecimal() && b.isDecimal()) return widerDecimal(a, b);
  if (a.isDecimal() && b.isInteger()) return widerDecimal(a, decimalForInteger(b));
  if (b.isDecimal() && a.isInteger()) return widerDecimal(decimalForInteger(a), b);
  // A float meets a float, an integer or a decimal: float only against integers.
  if (a.id() == TypeId::Float64 || b.id() == TypeId::Float64 || a.isDecimal() || b.isDecimal())
    return DataType::float64();
  return DataType::float32();
}

// Runs conv(x, out) -> bool over all rows; rows where it fails become NULL (or throw).
template <class From, class To, class Conv>
ColumnPtr castLoop(const Column& c, const DataType& to, bool ansi, Conv conv) {
  int64_t n = c.size();
  ColumnPtr out = Column::make(to, n);
  propagateNulls(*out, {&c}, n);
  const From* x = c.values<From>();
  To* o = out->mutableValues<To>();
  const uint64_t* v = c.validity();
  for (int64_t i = 0; i < n; ++i) {
    if (!conv(x[i], o[i]) && bitSet(v, i)) {
      if (ansi) throwCastError(c, i, to);
      clearBit(out->mutableValidity(), i);
    }
  }
  return out;
}

template <class T>
constexpr long double minOf() {
  if constexpr (std::is_same_v<T, int128_t>)
    return -1.7e38L;
  else
    return static_cast<long double>(std::numeric_limits<T>::min());
}
template <class T>
constexpr long double maxOf() {
  if constexpr (std::is_same_v<T, int128_t>)
    return 1.7e38L;
  else
    return static_cast<long double>(std::numeric_limits<T>::max());
}

template <class From, class To>
ColumnPtr castNumericTyped(const Column& c, const DataType& to, bool ansi) {
  const DataType& from = c.type();
  Kind fk = kindOf(from), tk = kindOf(to);
  int fs = from.scale(), ts = to.scale(), tp = to.precision();
  if (tk == Kind::Bool)
    return castLoop<From, uint8_t>(c, to, ansi, [](From x, uint8_t& o) {
      o = x != From(0);
      return true;
    });
  if constexpr (kIsFloat<From>) {
    if (tk == Kind::Float)
      return castLoop<From, To>(c, to, ansi, [](From x, To& o) {
        o = static_cast<To>(x);
        return true;
      });
    if (tk == Kind::Int)
      return castLoop<From, To>(c, to, ansi, [](From x, To& o) {
        // Truncates toward zero (Java's (int) cast); NaN and out-of-range fail.
        if (!(x >= minOf<To>() && x < maxOf<To>() + 1.0L)) return false;
        o = static_cast<To>(x);
        return true;
      });
    // Decimal: through the shortest decimal text, as Spark's Decimal(double) does
    // (0.1 becomes exactly 0.1, not 0.1000000000000000055...).
    return castLoop<From, To>(c, to, ansi, [tp, ts](From x, To& o) {
      if (!std::isfinite(x)) return false;
      auto v = parseDecimal(formatFloating(x, std::is_same_v<From, float>), tp, ts);
      if (!v) return false;
      o = static_cast<To>(*v);
      return true;
    });
  } else {
    if (fk == Kind::Dec) {
      int128_t div = pow10i128(fs);
      if (tk == Kind::Float)
        return castLoop<From, To>(c, to, ansi, [fs](From x, To& o) {
          o = static_cast<To>(decimalToDouble(static_cast<int128_t>(x), fs));
          return true;
        });
      if (tk == Kind::Int)
        return castLoop<From, To>(c, to, ansi, [div](From x, To& o) {
          int128_t q = static_cast<int128_t>(x) / div;  // truncates, as Spark
          if (q < static_cast<int128_t>(std::numeric_limits<To>::min()) ||
              q > static_cast<int128_t>(std::numeric_limits<To>::max()))
            return false;
          o = static_cast<To>(q);
          return true;
        });
      return castLoop<From, To>(c, to, ansi, [fs, ts, tp](From x, To& o) {
        int128_t r = static_cast<int128_t>(x);
        if (ts > fs && !fitsPrecision(r, 38 - (ts - fs))) return false;
        r = rescaleDecimal(r, fs, ts);
        if (!fitsPrecision(r, tp)) return false;
        o = static_cast<To>(r);
        return true;
      });
    }
    // From an integer or a boolean.
    if (tk == Kind::Float)
      return castLoop<From, To>(c, to, ansi, [](From x, To& o) {
        o = static_cast<To>(x);
        return true;
      });
    if (tk == Kind::Dec) {
      int128_t mul = pow10i128(ts);
      return castLoop<From, To>(c, to, ansi, [mul, tp](From x, To& o) {
        int128_t r;
        if (__builtin_mul_overflow(static_cast<int128_t>(x), mul, &r) || !fitsPrecision(r, tp))
          return false;
        o = static_cast<To>(r);
        return true;
      });
    }
    return castLoop<From, To>(c, to, ansi, [](From x, To& o) {
      if constexpr (sizeof(To) < sizeof(From) || std::is_same_v<From, uint8_t>) {
        if (static_cast<int64_t>(x) < static_cast<int64_t>(std::numeric_limits<To>::min()) ||
            static_cast<int64_t>(x) > static_cast<int64_t>(std::numeric_limits<To>::max()))
          return false;
      }
      o = static_cast<To>(x);
      return true;
    });
  }
}

ColumnPtr castNumeric(const Column& c, const DataType& to, bool ansi) {
  return visitFixed(c.type(), [&](auto f) -> ColumnPtr {
    using From = decltype(f);
    return visitFixed(
        to, [&](auto t) -> ColumnPtr { return castNumericTyped<From, decltype(t)>(c, to, ansi); });
  });
}

bool isTemporal(const DataType& t) { return t.id() == TypeId::Date || t.id() == TypeId::Timestamp; }

}  // namespace

void fn::throwCastError(const Column& c, int64_t row, const DataType& to) {
  Value v = Value::fromColumn(c, row);
  throw UserError("CAST(" + v.toSql() + " AS " + to.toString() + ") failed: the " +
                  c.type().toString() + " value " + v.toSql() + " cannot be represented as " +
                  to.toString() + " (with ember.sql.ansi.enabled=false it would be NULL)");
}

bool canCast(const DataType& from, const DataType& to) {
  if (from == to || from.id() == TypeId::Null) return true;
  if (to.id() == TypeId::Null) return false;
  if (from.isNested()) return fn::canCastNested(from, to);
  if (to.isNested()) return false;
  if (from.id() == TypeId::String || to.id() == TypeId::String) return true;
  Kind fk = kindOf(from), tk = kindOf(to);
  if (fk != Kind::Other && tk != Kind::Other) return true;  // numbers and booleans
  if (isTemporal(from) && isTemporal(to)) return true;
  // Timestamps and numbers convert through seconds since the epoch (Spark).
  if (from.id() == TypeId::Timestamp) return tk != Kind::Other;
  if (to.id() == TypeId::Timestamp) return fk != Kind::Other;
  return false;
}

ColumnPtr castColumn(const ColumnPtr& c, const DataType& to, bool ansi) {
  const DataType& from = c->type();
  if (from == to) return c;
  if (!canCast(from, to))
    throw UserError("cannot cast " + from.toString() + " to " + to.toString());
  int64_t n = c->size();
  if (from.id() == TypeId::Null) return Column::nulls(to, n);
  if (from.isNested()) return fn::castNested(c, to, ansi);
  if (to.id() == TypeId::String) return castToString(*c);
  if (from.id() == TypeId::String) return castFromString(*c, to, ansi);
  TypeId f = from.id(), t = to.id();
  if (f == TypeId::Date && t == TypeId::Timestamp)
    return castLoop<int32_t, int64_t>(*c, to, ansi, [](int32_t d, int64_t& o) {
      return !__builtin_mul_overflow(static_cast<int64_t>(d), kMicrosPerDay, &o);
    });
  if (f == TypeId::Timestamp && t == TypeId::Date)
    return castLoop<int64_t, int32_t>(*c, to, ansi, [](int64_t us, int32_t& o) {
      int64_t d = us / kMicrosPerDay;
      o = static_cast<int32_t>(us % kMicrosPerDay < 0 ? d - 1 : d);
      return true;
    });
  if (f == TypeId::Timestamp) {
    // Seconds since the epoch: floor for integers, fractional for floats and decimals.
    auto secs = Column::make(DataType::decimal(25, 6), n);
    propagateNulls(*secs, {c.get()}, n);
    const int64_t* x = c->values<int64_t>();
    int128_t* o = secs->mutableValues<int128_t>();
    for (int64_t i = 0; i < n; ++i) o[i] = x[i];
    if (to.isInteger()) {
      auto floored = Column::make(DataType::int64(), n);
      propagateNulls(*floored, {c.get()}, n);
      int64_t* fo = floored->mutableValues<int64_t>();
      for (int64_t i = 0; i < n; ++i)
        fo[i] = x[i] / kMicrosPerSecond - (x[i] % kMicrosPerSecond < 0);  // floor
      return castColumn(floored, to, ansi);
    }
    return castColumn(secs, to, ansi);
  }
  if (t == TypeId::Timestamp) {
    // Numbers are seconds since the epoch.
    ColumnPtr micros = castColumn(c, DataType::decimal(38, 6), ansi);
    return castLoop<int128_t, int64_t>(*micros, to, ansi, [](int128_t v, int64_t& o) {
      if (v > static_cast<int128_t>(INT64_MAX) || v < static_cast<int128_t>(INT64_MIN))
        return false;
      o = static_cast<int64_t>(v);
      return true;
    });
  }
  return castNumeric(*c, to, ansi);
}

std::optional<DataType> commonType(const DataType& a, const DataType& b) {
  if (a == b) return a;
  if (a.id() == TypeId::Null) return b;
  if (b.id() == TypeId::Null) return a;
  if (a.isNumeric() && b.isNumeric()) return numericWider(a, b);
  if (isTemporal(a) && isTemporal(b)) return DataType::timestamp();
  if (a.isNested() && b.isNested()) return fn::widerNested(a, b, false);
  if (a.id() == TypeId::String || b.id() == TypeId::String) {
    const DataType& o = a.id() == TypeId::String ? b : a;
    if (o.isNested()) return std::nullopt;
    // Spark: no decimal type fits every string, so the comparison is in doubles.
    if (o.isDecimal()) return DataType::float64();
    return o;  // the string is cast to the other side's type
  }
  return std::nullopt;
}

std::optional<DataType> widerType(const DataType& a, const DataType& b) {
  if (a == b) return a;
  if (a.id() == TypeId::Null) return b;
  if (b.id() == TypeId::Null) return a;
  if (a.isNumeric() && b.isNumeric()) return numericWider(a, b);
  if (isTemporal(a) && isTemporal(b)) return DataType::timestamp();
  if (a.isNested() && b.isNested()) return fn::widerNested(a, b, true);
  if (a.id() == TypeId::String || b.id() == TypeId::String) {
    const DataType& o = a.id() == TypeId::String ? b : a;
    if (o.isNested() || o.id() == TypeId::Boolean) return std::nullopt;
    return DataType::string();
  }
  return std::nullopt;
}

}  // namespace ember::sql
