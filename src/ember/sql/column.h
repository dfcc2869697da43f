// Building DataFrame expressions (Spark's functions and Column operators):
//
//   using namespace ember::sql::functions;
//   df.filter(gt(col("age"), lit(21))).select({col("name"), as(col("age") + lit(1), "next")})
//     .groupBy({"city"}).agg({count(), avg(col("age"))});
//
// Arithmetic uses C++ operators on expressions; comparisons are named functions (eq, lt,
// ...) because shared pointers already define ==, < and friends.
#pragma once

#include <string>

#include "ember/sql/expr.h"

namespace ember::sql {

inline ExprPtr operator+(const ExprPtr& a, const ExprPtr& b) { return call("+", {a, b}); }
inline ExprPtr operator-(const ExprPtr& a, const ExprPtr& b) { return call("-", {a, b}); }
inline ExprPtr operator*(const ExprPtr& a, const ExprPtr& b) { return call("*", {a, b}); }
inline ExprPtr operator/(const ExprPtr& a, const ExprPtr& b) { return call("/", {a, b}); }
inline ExprPtr operator%(const ExprPtr& a, const ExprPtr& b) { return call("%", {a, b}); }

namespace functions {
using sql::col;
inline ExprPtr lit(int v) { return sql::lit(Value::int32(v)); }
inline ExprPtr lit(int64_t v) { return sql::lit(Value::int64(v)); }
inline ExprPtr lit(double v) { return sql::lit(Value::float64(v)); }
inline ExprPtr lit(bool v) { return sql::lit(Value::boolean(v)); }
inline ExprPtr lit(const char* v) { return sql::lit(Value::string(v)); }
inline ExprPtr lit(const std::string& v) { return sql::lit(Value::string(v)); }
inline ExprPtr lit(Value v) { return sql::lit(std::move(v)); }
// A SQL expression: expr("price * (1 - discount)").
ExprPtr expr(const std::string& sqlExpression);
inline ExprPtr as(const ExprPtr& e, const std::string& name) { return alias(e, name); }

inline ExprPtr eq(const ExprPtr& a, const ExprPtr& b) { return call("=", {a, b}); }
inline ExprPtr ne(const ExprPtr& a, const ExprPtr& b) { return call("<>", {a, b}); }
inline ExprPtr lt(const ExprPtr& a, const ExprPtr& b) { return call("<", {a, b}); }
inline ExprPtr le(const ExprPtr& a, const ExprPtr& b) { return call("<=", {a, b}); }
inline ExprPtr gt(const ExprPtr& a, const ExprPtr& b) { return call(">", {a, b}); }
inline ExprPtr ge(const ExprPtr& a, const ExprPtr& b) { return call(">=", {a, b}); }
inline ExprPtr and_(const ExprPtr& a, const ExprPtr& b) { return call("and", {a, b}); }
inline ExprPtr or_(const ExprPtr& a, const ExprPtr& b) { return call("or", {a, b}); }
inline ExprPtr not_(const ExprPtr& a) { return call("not", {a}); }
inline ExprPtr isNull(const ExprPtr& a) { return call("isnull", {a}); }
inline ExprPtr isNotNull(const ExprPtr& a) { return call("isnotnull", {a}); }
inline ExprPtr castTo(const ExprPtr& a, const std::string& type) {
  return cast(a, DataType::parse(type));
}

inline ExprPtr count() { return aggCall("count", {}); }
inline ExprPtr count(const ExprPtr& e) { return aggCall("count", {e}); }
inline ExprPtr countDistinct(const ExprPtr& e) { return aggCall("count", {e}, true); }
inline ExprPtr sum(const ExprPtr& e) { return aggCall("sum", {e}); }
inline ExprPtr avg(const ExprPtr& e) { return aggCall("avg", {e}); }
inline ExprPtr min(const ExprPtr& e) { return aggCall("min", {e}); }
inline ExprPtr max(const ExprPtr& e) { return aggCall("max", {e}); }
inline ExprPtr stddev(const ExprPtr& e) { return aggCall("stddev", {e}); }
inline ExprPtr first(const ExprPtr& e) { return aggCall("first", {e}); }
inline ExprPtr last(const ExprPtr& e) { return aggCall("last", {e}); }

inline SortKey asc(const ExprPtr& e) { return SortKey{e, true, true}; }
inline SortKey desc(const ExprPtr& e) { return SortKey{e, false, false}; }
}  // namespace functions

}  // namespace ember::sql
