// Shuffle output is removed when nothing refers to it any more, and stopping a
// context while another thread runs a job is safe.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

#include "core_scheduler_test_util.h"

namespace ember {
namespace {

bool waitFor(const std::function<bool()>& cond) {
  for (int i = 0; i < 200; ++i) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return cond();
}

TEST(ContextCleanup, ShuffleFilesGoAwayWithTheirRdd) {
  auto ctx = testutil::makeContext();
  std::string shuffleRoot = ctx->diskManager().root() + "/shuffle";
  int shuffleId = -1;
  {
    auto counts = ctx->range(0, 10000, 1, 4)
                      .map([](int64_t x) { return std::make_pair(x % 97, int64_t{1}); })
                      .reduceByKey([](int64_t a, int64_t b) { return a + b; });
    ASSERT_EQ(counts.count(), 97);
    shuffleId = std::static_pointer_cast<ShuffleDependencyBase>(counts.impl()->dependencies()[0])->shuffleId();
    EXPECT_TRUE(ctx->mapOutputTracker().isComplete(shuffleId));
    EXPECT_GT(ctx->diskManager().bytesOnDisk(), 0u);
    ASSERT_EQ(counts.count(), 97);  // still there for the next action
  }
  // The last references may be dropped by a task slot thread just after the job.
  EXPECT_TRUE(waitFor([&] { return !ctx->mapOutputTracker().hasShuffle(shuffleId); }));
  EXPECT_TRUE(waitFor([&] { return ctx->diskManager().bytesOnDisk() == 0; }))
      << ctx->diskManager().bytesOnDisk() << " bytes left under " << shuffleRoot;
  // The context keeps working.
  EXPECT_EQ(ctx->range(0, 100).map([](int64_t x) { return std::make_pair(x % 3, x); }).groupByKey().count(), 3);
}

TEST(ContextCleanup, ChainedShufflesAreAllCleaned) {
  auto ctx = testutil::makeContext();
  {
    auto sorted = ctx->range(0, 5000, 1, 3)
                      .map([](int64_t x) { return std::make_pair(x % 101, x); })
                      .reduceByKey([](int64_t a, int64_t b) { return a + b; })
                      .map([](std::pair<int64_t, int64_t> kv) { return std::make_pair(kv.second, kv.first); })
                      .sortByKey(false, 2);
    auto top = sorted.first();
    EXPECT_EQ(top.second, 50);  // keys 0..50 have 50 values each; 50 has the largest sum
    EXPECT_GT(ctx->diskManager().bytesOnDisk(), 0u);
  }
  EXPECT_TRUE(waitFor([&] { return ctx->diskManager().bytesOnDisk() == 0; }))
      << ctx->diskManager().bytesOnDisk() << " bytes of shuffle output left";
}

TEST(ContextCleanup, StopWhileAJobRunsInAnotherThread) {
  auto ctx = testutil::makeContext();
  std::atomic<bool> started{false};
  std::string error;
  std::thread runner([&] {
    try {
      ctx->range(0, 8, 1, 8)
          .map([](int64_t x) {
            for (int i = 0; i < 1000; ++i) {
              TaskContext::current()->checkInterrupted();
              std::this_thread::sleep_for(std::chrono::milliseconds(5));
            }
            return x;
          })
          .count();
    } catch (const EmberError& e) {
      error = e.what();
    }
  });
  ASSERT_TRUE(waitFor([&] { return !ctx->activeJobIds().empty(); }));
  auto t0 = std::chrono::steady_clock::now();
  ctx->stop();
  runner.join();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(3));
  EXPECT_NE(error.find("cancel"), std::string::npos) << error;
  EXPECT_THROW(ctx->range(0, 10).count(), UserError);
}

}  // namespace
}  // namespace ember
