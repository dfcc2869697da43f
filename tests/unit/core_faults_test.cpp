// Fault handling of the DAG scheduler: task retries, lost or corrupt shuffle output,
// cancellation, and the driver's result-size guard.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core_scheduler_test_util.h"

namespace ember {
namespace {

using testutil::flush;
using testutil::iota;
using testutil::makeContext;
using testutil::record;

// Partition 1 fails on its first two attempts.
int flakyDouble(int x) {
  TaskContext* tc = TaskContext::current();
  if (tc->partitionId() == 1 && tc->attemptNumber() < 2)
    throw std::runtime_error("flaky disk says no");
  return x * 2;
}

std::map<int, int> taskEndsPerPartition(const std::vector<TaskEnd>& ends) {
  std::map<int, int> m;
  for (const auto& e : ends) m[e.partition]++;
  return m;
}

TEST(SchedulerRetries, FlakyTaskSucceedsWithinMaxFailures) {
  auto ctx = makeContext({{"ember.task.maxFailures", "4"}});
  auto rec = record(*ctx);
  auto out = ctx->parallelize(iota(40), 4).map(flakyDouble).collect();
  std::vector<int> want;
  for (int x = 0; x < 40; ++x) want.push_back(2 * x);
  EXPECT_EQ(out, want);
  flush(*ctx);
  auto ends = rec->taskEnds();
  auto per = taskEndsPerPartition(ends);
  EXPECT_EQ(per[0], 1);
  EXPECT_EQ(per[1], 3);  // attempts 0 and 1 failed, 2 succeeded
  EXPECT_EQ(per[2], 1);
  EXPECT_EQ(per[3], 1);
  int failed = 0;
  for (const auto& e : ends) {
    if (e.succeeded) continue;
    ++failed;
    EXPECT_EQ(e.partition, 1);
    EXPECT_NE(e.reason.find("flaky disk says no"), std::string::npos) << e.reason;
  }
  EXPECT_EQ(failed, 2);
  ASSERT_EQ(rec->jobEnds().size(), 1u);
  EXPECT_TRUE(rec->jobEnds()[0].succeeded);
}

TEST(SchedulerRetries, TooManyFailuresAbortWithADescriptiveError) {
  auto ctx = makeContext({{"ember.task.maxFailures", "2"}});
  auto rec = record(*ctx);
  // clang-format off
  const int mapLine = __LINE__; auto rdd = ctx->parallelize(iota(40), 4).map(flakyDouble);
  // clang-format on
  std::string msg;
  try {
    rdd.collect();
    ADD_FAILURE() << "the job should have failed";
  } catch (const JobFailedError& e) {
    msg = e.what();
  }
  flush(*ctx);
  ASSERT_EQ(rec->jobStarts().size(), 1u);
  ASSERT_EQ(rec->stageSubmitted().size(), 1u);
  int jobId = rec->jobStarts()[0].jobId;
  int stageId = rec->stageSubmitted()[0].stageId;
  EXPECT_NE(msg.find("Job " + std::to_string(jobId) + " "), std::string::npos) << msg;
  EXPECT_NE(msg.find("stage " + std::to_string(stageId)), std::string::npos) << msg;
  EXPECT_NE(msg.find("partition 1"), std::string::npos) << msg;
  EXPECT_NE(msg.find("attempt 1"), std::string::npos) << msg;
  EXPECT_NE(msg.find("map at core_faults_test.cpp:" + std::to_string(mapLine)), std::string::npos)
      << msg;
  EXPECT_NE(msg.find("flaky disk says no"), std::string::npos) << msg;
  EXPECT_NE(msg.find("ember.task.maxFailures"), std::string::npos) << msg;
  // Only partition 1 was retried.
  auto per = taskEndsPerPartition(rec->taskEnds());
  EXPECT_EQ(per[1], 2);
  for (int p : {0, 2, 3}) EXPECT_LE(per[p], 1) << "partition " << p;
  ASSERT_EQ(rec->jobEnds().size(), 1u);
  EXPECT_FALSE(rec->jobEnds()[0].succeeded);
  EXPECT_EQ(rec->jobEnds()[0].error, msg);
}

// --- lost and corrupt shuffle output ---------------------------------------------

class LostShuffleOutput : public ::testing::Test {
 protected:
  void SetUp() override {
    ctx_ = makeContext();
    rec_ = record(*ctx_);
    counts_ = ctx_->parallelize(iota(4000), 4)
                  .map([](int x) { return std::make_pair(x % 50, int64_t{x}); })
                  .reduceByKey([](int64_t a, int64_t b) { return a + b; }, 3);
    want_ = counts_.collectAsMap();
    ASSERT_EQ(want_.size(), 50u);
    flush(*ctx_);
    ASSERT_EQ(rec_->stageSubmitted().size(), 2u);
    mapStage_ = rec_->stageSubmitted()[0].stageId;
    shuffleId_ = testutil::shuffleIdOf(counts_.impl());
    ASSERT_GE(shuffleId_, 0);
    rec_->clear();
  }

  std::string dataPathOf(int mapId) {
    auto st = ctx_->mapOutputTracker().mapStatus(shuffleId_, mapId);
    EXPECT_TRUE(st.has_value());
    return st ? st->dataPath : "";
  }

  // Runs another action on the shuffled RDD and checks that it is correct and that
  // exactly map task `mapId` was rerun.
  void expectRecomputedOnly(int mapId) {
    auto got = counts_.collectAsMap();
    EXPECT_EQ(got, want_);
    flush(*ctx_);
    int mapTasks = 0;
    for (const auto& s : rec_->taskStarts()) {
      if (s.stageId != mapStage_) continue;
      ++mapTasks;
      EXPECT_EQ(s.partition, mapId);
    }
    EXPECT_EQ(mapTasks, 1) << "exactly one map task should have been rerun";
    int fetchFailed = 0;
    for (const auto& e : rec_->taskEnds()) fetchFailed += e.reason.rfind("FetchFailed", 0) == 0;
    EXPECT_GE(fetchFailed, 1);
    EXPECT_TRUE(ctx_->mapOutputTracker().isComplete(shuffleId_));
    // And a third action needs no map task at all.
    rec_->clear();
    EXPECT_EQ(counts_.count(), 50);
    flush(*ctx_);
    EXPECT_EQ(rec_->taskStartsPerStage().count(mapStage_), 0u);
  }

  std::unique_ptr<Context> ctx_;
  std::shared_ptr<testutil::EventRecorder> rec_;
  RDD<std::pair<int, int64_t>> counts_;
  std::map<int, int64_t> want_;
  int mapStage_ = -1;
  int shuffleId_ = -1;
};

TEST_F(LostShuffleOutput, DeletedDataFileIsRecomputed) {
  std::string path = dataPathOf(2);
  ASSERT_TRUE(std::filesystem::remove(path)) << path;
  expectRecomputedOnly(2);
}

TEST_F(LostShuffleOutput, CorruptDataFileIsRecomputed) {
  std::string path = dataPathOf(1);
  auto size = std::filesystem::file_size(path);
  ASSERT_GT(size, 16u);
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(size / 2));
    char c = 0;
    f.read(&c, 1);
    c = static_cast<char>(c ^ 0x5a);
    f.seekp(static_cast<std::streamoff>(size / 2));
    f.write(&c, 1);
  }
  expectRecomputedOnly(1);
}

// --- cancellation --------------------------------------------------------------------

std::atomic<int> gSlowTasksStarted{0};

// Sleeps until cancelled (at most 20 s, so a broken cancel fails instead of hanging).
int sleepUntilKilled(int x) {
  gSlowTasksStarted++;
  for (int i = 0; i < 2000; ++i) {
    TaskContext::current()->checkInterrupted();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return x;
}
int sleepUntilInterrupted(int x) {
  gSlowTasksStarted++;
  for (int i = 0; i < 2000 && !TaskContext::current()->isInterrupted(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return x;
}

struct CancelOutcome {
  std::string error;
  double seconds = 1e9;
};

// Runs `f` over 8 partitions on another thread in job group `group`, cancels with
// `cancel` once a task runs, and reports what the caller saw.
template <class F, class Cancel>
CancelOutcome runAndCancel(Context& ctx, F f, const std::string& group, Cancel cancel) {
  gSlowTasksStarted = 0;
  CancelOutcome out;
  std::atomic<bool> returned{false};
  std::chrono::steady_clock::time_point returnedAt;
  std::thread runner([&] {
    ctx.setJobGroup(group);
    try {
      ctx.parallelize(iota(8), 8).map(f).collect();
      out.error = "<no error>";
    } catch (const JobFailedError& e) {
      out.error = e.what();
    } catch (const std::exception& e) {
      out.error = std::string("wrong exception type: ") + e.what();
    }
    returnedAt = std::chrono::steady_clock::now();
    returned = true;
    ctx.clearJobGroup();
  });
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (gSlowTasksStarted.load() < 2 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_GE(gSlowTasksStarted.load(), 2);
  auto cancelledAt = std::chrono::steady_clock::now();
  cancel();
  runner.join();
  EXPECT_TRUE(returned.load());
  out.seconds = std::chrono::duration<double>(returnedAt - cancelledAt).count();
  return out;
}

void expectHealthy(Context& ctx) {
  EXPECT_TRUE(ctx.activeJobIds().empty());
  auto sums = ctx.parallelize(iota(100), 4)
                  .map([](int x) { return std::make_pair(x % 3, x); })
                  .reduceByKey([](int a, int b) { return a + b; })
                  .collectAsMap();
  std::map<int, int> want{{0, 1683}, {1, 1617}, {2, 1650}};
  EXPECT_EQ(sums, want);
}

TEST(SchedulerCancel, CancelJobGroupStopsTheJobQuickly) {
  auto ctx = makeContext();
  auto rec = record(*ctx);
  auto out = runAndCancel(*ctx, sleepUntilKilled, "slow-group",
                          [&] { ctx->cancelJobGroup("slow-group"); });
  EXPECT_NE(out.error.find("cancel"), std::string::npos) << out.error;
  EXPECT_NE(out.error.find("slow-group"), std::string::npos) << out.error;
  EXPECT_LT(out.seconds, 2.0);
  // Tasks that had not started were never run.
  EXPECT_LE(gSlowTasksStarted.load(), 2);
  expectHealthy(*ctx);
  flush(*ctx);
  ASSERT_GE(rec->jobEnds().size(), 1u);
  EXPECT_FALSE(rec->jobEnds()[0].succeeded);
}

TEST(SchedulerCancel, CancelJobGroupLeavesOtherGroupsAlone) {
  auto ctx = makeContext({}, "local[4]");
  std::atomic<bool> otherDone{false};
  int64_t otherCount = -1;
  std::thread other([&] {
    ctx->setJobGroup("keep");
    otherCount = ctx->range(0, 200000, 1, 4).map([](int64_t x) { return x + 1; }).count();
    otherDone = true;
  });
  auto out = runAndCancel(*ctx, sleepUntilKilled, "doomed", [&] { ctx->cancelJobGroup("doomed"); });
  other.join();
  EXPECT_NE(out.error.find("cancel"), std::string::npos) << out.error;
  EXPECT_TRUE(otherDone.load());
  EXPECT_EQ(otherCount, 200000);
}

TEST(SchedulerCancel, CancelAllJobsStopsCooperativeTasks) {
  auto ctx = makeContext();
  auto out = runAndCancel(*ctx, sleepUntilInterrupted, "", [&] { ctx->cancelAllJobs(); });
  EXPECT_NE(out.error.find("cancel"), std::string::npos) << out.error;
  EXPECT_LT(out.seconds, 2.0);
  expectHealthy(*ctx);
}

std::atomic<bool> gSlowShared{true};

// The map side of a shuffle that hangs (until cancelled) while gSlowShared is set.
std::pair<int, int> slowWhileFlagged(int x) {
  while (gSlowShared.load()) {
    TaskContext::current()->checkInterrupted();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return {x % 5, x};
}

// Job A computes a shuffle that job B also waits for; cancelling A must not strand B:
// B takes the map stage over and finishes.
TEST(SchedulerCancel, CancellingTheJobThatComputesASharedStageDoesNotStrandTheOther) {
  auto ctx = makeContext();
  gSlowShared = true;
  auto shared = ctx->parallelize(iota(100), 4)
                    .map(slowWhileFlagged)
                    .reduceByKey([](int a, int b) { return a + b; }, 2);
  std::string errorA;
  std::thread a([&] {
    ctx->setJobGroup("A");
    try {
      shared.count();
    } catch (const JobFailedError& e) {
      errorA = e.what();
    }
  });
  // Wait until A owns the map stage, then start B on the same RDD.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (ctx->activeJobIds().empty() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::map<int, int> gotB;
  std::string errorB;
  std::thread b([&] {
    ctx->setJobGroup("B");
    try {
      gotB = shared.collectAsMap();
    } catch (const std::exception& e) {
      errorB = e.what();
    }
  });
  while (ctx->activeJobIds().size() < 2 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ctx->cancelJobGroup("A");
  a.join();
  // A is gone while the map stage was unfinished; let B's own map tasks complete.
  gSlowShared = false;
  b.join();
  EXPECT_NE(errorA.find("cancel"), std::string::npos) << errorA;
  EXPECT_EQ(errorB, "");
  std::map<int, int> want;
  for (int x = 0; x < 100; ++x) want[x % 5] += x;
  EXPECT_EQ(gotB, want);
  EXPECT_TRUE(ctx->activeJobIds().empty());
}

// --- driver result-size guard -------------------------------------------------------

std::string oneMiB(int64_t) { return std::string(1 << 20, 'x'); }

int badRecord(int x) {
  if (x == 7) throw UserError("record 7 is malformed");
  return x;
}

TEST(SchedulerRetries, UserErrorsAreNotRetried) {
  // A UserError comes from the data or the query: every attempt would hit it again.
  auto ctx = makeContext({{"ember.task.maxFailures", "4"}});
  auto rec = record(*ctx);
  std::string msg;
  try {
    ctx->parallelize(iota(40), 4).map(badRecord).collect();
    ADD_FAILURE() << "the job should have failed";
  } catch (const JobFailedError& e) {
    msg = e.what();
  }
  EXPECT_NE(msg.find("record 7 is malformed"), std::string::npos) << msg;
  EXPECT_NE(msg.find("not retried"), std::string::npos) << msg;
  flush(*ctx);
  // One attempt hit the bad record (others running at the abort may end as killed).
  int failed = 0;
  for (const auto& e : rec->taskEnds())
    failed += !e.succeeded && e.reason.find("record 7 is malformed") != std::string::npos;
  EXPECT_EQ(failed, 1);
}

// Partition 0 fails at once; partition 1 is busy for a while when that happens.
std::atomic<int> busyTasks{0};
int failFastOrLinger(int x) {
  if (TaskContext::current()->partitionId() == 0) throw std::runtime_error("fails at once");
  busyTasks++;
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  busyTasks--;
  return x;
}

TEST(SchedulerRetries, FailedJobReturnsOnlyAfterItsRunningTasksEnded) {
  // A caller that cleans up after a failed job (a write removing its staging directory)
  // must not race the job's other tasks, still running when the failure was decided.
  auto ctx = makeContext({{"ember.task.maxFailures", "1"}});
  EXPECT_THROW(ctx->parallelize(iota(2), 2).map(failFastOrLinger).collect(), JobFailedError);
  EXPECT_EQ(busyTasks.load(), 0);
}

TEST(SchedulerDriverGuard, MaxResultSizeStopsHugeCollect) {
  auto ctx = makeContext({{"ember.driver.maxResultSize", "1m"}});
  std::string msg;
  try {
    ctx->range(0, 50, 1, 10).map(oneMiB).collect();
    ADD_FAILURE() << "collect of 50 MiB should exceed a 1 MiB limit";
  } catch (const JobFailedError& e) {
    msg = e.what();
  }
  EXPECT_NE(msg.find("ember.driver.maxResultSize"), std::string::npos) << msg;
  EXPECT_NE(msg.find("take("), std::string::npos) << msg;
  EXPECT_NE(msg.find("saveAsTextFile"), std::string::npos) << msg;
  expectHealthy(*ctx);
}

TEST(SchedulerDriverGuard, DefaultLimitAllowsFiftyMiB) {
  auto ctx = makeContext();
  auto out = ctx->range(0, 50, 1, 10).map(oneMiB).collect();
  ASSERT_EQ(out.size(), 50u);
  for (const auto& s : out) EXPECT_EQ(s.size(), size_t{1} << 20);
}

}  // namespace
}  // namespace ember
