// Executors joining and leaving a ClusterScheduler: registration, heartbeats, loss
// (with its consequences for running tasks, map outputs and cached blocks), waiting for
// registrations, and shutdown. The scheduling half is cluster_scheduler.cpp.
#include <fmt/core.h>

#include <algorithm>

#include "ember/cluster/driver_internal.h"
#include "ember/common/errors.h"
#include "ember/common/logging.h"
#include "ember/core/event_bus.h"
#include "ember/shuffle/map_output_tracker.h"

namespace ember::cluster {
void ClusterScheduler::Impl::monitorLoop() {
  setThreadName("cluster-monitor");
  std::unique_lock lock(mutex_);
  auto period = std::chrono::milliseconds(std::clamp<int64_t>(settings_.heartbeatMs / 2, 10, 1000));
  while (!stopping_) {
    cv_.wait_for(lock, period);
    if (stopping_) return;
    int64_t now = nowMs();
    std::vector<std::pair<std::string, int64_t>> silent;
    for (auto& [id, e] : executors_)
      if (now - e->lastHeartbeatMs > settings_.networkTimeoutMs)
        silent.emplace_back(id, now - e->lastHeartbeatMs);
    lock.unlock();
    for (auto& [id, ms] : silent)
      executorLost(id, fmt::format("no heartbeat for {} ms (ember.network.timeout is {} ms)", ms,
                                   settings_.networkTimeoutMs));
    lock.lock();
  }
}

void ClusterScheduler::Impl::executorLost(const std::string& id, const std::string& reason) {
  std::vector<Running> failed;
  std::string host, summary;
  bool quiet;
  {
    std::lock_guard lock(mutex_);
    auto it = executors_.find(id);
    if (it == executors_.end()) {
      // A launched process that ended before registering (or one lost before).
      if (!everLost_.count(id) && !stopping_) {
        everLost_.insert(id);
        exitedBeforeRegistering_.push_back("executor " + id + " " + reason);
        recentLosses_.push_back(fmt::format("executor {} before registering: {}", id, reason));
        registered_.notify_all();
      }
      return;
    }
    host = it->second->host;
    for (int64_t tid : it->second->running) {
      auto node = running_.extract(tid);
      if (!node.empty()) failed.push_back(std::move(node.mapped()));
    }
    executors_.erase(it);
    std::erase_if(cacheLocations_, [&](const auto& e) { return e.second == id; });
    everLost_.insert(id);
    quiet = stopping_;
    if (!quiet) {
      recentLosses_.push_back(fmt::format("executor {} on {}: {}", id, host, reason));
      if (recentLosses_.size() > 5) recentLosses_.pop_front();
    }
    epoch_++;
    summary = lossSummaryLocked();
  }
  registered_.notify_all();
  cv_.notify_all();
  if (!quiet) {
    int outputs = tracker_.removeOutputsOnExecutor(id);
    logWarn(
        "lost executor {} on {}: {} ({} running tasks will be retried, {} map outputs "
        "recomputed)",
        id, host, reason, failed.size(), outputs);
  }
  // Not while the context stops: ApplicationEnd has been posted already, and listeners
  // (event log, UI) expect nothing after it.
  if (!quiet) bus_.post(ExecutorRemoved{id, reason, nowMs()});
  for (auto& run : failed) {
    TaskResult r;
    r.outcome = TaskOutcome::Failed;
    r.error = fmt::format("executor {} (host {}) was lost while running the task: {}{}", id, host,
                          reason, summary);
    finish(std::move(run), std::move(r));
  }
  if (launcher_) launcher_->kill(id);
}

bool ClusterScheduler::Impl::heartbeat(const std::string& executorId) {
  std::lock_guard lock(mutex_);
  auto it = executors_.find(executorId);
  if (it == executors_.end()) return false;
  it->second->lastHeartbeatMs = nowMs();
  return true;
}

std::string ClusterScheduler::Impl::registerExecutor(const proto::RegisterExecutorRequest& req,
                                                     const std::string& peer) {
  auto e = std::make_unique<ExecutorRef>();
  {
    std::lock_guard lock(mutex_);
    if (stopping_) throw UserError("the driver is stopping");
    e->id = req.executor_id().empty() ? "x" + std::to_string(nextExecutorId_++) : req.executor_id();
    if (executors_.count(e->id) || everLost_.count(e->id))
      throw UserError("executor id '" + e->id +
                      "' is already taken (or was lost); start it "
                      "with another id or none");
  }
  if (req.cores() < 1) throw UserError("an executor needs at least one task slot");
  e->host = req.host();
  e->address = req.host() + ":" + std::to_string(req.port());
  e->cores = e->freeCores = req.cores();
  e->lastHeartbeatMs = nowMs();
  e->stub = proto::Executor::NewStub(makeChannel(e->address, security_));
  std::string id = e->id;
  int cores = e->cores;
  std::string host = e->host;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) throw UserError("the driver is stopping");
    executors_[id] = std::move(e);
  }
  logInfo("executor {} registered from {} ({}, {} task slots, {} MiB)", id, peer, host, cores,
          req.memory_bytes() >> 20);
  bus_.post(ExecutorAdded{id, host, cores, nowMs()});
  registered_.notify_all();
  cv_.notify_all();
  return id;
}

void ClusterScheduler::Impl::waitForCount(size_t count, bool launched) {
  std::unique_lock lock(mutex_);
  auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(settings_.registrationTimeoutMs);
  // Launched executors that died (before registering, or after it while the others
  // were still starting) are not waited for: the application runs on the others, as it
  // would after losing them later.
  bool ok = registered_.wait_until(lock, deadline, [&] {
    return executors_.size() + (launched ? everLost_.size() : 0) >= count;
  });
  if (launched && !exitedBeforeRegistering_.empty()) {
    if (executors_.empty())
      throw UserError(exitedBeforeRegistering_.front() +
                      " before registering with the driver (its error output is above), and no "
                      "other executor registered");
    for (const auto& e : exitedBeforeRegistering_)
      logWarn("{} before registering; running on the other executors", e);
    if (ok) return;
  }
  if (!ok)
    throw UserError(fmt::format(
        "only {} of {} executors registered with the driver at {} within {} ms "
        "(ember.cluster.registrationTimeout): check that executors can reach that address "
        "(ember.driver.host) and use the driver's secret",
        executors_.size(), count, driverUrl_, settings_.registrationTimeoutMs));
}

void ClusterScheduler::Impl::post(std::function<void()> f) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;  // the executors and their files are going anyway
    control_.push_back(std::move(f));
  }
  controlCv_.notify_one();
}

void ClusterScheduler::Impl::controlLoop() {
  setThreadName("cluster-control");
  std::unique_lock lock(mutex_);
  for (;;) {
    controlCv_.wait(lock, [&] { return stopping_ || !control_.empty(); });
    if (stopping_) return;
    auto f = std::move(control_.front());
    control_.pop_front();
    lock.unlock();
    f();
    lock.lock();
  }
}

void ClusterScheduler::Impl::removeBlocks(const std::vector<int>& shuffles,
                                          const std::vector<int>& rdds) {
  std::vector<std::pair<std::string, std::shared_ptr<proto::Executor::Stub>>> stubs;
  {
    std::lock_guard lock(mutex_);
    for (auto& [id, e] : executors_) stubs.emplace_back(id, e->stub);
  }
  proto::RemoveBlocksRequest req;
  for (int s : shuffles) req.add_shuffle_ids(s);
  for (int r : rdds) req.add_rdd_ids(r);
  for (auto& [id, stub] : stubs) {
    proto::Empty resp;
    auto cc = clientContext(security_, settings_.networkTimeoutMs);
    grpc::Status st = stub->RemoveBlocks(cc.get(), req, &resp);
    // A lost executor's files went with it; anything else is only disk left behind
    // until the executor exits.
    if (!st.ok()) logInfo("could not remove blocks on executor {}: {}", id, statusText(st));
  }
}

void ClusterScheduler::Impl::shutdown() {
  std::vector<std::shared_ptr<proto::Executor::Stub>> stubs;
  {
    std::lock_guard relayLock(relay_->mutex);
    relay_->impl = nullptr;
  }
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
    for (auto& [id, e] : executors_) stubs.push_back(e->stub);
  }
  cv_.notify_all();
  registered_.notify_all();
  controlCv_.notify_all();
  if (launchThread_.joinable()) launchThread_.join();
  if (monitorThread_.joinable()) monitorThread_.join();
  if (controlThread_.joinable()) controlThread_.join();
  for (auto& stub : stubs) {
    proto::StopExecutorRequest req;
    req.set_reason("the application is stopping");
    proto::Empty resp;
    auto cc = clientContext(security_, 2000);
    (void)stub->StopExecutor(cc.get(), req, &resp);
  }
  if (launcher_) launcher_->stopAll(3000);
  server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
}

}  // namespace ember::cluster
