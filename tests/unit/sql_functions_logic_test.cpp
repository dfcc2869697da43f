// Comparisons, three-valued logic truth tables, IN, CASE and the NULL-handling
// conditionals.
#include <cmath>

#include "ember/columnar/datetime.h"
#include "ember/common/errors.h"
#include "sql_functions_test_util.h"

using namespace ember;
using namespace ember::sql;
using namespace ember::sql::testutil;

namespace {
Value b(bool x) { return Value::boolean(x); }
Value nb() { return Value::null(DataType::boolean()); }
// "true" / "false" / "NULL"
std::string tv(const std::string& f, Value x, Value y) { return str(f, {x, y}); }
}  // namespace

TEST(SqlFunctionsLogic, AndOrTruthTables) {
  // Rows: (T,T) (T,F) (T,N) (F,F) (F,N) (N,N), both argument orders.
  const char* andExpect[] = {"true", "false", "NULL", "false", "false", "NULL"};
  const char* orExpect[] = {"true", "true", "true", "false", "NULL", "NULL"};
  std::vector<std::pair<Value, Value>> rows = {{b(true), b(true)}, {b(true), b(false)},
                                               {b(true), nb()},    {b(false), b(false)},
                                               {b(false), nb()},   {nb(), nb()}};
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(tv("and", rows[i].first, rows[i].second), andExpect[i]) << i;
    EXPECT_EQ(tv("and", rows[i].second, rows[i].first), andExpect[i]) << i;
    EXPECT_EQ(tv("or", rows[i].first, rows[i].second), orExpect[i]) << i;
    EXPECT_EQ(tv("or", rows[i].second, rows[i].first), orExpect[i]) << i;
  }
  EXPECT_EQ(str("not", {b(true)}), "false");
  EXPECT_EQ(str("not", {nb()}), "NULL");
  // Vector form with a NULL of untyped literal NULL.
  EXPECT_EQ(tv("and", b(false), null()), "false");
  EXPECT_THROW(eval("and", {i32(1), b(true)}), UserError);
}

TEST(SqlFunctionsLogic, ComparisonsAcrossTypes) {
  EXPECT_EQ(tv("=", i32(1), i64(1)), "true");
  EXPECT_EQ(tv("<", i32(1), dec("1.5", 3, 1)), "true");
  EXPECT_EQ(tv(">=", f64(2.0), i32(2)), "true");
  EXPECT_EQ(tv("<>", str("abc"), str("abd")), "true");
  EXPECT_EQ(tv("<", str("abc"), str("abcd")), "true");
  EXPECT_EQ(tv("<", str("Z"), str("a")), "true");   // bytewise
  EXPECT_EQ(tv("<", str("é"), str("z")), "false");  // UTF-8 sorts above ASCII
  EXPECT_EQ(tv("=", i32(1), null()), "NULL");
  EXPECT_EQ(tv("<", b(false), b(true)), "true");
  // NaN equals NaN and is larger than any number (Spark).
  double nan = std::nan("");
  EXPECT_EQ(tv("=", f64(nan), f64(nan)), "true");
  EXPECT_EQ(tv(">", f64(nan), f64(1e300)), "true");
  // Strings compared with dates and numbers are cast to the other side.
  Value d = Value::date(*parseDate("2024-03-05"));
  EXPECT_EQ(tv("=", str("2024-03-05"), d), "true");
  EXPECT_EQ(tv("<", d, str("2024-03-06")), "true");
  EXPECT_EQ(tv("=", str("10"), i32(10)), "true");
  EXPECT_EQ(tv("=", str("abc"), i32(10)), "NULL");
  EXPECT_EQ(tv("<", d, Value::timestamp(*parseTimestamp("2024-03-05 00:00:01"))), "true");
  EXPECT_THROW(eval("=", {d, i32(1)}), UserError);
}

TEST(SqlFunctionsLogic, NullSafeEqualAndNullTests) {
  EXPECT_EQ(tv("<=>", null(), null()), "true");
  EXPECT_EQ(tv("<=>", i32(1), null(DataType::int32())), "false");
  EXPECT_EQ(tv("<=>", i32(1), i32(1)), "true");
  auto a = columnOf(DataType::int32(), {i32(1), null(DataType::int32()), null(DataType::int32())});
  auto c = columnOf(DataType::int32(), {i32(2), i32(2), null(DataType::int32())});
  Result r = run("<=>", {a, c});
  EXPECT_EQ(r.values[0].toString(), "false");
  EXPECT_EQ(r.values[1].toString(), "false");
  EXPECT_EQ(r.values[2].toString(), "true");
  EXPECT_EQ(str("isnull", {null(DataType::string())}), "true");
  EXPECT_EQ(str("isnotnull", {str("")}), "true");
}

TEST(SqlFunctionsLogic, InList) {
  EXPECT_EQ(str("in", {i32(2), i32(1), i32(2)}), "true");
  EXPECT_EQ(str("in", {i32(3), i32(1), i32(2)}), "false");
  EXPECT_EQ(str("in", {i32(3), i32(1), null()}), "NULL");
  EXPECT_EQ(str("in", {i32(1), i32(1), null()}), "true");
  EXPECT_EQ(str("in", {null(DataType::int32()), i32(1)}), "NULL");
  EXPECT_EQ(str("in", {str("b"), str("a"), str("b")}), "true");
  EXPECT_EQ(str("in", {i64(5), dec("5.0", 2, 1)}), "true");
}

TEST(SqlFunctionsLogic, CaseCoalesceAndFriends) {
  DataType t;
  // case(c1, v1, c2, v2, else)
  EXPECT_EQ(eval("case", {b(false), i32(1), b(true), i64(2), i32(3)}, &t).toString(), "2");
  EXPECT_EQ(t, DataType::int64());
  EXPECT_EQ(str("case", {nb(), i32(1), i32(3)}), "3");  // NULL condition is not true
  EXPECT_EQ(str("case", {b(false), i32(1)}), "NULL");   // no else
  EXPECT_EQ(eval("case", {b(true), str("x"), i32(3)}, &t).toString(), "x");
  EXPECT_EQ(t, DataType::string());
  EXPECT_THROW(eval("case", {i32(1), i32(1)}), UserError);
  auto cond = columnOf(DataType::boolean(), {b(true), b(false), nb()});
  auto v1 = columnOf(DataType::string(), {str("a"), str("b"), str("c")});
  auto v2 = columnOf(DataType::string(), {str("x"), null(DataType::string()), str("z")});
  Result r = run("case", {cond, v1, v2});
  EXPECT_EQ(r.values[0].toString(), "a");
  EXPECT_TRUE(r.values[1].isNull());
  EXPECT_EQ(r.values[2].toString(), "z");

  EXPECT_EQ(eval("coalesce", {null(), i32(2), i64(3)}, &t).toString(), "2");
  EXPECT_EQ(t, DataType::int64());
  EXPECT_EQ(str("coalesce", {null(), null(DataType::int32())}), "NULL");
  EXPECT_EQ(str("ifnull", {null(DataType::string()), str("d")}), "d");
  EXPECT_EQ(str("nvl", {str("a"), str("d")}), "a");
  EXPECT_EQ(str("nullif", {i32(1), i32(1)}), "NULL");
  EXPECT_EQ(str("nullif", {i32(1), i32(2)}), "1");
  EXPECT_EQ(str("if", {b(true), str("y"), str("n")}), "y");
  EXPECT_EQ(str("if", {nb(), str("y"), str("n")}), "n");
  EXPECT_EQ(str("nvl2", {null(), i32(1), i32(2)}), "2");
}

TEST(SqlFunctionsLogic, GreatestLeast) {
  EXPECT_EQ(str("greatest", {i32(1), i64(7), i32(3)}), "7");
  EXPECT_EQ(str("least", {i32(1), null(DataType::int32()), i32(-3)}), "-3");
  EXPECT_EQ(str("greatest", {null(DataType::int32()), null(DataType::int32())}), "NULL");
  EXPECT_EQ(str("least", {str("b"), str("a"), str("c")}), "a");
  EXPECT_EQ(str("greatest", {dec("1.5", 3, 1), i32(1)}), "1.5");
  EXPECT_EQ(str("least", {null(), null()}), "NULL");
}

TEST(SqlFunctionsLogic, LongLiteralInListUsesTheSortedPath) {
  // Ten literal items: the sorted-probe kernel; same answers as the pairwise one.
  auto value = columnOf(DataType::int64(), {i64(3), i64(11), null(DataType::int64()), i64(-4)});
  std::vector<ColumnPtr> args{value};
  for (int k = 10; k >= 1; --k)
    args.push_back(columnOf(DataType::int32(), std::vector<Value>(4, i32(k == 5 ? -4 : k))));
  Result r = run("in", args, std::vector<bool>(args.size(), true));
  EXPECT_EQ(r.values[0].toString(), "true");
  EXPECT_EQ(r.values[1].toString(), "false");
  EXPECT_TRUE(r.values[2].isNull());
  EXPECT_EQ(r.values[3].toString(), "true");
  args.push_back(columnOf(DataType::int32(), std::vector<Value>(4, null(DataType::int32()))));
  r = run("in", args, std::vector<bool>(args.size(), true));
  EXPECT_TRUE(r.values[1].isNull());  // no match and a NULL in the list
  EXPECT_EQ(r.values[0].toString(), "true");
  std::vector<ColumnPtr> sargs{columnOf(DataType::string(), {str("k"), str("zz")})};
  for (char c = 'a'; c <= 'l'; ++c)
    sargs.push_back(columnOf(DataType::string(), std::vector<Value>(2, str(std::string(1, c)))));
  r = run("in", sargs, std::vector<bool>(sargs.size(), true));
  EXPECT_EQ(r.values[0].toString(), "true");
  EXPECT_EQ(r.values[1].toString(), "false");
}
