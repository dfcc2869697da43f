// castColumn / canCast / commonType / widerType: every conversion family, NULL vs
// ANSI errors, Spark's text forms.
#include <cmath>

#include "ember/columnar/datetime.h"
#include "ember/common/errors.h"
#include "sql_functions_test_util.h"

using namespace ember;
using namespace ember::sql;
using namespace ember::sql::testutil;

namespace {
std::string cast1(const Value& v, const DataType& to, bool ansi = false) {
  ColumnPtr c = castColumn(columnOf(v.type(), {v}), to, ansi);
  EXPECT_EQ(c->type(), to);
  return Value::fromColumn(*c, 0).toString();
}
}  // namespace

TEST(SqlFunctionsCast, StringToNumbers) {
  EXPECT_EQ(cast1(str(" 42 "), DataType::int32()), "42");
  EXPECT_EQ(cast1(str("-12.9"), DataType::int32()), "-12");  // fraction truncated
  EXPECT_EQ(cast1(str("abc"), DataType::int32()), "NULL");
  EXPECT_EQ(cast1(str(""), DataType::int64()), "NULL");
  EXPECT_EQ(cast1(str("300"), DataType::int8()), "NULL");
  EXPECT_EQ(cast1(str("9223372036854775807"), DataType::int64()), "9223372036854775807");
  EXPECT_EQ(cast1(str("9223372036854775808"), DataType::int64()), "NULL");
  EXPECT_EQ(cast1(str("1e3"), DataType::float64()), "1000.0");
  EXPECT_EQ(cast1(str("NaN"), DataType::float64()), "NaN");
  EXPECT_EQ(cast1(str("12.345"), DataType::decimal(5, 2)), "12.35");
  EXPECT_EQ(cast1(str("1234.5"), DataType::decimal(5, 2)), "NULL");
  EXPECT_EQ(cast1(str("yes"), DataType::boolean()), "true");
  EXPECT_EQ(cast1(str("0"), DataType::boolean()), "false");
  EXPECT_EQ(cast1(str("maybe"), DataType::boolean()), "NULL");
}

TEST(SqlFunctionsCast, AnsiModeErrorsNameValueAndTypes) {
  try {
    cast1(str("abc"), DataType::int32(), true);
    FAIL() << "expected an error";
  } catch (const UserError& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("'abc'"), std::string::npos) << m;
    EXPECT_NE(m.find("string"), std::string::npos) << m;
    EXPECT_NE(m.find("int"), std::string::npos) << m;
  }
  EXPECT_THROW(cast1(i32(300), DataType::int8(), true), UserError);
  EXPECT_THROW(cast1(f64(1e20), DataType::int64(), true), UserError);
  EXPECT_EQ(cast1(str("7"), DataType::int32(), true), "7");
  // NULL input is never an error.
  EXPECT_EQ(cast1(null(DataType::string()), DataType::int32(), true), "NULL");
}

TEST(SqlFunctionsCast, NumericConversions) {
  EXPECT_EQ(cast1(i32(300), DataType::int8()), "NULL");
  EXPECT_EQ(cast1(i32(-128), DataType::int8()), "-128");
  EXPECT_EQ(cast1(i64(5), DataType::float32()), "5.0");
  EXPECT_EQ(cast1(f64(-3.99), DataType::int32()), "-3");
  EXPECT_EQ(cast1(f64(std::nan("")), DataType::int32()), "NULL");
  EXPECT_EQ(cast1(f64(3e9), DataType::int32()), "NULL");
  EXPECT_EQ(cast1(f64(0.1), DataType::decimal(10, 3)), "0.100");
  EXPECT_EQ(cast1(f64(2.675), DataType::decimal(10, 2)), "2.68");  // via shortest text
  EXPECT_EQ(cast1(dec("12.345", 10, 3), DataType::decimal(10, 1)), "12.3");
  EXPECT_EQ(cast1(dec("-12.35", 10, 2), DataType::decimal(10, 1)), "-12.4");  // half up
  EXPECT_EQ(cast1(dec("99.5", 3, 1), DataType::decimal(2, 0)), "NULL");       // 100 overflows
  EXPECT_EQ(cast1(dec("-7.9", 3, 1), DataType::int32()), "-7");
  EXPECT_EQ(cast1(dec("1.5", 3, 1), DataType::float64()), "1.5");
  EXPECT_EQ(cast1(i32(12), DataType::decimal(4, 2)), "12.00");
  EXPECT_EQ(cast1(i32(123), DataType::decimal(4, 2)), "NULL");
  EXPECT_EQ(cast1(i64(INT64_MAX), DataType::decimal(38, 18)),
            "9223372036854775807." + std::string(18, '0'));
  EXPECT_EQ(cast1(i64(INT64_MAX), DataType::decimal(38, 20)), "NULL");  // 10^39: no wrap
  EXPECT_EQ(cast1(i32(2), DataType::boolean()), "true");
  EXPECT_EQ(cast1(Value::boolean(true), DataType::int32()), "1");
  EXPECT_EQ(cast1(Value::boolean(true), DataType::decimal(3, 1)), "1.0");
}

TEST(SqlFunctionsCast, ToStringAsSpark) {
  EXPECT_EQ(cast1(f64(1e10), DataType::string()), "1.0E10");
  EXPECT_EQ(cast1(f64(1234567.0), DataType::string()), "1234567.0");
  EXPECT_EQ(cast1(f64(12345678.9), DataType::string()), "1.23456789E7");
  EXPECT_EQ(cast1(f64(0.001), DataType::string()), "0.001");
  EXPECT_EQ(cast1(f64(0.0001), DataType::string()), "1.0E-4");
  EXPECT_EQ(cast1(f64(-2.5), DataType::string()), "-2.5");
  EXPECT_EQ(cast1(Value::float32(0.1f), DataType::string()), "0.1");
  EXPECT_EQ(cast1(f64(0.1 + 0.2), DataType::string()), "0.30000000000000004");
  EXPECT_EQ(cast1(dec("1.50", 5, 2), DataType::string()), "1.50");
  EXPECT_EQ(cast1(Value::boolean(false), DataType::string()), "false");
  EXPECT_EQ(cast1(i64(-42), DataType::string()), "-42");
  EXPECT_EQ(cast1(Value::timestamp(*parseTimestamp("2024-01-02 03:04:05.5")), DataType::string()),
            "2024-01-02 03:04:05.5");
  EXPECT_EQ(cast1(Value::date(*parseDate("2024-02-29")), DataType::string()), "2024-02-29");
}

TEST(SqlFunctionsCast, DatesAndTimestamps) {
  EXPECT_EQ(cast1(str("2024-02-29"), DataType::date()), "2024-02-29");
  EXPECT_EQ(cast1(str("2023-02-29"), DataType::date()), "NULL");  // not a leap year
  EXPECT_EQ(cast1(str("2024-03-05 10:00:00"), DataType::date()), "2024-03-05");
  EXPECT_EQ(cast1(str("2024-03"), DataType::date()), "2024-03-01");
  EXPECT_EQ(cast1(str("2024-03-05T10:11:12"), DataType::timestamp()), "2024-03-05 10:11:12");
  EXPECT_EQ(cast1(str("2024-03-05"), DataType::timestamp()), "2024-03-05 00:00:00");
  EXPECT_EQ(cast1(str("nope"), DataType::timestamp()), "NULL");
  Value ts = Value::timestamp(*parseTimestamp("1969-12-31 23:59:59.5"));
  EXPECT_EQ(cast1(ts, DataType::date()), "1969-12-31");
  EXPECT_EQ(cast1(ts, DataType::int64()), "-1");  // floor of seconds
  EXPECT_EQ(cast1(ts, DataType::float64()), "-0.5");
  EXPECT_EQ(cast1(Value::date(*parseDate("2024-01-01")), DataType::timestamp()),
            "2024-01-01 00:00:00");
  EXPECT_EQ(cast1(i64(86400), DataType::timestamp()), "1970-01-02 00:00:00");
  EXPECT_EQ(cast1(f64(1.25), DataType::timestamp()), "1970-01-01 00:00:01.25");
  EXPECT_EQ(cast1(null(), DataType::date()), "NULL");
}

TEST(SqlFunctionsCast, CanCastAndCoercion) {
  EXPECT_TRUE(canCast(DataType::string(), DataType::date()));
  EXPECT_TRUE(canCast(DataType::int32(), DataType::boolean()));
  EXPECT_TRUE(canCast(DataType::timestamp(), DataType::int64()));
  EXPECT_FALSE(canCast(DataType::date(), DataType::int32()));
  EXPECT_FALSE(canCast(DataType::int32(), DataType::date()));
  EXPECT_FALSE(canCast(DataType::int32(), DataType::list({"e", DataType::int32(), true})));
  EXPECT_THROW(castColumn(columnOf(DataType::int32(), {i32(1)}), DataType::date()), UserError);

  EXPECT_EQ(*commonType(DataType::int32(), DataType::int64()), DataType::int64());
  EXPECT_EQ(*commonType(DataType::int32(), DataType::decimal(10, 2)), DataType::decimal(12, 2));
  EXPECT_EQ(*commonType(DataType::decimal(5, 2), DataType::float64()), DataType::float64());
  EXPECT_EQ(*commonType(DataType::int64(), DataType::float32()), DataType::float32());
  EXPECT_EQ(*commonType(DataType::date(), DataType::string()), DataType::date());
  EXPECT_EQ(*commonType(DataType::string(), DataType::int32()), DataType::int32());
  EXPECT_EQ(*commonType(DataType::string(), DataType::decimal(5, 2)), DataType::float64());
  EXPECT_EQ(*commonType(DataType::date(), DataType::timestamp()), DataType::timestamp());
  EXPECT_EQ(*commonType(DataType::null(), DataType::string()), DataType::string());
  EXPECT_FALSE(commonType(DataType::date(), DataType::int32()).has_value());
  EXPECT_EQ(*widerType(DataType::string(), DataType::int32()), DataType::string());
  EXPECT_FALSE(widerType(DataType::boolean(), DataType::int32()).has_value());
}

TEST(SqlFunctionsCast, VectorNullsSurvive) {
  auto c = columnOf(DataType::string(), {str("1"), null(DataType::string()), str("x"), str("4")});
  ColumnPtr out = castColumn(c, DataType::int64());
  EXPECT_EQ(Value::fromColumn(*out, 0).toString(), "1");
  EXPECT_TRUE(out->isNull(1));
  EXPECT_TRUE(out->isNull(2));
  EXPECT_EQ(Value::fromColumn(*out, 3).toString(), "4");
  ColumnPtr back = castColumn(out, DataType::string());
  EXPECT_EQ(back->stringAt(3), "4");
  EXPECT_TRUE(back->isNull(2));
}
