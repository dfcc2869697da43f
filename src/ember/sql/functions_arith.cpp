// Arithmetic operators: + - * / % div negate, date +/- days, date - date, and the
// parser's interval_add. Result types follow Spark (integer widening, "/" on integers is
// double, decimal rules in functions_decimal.cpp); integer overflow is a UserError.
#include <cmath>

#include "ember/columnar/datetime.h"
#include "ember/columnar/value.h"
#include "ember/sql/functions_common.h"

namespace ember::sql::fn {

namespace {

[[noreturn]] void intOverflow(const Column& a, const Column* b, int64_t i, const std::string& op,
                              const DataType& t) {
  std::string expr =
      b ? Value::fromColumn(a, i).toString() + " " + op + " " + Value::fromColumn(*b, i).toString()
        : op + Value::fromColumn(a, i).toString();
  throw UserError("integer overflow: " + expr + " does not fit " + t.toString() +
                  "; cast an operand to bigint or decimal first");
}

// f(x, y, out) returns true on overflow. The loop ORs the flags (branch-free); only if
// one is set does a second pass find the first valid row to report (NULL rows may hold
// garbage and must not raise).
template <class T, class F>
ColumnPtr checkedBinary(const ColumnPtr& a, const ColumnPtr& b, const DataType& t, int64_t rows,
                        const std::string& op, F f) {
  ColumnPtr out = Column::make(t, rows);
  propagateNulls(*out, {a.get(), b.get()}, rows);
  const T* x = a->values<T>();
  const T* y = b->values<T>();
  T* o = out->mutableValues<T>();
  bool bad = false;
  for (int64_t i = 0; i < rows; ++i) bad |= f(x[i], y[i], o[i]);
  if (bad) {
    const uint64_t* v = out->validity();
    T tmp;
    for (int64_t i = 0; i < rows; ++i)
      if (bitSet(v, i) && f(x[i], y[i], tmp)) intOverflow(*a, b.get(), i, op, t);
  }
  return out;
}

// x / 0 and x % 0 are NULL (Spark); f computes a non-zero-divisor row.
template <class T, class R, class F>
ColumnPtr divisionLike(const ColumnPtr& a, const ColumnPtr& b, const DataType& t, int64_t rows,
                       F f) {
  ColumnPtr out = Column::make(t, rows);
  propagateNulls(*out, {a.get(), b.get()}, rows);
  const T* x = a->values<T>();
  const T* y = b->values<T>();
  R* o = out->mutableValues<R>();
  for (int64_t i = 0; i < rows; ++i) {
    if (y[i] == T(0)) {
      o[i] = R(0);
      clearBit(out->mutableValidity(), i);
    } else {
      o[i] = f(x[i], y[i]);
    }
  }
  return out;
}

ColumnPtr numericKernel(char op, const ColumnPtr& a, const ColumnPtr& b, const DataType& t,
                        int64_t rows) {
  if (t.isDecimal()) return decimalArith(op, a, b, t, rows);
  return visitFixed(t, [&](auto tag) -> ColumnPtr {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, int128_t> || std::is_same_v<T, uint8_t>) {
      throw InternalError("no arithmetic on " + t.toString());
    } else if constexpr (kIsFloat<T>) {
      switch (op) {
        case '+':
          return checkedBinary<T>(a, b, t, rows, "+",
                                  [](T x, T y, T& o) { return o = x + y, false; });
        case '-':
          return checkedBinary<T>(a, b, t, rows, "-",
                                  [](T x, T y, T& o) { return o = x - y, false; });
        case '*':
          return checkedBinary<T>(a, b, t, rows, "*",
                                  [](T x, T y, T& o) { return o = x * y, false; });
        case '/':
          return divisionLike<T, T>(a, b, t, rows, [](T x, T y) { return x / y; });
        default:
          return divisionLike<T, T>(a, b, t, rows, [](T x, T y) { return std::fmod(x, y); });
      }
    } else {
      switch (op) {
        case '+':
          return checkedBinary<T>(a, b, t, rows, "+",
                                  [](T x, T y, T& o) { return __builtin_add_overflow(x, y, &o); });
        case '-':
          return checkedBinary<T>(a, b, t, rows, "-",
                                  [](T x, T y, T& o) { return __builtin_sub_overflow(x, y, &o); });
        case '*':
          return checkedBinary<T>(a, b, t, rows, "*",
                                  [](T x, T y, T& o) { return __builtin_mul_overflow(x, y, &o); });
        case 'd': {  // div: MIN div -1 overflows; x div 0 is NULL
          ColumnPtr out = checkedBinary<T>(a, b, t, rows, "div", [&](T x, T y, T& o) {
            if (y == 0) return o = 0, false;
            if (y == T(-1)) return __builtin_sub_overflow(T(0), x, &o);
            return o = static_cast<T>(x / y), false;
          });
          const T* y = b->values<T>();
          for (int64_t i = 0; i < rows; ++i)
            if (y[i] == 0) clearBit(out->mutableValidity(), i);
          return out;
        }
        default:  // '%': MIN % -1 is 0, not a trap
          return divisionLike<T, T>(a, b, t, rows,
                                    [](T x, T y) { return y == T(-1) ? T(0) : T(x % y); });
      }
    }
  });
}

DataType toDecimal(const DataType& t) { return t.isDecimal() ? t : decimalForInteger(t); }

// An integer literal next to a decimal takes the fewest digits that hold it (Spark's
// DecimalType.fromLiteral): price * 2 is decimal(p+2, s), not decimal(p+11, s).
DataType literalDecimal(const DataType& t, const std::optional<Value>& lit) {
  if (!t.isInteger() || !lit || lit->isNull()) return toDecimal(t);
  int64_t v = lit->asInt64();
  int digits = 1;
  for (uint64_t u = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v); u >= 10;
       u /= 10)
    ++digits;
  return DataType::decimal(digits, 0);
}

BoundFunction bindArith(char op, const std::string& name, std::span<const DataType> types,
                        std::span<const std::optional<Value>> lits) {
  checkArity(name, types, 2, 2);
  DataType a = types[0], b = types[1];
  if (isNullType(a) && isNullType(b)) a = b = DataType::int32();
  if (isNullType(a)) a = b.id() == TypeId::Date ? DataType::int32() : b;
  if (isNullType(b)) b = a.id() == TypeId::Date ? DataType::int32() : a;
  TypeId ia = a.id(), ib = b.id();
  if ((op == '+' || op == '-') && ia == TypeId::Date && b.isInteger()) {
    bool add = op == '+';
    return {DataType::date(),
            true,
            {DataType::date(), DataType::int32()},
            [add](std::span<const ColumnPtr> args, int64_t rows) {
              return checkedBinary<int32_t>(args[0], args[1], DataType::date(), rows,
                                            add ? "+" : "-",
                                            [add](int32_t x, int32_t y, int32_t& o) {
                                              return add ? __builtin_add_overflow(x, y, &o)
                                                         : __builtin_sub_overflow(x, y, &o);
                                            });
            }};
  }
  if (op == '+' && a.isInteger() && ib == TypeId::Date)
    return {DataType::date(),
            true,
            {DataType::int32(), DataType::date()},
            [](std::span<const ColumnPtr> args, int64_t rows) {
              return checkedBinary<int32_t>(args[0], args[1], DataType::date(), rows, "+",
                                            [](int32_t x, int32_t y, int32_t& o) {
                                              return __builtin_add_overflow(x, y, &o);
                                            });
            }};
  if (op == '-' && ia == TypeId::Date && ib == TypeId::Date)
    return {DataType::int32(),
            true,
            {DataType::date(), DataType::date()},
            [](std::span<const ColumnPtr> args, int64_t rows) {
              return checkedBinary<int32_t>(args[0], args[1], DataType::int32(), rows, "-",
                                            [](int32_t x, int32_t y, int32_t& o) {
                                              return __builtin_sub_overflow(x, y, &o);
                                            });
            }};
  // Spark (ANSI off) evaluates arithmetic on strings in doubles.
  if (ia == TypeId::String) a = DataType::float64();
  if (ib == TypeId::String) b = DataType::float64();
  if (!a.isNumeric() || !b.isNumeric())
    bindError(name, "cannot apply '" + name + "' to " + types[0].toString() + " and " +
                        types[1].toString());
  DataType t;
  std::vector<DataType> argTypes;
  bool anyFloat = a.isFloating() || b.isFloating();
  bool anyDecimal = a.isDecimal() || b.isDecimal();
  if (op == 'd') {
    t = DataType::int64();
    argTypes = {t, t};
  } else if (anyDecimal && !anyFloat) {
    DataType da = literalDecimal(a, lits[0]), db = literalDecimal(b, lits[1]);
    t = decimalResultType(op, da, db);
    argTypes = {da, db};
  } else if (op == '/' && !anyDecimal) {
    t = DataType::float64();
    argTypes = {t, t};
  } else {
    t = *commonType(a, b);
    argTypes = {t, t};
  }
  ScalarKernel k = [op, t](std::span<const ColumnPtr> args, int64_t rows) {
    return numericKernel(op, args[0], args[1], t, rows);
  };
  return {t, op == '/' || op == '%', argTypes, k};
}

ScalarFunction arith(char op, std::string name, std::string usage) {
  ScalarFunction f;
  f.name = name;
  f.usage = std::move(usage);
  f.bind = [op, name](std::span<const DataType> types, std::span<const std::optional<Value>> lits) {
    return bindArith(op, name, types, lits);
  };
  return f;
}

ColumnPtr negateKernel(const ColumnPtr& a, const DataType& t, int64_t rows) {
  return visitFixed(t, [&](auto tag) -> ColumnPtr {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, uint8_t>) {
      throw InternalError("negate of boolean");
    } else if constexpr (kIsFloat<T> || std::is_same_v<T, int128_t>) {
      return mapUnary<T, T>(a, t, rows, [](T x) { return -x; });
    } else {
      ColumnPtr out = makeResult(t, std::span<const ColumnPtr>(&a, 1), rows);
      const T* x = a->values<T>();
      T* o = out->mutableValues<T>();
      bool bad = false;
      for (int64_t i = 0; i < rows; ++i) bad |= __builtin_sub_overflow(T(0), x[i], &o[i]);
      if (bad && !t.isDecimal())
        for (int64_t i = 0; i < rows; ++i)
          if (a->isValid(i) && x[i] == std::numeric_limits<T>::min())
            intOverflow(*a, nullptr, i, "-", t);
      return out;
    }
  });
}

// interval_add(x, months, days, micros): x + INTERVAL. A date stays a date when the
// interval has no time part (micros is the literal 0), as Spark's date + INTERVAL.
BoundFunction bindIntervalAdd(std::span<const DataType> types,
                              std::span<const std::optional<Value>> lits) {
  checkArity("interval_add", types, 4, 4);
  TypeId x = types[0].id();
  if (x != TypeId::Date && x != TypeId::Timestamp && x != TypeId::String && x != TypeId::Null)
    bindError("interval_add", "expects a date or timestamp, got " + types[0].toString());
  bool dateResult = x == TypeId::Date && lits[3] && !lits[3]->isNull() && lits[3]->asInt64() == 0;
  DataType t = dateResult ? DataType::date() : DataType::timestamp();
  ScalarKernel k = [dateResult, t](std::span<const ColumnPtr> args, int64_t rows) {
    ColumnPtr out = makeResult(t, args, rows);
    const int32_t* mo = args[1]->values<int32_t>();
    const int32_t* dd = args[2]->values<int32_t>();
    if (dateResult) {
      const int32_t* d = args[0]->values<int32_t>();
      int32_t* o = out->mutableValues<int32_t>();
      for (int64_t i = 0; i < rows; ++i)
        o[i] = out->isNull(i) ? 0 : (mo[i] ? addMonths(d[i], mo[i]) : d[i]) + dd[i];
      return out;
    }
    const int64_t* ts = args[0]->values<int64_t>();
    const int64_t* us = args[3]->values<int64_t>();
    int64_t* o = out->mutableValues<int64_t>();
    for (int64_t i = 0; i < rows; ++i) {
      if (out->isNull(i)) {  // garbage under NULL must not reach the calendar code
        o[i] = 0;
        continue;
      }
      int64_t day = ts[i] / kMicrosPerDay, tod = ts[i] % kMicrosPerDay;
      if (tod < 0) tod += kMicrosPerDay, --day;
      if (mo[i]) day = addMonths(static_cast<int32_t>(day), mo[i]);
      int64_t r;
      if (__builtin_mul_overflow(day + dd[i], kMicrosPerDay, &r) ||
          __builtin_add_overflow(r, tod, &r) || __builtin_add_overflow(r, us[i], &r))
        throw UserError("interval arithmetic overflow: the result leaves the timestamp range");
      o[i] = r;
    }
    return out;
  };
  return {t, true, {t, DataType::int32(), DataType::int32(), DataType::int64()}, k};
}

}  // namespace

void registerArithmetic(FunctionRegistry& r) {
  r.add(arith('+', "+", "a + b - sum; date + days"));
  r.add(arith('-', "-", "a - b - difference; date - days; date - date (days)"));
  r.add(arith('*', "*", "a * b - product"));
  r.add(arith('/', "/", "a / b - quotient (double for integers, decimal rules); NULL if b = 0"));
  r.add(arith('%', "%", "a % b - remainder with the sign of a; NULL if b = 0"));
  r.add(arith('d', "div", "a div b - integral division (bigint); NULL if b = 0"));
  ScalarFunction neg;
  neg.name = "negate";
  neg.usage = "negate(x) / -x - the negated number";
  neg.bind = [](std::span<const DataType> types, std::span<const std::optional<Value>>) {
    checkArity("negate", types, 1, 1);
    DataType t = isNullType(types[0])              ? DataType::int32()
                 : types[0].id() == TypeId::String ? DataType::float64()
                                                   : types[0];
    if (!t.isNumeric()) bindError("negate", "expects a number, got " + types[0].toString());
    return BoundFunction{t, true, {t}, [t](std::span<const ColumnPtr> args, int64_t rows) {
                           return negateKernel(args[0], t, rows);
                         }};
  };
  r.add(neg);
  ScalarFunction ia;
  ia.name = "interval_add";
  ia.usage = "interval_add(date|timestamp, months, days, micros) - x + INTERVAL";
  ia.bind = bindIntervalAdd;
  r.add(ia);
}

}  // namespace ember::sql::fn
