// The UI's state of one application (Spark's AppStatusStore): jobs, stages, tasks,
// executors and SQL executions, built from scheduler events (core/events.h). The live UI
// feeds it from the event bus; the history server feeds it from an event log, so both
// answer the same questions the same way.
//
// Memory is bounded by retention limits as in Spark: at most `retainedJobs` finished
// jobs, `retainedStages` finished stage attempts, `retainedTasks` task rows in all (the
// oldest go first; a stage's totals and counters stay exact after its task rows go) and
// `retainedSqlExecutions` finished SQL executions. Running ones are never dropped.
//
// Cost: the task events are the bulk (two per task, 200,000 for a job of 100,000 tiny
// tasks), so their callbacks touch no tree: the stage attempt, its running jobs and the
// executor of the previous task event are cached, task rows live in a TaskTable
// (task_table.h), and stage/job/executor totals are updated incrementally.
//
// Threading: the callbacks are called by one thread (the bus dispatcher or the replay);
// readers on other threads (HTTP handlers) use read(), which runs a function under the
// store's lock. Keep such functions short (render, do not block).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "ember/core/events.h"
#include "ember/ui/task_table.h"

namespace ember::ui {

struct RetentionLimits {
  int retainedJobs = 1000;
  int retainedStages = 1000;
  int retainedTasks = 100000;
  int retainedSqlExecutions = 1000;
};

struct StageRow {
  int stageId = 0;
  int attempt = 0;
  std::string name;
  std::string details;
  int numTasks = 0;
  std::vector<int> parentStageIds;
  std::vector<int> jobIds;
  std::vector<RddInfo> rdds;
  std::string status;  // ACTIVE, COMPLETE, FAILED
  int64_t submissionTime = 0;
  int64_t firstTaskLaunchedTime = 0;
  int64_t completionTime = 0;
  std::string failureReason;
  int activeTasks = 0;
  int completedTasks = 0;
  int failedTasks = 0;
  int killedTasks = 0;
  TaskMetrics totals;  // of finished tasks, summed as TaskEnd events arrive
  TaskTable tasks;     // by task id; may miss rows dropped by retention
};

struct JobRow {
  int jobId = 0;
  std::string description;
  std::string callSite;
  std::string jobGroup;
  std::vector<int> stageIds;
  std::vector<StageInfo> stageInfos;
  std::string status;  // RUNNING, SUCCEEDED, FAILED
  int64_t submissionTime = 0;
  int64_t completionTime = 0;
  std::string error;
  int numTasks = 0;  // of the stages not skipped
  int numActiveTasks = 0;
  int numCompletedTasks = 0;
  int numFailedTasks = 0;
  int numKilledTasks = 0;
  std::set<int> activeStages;
  std::set<int> completedStages;
  std::set<int> failedStages;
};

struct ExecutorRow {
  std::string id;
  std::string host;
  int cores = 0;
  bool active = true;
  int64_t addTime = 0;
  int64_t removeTime = 0;
  std::string removeReason;
  int activeTasks = 0;
  int completedTasks = 0;
  int failedTasks = 0;
  int64_t totalDurationMs = 0;
  TaskMetrics totals;
};

struct SqlRow {
  int64_t executionId = 0;
  std::string description;
  std::vector<SqlPlanNode> nodes;
  std::vector<SqlPlanEdge> edges;
  std::string status;  // RUNNING, COMPLETED, FAILED
  int64_t submissionTime = 0;
  int64_t completionTime = 0;
  std::string error;
  std::vector<SqlNodeMetrics> metrics;
  std::vector<int> jobIds;  // jobs that started while the execution ran
};

// Everything the UI renders. Stage attempts are keyed by (stageId, attempt).
struct AppState {
  std::string appId;
  std::string appName;
  std::string master;
  int64_t startTime = 0;
  int64_t endTime = 0;                                           // 0 while running
  int64_t lastUpdated = 0;                                       // time of the latest event
  std::vector<std::pair<std::string, std::string>> environment;  // redacted config
  std::map<int, JobRow> jobs;
  std::map<std::pair<int, int>, StageRow> stages;
  std::map<int, StageInfo> stageInfos;  // from JobStart, for stages never submitted
  std::map<std::string, ExecutorRow> executors;
  std::map<int, RddInfo> persistedRdds;  // RDDs with a storage level, by id (names)
  std::map<int64_t, SqlRow> sql;
  int64_t totalTasksEnded = 0;  // counters for the Prometheus endpoint (never dropped)
  int64_t totalTasksFailed = 0;
  int64_t totalJobsSucceeded = 0;
  int64_t totalJobsFailed = 0;
  int64_t totalStagesCompleted = 0;
  int64_t totalStagesFailed = 0;
  TaskMetrics totalMetrics;

  bool live() const { return endTime == 0; }
  bool hasRunningJobs() const;
  // Latest attempt of a stage, or null.
  const StageRow* latestAttempt(int stageId) const;
  // PENDING/SKIPPED/ACTIVE/COMPLETE/FAILED of a stage as seen by one job: an attempt
  // submitted before the job started does not count for it (the job skipped the stage).
  std::string stageStatusForJob(const JobRow& job, int stageId) const;
};

class AppStore : public EventListener {
 public:
  explicit AppStore(RetentionLimits limits = {});

  void onApplicationStart(const ApplicationStart& e) override;
  void onApplicationEnd(const ApplicationEnd& e) override;
  void onExecutorAdded(const ExecutorAdded& e) override;
  void onExecutorRemoved(const ExecutorRemoved& e) override;
  void onJobStart(const JobStart& e) override;
  void onJobEnd(const JobEnd& e) override;
  void onStageSubmitted(const StageSubmitted& e) override;
  void onStageCompleted(const StageCompleted& e) override;
  void onTaskStart(const TaskStart& e) override;
  void onTaskEnd(const TaskEnd& e) override;
  void onSqlExecutionStart(const SqlExecutionStart& e) override;
  void onSqlExecutionEnd(const SqlExecutionEnd& e) override;
  // Applies a batch under one acquisition of the store's lock (the bus's batches are at
  // most a few hundred events, so readers wait microseconds).
  void onEvents(std::span<const SchedulerEvent> events) override;
  void setEnvironment(std::vector<std::pair<std::string, std::string>> env);

  template <class F>
  auto read(F&& f) const {
    std::lock_guard lock(mu_);
    return f(static_cast<const AppState&>(s_));
  }

 private:
  // The store's lock for one callback, unless onEvents() holds it already.
  class Lock {
   public:
    explicit Lock(AppStore& s) : mu_(s.inBatch_ ? nullptr : &s.mu_) {
      if (mu_) mu_->lock();
    }
    ~Lock() {
      if (mu_) mu_->unlock();
    }
    Lock(const Lock&) = delete;
    Lock& operator=(const Lock&) = delete;

   private:
    std::mutex* mu_;
  };

  void touch(int64_t time);
  struct StageCache {
    uint64_t generation = 0;  // valid while equal to generation_
    std::pair<int, int> key{-1, -1};
    StageRow* row = nullptr;
  };
  // The stage attempt's row or null, through a one-entry cache (task events come in
  // runs of the same stage; retention trims runs of an older one).
  StageRow* stageRow(int stageId, int attempt, StageCache& cache);
  // The running jobs that contain the stage, cached likewise.
  const std::vector<JobRow*>& activeJobsOfCached(int stageId);
  ExecutorRow* executorRow(const std::string& id);
  // Drops the caches: called on any change that may move or remove rows.
  void invalidate() { ++generation_; }
  void trimJobs();
  void trimStages();
  void trimTasks();
  void trimSql();
  // Calls f(JobRow&) for each running job that contains the stage.
  template <class F>
  void forActiveJobsOf(int stageId, F&& f) {
    auto a = activeJobsByStage_.find(stageId);
    if (a == activeJobsByStage_.end()) return;
    for (int jobId : a->second) {
      auto j = s_.jobs.find(jobId);
      if (j != s_.jobs.end()) f(j->second);
    }
  }

  const RetentionLimits limits_;
  mutable std::mutex mu_;
  // Set while onEvents() holds mu_; read and written only by the callbacks' thread.
  bool inBatch_ = false;
  AppState s_;
  std::deque<int> finishedJobs_;                         // in finishing order, for retention
  std::deque<std::pair<int, int>> finishedStages_;       // likewise
  std::deque<std::tuple<int, int, int64_t>> taskOrder_;  // (stage, attempt, task) by start
  std::deque<int64_t> finishedSql_;
  std::map<int, std::vector<int>> activeJobsByStage_;  // stage id -> running jobs

  // Caches of the task-event path, valid while their generation equals generation_.
  uint64_t generation_ = 1;
  StageCache taskStage_;  // of the latest task event
  StageCache trimStage_;  // of the latest row dropped by retention
  uint64_t jobsCacheGeneration_ = 0;
  int cachedJobsStage_ = -1;
  std::vector<JobRow*> cachedJobs_;
  ExecutorRow* cachedExecutor_ = nullptr;  // executors are never erased: no generation
};

}  // namespace ember::ui
