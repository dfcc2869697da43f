// The driver side of the standalone cluster: master URL ember://HOST:PORT. The driver
// asks the master for ember.executor.instances executors (ember.executor.cores slots,
// ember.executor.memory each); workers start them from this program's binary.
#include <fmt/core.h>

#include <iostream>
#include <map>
#include <mutex>
#include <thread>

#include "ember/cluster/cluster_scheduler.h"
#include "ember/cluster/process_launcher.h"
#include "ember/cluster/rpc_internal.h"
#include "ember/cluster/standalone.h"
#include "ember/common/errors.h"
#include "ember/common/logging.h"
#include "ember/core/cluster_hooks.h"
#include "ember/core/context.h"

namespace ember::cluster {

namespace {

const bool kKeys = [] {
  Config::registerKey(
      {"ember.executor.instances", "2", "Executors an application asks a standalone master for."});
  return true;
}();

class StandaloneLauncher final : public ExecutorLauncher {
 public:
  StandaloneLauncher(const std::string& masterAddress, RpcSecurity sec, std::string appId,
                     std::string appName, int cores, int64_t memoryMb, int64_t timeoutMs,
                     int64_t waitMs)
      : waitMs_(waitMs),
        sec_(std::move(sec)),
        appId_(std::move(appId)),
        appName_(std::move(appName)),
        cores_(cores),
        memoryMb_(memoryMb),
        timeoutMs_(timeoutMs),
        self_(selfProcessSpec()),
        master_(proto::Master::NewStub(makeChannel(masterAddress, sec_))) {}

  void launch(const std::string& executorId, const std::string& driverUrl,
              std::function<void(const std::string&)>) override {
    // Remote processes are watched through heartbeats and failed launches, not onExit.
    proto::ExecutorRequest req;
    req.set_protocol_version(kProtocolVersion);
    req.set_app_id(appId_);
    req.set_app_name(appName_);
    req.set_executor_id(executorId);
    req.set_driver_url(driverUrl);
    req.set_exe(self_.exe);
    for (const auto& a : self_.argv) req.add_argv(a);
    req.set_cores(cores_);
    req.set_memory_mb(memoryMb_);
    proto::ExecutorPlacement where;
    grpc::Status st;
    // Cores freed by an application that just ended reach the master with the workers'
    // next heartbeats: wait for resources up to the registration timeout.
    auto start = std::chrono::steady_clock::now();
    for (;;) {
      auto cc = clientContext(sec_, timeoutMs_);
      st = master_->RequestExecutor(cc.get(), req, &where);
      if (st.error_code() != grpc::StatusCode::RESOURCE_EXHAUSTED ||
          std::chrono::steady_clock::now() - start > std::chrono::milliseconds(waitMs_))
        break;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    if (!st.ok())
      throw UserError("the standalone master could not start executor " + executorId + ": " +
                      statusText(st));
    // Where to look when something goes wrong (what `ember submit` promises).
    std::cerr << fmt::format("executor {} on {} ({}); its logs: {}/stdout and stderr there\n",
                             executorId, where.worker_id(), where.worker_host(), where.log_dir());
  }
  void kill(const std::string& executorId) override { killExecutors(executorId); }
  void stopAll(int64_t) override { killExecutors(""); }

 private:
  void killExecutors(const std::string& executorId) {
    proto::KillExecutorRequest req;
    req.set_app_id(appId_);
    req.set_executor_id(executorId);
    proto::Empty e;
    auto cc = clientContext(sec_, timeoutMs_);
    grpc::Status st = master_->KillExecutor(cc.get(), req, &e);
    if (!st.ok())
      logWarn("could not ask the master to stop executors of {}: {}", appId_, statusText(st));
  }

  int64_t waitMs_;  // for free resources
  RpcSecurity sec_;
  std::string appId_, appName_;
  int cores_;
  int64_t memoryMb_, timeoutMs_;
  ProcessSpec self_;
  std::unique_ptr<proto::Master::Stub> master_;
};

const bool kStandalone = registerClusterManager(
    "ember://",
    ClusterManager{
        [](const std::string& master) {
          parseMasterUrl(master);
          return 0;  // known once the executors have registered
        },
        [](Context& ctx) -> std::unique_ptr<TaskScheduler> {
          (void)kKeys;
          std::string address = parseMasterUrl(ctx.master());
          ClusterSettings s = ClusterSettings::fromConfig(ctx.conf());
          if (s.authenticate && s.secret.empty())
            throw ConfigError(
                "ember.authenticate=true needs ember.authenticate.secret (the "
                "standalone cluster's shared secret)");
          const Config& c = ctx.conf();
          int64_t n = c.getInt("ember.executor.instances");
          std::string coresText = c.get("ember.executor.cores");
          int64_t cores = coresText.empty() ? 1 : c.getInt("ember.executor.cores");
          int64_t memMb = c.getBytes("ember.executor.memory") >> 20;
          if (n < 1 || cores < 1 || memMb < 1)
            throw ConfigError(
                "a standalone application needs ember.executor.instances, "
                "ember.executor.cores and ember.executor.memory (>= 1 MiB) of at least 1");
          auto launcher = std::make_unique<StandaloneLauncher>(
              address, RpcSecurity::fromSettings(s), ctx.appId(), c.get("ember.app.name"),
              static_cast<int>(cores), memMb, s.networkTimeoutMs, s.registrationTimeoutMs);
          auto sched = std::make_unique<ClusterScheduler>(ctx, std::move(s), std::move(launcher));
          sched->startExecutors(static_cast<int>(n));
          return sched;
        }});

}  // namespace
}  // namespace ember::cluster
