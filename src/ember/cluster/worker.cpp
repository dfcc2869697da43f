// `ember worker`: offers its cores and memory to a standalone master and starts
// executors of applications when the master asks (standalone.h).
#include <fmt/core.h>
#include <signal.h>
#include <unistd.h>

#include <iostream>
#include <map>
#include <mutex>
#include <thread>

#include "ember/cluster/process_launcher.h"
#include "ember/cluster/rpc_internal.h"
#include "ember/cluster/standalone.h"
#include "ember/common/errors.h"
#include "ember/common/logging.h"

namespace ember::cluster {

namespace {

class WorkerService final : public proto::Worker::Service {
 public:
  WorkerService(const WorkerOptions& o, ClusterSettings s, std::string workDir)
      : options_(o),
        settings_(std::move(s)),
        security_(RpcSecurity::fromSettings(settings_)),
        workDir_(std::move(workDir)),
        freeCores_(o.cores),
        freeMemoryMb_(o.memoryMb) {}

  grpc::Status LaunchExecutor(grpc::ServerContext* ctx, const proto::ExecutorRequest* req,
                              proto::ExecutorPlacement* resp) override {
    if (auto st = checkAuth(*ctx, security_, "LaunchExecutor"); !st.ok()) return st;
    ProcessLauncher* launcher;
    std::string logDir = workDir_ + "/" + req->app_id();
    {
      std::lock_guard lock(mutex_);
      if (req->cores() > freeCores_ || req->memory_mb() > freeMemoryMb_)
        return grpc::Status(
            grpc::StatusCode::RESOURCE_EXHAUSTED,
            fmt::format("{} free cores and {} MiB left", freeCores_, freeMemoryMb_));
      auto& l = apps_[req->app_id()];
      if (!l) {
        ProcessSpec spec;
        spec.exe = req->exe();
        spec.argv.assign(req->argv().begin(), req->argv().end());
        spec.slots = req->cores();
        spec.memoryMb = req->memory_mb();
        spec.secret = settings_.authenticate ? settings_.secret : "";
        spec.logDir = logDir;
        spec.extraEnv = {{kEnvHost, options_.host}, {kEnvBindAddress, options_.host}};
        l = std::make_unique<ProcessLauncher>(std::move(spec));
      }
      launcher = l.get();
      freeCores_ -= req->cores();
      freeMemoryMb_ -= req->memory_mb();
    }
    int cores = req->cores();
    int64_t mem = req->memory_mb();
    try {
      launcher->launch(req->executor_id(), req->driver_url(),
                       [this, cores, mem](const std::string&) {
                         std::lock_guard lock(mutex_);
                         freeCores_ += cores;
                         freeMemoryMb_ += mem;
                       });
    } catch (const EmberError& e) {
      std::lock_guard lock(mutex_);
      freeCores_ += cores;
      freeMemoryMb_ += mem;
      return grpc::Status(grpc::StatusCode::INTERNAL, e.what());
    }
    logWarn("started executor {} of {} ({} cores, {} MiB); logs in {}/{}", req->executor_id(),
            req->app_id(), cores, mem, logDir, req->executor_id());
    resp->set_worker_host(options_.host);
    resp->set_log_dir(logDir + "/" + req->executor_id());
    return grpc::Status::OK;
  }

  grpc::Status KillExecutor(grpc::ServerContext* ctx, const proto::KillExecutorRequest* req,
                            proto::Empty*) override {
    if (auto st = checkAuth(*ctx, security_, "KillExecutor"); !st.ok()) return st;
    std::unique_ptr<ProcessLauncher> whole;
    {
      std::lock_guard lock(mutex_);
      auto it = apps_.find(req->app_id());
      if (it == apps_.end()) return grpc::Status::OK;
      if (!req->executor_id().empty()) {
        it->second->kill(req->executor_id());
        return grpc::Status::OK;
      }
      whole = std::move(it->second);
      apps_.erase(it);
    }
    // The application has ended: its executors were asked to stop by the driver; give
    // them a moment to clean up, then kill the rest (off the RPC thread).
    std::thread([l = std::move(whole)]() mutable { l->stopAll(2000); }).detach();
    return grpc::Status::OK;
  }

  std::pair<int, int64_t> free() {
    std::lock_guard lock(mutex_);
    return {freeCores_, freeMemoryMb_};
  }
  void stopAll() {
    std::map<std::string, std::unique_ptr<ProcessLauncher>> apps;
    {
      std::lock_guard lock(mutex_);
      apps.swap(apps_);
    }
    for (auto& [id, l] : apps) l->stopAll(0);
  }

 private:
  const WorkerOptions& options_;
  ClusterSettings settings_;
  RpcSecurity security_;
  std::string workDir_;
  std::mutex mutex_;
  int freeCores_;
  int64_t freeMemoryMb_;
  std::map<std::string, std::unique_ptr<ProcessLauncher>> apps_;
};

}  // namespace

int runWorker(const WorkerOptions& o) {
  ClusterSettings s = ClusterSettings::fromConfig(o.conf);
  if (s.authenticate && s.secret.empty())
    throw ConfigError("ember.authenticate=true needs ember.authenticate.secret for the worker");
  if (o.cores < 1 || o.memoryMb < 1)
    throw UserError("a worker needs --cores >= 1 and --memory >= 1");
  std::string masterAddress = parseMasterUrl(o.masterUrl);
  std::string workDir =
      o.workDir.empty() ? "/tmp/ember-worker-" + std::to_string(getpid()) : o.workDir;
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);
  RpcSecurity sec = RpcSecurity::fromSettings(s);
  WorkerService service(o, s, workDir);
  int port = 0;
  auto server = startServer(o.host + ":" + std::to_string(o.port), sec, {&service}, &port);
  auto master = proto::Master::NewStub(makeChannel(masterAddress, sec));

  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  int code = 0;
  std::thread beat([&] {
    std::string id;
    auto lastOk = std::chrono::steady_clock::now();
    std::unique_lock lock(mu);
    while (!done) {
      lock.unlock();
      grpc::Status st;
      if (id.empty()) {
        proto::RegisterWorkerRequest req;
        req.set_protocol_version(kProtocolVersion);
        req.set_host(o.host);
        req.set_port(port);
        req.set_cores(o.cores);
        req.set_memory_mb(o.memoryMb);
        req.set_log_dir(workDir);
        proto::RegisterWorkerResponse resp;
        auto cc = clientContext(sec, s.networkTimeoutMs);
        st = master->RegisterWorker(cc.get(), req, &resp);
        if (st.ok()) {
          id = resp.worker_id();
          std::cout << "ember worker " << id << " at " << o.host << ":" << port
                    << " registered with " << o.masterUrl << " (" << o.cores << " cores, "
                    << o.memoryMb << " MiB)" << std::endl;
        } else if (st.error_code() != grpc::StatusCode::UNAVAILABLE) {
          std::cerr << "ember worker: the master at " << o.masterUrl
                    << " refused the registration: " << statusText(st) << std::endl;
          code = 1;
          kill(getpid(), SIGTERM);  // wake the main thread's sigwait
          return;
        }
      } else {
        auto [cores, mem] = service.free();
        proto::WorkerHeartbeatRequest req;
        req.set_worker_id(id);
        req.set_free_cores(cores);
        req.set_free_memory_mb(mem);
        proto::WorkerHeartbeatResponse resp;
        auto cc = clientContext(sec, s.networkTimeoutMs);
        st = master->WorkerHeartbeat(cc.get(), req, &resp);
        if (st.ok() && resp.unknown_worker()) id.clear();  // register again
      }
      if (st.ok())
        lastOk = std::chrono::steady_clock::now();
      else if (std::chrono::steady_clock::now() - lastOk >
               std::chrono::milliseconds(s.networkTimeoutMs))
        logWarn("worker: no contact with the master at {}: {}", o.masterUrl, statusText(st));
      lock.lock();
      cv.wait_for(lock, std::chrono::milliseconds(s.heartbeatMs), [&] { return done; });
    }
  });
  int sig = 0;
  sigwait(&sigs, &sig);
  {
    std::lock_guard lock(mu);
    done = true;
  }
  cv.notify_all();
  beat.join();
  service.stopAll();
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
  return code;
}

}  // namespace ember::cluster
