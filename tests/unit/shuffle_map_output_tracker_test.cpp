#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "ember/common/errors.h"
#include "ember/shuffle/map_output_tracker.h"

namespace ember {
namespace {

MapStatus status(const std::string& executor, int mapId, std::vector<uint64_t> sizes) {
  return MapStatus{executor, "/d/" + std::to_string(mapId) + ".data",
                   "/d/" + std::to_string(mapId) + ".index", std::move(sizes)};
}

TEST(MapOutputTrackerTest, MissingUntilAllMapsRegistered) {
  MapOutputTracker t;
  EXPECT_FALSE(t.hasShuffle(0));
  t.registerShuffle(0, 3);
  EXPECT_TRUE(t.hasShuffle(0));
  EXPECT_EQ(t.numMaps(0), 3);
  EXPECT_EQ(t.missingMaps(0), (std::vector<int>{0, 1, 2}));
  EXPECT_FALSE(t.isComplete(0));
  EXPECT_EQ(t.totalBytes(0), 0u);

  t.registerMapOutput(0, 1, status("e1", 1, {10, 0, 5}));
  EXPECT_EQ(t.missingMaps(0), (std::vector<int>{0, 2}));
  t.registerMapOutput(0, 0, status("e2", 0, {1, 2, 3}));
  t.registerMapOutput(0, 2, status("e1", 2, {100}));
  EXPECT_TRUE(t.missingMaps(0).empty());
  EXPECT_TRUE(t.isComplete(0));
  EXPECT_EQ(t.totalBytes(0), 121u);
  EXPECT_EQ(t.mapStatus(0, 0), status("e2", 0, {1, 2, 3}));

  auto all = t.statuses(0);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[1]->executorId, "e1");
  EXPECT_EQ(all[2]->partitionSizes, (std::vector<uint64_t>{100}));
}

TEST(MapOutputTrackerTest, ZeroMapShuffleIsComplete) {
  MapOutputTracker t;
  t.registerShuffle(4, 0);
  EXPECT_TRUE(t.isComplete(4));
  EXPECT_TRUE(t.statuses(4).empty());
}

TEST(MapOutputTrackerTest, UnregisterAndReregisterMapOutput) {
  MapOutputTracker t;
  t.registerShuffle(0, 2);
  t.registerMapOutput(0, 0, status("e1", 0, {4}));
  t.registerMapOutput(0, 1, status("e1", 1, {6}));
  t.unregisterMapOutput(0, 1);
  t.unregisterMapOutput(0, 1);  // already missing: no-op
  EXPECT_EQ(t.missingMaps(0), std::vector<int>{1});
  EXPECT_FALSE(t.mapStatus(0, 1).has_value());
  EXPECT_EQ(t.totalBytes(0), 4u);
  t.registerMapOutput(0, 1, status("e3", 1, {7}));  // the re-run
  EXPECT_TRUE(t.isComplete(0));
  EXPECT_EQ(t.mapStatus(0, 1)->executorId, "e3");
  EXPECT_EQ(t.totalBytes(0), 11u);
}

TEST(MapOutputTrackerTest, LosingAnExecutorLosesItsOutputsInAllShuffles) {
  MapOutputTracker t;
  t.registerShuffle(0, 3);
  t.registerShuffle(1, 2);
  t.registerMapOutput(0, 0, status("lost", 0, {1}));
  t.registerMapOutput(0, 1, status("alive", 1, {1}));
  t.registerMapOutput(0, 2, status("lost", 2, {1}));
  t.registerMapOutput(1, 0, status("lost", 0, {1}));
  t.registerMapOutput(1, 1, status("alive", 1, {1}));
  EXPECT_EQ(t.removeOutputsOnExecutor("lost"), 3);
  EXPECT_EQ(t.missingMaps(0), (std::vector<int>{0, 2}));
  EXPECT_EQ(t.missingMaps(1), std::vector<int>{0});
  EXPECT_EQ(t.removeOutputsOnExecutor("lost"), 0);
  EXPECT_EQ(t.removeOutputsOnExecutor("unknown"), 0);
  EXPECT_EQ(t.mapStatus(0, 1)->executorId, "alive");
}

TEST(MapOutputTrackerTest, UnregisterShuffle) {
  MapOutputTracker t;
  t.registerShuffle(2, 1);
  t.registerMapOutput(2, 0, status("e", 0, {1}));
  t.unregisterShuffle(2);
  EXPECT_FALSE(t.hasShuffle(2));
  EXPECT_THROW(t.missingMaps(2), InternalError);
  t.registerShuffle(2, 1);  // may be registered again once gone
  EXPECT_EQ(t.missingMaps(2), std::vector<int>{0});
}

TEST(MapOutputTrackerTest, MisuseThrowsInternalErrorWithTheIds) {
  MapOutputTracker t;
  try {
    t.isComplete(42);
    FAIL() << "expected InternalError";
  } catch (const InternalError& e) {
    EXPECT_NE(std::string(e.what()).find("42"), std::string::npos) << e.what();
  }
  EXPECT_THROW(t.registerMapOutput(7, 0, status("e", 0, {})), InternalError);
  EXPECT_THROW(t.unregisterMapOutput(7, 0), InternalError);
  EXPECT_THROW(t.unregisterShuffle(7), InternalError);
  EXPECT_THROW(t.statuses(7), InternalError);
  EXPECT_THROW(t.totalBytes(7), InternalError);
  EXPECT_THROW(t.mapStatus(7, 0), InternalError);
  t.registerShuffle(7, 2);
  EXPECT_THROW(t.registerShuffle(7, 2), InternalError);
  EXPECT_THROW(t.registerMapOutput(7, 2, status("e", 2, {})), InternalError);
  EXPECT_THROW(t.mapStatus(7, -1), InternalError);
}

TEST(MapOutputTrackerTest, NextShuffleIdSkipsRegisteredIds) {
  MapOutputTracker t;
  EXPECT_EQ(t.nextShuffleId(), 0);
  EXPECT_EQ(t.nextShuffleId(), 1);
  t.registerShuffle(5, 1);
  EXPECT_EQ(t.nextShuffleId(), 6);
}

TEST(MapOutputTrackerTest, ConcurrentRegistration) {
  MapOutputTracker t;
  constexpr int kMaps = 400;
  t.registerShuffle(0, kMaps);
  std::vector<std::thread> threads;
  for (int w = 0; w < 4; ++w) {
    threads.emplace_back([&, w] {
      for (int m = w; m < kMaps; m += 4) {
        t.registerMapOutput(0, m, status("e" + std::to_string(w), m, {1, 1}));
        t.isComplete(0);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_TRUE(t.isComplete(0));
  EXPECT_EQ(t.totalBytes(0), 2u * kMaps);
  EXPECT_EQ(t.removeOutputsOnExecutor("e0"), kMaps / 4);
}

}  // namespace
}  // namespace ember
