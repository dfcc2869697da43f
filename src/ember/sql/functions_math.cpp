// Math functions: abs, ceil/floor, round/bround (exact on decimals), the double-valued
// functions (sqrt, exp, ln, trigonometry, ...), pow, mod/pmod, sign, pi, e.
#include <cmath>
#include <limits>
#include <numbers>

#include "ember/columnar/decimal.h"
#include "ember/columnar/value.h"
#include "ember/sql/functions_common.h"

namespace ember::sql::fn {

namespace {

// Functions, not namespace-scope constants: the built-ins may be registered during static
// initialisation (a registerUdf in another translation unit), before such constants are.
DataType kDouble() { return DataType::float64(); }

// ---- double -> double ----
template <class F>
ScalarFunction unaryDouble(std::string name, std::vector<std::string> aliases, std::string usage,
                           F f) {
  return fixedFunction(std::move(name), std::move(aliases), std::move(usage), {kDouble()},
                       kDouble(), [f](std::span<const ColumnPtr> args, int64_t rows) {
                         return mapUnary<double, double>(args[0], kDouble(), rows, f);
                       });
}

// Logarithms: NULL for x <= 0 (Spark), not NaN / -Infinity.
template <class F>
ScalarFunction logFn(std::string name, std::string usage, F f) {
  return fixedFunction(std::move(name), {}, std::move(usage), {kDouble()}, kDouble(),
                       [f](std::span<const ColumnPtr> args, int64_t rows) {
                         return fixedRows<double>(kDouble(), args, rows,
                                                  [f](const RowArgs& a, int64_t i, double& o) {
                                                    double x = a.val<double>(0, i);
                                                    if (!(x > 0)) return false;
                                                    o = f(x);
                                                    return true;
                                                  });
                       });
}

ColumnPtr logKernel(std::span<const ColumnPtr> args, int64_t rows) {
  if (args.size() == 1)
    return fixedRows<double>(kDouble(), args, rows, [](const RowArgs& a, int64_t i, double& o) {
      double x = a.val<double>(0, i);
      return x > 0 ? (o = std::log(x), true) : false;
    });
  return fixedRows<double>(kDouble(), args, rows, [](const RowArgs& a, int64_t i, double& o) {
    double b = a.val<double>(0, i), x = a.val<double>(1, i);
    if (!(b > 0) || !(x > 0)) return false;
    o = std::log(x) / std::log(b);
    return true;
  });
}

ColumnPtr binaryDouble(std::span<const ColumnPtr> args, int64_t rows, double (*f)(double, double)) {
  ColumnPtr out = makeResult(kDouble(), args, rows);
  const double *x = args[0]->values<double>(), *y = args[1]->values<double>();
  double* o = out->mutableValues<double>();
  for (int64_t i = 0; i < rows; ++i) o[i] = f(x[i], y[i]);
  return out;
}

// ---- abs / sign ----
ColumnPtr absKernel(std::span<const ColumnPtr> args, int64_t rows) {
  const DataType& t = args[0]->type();
  return visitFixed(t, [&](auto tag) -> ColumnPtr {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, uint8_t>) {
      throw InternalError("abs of boolean");
    } else {
      ColumnPtr out = mapUnary<T, T>(args[0], t, rows, [](T x) {
        if constexpr (kIsFloat<T>) {
          return std::fabs(x);
        } else {
          T r = x;
          if (x < T(0)) __builtin_sub_overflow(T(0), x, &r);  // MIN is reported below
          return r;
        }
      });
      if constexpr (!kIsFloat<T> && !std::is_same_v<T, int128_t>) {
        if (!t.isDecimal()) {
          const T* x = args[0]->values<T>();
          for (int64_t i = 0; i < rows; ++i)
            if (x[i] == std::numeric_limits<T>::min() && args[0]->isValid(i))
              throw UserError("integer overflow: abs(" + std::to_string(x[i]) + ") does not fit " +
                              t.toString());
        }
      }
      return out;
    }
  });
}

BoundFunction bindNumericSame(const std::string& name, std::span<const DataType> types,
                              ScalarKernel k) {
  checkArity(name, types, 1, 1);
  DataType t = isNullType(types[0])              ? DataType::int32()
               : types[0].id() == TypeId::String ? kDouble()
                                                 : types[0];
  if (!t.isNumeric()) bindError(name, "expects a number, got " + types[0].toString());
  return {t, true, {t}, k};
}

// ---- rounding ----
enum class Mode { HalfUp, HalfEven, Ceil, Floor };

// Rounds unscaled v (scale s) to scale `to` < s.
int128_t roundUnscaled(int128_t v, int s, int to, Mode m) {
  int128_t div = pow10i128(s - to);
  int128_t q = v / div, r = v % div;
  if (r == 0) return q;
  int128_t ar = r < 0 ? -r : r;
  bool up;  // away from zero
  switch (m) {
    case Mode::HalfUp:
      up = ar >= div - ar;  // 2|r| >= div without overflowing at 10^38
      break;
    case Mode::HalfEven:
      up = ar > div - ar || (ar == div - ar && (q % 2 != 0));
      break;
    case Mode::Ceil:
      up = v > 0;
      break;
    default:
      up = v < 0;
  }
  return up ? (v < 0 ? q - 1 : q + 1) : q;
}

// round/bround/ceil/floor of a decimal to `d` fractional digits (d may be negative):
// result decimal(min(p - s + 1 + max(d, 0), 38), max(d, 0)) as Spark 3.4.
DataType roundedDecimalType(const DataType& t, int d) {
  int s = t.scale(), p = t.precision();
  int newScale = std::max(0, std::min(s, d));
  int intDigits = p - s + 1;
  if (d < 0) intDigits = std::max(intDigits, -d + 1);
  return DataType::decimal(std::min(intDigits + newScale, 38), newScale);
}

ColumnPtr roundDecimal(const ColumnPtr& a, const DataType& out, int d, Mode m, int64_t rows) {
  int s = a->type().scale();
  ColumnPtr res = makeResult(out, std::span<const ColumnPtr>(&a, 1), rows);
  visitDecimal(a->type(), [&](auto in) {
    using In = decltype(in);
    visitDecimal(out, [&](auto o) {
      using Out = decltype(o);
      const In* x = a->values<In>();
      Out* y = res->mutableValues<Out>();
      for (int64_t i = 0; i < rows; ++i) {
        int128_t v = x[i];
        if (d < s) v = roundUnscaled(v, s, d, m);                 // at scale d (maybe negative)
        if (d < 0) __builtin_mul_overflow(v, pow10i128(-d), &v);  // back to scale 0; fits
        y[i] = static_cast<Out>(v);
      }
    });
  });
  return res;
}

// Doubles round through their shortest decimal text, as Spark's BigDecimal(x) does, so
// round(2.675, 2) = 2.68.
double roundDouble(double x, int d, Mode m) {
  if (!std::isfinite(x)) return x;
  if (m == Mode::Ceil) return std::ceil(x);
  if (m == Mode::Floor) return std::floor(x);
  if (std::fabs(x) >= 1e17 && d >= 0) return x;
  int scale = std::max(d, 0);
  std::optional<int128_t> v = parseDecimal(formatFloating(x, false), 38, std::min(scale + 17, 38));
  if (!v) return x;
  int s = std::min(scale + 17, 38);
  int128_t r = roundUnscaled(*v, s, d, m);
  return d >= 0 ? decimalToDouble(r, d) : static_cast<double>(r) * std::pow(10.0, -d);
}

template <Mode M>
BoundFunction bindRound(const std::string& name, std::span<const DataType> types,
                        std::span<const std::optional<Value>> lits) {
  bool ceilFloor = M == Mode::Ceil || M == Mode::Floor;
  checkArity(name, types, 1, ceilFloor ? 1 : 2);
  int d = 0;
  if (types.size() == 2) {
    if (!lits[1] || !types[1].isInteger()) bindError(name, "the scale must be an integer literal");
    d = lits[1]->isNull() ? 0 : static_cast<int>(lits[1]->asInt64());
  }
  DataType t = isNullType(types[0]) || types[0].id() == TypeId::String ? kDouble() : types[0];
  if (!t.isNumeric()) bindError(name, "expects a number, got " + types[0].toString());
  std::vector<DataType> argTypes{t};
  if (types.size() == 2) argTypes.push_back(types[1]);
  if (t.isDecimal()) {
    DataType out = roundedDecimalType(t, d);
    return {out, true, argTypes, [out, d](std::span<const ColumnPtr> args, int64_t rows) {
              return roundDecimal(args[0], out, d, M, rows);
            }};
  }
  if (ceilFloor && t.isInteger())
    return {
        DataType::int64(), true, {DataType::int64()}, [](std::span<const ColumnPtr> args, int64_t) {
          return args[0];
        }};
  if (ceilFloor) {
    // Spark: ceil/floor of a number is a bigint.
    DataType out = DataType::int64();
    return {out, true, {kDouble()}, [out](std::span<const ColumnPtr> args, int64_t rows) {
              ColumnPtr r = mapUnary<double, double>(args[0], kDouble(), rows, [](double x) {
                return M == Mode::Ceil ? std::ceil(x) : std::floor(x);
              });
              return castColumn(r, out, false);
            }};
  }
  if (t.isInteger()) {
    return {t, true, argTypes, [t, d](std::span<const ColumnPtr> args, int64_t rows) {
              if (d >= 0) return args[0];
              ColumnPtr asDec = castColumn(args[0], DataType::decimal(20, 0), false);
              return castColumn(roundDecimal(asDec, DataType::decimal(38, 0), d, M, rows), t,
                                false);
            }};
  }
  return {t, true, argTypes, [t, d](std::span<const ColumnPtr> args, int64_t rows) {
            return visitFixed(t, [&](auto tag) -> ColumnPtr {
              using T = decltype(tag);
              if constexpr (kIsFloat<T>)
                return mapUnary<T, T>(args[0], t, rows, [d](T x) {
                  return static_cast<T>(roundDouble(static_cast<double>(x), d, M));
                });
              else
                throw InternalError("round kernel for " + t.toString());
            });
          }};
}

template <Mode M>
ScalarFunction roundFn(std::string name, std::vector<std::string> aliases, std::string usage) {
  ScalarFunction f;
  f.name = name;
  f.aliases = std::move(aliases);
  f.usage = std::move(usage);
  f.bind = [name](std::span<const DataType> t, std::span<const std::optional<Value>> l) {
    return bindRound<M>(name, t, l);
  };
  return f;
}

// pmod(a, n): the remainder made non-negative for positive n, as Spark's
// ((a % n) + n) % n: only r < 0 with n > 0 changes (to r + n).
BoundFunction bindPmod(std::span<const DataType> types, std::span<const std::optional<Value>> l) {
  BoundFunction mod = FunctionRegistry::builtin().find("%")->bind(types, l);
  ScalarKernel inner = mod.kernel;
  DataType t = mod.resultType;
  mod.kernel = [inner, t](std::span<const ColumnPtr> args, int64_t rows) {
    ColumnPtr r = inner(args, rows);
    ColumnPtr n = castColumn(args[1], t, false);  // the divisor at the result's scale
    ColumnPtr out = makeResult(t, std::vector<ColumnPtr>{r, n}, rows);
    visitFixed(t, [&](auto tag) {
      using T = decltype(tag);
      const T *x = r->values<T>(), *y = n->values<T>();
      T* o = out->mutableValues<T>();
      for (int64_t i = 0; i < rows; ++i) {
        o[i] = x[i];
        // |x| < |y| for valid rows, so the sum fits; garbage rows must not overflow.
        if (x[i] < T(0) && y[i] > T(0)) {
          if constexpr (kIsFloat<T>)
            o[i] = x[i] + y[i];
          else
            __builtin_add_overflow(x[i], y[i], &o[i]);
        }
      }
      if (t.isDecimal())  // r + n may need more digits than the result type has
        for (int64_t i = 0; i < rows; ++i)
          if (!fitsPrecision(static_cast<int128_t>(o[i]), t.precision()))
            clearBit(out->mutableValidity(), i);
    });
    return out;
  };
  return mod;
}

// isnan(x): never NULL (NULL is not NaN), as Spark.
ColumnPtr isnanKernel(std::span<const ColumnPtr> args, int64_t rows) {
  ColumnPtr out = Column::make(DataType::boolean(), rows);
  const double* x = args[0]->values<double>();
  const uint64_t* v = args[0]->validity();
  uint8_t* o = out->mutableValues<uint8_t>();
  for (int64_t i = 0; i < rows; ++i) o[i] = bitSet(v, i) && std::isnan(x[i]);
  return out;
}

// nanvl(a, b): b where a is NaN, else a.
ColumnPtr nanvlKernel(std::span<const ColumnPtr> args, int64_t rows) {
  std::vector<int32_t> sel(static_cast<size_t>(rows));
  const double* x = args[0]->values<double>();
  for (int64_t i = 0; i < rows; ++i) sel[static_cast<size_t>(i)] = std::isnan(x[i]) ? 1 : 0;
  return chooseRows(kDouble(), args, sel.data(), rows);
}

ScalarFunction constant(std::string name, double v) {
  return fixedFunction(name, {}, name + "() - " + formatFloating(v, false), {}, kDouble(),
                       [v](std::span<const ColumnPtr>, int64_t rows) {
                         ColumnPtr out = Column::make(kDouble(), rows);
                         std::fill_n(out->mutableValues<double>(), rows, v);
                         return out;
                       });
}

}  // namespace

void registerMath(FunctionRegistry& r) {
  using Types = std::span<const DataType>;
  using Lits = std::span<const std::optional<Value>>;
  ScalarFunction abs;
  abs.name = "abs";
  abs.usage = "abs(x) - the absolute value";
  abs.bind = [](Types t, Lits) { return bindNumericSame("abs", t, absKernel); };
  r.add(abs);
  r.add(roundFn<Mode::Ceil>("ceil", {"ceiling"}, "ceil(x) - the smallest integer >= x"));
  r.add(roundFn<Mode::Floor>("floor", {}, "floor(x) - the largest integer <= x"));
  r.add(roundFn<Mode::HalfUp>("round", {}, "round(x[, d]) - x rounded half up to d decimals"));
  r.add(roundFn<Mode::HalfEven>("bround", {},
                                "bround(x[, d]) - x rounded half to even to d decimals"));
  r.add(unaryDouble("sqrt", {}, "sqrt(x) - the square root (NaN for x < 0)",
                    [](double x) { return std::sqrt(x); }));
  r.add(unaryDouble("cbrt", {}, "cbrt(x) - the cube root", [](double x) { return std::cbrt(x); }));
  r.add(unaryDouble("exp", {}, "exp(x) - e to the power x", [](double x) { return std::exp(x); }));
  r.add(unaryDouble("expm1", {}, "expm1(x) - exp(x) - 1", [](double x) { return std::expm1(x); }));
  r.add(fixedFunction("ln", {}, "ln(x) - the natural logarithm (NULL for x <= 0)", {kDouble()},
                      kDouble(), logKernel));
  r.add(fixedFunction("log", {}, "log([base, ]x) - the logarithm (NULL for x <= 0)",
                      {kDouble(), kDouble()}, kDouble(), logKernel, 1));
  r.add(logFn("log10", "log10(x) - base-10 logarithm", [](double x) { return std::log10(x); }));
  r.add(logFn("log2", "log2(x) - base-2 logarithm", [](double x) { return std::log2(x); }));
  r.add(fixedFunction("log1p", {}, "log1p(x) - ln(1 + x)", {kDouble()}, kDouble(),
                      [](std::span<const ColumnPtr> args, int64_t rows) {
                        return fixedRows<double>(
                            kDouble(), args, rows, [](const RowArgs& a, int64_t i, double& o) {
                              double x = a.val<double>(0, i);
                              return x > -1 ? (o = std::log1p(x), true) : false;
                            });
                      }));
  r.add(fixedFunction("pow", {"power"}, "pow(x, y) - x to the power y", {kDouble(), kDouble()},
                      kDouble(), [](std::span<const ColumnPtr> args, int64_t rows) {
                        return binaryDouble(args, rows,
                                            [](double x, double y) { return std::pow(x, y); });
                      }));
  r.add(fixedFunction(
      "atan2", {}, "atan2(y, x) - the angle of the point (x, y)", {kDouble(), kDouble()}, kDouble(),
      [](std::span<const ColumnPtr> args, int64_t rows) {
        return binaryDouble(args, rows, [](double y, double x) { return std::atan2(y, x); });
      }));
  r.add(unaryDouble("sign", {"signum"}, "sign(x) - -1.0, 0.0 or 1.0",
                    [](double x) { return std::isnan(x) ? x : double((x > 0) - (x < 0)); }));
  r.add(unaryDouble("sin", {}, "sin(x)", [](double x) { return std::sin(x); }));
  r.add(unaryDouble("cos", {}, "cos(x)", [](double x) { return std::cos(x); }));
  r.add(unaryDouble("tan", {}, "tan(x)", [](double x) { return std::tan(x); }));
  r.add(unaryDouble("asin", {}, "asin(x)", [](double x) { return std::asin(x); }));
  r.add(unaryDouble("acos", {}, "acos(x)", [](double x) { return std::acos(x); }));
  r.add(unaryDouble("atan", {}, "atan(x)", [](double x) { return std::atan(x); }));
  r.add(unaryDouble("sinh", {}, "sinh(x)", [](double x) { return std::sinh(x); }));
  r.add(unaryDouble("cosh", {}, "cosh(x)", [](double x) { return std::cosh(x); }));
  r.add(unaryDouble("tanh", {}, "tanh(x)", [](double x) { return std::tanh(x); }));
  r.add(unaryDouble("degrees", {}, "degrees(x) - radians to degrees",
                    [](double x) { return x * 180.0 / std::numbers::pi; }));
  r.add(unaryDouble("radians", {}, "radians(x) - degrees to radians",
                    [](double x) { return x * std::numbers::pi / 180.0; }));
  ScalarFunction isnan = fixedFunction("isnan", {}, "isnan(x) - whether x is NaN (false for NULL)",
                                       {kDouble()}, DataType::boolean(), isnanKernel);
  r.add(isnan);
  r.add(fixedFunction("nanvl", {}, "nanvl(a, b) - b if a is NaN, else a", {kDouble(), kDouble()},
                      kDouble(), nanvlKernel));
  r.add(constant("pi", std::numbers::pi));
  r.add(constant("e", std::numbers::e));
  ScalarFunction mod = *r.find("%");
  mod.name = "mod";
  mod.usage = "mod(a, n) - the remainder a % n (sign of a); NULL if n = 0";
  r.add(mod);
  ScalarFunction pmod;
  pmod.name = "pmod";
  pmod.usage = "pmod(a, n) - the non-negative remainder for positive n; NULL if n = 0";
  pmod.bind = bindPmod;
  r.add(pmod);
}

}  // namespace ember::sql::fn
