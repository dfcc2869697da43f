// DataFrame.cache()/persist()/unpersist() and CACHE TABLE: lazy, stored on the executors
// (block manager), read by later queries instead of recomputing, spilled to disk when
// over the memory budget, dropped by unpersist / UNCACHE / writes.
#include <gtest/gtest.h>

#include <atomic>

#include "ember/core/block_manager.h"
#include "ember/core/context.h"
#include "ember/sql/column.h"
#include "ember/sql/dataframe.h"
#include "ember/sql/session.h"
#include "ember/sql/udf.h"

namespace ember::sql {
namespace {
using namespace functions;

std::atomic<int64_t> evaluated{0};

// Counts the rows it sees: tells whether a plan was recomputed.
const bool kRegistered = [] {
  registerUdf("counted", [](int64_t x) {
    evaluated.fetch_add(1);
    return x;
  });
  return true;
}();

class SqlCacheTest : public ::testing::Test {
 protected:
  SqlCacheTest() : ctx_(makeConf()), spark_(ctx_) {
    (void)kRegistered;
    spark_.setConf("ember.sql.shuffle.partitions", "3");
    evaluated = 0;
  }
  static Config makeConf() {
    Config c;
    c.set("ember.master", "local[2]");
    c.set("ember.ui.showConsoleProgress", "false");
    c.set("ember.ui.enabled", "false");
    c.set("ember.test.serializeTasks", "true");  // plans cross the wire format
    return c;
  }
  DataFrame counted(int64_t n) {
    return spark_.sql("SELECT counted(id) AS id, id % 10 AS k FROM range(0, " + std::to_string(n) +
                      ", 1, 4)");
  }
  int64_t cachedBlocks() {
    int64_t n = 0;
    for (const auto& b : ctx_.blockManager().blocks()) n += b.memoryBytes > 0 || b.diskBytes > 0;
    return n;
  }
  Context ctx_;
  Session spark_;
};

TEST_F(SqlCacheTest, SecondActionReadsTheCacheInsteadOfRecomputing) {
  DataFrame df = counted(1000);
  df.cache();  // Spark style: the return value ignored
  EXPECT_EQ(df.storageLevel(), StorageLevel::MemoryAndDisk);
  EXPECT_EQ(evaluated, 0) << "cache() must be lazy";
  EXPECT_EQ(df.count(), 1000);
  EXPECT_EQ(evaluated, 1000);
  EXPECT_EQ(cachedBlocks(), 4);  // one block per partition, on the executor side
  // A DataFrame derived from the cached one, built after and before caching.
  EXPECT_EQ(df.filter(lt(col("k"), lit(5))).count(), 500);
  auto sums = df.groupBy({"k"}).agg({as(sum(col("id")), "s")}).collect();
  EXPECT_EQ(sums.size(), 10u);
  EXPECT_EQ(evaluated, 1000) << "later queries recomputed the cached plan";

  EXPECT_TRUE(df.unpersist());
  EXPECT_EQ(cachedBlocks(), 0);
  EXPECT_EQ(df.storageLevel(), StorageLevel::None);
  // (count() alone would not evaluate the UDF at all: column pruning.)
  EXPECT_EQ(df.agg({sum(col("id"))}).collect()[0][0].asInt64(), 999 * 1000 / 2);
  EXPECT_EQ(evaluated, 2000) << "after unpersist the plan is computed again";
  EXPECT_FALSE(df.unpersist());
}

TEST_F(SqlCacheTest, DataFramesBuiltBeforeCacheUseItToo) {
  DataFrame df = counted(200);
  DataFrame evens = df.filter(eq(col("k") % lit(2), lit(0)));  // built before cache()
  df.cache();
  EXPECT_EQ(df.count(), 200);
  EXPECT_EQ(evens.count(), 100);
  EXPECT_EQ(evaluated, 200);
}

TEST_F(SqlCacheTest, SelfJoinsAndViewsOverACachedDataFrameUseTheCache) {
  DataFrame df = counted(300);
  df.cache();
  df.count();
  auto a = df.alias("a"), b = df.alias("b");
  EXPECT_EQ(a.join(b, eq(col("id", {"a"}), col("id", {"b"}))).count(), 300);
  df.filter(lt(col("k"), lit(3))).createOrReplaceTempView("small");
  EXPECT_EQ(
      spark_.sql("SELECT count(*) FROM small x JOIN small y USING (id)").collect()[0][0].asInt64(),
      90);
  EXPECT_EQ(evaluated, 300) << "a side of a self-join or a view recomputed the cached plan";
}

TEST_F(SqlCacheTest, ResultsMatchAnUncachedRunIncludingShufflesInside) {
  // The cached plan has its own exchange (an aggregation); queries over it agree with
  // the same queries without the cache.
  auto plain = spark_
                   .sql(
                       "SELECT k, count(*) AS n, sum(id) AS s FROM (SELECT id, id % 10 AS k "
                       "FROM range(5000)) GROUP BY k ORDER BY k")
                   .collect();
  DataFrame agg = spark_.sql(
      "SELECT k, count(*) AS n, sum(counted(id)) AS s FROM (SELECT id, id % 10 AS k FROM "
      "range(5000)) GROUP BY k");
  agg.cache();
  for (int run = 0; run < 3; ++run) {
    auto got = agg.orderBy({"k"}).collect();
    ASSERT_EQ(got.size(), plain.size());
    for (size_t i = 0; i < got.size(); ++i)
      for (size_t c = 0; c < 3; ++c) EXPECT_EQ(got[i][c].toString(), plain[i][c].toString());
  }
  EXPECT_EQ(evaluated, 5000);
}

TEST_F(SqlCacheTest, CacheTableIsEagerAndUncacheDropsIt) {
  counted(300).createOrReplaceTempView("t");
  spark_.sql("CACHE TABLE t");
  EXPECT_EQ(evaluated, 300) << "CACHE TABLE computes at once";
  EXPECT_EQ(spark_.sql("SELECT count(*) FROM t WHERE k = 3").collect()[0][0].asInt64(), 30);
  EXPECT_EQ(spark_.sql("SELECT sum(id) FROM t a JOIN t b USING (id)").collect()[0][0].asInt64(),
            300 * 299 / 2);
  EXPECT_EQ(evaluated, 300);
  EXPECT_NE(spark_.sql("SELECT * FROM t").explainString("simple").find("InMemoryTableScan"),
            std::string::npos);
  spark_.sql("UNCACHE TABLE t");
  EXPECT_EQ(cachedBlocks(), 0);
  EXPECT_EQ(spark_.sql("SELECT sum(id) FROM t").collect()[0][0].asInt64(), 299 * 300 / 2);
  EXPECT_EQ(evaluated, 600);

  spark_.sql("CACHE TABLE c AS SELECT k, count(id) AS n FROM t GROUP BY k");
  EXPECT_EQ(evaluated, 900);
  EXPECT_EQ(spark_.sql("SELECT sum(n) FROM c").collect()[0][0].asInt64(), 300);
  EXPECT_EQ(evaluated, 900);
  spark_.sql("UNCACHE TABLE c");
  EXPECT_EQ(spark_.sql("SELECT sum(n) FROM c").collect()[0][0].asInt64(), 300);
  EXPECT_EQ(evaluated, 1200);
  EXPECT_THROW(spark_.sql("UNCACHE TABLE nope"), UserError);
  spark_.sql("UNCACHE TABLE IF EXISTS nope");
}

TEST_F(SqlCacheTest, LazyCacheTableAndClearCacheStatements) {
  counted(100).createOrReplaceTempView("lz");
  spark_.sql("CACHE LAZY TABLE lz");
  EXPECT_EQ(evaluated, 0) << "LAZY computes nothing at once";
  EXPECT_EQ(spark_.sql("SELECT sum(id) FROM lz").collect()[0][0].asInt64(), 99 * 100 / 2);
  EXPECT_EQ(spark_.sql("SELECT sum(id) FROM lz").collect()[0][0].asInt64(), 99 * 100 / 2);
  EXPECT_EQ(evaluated, 100);
  EXPECT_GT(cachedBlocks(), 0);
  spark_.sql("CLEAR CACHE");
  EXPECT_EQ(cachedBlocks(), 0);
  EXPECT_EQ(spark_.sql("SELECT sum(id) FROM lz").collect()[0][0].asInt64(), 99 * 100 / 2);
  EXPECT_EQ(evaluated, 200);
}

TEST_F(SqlCacheTest, ClearCacheDropsEverything) {
  DataFrame a = counted(100), b = counted(50);
  a.cache();
  b.cache();
  a.count();
  b.count();
  EXPECT_GT(cachedBlocks(), 0);
  spark_.clearCache();
  EXPECT_EQ(cachedBlocks(), 0);
  EXPECT_EQ(a.storageLevel(), StorageLevel::None);
}

TEST(SqlCacheBudget, ACacheLargerThanMemorySpillsToDiskAndStaysCorrect) {
  Config c;
  c.set("ember.master", "local[2]");
  c.set("ember.ui.showConsoleProgress", "false");
  c.set("ember.ui.enabled", "false");
  c.set("ember.executor.memory", "24m");
  Context ctx(c);
  Session spark(ctx);
  // ~2M rows of two longs and a string: far more than the storage share of 24 MiB.
  DataFrame big = spark.sql(
      "SELECT id, id * 3 AS x, concat('row-', CAST(id AS string)) AS s FROM range(0, 2000000, 1, "
      "8)");
  big.cache();
  EXPECT_EQ(big.count(), 2000000);
  int64_t disk = 0;
  for (const auto& b : ctx.blockManager().blocks()) disk += b.diskBytes;
  EXPECT_GT(disk, 0) << "MEMORY_AND_DISK blocks must spill instead of failing";
  auto r = big.agg({sum(col("x")), count()}).collect();
  EXPECT_EQ(r[0][0].asInt64(), 3LL * 1999999LL * 2000000LL / 2);
  EXPECT_EQ(r[0][1].asInt64(), 2000000);
}

}  // namespace
}  // namespace ember::sql
