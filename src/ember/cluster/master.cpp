// `ember master`: the registry of workers of a standalone cluster, and the placement of
// executors on them (standalone.h).
#include <fmt/core.h>
#include <signal.h>

#include <iostream>
#include <map>
#include <mutex>
#include <thread>

#include "ember/cluster/rpc_internal.h"
#include "ember/cluster/standalone.h"
#include "ember/common/errors.h"
#include "ember/common/logging.h"

namespace ember::cluster {

namespace {

struct WorkerRef {
  std::string id, host, address, logDir;
  int cores = 0, freeCores = 0;
  int64_t memoryMb = 0, freeMemoryMb = 0;
  int64_t lastHeartbeatMs = 0;
  std::shared_ptr<proto::Worker::Stub> stub;
};

struct AppRef {
  std::string id, name;
  int cores = 0, executors = 0;
  int64_t memoryPerExecutorMb = 0;
  int64_t startMs = 0, endMs = 0;
};

struct Placement {
  std::string workerId;
  int cores = 0;
};

class MasterService final : public proto::Master::Service {
 public:
  MasterService(ClusterSettings s)
      : settings_(std::move(s)), security_(RpcSecurity::fromSettings(settings_)) {}

  MasterStatus status(const std::string& url, int64_t startMs) {
    MasterStatus st;
    st.url = url;
    st.startMs = startMs;
    std::lock_guard lock(mutex_);
    auto add = [&](const WorkerRef& w, const char* state) {
      st.workers.push_back({w.id, w.address, state, w.cores, w.cores - w.freeCores, w.memoryMb,
                            w.memoryMb - w.freeMemoryMb, w.lastHeartbeatMs});
    };
    for (auto& [id, w] : workers_) add(*w, "ALIVE");
    for (auto& w : deadWorkers_) add(*w, "DEAD");
    for (const auto& id : appOrder_) {
      const AppRef& a = apps_.at(id);
      st.apps.push_back({a.id, a.name, a.endMs ? "FINISHED" : "RUNNING", a.cores, a.executors,
                         a.memoryPerExecutorMb, a.startMs, a.endMs});
    }
    return st;
  }

  grpc::Status RegisterWorker(grpc::ServerContext* ctx, const proto::RegisterWorkerRequest* req,
                              proto::RegisterWorkerResponse* resp) override {
    if (auto st = checkAuth(*ctx, security_, "RegisterWorker"); !st.ok()) return st;
    if (req->protocol_version() != kProtocolVersion)
      return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                          fmt::format("worker speaks protocol version {}, the master {}: run the "
                                      "same Ember build",
                                      req->protocol_version(), kProtocolVersion));
    auto w = std::make_shared<WorkerRef>();
    w->host = req->host();
    w->address = req->host() + ":" + std::to_string(req->port());
    w->cores = w->freeCores = req->cores();
    w->memoryMb = w->freeMemoryMb = req->memory_mb();
    w->logDir = req->log_dir();
    w->lastHeartbeatMs = nowMs();
    w->stub = proto::Worker::NewStub(makeChannel(w->address, security_));
    std::lock_guard lock(mutex_);
    w->id = "worker-" + std::to_string(nextId_++);
    workers_[w->id] = w;
    logWarn("worker {} registered: {} with {} cores and {} MiB", w->id, w->address, w->cores,
            w->memoryMb);
    resp->set_worker_id(w->id);
    return grpc::Status::OK;
  }

  grpc::Status WorkerHeartbeat(grpc::ServerContext* ctx, const proto::WorkerHeartbeatRequest* req,
                               proto::WorkerHeartbeatResponse* resp) override {
    if (auto st = checkAuth(*ctx, security_, "WorkerHeartbeat"); !st.ok()) return st;
    std::lock_guard lock(mutex_);
    auto it = workers_.find(req->worker_id());
    if (it == workers_.end()) {
      resp->set_unknown_worker(true);
      return grpc::Status::OK;
    }
    it->second->lastHeartbeatMs = nowMs();
    it->second->freeCores = req->free_cores();
    it->second->freeMemoryMb = req->free_memory_mb();
    return grpc::Status::OK;
  }

  grpc::Status RequestExecutor(grpc::ServerContext* ctx, const proto::ExecutorRequest* req,
                               proto::ExecutorPlacement* resp) override {
    if (auto st = checkAuth(*ctx, security_, "RequestExecutor"); !st.ok()) return st;
    if (req->protocol_version() != kProtocolVersion)
      return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                          fmt::format("application speaks protocol version {}, the master {}",
                                      req->protocol_version(), kProtocolVersion));
    std::shared_ptr<WorkerRef> w;
    std::string offers;
    {
      std::lock_guard lock(mutex_);
      for (auto& [id, x] : workers_) {
        offers += fmt::format("{}{} ({} free cores, {} MiB)", offers.empty() ? "" : ", ", id,
                              x->freeCores, x->freeMemoryMb);
        if (x->freeCores >= req->cores() && x->freeMemoryMb >= req->memory_mb() &&
            (!w || x->freeCores > w->freeCores))
          w = x;
      }
      if (w) {  // optimistic until the worker's next heartbeat says otherwise
        w->freeCores -= req->cores();
        w->freeMemoryMb -= req->memory_mb();
      }
    }
    if (!w)
      return grpc::Status(
          grpc::StatusCode::RESOURCE_EXHAUSTED,
          fmt::format("no worker has {} free cores and {} MiB for executor {} of {}; workers: {}",
                      req->cores(), req->memory_mb(), req->executor_id(), req->app_id(),
                      offers.empty() ? "none registered" : offers));
    auto cc = clientContext(security_, settings_.networkTimeoutMs);
    grpc::Status st = w->stub->LaunchExecutor(cc.get(), *req, resp);
    if (!st.ok())
      return grpc::Status(st.error_code(), "worker " + w->id + ": " + st.error_message());
    resp->set_worker_id(w->id);
    std::lock_guard lock(mutex_);
    placed_[{req->app_id(), req->executor_id()}] = {w->id, req->cores()};
    auto [app, fresh] = apps_.try_emplace(req->app_id());
    if (fresh) {
      appOrder_.push_back(req->app_id());
      app->second.id = req->app_id();
      app->second.name = req->app_name();
      app->second.startMs = nowMs();
    }
    app->second.cores += req->cores();
    app->second.executors++;
    app->second.memoryPerExecutorMb = req->memory_mb();
    logWarn("executor {} of {} placed on {} ({})", req->executor_id(), req->app_id(), w->id,
            w->address);
    return grpc::Status::OK;
  }

  grpc::Status KillExecutor(grpc::ServerContext* ctx, const proto::KillExecutorRequest* req,
                            proto::Empty*) override {
    if (auto st = checkAuth(*ctx, security_, "KillExecutor"); !st.ok()) return st;
    std::set<std::shared_ptr<WorkerRef>> targets;
    {
      std::lock_guard lock(mutex_);
      for (auto it = placed_.begin(); it != placed_.end();) {
        bool match = it->first.first == req->app_id() &&
                     (req->executor_id().empty() || it->first.second == req->executor_id());
        if (match) {
          auto w = workers_.find(it->second.workerId);
          if (w != workers_.end()) targets.insert(w->second);
          auto app = apps_.find(req->app_id());
          if (app != apps_.end()) {
            app->second.cores -= it->second.cores;
            app->second.executors--;
          }
          it = placed_.erase(it);
        } else {
          ++it;
        }
      }
    }
    // Every executor of the application: it has ended (StandaloneLauncher::stopAll).
    if (req->executor_id().empty()) {
      std::lock_guard lock(mutex_);
      auto app = apps_.find(req->app_id());
      if (app != apps_.end() && !app->second.endMs) app->second.endMs = nowMs();
    }
    for (auto& w : targets) {
      proto::Empty e;
      auto cc = clientContext(security_, settings_.networkTimeoutMs);
      (void)w->stub->KillExecutor(cc.get(), *req, &e);
    }
    return grpc::Status::OK;
  }

  // Drops workers silent for ember.network.timeout.
  void expireWorkers() {
    std::lock_guard lock(mutex_);
    int64_t now = nowMs();
    for (auto it = workers_.begin(); it != workers_.end();) {
      if (now - it->second->lastHeartbeatMs > settings_.networkTimeoutMs) {
        logWarn("worker {} ({}) lost: no heartbeat for {} ms", it->first, it->second->address,
                now - it->second->lastHeartbeatMs);
        deadWorkers_.push_back(it->second);
        if (deadWorkers_.size() > kDeadWorkersShown) deadWorkers_.erase(deadWorkers_.begin());
        it = workers_.erase(it);
      } else {
        ++it;
      }
    }
  }

 private:
  ClusterSettings settings_;
  RpcSecurity security_;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<WorkerRef>> workers_;
  std::map<std::pair<std::string, std::string>, Placement> placed_;  // by (app, executor)
  std::vector<std::shared_ptr<WorkerRef>> deadWorkers_;  // the latest, for the status page
  static constexpr size_t kDeadWorkersShown = 20;
  std::map<std::string, AppRef> apps_;
  std::vector<std::string> appOrder_;
  int nextId_ = 0;
};

}  // namespace

std::string parseMasterUrl(const std::string& url) {
  const std::string prefix = "ember://";
  if (url.rfind(prefix, 0) != 0 || url.size() == prefix.size() ||
      url.find(':', prefix.size()) == std::string::npos)
    throw UserError("invalid master '" + url +
                    "': expected ember://HOST:PORT, e.g. ember://127.0.0.1:7077");
  return url.substr(prefix.size());
}

int runMaster(const MasterOptions& o) {
  ClusterSettings s = ClusterSettings::fromConfig(o.conf);
  if (s.authenticate && s.secret.empty())
    throw ConfigError("ember.authenticate=true needs ember.authenticate.secret for the master");
  // SIGINT/SIGTERM are taken by sigwait below, in no other thread.
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);
  MasterService service(s);
  int port = 0;
  auto server = startServer(o.host + ":" + std::to_string(o.port), RpcSecurity::fromSettings(s),
                            {&service}, &port);
  std::string url = "ember://" + o.host + ":" + std::to_string(port);
  std::cout << "ember master at " << url << std::endl;
  std::function<void()> stopStatus;
  int64_t startMs = nowMs();
  if (o.onStarted)
    stopStatus = o.onStarted([&service, url, startMs] { return service.status(url, startMs); });
  std::atomic<bool> done{false};
  std::thread expiry([&] {
    while (!done) {
      std::this_thread::sleep_for(std::chrono::milliseconds(std::min<int64_t>(s.heartbeatMs, 500)));
      service.expireWorkers();
    }
  });
  int sig = 0;
  sigwait(&sigs, &sig);
  done = true;
  expiry.join();
  if (stopStatus) stopStatus();
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
  std::cout << "ember master stopped" << std::endl;
  return 0;
}

}  // namespace ember::cluster
