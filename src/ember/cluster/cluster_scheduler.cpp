#include "ember/cluster/cluster_scheduler.h"

#include <fmt/core.h>

#include <algorithm>
#include <map>
#include <optional>

#include "ember/cluster/driver_internal.h"
#include "ember/common/errors.h"
#include "ember/common/logging.h"
#include "ember/core/block_manager.h"
#include "ember/core/context.h"
#include "ember/core/event_bus.h"
#include "ember/shuffle/map_output_tracker.h"

namespace ember::cluster {

namespace {
// What locality needs to know about a stage (its lineage up to the shuffle boundaries):
// the persisted RDDs it computes (tasks prefer the executor that cached their
// partition) and the shuffles it reads (tasks prefer the executor holding most of their
// input).
struct StageInputs {
  std::vector<int> cachedRdds;
  std::vector<int> shuffles;
};
StageInputs stageInputsOf(const StagePayload& p) {
  StageInputs out;
  std::vector<RDDBasePtr> todo{p.rdd};
  std::set<int> seen;
  while (!todo.empty()) {
    RDDBasePtr r = todo.back();
    todo.pop_back();
    if (!r || !seen.insert(r->id()).second) continue;
    if (r->storageLevel() != StorageLevel::None) out.cachedRdds.push_back(r->id());
    for (const auto& d : r->dependencies()) {
      if (d->isShuffle())
        out.shuffles.push_back(static_cast<const ShuffleDependencyBase&>(*d).shuffleId());
      else
        todo.push_back(d->rdd());
    }
  }
  return out;
}

// The executor holding at least kReducerLocalityFraction of a reduce partition's input
// bytes (the most, if several), or "" (Spark's REDUCER_PREF_LOCS_FRACTION).
constexpr double kReducerLocalityFraction = 0.2;
std::string preferredForReduce(const std::vector<std::vector<std::optional<MapStatus>>>& shuffles,
                               int partition) {
  std::map<std::string, uint64_t> bytes;
  uint64_t total = 0;
  for (const auto& maps : shuffles)
    for (const auto& st : maps) {
      if (!st || static_cast<size_t>(partition) >= st->partitionSizes.size()) continue;
      uint64_t b = st->partitionSizes[static_cast<size_t>(partition)];
      bytes[st->executorId] += b;
      total += b;
    }
  std::string best;
  uint64_t bestBytes = 0;
  for (const auto& [id, b] : bytes)
    if (b > bestBytes) {
      best = id;
      bestBytes = b;
    }
  return total > 0 && static_cast<double>(bestBytes) >=
                          kReducerLocalityFraction * static_cast<double>(total)
             ? best
             : "";
}

std::string endReason(const TaskResult& r) {
  switch (r.outcome) {
    case TaskOutcome::Success:
      return "Success";
    case TaskOutcome::Failed:
      return "ExceptionFailure: " + r.error;
    case TaskOutcome::FetchFailed:
      return "FetchFailed: " + r.error;
    case TaskOutcome::Killed:
      return "TaskKilled: " + r.error;
  }
  return "?";
}
}  // namespace

ClusterScheduler::Impl::Impl(Context& ctx, ClusterSettings settings,
                             std::unique_ptr<ExecutorLauncher> launcher)
    : ctx_(ctx),
      bus_(ctx.eventBus()),
      tracker_(ctx.mapOutputTracker()),
      settings_(std::move(settings)),
      security_(RpcSecurity::fromSettings(settings_)),
      launcher_(std::move(launcher)),
      speculation_(SpeculationSettings::fromConfig(ctx.conf())) {
  service_ = std::make_unique<DriverService>(*this);
  int port = 0;
  server_ = startServer(settings_.bindAddress + ":" + std::to_string(settings_.driverPort),
                        security_, {service_.get()}, &port);
  driverUrl_ = settings_.driverHost + ":" + std::to_string(port);
  launchThread_ = std::thread([this] { launchLoop(); });
  monitorThread_ = std::thread([this] { monitorLoop(); });
  controlThread_ = std::thread([this] { controlLoop(); });
  relay_->impl = this;
  ctx.blockManager().setRddRemovedListener([relay = relay_](int rddId) {
    std::lock_guard lock(relay->mutex);
    if (!relay->impl) return;
    Impl* impl = relay->impl;
    {
      std::lock_guard l(impl->mutex_);
      std::erase_if(impl->cacheLocations_, [&](const auto& e) { return e.first.first == rddId; });
    }
    impl->post([impl, rddId] { impl->removeBlocks({}, {rddId}); });
  });
  logInfo("driver RPC service listening on {}:{} (advertised as {})", settings_.bindAddress, port,
          driverUrl_);
}

int64_t ClusterScheduler::Impl::payloadIdOf(const std::shared_ptr<const std::string>& bytes) {
  for (auto it = payloadIds_.rbegin(); it != payloadIds_.rend(); ++it)  // newest first
    if (it->first.lock() == bytes) return it->second;
  int64_t id = nextPayloadId_++;
  payloadIds_.emplace_back(bytes, id);
  if (payloadIds_.size() > 16) payloadIds_.pop_front();
  return id;
}

ExecutorRef* ClusterScheduler::Impl::pickExecutor(const Queued& q) {
  if (!q.avoid.empty() && executors_.size() > 1) {
    // A speculative copy: any other executor, the one with the most free cores.
    ExecutorRef* best = nullptr;
    for (auto& [id, e] : executors_)
      if (id != q.avoid && e->freeCores > 0 && (!best || e->freeCores > best->freeCores))
        best = e.get();
    return best;
  }
  if (!q.preferred.empty()) {
    auto it = executors_.find(q.preferred);
    if (it != executors_.end() && it->second->freeCores > 0) return it->second.get();
  }
  for (int rdd : q.cachedRdds) {
    auto loc = cacheLocations_.find({rdd, q.task.partition});
    if (loc == cacheLocations_.end()) continue;
    auto it = executors_.find(loc->second);
    if (it != executors_.end() && it->second->freeCores > 0) return it->second.get();
  }
  ExecutorRef* best = nullptr;
  for (auto& [id, e] : executors_)
    if (e->freeCores > 0 && (!best || e->freeCores > best->freeCores)) best = e.get();
  return best;
}

std::string ClusterScheduler::Impl::lossSummaryLocked() const {
  if (recentLosses_.empty()) return "";
  std::string s = "; recent executor losses: ";
  for (size_t i = 0; i < recentLosses_.size(); ++i) s += (i ? "; " : "") + recentLosses_[i];
  return s;
}

void ClusterScheduler::Impl::launchLoop() {
  setThreadName("cluster-launch");
  std::unique_lock lock(mutex_);
  for (;;) {
    cv_.wait(lock, [&] {
      if (stopping_) return true;
      if (queue_.empty()) return false;
      for (auto& [id, e] : executors_)
        if (e->freeCores > 0) return true;
      return false;
    });
    if (stopping_) return;
    struct Batch {
      std::shared_ptr<proto::Executor::Stub> stub;
      std::vector<TaskDescription> tasks;
      std::vector<bool> sendPayload;  // per task: the executor may lack its bytes
      std::vector<int64_t> payloadIds;
    };
    std::map<std::string, Batch> batches;
    while (!queue_.empty()) {
      ExecutorRef* e = pickExecutor(queue_.front());
      if (!e) break;
      Queued q = std::move(queue_.front());
      queue_.pop_front();
      e->freeCores--;
      e->running.insert(q.task.taskId);
      Batch& b = batches[e->id];
      b.stub = e->stub;
      b.tasks.push_back(q.task);
      // The first task of a stage on this executor carries the payload; later ones its id.
      int64_t pid = q.task.payloadBytes ? payloadIdOf(q.task.payloadBytes) : 0;
      bool send = pid == 0 || std::find(e->payloadsSent.begin(), e->payloadsSent.end(), pid) ==
                                  e->payloadsSent.end();
      if (send && pid != 0) {
        e->payloadsSent.push_back(pid);
        if (e->payloadsSent.size() > kDriverPayloadWindow) e->payloadsSent.pop_front();
      }
      b.sendPayload.push_back(send);
      b.payloadIds.push_back(pid);
      int64_t id = q.task.taskId;
      running_.emplace(id, Running{std::move(q), e->id, steadyNowMs()});
    }
    int64_t epoch = epoch_.load();
    lock.unlock();
    for (auto& [executorId, b] : batches) {
      proto::LaunchTasksRequest req;
      for (size_t i = 0; i < b.tasks.size(); ++i) {
        const TaskDescription& t = b.tasks[i];
        auto* p = req.add_tasks();
        p->set_task_id(t.taskId);
        p->set_job_id(t.jobId);
        p->set_stage_id(t.stageId);
        p->set_stage_attempt(t.stageAttempt);
        p->set_partition(t.partition);
        p->set_attempt(t.attempt);
        p->set_is_map_task(t.isMapTask);
        p->set_payload_id(b.payloadIds[i]);
        if (b.sendPayload[i])
          p->set_payload(t.payloadBytes ? *t.payloadBytes : t.payload->serialize());
        p->set_map_output_epoch(epoch);
        bus_.post(TaskStart{t.stageId, t.stageAttempt, t.taskId, t.partition, t.attempt, executorId,
                            nowMs()});
      }
      b.tasks.clear();  // no lineage held while waiting on the network
      logDebug("launching {} tasks on executor {}", req.tasks_size(), executorId);
      proto::Empty resp;
      auto cc = clientContext(security_, settings_.networkTimeoutMs);
      grpc::Status st = b.stub->LaunchTasks(cc.get(), req, &resp);
      if (!st.ok()) {
        // A broken connection usually means the process died: prefer its exit status.
        std::string why = launcher_ ? launcher_->exitReason(executorId, 1000) : std::string();
        executorLost(executorId, why.empty() ? "cannot launch tasks on it: " + statusText(st)
                                             : why + " (seen when launching tasks on it)");
      }
    }
    lock.lock();
  }
}

void ClusterScheduler::Impl::finish(Running run, TaskResult r) {
  const TaskDescription& t = run.q.task;
  r.taskId = t.taskId;
  r.jobId = t.jobId;
  r.stageId = t.stageId;
  r.stageAttempt = t.stageAttempt;
  r.partition = t.partition;
  r.attempt = t.attempt;
  r.executorId = run.executorId;
  bus_.post(TaskEnd{t.stageId, t.stageAttempt, t.taskId, t.partition, t.attempt, r.executorId,
                    r.outcome == TaskOutcome::Success, endReason(r), r.metrics, nowMs()});
  // Let go of the task (and through it of the stage's lineage) before reporting, as the
  // local scheduler does.
  auto sink = std::move(run.q.sink);
  run = Running{};
  sink->taskFinished(std::move(r));
}

void ClusterScheduler::Impl::statusUpdate(const proto::StatusUpdateRequest& req) {
  logDebug("{} task reports from executor {}", req.statuses_size(), req.executor_id());
  for (const auto& s : req.statuses()) {
    Running run;
    std::string host, summary;
    {
      std::lock_guard lock(mutex_);
      auto it = running_.find(s.task_id());
      // Unknown: the task was already failed because its executor was declared lost.
      if (it == running_.end() || it->second.executorId != req.executor_id()) continue;
      run = std::move(it->second);
      running_.erase(it);
      auto e = executors_.find(run.executorId);
      if (e != executors_.end()) {
        e->second->freeCores++;
        e->second->running.erase(s.task_id());
        host = e->second->host;
      }
      if (s.outcome() == proto::TASK_OUTCOME_SUCCESS)
        for (int rdd : run.q.cachedRdds)
          cacheLocations_[{rdd, run.q.task.partition}] = run.executorId;
      if (s.outcome() == proto::TASK_OUTCOME_FAILED) summary = lossSummaryLocked();
    }
    cv_.notify_all();  // the monitor waits on cv_ too: notify_one could wake only it
    TaskResult r;
    fillResult(s, r);
    if (r.outcome == TaskOutcome::Failed) r.error += fmt::format(" [on host {}{}]", host, summary);
    finish(std::move(run), std::move(r));
  }
}

// --- public face ---

ClusterScheduler::ClusterScheduler(Context& ctx, ClusterSettings settings,
                                   std::unique_ptr<ExecutorLauncher> launcher)
    : impl_(std::make_unique<Impl>(ctx, std::move(settings), std::move(launcher))) {}

ClusterScheduler::~ClusterScheduler() { impl_->shutdown(); }

void ClusterScheduler::startExecutors(int count) {
  EMBER_CHECK(impl_->launcher_ != nullptr, "startExecutors without a launcher");
  Impl* impl = impl_.get();
  for (int i = 0; i < count; ++i) {
    std::string id = std::to_string(i);
    impl->launcher_->launch(id, impl->driverUrl_, [impl, id](const std::string& reason) {
      impl->executorLost(id, reason);
    });
  }
  impl->waitForCount(static_cast<size_t>(count), true);
}

void ClusterScheduler::waitForExecutors(int count) {
  impl_->waitForCount(static_cast<size_t>(count), false);
}

void ClusterScheduler::submit(std::vector<TaskDescription> tasks,
                              std::shared_ptr<TaskResultSink> sink) {
  std::vector<Impl::Queued> qs;
  qs.reserve(tasks.size());
  const StagePayload* last = nullptr;
  StageInputs inputs;
  std::vector<std::vector<std::optional<MapStatus>>> shuffles;
  for (auto& t : tasks) {
    if (t.payload.get() != last) {  // tasks of one stage share the payload
      last = t.payload.get();
      inputs = last ? stageInputsOf(*last) : StageInputs{};
      shuffles.clear();
      for (int id : inputs.shuffles) {
        try {
          shuffles.push_back(impl_->tracker_.statuses(id));
        } catch (const InternalError&) {  // cleaned meanwhile: no preference
        }
      }
    }
    std::string preferred = shuffles.empty() ? "" : preferredForReduce(shuffles, t.partition);
    qs.push_back({std::move(t), sink, inputs.cachedRdds, std::move(preferred), ""});
  }
  logDebug("{} tasks queued", qs.size());
  {
    std::lock_guard lock(impl_->mutex_);
    // Retries and speculative copies come one at a time: a copy avoids the executor
    // that runs the original (scanned only then, not for whole stages).
    if (qs.size() == 1)
      for (auto& [tid, run] : impl_->running_)
        if (run.q.task.stageId == qs[0].task.stageId &&
            run.q.task.partition == qs[0].task.partition)
          qs[0].avoid = run.executorId;
    for (auto& q : qs) impl_->queue_.push_back(std::move(q));
  }
  impl_->cv_.notify_all();
}

int ClusterScheduler::cancelJob(int jobId) {
  std::vector<std::shared_ptr<proto::Executor::Stub>> stubs;
  int dropped = 0;
  {
    std::lock_guard lock(impl_->mutex_);
    auto& q = impl_->queue_;
    size_t before = q.size();
    std::erase_if(q, [&](const Impl::Queued& x) { return x.task.jobId == jobId; });
    dropped = static_cast<int>(before - q.size());
    std::set<std::string> ids;
    for (auto& [tid, run] : impl_->running_)
      if (run.q.task.jobId == jobId) ids.insert(run.executorId);
    for (auto& id : ids) stubs.push_back(impl_->executors_.at(id)->stub);
  }
  for (auto& stub : stubs) {
    proto::KillJobRequest req;
    req.set_job_id(jobId);
    req.set_reason("job cancelled");
    proto::Empty resp;
    auto cc = clientContext(impl_->security_, impl_->settings_.networkTimeoutMs);
    grpc::Status st = stub->KillJob(cc.get(), req, &resp);
    if (!st.ok()) logWarn("could not ask an executor to kill job {}: {}", jobId, statusText(st));
  }
  return dropped;
}

int ClusterScheduler::totalSlots() const {
  std::lock_guard lock(impl_->mutex_);
  int n = 0;
  for (auto& [id, e] : impl_->executors_) n += e->cores;
  return n;
}

SpeculationSettings ClusterScheduler::speculation() const { return impl_->speculation_; }

int64_t ClusterScheduler::taskStartMs(int64_t taskId) const {
  std::lock_guard lock(impl_->mutex_);
  auto it = impl_->running_.find(taskId);
  return it == impl_->running_.end() ? -1 : it->second.startMs;
}

void ClusterScheduler::killTask(int64_t taskId, const std::string& reason) {
  std::shared_ptr<proto::Executor::Stub> stub;
  std::string executorId;
  {
    std::lock_guard lock(impl_->mutex_);
    auto it = impl_->running_.find(taskId);
    if (it == impl_->running_.end()) {
      std::erase_if(impl_->queue_, [&](const Impl::Queued& q) { return q.task.taskId == taskId; });
      return;
    }
    executorId = it->second.executorId;
    auto e = impl_->executors_.find(executorId);
    if (e == impl_->executors_.end()) return;
    stub = e->second->stub;
  }
  Impl* impl = impl_.get();
  impl->post([impl, stub, taskId, reason, executorId] {
    proto::KillTaskRequest req;
    req.set_task_id(taskId);
    req.set_reason(reason);
    proto::Empty resp;
    auto cc = clientContext(impl->security_, impl->settings_.networkTimeoutMs);
    grpc::Status st = stub->KillTask(cc.get(), req, &resp);
    if (!st.ok())
      logWarn("could not ask executor {} to kill task {}: {}", executorId, taskId, statusText(st));
  });
}

void ClusterScheduler::shuffleRemoved(int shuffleId) {
  Impl* impl = impl_.get();
  impl->post([impl, shuffleId] { impl->removeBlocks({shuffleId}, {}); });
}

std::string ClusterScheduler::driverUrl() const { return impl_->driverUrl_; }

std::vector<std::string> ClusterScheduler::executorIds() const {
  std::lock_guard lock(impl_->mutex_);
  std::vector<std::string> ids;
  for (auto& [id, e] : impl_->executors_) ids.push_back(id);
  return ids;
}

}  // namespace ember::cluster
