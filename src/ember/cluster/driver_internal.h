// Private state of ClusterScheduler, shared by cluster_scheduler.cpp (scheduling,
// executor loss) and driver_service.cpp (the Driver RPC service).
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>

#include "ember/cluster/cluster_scheduler.h"
#include "ember/cluster/rpc_internal.h"

namespace ember {
class EventBus;
class MapOutputTracker;
}  // namespace ember

namespace ember::cluster {

class DriverService;

struct ExecutorRef {
  std::string id;
  std::string host;
  std::string address;  // host:port of its Executor service
  int cores = 0;
  int freeCores = 0;
  int64_t lastHeartbeatMs = 0;
  std::set<int64_t> running;  // task ids
  std::shared_ptr<proto::Executor::Stub> stub;
  // Payload ids whose bytes were sent to it lately, oldest first; the executor keeps
  // more than this many (kExecutorPayloadCache), so it still has every one listed.
  std::deque<int64_t> payloadsSent;
};

struct ClusterScheduler::Impl {
  Impl(Context& ctx, ClusterSettings settings, std::unique_ptr<ExecutorLauncher> launcher);

  struct Queued {
    TaskDescription task;
    std::shared_ptr<TaskResultSink> sink;
    std::vector<int> cachedRdds;  // persisted RDDs of the task's stage (locality)
    std::string preferred;        // executor holding most of a reduce task's input, or ""
    std::string avoid;            // a speculative copy: the executor running the original
  };
  struct Running {
    Queued q;
    std::string executorId;
    int64_t startMs = 0;  // steadyNowMs() at launch
  };

  // --- called with mutex_ held ---
  // Picks the executor for `q` among those with a free core, or nullptr.
  ExecutorRef* pickExecutor(const Queued& q);
  std::string lossSummaryLocked() const;

  // --- called without mutex_ ---
  void launchLoop();
  void monitorLoop();
  // Marks an executor lost (no-op if unknown) and fails its running tasks.
  void executorLost(const std::string& id, const std::string& reason);
  // Reports a finished task to the DAG scheduler (posts TaskEnd first).
  void finish(Running run, TaskResult r);
  // A registration: returns the id given (or throws UserError).
  std::string registerExecutor(const proto::RegisterExecutorRequest& req, const std::string& peer);
  void statusUpdate(const proto::StatusUpdateRequest& req);
  bool heartbeat(const std::string& executorId);  // false if unknown
  void waitForCount(size_t count, bool launched);
  void shutdown();
  // Runs `f` on the control thread (RPCs that callers must not wait for).
  void post(std::function<void()> f);
  void controlLoop();
  // Sends RemoveBlocks to every live executor.
  void removeBlocks(const std::vector<int>& shuffles, const std::vector<int>& rdds);

  Context& ctx_;
  EventBus& bus_;
  MapOutputTracker& tracker_;
  ClusterSettings settings_;
  RpcSecurity security_;
  std::unique_ptr<ExecutorLauncher> launcher_;
  std::unique_ptr<DriverService> service_;
  std::unique_ptr<grpc::Server> server_;
  std::string driverUrl_;

  mutable std::mutex mutex_;
  std::condition_variable cv_;          // launch loop: tasks or cores available
  std::condition_variable registered_;  // registrations and process exits
  std::map<std::string, std::unique_ptr<ExecutorRef>> executors_;
  std::unordered_map<int64_t, Running> running_;
  std::deque<Queued> queue_;
  std::map<std::pair<int, int>, std::string> cacheLocations_;  // (rdd, partition) -> executor
  std::deque<std::string> recentLosses_;                       // newest last, at most 5
  std::vector<std::string> exitedBeforeRegistering_;
  std::set<std::string> everLost_;
  std::atomic<int64_t> epoch_{0};
  // Ids of recent payloads (by object: a stage attempt's serialised bytes), launch
  // thread only. A dead object's address may be reused: the weak_ptr tells them apart.
  std::deque<std::pair<std::weak_ptr<const std::string>, int64_t>> payloadIds_;
  int64_t nextPayloadId_ = 1;
  int64_t payloadIdOf(const std::shared_ptr<const std::string>& bytes);
  int nextExecutorId_ = 0;  // for executors that register without an id
  bool stopping_ = false;
  SpeculationSettings speculation_;
  std::deque<std::function<void()>> control_;
  std::condition_variable controlCv_;
  // The driver's BlockManager outlives nothing we know of: its unpersist listener
  // reaches us through this relay, cleared at shutdown.
  struct Relay {
    std::mutex mutex;
    Impl* impl = nullptr;
  };
  std::shared_ptr<Relay> relay_ = std::make_shared<Relay>();
  std::thread launchThread_, monitorThread_, controlThread_;
};

// The Driver RPC service; forwards to the scheduler's Impl after authentication.
class DriverService final : public proto::Driver::Service {
 public:
  explicit DriverService(ClusterScheduler::Impl& impl) : impl_(impl) {}
  grpc::Status RegisterExecutor(grpc::ServerContext* ctx, const proto::RegisterExecutorRequest* req,
                                proto::RegisterExecutorResponse* resp) override;
  grpc::Status Heartbeat(grpc::ServerContext* ctx, const proto::HeartbeatRequest* req,
                         proto::HeartbeatResponse* resp) override;
  grpc::Status StatusUpdate(grpc::ServerContext* ctx, const proto::StatusUpdateRequest* req,
                            proto::Empty* resp) override;
  grpc::Status GetMapStatuses(grpc::ServerContext* ctx, const proto::MapStatusesRequest* req,
                              proto::MapStatusesResponse* resp) override;
  grpc::Status FetchBroadcast(grpc::ServerContext* ctx, const proto::BroadcastRequest* req,
                              grpc::ServerWriter<proto::Chunk>* writer) override;

 private:
  ClusterScheduler::Impl& impl_;
};

}  // namespace ember::cluster
