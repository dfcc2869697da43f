#include "ember/core/context.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>
#include <thread>

#include "ember/common/app_args.h"
#include "ember/common/logging.h"
#include "ember/core/block_manager.h"
#include "ember/core/cluster_hooks.h"
#include "ember/core/context_plugin.h"
#include "ember/core/event_bus.h"
#include "ember/core/executor.h"
#include "ember/core/progress_bar.h"
#include "ember/core/task_scheduler.h"
#include "ember/shuffle/map_output_tracker.h"
#include "ember/storage/disk_manager.h"
#include "ember/storage/memory_manager.h"

namespace ember {

namespace {
thread_local std::string tlsJobGroup;

// Cleans a shuffle's files, map output locations and stage when the RDD reading it
// dies. detach() makes it a no-op once the context is stopping. The mutex is
// recursive: dropping a stage can release upstream RDDs that clean their shuffles
// on the same thread.
class ContextShuffleCleaner : public ShuffleCleaner {
 public:
  ContextShuffleCleaner(MapOutputTracker* tracker, DiskManager* disk, DAGScheduler* dag)
      : tracker_(tracker), disk_(disk), dag_(dag) {}
  void cleanShuffle(int shuffleId) noexcept override {
    std::lock_guard lock(mutex_);
    if (!tracker_) return;
    try {
      if (tracker_->hasShuffle(shuffleId)) tracker_->unregisterShuffle(shuffleId);
      dag_->removeShuffle(shuffleId);
      disk_->removeShuffle(shuffleId);
    } catch (const std::exception& e) {
      logWarn("could not clean up shuffle {}: {}", shuffleId, e.what());
    }
  }
  void detach() {
    std::lock_guard lock(mutex_);
    tracker_ = nullptr;
  }

 private:
  std::recursive_mutex mutex_;
  MapOutputTracker* tracker_;
  DiskManager* disk_;
  DAGScheduler* dag_;
};

std::map<std::string, ContextPluginFactory>& contextPlugins() {
  static std::map<std::string, ContextPluginFactory> plugins;
  return plugins;
}

int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}
}  // namespace

bool registerContextPlugin(const std::string& name, ContextPluginFactory factory) {
  contextPlugins()[name] = std::move(factory);
  return true;
}

MasterSpec MasterSpec::parse(const std::string& master) {
  MasterSpec m;
  m.kind = "local";
  auto cores = [] { return std::max(1u, std::thread::hardware_concurrency()); };
  if (master == "local") {
    m.slots = 1;
    return m;
  }
  if (master.rfind("local[", 0) == 0 && master.back() == ']') {
    std::string n = master.substr(6, master.size() - 7);
    if (n == "*") {
      m.slots = static_cast<int>(cores());
      return m;
    }
    char* end = nullptr;
    long v = std::strtol(n.c_str(), &end, 10);
    if (end && *end == '\0' && v > 0 && v <= 4096) {
      m.slots = static_cast<int>(v);
      return m;
    }
  }
  // Cluster masters are defined by the cluster layer (cluster_hooks.h).
  if (const ClusterManager* cm = findClusterManager(master)) {
    m.kind = "cluster";
    m.slots = cm->totalSlots(master);
    return m;
  }
  if (master.rfind("local-cluster[", 0) == 0 || master.rfind("ember://", 0) == 0)
    throw UserError("master '" + master +
                    "' needs cluster mode, which is not linked into this program; link the "
                    "`ember` target (it includes the cluster layer) or use local[N]");
  throw UserError("invalid master '" + master +
                  "': expected local, local[N] (N task slots), local[*] (one per core), "
                  "local-cluster[E,C,M] or ember://HOST:PORT");
}

Context::Context(Config conf) : conf_(std::move(conf)) {
  // In a process started as an executor this runs the executor and never returns.
  runExecutorModeHook(conf_);
  setLogLevel(parseLogLevel(conf_.get("ember.log.level")));
  master_ = conf_.get("ember.master");
  MasterSpec spec = MasterSpec::parse(master_);
  appId_ = "local-" + std::to_string(nowMs());
  std::string par = conf_.get("ember.default.parallelism");
  defaultParallelism_ = par.empty() ? spec.slots : static_cast<int>(conf_.getInt("ember.default.parallelism"));
  // A cluster master may not know its slots before its executors register (0): set below.
  if (defaultParallelism_ < 1 && !(par.empty() && spec.kind == "cluster"))
    throw ConfigError("ember.default.parallelism must be at least 1");

  bus_ = std::make_unique<EventBus>(
      static_cast<size_t>(conf_.getInt("ember.scheduler.listenerbus.eventqueue.capacity")));
  memory_ = std::make_unique<MemoryManager>(conf_.getBytes("ember.executor.memory"),
                                            conf_.getDouble("ember.memory.storageFraction"));
  disk_ = std::make_unique<DiskManager>(conf_.get("ember.local.dir"), conf_.get("ember.app.name"));
  tracker_ = std::make_unique<MapOutputTracker>();
  blocks_ = std::make_unique<BlockManager>(memory_.get(), disk_.get());
  memory_->setEvictor([this](int64_t bytes) { return blocks_->evict(bytes); });

  env_.executorId = "driver";
  env_.conf = conf_;
  env_.memory = memory_.get();
  env_.disk = disk_.get();
  env_.mapOutputs = tracker_.get();
  env_.blocks = blocks_.get();
  env_.shuffleCodec = conf_.getBool("ember.shuffle.compress")
                          ? parseCodec(conf_.get("ember.shuffle.compression.codec"))
                          : Codec::None;
  env_.zstdLevel = static_cast<int>(conf_.getInt("ember.shuffle.zstd.level"));
  // Tasks always cross the serialisation boundary in cluster mode.
  env_.serializeTasks = spec.kind == "cluster" || conf_.getBool("ember.test.serializeTasks");

  if (ConsoleProgressBar::shouldEnable(conf_.getBool("ember.ui.showConsoleProgress"), 2)) {
    progress_ = std::make_shared<ConsoleProgressBar>(
        2, conf_.getDurationMs("ember.ui.consoleProgress.updateInterval"));
    bus_->addListener(progress_);
  }
  bus_->start();
  bus_->post(ApplicationStart{appId_, conf_.get("ember.app.name"), master_, nowMs()});
  executor_ = std::make_unique<Executor>(env_);
  if (spec.kind == "cluster") {
    // Executor processes announce themselves (ExecutorAdded) as they register.
    taskScheduler_ = findClusterManager(master_)->createScheduler(*this);
    if (defaultParallelism_ < 1) defaultParallelism_ = std::max(1, taskScheduler_->totalSlots());
  } else {
    bus_->post(ExecutorAdded{env_.executorId, "localhost", spec.slots, nowMs()});
    taskScheduler_ = std::make_unique<LocalTaskScheduler>(spec.slots, *executor_, bus_.get());
  }
  dag_ = std::make_unique<DAGScheduler>(*taskScheduler_, *tracker_, bus_.get());
  shuffleCleaner_ = std::make_shared<ContextShuffleCleaner>(tracker_.get(), disk_.get(), dag_.get());
  std::string cp = conf_.get("ember.checkpoint.dir");
  if (!cp.empty()) setCheckpointDir(cp);
  for (auto& [name, factory] : contextPlugins()) {
    if (auto p = factory(*this)) plugins_.push_back(std::move(p));
  }
}

std::unique_ptr<Context> Context::fromArgs(int argc, const char* const* argv,
                                           const std::string& usageTail) {
  AppArgs args;
  try {
    args = parseAppArgs(argc, argv);
  } catch (const UserError& e) {
    std::cerr << e.what() << "\n" << appArgsUsage(argv[0], usageTail);
    std::exit(2);
  }
  if (args.help) {
    std::cout << appArgsUsage(argv[0], usageTail);
    std::exit(0);
  }
  auto ctx = std::make_unique<Context>(configFromArgs(args));
  ctx->args_ = args.positional;
  return ctx;
}

Context::~Context() { stop(); }

void Context::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopped_) return;
    stopped_ = true;
  }
  static_cast<ContextShuffleCleaner&>(*shuffleCleaner_).detach();
  dag_->shutdown();  // cancels running jobs and waits until their threads have left
  bus_->post(ApplicationEnd{nowMs()});
  dag_.reset();
  taskScheduler_.reset();  // joins the slot threads
  executor_.reset();
  bus_->stop();            // delivers the remaining events
  for (auto it = plugins_.rbegin(); it != plugins_.rend(); ++it) (*it)->stop();
  while (!plugins_.empty()) plugins_.pop_back();
  progress_.reset();
  blocks_.reset();
  tracker_.reset();
  disk_.reset();           // removes the scratch directory
}

int Context::newShuffleId() { return tracker_->nextShuffleId(); }

void Context::addListener(std::shared_ptr<EventListener> listener) {
  bus_->addListener(std::move(listener));
}

void Context::runJob(const RDDBasePtr& rdd, std::shared_ptr<JobFunctionBase> func,
                     const std::vector<int>& partitions, const DAGScheduler::ResultHandler& handler,
                     const std::string& callSite) {
  {
    std::lock_guard lock(mutex_);
    if (stopped_) throw UserError("the context has been stopped; create a new Context to run jobs");
  }
  JobOptions opts;
  opts.callSite = callSite;
  opts.jobGroup = tlsJobGroup;
  opts.maxResultSize = conf_.getBytes("ember.driver.maxResultSize");
  opts.maxTaskFailures = static_cast<int>(conf_.getInt("ember.task.maxFailures"));
  if (opts.maxTaskFailures < 1) throw ConfigError("ember.task.maxFailures must be at least 1");
  opts.serializeTasks = env_.serializeTasks;
  dag_->runJob(rdd, std::move(func), partitions, handler, opts);
  checkpointLineage(rdd);
}

void Context::checkpointLineage(const RDDBasePtr& rdd) {
  // After an action, write the RDDs marked with checkpoint() that it computed (as
  // Spark does). Each writes its partitions with a job of its own.
  std::vector<RDDBasePtr> todo{rdd}, marked;
  std::set<int> seen;
  while (!todo.empty()) {
    auto r = todo.back();
    todo.pop_back();
    if (!seen.insert(r->id()).second) continue;
    if (r->checkpointRequested()) marked.push_back(r);
    for (auto& d : r->dependencies())
      if (d->rdd()) todo.push_back(d->rdd());
  }
  for (auto& r : marked) {
    {
      // doCheckpoint runs a job of its own, whose runJob comes back here with the same
      // RDD still marked: skip RDDs whose checkpoint is being written (by this thread
      // or another one), and those a nested job has checkpointed meanwhile.
      std::lock_guard lock(mutex_);
      if (!r->checkpointRequested() || !checkpointsInProgress_.insert(r->id()).second) continue;
    }
    auto release = [&] {
      std::lock_guard lock(mutex_);
      checkpointsInProgress_.erase(r->id());
    };
    try {
      r->doCheckpoint(*this);
    } catch (...) {
      release();
      throw;
    }
    release();
  }
}

void Context::setJobGroup(const std::string& group) { tlsJobGroup = group; }
void Context::clearJobGroup() { tlsJobGroup.clear(); }
void Context::cancelJobGroup(const std::string& group) { dag_->cancelJobGroup(group); }
void Context::cancelAllJobs() {
  if (dag_) dag_->cancelAllJobs();
}
std::vector<int> Context::activeJobIds() const { return dag_->activeJobIds(); }

void Context::setCheckpointDir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw UserError("cannot create checkpoint directory " + dir + ": " + ec.message());
  std::lock_guard lock(mutex_);
  checkpointDir_ = dir;
}

std::string Context::checkpointDir() const {
  std::lock_guard lock(mutex_);
  return checkpointDir_;
}

}  // namespace ember
