// Private state of an executor process, shared by executor_backend.cpp (lifecycle,
// task slots, reports), executor_service.cpp (the Executor RPC service) and
// shuffle_client.cpp (remote shuffle reads).
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>

#include "ember/cluster/block_prefetcher.h"
#include "ember/cluster/rpc_internal.h"
#include "ember/common/config.h"
#include "ember/core/block_manager.h"
#include "ember/core/executor.h"
#include "ember/core/executor_env.h"
#include "ember/shuffle/remote_shuffle.h"
#include "ember/storage/disk_manager.h"
#include "ember/storage/memory_manager.h"

namespace ember::cluster {

struct ExecutorRuntime;

// Map output locations from the driver (cached per shuffle until the driver's epoch
// moves or an output turns out to be missing or unreachable), and block fetches from
// other executors over FetchBlock, with retries.
//
// Read-ahead: the first remote block a task asks for (of one shuffle and reduce
// partition) starts a BlockPrefetcher over all the remote blocks from that map on, in
// the order the reduce side reads them (map order), so blocks of several executors
// arrive in parallel within ember.reducer.maxSizeInFlight. The session belongs to the
// task (TaskContext) and ends with it: its untaken blocks are removed then.
class GrpcShuffleReader final : public RemoteShuffleReader {
 public:
  explicit GrpcShuffleReader(ExecutorRuntime& rt) : rt_(rt) {}
  // Forgets every cached location if `epoch` is newer than the last one seen.
  void observeEpoch(int64_t epoch);
  // Forgets the locations of a shuffle the driver has cleaned.
  void forget(int shuffleId);
  std::optional<MapStatus> mapStatus(int shuffleId, int mapId) override;
  bool isLocal(const MapStatus& status) const override;
  FetchedBlock fetchBlock(const MapStatus& status, int shuffleId, int mapId, int reduceId) override;

 private:
  struct Entry {
    std::vector<std::optional<MapStatus>> statuses;
  };
  std::shared_ptr<const Entry> entry(int shuffleId);
  FetchedBlock fetchOnce(const std::string& address, int shuffleId, int mapId, int reduceId,
                         uint64_t expected, const std::atomic<bool>& cancelled);
  // One block with the retries of ember.shuffle.io.*; throws IoError when they are spent.
  FetchedBlock fetchWithRetries(const MapStatus& status, int shuffleId, int mapId, int reduceId,
                                const std::atomic<bool>& cancelled);

  struct Session {
    std::vector<std::optional<MapStatus>> statuses;  // what the prefetches were based on
    std::unique_ptr<BlockPrefetcher> prefetcher;
  };
  using SessionKey = std::tuple<const void*, int, int>;  // task context, shuffle, reduce
  std::shared_ptr<Session> startSession(const SessionKey& key, int mapId);

  ExecutorRuntime& rt_;
  std::mutex mutex_;
  int64_t epoch_ = 0;
  std::map<int, std::shared_ptr<const Entry>> cache_;
  std::map<std::string, std::string> addressOf_;                         // executor id -> host:port
  std::map<std::string, std::shared_ptr<proto::Executor::Stub>> stubs_;  // by address
  std::map<SessionKey, std::shared_ptr<Session>> sessions_;
};

struct ExecutorRuntime {
  std::string executorId;
  std::string driverUrl;
  int slots = 1;
  int64_t memoryBytes = 0;
  ClusterSettings settings;
  RpcSecurity security;
  std::shared_ptr<proto::Driver::Stub> driver;

  // The engine, built once the driver's configuration has arrived (ready == true).
  Config conf;
  std::unique_ptr<MemoryManager> memory;
  std::unique_ptr<DiskManager> disk;
  std::unique_ptr<MapOutputTracker> tracker;  // unused by tasks; ExecutorEnv wants one
  std::unique_ptr<BlockManager> blocks;
  std::unique_ptr<GrpcShuffleReader> shuffle;
  ExecutorEnv env;
  std::unique_ptr<Executor> executor;

  std::mutex mutex;
  std::condition_variable cv;  // tasks queued, ready, stopping
  bool ready = false;
  bool stopping = false;
  std::string stopReason;
  // Stage payloads by id (LaunchTasks sends each one's bytes once), at most
  // kExecutorPayloadCache (driver_internal.h), the oldest dropped first; deserialised
  // once, by the first task that runs it, and shared by the others (as in local mode).
  struct CachedPayload {
    std::shared_ptr<const std::string> bytes;
    std::mutex mutex;                           // guards stage
    std::shared_ptr<const StagePayload> stage;  // null until deserialised
  };
  std::map<int64_t, std::shared_ptr<CachedPayload>> payloads;
  std::deque<int64_t> payloadOrder;
  struct QueuedTask {
    TaskDescription task;
    std::shared_ptr<CachedPayload> payload;
  };
  std::deque<QueuedTask> tasks;
  std::map<int, std::shared_ptr<std::atomic<bool>>> jobKilled;  // by job id
  // Interrupt flag of each queued or running task: set by KillTask for that task, by
  // KillJob for all of its job's (a task launched after KillJob starts interrupted).
  struct TaskFlag {
    int jobId = 0;
    std::shared_ptr<std::atomic<bool>> flag;
  };
  std::map<int64_t, TaskFlag> taskFlags;  // by task id
  std::deque<TaskResult> results;
  std::condition_variable resultsCv;

  // Blocks until the engine is built; false if the executor is stopping instead.
  bool waitReady();
  std::shared_ptr<std::atomic<bool>> jobFlag(int jobId);  // requires mutex
  void requestStop(const std::string& reason);
};

// Removes the scratch directory and ends the process at once (the threads of running
// tasks are not waited for).
[[noreturn]] void exitExecutor(ExecutorRuntime* rt, int code);

class ExecutorService final : public proto::Executor::Service {
 public:
  explicit ExecutorService(ExecutorRuntime& rt) : rt_(rt) {}
  grpc::Status LaunchTasks(grpc::ServerContext* ctx, const proto::LaunchTasksRequest* req,
                           proto::Empty* resp) override;
  grpc::Status KillJob(grpc::ServerContext* ctx, const proto::KillJobRequest* req,
                       proto::Empty* resp) override;
  grpc::Status FetchBlock(grpc::ServerContext* ctx, const proto::FetchBlockRequest* req,
                          grpc::ServerWriter<proto::Chunk>* writer) override;
  grpc::Status StopExecutor(grpc::ServerContext* ctx, const proto::StopExecutorRequest* req,
                            proto::Empty* resp) override;
  grpc::Status RemoveBlocks(grpc::ServerContext* ctx, const proto::RemoveBlocksRequest* req,
                            proto::Empty* resp) override;
  grpc::Status KillTask(grpc::ServerContext* ctx, const proto::KillTaskRequest* req,
                        proto::Empty* resp) override;

 private:
  ExecutorRuntime& rt_;
};

}  // namespace ember::cluster
