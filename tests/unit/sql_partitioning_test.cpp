// DataFrame partitioning: repartition (round robin, by columns, by range), coalesce,
// sortWithinPartitions; the rows never change, only where they live.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>

#include "ember/core/context.h"
#include "ember/sql/column.h"
#include "ember/sql/dataframe.h"
#include "ember/sql/session.h"
#include "ember/sql/writer.h"

namespace ember::sql {
namespace {
using namespace functions;
namespace fs = std::filesystem;

class SqlPartitioningTest : public ::testing::Test {
 protected:
  SqlPartitioningTest() : ctx_(makeConf()), spark_(ctx_) {
    spark_.setConf("ember.sql.shuffle.partitions", "3");
  }
  static Config makeConf() {
    Config c;
    c.set("ember.master", "local[2]");
    c.set("ember.ui.showConsoleProgress", "false");
    c.set("ember.ui.enabled", "false");
    c.set("ember.test.serializeTasks", "true");
    return c;
  }
  DataFrame nums() { return spark_.sql("SELECT id, id % 5 AS k FROM range(0, 1000, 1, 4)"); }
  // partition id -> rows, from spark_partition_id().
  static std::map<int64_t, std::vector<Row>> byPartition(const DataFrame& df) {
    std::map<int64_t, std::vector<Row>> out;
    auto cols = df.columns();
    std::vector<ExprPtr> sel;
    for (const auto& c : cols) sel.push_back(col(c));
    sel.push_back(as(callFunction("spark_partition_id", {}), "pid"));
    for (auto& r : df.select(sel).collect()) {
      int64_t pid = r.back().asInt64();
      r.pop_back();
      out[pid].push_back(r);
    }
    return out;
  }
  Context ctx_;
  Session spark_;
};

TEST_F(SqlPartitioningTest, RepartitionSpreadsRowsRoundRobin) {
  auto df = nums().repartition(7);
  EXPECT_EQ(df.getNumPartitions(), 7);
  auto parts = byPartition(df);
  EXPECT_EQ(parts.size(), 7u);
  size_t total = 0;
  for (const auto& [p, rows] : parts) {
    total += rows.size();
    EXPECT_GT(rows.size(), 100u) << "partition " << p << " is nearly empty";
  }
  EXPECT_EQ(total, 1000u);
}

TEST_F(SqlPartitioningTest, RepartitionByColumnsKeepsEqualKeysTogether) {
  auto df = nums().repartition(4, {col("k")});
  EXPECT_EQ(df.getNumPartitions(), 4);
  std::map<int64_t, std::set<int64_t>> partitionsOfKey;
  size_t total = 0;
  for (const auto& [p, rows] : byPartition(df))
    for (const auto& r : rows) {
      partitionsOfKey[r[1].asInt64()].insert(p);
      ++total;
    }
  EXPECT_EQ(total, 1000u);
  EXPECT_EQ(partitionsOfKey.size(), 5u);
  for (const auto& [k, ps] : partitionsOfKey) EXPECT_EQ(ps.size(), 1u) << "key " << k;
  EXPECT_EQ(nums().repartition({"k"}).getNumPartitions(), 3);  // the session default
}

TEST_F(SqlPartitioningTest, RepartitionByRangeOrdersPartitions) {
  auto parts = byPartition(nums().repartitionByRange(4, {asc(col("id"))}));
  int64_t lastMax = -1;
  size_t total = 0;
  for (const auto& [p, rows] : parts) {
    int64_t lo = INT64_MAX, hi = -1;
    for (const auto& r : rows) {
      lo = std::min(lo, r[0].asInt64());
      hi = std::max(hi, r[0].asInt64());
    }
    EXPECT_GT(lo, lastMax) << "partition " << p << " overlaps the previous one";
    lastMax = hi;
    total += rows.size();
  }
  EXPECT_EQ(total, 1000u);
}

TEST_F(SqlPartitioningTest, CoalesceMergesWithoutAShuffleAndWritesOneFile) {
  auto df = nums().coalesce(1);
  EXPECT_EQ(df.getNumPartitions(), 1);
  EXPECT_EQ(df.count(), 1000);
  EXPECT_NE(df.explainString("simple").find("Coalesce 1"), std::string::npos);
  EXPECT_EQ(df.explainString("simple").find("Exchange"), std::string::npos);
  EXPECT_EQ(nums().coalesce(100).getNumPartitions(), 4);  // never more than the input

  fs::path dir = fs::temp_directory_path() / ("ember_coalesce_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  df.write().mode("overwrite").csv(dir.string());
  int parts = 0;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string().rfind("part-", 0) == 0) ++parts;
  EXPECT_EQ(parts, 1);
  fs::remove_all(dir);
}

TEST_F(SqlPartitioningTest, SortWithinPartitionsSortsEachPartitionOnly) {
  auto df = nums().repartition(3, {col("k")}).sortWithinPartitions({desc(col("id"))});
  EXPECT_EQ(df.explainString("simple").find("Exchange rangepartitioning"), std::string::npos);
  size_t total = 0;
  for (const auto& [p, rows] : byPartition(df)) {
    for (size_t i = 1; i < rows.size(); ++i)
      EXPECT_GT(rows[i - 1][0].asInt64(), rows[i][0].asInt64()) << "partition " << p;
    total += rows.size();
  }
  EXPECT_EQ(total, 1000u);
}

TEST_F(SqlPartitioningTest, BadPartitionCountsAreErrors) {
  EXPECT_THROW(nums().repartition(0), UserError);
  EXPECT_THROW(nums().coalesce(-1), UserError);
  EXPECT_THROW(nums().repartitionByRange(2, {}), UserError);
}

}  // namespace
}  // namespace ember::sql
