// Math functions: abs, ceil/floor, round/bround on decimals (exact) and doubles,
// logarithms (NULL for x <= 0), pmod, constants, hash (Spark's values), rand.
#include <cmath>

#include "ember/common/errors.h"
#include "sql_functions_test_util.h"

using namespace ember;
using namespace ember::sql;
using namespace ember::sql::testutil;

TEST(SqlFunctionsMath, AbsSign) {
  DataType t;
  EXPECT_EQ(eval("abs", {i32(-5)}, &t).asInt64(), 5);
  EXPECT_EQ(t, DataType::int32());
  EXPECT_EQ(eval("abs", {dec("-1.50", 5, 2)}, &t).toString(), "1.50");
  EXPECT_EQ(t, DataType::decimal(5, 2));
  EXPECT_DOUBLE_EQ(eval("abs", {f64(-2.5)}).asDouble(), 2.5);
  EXPECT_THROW(eval("abs", {i32(INT32_MIN)}), UserError);
  EXPECT_TRUE(eval("abs", {null(DataType::int32())}).isNull());
  EXPECT_DOUBLE_EQ(eval("sign", {i32(-7)}).asDouble(), -1.0);
  EXPECT_DOUBLE_EQ(eval("signum", {f64(0.0)}).asDouble(), 0.0);
  EXPECT_THROW(eval("abs", {str("x"), str("y")}), UserError);
}

TEST(SqlFunctionsMath, CeilFloor) {
  DataType t;
  EXPECT_EQ(eval("ceil", {f64(1.2)}, &t).asInt64(), 2);
  EXPECT_EQ(t, DataType::int64());
  EXPECT_EQ(eval("floor", {f64(-1.2)}).asInt64(), -2);
  EXPECT_EQ(eval("ceiling", {i64(INT64_MAX)}).asInt64(), INT64_MAX);  // no trip through double
  EXPECT_EQ(eval("ceil", {dec("-1.5", 3, 1)}, &t).toString(), "-1");
  EXPECT_EQ(t, DataType::decimal(3, 0));
  EXPECT_EQ(eval("ceil", {dec("9.9", 2, 1)}, &t).toString(), "10");  // one more integral digit
  EXPECT_EQ(eval("floor", {dec("-9.1", 2, 1)}).toString(), "-10");
}

TEST(SqlFunctionsMath, RoundDecimalsExactly) {
  DataType t;
  EXPECT_EQ(eval("round", {dec("2.345", 10, 3), i32(2)}, &t).toString(), "2.35");
  EXPECT_EQ(t, DataType::decimal(10, 2));
  EXPECT_EQ(eval("round", {dec("-2.345", 10, 3), i32(2)}).toString(), "-2.35");  // half up
  EXPECT_EQ(eval("bround", {dec("2.345", 10, 3), i32(2)}).toString(), "2.34");   // half even
  EXPECT_EQ(eval("bround", {dec("2.355", 10, 3), i32(2)}).toString(), "2.36");
  EXPECT_EQ(eval("round", {dec("2.5", 2, 1)}, &t).toString(), "3");
  EXPECT_EQ(t, DataType::decimal(2, 0));
  EXPECT_EQ(eval("bround", {dec("2.5", 2, 1)}).toString(), "2");
  EXPECT_EQ(eval("round", {dec("99.5", 3, 1)}).toString(), "100");
  EXPECT_EQ(eval("round", {dec("1.5", 2, 1), i32(3)}, &t).toString(), "1.5");  // nothing to drop
  EXPECT_EQ(t, DataType::decimal(3, 1));
  EXPECT_EQ(eval("round", {dec("1250", 4, 0), i32(-2)}, &t).toString(), "1300");
  EXPECT_EQ(t, DataType::decimal(5, 0));
  EXPECT_EQ(eval("bround", {dec("1250", 4, 0), i32(-2)}).toString(), "1200");
}

TEST(SqlFunctionsMath, RoundDoublesAndIntegers) {
  DataType t;
  EXPECT_DOUBLE_EQ(eval("round", {f64(2.675), i32(2)}, &t).asDouble(), 2.68);  // decimal text
  EXPECT_EQ(t, DataType::float64());
  EXPECT_DOUBLE_EQ(eval("round", {f64(-2.5)}).asDouble(), -3.0);
  EXPECT_DOUBLE_EQ(eval("bround", {f64(2.5)}).asDouble(), 2.0);
  EXPECT_DOUBLE_EQ(eval("round", {f64(1234.5678), i32(-2)}).asDouble(), 1200.0);
  EXPECT_DOUBLE_EQ(eval("round", {f64(0.000123456), i32(5)}).asDouble(), 0.00012);
  EXPECT_DOUBLE_EQ(eval("round", {f64(1e20), i32(2)}).asDouble(), 1e20);
  EXPECT_TRUE(std::isnan(eval("round", {f64(std::nan(""))}).asDouble()));
  EXPECT_EQ(eval("round", {i32(1250), i32(-2)}, &t).asInt64(), 1300);
  EXPECT_EQ(t, DataType::int32());
  EXPECT_EQ(eval("round", {i32(17), i32(1)}).asInt64(), 17);
  EXPECT_THROW(eval("round", {f64(1.0), f64(2.0)}), UserError);
}

TEST(SqlFunctionsMath, DoubleFunctions) {
  EXPECT_DOUBLE_EQ(eval("sqrt", {i32(16)}).asDouble(), 4.0);
  EXPECT_TRUE(std::isnan(eval("sqrt", {i32(-1)}).asDouble()));
  EXPECT_DOUBLE_EQ(eval("cbrt", {f64(27)}).asDouble(), 3.0);
  EXPECT_DOUBLE_EQ(eval("exp", {i32(0)}).asDouble(), 1.0);
  EXPECT_DOUBLE_EQ(eval("ln", {f64(std::exp(2.0))}).asDouble(), 2.0);
  EXPECT_TRUE(eval("ln", {i32(0)}).isNull());
  EXPECT_TRUE(eval("log10", {i32(-1)}).isNull());
  EXPECT_DOUBLE_EQ(eval("log10", {i32(1000)}).asDouble(), 3.0);
  EXPECT_DOUBLE_EQ(eval("log2", {i32(8)}).asDouble(), 3.0);
  EXPECT_DOUBLE_EQ(eval("log", {i32(2), i32(1024)}).asDouble(), 10.0);
  EXPECT_TRUE(eval("log", {i32(0), i32(8)}).isNull());
  EXPECT_DOUBLE_EQ(eval("pow", {i32(2), i32(10)}).asDouble(), 1024.0);
  EXPECT_DOUBLE_EQ(eval("power", {f64(4), f64(0.5)}).asDouble(), 2.0);
  EXPECT_DOUBLE_EQ(eval("degrees", {eval("pi", {})}).asDouble(), 180.0);
  EXPECT_DOUBLE_EQ(eval("radians", {f64(180)}).asDouble(), M_PI);
  EXPECT_DOUBLE_EQ(eval("sin", {f64(0)}).asDouble(), 0.0);
  EXPECT_DOUBLE_EQ(eval("cos", {f64(0)}).asDouble(), 1.0);
  EXPECT_DOUBLE_EQ(eval("atan2", {f64(1), f64(1)}).asDouble(), M_PI / 4);
  EXPECT_DOUBLE_EQ(eval("e", {}).asDouble(), M_E);
  EXPECT_DOUBLE_EQ(eval("sqrt", {str("9")}).asDouble(), 3.0);  // numeric string
  EXPECT_EQ(eval("isnan", {f64(std::nan(""))}).toString(), "true");
  EXPECT_EQ(eval("isnan", {null(DataType::float64())}).toString(), "false");
  EXPECT_DOUBLE_EQ(eval("nanvl", {f64(std::nan("")), i32(7)}).asDouble(), 7.0);
  EXPECT_DOUBLE_EQ(eval("nanvl", {f64(1.5), i32(7)}).asDouble(), 1.5);
  EXPECT_TRUE(eval("nanvl", {null(DataType::float64()), i32(7)}).isNull());
}

TEST(SqlFunctionsMath, ModAndPmod) {
  EXPECT_EQ(eval("mod", {i32(-7), i32(3)}).asInt64(), -1);
  EXPECT_EQ(eval("pmod", {i32(-7), i32(3)}).asInt64(), 2);
  EXPECT_EQ(eval("pmod", {i32(7), i32(3)}).asInt64(), 1);
  EXPECT_EQ(eval("pmod", {i32(-7), i32(-3)}).asInt64(), -1);
  EXPECT_TRUE(eval("pmod", {i32(7), i32(0)}).isNull());
  EXPECT_DOUBLE_EQ(eval("pmod", {f64(-7.5), f64(2)}).asDouble(), 0.5);
  EXPECT_EQ(eval("pmod", {dec("-7.5", 3, 1), dec("2", 3, 0)}).toString(), "0.5");
}

TEST(SqlFunctionsMath, HashMatchesSpark) {
  // Spark's values (SELECT hash(...); also used by other Spark-compatible engines' tests).
  EXPECT_EQ(eval("hash", {i32(1)}).asInt64(), -559580957);
  EXPECT_EQ(eval("hash", {i32(0)}).asInt64(), 933211791);
  EXPECT_EQ(eval("hash", {i32(-1)}).asInt64(), -1604776387);
  EXPECT_EQ(eval("hash", {Value::boolean(true)}).asInt64(), -559580957);
  EXPECT_EQ(eval("hash", {i64(1)}).asInt64(), -1712319331);
  EXPECT_EQ(eval("hash", {i64(0)}).asInt64(), -1670924195);
  EXPECT_EQ(eval("hash", {f64(123.456)}).asInt64(), -39269148);
  EXPECT_EQ(eval("hash", {str("hello world")}).asInt64(), -1528836094);  // 3 tail bytes
  EXPECT_EQ(eval("hash", {null(DataType::int32())}).asInt64(), 42);
  // Multiple arguments chain the seed; NULLs are skipped.
  EXPECT_EQ(eval("hash", {i32(1), null(DataType::string())}).asInt64(),
            eval("hash", {i32(1)}).asInt64());
  EXPECT_NE(eval("hash", {i32(1), i32(2)}).asInt64(), eval("hash", {i32(2), i32(1)}).asInt64());
  // -0.0 and 0.0 hash equally.
  EXPECT_EQ(eval("hash", {f64(-0.0)}).asInt64(), eval("hash", {f64(0.0)}).asInt64());
}

TEST(SqlFunctionsMath, RandIsReproducible) {
  const ScalarFunction* f = FunctionRegistry::builtin().find("rand");
  ASSERT_NE(f, nullptr);
  EXPECT_FALSE(f->deterministic);
  auto seed = columnOf(DataType::int64(), std::vector<Value>(100, i64(7)));
  Result a = run("rand", {seed}, {true});
  Result b = run("rand", {seed}, {true});
  double sum = 0;
  for (size_t i = 0; i < a.values.size(); ++i) {
    EXPECT_EQ(a.values[i].asDouble(), b.values[i].asDouble());
    EXPECT_GE(a.values[i].asDouble(), 0.0);
    EXPECT_LT(a.values[i].asDouble(), 1.0);
    sum += a.values[i].asDouble();
  }
  EXPECT_NE(a.values[0].asDouble(), a.values[1].asDouble());
  EXPECT_NEAR(sum / 100, 0.5, 0.15);
  Result c = run("rand", {columnOf(DataType::int64(), std::vector<Value>(100, i64(8)))}, {true});
  EXPECT_NE(a.values[0].asDouble(), c.values[0].asDouble());
}
