// Nested types through the DataFrame API and the whole engine: arrays in createDataFrame,
// explode/collect_list across shuffles, every stage shipped through the plan serialiser
// (ember.test.serializeTasks), and Values of collected nested cells.
#include <gtest/gtest.h>

#include <algorithm>

#include "ember/core/context.h"
#include "ember/sql/column.h"
#include "ember/sql/dataframe.h"
#include "ember/sql/session.h"

namespace ember::sql {
namespace {
using namespace functions;

class SqlNestedTest : public ::testing::Test {
 protected:
  SqlNestedTest() : ctx_(makeConf()), spark_(ctx_) {
    spark_.setConf("ember.sql.shuffle.partitions", "3");
  }
  static Config makeConf() {
    Config c;
    c.set("ember.master", "local[2]");
    c.set("ember.ui.showConsoleProgress", "false");
    c.set("ember.ui.enabled", "false");
    c.set("ember.test.serializeTasks", "true");  // plans and batches cross the wire format
    return c;
  }
  static DataType ints() { return DataType::array(DataType::int32()); }
  DataFrame orders() {
    Schema s({{"customer", DataType::string()}, {"items", ints()}});
    auto arr = [](std::vector<int> v) {
      std::vector<Value> e;
      for (int x : v) e.push_back(Value::int32(x));
      return Value::array(ints(), e);
    };
    return spark_.createDataFrame({{Value::string("ann"), arr({1, 2})},
                                   {Value::string("bob"), arr({})},
                                   {Value::string("ann"), arr({3})},
                                   {Value::string("cid"), Value::null(ints())}},
                                  s);
  }
  static std::vector<std::string> strings(const std::vector<Row>& rows) {
    std::vector<std::string> out;
    for (const auto& r : rows) {
      std::string line;
      for (size_t i = 0; i < r.size(); ++i) line += (i ? "|" : "") + r[i].toString();
      out.push_back(line);
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  Context ctx_;
  Session spark_;
};

TEST_F(SqlNestedTest, ExplodeThenCollectListRoundTripsThroughAShuffle) {
  auto exploded = orders().select({col("customer"), as(explode(col("items")), "item")});
  EXPECT_EQ(strings(exploded.collect()), (std::vector<std::string>{"ann|1", "ann|2", "ann|3"}));
  auto regrouped = exploded.groupBy({"customer"})
                       .agg({as(sortArray(collectList(col("item"))), "items"),
                             as(size(collectSet(col("item"))), "n")});
  EXPECT_EQ(strings(regrouped.collect()), (std::vector<std::string>{"ann|[1, 2, 3]|3"}));
}

TEST_F(SqlNestedTest, CollectedCellsAreNestedValues) {
  auto rows = orders().filter(eq(col("customer"), lit("ann"))).select({col("items")}).collect();
  ASSERT_EQ(rows.size(), 2u);
  size_t total = 0;
  for (const auto& r : rows) {
    EXPECT_EQ(r[0].type(), ints());
    total += r[0].items().size();
  }
  EXPECT_EQ(total, 3u);
}

TEST_F(SqlNestedTest, ArraysGroupAndJoinAcrossPartitions) {
  // Group by an array column after a shuffle: equal arrays meet in one group.
  auto doubled = orders().union_(orders());
  auto counts = doubled.groupBy({"items"}).agg({as(count(), "n")});
  EXPECT_EQ(strings(counts.collect()),
            (std::vector<std::string>{"NULL|2", "[1, 2]|2", "[3]|2", "[]|2"}));
  auto joined = orders().alias("a").join(orders().alias("b"),
                                         eq(col("items", {"a"}), col("items", {"b"})), "inner");
  EXPECT_EQ(joined.count(), 3);  // NULL arrays never match
}

TEST_F(SqlNestedTest, DataFrameFunctionsBuildAndReadNestedValues) {
  auto df = spark_.sql("SELECT 'a,b;c' AS s, named_struct('x', 1, 'y', array('p')) AS st");
  auto out = df.select({as(split(col("s"), "[,;]"), "parts"),
                        as(getItem(split(col("s"), ","), lit(1)), "second"),
                        as(getField(col("st"), "y"), "y"),
                        as(elementAt(array({lit(5), lit(6)}), lit(-1)), "last"),
                        as(arrayContains(array({lit(1), lit(2)}), lit(2)), "has")})
                 .collect();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0][0].toString(), "[a, b, c]");
  EXPECT_EQ(out[0][1].toString(), "b;c");
  EXPECT_EQ(out[0][2].toString(), "[p]");
  EXPECT_EQ(out[0][3].toString(), "6");
  EXPECT_EQ(out[0][4].toString(), "true");
}

TEST_F(SqlNestedTest, HigherOrderFunctionsFromTheDataFrameApi) {
  auto out =
      orders()
          .filter(eq(col("customer"), lit("ann")))
          .select({as(transform(col("items"), lambda({"x"}, col("x") * lit(10))), "t"),
                   as(filter(col("items"), lambda({"x"}, gt(col("x"), lit(1)))), "f"),
                   as(aggregate(col("items"), lit(0), lambda({"acc", "x"}, col("acc") + col("x"))),
                      "s"),
                   as(exists(col("items"), lambda({"x"}, eq(col("x"), lit(3)))), "e")})
          .orderBy({"e"})
          .collect();
  ASSERT_EQ(out.size(), 2u);  // ann's [1, 2] (no 3: e false) then [3]
  EXPECT_EQ(out[0][0].toString(), "[10, 20]");
  EXPECT_EQ(out[0][1].toString(), "[2]");
  EXPECT_EQ(out[0][2].toString(), "3");
  EXPECT_EQ(out[0][3].toString(), "false");
  EXPECT_EQ(out[1][0].toString(), "[30]");
  EXPECT_EQ(out[1][1].toString(), "[3]");
  EXPECT_EQ(out[1][2].toString(), "3");
  EXPECT_EQ(out[1][3].toString(), "true");
  // The same through a SQL expression string.
  auto viaExpr = orders().select({as(expr("transform(items, x -> x + 1)"), "t")}).collect();
  EXPECT_EQ(viaExpr.size(), 4u);
}

TEST_F(SqlNestedTest, ExplodeOfLargeArraysIsCutIntoBatches) {
  // One row exploding into 100k rows must stream out in batch-sized pieces, not one
  // giant batch, and every element must arrive.
  auto df = spark_.sql(
      "SELECT count(*), sum(x), count(DISTINCT x) FROM (SELECT explode(sequence(1, 100000)) AS x)");
  auto r = df.collect();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0][0].asInt64(), 100000);
  EXPECT_EQ(r[0][1].asInt64(), 5000050000LL);
  EXPECT_EQ(r[0][2].asInt64(), 100000);
}

}  // namespace
}  // namespace ember::sql
