// The UI store's task-event path (cached stage/job/executor rows, task rows in a
// TaskTable) under interleaved stages, a stage retry and executors coming and going.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "ember/ui/app_store.h"

namespace ember::ui {
namespace {

TaskMetrics records(int64_t n) {
  TaskMetrics m;
  m.recordsRead = n;
  m.runTimeNs = 2000000 * n;
  return m;
}

TEST(UiStoreTasks, InterleavedStagesAndARetryKeepEveryCounterExact) {
  AppStore store;
  deliverEvent(store, ApplicationStart{"a", "a", "local[2]", 1});
  deliverEvent(store, ExecutorAdded{"e1", "h1", 2, 1});
  deliverEvent(store, ExecutorAdded{"e2", "h2", 2, 1});
  // Two concurrent jobs, one stage each; their task events interleave.
  deliverEvent(store, JobStart{0, "j0", "j0", "", {0}, 10, {{0, "s0", 4, {}, {}}}});
  deliverEvent(store, JobStart{1, "j1", "j1", "", {1}, 10, {{1, "s1", 4, {}, {}}}});
  deliverEvent(store, StageSubmitted{0, 0, "s0", 4, {}, "", 10});
  deliverEvent(store, StageSubmitted{1, 0, "s1", 4, {}, "", 10});
  for (int p = 0; p < 4; ++p) {
    const std::string exec = p % 2 ? "e2" : "e1";
    deliverEvent(store, TaskStart{0, 0, 100 + p, p, 0, exec, 11});
    deliverEvent(store, TaskStart{1, 0, 200 + p, p, 0, exec, 11});
  }
  // Stage 0's task 103 fails; the others succeed, ending in reverse order.
  for (int p = 3; p >= 0; --p) {
    const std::string exec = p % 2 ? "e2" : "e1";
    const bool ok = p != 3;
    deliverEvent(store, TaskEnd{0, 0, 100 + p, p, 0, exec, ok,
                                ok ? "Success" : "ExceptionFailure: x", records(p + 1), 12});
    deliverEvent(store, TaskEnd{1, 0, 200 + p, p, 0, exec, true, "Success", records(10), 12});
  }
  deliverEvent(store, StageCompleted{1, 0, "s1", 4, true, "", {}, 13});
  deliverEvent(store, JobEnd{1, true, "", 13});
  // Stage 0 is retried (attempt 1) for its failed partition, on an executor first seen
  // in a TaskStart.
  deliverEvent(store, StageCompleted{0, 0, "s0", 4, false, "x", {}, 13});
  deliverEvent(store, StageSubmitted{0, 1, "s0", 1, {}, "", 14});
  deliverEvent(store, TaskStart{0, 1, 300, 3, 1, "e3", 15});
  deliverEvent(store, TaskEnd{0, 1, 300, 3, 1, "e3", true, "Success", records(4), 16});
  deliverEvent(store, StageCompleted{0, 1, "s0", 1, true, "", {}, 17});
  deliverEvent(store, JobEnd{0, true, "", 17});

  store.read([](const AppState& s) {
    const StageRow& s00 = s.stages.at({0, 0});
    EXPECT_EQ(s00.completedTasks, 3);
    EXPECT_EQ(s00.failedTasks, 1);
    EXPECT_EQ(s00.activeTasks, 0);
    EXPECT_EQ(s00.totals.recordsRead, 1 + 2 + 3 + 4);
    ASSERT_EQ(s00.tasks.size(), 4u);
    EXPECT_EQ(s00.tasks.find(103)->status, "FAILED");
    EXPECT_EQ(s00.tasks.find(103)->error, "ExceptionFailure: x");
    EXPECT_EQ(s00.tasks.find(100)->status, "SUCCESS");
    EXPECT_EQ(s00.tasks.find(100)->finishTime, 12);
    const StageRow& s01 = s.stages.at({0, 1});
    EXPECT_EQ(s01.completedTasks, 1);
    EXPECT_EQ(s01.tasks.find(300)->attempt, 1);
    EXPECT_EQ(s01.tasks.find(300)->executorId, "e3");
    EXPECT_EQ(s.stages.at({1, 0}).totals.recordsRead, 40);

    const JobRow& j0 = s.jobs.at(0);
    EXPECT_EQ(j0.numCompletedTasks, 4);
    EXPECT_EQ(j0.numFailedTasks, 1);
    EXPECT_EQ(j0.numActiveTasks, 0);
    EXPECT_EQ(j0.numTasks, 5);
    EXPECT_EQ(s.jobs.at(1).numCompletedTasks, 4);

    EXPECT_EQ(s.executors.at("e1").completedTasks, 4);  // partitions 0 and 2 of both stages
    EXPECT_EQ(s.executors.at("e2").completedTasks, 3);
    EXPECT_EQ(s.executors.at("e2").failedTasks, 1);
    EXPECT_EQ(s.executors.at("e2").totals.recordsRead, 2 + 4 + 10 + 10);
    EXPECT_EQ(s.executors.at("e3").completedTasks, 1);
    EXPECT_EQ(s.executors.at("e3").totalDurationMs, 8);
    for (const auto& [id, x] : s.executors) EXPECT_EQ(x.activeTasks, 0) << id;
    EXPECT_EQ(s.totalTasksEnded, 9);
    EXPECT_EQ(s.totalTasksFailed, 1);
  });
}

TEST(UiStoreTasks, RetentionAcrossStagesKeepsTheNewestRowsAndRunningOnes) {
  AppStore store(RetentionLimits{10, 10, 6, 10});
  deliverEvent(store,
               JobStart{0, "j", "j", "", {0, 1}, 1, {{0, "a", 5, {}, {}}, {1, "b", 5, {}, {}}}});
  deliverEvent(store, StageSubmitted{0, 0, "a", 5, {}, "", 1});
  for (int64_t t = 0; t < 5; ++t)
    deliverEvent(store, TaskStart{0, 0, t, static_cast<int>(t), 0, "d", 2});
  // Task 0 keeps running; the others end.
  for (int64_t t = 1; t < 5; ++t)
    deliverEvent(store, TaskEnd{0, 0, t, static_cast<int>(t), 0, "d", true, "Success", {}, 3});
  deliverEvent(store, StageSubmitted{1, 0, "b", 5, {}, "", 4});
  for (int64_t t = 10; t < 15; ++t) {
    deliverEvent(store, TaskStart{1, 0, t, static_cast<int>(t - 10), 0, "d", 5});
    deliverEvent(store, TaskEnd{1, 0, t, static_cast<int>(t - 10), 0, "d", true, "Success", {}, 6});
  }
  store.read([](const AppState& s) {
    std::vector<int64_t> kept;
    for (const auto& [key, st] : s.stages)
      for (const auto& [id, row] : st.tasks) kept.push_back(id);
    // 10 rows started, 6 retained: the running task 0 and the five newest.
    EXPECT_EQ(kept, (std::vector<int64_t>{0, 10, 11, 12, 13, 14}));
    EXPECT_EQ(s.stages.at({0, 0}).completedTasks, 4);
  });
  deliverEvent(store, TaskEnd{0, 0, 0, 0, 0, "d", true, "Success", {}, 7});
  store.read([](const AppState& s) {
    EXPECT_EQ(s.stages.at({0, 0}).tasks.find(0)->status, "SUCCESS");
    EXPECT_EQ(s.stages.at({0, 0}).activeTasks, 0);
  });
}

// The bus hands the store batches (one lock each); the result must be what one event at
// a time gives. Task rows view their executor's id: it must survive the executor leaving
// and coming back (a long id, kept outside the string object).
TEST(UiStoreTasks, BatchesMatchSingleEventsAndExecutorIdsSurviveReAdding) {
  const std::string longId = "executor-with-a-long-id-17";
  std::vector<SchedulerEvent> events{ApplicationStart{"a", "a", "local[2]", 1},
                                     ExecutorAdded{longId, "h1", 2, 1},
                                     JobStart{0, "j", "j", "", {0}, 2, {{0, "s", 300, {}, {}}}},
                                     StageSubmitted{0, 0, "s", 300, {}, "", 2}};
  for (int64_t t = 0; t < 300; ++t) {
    events.push_back(TaskStart{0, 0, t, static_cast<int>(t), 0, t % 3 ? longId : "d", 3});
    if (t == 100) events.push_back(ExecutorRemoved{longId, "lost", 3});
    if (t == 101) events.push_back(ExecutorAdded{longId, "h2", 4, 3});
    events.push_back(TaskEnd{0, 0, t, static_cast<int>(t), 0, t % 3 ? longId : "d", t != 7,
                             t != 7 ? "Success" : "ExceptionFailure: boom", records(1), 4});
  }
  events.push_back(StageCompleted{0, 0, "s", 300, false, "boom", {}, 5});
  events.push_back(JobEnd{0, false, "boom", 5});

  AppStore single;
  for (const auto& e : events) deliverEvent(single, e);
  AppStore batched;
  for (size_t i = 0; i < events.size(); i += 64)
    batched.onEvents({events.data() + i, std::min<size_t>(64, events.size() - i)});

  auto summary = [](const AppState& s) {
    std::string out;
    for (const auto& [key, st] : s.stages) {
      out += st.status + " " + std::to_string(st.completedTasks) + "/" +
             std::to_string(st.failedTasks) + " " + std::to_string(st.totals.recordsRead) + ";";
      for (const auto& [id, row] : st.tasks)
        out += std::to_string(id) + ":" + std::string(row.executorId) + ":" +
               std::string(row.status) + ":" + row.error + ";";
    }
    for (const auto& [id, x] : s.executors)
      out += id + " " + x.host + " " + std::to_string(x.completedTasks) + ";";
    for (const auto& [id, j] : s.jobs) out += j.status + std::to_string(j.numCompletedTasks);
    return out;
  };
  const std::string expected = single.read(summary);
  EXPECT_EQ(batched.read(summary), expected);
  batched.read([&](const AppState& s) {
    const StageRow& st = s.stages.at({0, 0});
    ASSERT_EQ(st.tasks.size(), 300u);
    EXPECT_EQ(st.tasks.find(1)->executorId, longId);    // started before the re-add
    EXPECT_EQ(st.tasks.find(299)->executorId, longId);  // and after
    EXPECT_EQ(st.tasks.find(3)->executorId, "d");       // first seen in a TaskStart
    EXPECT_EQ(st.tasks.find(7)->status, "FAILED");
    EXPECT_EQ(st.tasks.find(7)->error, "ExceptionFailure: boom");
    EXPECT_EQ(s.executors.at(longId).host, "h2");
  });
}

}  // namespace
}  // namespace ember::ui
