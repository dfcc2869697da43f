// The UI store and the event log without a Context: JSON round trips of every event
// type, zstd logs, .inprogress tolerance, retention limits.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "ember/common/errors.h"
#include "ember/ui/event_log.h"
#include "ember/ui/history.h"
#include "ember/ui/rest_api.h"

namespace ember::ui {
namespace {

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    path = std::filesystem::temp_directory_path() /
           ("ember-ui-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

TaskMetrics someMetrics(int64_t k) {
  TaskMetrics m;
  m.runTimeNs = 1000000 * k;
  m.recordsRead = k;
  m.bytesRead = 10 * k;
  m.shuffleBytesWritten = 7 * k;
  m.memoryBytesSpilled = 3 * k;
  m.peakExecutionMemory = 100 * k;
  return m;
}

// One small application: a two-stage job that succeeds, a job that fails, a SQL query.
std::vector<SchedulerEvent> sampleEvents() {
  std::vector<SchedulerEvent> ev;
  ev.push_back(ApplicationStart{"local-1", "test \"app\"\n", "local[2]", 1000});
  ev.push_back(ExecutorAdded{"driver", "localhost", 2, 1000});
  StageInfo s0{0, "map at a.cpp:1", 2, {}, {{0, "parallelize", "a.cpp:1", 2, "", {}}}};
  StageInfo s1{1, "collect at a.cpp:2", 2, {0}, {{2, "reduceByKey", "a.cpp:2", 2, "", {1}}}};
  ev.push_back(
      SqlExecutionStart{5, "SELECT 1", {{0, "Scan", "t"}, {1, "Project", "x"}}, {{0, 1}}, 1050});
  ev.push_back(
      JobStart{0, "collect at a.cpp:2", "collect at a.cpp:2", "g", {0, 1}, 1100, {s0, s1}});
  for (int st = 0; st < 2; ++st) {
    ev.push_back(StageSubmitted{st, 0, st ? "collect at a.cpp:2" : "map at a.cpp:1", 2,
                                st ? std::vector<int>{0} : std::vector<int>{}, "lineage", 1100});
    for (int p = 0; p < 2; ++p) {
      int64_t tid = st * 2 + p;
      ev.push_back(TaskStart{st, 0, tid, p, 0, "driver", 1100 + tid});
      ev.push_back(
          TaskEnd{st, 0, tid, p, 0, "driver", true, "Success", someMetrics(tid + 1), 1150 + tid});
    }
    ev.push_back(StageCompleted{st, 0, "", 2, true, "", {}, 1200});
  }
  ev.push_back(JobEnd{0, true, "", 1200});
  ev.push_back(JobStart{1, "count", "count", "", {2}, 1300, {{2, "count", 1, {}, {}}}});
  ev.push_back(StageSubmitted{2, 0, "count", 1, {}, "", 1300});
  ev.push_back(TaskStart{2, 0, 4, 0, 0, "driver", 1301});
  ev.push_back(TaskEnd{2, 0, 4, 0, 0, "driver", false, "ExceptionFailure: boom", {}, 1302});
  ev.push_back(StageCompleted{2, 0, "count", 1, false, "boom", {}, 1303});
  ev.push_back(JobEnd{1, false, "Job 1 aborted: boom", 1303});
  ev.push_back(SqlExecutionEnd{5, true, "", {{0, 10, 2000000, 64, 0}, {1, 10, 0, 0, 5}}, 1400});
  ev.push_back(ApplicationEnd{1500});
  return ev;
}

std::string restOf(const AppStore& store, const std::string& path) {
  return store.read([&](const AppState& s) {
    auto a = restAnswer(s, path, {}, {});
    return a ? a->dump() : std::string("<404>");
  });
}

TEST(UiEventLog, EveryEventRoundTripsThroughJson) {
  for (const auto& e : sampleEvents()) {
    std::string line;
    appendEventJson(e, line);
    ASSERT_EQ(line.back(), '\n');
    EXPECT_EQ(line.find('\n'), line.size() - 1) << "one line per event: " << line;
    auto back = parseEventJson(std::string_view(line).substr(0, line.size() - 1));
    ASSERT_TRUE(back.has_value());
    std::string again;
    appendEventJson(std::get<SchedulerEvent>(*back), again);
    EXPECT_EQ(line, again);
  }
}

TEST(UiEventLog, UnknownEventsAreSkippedAndGarbageIsAnError) {
  EXPECT_FALSE(parseEventJson(R"({"Event":"FromTheFuture","x":1})").has_value());
  EXPECT_THROW(parseEventJson("{not json"), IoError);
  EXPECT_THROW(parseEventJson(R"({"jobId":1})"), IoError);
  EXPECT_THROW(parseEventJson(R"({"Event":"JobEnd","jobId":"one"})"), IoError);
}

void writeLog(const std::string& dir, bool compress) {
  EventLogWriter w(dir, "local-1", compress, EnvironmentUpdate{{{"ember.master", "local[2]"}}});
  for (const auto& e : sampleEvents()) deliverEvent(w, e);
  w.stop();
}

TEST(UiEventLog, ReplayedLogGivesTheSameAnswersAsTheEvents) {
  for (bool compress : {false, true}) {
    TempDir dir;
    writeLog(dir.path.string(), compress);
    auto logs = listEventLogs(dir.path.string());
    ASSERT_EQ(logs.size(), 1u);
    EXPECT_EQ(logs[0], (dir.path / (compress ? "local-1.zst" : "local-1")).string());
    EXPECT_EQ(appIdOfLog(logs[0]), "local-1");
    AppStore direct;
    for (const auto& e : sampleEvents()) deliverEvent(direct, e);
    direct.setEnvironment({{"ember.master", "local[2]"}});
    auto replayed = loadEventLog(logs[0]);
    for (const char* path : {"", "jobs", "jobs/1", "stages", "stages/1/0", "stages/1/0/taskList",
                             "stages/0/0/taskSummary", "executors", "environment", "sql"})
      EXPECT_EQ(restOf(direct, path), restOf(*replayed, path)) << path;
  }
}

TEST(UiEventLog, InProgressLogIsReadableUpToItsLastFlush) {
  TempDir dir;
  {
    EventLogWriter w(dir.path.string(), "local-1", false, {});
    auto events = sampleEvents();
    ASSERT_TRUE(std::holds_alternative<JobEnd>(events[16]));
    for (int i = 0; i < 17; ++i) deliverEvent(w, events[i]);  // through the first JobEnd
    auto logs = listEventLogs(dir.path.string());
    ASSERT_EQ(logs.size(), 1u);
    EXPECT_EQ(logs[0], (dir.path / "local-1.inprogress").string());
    // A half-written last line (the writer mid-block) is ignored.
    std::ofstream(logs[0], std::ios::app) << R"({"Event":"TaskSt)";
    auto store = loadEventLog(logs[0]);
    EXPECT_EQ(store->read([](const AppState& s) { return s.jobs.at(0).status; }), "SUCCEEDED");
    EXPECT_TRUE(store->read([](const AppState& s) { return s.live(); }));
  }
  // The writer's stop (destructor) renamed it.
  EXPECT_TRUE(std::filesystem::exists(dir.path / "local-1"));
}

TEST(UiEventLog, SameApplicationIdNeverOverwritesALog) {
  TempDir dir;
  EventLogWriter a(dir.path.string(), "local-1", false, {});
  EventLogWriter b(dir.path.string(), "local-1", false, {});
  a.stop();
  b.stop();
  EXPECT_EQ(a.path(), (dir.path / "local-1").string());
  EXPECT_EQ(b.path(), (dir.path / "local-1_1").string());
  EXPECT_EQ(listEventLogs(dir.path.string()).size(), 2u);
}

TEST(UiEventLog, FinishedLogWithGarbageNamesFileAndLine) {
  TempDir dir;
  std::ofstream(dir.path / "local-9") << R"({"Event":"ApplicationEnd","time":1})"
                                      << "\nnope\n";
  try {
    loadEventLog((dir.path / "local-9").string());
    FAIL() << "expected IoError";
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("line 2"), std::string::npos) << e.what();
  }
}

TEST(UiStore, CountsJobsStagesAndTasks) {
  AppStore store;
  for (const auto& e : sampleEvents()) deliverEvent(store, e);
  store.read([](const AppState& s) {
    EXPECT_EQ(s.appName, "test \"app\"\n");
    const JobRow& ok = s.jobs.at(0);
    EXPECT_EQ(ok.status, "SUCCEEDED");
    EXPECT_EQ(ok.numTasks, 4);
    EXPECT_EQ(ok.numCompletedTasks, 4);
    EXPECT_EQ(ok.completedStages.size(), 2u);
    const JobRow& bad = s.jobs.at(1);
    EXPECT_EQ(bad.status, "FAILED");
    EXPECT_EQ(bad.numFailedTasks, 1);
    EXPECT_EQ(bad.error, "Job 1 aborted: boom");
    EXPECT_EQ(s.stages.at({1, 0}).totals.shuffleBytesWritten, 7 * (3 + 4));
    EXPECT_EQ(s.executors.at("driver").completedTasks, 4);
    EXPECT_EQ(s.executors.at("driver").failedTasks, 1);
    EXPECT_EQ(s.sql.at(5).jobIds, std::vector<int>({0, 1}));
    EXPECT_EQ(s.totalTasksEnded, 5);
  });
  Json summary = Json::parse(restOf(store, "stages/0/0/taskSummary"));
  EXPECT_EQ(summary["inputMetrics"]["recordsRead"], Json::array({1.0, 1.25, 1.5, 1.75, 2.0}));
}

TEST(UiStore, ExecutorFirstSeenInATaskIsListedAndCompletedByItsAddedEvent) {
  AppStore store;
  deliverEvent(store, JobStart{0, "j", "j", "", {0}, 10, {{0, "s", 1, {}, {}}}});
  deliverEvent(store, StageSubmitted{0, 0, "s", 1, {}, "", 10});
  deliverEvent(store, TaskStart{0, 0, 0, 0, 0, "exec-1", 11});
  EXPECT_EQ(store.read([](const AppState& s) { return s.executors.at("exec-1").activeTasks; }), 1);
  deliverEvent(store, ExecutorAdded{"exec-1", "node7", 4, 12});
  deliverEvent(store, TaskEnd{0, 0, 0, 0, 0, "exec-1", true, "Success", {}, 13});
  store.read([](const AppState& s) {
    const ExecutorRow& x = s.executors.at("exec-1");
    EXPECT_EQ(x.host, "node7");
    EXPECT_EQ(x.cores, 4);
    EXPECT_EQ(x.activeTasks, 0);
    EXPECT_EQ(x.completedTasks, 1);
  });
}

TEST(UiStore, RetentionDropsOldestFinishedJobsStagesAndTasks) {
  AppStore store(RetentionLimits{2, 3, 5, 1});
  deliverEvent(store, ApplicationStart{"a", "a", "local", 0});
  int64_t tid = 0;
  for (int job = 0; job < 6; ++job) {
    deliverEvent(store, JobStart{job, "j", "j", "", {job}, 10, {{job, "s", 4, {}, {}}}});
    deliverEvent(store, StageSubmitted{job, 0, "s", 4, {}, "", 10});
    for (int p = 0; p < 4; ++p) deliverEvent(store, TaskStart{job, 0, tid++, p, 0, "driver", 11});
    // A running task's row is kept even past the limit.
    EXPECT_EQ(store.read([&](const AppState& s) {
      return s.stages.at({job, 0}).tasks.size();
    }),
              4u);
    for (int p = 0; p < 4; ++p)
      deliverEvent(store, TaskEnd{job, 0, tid - 4 + p, p, 0, "driver", true, "Success", {}, 12});
    deliverEvent(store, StageCompleted{job, 0, "s", 4, true, "", {}, 13});
    deliverEvent(store, JobEnd{job, true, "", 13});
  }
  store.read([](const AppState& s) {
    EXPECT_EQ(s.jobs.size(), 2u);
    EXPECT_TRUE(s.jobs.contains(5));
    EXPECT_EQ(s.stages.size(), 3u);
    size_t tasks = 0;
    for (const auto& [k, st] : s.stages) {
      tasks += st.tasks.size();
      EXPECT_EQ(st.completedTasks, 4);  // counters stay exact
    }
    EXPECT_LE(tasks, 5u);
    EXPECT_EQ(s.stageInfos.size(), 3u);  // infos of dropped stages go with their jobs
    EXPECT_EQ(s.totalTasksEnded, 24);
  });
}

}  // namespace
}  // namespace ember::ui
