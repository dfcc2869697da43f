#include "ember/cluster/executor_backend.h"

#include <fmt/core.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <thread>

#include "ember/cluster/executor_internal.h"
#include "ember/common/errors.h"
#include "ember/common/logging.h"
#include "ember/core/broadcast.h"
#include "ember/core/cluster_hooks.h"
#include "ember/core/rdd_base.h"
#include "ember/shuffle/codec.h"

namespace ember::cluster {

namespace {
std::string envOr(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

int64_t envInt(const char* name, int64_t fallback) {
  std::string v = envOr(name, "");
  if (v.empty()) return fallback;
  char* end = nullptr;
  long long x = std::strtoll(v.c_str(), &end, 10);
  if (!end || *end != '\0' || x <= 0) {
    std::cerr << "ember executor: " << name << "='" << v << "' is not a positive integer\n";
    std::_Exit(2);
  }
  return x;
}

std::string fetchBroadcast(ExecutorRuntime& rt, int64_t id) {
  proto::BroadcastRequest req;
  req.set_broadcast_id(id);
  auto cc = clientContext(rt.security, rt.settings.networkTimeoutMs);
  auto reader = rt.driver->FetchBroadcast(cc.get(), req);
  std::string bytes;
  proto::Chunk c;
  while (reader->Read(&c)) bytes += c.data();
  grpc::Status st = reader->Finish();
  if (!st.ok())
    throw IoError(fmt::format("cannot fetch broadcast {} from the driver: {}", id, statusText(st)));
  return bytes;
}

void register_(ExecutorRuntime& rt, int port, const std::string& host) {
  proto::RegisterExecutorRequest req;
  req.set_protocol_version(kProtocolVersion);
  req.set_executor_id(rt.executorId);
  req.set_host(host);
  req.set_port(port);
  req.set_cores(rt.slots);
  req.set_memory_bytes(rt.memoryBytes);
  req.set_pid(getpid());
  proto::RegisterExecutorResponse resp;
  // The driver may still be starting (executors started by a resource manager): retry
  // while it is unreachable, up to the network timeout.
  auto start = std::chrono::steady_clock::now();
  for (;;) {
    auto cc = clientContext(rt.security, rt.settings.networkTimeoutMs);
    grpc::Status st = rt.driver->RegisterExecutor(cc.get(), req, &resp);
    if (st.ok()) break;
    bool retry = st.error_code() == grpc::StatusCode::UNAVAILABLE &&
                 std::chrono::steady_clock::now() - start <
                     std::chrono::milliseconds(rt.settings.networkTimeoutMs);
    if (!retry) {
      std::cerr << "ember executor: the driver at " << rt.driverUrl
                << " refused the registration: " << statusText(st) << "\n";
      exitExecutor(&rt, 1);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  rt.executorId = resp.executor_id();
  for (const auto& e : resp.conf()) rt.conf.set(e.key(), e.value());
}

void buildEngine(ExecutorRuntime& rt) {
  const Config& c = rt.conf;
  rt.memory =
      std::make_unique<MemoryManager>(rt.memoryBytes, c.getDouble("ember.memory.storageFraction"));
  rt.disk = std::make_unique<DiskManager>(c.get("ember.local.dir"),
                                          c.get("ember.app.name") + "-executor-" + rt.executorId);
  rt.tracker = std::make_unique<MapOutputTracker>();
  rt.blocks = std::make_unique<BlockManager>(rt.memory.get(), rt.disk.get());
  rt.memory->setEvictor([&rt](int64_t bytes) { return rt.blocks->evict(bytes); });
  rt.shuffle = std::make_unique<GrpcShuffleReader>(rt);
  rt.env.executorId = rt.executorId;
  rt.env.conf = c;
  rt.env.memory = rt.memory.get();
  rt.env.disk = rt.disk.get();
  rt.env.mapOutputs = rt.tracker.get();
  rt.env.blocks = rt.blocks.get();
  rt.env.remoteShuffle = rt.shuffle.get();
  rt.env.shuffleCodec = c.getBool("ember.shuffle.compress")
                            ? parseCodec(c.get("ember.shuffle.compression.codec"))
                            : Codec::None;
  rt.env.zstdLevel = static_cast<int>(c.getInt("ember.shuffle.zstd.level"));
  rt.env.serializeTasks = true;
  rt.executor = std::make_unique<Executor>(rt.env);
  BroadcastManager::global().setFetcher([&rt](int64_t id) { return fetchBroadcast(rt, id); });
}

void slotLoop(ExecutorRuntime& rt, int slot) {
  setThreadName("executor-slot-" + std::to_string(slot));
  for (;;) {
    ExecutorRuntime::QueuedTask q;
    {
      std::unique_lock lock(rt.mutex);
      rt.cv.wait(lock, [&] { return rt.stopping || !rt.tasks.empty(); });
      if (rt.stopping) return;
      q = std::move(rt.tasks.front());
      rt.tasks.pop_front();
    }
    TaskDescription& t = q.task;
    {
      // Deserialise the stage once for all its tasks here; on failure, Executor::run
      // deserialises again and reports the error as the task's.
      std::lock_guard lock(q.payload->mutex);
      if (!q.payload->stage) {
        try {
          q.payload->stage = StagePayload::deserialize(*q.payload->bytes);
        } catch (const std::exception&) {
        }
      }
      if (q.payload->stage) {
        t.payload = q.payload->stage;
        t.payloadBytes = nullptr;
      }
    }
    q.payload.reset();
    TaskResult r = rt.executor->run(t);
    int64_t taskId = t.taskId;
    q = ExecutorRuntime::QueuedTask{};  // release this task's hold on the stage before reporting
    {
      std::lock_guard lock(rt.mutex);
      rt.taskFlags.erase(taskId);
      rt.results.push_back(std::move(r));
    }
    rt.resultsCv.notify_one();
  }
}

// Sends finished tasks to the driver, several per call when they pile up.
void reportLoop(ExecutorRuntime& rt) {
  setThreadName("executor-report");
  for (;;) {
    proto::StatusUpdateRequest req;
    req.set_executor_id(rt.executorId);
    {
      std::unique_lock lock(rt.mutex);
      rt.resultsCv.wait(lock, [&] { return rt.stopping || !rt.results.empty(); });
      if (rt.stopping) return;
      while (!rt.results.empty()) {
        toProto(rt.results.front(), req.add_statuses());
        rt.results.pop_front();
      }
    }
    auto start = std::chrono::steady_clock::now();
    for (;;) {
      proto::Empty resp;
      auto cc = clientContext(rt.security, rt.settings.networkTimeoutMs);
      grpc::Status st = rt.driver->StatusUpdate(cc.get(), req, &resp);
      if (st.ok()) break;
      if (std::chrono::steady_clock::now() - start >
          std::chrono::milliseconds(rt.settings.networkTimeoutMs)) {
        logError("executor {}: cannot report to the driver at {}: {}; exiting", rt.executorId,
                 rt.driverUrl, statusText(st));
        exitExecutor(&rt, 1);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }
}

const bool kHookRegistered = registerExecutorModeHook([](const Config& conf) {
  if (executorModeRequested()) runExecutorProcess(conf);
});
}  // namespace

bool ExecutorRuntime::waitReady() {
  std::unique_lock lock(mutex);
  cv.wait(lock, [&] { return ready || stopping; });
  return !stopping;
}

std::shared_ptr<std::atomic<bool>> ExecutorRuntime::jobFlag(int jobId) {
  auto& f = jobKilled[jobId];
  if (!f) f = std::make_shared<std::atomic<bool>>(false);
  return f;
}

void ExecutorRuntime::requestStop(const std::string& reason) {
  {
    std::lock_guard lock(mutex);
    if (stopping) return;
    stopping = true;
    stopReason = reason;
  }
  cv.notify_all();
  resultsCv.notify_all();
}

void exitExecutor(ExecutorRuntime* rt, int code) {
  if (rt && rt->disk) {
    try {
      rt->disk->cleanup();
    } catch (const EmberError&) {
    }
  }
  std::fflush(stdout);
  std::fflush(stderr);
  std::_Exit(code);
}

bool executorModeRequested() { return std::getenv(kEnvDriverUrl) != nullptr; }

void runExecutorProcess(const Config& localConf) {
  (void)kHookRegistered;
  // Started by a local launcher: die with the driver, even when it is killed.
  if (int64_t parent = envInt(kEnvParentPid, 0); parent > 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != static_cast<pid_t>(parent)) std::_Exit(1);
  }
  setThreadName("executor-main");
  static ExecutorRuntime rt;  // lives until _Exit; threads refer to it
  try {
    rt.settings = ClusterSettings::fromConfig(localConf);
  } catch (const EmberError& e) {
    std::cerr << "ember executor: " << e.what() << "\n";
    exitExecutor(nullptr, 2);
  }
  rt.settings.authenticate = std::getenv(kEnvSecret) != nullptr;
  rt.settings.secret = envOr(kEnvSecret, "");
  rt.security = RpcSecurity::fromSettings(rt.settings);
  rt.driverUrl = envOr(kEnvDriverUrl, "");
  rt.executorId = envOr(kEnvExecutorId, "");
  rt.slots = static_cast<int>(envInt(kEnvSlots, 1));
  rt.memoryBytes = envInt(kEnvMemoryMb, 1024) << 20;
  std::string bind = envOr(kEnvBindAddress, "127.0.0.1");
  std::string host = envOr(kEnvHost, bind);
  rt.conf = localConf;

  ExecutorService service(rt);
  std::unique_ptr<grpc::Server> server;
  int port = 0;
  try {
    server = startServer(bind + ":0", rt.security, {&service}, &port);
    rt.driver = proto::Driver::NewStub(makeChannel(rt.driverUrl, rt.security));
  } catch (const EmberError& e) {
    std::cerr << "ember executor: " << e.what() << "\n";
    exitExecutor(nullptr, 1);
  }
  register_(rt, port, host);
  try {
    // The driver's values, except what belongs to this process.
    ClusterSettings fromDriver = ClusterSettings::fromConfig(rt.conf);
    rt.settings.heartbeatMs = fromDriver.heartbeatMs;
    rt.settings.networkTimeoutMs = fromDriver.networkTimeoutMs;
    rt.settings.fetchMaxRetries = fromDriver.fetchMaxRetries;
    rt.settings.fetchRetryWaitMs = fromDriver.fetchRetryWaitMs;
    rt.settings.maxBytesInFlight = fromDriver.maxBytesInFlight;
    setLogLevel(parseLogLevel(rt.conf.get("ember.log.level")));
    buildEngine(rt);
  } catch (const EmberError& e) {
    std::cerr << "ember executor " << rt.executorId << ": cannot start: " << e.what() << "\n";
    exitExecutor(&rt, 1);
  }
  {
    std::lock_guard lock(rt.mutex);
    rt.ready = true;
  }
  rt.cv.notify_all();
  logInfo("executor {} serving on {}:{} with {} task slots", rt.executorId, host, port, rt.slots);
  for (int i = 0; i < rt.slots; ++i) std::thread([i] { slotLoop(rt, i); }).detach();
  std::thread([] { reportLoop(rt); }).detach();

  // Heartbeats until the driver stops or drops us, or stays unreachable too long.
  auto lastOk = std::chrono::steady_clock::now();
  int code = 0;
  for (;;) {
    {
      std::unique_lock lock(rt.mutex);
      rt.cv.wait_for(lock, std::chrono::milliseconds(rt.settings.heartbeatMs),
                     [&] { return rt.stopping; });
      if (rt.stopping) break;
    }
    proto::HeartbeatRequest req;
    req.set_executor_id(rt.executorId);
    proto::HeartbeatResponse resp;
    auto cc = clientContext(rt.security, rt.settings.heartbeatMs * 2);
    grpc::Status st = rt.driver->Heartbeat(cc.get(), req, &resp);
    if (st.ok() && resp.unknown_executor()) {
      logWarn("executor {}: the driver no longer knows this executor (declared lost); exiting",
              rt.executorId);
      code = 1;
      break;
    }
    if (st.ok()) {
      lastOk = std::chrono::steady_clock::now();
    } else if (std::chrono::steady_clock::now() - lastOk >
               std::chrono::milliseconds(rt.settings.networkTimeoutMs)) {
      logWarn("executor {}: no contact with the driver at {} for {} ms ({}); exiting",
              rt.executorId, rt.driverUrl, rt.settings.networkTimeoutMs, statusText(st));
      code = 1;
      break;
    }
  }
  rt.requestStop("exiting");
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(500));
  exitExecutor(&rt, code);
}

}  // namespace ember::cluster
