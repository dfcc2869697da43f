// Speculative execution (ember.speculation): a partition whose first attempt is slow
// gets a second attempt; the job finishes at the copy's pace with the same result, the
// accumulators count the partition once, and the slow attempt is killed. With
// speculation off the job waits for the straggler. Local mode (another slot) and
// local-cluster (another executor: this test binary re-run in executor mode).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "cluster_test_link.h"
#include "ember/ember.h"

namespace ember {
namespace {

using KV = std::pair<int64_t, int64_t>;
using Clock = std::chrono::steady_clock;

Config conf(const std::string& master, bool speculation) {
  Config c;
  c.set("ember.master", master);
  c.set("ember.ui.showConsoleProgress", "false");
  c.set("ember.ui.enabled", "false");
  c.set("ember.speculation", speculation ? "true" : "false");
  c.set("ember.speculation.interval", "20ms");
  return c;
}

// Attempt 0 of partition 0 sleeps `ms`; `interruptible` makes it stop when killed
// (checking its task's interrupt flag), otherwise it sleeps to the end and succeeds.
void straggle(int partition, int64_t ms, bool interruptible) {
  TaskContext* t = TaskContext::current();
  if (partition != 0 || t->attemptNumber() != 0) return;
  auto end = Clock::now() + std::chrono::milliseconds(ms);
  while (Clock::now() < end) {
    if (interruptible) t->checkInterrupted();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// A result stage whose slow attempt is not interruptible: both attempts succeed, the
// first result wins and the accumulator counts partition 0 once.
TEST(Speculation, ResultStageCopyWinsAndCountsOnce) {
  Context ctx(conf("local[2]", true));
  auto seen = ctx.accumulator<int64_t>(0);
  auto t0 = Clock::now();
  auto rows = ctx.range(0, 4000, 1, 4)
                  .mapPartitionsWithIndex([seen](int p, Iterator<int64_t>& it) {
                    straggle(p, 3000, false);
                    std::vector<int64_t> out;
                    int64_t x;
                    while (it.next(x)) out.push_back(x * 2);
                    seen.add(static_cast<int64_t>(out.size()));
                    return out;
                  })
                  .collect();
  EXPECT_LT(secondsSince(t0), 2.0);
  ASSERT_EQ(rows.size(), 4000u);
  for (size_t i = 0; i < rows.size(); ++i) ASSERT_EQ(rows[i], static_cast<int64_t>(i) * 2);
  EXPECT_EQ(seen.value(), 4000);
}

int64_t shuffleJob(Context& ctx, const Accumulator<int64_t>& seen, int64_t sleepMs) {
  auto sums = ctx.range(0, 20000, 1, 4)
                  .mapPartitionsWithIndex([seen, sleepMs](int p, Iterator<int64_t>& it) {
                    straggle(p, sleepMs, true);
                    std::vector<KV> out;
                    int64_t x;
                    while (it.next(x)) out.push_back({x % 101, x});
                    seen.add(static_cast<int64_t>(out.size()));
                    return out;
                  })
                  .reduceByKey([](int64_t a, int64_t b) { return a + b; }, 3)
                  .collect();
  uint64_t digest = 0;  // unsigned: the digest wraps (signed overflow is undefined; UBSan)
  std::sort(sums.begin(), sums.end());
  EXPECT_EQ(sums.size(), 101u);
  for (auto& [k, v] : sums)
    digest = digest * 31 + static_cast<uint64_t>(k) * 7 + static_cast<uint64_t>(v);
  return static_cast<int64_t>(digest);
}

int64_t expectedDigest() {
  Context ctx(conf("local[2]", false));
  auto seen = ctx.accumulator<int64_t>(0);
  return shuffleJob(ctx, seen, 0);
}

// A map stage whose slow attempt is killed once the copy has registered the output.
TEST(Speculation, MapStageCopyWinsInLocalMode) {
  int64_t expected = expectedDigest();
  Context ctx(conf("local[2]", true));
  auto seen = ctx.accumulator<int64_t>(0);
  auto t0 = Clock::now();
  EXPECT_EQ(shuffleJob(ctx, seen, 20000), expected);
  EXPECT_LT(secondsSince(t0), 5.0);
  EXPECT_EQ(seen.value(), 20000);
}

TEST(Speculation, OffByDefaultTheJobWaitsForTheStraggler) {
  int64_t expected = expectedDigest();
  EXPECT_FALSE(Config{}.getBool("ember.speculation"));
  Context ctx(conf("local[2]", false));
  auto seen = ctx.accumulator<int64_t>(0);
  auto t0 = Clock::now();
  EXPECT_EQ(shuffleJob(ctx, seen, 1500), expected);
  EXPECT_GE(secondsSince(t0), 1.5);
  EXPECT_EQ(seen.value(), 20000);
}

// Where the attempts of partition 0 of each stage ran (TaskStart events).
class AttemptLog : public EventListener {
 public:
  void onTaskStart(const TaskStart& e) override {
    std::lock_guard lock(mutex_);
    if (e.partition == 0) executors_[{e.stageId, e.attempt}] = e.executorId;
  }
  std::map<std::pair<int, int>, std::string> take() {
    std::lock_guard lock(mutex_);
    return executors_;
  }

 private:
  std::mutex mutex_;
  std::map<std::pair<int, int>, std::string> executors_;  // (stage, attempt) -> executor
};

// The executors of this local cluster are this test binary re-run with the same command
// line (gtest filter included), which turns into an executor at its Context.
TEST(Speculation, MapStageCopyRunsOnAnotherExecutor) {
  int64_t expected = expectedDigest();
  Context ctx(conf("local-cluster[2,1,256]", true));
  auto log = std::make_shared<AttemptLog>();
  ctx.addListener(log);
  auto seen = ctx.accumulator<int64_t>(0);
  auto t0 = Clock::now();
  EXPECT_EQ(shuffleJob(ctx, seen, 20000), expected);
  EXPECT_LT(secondsSince(t0), 8.0);
  EXPECT_EQ(seen.value(), 20000);
  ctx.eventBus().waitUntilEmpty(5000);
  auto attempts = log->take();
  int stage = attempts.begin()->first.first;  // the map stage: the lowest id
  ASSERT_TRUE(attempts.count({stage, 0}) && attempts.count({stage, 1}));
  EXPECT_NE(attempts.at({stage, 0}), attempts.at({stage, 1}));
}

TEST(Speculation, SettingsAreChecked) {
  Config c = conf("local[1]", true);
  c.set("ember.speculation.quantile", "1.5");
  EXPECT_THROW(SpeculationSettings::fromConfig(c), ConfigError);
  c.set("ember.speculation.quantile", "0.5");
  c.set("ember.speculation.multiplier", "0.5");
  EXPECT_THROW(SpeculationSettings::fromConfig(c), ConfigError);
  c.set("ember.speculation.multiplier", "2");
  SpeculationSettings s = SpeculationSettings::fromConfig(c);
  EXPECT_TRUE(s.enabled);
  EXPECT_EQ(s.intervalMs, 20);
  EXPECT_DOUBLE_EQ(s.quantile, 0.5);
}

}  // namespace
}  // namespace ember
