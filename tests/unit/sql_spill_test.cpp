// Aggregations over more groups than the memory budget holds complete correctly by
// spilling (hybrid hash: known groups stay in memory, new ones go to disk by key).
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

// local[2] with a 16 MiB executor budget: the inputs below are larger than that.
Config budgetConf() {
  Config c;
  c.set("ember.master", "local[2]");
  c.set("ember.ui.showConsoleProgress", "false");
  c.set("ember.ui.enabled", "false");
  c.set("ember.executor.memory", "16m");
  return c;
}

struct SpillCounter : EventListener {
  std::atomic<int64_t> spilled{0};
  void onTaskEnd(const TaskEnd& e) override { spilled += e.metrics.diskBytesSpilled; }
};

TEST(SqlSpill, GroupByLargerThanTheBudgetSpillsAndIsCorrect) {
  Context ctx(budgetConf());
  auto counter = std::make_shared<SpillCounter>();
  ctx.addListener(counter);
  Session spark(ctx);
  spark.setConf("ember.sql.shuffle.partitions", "1");
  const int64_t n = 600000;
  // 300,000 groups of two rows each: their keys (strings) and states exceed 16 MiB.
  auto df = spark.range(0, n)
                .select({as(castTo(col("id") % lit(int64_t{300000}), "string"), "k"), col("id")})
                .groupBy({"k"})
                .agg({as(count(), "c"), as(sum(col("id")), "s")});
  auto totals =
      df.agg({count(), sum(col("c")), sum(col("s")), min(col("c")), max(col("c"))}).collect();
  ASSERT_EQ(totals.size(), 1u);
  EXPECT_EQ(totals[0][0].asInt64(), 300000);
  EXPECT_EQ(totals[0][1].asInt64(), n);
  EXPECT_EQ(totals[0][2].asInt64(), n * (n - 1) / 2);
  EXPECT_EQ(totals[0][3].asInt64(), 2);
  EXPECT_EQ(totals[0][4].asInt64(), 2);
  ctx.eventBus().waitUntilEmpty(5000);
  EXPECT_GT(counter->spilled.load(), 0) << "the aggregation should have spilled";
}

TEST(SqlSpill, JoinWithABuildSideLargerThanTheBudgetIsCorrect) {
  Context ctx(budgetConf());
  auto counter = std::make_shared<SpillCounter>();
  ctx.addListener(counter);
  Session spark(ctx);
  spark.setConf("ember.sql.shuffle.partitions", "1");
  spark.setConf("ember.sql.autoBroadcastJoinThreshold", "-1");
  const int64_t n = 1000000;
  auto left = spark.range(0, n).select({as(col("id"), "k"), as(castTo(col("id"), "string"), "ls")});
  auto right = spark.range(0, n).select(
      {as(col("id") * lit(int64_t{2}), "k2"), as(castTo(col("id"), "string"), "rs")});
  auto joined = left.join(right, eq(col("k"), col("k2")), "left");
  auto totals = joined.agg({count(), count(col("rs")), sum(col("k2"))}).collect();
  EXPECT_EQ(totals[0][0].asInt64(), n);                      // every left row once (left outer)
  EXPECT_EQ(totals[0][1].asInt64(), n / 2);                  // even keys matched
  EXPECT_EQ(totals[0][2].asInt64(), (n / 2) * (n - 2) / 2);  // sum of even numbers below n
  ctx.eventBus().waitUntilEmpty(5000);
  EXPECT_GT(counter->spilled.load(), 0) << "the join should have spilled";
}

TEST(SqlSpill, SortLargerThanTheBudgetMergesSpilledRuns) {
  Context ctx(budgetConf());
  auto counter = std::make_shared<SpillCounter>();
  ctx.addListener(counter);
  Session spark(ctx);
  const int64_t n = 1000000;
  // Keys in a scrambled order; strings make the rows wide enough to exceed the budget.
  auto df = spark.range(0, n)
                .select({as((col("id") * lit(int64_t{7919})) % lit(n), "k"),
                         as(castTo(col("id"), "string"), "s")})
                .orderBy({desc(col("k"))});
  auto it = df.toLocalIterator();
  int64_t rows = 0, prev = n;
  bool ordered = true;
  while (auto b = it->next())
    for (int64_t i = 0; i < b->numRows; ++i) {
      int64_t k = b->columns[0]->valueAt<int64_t>(i);
      ordered = ordered && k < prev;
      prev = k;
      ++rows;
    }
  EXPECT_EQ(rows, n);
  EXPECT_TRUE(ordered);
  ctx.eventBus().waitUntilEmpty(5000);
  EXPECT_GT(counter->spilled.load(), 0) << "the sort should have spilled";
}

TEST(SqlSpill, WindowOverAPartitionLargerThanTheBudgetIsCorrect) {
  // One task gets every row (one shuffle partition): its sort spills, and the window
  // operator holds one window partition (1,000 rows) at a time.
  Context ctx(budgetConf());
  auto counter = std::make_shared<SpillCounter>();
  ctx.addListener(counter);
  Session spark(ctx);
  spark.setConf("ember.sql.shuffle.partitions", "1");
  const int64_t n = 1000000;
  spark.range(0, n).createOrReplaceTempView("w");
  auto r = spark
               .sql(
                   "SELECT count(*), sum(rn), max(rn), sum(CASE WHEN rn = 1000 THEN rs END), "
                   "sum(length(s)) FROM (SELECT row_number() OVER (PARTITION BY id % 1000 "
                   "ORDER BY id) AS rn, sum(id) OVER (PARTITION BY id % 1000 ORDER BY id) AS rs, "
                   "CAST(id * 7919 AS STRING) AS s FROM w)")
               .collect();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0][0].asInt64(), n);
  EXPECT_EQ(r[0][1].asInt64(), 1000 * (1000 * 1001 / 2));
  EXPECT_EQ(r[0][2].asInt64(), 1000);
  EXPECT_EQ(r[0][3].asInt64(), n * (n - 1) / 2);  // last running sums = all ids
  EXPECT_GT(r[0][4].asInt64(), 6 * n);
  ctx.eventBus().waitUntilEmpty(5000);
  EXPECT_GT(counter->spilled.load(), 0) << "the sort below the window should have spilled";
}

}  // namespace
}  // namespace ember::sql
