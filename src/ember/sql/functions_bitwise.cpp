// Spark's bitwise operators on integers: a & b, a | b, a ^ b (exclusive or, not a power)
// and ~a, as the functions bitwise_and, bitwise_or, bitwise_xor and bitwise_not that the
// parser maps the operators to. Both operands widen to the wider integer type.
#include <optional>

#include "ember/columnar/column.h"
#include "ember/sql/functions_common.h"

namespace ember::sql::fn {

namespace {

template <char Op>
ColumnPtr bitwiseKernel(std::span<const ColumnPtr> args, int64_t rows) {
  const DataType& t = args[0]->type();
  auto out = Column::make(t, rows);
  visitFixed(t, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, uint8_t>) {
      const T* a = args[0]->values<T>();
      T* o = out->mutableValues<T>();
      if constexpr (Op == '~') {
        for (int64_t i = 0; i < rows; ++i) o[i] = static_cast<T>(~a[i]);
      } else {
        const T* b = args[1]->values<T>();
        for (int64_t i = 0; i < rows; ++i)
          o[i] = static_cast<T>(Op == '&'   ? (a[i] & b[i])
                                : Op == '|' ? (a[i] | b[i])
                                            : (a[i] ^ b[i]));
      }
    } else {
      throw InternalError("bitwise kernel over " + t.toString());
    }
  });
  propagateNulls(*out, args, rows);
  return out;
}

template <char Op>
ScalarFunction bitwise(const char* name, const char* usage) {
  ScalarFunction f;
  f.name = name;
  f.usage = usage;
  size_t arity = Op == '~' ? 1 : 2;
  std::string n = name;
  f.bind = [n, arity](std::span<const DataType> types, std::span<const std::optional<Value>>) {
    checkArity(n, types, arity, arity);
    DataType t = DataType::int8();
    for (const auto& a : types) {
      if (!a.isInteger() && a.id() != TypeId::Null)
        bindError(n,
                  "needs integer operands (tinyint, smallint, int, bigint), got " + a.toString());
      if (a.isInteger() && a.fixedWidth() > t.fixedWidth()) t = a;
    }
    return BoundFunction{t, true, std::vector<DataType>(arity, t), bitwiseKernel<Op>};
  };
  return f;
}

}  // namespace

void registerBitwise(FunctionRegistry& r) {
  r.add(bitwise<'&'>("bitwise_and", "a & b - bitwise AND of two integers"));
  r.add(bitwise<'|'>("bitwise_or", "a | b - bitwise OR of two integers"));
  r.add(bitwise<'^'>("bitwise_xor", "a ^ b - bitwise exclusive OR of two integers"));
  r.add(bitwise<'~'>("bitwise_not", "~a - bitwise NOT of an integer"));
}

}  // namespace ember::sql::fn
