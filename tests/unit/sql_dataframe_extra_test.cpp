// DataFrame conveniences: rollup/cube, withColumns, toDF, fillna/dropna, head/isEmpty.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "ember/core/context.h"
#include "ember/sql/column.h"
#include "ember/sql/dataframe.h"
#include "ember/sql/session.h"

namespace ember::sql {
namespace {

using namespace functions;

class DataFrameExtraTest : public ::testing::Test {
 protected:
  static Config conf() {
    Config c;
    c.set("ember.master", "local[2]");
    c.set("ember.ui.showConsoleProgress", "false");
    c.set("ember.ui.enabled", "false");
    return c;
  }
  Context ctx_{conf()};
  Session spark_{ctx_};

  DataFrame people() {
    return spark_.sql(
        "SELECT * FROM VALUES ('a', 'x', 1, 10.0), ('a', 'y', 2, NULL), ('b', 'x', NULL, 30.0), "
        "(NULL, NULL, NULL, NULL) AS t(k, j, n, d)");
  }
  // "k|j|v" lines sorted, NULL as "NULL".
  static std::multiset<std::string> lines(const std::vector<Row>& rows) {
    std::multiset<std::string> out;
    for (const auto& r : rows) {
      std::string s;
      for (const auto& v : r) s += (s.empty() ? "" : "|") + v.toString();
      out.insert(s);
    }
    return out;
  }
};

TEST_F(DataFrameExtraTest, RollupAndCubeAggregateEveryGroupingSet) {
  auto df = spark_.range(0, 10).select({as(col("id") % lit(int64_t{2}), "k"), col("id")});
  auto r = df.rollup({"k"}).agg({as(sum(col("id")), "s")}).collect();
  EXPECT_EQ(lines(r), (std::multiset<std::string>{"0|20", "1|25", "NULL|45"}));
  auto two = spark_.range(0, 6).select(
      {as(col("id") % lit(int64_t{2}), "a"), as(col("id") % lit(int64_t{3}), "b")});
  auto c = two.cube({"a", "b"}).agg({as(count(), "c")}).collect();
  // 6 (a, b) groups + 2 a-only + 3 b-only + the total.
  EXPECT_EQ(c.size(), 12u);
  EXPECT_EQ(lines(c).count("NULL|NULL|6"), 1u);
  EXPECT_EQ(lines(c).count("1|NULL|3"), 1u);
  EXPECT_EQ(lines(c).count("NULL|2|2"), 1u);
}

TEST_F(DataFrameExtraTest, PivotMakesAColumnPerValueAndAggregate) {
  auto sales = spark_.sql(
      "SELECT * FROM VALUES ('a', 2023, 10), ('a', 2024, 20), ('a', 2024, 5), ('b', 2023, 7) "
      "AS t(shop, year, amount)");
  auto one = sales.groupBy({"shop"}).pivot("year").agg({sum(col("amount"))});
  EXPECT_EQ(one.columns(), (std::vector<std::string>{"shop", "2023", "2024"}));
  EXPECT_EQ(lines(one.collect()), (std::multiset<std::string>{"a|10|25", "b|7|NULL"}));
  auto two = sales.groupBy({"shop"})
                 .pivot("year", {Value::int32(2024)})
                 .agg({as(sum(col("amount")), "total"), count()});
  EXPECT_EQ(two.columns(), (std::vector<std::string>{"shop", "2024_total", "2024_count(1)"}));
  EXPECT_EQ(lines(two.collect()), (std::multiset<std::string>{"a|25|2", "b|NULL|0"}));
}

TEST_F(DataFrameExtraTest, SummaryAndDescribe) {
  auto df = spark_.range(1, 101).select({col("id"), as(castTo(col("id"), "string"), "s")});
  auto rows = df.summary().collect();
  ASSERT_EQ(rows.size(), 8u);
  auto cell = [&](size_t r, size_t c) { return rows[r][c].toString(); };
  EXPECT_EQ(cell(0, 0), "count");
  EXPECT_EQ(cell(0, 1), "100");
  EXPECT_EQ(cell(1, 1), "50.5");
  EXPECT_EQ(cell(4, 0), "25%");
  EXPECT_EQ(cell(4, 1), "25");
  EXPECT_EQ(cell(5, 1), "50");
  EXPECT_EQ(cell(7, 1), "100");
  EXPECT_EQ(cell(5, 2), "NULL");  // no percentiles of strings
  EXPECT_EQ(cell(3, 2), "1");     // min of strings
  auto d = df.describe({"id"}).collect();
  ASSERT_EQ(d.size(), 5u);
  EXPECT_EQ(d[0].size(), 2u);
  EXPECT_EQ(d[4][1].toString(), "100");
  EXPECT_EQ(df.summary({"count_distinct", "90%"}).collect()[1][1].toString(), "90");
  EXPECT_THROW(df.summary({"median"}), UserError);
}

TEST_F(DataFrameExtraTest, FillnaFillsOnlyColumnsOfAFittingType) {
  auto r = people().fillna(Value::int32(0)).collect();
  EXPECT_EQ(lines(r), (std::multiset<std::string>{"a|x|1|10.0", "a|y|2|0.0", "b|x|0|30.0",
                                                  "NULL|NULL|0|0.0"}));
  auto s = people().fillna(Value::string("?"), {"k"}).collect();
  EXPECT_EQ(lines(s).count("?|NULL|NULL|NULL"), 1u);
  EXPECT_THROW(people().fillna(Value::int32(0), {"nope"}), UserError);
}

TEST_F(DataFrameExtraTest, DropnaAnyOrAll) {
  EXPECT_EQ(people().dropna().count(), 1);
  EXPECT_EQ(people().dropna("all").count(), 3);
  EXPECT_EQ(people().dropna("any", {"k", "j"}).count(), 3);
  EXPECT_THROW(people().dropna("some"), UserError);
}

TEST_F(DataFrameExtraTest, WithColumnsToDfHeadIsEmpty) {
  auto df = spark_.range(0, 3).withColumns(
      {{"a", col("id") + lit(int64_t{1})}, {"b", col("a") * lit(int64_t{2})}});
  EXPECT_EQ(df.columns(), (std::vector<std::string>{"id", "a", "b"}));
  EXPECT_EQ(df.toDF({"x", "y", "z"}).columns(), (std::vector<std::string>{"x", "y", "z"}));
  EXPECT_THROW(df.toDF({"x"}), UserError);
  EXPECT_EQ(df.head(2).size(), 2u);
  EXPECT_FALSE(df.isEmpty());
  EXPECT_TRUE(df.filter("id > 5").isEmpty());
}

}  // namespace
}  // namespace ember::sql
