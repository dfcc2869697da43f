#include "ember/ui/app_store.h"

#include <algorithm>

namespace ember::ui {

namespace {
bool isKilled(const std::string& reason) { return reason.rfind("TaskKilled", 0) == 0; }
}  // namespace

bool AppState::hasRunningJobs() const {
  return std::any_of(jobs.begin(), jobs.end(),
                     [](const auto& kv) { return kv.second.status == "RUNNING"; });
}

const StageRow* AppState::latestAttempt(int stageId) const {
  auto it = stages.upper_bound({stageId, INT32_MAX});
  if (it == stages.begin()) return nullptr;
  --it;
  return it->first.first == stageId ? &it->second : nullptr;
}

std::string AppState::stageStatusForJob(const JobRow& job, int stageId) const {
  const StageRow* s = latestAttempt(stageId);
  if (s && s->submissionTime >= job.submissionTime &&
      std::find(s->jobIds.begin(), s->jobIds.end(), job.jobId) != s->jobIds.end())
    return s->status;
  return job.status == "RUNNING" ? "PENDING" : "SKIPPED";
}

AppStore::AppStore(RetentionLimits limits) : limits_(limits) {}

void AppStore::touch(int64_t time) { s_.lastUpdated = std::max(s_.lastUpdated, time); }

void AppStore::onApplicationStart(const ApplicationStart& e) {
  Lock lock(*this);
  // The UI plugin seeds the start it missed; the bus may still deliver it afterwards.
  if (s_.appId == e.appId) return;
  s_.appId = e.appId;
  s_.appName = e.appName;
  s_.master = e.master;
  s_.startTime = e.time;
  touch(e.time);
}

void AppStore::onApplicationEnd(const ApplicationEnd& e) {
  Lock lock(*this);
  s_.endTime = e.time;
  touch(e.time);
}

void AppStore::onExecutorAdded(const ExecutorAdded& e) {
  Lock lock(*this);
  auto it = s_.executors.find(e.executorId);
  if (it != s_.executors.end() && it->second.active) {
    if (!it->second.host.empty()) return;  // a duplicate of the plugin's seed
    it->second.host = e.host;              // first seen in a TaskStart: keep its counters
    it->second.cores = e.cores;
    touch(e.time);
    return;
  }
  auto [row, inserted] = s_.executors.try_emplace(e.executorId);
  ExecutorRow& x = row->second;
  if (inserted) {
    x.id = e.executorId;
  } else {
    // Re-added: task rows view x.id's characters (TaskRow::executorId), so the string
    // keeps its buffer (moving a string keeps its heap buffer; a short one lives inside
    // the row, which stays where it is).
    std::string id = std::move(x.id);
    x = ExecutorRow{};
    x.id = std::move(id);
  }
  x.host = e.host;
  x.cores = e.cores;
  x.addTime = e.time;
  touch(e.time);
}

void AppStore::onExecutorRemoved(const ExecutorRemoved& e) {
  Lock lock(*this);
  auto it = s_.executors.find(e.executorId);
  if (it == s_.executors.end()) return;
  it->second.active = false;
  it->second.removeTime = e.time;
  it->second.removeReason = e.reason;
  touch(e.time);
}

void AppStore::onJobStart(const JobStart& e) {
  Lock lock(*this);
  JobRow& j = s_.jobs[e.jobId];
  j.jobId = e.jobId;
  j.description = e.description;
  j.callSite = e.callSite;
  j.jobGroup = e.jobGroup;
  j.stageIds = e.stageIds;
  std::sort(j.stageIds.begin(), j.stageIds.end());
  j.stageInfos = e.stageInfos;
  j.status = "RUNNING";
  j.submissionTime = e.time;
  for (const auto& info : e.stageInfos) {
    s_.stageInfos[info.stageId] = info;
    for (const auto& r : info.rdds)
      if (!r.storageLevel.empty()) s_.persistedRdds[r.rddId] = r;
  }
  for (int id : e.stageIds) activeJobsByStage_[id].push_back(e.jobId);
  invalidate();
  for (auto& [id, sql] : s_.sql)
    if (sql.status == "RUNNING") sql.jobIds.push_back(e.jobId);
  touch(e.time);
}

void AppStore::onJobEnd(const JobEnd& e) {
  Lock lock(*this);
  auto it = s_.jobs.find(e.jobId);
  if (it == s_.jobs.end()) return;
  JobRow& j = it->second;
  j.status = e.succeeded ? "SUCCEEDED" : "FAILED";
  j.error = e.error;
  j.completionTime = e.time;
  (e.succeeded ? s_.totalJobsSucceeded : s_.totalJobsFailed)++;
  for (int id : j.stageIds) {
    auto a = activeJobsByStage_.find(id);
    if (a == activeJobsByStage_.end()) continue;
    std::erase(a->second, e.jobId);
    if (a->second.empty()) activeJobsByStage_.erase(a);
  }
  finishedJobs_.push_back(e.jobId);
  trimJobs();
  invalidate();
  touch(e.time);
}

void AppStore::onStageSubmitted(const StageSubmitted& e) {
  Lock lock(*this);
  invalidate();
  StageRow& s = s_.stages[{e.stageId, e.attempt}];
  s.stageId = e.stageId;
  s.attempt = e.attempt;
  s.name = e.name;
  s.details = e.details;
  s.numTasks = e.numTasks;
  s.parentStageIds = e.parentStageIds;
  s.status = "ACTIVE";
  s.submissionTime = e.time;
  s.tasks.reserve(static_cast<size_t>(std::clamp(e.numTasks, 0, limits_.retainedTasks)));
  auto info = s_.stageInfos.find(e.stageId);
  if (info != s_.stageInfos.end()) s.rdds = info->second.rdds;
  s.jobIds.clear();
  forActiveJobsOf(e.stageId, [&](JobRow& j) {
    s.jobIds.push_back(j.jobId);
    j.activeStages.insert(e.stageId);
    j.failedStages.erase(e.stageId);  // a retry
    j.numTasks += e.numTasks;
  });
  touch(e.time);
}

void AppStore::onStageCompleted(const StageCompleted& e) {
  Lock lock(*this);
  auto it = s_.stages.find({e.stageId, e.attempt});
  if (it == s_.stages.end()) return;
  StageRow& s = it->second;
  s.status = e.succeeded ? "COMPLETE" : "FAILED";
  s.failureReason = e.failureReason;
  s.completionTime = e.time;
  (e.succeeded ? s_.totalStagesCompleted : s_.totalStagesFailed)++;
  forActiveJobsOf(e.stageId, [&](JobRow& j) {
    j.activeStages.erase(e.stageId);
    (e.succeeded ? j.completedStages : j.failedStages).insert(e.stageId);
  });
  finishedStages_.push_back(it->first);
  trimStages();
  invalidate();
  touch(e.time);
}

StageRow* AppStore::stageRow(int stageId, int attempt, StageCache& cache) {
  const std::pair<int, int> key{stageId, attempt};
  if (cache.generation == generation_ && cache.key == key) return cache.row;
  auto it = s_.stages.find(key);
  if (it == s_.stages.end()) return nullptr;
  cache = {generation_, key, &it->second};
  return cache.row;
}

const std::vector<JobRow*>& AppStore::activeJobsOfCached(int stageId) {
  if (jobsCacheGeneration_ == generation_ && cachedJobsStage_ == stageId) return cachedJobs_;
  cachedJobs_.clear();
  forActiveJobsOf(stageId, [&](JobRow& j) { cachedJobs_.push_back(&j); });
  cachedJobsStage_ = stageId;
  jobsCacheGeneration_ = generation_;
  return cachedJobs_;
}

ExecutorRow* AppStore::executorRow(const std::string& id) {
  if (cachedExecutor_ && cachedExecutor_->id == id) return cachedExecutor_;
  auto it = s_.executors.find(id);
  if (it == s_.executors.end()) return nullptr;
  cachedExecutor_ = &it->second;
  return cachedExecutor_;
}

void AppStore::onEvents(std::span<const SchedulerEvent> events) {
  // One lock for the batch: the callbacks below see inBatch_ and do not lock again.
  std::lock_guard lock(mu_);
  inBatch_ = true;
  deliverEvents(*this, events);
  inBatch_ = false;
}

void AppStore::onTaskStart(const TaskStart& e) {
  Lock lock(*this);
  StageRow* s = stageRow(e.stageId, e.stageAttempt, taskStage_);
  if (!s) return;
  if (s->firstTaskLaunchedTime == 0) s->firstTaskLaunchedTime = e.time;
  s->activeTasks++;
  ExecutorRow* x = executorRow(e.executorId);
  if (!x) {
    // An executor whose ExecutorAdded was not seen (registered before the UI attached).
    ExecutorRow& row = s_.executors[e.executorId];
    row.id = e.executorId;
    row.addTime = e.time;
    x = &row;
  }
  TaskRow& t = s->tasks.insert(e.taskId);
  t.partition = e.partition;
  t.attempt = e.attempt;
  t.executorId = x->id;
  t.launchTime = e.time;
  t.status = "RUNNING";
  taskOrder_.emplace_back(e.stageId, e.stageAttempt, e.taskId);
  x->activeTasks++;
  for (JobRow* j : activeJobsOfCached(e.stageId)) j->numActiveTasks++;
  if (static_cast<int64_t>(taskOrder_.size()) > limits_.retainedTasks) trimTasks();
  touch(e.time);
}

void AppStore::onTaskEnd(const TaskEnd& e) {
  Lock lock(*this);
  const bool killed = !e.succeeded && isKilled(e.reason);
  s_.totalTasksEnded++;
  if (!e.succeeded) s_.totalTasksFailed++;
  s_.totalMetrics.add(e.metrics);
  if (StageRow* s = stageRow(e.stageId, e.stageAttempt, taskStage_)) {
    s->activeTasks = std::max(0, s->activeTasks - 1);
    (e.succeeded ? s->completedTasks : killed ? s->killedTasks : s->failedTasks)++;
    s->totals.add(e.metrics);
    if (TaskRow* r = s->tasks.find(e.taskId)) {
      r->finishTime = e.time;
      r->status = e.succeeded ? "SUCCESS" : killed ? "KILLED" : "FAILED";
      if (!e.succeeded) r->error = e.reason;
      r->metrics = e.metrics;
    }
  }
  if (ExecutorRow* x = executorRow(e.executorId)) {
    x->activeTasks = std::max(0, x->activeTasks - 1);
    (e.succeeded ? x->completedTasks : x->failedTasks)++;
    x->totalDurationMs += e.metrics.runTimeNs / 1000000;
    x->totals.add(e.metrics);
  }
  for (JobRow* j : activeJobsOfCached(e.stageId)) {
    j->numActiveTasks = std::max(0, j->numActiveTasks - 1);
    (e.succeeded ? j->numCompletedTasks : killed ? j->numKilledTasks : j->numFailedTasks)++;
  }
  touch(e.time);
}

void AppStore::onSqlExecutionStart(const SqlExecutionStart& e) {
  Lock lock(*this);
  SqlRow& q = s_.sql[e.executionId];
  q.executionId = e.executionId;
  q.description = e.description;
  q.nodes = e.nodes;
  q.edges = e.edges;
  q.status = "RUNNING";
  q.submissionTime = e.time;
  touch(e.time);
}

void AppStore::onSqlExecutionEnd(const SqlExecutionEnd& e) {
  Lock lock(*this);
  auto it = s_.sql.find(e.executionId);
  if (it == s_.sql.end()) return;
  it->second.status = e.succeeded ? "COMPLETED" : "FAILED";
  it->second.error = e.error;
  it->second.metrics = e.metrics;
  it->second.completionTime = e.time;
  finishedSql_.push_back(e.executionId);
  trimSql();
  touch(e.time);
}

void AppStore::setEnvironment(std::vector<std::pair<std::string, std::string>> env) {
  std::lock_guard lock(mu_);  // any thread: not a callback
  s_.environment = std::move(env);
}

void AppStore::trimJobs() {
  while (static_cast<int>(finishedJobs_.size()) > limits_.retainedJobs) {
    auto job = s_.jobs.find(finishedJobs_.front());
    finishedJobs_.pop_front();
    if (job == s_.jobs.end()) continue;
    std::vector<int> stageIds = job->second.stageIds;
    s_.jobs.erase(job);
    // Infos of stages no retained job or attempt refers to any more.
    for (int id : stageIds) {
      bool used = s_.latestAttempt(id) != nullptr || activeJobsByStage_.contains(id);
      for (const auto& [jid, j] : s_.jobs)
        used = used || std::binary_search(j.stageIds.begin(), j.stageIds.end(), id);
      if (!used) s_.stageInfos.erase(id);
    }
  }
}

void AppStore::trimStages() {
  while (static_cast<int>(finishedStages_.size()) > limits_.retainedStages) {
    auto key = finishedStages_.front();
    finishedStages_.pop_front();
    s_.stages.erase(key);
    if (!s_.latestAttempt(key.first) && !activeJobsByStage_.contains(key.first))
      s_.stageInfos.erase(key.first);
  }
}

void AppStore::trimTasks() {
  // A running task keeps its row (its end must find it) and goes to the back of the
  // queue; at most one pass over the queue, so many running tasks cannot make this spin.
  size_t budget = taskOrder_.size();
  while (static_cast<int64_t>(taskOrder_.size()) > limits_.retainedTasks && budget-- > 0) {
    auto [stage, attempt, task] = taskOrder_.front();
    taskOrder_.pop_front();
    StageRow* st = stageRow(stage, attempt, trimStage_);
    if (!st) continue;
    const TaskRow* t = st->tasks.find(task);
    if (!t) continue;
    if (t->status == "RUNNING") {
      taskOrder_.emplace_back(stage, attempt, task);
      continue;
    }
    st->tasks.erase(task);
  }
}

void AppStore::trimSql() {
  while (static_cast<int>(finishedSql_.size()) > limits_.retainedSqlExecutions) {
    s_.sql.erase(finishedSql_.front());
    finishedSql_.pop_front();
  }
}

}  // namespace ember::ui
