// User-defined scalar functions written in C++, usable from SQL and DataFrames:
//
//   ember::sql::registerUdf("discounted", [](double price, double rate) { return price * (1 -
//   rate); }); spark.sql("SELECT discounted(l_extendedprice, l_discount) FROM lineitem");
//   df.select({call("discounted", {col("price"), col("rate")})});
//
// Argument and result types: bool, int32_t, int64_t, double, std::string (arguments may
// also be std::string_view), and std::optional<T> results (nullopt = NULL). A row with a
// NULL argument gives NULL without calling the function (as Spark does for primitive
// arguments). The function must be thread-safe: tasks call it concurrently. Arguments
// of other SQL types are cast to the C++ parameter's type (e.g. a decimal to double).
// Registering a name again replaces the function (register before running queries).
//
// Shipping: executors run the same binary, and registration happens in code that every
// process runs, so call registerUdf before creating the Context (or at static
// initialisation) when running on a cluster.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "ember/common/errors.h"
#include "ember/sql/function.h"

namespace ember::sql {

namespace udf_detail {
template <class T>
struct Unopt {
  using type = T;
  static constexpr bool optional = false;
};
template <class T>
struct Unopt<std::optional<T>> {
  using type = T;
  static constexpr bool optional = true;
};

template <class T>
DataType sqlType() {
  using U = std::decay_t<T>;
  if constexpr (std::is_same_v<U, bool>)
    return DataType::boolean();
  else if constexpr (std::is_same_v<U, int32_t>)
    return DataType::int32();
  else if constexpr (std::is_same_v<U, int64_t>)
    return DataType::int64();
  else if constexpr (std::is_same_v<U, double>)
    return DataType::float64();
  else if constexpr (std::is_same_v<U, std::string> || std::is_same_v<U, std::string_view>)
    return DataType::string();
  else
    static_assert(
        sizeof(U) == 0,
        "UDF types: bool, int32_t, int64_t, double, std::string(_view), std::optional<T>");
}

template <class T>
std::decay_t<T> get(const Column& c, int64_t i) {
  using U = std::decay_t<T>;
  if constexpr (std::is_same_v<U, bool>)
    return c.valueAt<uint8_t>(i) != 0;
  else if constexpr (std::is_same_v<U, std::string>)
    return std::string(c.stringAt(i));
  else if constexpr (std::is_same_v<U, std::string_view>)
    return c.stringAt(i);
  else
    return c.valueAt<U>(i);
}

template <class T>
void put(Column& c, const T& v) {
  if constexpr (std::is_same_v<T, bool>)
    c.append<uint8_t>(v ? 1 : 0);
  else if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, std::string_view>)
    c.appendString(v);
  else
    c.append<T>(v);
}

template <class R, class... A>
ScalarFunction makeUdf(const std::string& name, std::function<R(A...)> fn) {
  using Res = typename Unopt<R>::type;
  ScalarFunction f;
  f.name = name;
  f.usage = name + "(" + std::to_string(sizeof...(A)) + " arguments) - a user-defined function";
  f.bind = [name, fn](std::span<const DataType> args, std::span<const std::optional<Value>>) {
    if (args.size() != sizeof...(A))
      throw UserError(name + "() takes " + std::to_string(sizeof...(A)) + " arguments, got " +
                      std::to_string(args.size()));
    BoundFunction b;
    b.resultType = sqlType<Res>();
    b.argTypes = {sqlType<A>()...};
    b.kernel = [fn](std::span<const ColumnPtr> cols, int64_t rows) {
      auto out = std::make_shared<Column>(sqlType<Res>());
      out->reserve(rows);
      for (int64_t i = 0; i < rows; ++i) {
        bool anyNull = false;
        for (const auto& c : cols) anyNull = anyNull || c->isNull(i);
        if (anyNull) {
          out->appendNull();
          continue;
        }
        auto call = [&]<size_t... I>(std::index_sequence<I...>) {
          return fn(get<A>(*cols[I], i)...);
        };
        R r = call(std::index_sequence_for<A...>{});
        if constexpr (Unopt<R>::optional) {
          if (r)
            put(*out, *r);
          else
            out->appendNull();
        } else {
          put(*out, r);
        }
      }
      return out;
    };
    return b;
  };
  return f;
}
}  // namespace udf_detail

template <class F>
void registerUdf(const std::string& name, F fn) {
  std::function f(std::move(fn));
  FunctionRegistry::builtin().add(udf_detail::makeUdf(name, std::move(f)));
}

}  // namespace ember::sql
