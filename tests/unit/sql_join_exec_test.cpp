// Hash join execution paths (exec_join.cpp) and local in-memory exchanges
// (exec_exchange_local.h): unique and duplicate build keys, all/some/no probe rows
// matching, outer sides, semi/anti with and without a residual condition, pruned join
// outputs; each over broadcast and shuffled joins, checked against brute force.
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>

#include "ember/core/context.h"
#include "ember/sql/dataframe.h"
#include "ember/sql/exec_exchange_local.h"
#include "ember/sql/session.h"
#include "ember/storage/memory_manager.h"

namespace ember::sql {
namespace {

Config conf(const std::string& memory = "1g") {
  Config c;
  c.set("ember.master", "local[2]");
  c.set("ember.ui.showConsoleProgress", "false");
  c.set("ember.ui.enabled", "false");
  c.set("ember.executor.memory", memory);
  return c;
}

// a: 20,000 rows (id, k = id % 7 with NULL for id % 11 == 0, u = id);
// b: ids 0..9,999 (u2 = 2 * id: unique, matches half of a.u; k2 = id % 5; v = id % 3);
// c: ids 0..24,999 (every a.u matches once, 5,000 of c never match).
constexpr int64_t kA = 20000, kB = 10000, kC = 25000;
void views(Session& s) {
  s.sql(
      "CREATE OR REPLACE TEMPORARY VIEW a AS SELECT id, CASE WHEN id % 11 = 0 THEN NULL "
      "ELSE id % 7 END AS k, id AS u FROM range(0, " +
      std::to_string(kA) + ")");
  s.sql(
      "CREATE OR REPLACE TEMPORARY VIEW b AS SELECT id AS bid, 2 * id AS u2, id % 5 AS k2, "
      "id % 3 AS v FROM range(0, " +
      std::to_string(kB) + ")");
  s.sql("CREATE OR REPLACE TEMPORARY VIEW c AS SELECT id AS cid, id AS u3 FROM range(0, " +
        std::to_string(kC) + ")");
}

std::optional<int64_t> aK(int64_t id) {
  if (id % 11 == 0) return std::nullopt;
  return id % 7;
}

// One row of (count(*), sum of x) as int64 (sum 0 when NULL).
std::pair<int64_t, int64_t> countSum(Session& s, const std::string& q) {
  auto rows = s.sql(q).collect();
  EXPECT_EQ(rows.size(), 1u) << q;
  if (rows.size() != 1) return {-1, -1};
  int64_t sum = rows[0][1].isNull() ? 0 : rows[0][1].asInt64();
  return {rows[0][0].asInt64(), sum};
}

void checkAll(Session& s) {
  // Unique build, half of the probe rows match (inner) / all kept (left outer).
  {
    int64_t n = 0, sum = 0, bids = 0;
    for (int64_t id = 0; id < kA; ++id)
      if (id % 2 == 0 && id / 2 < kB) ++n, sum += id + id / 2, bids += id / 2;
    EXPECT_EQ(countSum(s, "SELECT count(*), sum(id + bid) FROM a JOIN b ON u = u2"),
              std::make_pair(n, sum));
    EXPECT_EQ(countSum(s, "SELECT count(*), sum(bid) FROM a LEFT JOIN b ON u = u2"),
              std::make_pair(kA, bids));
    EXPECT_EQ(countSum(s, "SELECT count(*), count(bid) FROM a LEFT JOIN b ON u = u2"),
              std::make_pair(kA, n));
  }
  // Every probe row matches exactly one build row (probe columns passed through).
  {
    int64_t sum = 0;
    for (int64_t id = 0; id < kA; ++id) sum += id * 2;
    EXPECT_EQ(countSum(s, "SELECT count(*), sum(id + u3) FROM a JOIN c ON u = u3"),
              std::make_pair(kA, sum));
    // Right outer: the 5,000 unmatched rows of c come with NULLs for a.
    EXPECT_EQ(countSum(s, "SELECT count(*), sum(id) FROM a RIGHT JOIN c ON u = u3"),
              std::make_pair(kC, sum / 2));
    EXPECT_EQ(countSum(s, "SELECT count(*), sum(cid) FROM a FULL JOIN c ON u = u3"),
              std::make_pair(kC, kC * (kC - 1) / 2));
  }
  // Duplicate build keys (k2 has 2,000 rows per value), NULL probe keys never match.
  {
    int64_t n = 0, sum = 0, semi = 0, anti = 0;
    for (int64_t id = 0; id < kA; ++id) {
      auto k = aK(id);
      bool match = k && *k < 5;
      if (match) n += kB / 5, sum += id * (kB / 5), ++semi;
      if (!match) ++anti;
    }
    EXPECT_EQ(countSum(s, "SELECT count(*), sum(id) FROM a JOIN b ON k = k2"),
              std::make_pair(n, sum));
    EXPECT_EQ(countSum(s, "SELECT count(*), count(id) FROM a LEFT SEMI JOIN b ON k = k2"),
              std::make_pair(semi, semi));
    EXPECT_EQ(countSum(s, "SELECT count(*), count(id) FROM a LEFT ANTI JOIN b ON k = k2"),
              std::make_pair(anti, anti));
    EXPECT_EQ(countSum(s,
                       "SELECT count(*), count(*) FROM a WHERE NOT EXISTS "
                       "(SELECT 1 FROM b WHERE k2 = k)"),
              std::make_pair(anti, anti));
  }
  // Residual conditions over both sides, with unique and duplicate build keys.
  {
    int64_t n1 = 0, s1 = 0, semi = 0;
    for (int64_t id = 0; id < kA; ++id) {
      if (id % 2 == 0 && id / 2 < kB && (id / 2) % 3 != id % 3) ++n1, s1 += id;
      auto k = aK(id);
      bool any = false;
      // b rows with k2 == k and v <> id % 3: exist unless all of them have v == id % 3.
      if (k && *k < 5)
        for (int64_t bid = *k; bid < kB && !any; bid += 5) any = bid % 3 != id % 3;
      semi += any;
    }
    EXPECT_EQ(countSum(s, "SELECT count(*), sum(id) FROM a JOIN b ON u = u2 AND v <> id % 3"),
              std::make_pair(n1, s1));
    EXPECT_EQ(countSum(s,
                       "SELECT count(*), count(*) FROM a WHERE EXISTS "
                       "(SELECT 1 FROM b WHERE k2 = k AND v <> id % 3)"),
              std::make_pair(semi, semi));
  }
}

TEST(SqlJoinExec, BroadcastJoinsMatchBruteForce) {
  Context ctx(conf());
  Session s(ctx);
  views(s);
  checkAll(s);
}

TEST(SqlJoinExec, ShuffledJoinsMatchBruteForce) {
  Context ctx(conf());
  Session s(ctx);
  s.setConf("ember.sql.autoBroadcastJoinThreshold", "-1");
  s.setConf("ember.sql.shuffle.partitions", "3");
  views(s);
  checkAll(s);
}

// A 16 MiB budget leaves no room for in-memory exchange outputs: map outputs go to files
// (and joins spill) with the same answers.
TEST(SqlJoinExec, ShuffledJoinsUnderASmallBudgetMatchBruteForce) {
  Context ctx(conf("16m"));
  Session s(ctx);
  s.setConf("ember.sql.autoBroadcastJoinThreshold", "-1");
  s.setConf("ember.sql.shuffle.partitions", "3");
  views(s);
  checkAll(s);
  auto store = LocalExchangeStore::of(ctx.env());
  ASSERT_NE(store, nullptr);
  EXPECT_LE(store->bytesHeld(), ctx.memoryManager().storageRegion());
}

TEST(SqlJoinExec, LocalExchangeOutputsStayInMemoryUntilTheContextStops) {
  Context ctx(conf());
  Session s(ctx);
  s.setConf("ember.sql.autoBroadcastJoinThreshold", "-1");
  views(s);
  auto store = LocalExchangeStore::of(ctx.env());
  ASSERT_NE(store, nullptr);
  auto df = s.sql("SELECT count(*), sum(id) FROM a JOIN c ON u = u3");
  auto rows = df.collect();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0].asInt64(), kA);
  EXPECT_GT(store->bytesHeld(), 0);
  EXPECT_EQ(ctx.memoryManager().storageUsed(), store->bytesHeld());
  // Collected again: the exchanges' outputs are read again from memory.
  EXPECT_EQ(df.collect()[0][1].asInt64(), kA * (kA - 1) / 2);
  ctx.stop();
  EXPECT_EQ(store->bytesHeld(), 0);
  EXPECT_EQ(ctx.memoryManager().storageUsed(), 0);
  EXPECT_EQ(LocalExchangeStore::of(ctx.env()), nullptr);
}

TEST(SqlJoinExec, LocalExchangeStoreKeepsWithinTheStorageRegionDroppingReadBlocksFirst) {
  const int64_t mb = 1 << 20;
  MemoryManager memory(100 * mb, 0.5);
  LocalExchangeStore store(&memory);
  auto batch = std::make_shared<Batch>();
  batch->numRows = 3;
  std::vector<std::vector<BatchPtr>> parts{{batch}, {}};
  EXPECT_TRUE(store.put(7, 0, parts, {30 * mb, 10 * mb}));
  EXPECT_TRUE(parts[0].empty()) << "kept parts are moved from";
  std::vector<std::vector<BatchPtr>> more{{batch}, {batch}};
  EXPECT_FALSE(store.put(7, 1, more, {10 * mb, 10 * mb})) << "over the 50 MiB storage region";
  EXPECT_EQ(more[1].size(), 1u) << "refused parts are left alone";
  EXPECT_TRUE(store.put(8, 0, more, {mb, 0}));
  EXPECT_EQ(memory.storageUsed(), 41 * mb);
  ASSERT_TRUE(store.get(7, 0, 0).has_value());  // read: may now be dropped
  EXPECT_FALSE(store.get(7, 1, 0).has_value());
  EXPECT_FALSE(store.get(7, 0, 2).has_value());
  std::vector<std::vector<BatchPtr>> third{{batch}, {batch}};
  EXPECT_TRUE(store.put(9, 0, third, {10 * mb, 10 * mb})) << "drops the read 30 MiB block";
  EXPECT_FALSE(store.get(7, 0, 0).has_value()) << "dropped after it was read";
  ASSERT_TRUE(store.get(7, 0, 1).has_value()) << "the unread block of the same map stays";
  EXPECT_TRUE(store.get(7, 0, 1)->empty());
  EXPECT_EQ(memory.storageUsed(), 31 * mb);
  EXPECT_EQ(store.bytesHeld(), 31 * mb);
  store.remove(7);
  EXPECT_EQ(memory.storageUsed(), 21 * mb);
  store.close();
  EXPECT_EQ(memory.storageUsed(), 0);
  std::vector<std::vector<BatchPtr>> late{{batch}};
  EXPECT_FALSE(store.put(10, 0, late, {1}));
}

}  // namespace
}  // namespace ember::sql
