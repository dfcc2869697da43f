// The hand-written JSON of the task events (event_json.h's fast path): extreme numbers,
// strings that need escaping, and the length bound the event log's buffer relies on.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "ember/ui/event_json.h"

namespace ember::ui {
namespace {

TaskMetrics allMetrics(int64_t v) {
  TaskMetrics m;
  m.runTimeNs = v;
  m.recordsRead = v;
  m.bytesRead = v;
  m.recordsWritten = v;
  m.bytesWritten = v;
  m.shuffleRecordsRead = v;
  m.shuffleBytesRead = v;
  m.shuffleRecordsWritten = v;
  m.shuffleBytesWritten = v;
  m.memoryBytesSpilled = v;
  m.diskBytesSpilled = v;
  m.resultBytes = v;
  m.peakExecutionMemory = v;
  return m;
}

std::vector<SchedulerEvent> awkwardTaskEvents() {
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int kIntMin = std::numeric_limits<int>::min();
  const std::string nasty = "quote\" backslash\\ newline\n tab\t bell\x07 nul-free \x1f end";
  const std::string utf8 = "exécuteur-\xe6\x97\xa5\xe6\x9c\xac";
  std::vector<SchedulerEvent> ev;
  ev.push_back(TaskStart{kIntMin, kIntMin, kMin, kIntMin, kIntMin, nasty, kMin});
  ev.push_back(TaskStart{0, 0, 0, 0, 0, "", 0});
  ev.push_back(TaskStart{1, 2, 3, 4, 5, utf8, 6});
  ev.push_back(TaskEnd{7, 1, kMax, 3, 2, nasty, false, nasty + nasty, allMetrics(kMin), kMax});
  ev.push_back(TaskEnd{7, 1, 9, 3, 2, "driver", true, "Success", allMetrics(kMax), 1});
  ev.push_back(TaskEnd{7, 1, 9, 3, 2, std::string(300, '"'), false, std::string(1000, '\x01'),
                       TaskMetrics{}, 1});
  return ev;
}

TEST(UiEventJson, TaskEventsRoundTripWithExtremeValuesAndEscapes) {
  for (const auto& e : awkwardTaskEvents()) {
    std::string line;
    appendEventJson(e, line);
    ASSERT_EQ(line.back(), '\n');
    EXPECT_EQ(line.find('\n'), line.size() - 1) << "one line per event: " << line;
    EXPECT_LE(line.size(), taskEventJsonBound(e));
    auto back = parseEventJson(std::string_view(line).substr(0, line.size() - 1));
    ASSERT_TRUE(back.has_value()) << line;
    const auto& got = std::get<SchedulerEvent>(*back);
    ASSERT_EQ(got.index(), e.index());
    if (const auto* t = std::get_if<TaskStart>(&e)) {
      const auto& g = std::get<TaskStart>(got);
      EXPECT_EQ(g.stageId, t->stageId);
      EXPECT_EQ(g.stageAttempt, t->stageAttempt);
      EXPECT_EQ(g.taskId, t->taskId);
      EXPECT_EQ(g.partition, t->partition);
      EXPECT_EQ(g.attempt, t->attempt);
      EXPECT_EQ(g.executorId, t->executorId);
      EXPECT_EQ(g.time, t->time);
    } else {
      const auto& want = std::get<TaskEnd>(e);
      const auto& g = std::get<TaskEnd>(got);
      EXPECT_EQ(g.taskId, want.taskId);
      EXPECT_EQ(g.executorId, want.executorId);
      EXPECT_EQ(g.succeeded, want.succeeded);
      EXPECT_EQ(g.reason, want.reason);
      EXPECT_EQ(g.time, want.time);
      EXPECT_EQ(g.metrics.runTimeNs, want.metrics.runTimeNs);
      EXPECT_EQ(g.metrics.shuffleRecordsWritten, want.metrics.shuffleRecordsWritten);
      EXPECT_EQ(g.metrics.peakExecutionMemory, want.metrics.peakExecutionMemory);
      EXPECT_EQ(g.metrics.diskBytesSpilled, want.metrics.diskBytesSpilled);
    }
    // The writers' raw-buffer path gives the very same bytes.
    std::string raw(taskEventJsonBound(e), '\0');
    raw.resize(static_cast<size_t>(writeTaskEventJson(e, raw.data()) - raw.data()));
    EXPECT_EQ(raw, line);
  }
}

TEST(UiEventJson, OnlyTaskEventsTakeTheFastPath) {
  EXPECT_EQ(taskEventJsonBound(JobEnd{1, true, "", 2}), 0u);
  EXPECT_EQ(taskEventJsonBound(ApplicationEnd{3}), 0u);
  EXPECT_GT(taskEventJsonBound(TaskStart{}), 0u);
}

}  // namespace
}  // namespace ember::ui
