// Date/time functions: field extraction, leap years, month arithmetic, truncation,
// months_between, parsing and formatting with Spark patterns.
#include "ember/columnar/datetime.h"
#include "ember/common/errors.h"
#include "sql_functions_test_util.h"

using namespace ember;
using namespace ember::sql;
using namespace ember::sql::testutil;

namespace {
Value d(const char* s) { return Value::date(*parseDate(s)); }
Value ts(const char* s) { return Value::timestamp(*parseTimestamp(s)); }
int64_t num(const std::string& f, std::vector<Value> a) { return eval(f, a).asInt64(); }
}  // namespace

TEST(SqlFunctionsDatetime, Fields) {
  EXPECT_EQ(num("year", {d("2024-02-29")}), 2024);
  EXPECT_EQ(num("month", {d("2024-02-29")}), 2);
  EXPECT_EQ(num("day", {d("2024-02-29")}), 29);
  EXPECT_EQ(num("dayofmonth", {ts("2024-02-29 23:59:59")}), 29);
  EXPECT_EQ(num("dayofweek", {d("2024-03-03")}), 1);  // Sunday
  EXPECT_EQ(num("dayofweek", {d("1970-01-01")}), 5);  // Thursday
  EXPECT_EQ(num("dayofweek", {d("1969-12-31")}), 4);
  EXPECT_EQ(num("dayofyear", {d("2024-12-31")}), 366);
  EXPECT_EQ(num("dayofyear", {d("2023-12-31")}), 365);
  EXPECT_EQ(num("quarter", {d("2024-04-01")}), 2);
  EXPECT_EQ(num("weekofyear", {d("2021-01-03")}), 53);  // ISO: still 2020's week 53
  EXPECT_EQ(num("weekofyear", {d("2024-12-30")}), 1);
  EXPECT_EQ(num("hour", {ts("2024-01-01 13:45:30")}), 13);
  EXPECT_EQ(num("minute", {ts("2024-01-01 13:45:30")}), 45);
  EXPECT_EQ(num("second", {ts("2024-01-01 13:45:30.9")}), 30);
  EXPECT_EQ(num("hour", {ts("1969-12-31 23:00:00")}), 23);  // before the epoch
  EXPECT_EQ(num("year", {ts("1969-12-31 23:59:59")}), 1969);
  EXPECT_EQ(num("year", {str("2024-05-06")}), 2024);  // strings are cast
  EXPECT_EQ(num("hour", {d("2024-05-06")}), 0);
  EXPECT_TRUE(eval("year", {null(DataType::date())}).isNull());
  EXPECT_THROW(eval("year", {i32(5)}), UserError);
}

TEST(SqlFunctionsDatetime, DayAndMonthArithmetic) {
  EXPECT_EQ(str("date_add", {d("2024-02-28"), i32(1)}), "2024-02-29");
  EXPECT_EQ(str("date_add", {d("2023-02-28"), i32(1)}), "2023-03-01");
  EXPECT_EQ(str("date_sub", {d("2024-03-01"), i32(1)}), "2024-02-29");
  EXPECT_EQ(str("date_add", {str("2024-01-01"), i32(-1)}), "2023-12-31");
  EXPECT_EQ(num("datediff", {d("2024-03-01"), d("2024-02-01")}), 29);
  EXPECT_EQ(num("datediff", {d("2024-02-01"), d("2024-03-01")}), -29);
  EXPECT_EQ(str("add_months", {d("2024-01-31"), i32(1)}), "2024-02-29");
  EXPECT_EQ(str("add_months", {d("2023-01-31"), i32(1)}), "2023-02-28");
  EXPECT_EQ(str("add_months", {d("2024-03-31"), i32(-13)}), "2023-02-28");
  EXPECT_EQ(str("last_day", {d("2024-02-10")}), "2024-02-29");
  EXPECT_EQ(str("last_day", {d("1900-02-10")}), "1900-02-28");  // not a leap year
  EXPECT_EQ(str("last_day", {d("2000-02-10")}), "2000-02-29");
  EXPECT_EQ(str("make_date", {i32(2024), i32(2), i32(30)}), "NULL");
  EXPECT_EQ(str("make_date", {i32(2024), i32(2), i32(29)}), "2024-02-29");
  // months_between (Spark's examples)
  EXPECT_DOUBLE_EQ(
      eval("months_between", {ts("1997-02-28 10:30:00"), ts("1996-10-30 00:00:00")}).asDouble(),
      3.94959677);
  EXPECT_DOUBLE_EQ(eval("months_between", {d("2024-03-31"), d("2024-02-29")}).asDouble(), 1.0);
  EXPECT_DOUBLE_EQ(eval("months_between", {d("2024-03-15"), d("2024-01-15")}).asDouble(), 2.0);
}

TEST(SqlFunctionsDatetime, Truncation) {
  Value t = ts("2024-05-15 13:45:30.123456");
  EXPECT_EQ(str("date_trunc", {str("year"), t}), "2024-01-01 00:00:00");
  EXPECT_EQ(str("date_trunc", {str("QUARTER"), t}), "2024-04-01 00:00:00");
  EXPECT_EQ(str("date_trunc", {str("mm"), t}), "2024-05-01 00:00:00");
  EXPECT_EQ(str("date_trunc", {str("week"), t}), "2024-05-13 00:00:00");  // Monday
  EXPECT_EQ(str("date_trunc", {str("day"), t}), "2024-05-15 00:00:00");
  EXPECT_EQ(str("date_trunc", {str("hour"), t}), "2024-05-15 13:00:00");
  EXPECT_EQ(str("date_trunc", {str("minute"), t}), "2024-05-15 13:45:00");
  EXPECT_EQ(str("date_trunc", {str("second"), t}), "2024-05-15 13:45:30");
  EXPECT_EQ(str("date_trunc", {str("millisecond"), t}), "2024-05-15 13:45:30.123");
  EXPECT_EQ(str("date_trunc", {str("decade"), t}), "NULL");
  EXPECT_EQ(str("date_trunc", {str("hour"), ts("1969-12-31 23:30:00")}), "1969-12-31 23:00:00");
  EXPECT_EQ(str("trunc", {d("2024-05-15"), str("year")}), "2024-01-01");
  EXPECT_EQ(str("trunc", {d("2024-05-15"), str("month")}), "2024-05-01");
  EXPECT_EQ(str("trunc", {d("2024-05-15"), str("quarter")}), "2024-04-01");
  EXPECT_EQ(str("trunc", {d("2024-05-15"), str("day")}), "NULL");
}

TEST(SqlFunctionsDatetime, ParseAndFormat) {
  EXPECT_EQ(str("to_date", {str("2024-02-29")}), "2024-02-29");
  EXPECT_EQ(str("to_date", {str("2023-02-29")}), "NULL");
  EXPECT_EQ(str("to_date", {str("29/02/2024"), str("dd/MM/yyyy")}), "2024-02-29");
  EXPECT_EQ(str("to_date", {str("29/02/2023"), str("dd/MM/yyyy")}), "NULL");
  EXPECT_EQ(str("to_date", {str("Mar 5, 2024"), str("MMM d, yyyy")}), "2024-03-05");
  EXPECT_EQ(str("to_date", {str("2024-03-05x"), str("yyyy-MM-dd")}), "NULL");
  EXPECT_EQ(str("to_date", {ts("2024-03-05 23:00:00")}), "2024-03-05");
  EXPECT_EQ(str("to_timestamp", {str("2024-03-05 10:11:12")}), "2024-03-05 10:11:12");
  EXPECT_EQ(str("to_timestamp", {str("05.03.2024 07:08 PM"), str("dd.MM.yyyy hh:mm a")}),
            "2024-03-05 19:08:00");
  EXPECT_EQ(str("to_timestamp", {str("2024-03-05T10:11:12.5Z"), str("yyyy-MM-dd'T'HH:mm:ss.SX")}),
            "2024-03-05 10:11:12.5");
  Value t = ts("2024-03-05 19:08:09.123456");
  EXPECT_EQ(str("date_format", {t, str("yyyy-MM-dd HH:mm:ss.SSS")}), "2024-03-05 19:08:09.123");
  EXPECT_EQ(str("date_format", {t, str("EEE, d MMM yy hh:mm a")}), "Tue, 5 Mar 24 07:08 PM");
  EXPECT_EQ(str("date_format", {t, str("EEEE MMMM D 'day' ''")}), "Tuesday March 65 day '");
  EXPECT_EQ(str("date_format", {d("2024-03-05"), str("yyyyMMdd")}), "20240305");
  EXPECT_THROW(eval("date_format", {t, str("yyyy-qq")}), UserError);
  EXPECT_EQ(num("unix_timestamp", {str("1970-01-02 00:00:00")}), 86400);
  EXPECT_EQ(num("unix_timestamp", {str("1970-01-02"), str("yyyy-MM-dd")}), 86400);
  EXPECT_EQ(num("unix_timestamp", {ts("1969-12-31 23:59:59.5")}), -1);
  EXPECT_EQ(num("unix_timestamp", {d("1970-01-03")}), 2 * 86400);
  EXPECT_EQ(str("from_unixtime", {i64(86400)}), "1970-01-02 00:00:00");
  EXPECT_EQ(str("from_unixtime", {i64(0), str("yyyy/MM/dd")}), "1970/01/01");
  EXPECT_TRUE(eval("to_date", {null(DataType::string()), str("yyyy")}).isNull());
}

TEST(SqlFunctionsDatetime, CurrentAndVectorised) {
  const ScalarFunction* f = FunctionRegistry::builtin().find("current_date");
  ASSERT_NE(f, nullptr);
  EXPECT_FALSE(f->deterministic);
  Value today = eval("current_date", {});
  EXPECT_GT(today.asInt64(), *parseDate("2024-01-01"));
  Value now = eval("current_timestamp", {});
  EXPECT_EQ(now.asInt64() / kMicrosPerDay, today.asInt64());
  // A column with NULLs and a non-literal unit per row.
  auto units = columnOf(DataType::string(), {str("year"), str("month"), null(DataType::string())});
  auto times =
      columnOf(DataType::timestamp(),
               {ts("2024-05-15 01:00:00"), ts("2024-05-15 01:00:00"), ts("2024-05-15 01:00:00")});
  Result r = run("date_trunc", {units, times});
  EXPECT_EQ(r.values[0].toString(), "2024-01-01 00:00:00");
  EXPECT_EQ(r.values[1].toString(), "2024-05-01 00:00:00");
  EXPECT_TRUE(r.values[2].isNull());
}
