// Spilling under a small executor memory budget: every shuffle operator gives exactly
// the right result over data several times the budget, reports spilled bytes, and
// leaves no spill file behind; with a large budget nothing spills.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "ember/core/event_bus.h"
#include "ember/core/events.h"
#include "ember/ember.h"

namespace fs = std::filesystem;

namespace {

// 120k records of ~60 estimated heap bytes plus a 64-byte pair: ~15 MB in memory,
// several times the 2 MiB budget (~1 MiB per task with two slots).
constexpr int64_t kRecords = 120000;
constexpr int64_t kKeys = 30000;

std::string keyOf(int64_t k) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "key-%016lld", static_cast<long long>(k));
  return buf;
}
std::string valueOf(int64_t i) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "value-%024lld", static_cast<long long>(i));
  return buf;
}

// Sums the spill metrics of the stages and tasks that completed.
class SpillListener : public ember::EventListener {
 public:
  void onStageCompleted(const ember::StageCompleted& e) override {
    if (e.totals.diskBytesSpilled > 0) ++stagesSpilled;
    ++stages;
    stageDiskSpilled += e.totals.diskBytesSpilled;
    stageMemorySpilled += e.totals.memoryBytesSpilled;
  }
  void onTaskEnd(const ember::TaskEnd& e) override {
    taskDiskSpilled += e.metrics.diskBytesSpilled;
  }
  void reset() {
    stageDiskSpilled = 0;
    stageMemorySpilled = 0;
    taskDiskSpilled = 0;
    stages = 0;
    stagesSpilled = 0;
  }
  std::atomic<int> stages{0}, stagesSpilled{0};
  std::atomic<int64_t> stageDiskSpilled{0};
  std::atomic<int64_t> stageMemorySpilled{0};
  std::atomic<int64_t> taskDiskSpilled{0};
};

class SpillTest : public ::testing::Test {
 protected:
  void start(const std::string& memory) {
    ember::Config c;
    c.set("ember.master", "local[2]");
    c.set("ember.ui.showConsoleProgress", "false");
    c.set("ember.executor.memory", memory);
    ctx_ = std::make_unique<ember::Context>(c);
    listener_ = std::make_shared<SpillListener>();
    ctx_->addListener(listener_);
  }
  void SetUp() override { start("2m"); }

  // Spilled bytes of the jobs since the last call, after the events are delivered;
  // stagesSpilled_ is set to the number of stages that spilled.
  int64_t spilled() {
    EXPECT_TRUE(ctx_->eventBus().waitUntilEmpty(10000));
    int64_t stage = listener_->stageDiskSpilled.load();
    EXPECT_EQ(stage, listener_->taskDiskSpilled.load()) << "stage totals disagree with tasks";
    if (stage > 0) {
      EXPECT_GT(listener_->stageMemorySpilled.load(), 0);
    }
    stagesSpilled_ = listener_->stagesSpilled.load();
    listener_->reset();
    return stage;
  }

  // No spill file is left, and everything on disk is a shuffle output whose data file
  // has exactly the size its map status reports.
  void expectOnlyShuffleOutputs() {
    ember::DiskManager& disk = ctx_->diskManager();
    fs::path tmp = fs::path(disk.root()) / "tmp";
    if (fs::exists(tmp)) {
      std::vector<std::string> left;
      for (const auto& e : fs::directory_iterator(tmp))
        left.push_back(e.path().filename().string());
      EXPECT_TRUE(left.empty()) << left.size() << " spill files left, e.g. " << left.front();
    }
    uint64_t shuffleFiles = 0, dataFiles = 0, statusBytes = 0;
    std::set<int> shuffles;
    fs::path shuffleDir = fs::path(disk.root()) / "shuffle";
    if (fs::exists(shuffleDir)) {
      for (const auto& e : fs::recursive_directory_iterator(shuffleDir)) {
        if (!e.is_regular_file()) continue;
        shuffleFiles += e.file_size();
        if (e.path().extension() == ".data") dataFiles += e.file_size();
      }
      for (const auto& e : fs::directory_iterator(shuffleDir))
        shuffles.insert(std::stoi(e.path().filename()));
    }
    for (int id : shuffles) {
      ASSERT_TRUE(ctx_->mapOutputTracker().hasShuffle(id));
      statusBytes += ctx_->mapOutputTracker().totalBytes(id);
    }
    EXPECT_EQ(disk.bytesOnDisk(), shuffleFiles)
        << "files outside shuffle/ remain under " << disk.root();
    EXPECT_EQ(dataFiles, statusBytes);
    EXPECT_EQ(ctx_->memoryManager().executionUsed(), 0) << "execution memory leaked";
  }

  ember::RDD<std::pair<std::string, std::string>> pairs(int64_t n, int64_t keys) {
    return ctx_->range(0, n, 1, 4).map([keys](int64_t i) {
      return std::make_pair(keyOf(i % keys), valueOf(i));
    });
  }

  std::unique_ptr<ember::Context> ctx_;
  std::shared_ptr<SpillListener> listener_;
  int stagesSpilled_ = 0;
};

// The tests that expect both sides of a shuffle to spill use one reduce partition: a
// lone reduce task may take the whole budget (tasks share it fairly only while they
// run together), and its input must exceed even that.
TEST_F(SpillTest, ReduceByKeySpillsAndIsExact) {
  {
    auto sums = ctx_->range(0, kRecords, 1, 4)
                    .map([](int64_t i) { return std::make_pair(keyOf(i % kKeys), i); })
                    // One reduce partition: its table exceeds the whole budget even
                    // when no other task shares the memory (2 tasks get half each).
                    .reduceByKey([](int64_t a, int64_t b) { return a + b; }, 1)
                    .collect();
    ASSERT_EQ(sums.size(), static_cast<size_t>(kKeys));
    std::map<std::string, int64_t> got(sums.begin(), sums.end());
    ASSERT_EQ(got.size(), static_cast<size_t>(kKeys)) << "a key appears twice";
    const int64_t perKey = kRecords / kKeys;
    for (int64_t k = 0; k < kKeys; ++k) {
      // Sum of k, k + K, ..., k + (perKey-1)K.
      int64_t want = perKey * k + kKeys * perKey * (perKey - 1) / 2;
      ASSERT_EQ(got[keyOf(k)], want) << keyOf(k);
    }
  }
  EXPECT_GT(spilled(), 0);
  EXPECT_EQ(stagesSpilled_, 2) << "map-side combine and reduce-side aggregation both spill";
  expectOnlyShuffleOutputs();
}

TEST_F(SpillTest, GroupByKeySpillsAndIsExact) {
  {
    auto groups = pairs(kRecords, kKeys).groupByKey(1).collect();
    ASSERT_EQ(groups.size(), static_cast<size_t>(kKeys));
    std::set<std::string> seen;
    const int64_t perKey = kRecords / kKeys;
    for (auto& [key, values] : groups) {
      ASSERT_TRUE(seen.insert(key).second) << "key twice: " << key;
      int64_t k = std::stoll(key.substr(4));
      ASSERT_EQ(values.size(), static_cast<size_t>(perKey)) << key;
      std::sort(values.begin(), values.end());
      for (int64_t j = 0; j < perKey; ++j)
        ASSERT_EQ(values[static_cast<size_t>(j)], valueOf(k + j * kKeys));
    }
  }
  EXPECT_GT(spilled(), 0);
  EXPECT_EQ(stagesSpilled_, 2) << "shuffle write and reduce-side grouping both spill";
  expectOnlyShuffleOutputs();
}

TEST_F(SpillTest, SortBySpillsAndIsExact) {
  // Distinct pseudo-random keys (a bijection of [0, n)), sorted descending too.
  auto scramble = [](int64_t i) { return keyOf((i * 7919) % kRecords) + valueOf(i); };
  std::vector<std::string> want;
  for (int64_t i = 0; i < kRecords; ++i) want.push_back(scramble(i));
  std::sort(want.begin(), want.end());
  {
    auto sorted = ctx_->range(0, kRecords, 1, 4)
                      .map(scramble)
                      .sortBy([](const std::string& s) { return s; }, true, 1)
                      .collect();
    ASSERT_EQ(sorted.size(), want.size());
    EXPECT_TRUE(sorted == want);
  }
  EXPECT_GT(spilled(), 0);
  EXPECT_EQ(stagesSpilled_, 2) << "shuffle write and external sort both spill (sampling does not)";
  {
    auto desc = ctx_->range(0, kRecords, 1, 4)
                    .map([scramble](int64_t i) { return std::make_pair(scramble(i), i); })
                    .sortByKey(false, 1)
                    .keys()
                    .collect();
    std::reverse(want.begin(), want.end());
    EXPECT_TRUE(desc == want);
  }
  EXPECT_GT(spilled(), 0);
  EXPECT_EQ(stagesSpilled_, 2);
  expectOnlyShuffleOutputs();
}

TEST_F(SpillTest, JoinSpillsAndIsExact) {
  {
    auto left = pairs(kRecords, kKeys);
    // Every key on the right once, plus keys the left does not have.
    auto right = ctx_->range(0, kKeys + 1000, 1, 3).map([](int64_t k) {
      return std::make_pair(keyOf(k), k * 3);
    });
    auto joined = left.join(right, 1).collect();
    ASSERT_EQ(joined.size(), static_cast<size_t>(kRecords));
    std::vector<bool> seen(kRecords, false);
    for (const auto& [key, vw] : joined) {
      int64_t k = std::stoll(key.substr(4));
      int64_t i = std::stoll(vw.first.substr(6));
      ASSERT_EQ(i % kKeys, k);
      ASSERT_EQ(vw.second, k * 3);
      ASSERT_FALSE(seen[static_cast<size_t>(i)]) << "record twice: " << i;
      seen[static_cast<size_t>(i)] = true;
    }
  }
  EXPECT_GT(spilled(), 0);
  EXPECT_GE(stagesSpilled_, 2) << "the large side's shuffle write and the cogroup both spill";
  expectOnlyShuffleOutputs();
}

TEST_F(SpillTest, DistinctSpillsAndIsExact) {
  {
    auto d = ctx_->range(0, kRecords, 1, 4)
                 .map([](int64_t i) { return valueOf(i % kKeys); })
                 .distinct(1)
                 .collect();
    ASSERT_EQ(d.size(), static_cast<size_t>(kKeys));
    std::sort(d.begin(), d.end());
    for (int64_t k = 0; k < kKeys; ++k) ASSERT_EQ(d[static_cast<size_t>(k)], valueOf(k));
  }
  EXPECT_GT(spilled(), 0);
  EXPECT_EQ(stagesSpilled_, 2);
  expectOnlyShuffleOutputs();
}

TEST_F(SpillTest, PartitionBySpillsAndKeepsEveryRecord) {
  {
    auto parted = pairs(kRecords, kKeys).partitionBy(3);
    // Each key lands in exactly one partition, and every record arrives once.
    auto tagged = parted
                      .mapPartitionsWithIndex(
                          [](int p, ember::Iterator<std::pair<std::string, std::string>>& it) {
                            std::vector<std::pair<std::string, int>> out;
                            std::pair<std::string, std::string> rec;
                            while (it.next(rec)) out.emplace_back(rec.second + "|" + rec.first, p);
                            return out;
                          })
                      .collect();
    ASSERT_EQ(tagged.size(), static_cast<size_t>(kRecords));
    std::map<std::string, int> partOfKey;
    std::set<std::string> records;
    for (const auto& [rec, p] : tagged) {
      ASSERT_TRUE(records.insert(rec).second) << "record twice: " << rec;
      std::string key = rec.substr(rec.find('|') + 1);
      auto [it, inserted] = partOfKey.emplace(key, p);
      ASSERT_EQ(it->second, p) << key << " in two partitions";
    }
    EXPECT_EQ(partOfKey.size(), static_cast<size_t>(kKeys));
    for (int64_t i = 0; i < kRecords; i += 997)
      EXPECT_TRUE(records.count(valueOf(i) + "|" + keyOf(i % kKeys)));
  }
  EXPECT_GT(spilled(), 0);
  expectOnlyShuffleOutputs();
}

TEST_F(SpillTest, LargeBudgetDoesNotSpill) {
  ctx_.reset();
  start("1g");
  auto n = ctx_->range(0, kRecords, 1, 4)
               .map([](int64_t i) { return std::make_pair(keyOf(i % kKeys), i); })
               .reduceByKey([](int64_t a, int64_t b) { return a + b; }, 3)
               .count();
  EXPECT_EQ(n, kKeys);
  auto sorted = pairs(kRecords, kKeys).sortByKey(true, 3).count();
  EXPECT_EQ(sorted, kRecords);
  auto groups = pairs(kRecords, kKeys).groupByKey(3).count();
  EXPECT_EQ(groups, kKeys);
  EXPECT_EQ(spilled(), 0);
  expectOnlyShuffleOutputs();
}

}  // namespace
