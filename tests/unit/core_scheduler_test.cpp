// DAG scheduler: stage cutting, skipped stages, concurrent jobs, per-task overhead.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <numeric>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core_scheduler_test_util.h"

namespace ember {
namespace {

using testutil::flush;
using testutil::makeContext;
using testutil::iota;
using testutil::record;

TEST(SchedulerStages, NarrowChainIsOneStage) {
  auto ctx = makeContext();
  auto rec = record(*ctx);
  auto out = ctx->parallelize(iota(100), 4)
                 .map([](int x) { return x * 3; })
                 .filter([](int x) { return x % 2 == 0; })
                 .flatMap([](int x) {
                   return std::vector<int>{x, x + 1};
                 })
                 .map([](int x) { return x + 1; })
                 .collect();
  EXPECT_EQ(out.size(), 100u);
  flush(*ctx);
  auto subs = rec->stageSubmitted();
  ASSERT_EQ(subs.size(), 1u);
  EXPECT_EQ(subs[0].numTasks, 4);
  EXPECT_TRUE(subs[0].parentStageIds.empty());
  EXPECT_EQ(rec->taskStarts().size(), 4u);
  ASSERT_EQ(rec->jobStarts().size(), 1u);
  EXPECT_EQ(rec->jobStarts()[0].stageIds.size(), 1u);
}

TEST(SchedulerStages, ReduceMapSortCutsAtEachShuffle) {
  auto ctx = makeContext();
  auto rec = record(*ctx);
  auto counts = ctx->parallelize(iota(1000), 4)
                    .map([](int x) { return std::make_pair(x % 10, 1); })
                    .reduceByKey([](int a, int b) { return a + b; }, 3);
  auto doubled =
      counts.map([](std::pair<int, int> p) { return std::make_pair(9 - p.first, p.second * 2); });
  // sortByKey samples its input with a job of its own (as Spark does): that job
  // computes the reduceByKey map stage and a sampling result stage.
  auto sorted = doubled.sortByKey(true, 2);
  flush(*ctx);
  ASSERT_EQ(rec->jobStarts().size(), 1u);
  EXPECT_EQ(rec->stageSubmitted().size(), 2u);
  rec->clear();

  auto out = sorted.collect();
  flush(*ctx);
  std::vector<std::pair<int, int>> want;
  for (int k = 0; k < 10; ++k) want.emplace_back(k, 200);
  EXPECT_EQ(out, want);
  // Three stages: reduceByKey's map side, (reduce + map + sort's map side), sort's
  // reduce side. The first one's output exists from the sampling job: skipped.
  ASSERT_EQ(rec->jobStarts().size(), 1u);
  EXPECT_EQ(rec->jobStarts()[0].stageIds.size(), 3u);
  auto subs = rec->stageSubmitted();
  ASSERT_EQ(subs.size(), 2u);
  EXPECT_EQ(subs[0].numTasks, 3);  // map side of sortByKey: one task per reduceByKey partition
  EXPECT_EQ(subs[0].parentStageIds.size(), 1u);
  EXPECT_EQ(subs[1].numTasks, 2);  // result stage over sortByKey's 2 partitions
  ASSERT_EQ(subs[1].parentStageIds.size(), 1u);
  EXPECT_EQ(subs[1].parentStageIds[0], subs[0].stageId);
  EXPECT_EQ(rec->taskStarts().size(), 5u);
  for (const auto& c : rec->stageCompleted()) EXPECT_TRUE(c.succeeded) << c.failureReason;
}

TEST(SchedulerStages, FreshShuffleJobRunsBothStagesThenSkipsTheMapStage) {
  auto ctx = makeContext();
  auto rec = record(*ctx);
  auto counts = ctx->parallelize(iota(1000), 4)
                    .map([](int x) { return std::make_pair(x % 7, x); })
                    .reduceByKey([](int a, int b) { return a + b; }, 3);
  auto first = counts.collectAsMap();
  ASSERT_EQ(first.size(), 7u);
  flush(*ctx);
  auto subs = rec->stageSubmitted();
  ASSERT_EQ(subs.size(), 2u);
  int mapStage = subs[0].stageId;
  EXPECT_EQ(subs[0].numTasks, 4);
  EXPECT_EQ(subs[1].numTasks, 3);
  EXPECT_EQ(rec->taskStartsPerStage()[mapStage], 4);
  rec->clear();

  // A second action on the same shuffled RDD reuses the map outputs.
  EXPECT_EQ(counts.count(), 7);
  flush(*ctx);
  subs = rec->stageSubmitted();
  ASSERT_EQ(subs.size(), 1u);
  EXPECT_NE(subs[0].stageId, mapStage);
  EXPECT_EQ(rec->taskStartsPerStage().count(mapStage), 0u);
  EXPECT_EQ(rec->taskStarts().size(), 3u);
  ASSERT_EQ(rec->jobStarts().size(), 1u);
  EXPECT_EQ(rec->jobStarts()[0].stageIds.size(), 2u);  // listed, but skipped
}

// Counts map-side computations of the shared shuffle in the concurrency test.
std::atomic<int> gSharedMapComputations{0};

TEST(SchedulerConcurrency, FourThreadsTwentyJobsEach) {
  auto ctx = makeContext();
  gSharedMapComputations = 0;
  auto shared = ctx->parallelize(iota(4000), 4)
                    .mapPartitions([](Iterator<int>& it) {
                      gSharedMapComputations++;
                      std::vector<std::pair<int, int64_t>> out;
                      int x;
                      while (it.next(x)) out.emplace_back(x % 13, x);
                      return out;
                    })
                    .reduceByKey([](int64_t a, int64_t b) { return a + b; }, 3);
  std::map<int, int64_t> sharedWant;
  for (int x = 0; x < 4000; ++x) sharedWant[x % 13] += x;

  std::atomic<int> failures{0};
  std::vector<std::string> errors(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      try {
        for (int j = 0; j < 20; ++j) {
          if (j % 2 == 0) {
            auto got = shared.collectAsMap();
            std::map<int, int64_t> m(got.begin(), got.end());
            if (m != sharedWant) failures++;
          } else {
            // A shuffle of this job alone, different per thread and job.
            int mod = 3 + t + j;
            auto got = ctx->parallelize(iota(500 + 10 * j), 3)
                           .map([mod](int x) { return std::make_pair(x % mod, 1); })
                           .reduceByKey([](int a, int b) { return a + b; }, 2)
                           .values()
                           .reduce([](int a, int b) { return a + b; });
            if (got != 500 + 10 * j) failures++;
            if (ctx->parallelize(iota(100), 2).map([](int x) { return x * 2; }).count() != 100)
              failures++;
          }
        }
      } catch (const std::exception& e) {
        errors[static_cast<size_t>(t)] = e.what();
        failures++;
      }
    });
  }
  for (auto& th : threads) th.join();
  for (const auto& e : errors) EXPECT_EQ(e, "");
  EXPECT_EQ(failures.load(), 0);
  // Each map partition of the shared shuffle computed once if concurrent jobs share
  // the stage; more means a stage ran twice (still correct, but wasted work).
  std::printf("[ concurrency ] shared map partitions computed %d times (4 = once)\n",
              gSharedMapComputations.load());
  EXPECT_EQ(gSharedMapComputations.load(), 4);
  EXPECT_TRUE(ctx->activeJobIds().empty());
}

std::atomic<int> gSecondMapComputations{0};

// Two shuffles in a row, shared by concurrent jobs: while one job computes the first
// map stage the others wait for it, and when it completes only one of them may run
// the second map stage.
TEST(SchedulerConcurrency, SharedChainOfShufflesRunsEachMapStageOnce) {
  for (int round = 0; round < 3; ++round) {
    auto ctx = makeContext();
    gSecondMapComputations = 0;
    auto shared = ctx->parallelize(iota(3000), 4)
                      .map([](int x) { return std::make_pair(x % 100, 1); })
                      .reduceByKey([](int a, int b) { return a + b; }, 3)
                      .mapPartitions([](Iterator<std::pair<int, int>>& it) {
                        gSecondMapComputations++;
                        std::vector<std::pair<int, int>> out;
                        std::pair<int, int> kv;
                        while (it.next(kv)) out.emplace_back(kv.first % 10, kv.second);
                        return out;
                      })
                      .reduceByKey([](int a, int b) { return a + b; }, 2);
    std::atomic<int> wrong{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
      threads.emplace_back([&] {
        auto m = shared.collectAsMap();
        if (m.size() != 10u) wrong++;
        for (auto& [k, v] : m)
          if (v != 300) wrong++;
      });
    for (auto& th : threads) th.join();
    EXPECT_EQ(wrong.load(), 0);
    EXPECT_EQ(gSecondMapComputations.load(), 3) << "round " << round;
  }
}

TEST(SchedulerCost, HundredThousandEmptyTasks) {
  auto ctx = makeContext();
  // Warm up (thread start, first allocations).
  EXPECT_EQ(ctx->parallelize(std::vector<int>{}, 1000).count(), 0);
  constexpr int kTasks = 100000;
  auto rdd = ctx->parallelize(std::vector<int>{}, kTasks);
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(rdd.count(), 0);
  double us =
      std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
  double perTask = us / kTasks;
  std::printf("[ sched cost ] %d empty tasks on local[2]: %.0f ms, %.2f us per task\n", kTasks,
              us / 1000, perTask);
  EXPECT_LT(perTask, 50.0);
  ctx->eventBus().waitUntilEmpty(30000);
  EXPECT_EQ(ctx->eventBus().droppedEvents(), 0) << "task events were dropped by the bus";
}

}  // namespace
}  // namespace ember
