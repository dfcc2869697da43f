// Expressions and literals: what parseExpression (parser.h) builds.
#include <gtest/gtest.h>

#include "ember/columnar/datetime.h"
#include "ember/common/errors.h"
#include "ember/sql/parser.h"

namespace ember::sql {
namespace {

std::string e(const std::string& text) { return parseExpression(text)->toString(); }

TEST(SqlParserExpr, OperatorsBecomeCalls) {
  EXPECT_EQ(e("a + b * 2 - c / d % 3"), "((a + (b * 2)) - ((c / d) % 3))");
  EXPECT_EQ(e("a = 1 AND b <> 2 OR NOT c"), "(((a = 1) AND (b <> 2)) OR (NOT c))");
  EXPECT_EQ(e("a != b"), "(a <> b)");
  EXPECT_EQ(e("a == b"), "(a = b)");
  EXPECT_EQ(e("a <=> b"), "(a <=> b)");
  EXPECT_EQ(e("a IS DISTINCT FROM b"), "(NOT (a <=> b))");
  EXPECT_EQ(e("-a"), "(- a)");
  EXPECT_EQ(e("a DIV 2"), "div(a, 2)");
  EXPECT_EQ(e("s || 'x'"), "concat(s, 'x')");
  EXPECT_EQ(e("a BETWEEN 1 AND 3"), "((a >= 1) AND (a <= 3))");
  EXPECT_EQ(e("a NOT BETWEEN 1 AND 3"), "(NOT ((a >= 1) AND (a <= 3)))");
}

TEST(SqlParserExpr, Predicates) {
  EXPECT_EQ(e("a IN (1, 2)"), "(a IN (1, 2))");
  EXPECT_EQ(e("a NOT IN (1, 2)"), "(NOT (a IN (1, 2)))");
  EXPECT_EQ(e("a LIKE 'x%'"), "(a like 'x%')");
  EXPECT_EQ(e("a NOT LIKE 'x%'"), "(NOT (a like 'x%'))");
  EXPECT_EQ(e("a ILIKE 'x%'"), "(a ilike 'x%')");
  EXPECT_EQ(e("a LIKE 'x!%' ESCAPE '!'"), "like(a, 'x!%', '!')");
  EXPECT_EQ(e("a RLIKE '^x'"), "(a rlike '^x')");
  EXPECT_EQ(e("a REGEXP '^x'"), "(a rlike '^x')");
  EXPECT_EQ(e("a NOT RLIKE '^x'"), "(NOT (a rlike '^x'))");
  EXPECT_EQ(e("a IS NULL"), "(a IS NULL)");
  EXPECT_EQ(e("a IS NOT NULL"), "(a IS NOT NULL)");
  EXPECT_EQ(e("a IS TRUE"), "(a <=> true)");
  EXPECT_EQ(e("a IS NOT FALSE"), "(NOT (a <=> false))");
}

TEST(SqlParserExpr, ConditionalsAndSpecialFunctions) {
  EXPECT_EQ(e("CASE WHEN a > 1 THEN 'x' WHEN a > 0 THEN 'y' END"),
            "CASE WHEN (a > 1) THEN 'x' WHEN (a > 0) THEN 'y' END");
  EXPECT_EQ(e("CASE a WHEN 1 THEN 'x' ELSE 'z' END"), "CASE WHEN (a = 1) THEN 'x' ELSE 'z' END");
  EXPECT_EQ(e("COALESCE(a, b, 0)"), "coalesce(a, b, 0)");
  EXPECT_EQ(e("NULLIF(a, 0)"), "nullif(a, 0)");
  EXPECT_EQ(e("GREATEST(a, b)"), "greatest(a, b)");
  EXPECT_EQ(e("LEAST(a, b)"), "least(a, b)");
  EXPECT_EQ(e("EXTRACT(YEAR FROM d)"), "year(d)");
  EXPECT_EQ(e("extract(dow from d)"), "dayofweek(d)");
  EXPECT_EQ(e("SUBSTRING(s FROM 2 FOR 3)"), "substring(s, 2, 3)");
  EXPECT_EQ(e("substring(s, 2, 3)"), "substring(s, 2, 3)");
  EXPECT_EQ(e("TRIM(s)"), "trim(s)");
  EXPECT_EQ(e("TRIM(BOTH 'x' FROM s)"), "trim(s, 'x')");
  EXPECT_EQ(e("TRIM(LEADING 'x' FROM s)"), "ltrim(s, 'x')");
  EXPECT_EQ(e("TRIM(TRAILING FROM s)"), "rtrim(s)");
  EXPECT_EQ(e("POSITION('a' IN s)"), "position('a', s)");
  EXPECT_EQ(e("UPPER(name)"), "upper(name)");
  EXPECT_EQ(e("current_date"), "current_date()");
}

TEST(SqlParserExpr, CastsAndTypes) {
  EXPECT_EQ(e("CAST(a AS INT)"), "CAST(a AS int)");
  EXPECT_EQ(e("a::bigint"), "CAST(a AS bigint)");
  EXPECT_EQ(e("CAST(a AS DECIMAL(15, 2))"), "CAST(a AS decimal(15,2))");
  EXPECT_EQ(e("CAST(a AS DECIMAL)"), "CAST(a AS decimal(10,0))");
  EXPECT_EQ(e("CAST(a AS FLOAT)"), "CAST(a AS float)");
  EXPECT_EQ(e("CAST(a AS DOUBLE)"), "CAST(a AS double)");
  EXPECT_EQ(e("CAST(a AS STRING)"), "CAST(a AS string)");
  EXPECT_EQ(e("CAST(a AS VARCHAR(10))"), "CAST(a AS string)");
  EXPECT_EQ(e("CAST(a AS BOOLEAN)"), "CAST(a AS boolean)");
  EXPECT_EQ(e("CAST(a AS TINYINT)"), "CAST(a AS tinyint)");
  EXPECT_EQ(e("CAST(a AS timestamp)"), "CAST(a AS timestamp)");
}

TEST(SqlParserExpr, Literals) {
  auto value = [](const std::string& text) { return parseExpression(text)->value; };
  EXPECT_EQ(value("1").type(), DataType::int32());
  EXPECT_EQ(value("-7").asInt64(), -7);
  EXPECT_EQ(value("0").asInt64(), 0);
  EXPECT_EQ(value("3000000000").type(), DataType::int64());
  EXPECT_EQ(value("1.50").type(), DataType::decimal(3, 2));
  EXPECT_EQ(value("1.50").asInt128(), 150);
  EXPECT_EQ(value("0.05").type(), DataType::decimal(2, 2));
  EXPECT_EQ(value("-0.05").asInt128(), -5);
  EXPECT_EQ(value("12345678901234567890123").type(), DataType::decimal(23, 0));
  EXPECT_EQ(value("1e3").type(), DataType::float64());
  EXPECT_EQ(value("'it''s'").asString(), "it's");
  EXPECT_EQ(value("'it\\'s'").asString(), "it's");
  EXPECT_EQ(value("'a\\tb'").asString(), "a\tb");
  EXPECT_TRUE(value("NULL").isNull());
  EXPECT_TRUE(value("true").asBool());
  EXPECT_EQ(value("DATE '1998-12-01'"), Value::date(daysFromCivil(1998, 12, 1)));
  EXPECT_EQ(value("CAST('1998-12-01' AS date)"), Value::date(daysFromCivil(1998, 12, 1)));
  EXPECT_EQ(value("TIMESTAMP '1970-01-01 00:00:01'"), Value::timestamp(1000000));
}

TEST(SqlParserExpr, IntervalArithmetic) {
  EXPECT_EQ(e("d + INTERVAL '3' MONTH"), "interval_add(d, 3, 0, 0)");
  EXPECT_EQ(e("d - interval '90' day"), "interval_add(d, 0, -90, 0)");
  EXPECT_EQ(e("d + INTERVAL 3 DAYS"), "interval_add(d, 0, 3, 0)");
  EXPECT_EQ(e("d + INTERVAL '1 year 2 months'"), "interval_add(d, 14, 0, 0)");
  EXPECT_EQ(e("INTERVAL 2 HOURS + ts"), "interval_add(ts, 0, 0, 7200000000)");
  EXPECT_THROW(parseExpression("INTERVAL 3 DAYS"), UserError);
  EXPECT_THROW(parseExpression("d + INTERVAL '3 fortnights'"), UserError);
}

TEST(SqlParserExpr, Aggregates) {
  auto count = parseExpression("count(*)");
  EXPECT_EQ(count->kind, ExprKind::AggregateCall);
  EXPECT_TRUE(count->args.empty());
  EXPECT_EQ(e("COUNT(DISTINCT a)"), "count(DISTINCT a)");
  auto f = parseExpression("sum(a) FILTER (WHERE b > 0)");
  EXPECT_TRUE(f->hasFilter);
  EXPECT_EQ(f->toString(), "sum(a) FILTER (WHERE (b > 0))");
  for (const char* name : {"avg", "mean", "min", "max", "stddev", "variance", "first", "last",
                           "collect_list", "collect_set", "approx_count_distinct", "count_if",
                           "bool_and", "every", "percentile_approx"})
    EXPECT_EQ(parseExpression(std::string(name) + "(x)")->kind, ExprKind::AggregateCall) << name;
  EXPECT_EQ(parseExpression("upper(x)")->kind, ExprKind::Call);
  EXPECT_EQ(e("any(x) AND some(y)"), "(bool_or(x) AND bool_or(y))");
  EXPECT_EQ(parseExpression("a = ANY (SELECT b FROM t)")->kind, ExprKind::InSubquery);
  EXPECT_THROW(parseExpression("upper(DISTINCT x)"), UserError);
}

TEST(SqlParserExpr, Subqueries) {
  auto in = parseExpression("a IN (SELECT b FROM t)");
  EXPECT_EQ(in->kind, ExprKind::InSubquery);
  EXPECT_FALSE(in->negated);
  EXPECT_EQ(in->subquery->treeString(), "Project [b]\n+- 'UnresolvedRelation [t]\n");
  EXPECT_TRUE(parseExpression("a NOT IN (SELECT b FROM t)")->negated);
  EXPECT_EQ(parseExpression("EXISTS (SELECT 1)")->kind, ExprKind::Exists);
  EXPECT_TRUE(parseExpression("NOT EXISTS (SELECT 1)")->negated);
  EXPECT_EQ(parseExpression("(SELECT max(b) FROM t)")->kind, ExprKind::ScalarSubquery);
}

TEST(SqlParserExpr, AliasesStarsAndPositions) {
  EXPECT_EQ(e("a + 1 AS b"), "(a + 1) AS b");
  EXPECT_EQ(parseExpression("t.*")->kind, ExprKind::Star);
  EXPECT_EQ(e("t.*"), "t.*");
  auto c = parseExpression("  Foo.Bar");
  EXPECT_EQ(c->name, "Bar");
  EXPECT_EQ(c->qualifier, std::vector<std::string>{"Foo"});
  EXPECT_EQ(c->position, 2);
  EXPECT_EQ(parseExpression("x + `y z`")->args[1]->name, "y z");
  EXPECT_EQ(parseExpression("1 + f(x)")->args[1]->position, 4);
}

TEST(SqlParserExpr, ErrorsPointAtTheProblem) {
  try {
    parseExpression("a + * b");
    FAIL();
  } catch (const UserError& err) {
    EXPECT_EQ(std::string(err.what()),
              "syntax error at or near '*' (line 1, column 5)\n  a + * b\n      ^");
  }
  EXPECT_THROW(parseExpression("a FROM t"), UserError);
  EXPECT_THROW(parseExpression(""), UserError);
  EXPECT_THROW(parseExpression("a @ b"), UserError);
  EXPECT_THROW(parseExpression("CAST(a AS blob)"), UserError);
  EXPECT_THROW(parseExpression("$1"), UserError);
}

}  // namespace
}  // namespace ember::sql
