// Persistence of the typed RDD API: cache/persist at every storage level (a later
// action reads the stored blocks instead of recomputing), unpersist, and checkpoint
// (files written after the next action, lineage cut, same results). Evaluations are
// counted with an accumulator incremented inside map.
#include <gtest/gtest.h>

#include <filesystem>

#include "ember/core/block_manager.h"
#include "rdd_test_util.h"

namespace ember {
namespace {

using testing_rdd::iota64;
using testing_rdd::sorted;
using testing_rdd::TempDir;

class RddPersistTest : public testing_rdd::RddClusterTest {
 protected:
  // Blocks of `rdd` in the block manager: (memory blocks, disk blocks).
  std::pair<int, int> blocksOf(int rddId) {
    int mem = 0, disk = 0;
    for (const auto& b : ctx().blockManager().blocks()) {
      if (b.id.rddId != rddId) continue;
      mem += b.memoryBytes > 0;
      disk += b.diskBytes > 0;
    }
    return {mem, disk};
  }
};
EMBER_RDD_CLUSTER_SUITE(RddPersistTest);

TEST_P(RddPersistTest, EveryStorageLevelAvoidsRecomputation) {
  for (StorageLevel level :
       {StorageLevel::MemoryOnly, StorageLevel::MemoryAndDisk, StorageLevel::DiskOnly}) {
    SCOPED_TRACE(storageLevelName(level));
    auto evals = ctx().accumulator<int64_t>(0);
    auto rdd = ctx().parallelize(iota64(200), 4).map([evals](int64_t x) {
      evals.add(1);
      return std::to_string(x * 3);
    });
    rdd.persist(level);
    EXPECT_NE(rdd.toDebugString().find(storageLevelName(level)), std::string::npos)
        << rdd.toDebugString();
    EXPECT_EQ(rdd.count(), 200);
    EXPECT_EQ(evals.value(), 200);
    auto first = rdd.collect();
    EXPECT_EQ(evals.value(), 200) << "second action recomputed the persisted RDD";
    ASSERT_EQ(first.size(), 200u);
    EXPECT_EQ(first[7], "21");
    // Downstream RDDs read the stored partitions too.
    EXPECT_EQ(rdd.filter([](const std::string& s) { return s.size() == 1; }).count(), 4);
    EXPECT_EQ(evals.value(), 200);
    auto [mem, disk] = blocksOf(rdd.id());
    if (level == StorageLevel::DiskOnly) {
      EXPECT_EQ(disk, 4);
      EXPECT_EQ(mem, 0);
    } else {
      EXPECT_EQ(mem, 4);
    }

    rdd.unpersist();
    EXPECT_EQ(blocksOf(rdd.id()), std::make_pair(0, 0));
    EXPECT_EQ(rdd.collect(), first);
    EXPECT_EQ(evals.value(), 400) << "unpersist must make the next action recompute";
    rdd.collect();
    EXPECT_EQ(evals.value(), 600);
  }
}

TEST_P(RddPersistTest, CacheBeforeShuffleFeedsSeveralJobs) {
  auto evals = ctx().accumulator<int64_t>(0);
  auto pairs = ctx().parallelize(iota64(300), 3).map([evals](int64_t x) {
    evals.add(1);
    return std::make_pair(x % 10, x);
  });
  pairs.cache();
  auto sums = pairs.reduceByKey([](int64_t a, int64_t b) { return a + b; }).collectAsMap();
  auto counts = pairs.countByKey();
  auto maxes =
      pairs.reduceByKey([](int64_t a, int64_t b) { return std::max(a, b); }).collectAsMap();
  EXPECT_EQ(evals.value(), 300);
  for (int64_t k = 0; k < 10; ++k) {
    EXPECT_EQ(counts.at(k), 30);
    EXPECT_EQ(maxes.at(k), 290 + k);
    EXPECT_EQ(sums.at(k), 30 * k + 10 * 29 * 30 / 2);
  }
}

TEST_P(RddPersistTest, CheckpointCutsLineageAndKeepsResults) {
  TempDir dir;
  ctx().setCheckpointDir(dir.path());
  auto evals = ctx().accumulator<int64_t>(0);
  auto rdd = ctx()
                 .parallelize(iota64(500), 4)
                 .map([evals](int64_t x) {
                   evals.add(1);
                   return std::make_pair(x % 13, x);
                 })
                 .reduceByKey([](int64_t a, int64_t b) { return a + b; }, 3)
                 .mapValues([](int64_t v) { return v * 2; });
  std::string before = rdd.toDebugString();
  EXPECT_NE(before.find("+-("), std::string::npos) << before;
  rdd.checkpoint();
  EXPECT_FALSE(rdd.isCheckpointed()) << "checkpoint happens after the next action";
  auto expected = sorted(rdd.collect());
  EXPECT_TRUE(rdd.isCheckpointed());
  ASSERT_EQ(expected.size(), 13u);

  std::string after = rdd.toDebugString();
  EXPECT_EQ(after.find("+-("), std::string::npos) << after;
  EXPECT_EQ(after.find("reduceByKey"), std::string::npos) << after;
  EXPECT_EQ(after.find("parallelize"), std::string::npos) << after;
  EXPECT_NE(after.find("checkpointed"), std::string::npos) << after;
  for (int p = 0; p < 3; ++p) {
    std::string f = dir.path() + "/rdd-" + std::to_string(rdd.id()) + "/part-" + std::to_string(p);
    EXPECT_TRUE(std::filesystem::is_regular_file(f)) << f;
  }

  int64_t evalsAfterCheckpoint = evals.value();
  EXPECT_EQ(sorted(rdd.collect()), expected);
  EXPECT_EQ(rdd.count(), 13);
  EXPECT_EQ(evals.value(), evalsAfterCheckpoint)
      << "reading a checkpoint must not recompute the lineage";
  // Children of a checkpointed RDD build on the files.
  auto total = rdd.values().reduce([](int64_t a, int64_t b) { return a + b; });
  EXPECT_EQ(total, 2 * 499 * 500 / 2);
}

TEST_P(RddPersistTest, CheckpointOfCachedRddAndOfParentAndChild) {
  TempDir dir;
  ctx().setCheckpointDir(dir.path());
  auto parent = ctx().parallelize(iota64(100), 2).map([](int64_t x) { return x + 1; });
  auto child = parent.filter([](int64_t x) { return x % 2 == 0; });
  parent.cache();
  parent.checkpoint();
  child.checkpoint();
  EXPECT_EQ(child.count(), 50);
  EXPECT_TRUE(child.isCheckpointed());
  EXPECT_TRUE(parent.isCheckpointed());
  EXPECT_EQ(child.collect(), [] {
    std::vector<int64_t> v;
    for (int64_t x = 2; x <= 100; x += 2) v.push_back(x);
    return v;
  }());
  EXPECT_EQ(parent.collect(), iota64(100, 1));
}

TEST_P(RddPersistTest, StorageLevelChangesOnlyAfterUnpersist) {
  auto rdd = ctx().parallelize(iota64(10), 2);
  rdd.persist(StorageLevel::MemoryOnly);
  rdd.persist(StorageLevel::MemoryOnly);  // the same level again is fine
  EXPECT_EQ(rdd.count(), 10);
  try {
    rdd.persist(StorageLevel::DiskOnly);
    FAIL() << "changing the level of a persisted RDD must throw";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("unpersist"), std::string::npos) << e.what();
  }
  rdd.unpersist();
  rdd.persist(StorageLevel::DiskOnly);
  EXPECT_EQ(rdd.collect(), iota64(10));
}

TEST_P(RddPersistTest, CheckpointNeedsADirectory) {
  auto rdd = ctx().parallelize(iota64(3), 1);
  try {
    rdd.checkpoint();
    FAIL() << "checkpoint without a directory must throw";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("setCheckpointDir"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace ember
