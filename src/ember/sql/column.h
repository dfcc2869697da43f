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
#include <vector>

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

// Any registered function by name (Spark's call_function): callFunction("levenshtein", {a, b}).
inline ExprPtr callFunction(const std::string& name, std::vector<ExprPtr> args) {
  return call(name, std::move(args));
}

// Arrays, maps and structs.
inline ExprPtr array(std::vector<ExprPtr> elements) { return call("array", std::move(elements)); }
inline ExprPtr struct_(std::vector<ExprPtr> fields) { return call("struct", std::move(fields)); }
inline ExprPtr split(const ExprPtr& s, const std::string& regex) {
  return call("split", {s, lit(regex)});
}
inline ExprPtr size(const ExprPtr& e) { return call("size", {e}); }
inline ExprPtr arrayContains(const ExprPtr& a, const ExprPtr& v) {
  return call("array_contains", {a, v});
}
// Element i, 1-based (negative: from the end); a map's value for key i.
inline ExprPtr elementAt(const ExprPtr& a, const ExprPtr& i) { return call("element_at", {a, i}); }
// Spark's Column.getItem: element i (0-based) of an array, or a map's value for a key.
inline ExprPtr getItem(const ExprPtr& a, const ExprPtr& key) { return call("get", {a, key}); }
// Spark's Column.getField: a struct's field.
inline ExprPtr getField(const ExprPtr& s, const std::string& name) {
  return call("get_field", {s, lit(name)});
}
inline ExprPtr sortArray(const ExprPtr& a, bool ascending = true) {
  return call("sort_array", {a, lit(ascending)});
}
// Generators: one output row per element (per entry of a map), alone in a select list.
inline ExprPtr explode(const ExprPtr& e) { return call("explode", {e}); }
inline ExprPtr explodeOuter(const ExprPtr& e) { return call("explode_outer", {e}); }
inline ExprPtr posexplode(const ExprPtr& e) { return call("posexplode", {e}); }
inline ExprPtr collectList(const ExprPtr& e) { return aggCall("collect_list", {e}); }
// A lambda for the higher-order functions below: lambda({"x"}, col("x") + lit(1)); its
// parameters are referred to with col(name) in the body.
inline ExprPtr lambda(const std::vector<std::string>& params, const ExprPtr& body) {
  auto l = std::make_shared<Expr>();
  l->kind = ExprKind::Lambda;
  l->args.push_back(body);
  for (const auto& p : params) l->args.push_back(col(p));
  return l;
}
inline ExprPtr transform(const ExprPtr& a, const ExprPtr& fn) { return call("transform", {a, fn}); }
inline ExprPtr filter(const ExprPtr& a, const ExprPtr& fn) { return call("filter", {a, fn}); }
inline ExprPtr exists(const ExprPtr& a, const ExprPtr& fn) { return call("exists", {a, fn}); }
inline ExprPtr forall(const ExprPtr& a, const ExprPtr& fn) { return call("forall", {a, fn}); }
inline ExprPtr aggregate(const ExprPtr& a, const ExprPtr& start, const ExprPtr& merge) {
  return call("aggregate", {a, start, merge});
}
inline ExprPtr collectSet(const ExprPtr& e) { return aggCall("collect_set", {e}); }

inline SortKey asc(const ExprPtr& e) { return SortKey{e, true, true}; }
inline SortKey desc(const ExprPtr& e) { return SortKey{e, false, false}; }
}  // namespace functions

}  // namespace ember::sql
