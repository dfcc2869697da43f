#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <future>
#include <memory>
#include <mutex>
#include <span>
#include <stdexcept>
#include <variant>
#include <vector>

#include "ember/common/errors.h"
#include "ember/core/event_bus.h"

namespace ember {
namespace {

TaskStart taskStart(int64_t taskId) {
  TaskStart e;
  e.stageId = 1;
  e.taskId = taskId;
  e.partition = static_cast<int>(taskId);
  e.executorId = "driver";
  return e;
}

TaskEnd taskEnd(int64_t taskId) {
  TaskEnd e;
  e.stageId = 1;
  e.taskId = taskId;
  e.executorId = "driver";
  e.succeeded = true;
  e.reason = "Success";
  return e;
}

// Records the task ids of TaskStart events and the kinds of a few others.
class Recorder : public EventListener {
 public:
  void onTaskStart(const TaskStart& e) override {
    std::lock_guard lock(mu);
    taskIds.push_back(e.taskId);
  }
  void onJobStart(const JobStart& e) override {
    std::lock_guard lock(mu);
    jobs.push_back(e.jobId);
  }
  void onStageSubmitted(const StageSubmitted& e) override {
    std::lock_guard lock(mu);
    stageNames.push_back(e.name);
  }
  std::vector<int64_t> ids() {
    std::lock_guard lock(mu);
    return taskIds;
  }
  std::mutex mu;
  std::vector<int64_t> taskIds;
  std::vector<int> jobs;
  std::vector<std::string> stageNames;
};

class Thrower : public EventListener {
 public:
  void onTaskStart(const TaskStart&) override {
    ++calls;
    throw std::runtime_error("listener bug");
  }
  void onJobStart(const JobStart&) override {
    ++calls;
    throw 42;  // not a std::exception
  }
  std::atomic<int> calls{0};
};

TEST(EventBusTest, DeliversInPostingOrderToEveryListener) {
  EventBus bus;
  auto a = std::make_shared<Recorder>();
  auto b = std::make_shared<Recorder>();
  bus.addListener(a);
  bus.addListener(b);
  bus.start();
  std::vector<int64_t> expected;
  for (int64_t i = 0; i < 5000; ++i) {
    bus.post(taskStart(i));
    expected.push_back(i);
  }
  StageSubmitted stage;
  stage.name = "reduceByKey at wordcount.cpp:42";
  bus.post(stage);
  bus.post(JobStart{7, "count", "count at x.cpp:1", "", {1, 2}, 0});
  ASSERT_TRUE(bus.waitUntilEmpty(10000));
  EXPECT_EQ(a->ids(), expected);
  EXPECT_EQ(b->ids(), expected);
  EXPECT_EQ(a->stageNames, std::vector<std::string>{"reduceByKey at wordcount.cpp:42"});
  EXPECT_EQ(b->jobs, std::vector<int>{7});
  EXPECT_EQ(bus.droppedEvents(), 0);
}

TEST(EventBusTest, ThrowingListenerDoesNotStopDelivery) {
  EventBus bus;
  auto thrower = std::make_shared<Thrower>();
  auto rec = std::make_shared<Recorder>();
  bus.addListener(thrower);
  bus.addListener(rec);
  bus.start();
  for (int64_t i = 0; i < 10; ++i) bus.post(taskStart(i));
  bus.post(JobStart{3});
  ASSERT_TRUE(bus.waitUntilEmpty(10000));
  EXPECT_EQ(thrower->calls, 11);  // it keeps receiving events after throwing
  EXPECT_EQ(rec->ids().size(), 10u);
  EXPECT_EQ(rec->jobs, std::vector<int>{3});
}

TEST(EventBusTest, EventsPostedBeforeStartAreDeliveredAndStopDrains) {
  auto rec = std::make_shared<Recorder>();
  {
    EventBus bus;
    bus.addListener(rec);
    for (int64_t i = 0; i < 100; ++i) bus.post(taskStart(i));
    EXPECT_FALSE(bus.waitUntilEmpty(20));  // nothing is delivered before start()
    bus.start();
    bus.stop();  // delivers the queue before returning
    EXPECT_EQ(rec->ids().size(), 100u);
    bus.post(taskStart(100));  // ignored after stop
    EXPECT_TRUE(bus.waitUntilEmpty(0));
    EXPECT_THROW(bus.start(), UserError);
  }
  EXPECT_EQ(rec->ids().size(), 100u);
}

TEST(EventBusTest, StartTwiceIsRefused) {
  EventBus bus;
  bus.start();
  EXPECT_THROW(bus.start(), UserError);
}

TEST(EventBusTest, RemovedListenerReceivesNothingMore) {
  EventBus bus;
  auto a = std::make_shared<Recorder>();
  auto b = std::make_shared<Recorder>();
  bus.addListener(a);
  bus.addListener(b);
  bus.start();
  bus.post(taskStart(1));
  ASSERT_TRUE(bus.waitUntilEmpty(10000));
  bus.removeListener(a);
  bus.post(taskStart(2));
  ASSERT_TRUE(bus.waitUntilEmpty(10000));
  EXPECT_EQ(a->ids(), std::vector<int64_t>{1});
  EXPECT_EQ(b->ids(), (std::vector<int64_t>{1, 2}));
}

// Blocks the dispatcher inside the first TaskStart until released.
class Blocker : public EventListener {
 public:
  void onTaskStart(const TaskStart&) override {
    if (++calls == 1) {
      entered.set_value();
      release.get_future().wait();
    }
  }
  std::atomic<int> calls{0};
  std::promise<void> entered;
  std::promise<void> release;
};

TEST(EventBusTest, FullQueueMakesPostersWaitAndDropsNothing) {
  EventBus bus(10, std::chrono::seconds(30));
  auto blocker = std::make_shared<Blocker>();
  bus.addListener(blocker);
  bus.start();
  bus.post(taskStart(0));
  blocker->entered.get_future().wait();  // event 0 is being delivered: 1 of 10 in use
  auto poster = std::async(std::launch::async, [&] {
    for (int64_t i = 1; i <= 20; ++i) bus.post(taskStart(i));
  });
  // Events 1..9 fit; event 10 waits for room while the listener is blocked.
  EXPECT_EQ(poster.wait_for(std::chrono::milliseconds(200)), std::future_status::timeout);
  EXPECT_EQ(bus.blockedPosts(), 1);
  EXPECT_FALSE(bus.waitUntilEmpty(10));
  blocker->release.set_value();
  poster.get();
  ASSERT_TRUE(bus.waitUntilEmpty(10000));
  EXPECT_EQ(blocker->calls, 21);
  EXPECT_EQ(bus.droppedEvents(), 0);
}

TEST(EventBusTest, StalledListenerOverflowsTheCapacityThenDropsAndCounts) {
  EventBus bus(2, std::chrono::milliseconds(50));
  auto blocker = std::make_shared<Blocker>();
  bus.addListener(blocker);
  bus.start();
  bus.post(taskStart(0));
  blocker->entered.get_future().wait();
  auto t0 = std::chrono::steady_clock::now();
  // Event 1 fits; event 2 waits 50 ms for a listener that does not move, then the queue
  // grows without waiting up to 4 x 2 events (0..7); events 8..20 are dropped.
  for (int64_t i = 1; i <= 20; ++i) bus.post(taskStart(i));
  auto waited = std::chrono::steady_clock::now() - t0;
  EXPECT_GE(waited, std::chrono::milliseconds(50));
  EXPECT_LT(waited, std::chrono::seconds(5));  // one stall, not one per event
  EXPECT_EQ(bus.droppedEvents(), 13);
  blocker->release.set_value();
  ASSERT_TRUE(bus.waitUntilEmpty(10000));
  EXPECT_EQ(blocker->calls, 8);
  // Room again once delivered.
  bus.post(taskStart(21));
  ASSERT_TRUE(bus.waitUntilEmpty(10000));
  EXPECT_EQ(blocker->calls, 9);
  EXPECT_EQ(bus.droppedEvents(), 13);
}

TEST(EventBusTest, ListenerPostingIntoAFullQueueDoesNotWait) {
  EventBus bus(2, std::chrono::seconds(30));
  struct Echo : EventListener {
    EventBus* bus = nullptr;
    std::atomic<int> ends{0};
    void onJobStart(const JobStart& e) override {
      for (int i = 0; i < 5; ++i) bus->post(JobEnd{e.jobId, true, "", 0});
    }
    void onJobEnd(const JobEnd&) override { ++ends; }
  };
  auto echo = std::make_shared<Echo>();
  echo->bus = &bus;
  bus.addListener(echo);
  bus.start();
  auto t0 = std::chrono::steady_clock::now();
  bus.post(JobStart{1});
  ASSERT_TRUE(bus.waitUntilEmpty(10000));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(10));
  EXPECT_EQ(echo->ends, 5);
  EXPECT_EQ(bus.blockedPosts(), 0);
  EXPECT_EQ(bus.droppedEvents(), 0);
}

TEST(EventBusTest, ListenerMayPostAndRemoveItself) {
  EventBus bus;
  struct SelfRemover : EventListener {
    EventBus* bus = nullptr;
    std::shared_ptr<EventListener> self;
    int calls = 0;
    void onJobStart(const JobStart& e) override {
      ++calls;
      bus->post(JobEnd{e.jobId, true, "", 0});
      bus->removeListener(self);
      self.reset();
    }
  };
  auto remover = std::make_shared<SelfRemover>();
  remover->bus = &bus;
  remover->self = remover;
  struct EndCounter : EventListener {
    std::atomic<int> ends{0};
    void onJobEnd(const JobEnd&) override { ++ends; }
  };
  auto counter = std::make_shared<EndCounter>();
  bus.addListener(remover);
  bus.addListener(counter);
  bus.start();
  bus.post(JobStart{1});
  ASSERT_TRUE(bus.waitUntilEmpty(10000));
  bus.post(JobStart{2});
  ASSERT_TRUE(bus.waitUntilEmpty(10000));
  EXPECT_EQ(remover->calls, 1);
  EXPECT_EQ(counter->ends, 1);
}

TEST(EventBusTest, PostIsCheap) {
  // The scheduler posts a TaskStart and a TaskEnd per task; 100,000 tiny tasks post
  // 200,000 events. The target is < 0.5 us per post; the bound asserted is generous
  // because this machine is shared and the build may be unoptimised.
  constexpr int kTasks = 100000;
  EventBus bus(2 * kTasks + 10);
  struct Counter : EventListener {
    std::atomic<int64_t> n{0};
    void onTaskStart(const TaskStart&) override { ++n; }
    void onTaskEnd(const TaskEnd&) override { ++n; }
  };
  auto counter = std::make_shared<Counter>();
  bus.addListener(counter);
  bus.start();
  TaskStart start = taskStart(0);
  TaskEnd end = taskEnd(0);
  auto postAll = [&] {
    for (int i = 0; i < kTasks; ++i) {
      start.taskId = i;
      end.taskId = i;
      bus.post(start);
      bus.post(end);
    }
  };
  // The first round pays for growing the queue into fresh memory; a running application
  // reuses it, so the second round is the one measured.
  postAll();
  ASSERT_TRUE(bus.waitUntilEmpty(60000));
  auto t0 = std::chrono::steady_clock::now();
  postAll();
  auto t1 = std::chrono::steady_clock::now();
  ASSERT_TRUE(bus.waitUntilEmpty(60000));
  double nsPerPost = std::chrono::duration<double, std::nano>(t1 - t0).count() / (2.0 * kTasks);
  std::printf("EventBus::post: %.1f ns per event (%d events)\n", nsPerPost, 2 * kTasks);
  EXPECT_EQ(counter->n, 4 * kTasks);
  EXPECT_EQ(bus.droppedEvents(), 0);
  EXPECT_LT(nsPerPost, 5000.0);
}

// Overrides onEvents(): sees every event once, in order, in batches; throws on a batch
// containing task 5 after recording it (the rest of that batch is lost to it only).
class BatchRecorder : public EventListener {
 public:
  void onEvents(std::span<const SchedulerEvent> events) override {
    std::lock_guard lock(mu);
    ++batches;
    for (const auto& e : events) {
      if (const auto* t = std::get_if<TaskStart>(&e)) {
        ids.push_back(t->taskId);
        if (t->taskId == 5) throw std::runtime_error("batch listener failed");
      }
    }
  }
  std::mutex mu;
  int batches = 0;
  std::vector<int64_t> ids;
};

TEST(EventBusTest, BatchListenersSeeEveryEventInOrderAndFailuresStayWithThem) {
  EventBus bus;
  auto batch = std::make_shared<BatchRecorder>();
  auto plain = std::make_shared<Recorder>();
  auto thrower = std::make_shared<Thrower>();
  bus.addListener(batch);
  bus.addListener(thrower);
  bus.addListener(plain);
  // Posted before start(): one batch of 1000, delivered in chunks of a few hundred.
  for (int64_t i = 0; i < 1000; ++i) bus.post(taskStart(i));
  bus.start();
  ASSERT_TRUE(bus.waitUntilEmpty(10000));
  std::vector<int64_t> all(1000);
  for (int64_t i = 0; i < 1000; ++i) all[static_cast<size_t>(i)] = i;
  EXPECT_EQ(plain->ids(), all);     // the throwing listeners before it cost it nothing
  EXPECT_EQ(thrower->calls, 1000);  // its default onEvents() skips only the failed event
  std::lock_guard lock(batch->mu);
  EXPECT_GT(batch->batches, 1);
  EXPECT_LT(batch->batches, 1000);
  // Its first chunk ended at task 5 (it threw); the later chunks arrived whole.
  ASSERT_GE(batch->ids.size(), 6u);
  EXPECT_EQ(batch->ids.back(), 999);
  for (size_t i = 0; i < 6; ++i) EXPECT_EQ(batch->ids[i], static_cast<int64_t>(i));
  for (size_t i = 7; i < batch->ids.size(); ++i) EXPECT_GT(batch->ids[i], batch->ids[i - 1]);
}

TEST(EventBusTest, ZeroCapacityIsAConfigError) { EXPECT_THROW(EventBus(0), ConfigError); }

TEST(TaskMetricsTest, AddSumsAndKeepsPeak) {
  TaskMetrics a;
  EXPECT_EQ(a.recordsRead, 0);
  EXPECT_EQ(a.peakExecutionMemory, 0);
  TaskMetrics b;
  b.runTimeNs = 5;
  b.recordsRead = 10;
  b.shuffleBytesWritten = 100;
  b.diskBytesSpilled = 7;
  b.peakExecutionMemory = 300;
  TaskMetrics c;
  c.recordsRead = 1;
  c.peakExecutionMemory = 200;
  a.add(b);
  a.add(c);
  EXPECT_EQ(a.runTimeNs, 5);
  EXPECT_EQ(a.recordsRead, 11);
  EXPECT_EQ(a.shuffleBytesWritten, 100);
  EXPECT_EQ(a.diskBytesSpilled, 7);
  EXPECT_EQ(a.peakExecutionMemory, 300);
}

}  // namespace
}  // namespace ember
