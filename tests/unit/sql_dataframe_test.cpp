// End-to-end DataFrame queries through the analyzer, optimizer, planner and the
// scheduler (local[2]).
#include <gtest/gtest.h>

#include "ember/core/context.h"
#include "ember/core/event_bus.h"
#include "ember/core/events.h"
#include "ember/sql/column.h"
#include "ember/sql/dataframe.h"
#include "ember/sql/session.h"

namespace ember::sql {
namespace {
using namespace functions;

class SqlDataFrameTest : public ::testing::Test {
 protected:
  SqlDataFrameTest() : ctx_(makeConf()), spark_(ctx_) {
    spark_.setConf("ember.sql.shuffle.partitions", "3");
  }
  static Config makeConf() {
    Config c;
    c.set("ember.master", "local[2]");
    c.set("ember.ui.showConsoleProgress", "false");
    c.set("ember.ui.enabled", "false");
    return c;
  }
  DataFrame people() {
    Schema s(
        {{"name", DataType::string()}, {"age", DataType::int32()}, {"city", DataType::string()}});
    return spark_.createDataFrame(
        {{Value::string("ann"), Value::int32(31), Value::string("oslo")},
         {Value::string("bob"), Value::int32(25), Value::string("rome")},
         {Value::string("cid"), Value::null(DataType::int32()), Value::string("oslo")},
         {Value::string("dan"), Value::int32(40), Value::string("rome")},
         {Value::string("eve"), Value::int32(19), Value::null(DataType::string())}},
        s);
  }
  static std::vector<std::string> strings(const std::vector<Row>& rows) {
    std::vector<std::string> out;
    for (const auto& r : rows) {
      std::string line;
      for (size_t i = 0; i < r.size(); ++i) line += (i ? "|" : "") + r[i].toString();
      out.push_back(line);
    }
    return out;
  }
  Context ctx_;
  Session spark_;
};

TEST_F(SqlDataFrameTest, FilterSelectOrder) {
  auto rows = people()
                  .filter(gt(col("age"), lit(20)))
                  .select({col("name"), as(col("age") + lit(1), "next")})
                  .orderBy({desc(col("next"))})
                  .collect();
  EXPECT_EQ(strings(rows), (std::vector<std::string>{"dan|41", "ann|32", "bob|26"}));
}

TEST_F(SqlDataFrameTest, GroupByAggregates) {
  auto rows = people()
                  .groupBy({"city"})
                  .agg({count(), sum(col("age")), avg(col("age"))})
                  .orderBy({"city"})
                  .collect();
  EXPECT_EQ(strings(rows),
            (std::vector<std::string>{"NULL|1|19|19.0", "oslo|2|31|31.0", "rome|2|65|32.5"}));
  EXPECT_EQ(people().count(), 5);
  auto global = people().agg({count(col("age")), min(col("name")), max(col("age"))}).collect();
  EXPECT_EQ(strings(global), (std::vector<std::string>{"4|ann|40"}));
}

TEST_F(SqlDataFrameTest, JoinsOfEveryKind) {
  Schema cs({{"city", DataType::string()}, {"country", DataType::string()}});
  auto cities = spark_.createDataFrame(
      {{Value::string("oslo"), Value::string("NO")}, {Value::string("paris"), Value::string("FR")}},
      cs);
  auto p = people();
  auto inner =
      p.join(cities, {"city"}).select({col("name"), col("country")}).orderBy({"name"}).collect();
  EXPECT_EQ(strings(inner), (std::vector<std::string>{"ann|NO", "cid|NO"}));
  auto left = p.join(cities, {"city"}, "left")
                  .select({col("name"), col("country")})
                  .orderBy({"name"})
                  .collect();
  EXPECT_EQ(left.size(), 5u);
  EXPECT_EQ(strings(left)[1], "bob|NULL");
  auto full = p.join(cities, {"city"}, "full").count();
  EXPECT_EQ(full, 6);
  auto semi = p.join(cities, {"city"}, "left_semi").count();
  EXPECT_EQ(semi, 2);
  auto anti = p.join(cities, {"city"}, "left_anti").count();
  EXPECT_EQ(anti, 3);
}

TEST_F(SqlDataFrameTest, ShowMatchesSparkLayout) {
  std::string s = people().select({col("name"), col("age")}).orderBy({"name"}).showString(2);
  EXPECT_EQ(s,
            "+----+---+\n"
            "|name|age|\n"
            "+----+---+\n"
            "| ann| 31|\n"
            "| bob| 25|\n"
            "+----+---+\n"
            "only showing top 2 rows\n");
}

TEST_F(SqlDataFrameTest, SqlQueriesOverViews) {
  people().createOrReplaceTempView("people");
  auto rows = spark_
                  .sql(
                      "SELECT city, count(*) AS n, max(age) FROM people WHERE age IS NOT NULL "
                      "GROUP BY 1 HAVING count(*) >= 1 ORDER BY n DESC, city")
                  .collect();
  EXPECT_EQ(strings(rows), (std::vector<std::string>{"rome|2|40", "NULL|1|19", "oslo|1|31"}));
  auto sub =
      spark_.sql("SELECT name FROM people WHERE age > (SELECT avg(age) FROM people) ORDER BY name")
          .collect();
  EXPECT_EQ(strings(sub), (std::vector<std::string>{"ann", "dan"}));
  auto in = spark_
                .sql(
                    "SELECT name FROM people p WHERE city IN (SELECT city FROM people WHERE age > "
                    "35) ORDER BY 1")
                .collect();
  EXPECT_EQ(strings(in), (std::vector<std::string>{"bob", "dan"}));
  auto exists = spark_
                    .sql(
                        "SELECT name FROM people p WHERE EXISTS (SELECT 1 FROM people q WHERE "
                        "q.city = p.city "
                        "AND q.age > p.age) ORDER BY name")
                    .collect();
  EXPECT_EQ(strings(exists), (std::vector<std::string>{"bob"}));
}

TEST_F(SqlDataFrameTest, AnalyzerErrorsNamePositionAndSuggestions) {
  people().createOrReplaceTempView("people");
  try {
    spark_.sql("SELECT nmae FROM people");
    FAIL() << "expected an error";
  } catch (const UserError& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("nmae"), std::string::npos) << m;
    EXPECT_NE(m.find("name"), std::string::npos) << m;
    EXPECT_NE(m.find("column 8"), std::string::npos) << m;
  }
  EXPECT_THROW(spark_.sql("SELECT * FROM peeple"), UserError);
  EXPECT_THROW(spark_.sql("SELECT name, count(*) FROM people"), UserError);
}

}  // namespace
}  // namespace ember::sql

namespace ember::sql {
namespace {
struct SqlEventRecorder : EventListener {
  std::vector<SqlExecutionStart> starts;
  std::vector<SqlExecutionEnd> ends;
  void onSqlExecutionStart(const SqlExecutionStart& e) override { starts.push_back(e); }
  void onSqlExecutionEnd(const SqlExecutionEnd& e) override { ends.push_back(e); }
};

TEST(SqlEvents, EachQueryPostsItsPlanGraphAndOperatorMetrics) {
  Config c;
  c.set("ember.master", "local[2]");
  c.set("ember.ui.showConsoleProgress", "false");
  c.set("ember.ui.enabled", "false");
  Context ctx(c);
  auto rec = std::make_shared<SqlEventRecorder>();
  ctx.addListener(rec);
  Session spark(ctx);
  auto rows = spark.range(0, 1000).filter("id % 10 = 0").groupBy({"id"}).count().collect();
  ASSERT_EQ(rows.size(), 100u);
  ctx.eventBus().waitUntilEmpty(5000);
  ASSERT_EQ(rec->starts.size(), 1u);
  ASSERT_EQ(rec->ends.size(), 1u);
  EXPECT_TRUE(rec->ends[0].succeeded);
  bool sawFilter = false;
  for (const auto& n : rec->starts[0].nodes) sawFilter = sawFilter || n.name == "Filter";
  EXPECT_TRUE(sawFilter);
  EXPECT_EQ(rec->starts[0].edges.size() + 1, rec->starts[0].nodes.size());
  int64_t filterRows = -1;
  for (const auto& n : rec->starts[0].nodes)
    if (n.name == "Filter")
      for (const auto& m : rec->ends[0].metrics)
        if (m.nodeId == n.id) filterRows = m.rows;
  EXPECT_EQ(filterRows, 100);
}

TEST_F(SqlDataFrameTest, IntersectAllAndExceptAllKeepDuplicates) {
  auto a = spark_.sql("SELECT * FROM (VALUES (1), (1), (1), (2), (3)) AS a(x)");
  auto b = spark_.sql("SELECT * FROM (VALUES (1), (1), (3), (3)) AS b(x)");
  auto values = [](const DataFrame& df) {
    std::vector<int64_t> v;
    for (const auto& r : df.orderBy({"x"}).collect()) v.push_back(r[0].asInt64());
    return v;
  };
  EXPECT_EQ(values(a.intersectAll(b)), (std::vector<int64_t>{1, 1, 3}));
  EXPECT_EQ(values(a.exceptAll(b)), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(values(a.intersect(b)), (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(a.exceptAll(b).schema().field(0).name, "x");
}
}  // namespace
}  // namespace ember::sql
