// Arithmetic operators and exact decimal arithmetic: Spark's result types, NULLs,
// division by zero, overflow errors, dates.
#include "ember/columnar/datetime.h"
#include "ember/common/errors.h"
#include "sql_functions_test_util.h"

using namespace ember;
using namespace ember::sql;
using namespace ember::sql::testutil;

TEST(SqlFunctionsArith, IntegerWideningAndValues) {
  DataType t;
  EXPECT_EQ(eval("+", {i32(1), i64(2)}, &t).asInt64(), 3);
  EXPECT_EQ(t, DataType::int64());
  EXPECT_EQ(eval("*", {Value::int16(300), Value::int8(2)}, &t).asInt64(), 600);
  EXPECT_EQ(t, DataType::int16());
  EXPECT_EQ(eval("-", {i32(1), i32(5)}, &t).asInt64(), -4);
  EXPECT_EQ(t, DataType::int32());
  EXPECT_EQ(eval("%", {i32(-7), i32(3)}).asInt64(), -1);
  EXPECT_EQ(eval("div", {i64(-7), i64(2)}).asInt64(), -3);
  EXPECT_EQ(eval("negate", {i32(5)}).asInt64(), -5);
}

TEST(SqlFunctionsArith, IntegerDivisionIsDoubleAndZeroIsNull) {
  DataType t;
  EXPECT_DOUBLE_EQ(eval("/", {i32(7), i32(2)}, &t).asDouble(), 3.5);
  EXPECT_EQ(t, DataType::float64());
  EXPECT_TRUE(eval("/", {i32(7), i32(0)}).isNull());
  EXPECT_TRUE(eval("%", {i32(7), i32(0)}).isNull());
  EXPECT_TRUE(eval("/", {f64(1.5), f64(0.0)}).isNull());
  EXPECT_TRUE(eval("div", {i64(1), i64(0)}).isNull());
  EXPECT_EQ(eval("%", {i32(INT32_MIN), i32(-1)}).asInt64(), 0);
}

TEST(SqlFunctionsArith, IntegerOverflowIsAnError) {
  EXPECT_THROW(eval("+", {i32(INT32_MAX), i32(1)}), UserError);
  EXPECT_THROW(eval("*", {i64(INT64_MAX / 2), i64(3)}), UserError);
  EXPECT_THROW(eval("negate", {i64(INT64_MIN)}), UserError);
  EXPECT_THROW(eval("div", {i64(INT64_MIN), i64(-1)}), UserError);
  try {
    eval("+", {i32(INT32_MAX), i32(1)});
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("2147483647 + 1"), std::string::npos) << e.what();
  }
  // A NULL row holding garbage must not raise: overflow only on valid rows.
  auto a = columnOf(DataType::int32(), {i32(INT32_MAX), null(DataType::int32()), i32(3)});
  auto b = columnOf(DataType::int32(), {null(DataType::int32()), i32(4), i32(4)});
  Result r = run("+", {a, b});
  EXPECT_TRUE(r.values[0].isNull());
  EXPECT_TRUE(r.values[1].isNull());
  EXPECT_EQ(r.values[2].asInt64(), 7);
}

TEST(SqlFunctionsArith, FloatsAndMixed) {
  DataType t;
  EXPECT_DOUBLE_EQ(eval("+", {i32(1), Value::float32(0.5f)}, &t).asDouble(), 1.5);
  EXPECT_EQ(t, DataType::float32());
  EXPECT_DOUBLE_EQ(eval("*", {dec("1.5", 3, 1), f64(2.0)}, &t).asDouble(), 3.0);
  EXPECT_EQ(t, DataType::float64());
  EXPECT_DOUBLE_EQ(eval("+", {str("2.5"), i32(1)}, &t).asDouble(), 3.5);
  EXPECT_EQ(t, DataType::float64());
  EXPECT_TRUE(eval("+", {null(), i32(1)}).isNull());
  EXPECT_THROW(eval("+", {Value::boolean(true), i32(1)}), UserError);
}

TEST(SqlFunctionsArith, DecimalResultTypes) {
  DataType t;
  // add: p = max(s) + max(p - s) + 1
  EXPECT_EQ(eval("+", {dec("1.25", 15, 2), dec("2.5", 10, 1)}, &t).toString(), "3.75");
  EXPECT_EQ(t, DataType::decimal(16, 2));
  // mul: p1 + p2 + 1, s1 + s2
  EXPECT_EQ(eval("*", {dec("1.25", 15, 2), dec("0.95", 15, 2)}, &t).toString(), "1.1875");
  EXPECT_EQ(t, DataType::decimal(31, 4));
  // An int column is decimal(10,0); an int literal takes only its digits (Spark).
  Result col = run("*", {columnOf(DataType::decimal(15, 2), {dec("1.25", 15, 2)}),
                         columnOf(DataType::int32(), {i32(3)})});
  EXPECT_EQ(col.values[0].toString(), "3.75");
  EXPECT_EQ(col.type, DataType::decimal(26, 2));
  EXPECT_EQ(eval("*", {dec("1.25", 15, 2), i32(3)}, &t).toString(), "3.75");
  EXPECT_EQ(t, DataType::decimal(17, 2));
  eval("-", {i32(1), dec("0.05", 15, 2)}, &t);
  EXPECT_EQ(t, DataType::decimal(16, 2));
  eval("+", {i64(-12345), dec("0.05", 3, 2)}, &t);
  EXPECT_EQ(t, DataType::decimal(8, 2));
  // div: s = max(6, s1 + p2 + 1), p = p1 - s1 + s2 + s
  EXPECT_EQ(eval("/", {dec("1", 5, 0), dec("3", 5, 0)}, &t).toString(), "0.333333");
  EXPECT_EQ(t, DataType::decimal(11, 6));
  EXPECT_EQ(eval("/", {dec("2", 5, 0), dec("3", 5, 0)}).toString(), "0.666667");  // half up
  EXPECT_EQ(eval("/", {dec("-2", 5, 0), dec("3", 5, 0)}).toString(), "-0.666667");
  // Capped at 38 keeping at least 6 fractional digits (Spark's precision loss).
  EXPECT_EQ(eval("*", {dec("1.5", 38, 10), dec("2", 38, 10)}, &t).toString(), "3.000000");
  EXPECT_EQ(t, DataType::decimal(38, 6));
  eval("/", {dec("1", 38, 2), dec("3", 38, 2)}, &t);
  EXPECT_EQ(t, DataType::decimal(38, 6));
  EXPECT_EQ(eval("%", {dec("7.5", 5, 1), dec("2", 5, 0)}, &t).toString(), "1.5");
  EXPECT_EQ(t, DataType::decimal(5, 1));
  EXPECT_EQ(eval("negate", {dec("7.50", 5, 2)}).toString(), "-7.50");
}

TEST(SqlFunctionsArith, DecimalRoundingAndWideIntermediates) {
  // (38,10) * (38,10): the exact product has 20 fractional digits; rounded half up to 6.
  Value a = dec("1.0000005", 38, 10), b = dec("1", 38, 10);
  EXPECT_EQ(eval("*", {a, b}).toString(), "1.000001");
  EXPECT_EQ(eval("*", {dec("-1.0000005", 38, 10), b}).toString(), "-1.000001");
  // 10^20 * 10 at scale 20: the unscaled product (10^41) leaves int128, the result
  // (scale 6) fits: the exact 256-bit path.
  EXPECT_EQ(eval("*", {dec("100000000000000000000", 38, 10), dec("10", 38, 10)}).toString(),
            "1000000000000000000000.000000");
  // Division whose dividend times 10^16 leaves int128.
  EXPECT_EQ(
      eval("/", {dec("10000000000000000000000000000000", 38, 0), dec("3", 38, 10)}).toString(),
      "3333333333333333333333333333333.333333");
  EXPECT_TRUE(eval("/", {dec("1", 5, 0), dec("0", 5, 0)}).isNull());
  EXPECT_TRUE(eval("%", {dec("1", 5, 0), dec("0.0", 5, 1)}).isNull());
}

TEST(SqlFunctionsArith, DecimalOverflowIsAnError) {
  Value max38 = dec("99999999999999999999999999999999999999", 38, 0);
  EXPECT_THROW(eval("+", {max38, max38}), UserError);
  EXPECT_THROW(eval("*", {max38, dec("10", 3, 0)}), UserError);
}

TEST(SqlFunctionsArith, Dates) {
  Value d = Value::date(*parseDate("2024-02-28"));
  DataType t;
  EXPECT_EQ(eval("+", {d, i32(1)}, &t).toString(), "2024-02-29");
  EXPECT_EQ(t, DataType::date());
  EXPECT_EQ(eval("+", {i32(2), d}).toString(), "2024-03-01");
  EXPECT_EQ(eval("-", {d, i32(59)}).toString(), "2023-12-31");
  EXPECT_EQ(eval("-", {Value::date(*parseDate("2024-03-01")), d}, &t).asInt64(), 2);
  EXPECT_EQ(t, DataType::int32());
  // interval_add: months clamp the day; a date stays a date without a time part.
  Value jan31 = Value::date(*parseDate("2024-01-31"));
  EXPECT_EQ(eval("interval_add", {jan31, i32(1), i32(0), i64(0)}, &t).toString(), "2024-02-29");
  EXPECT_EQ(t, DataType::date());
  EXPECT_EQ(eval("interval_add", {jan31, i32(-2), i32(3), i64(0)}).toString(), "2023-12-03");
  EXPECT_EQ(
      eval("interval_add", {jan31, i32(0), i32(0), i64(3600 * kMicrosPerSecond)}, &t).toString(),
      "2024-01-31 01:00:00");
  EXPECT_EQ(t, DataType::timestamp());
  Value ts = Value::timestamp(*parseTimestamp("2023-03-31 10:30:00"));
  EXPECT_EQ(
      eval("interval_add", {ts, i32(11), i32(1), i64(-30 * 60 * kMicrosPerSecond)}).toString(),
      "2024-03-01 10:00:00");
}

TEST(SqlFunctionsArith, VectorsWithNulls) {
  auto a = columnOf(DataType::int64(), {i64(1), null(DataType::int64()), i64(3), i64(4)});
  auto b = columnOf(DataType::int64(), {i64(10), i64(20), null(DataType::int64()), i64(0)});
  Result r = run("-", {a, b});
  EXPECT_EQ(r.values[0].asInt64(), -9);
  EXPECT_TRUE(r.values[1].isNull());
  EXPECT_TRUE(r.values[2].isNull());
  EXPECT_EQ(r.values[3].asInt64(), 4);
  Result q = run("/", {a, b});
  EXPECT_DOUBLE_EQ(q.values[0].asDouble(), 0.1);
  EXPECT_TRUE(q.values[3].isNull());
}
