// The Executor RPC service: what the driver (launch, kill, stop) and other executors
// (shuffle block fetch) call on an executor.
#include <fmt/core.h>

#include "ember/cluster/executor_internal.h"
#include "ember/common/errors.h"
#include "ember/common/logging.h"
#include "ember/shuffle/posix_file.h"
#include "ember/shuffle/shuffle_files.h"

namespace ember::cluster {

grpc::Status ExecutorService::LaunchTasks(grpc::ServerContext* ctx,
                                          const proto::LaunchTasksRequest* req, proto::Empty*) {
  if (auto st = checkAuth(*ctx, rt_.security, "LaunchTasks"); !st.ok()) return st;
  if (!rt_.waitReady()) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "executor is stopping");
  std::vector<ExecutorRuntime::QueuedTask> tasks;
  std::vector<std::string> unknown;  // tasks whose payload this executor does not have
  int64_t epoch = 0;
  std::lock_guard lock(rt_.mutex);
  for (const auto& p : req->tasks()) {
    TaskDescription t;
    t.taskId = p.task_id();
    t.jobId = p.job_id();
    t.stageId = p.stage_id();
    t.stageAttempt = p.stage_attempt();
    t.partition = p.partition();
    t.attempt = p.attempt();
    t.isMapTask = p.is_map_task();
    epoch = std::max(epoch, p.map_output_epoch());
    std::shared_ptr<ExecutorRuntime::CachedPayload> cached;
    if (!p.payload().empty()) {
      cached = std::make_shared<ExecutorRuntime::CachedPayload>();
      cached->bytes = std::make_shared<const std::string>(p.payload());
      if (rt_.payloads.insert_or_assign(p.payload_id(), cached).second)
        rt_.payloadOrder.push_back(p.payload_id());
      while (rt_.payloadOrder.size() > kExecutorPayloadCache) {
        rt_.payloads.erase(rt_.payloadOrder.front());
        rt_.payloadOrder.pop_front();
      }
    } else if (auto it = rt_.payloads.find(p.payload_id()); it != rt_.payloads.end()) {
      cached = it->second;
    }
    if (!cached) {
      // Cannot happen while the driver's window is smaller than the cache; if it does,
      // the task fails and its retry carries a fresh payload.
      TaskResult r;
      r.taskId = t.taskId;
      r.outcome = TaskOutcome::Failed;
      r.error = fmt::format("executor {} does not have payload {} of task {} any more",
                            rt_.executorId, p.payload_id(), t.taskId);
      rt_.results.push_back(std::move(r));
      continue;
    }
    t.payloadBytes = cached->bytes;
    tasks.push_back({std::move(t), std::move(cached)});
  }
  rt_.shuffle->observeEpoch(epoch);
  for (auto& q : tasks) {
    TaskDescription& t = q.task;
    t.interrupted = std::make_shared<std::atomic<bool>>(rt_.jobFlag(t.jobId)->load());
    rt_.taskFlags[t.taskId] = {t.jobId, t.interrupted};
    rt_.tasks.push_back(std::move(q));
  }
  rt_.cv.notify_all();
  rt_.resultsCv.notify_one();
  return grpc::Status::OK;
}

grpc::Status ExecutorService::KillJob(grpc::ServerContext* ctx, const proto::KillJobRequest* req,
                                      proto::Empty*) {
  if (auto st = checkAuth(*ctx, rt_.security, "KillJob"); !st.ok()) return st;
  std::lock_guard lock(rt_.mutex);
  rt_.jobFlag(req->job_id())->store(true);
  for (auto& [id, f] : rt_.taskFlags)
    if (f.jobId == req->job_id()) f.flag->store(true);
  return grpc::Status::OK;
}

grpc::Status ExecutorService::KillTask(grpc::ServerContext* ctx, const proto::KillTaskRequest* req,
                                       proto::Empty*) {
  if (auto st = checkAuth(*ctx, rt_.security, "KillTask"); !st.ok()) return st;
  std::lock_guard lock(rt_.mutex);
  auto it = rt_.taskFlags.find(req->task_id());
  if (it != rt_.taskFlags.end()) {
    it->second.flag->store(true);
    logInfo("executor {}: killing task {}: {}", rt_.executorId, req->task_id(), req->reason());
  }
  return grpc::Status::OK;
}

grpc::Status ExecutorService::RemoveBlocks(grpc::ServerContext* ctx,
                                           const proto::RemoveBlocksRequest* req, proto::Empty*) {
  if (auto st = checkAuth(*ctx, rt_.security, "RemoveBlocks"); !st.ok()) return st;
  if (!rt_.waitReady()) return grpc::Status::OK;  // stopping: the whole directory goes
  // Best effort, like the driver's own cleanup: a file still open by a running task (a
  // late reduce of a dropped shuffle) stays readable until closed (POSIX unlink).
  for (int id : req->shuffle_ids()) {
    rt_.shuffle->forget(id);
    try {
      rt_.disk->removeShuffle(id);
    } catch (const EmberError& e) {
      logWarn("executor {}: cannot remove shuffle {}: {}", rt_.executorId, id, e.what());
    }
  }
  for (int id : req->rdd_ids()) rt_.blocks->removeRdd(id);
  logDebug("executor {}: removed {} shuffles and {} cached RDDs", rt_.executorId,
           req->shuffle_ids_size(), req->rdd_ids_size());
  return grpc::Status::OK;
}

grpc::Status ExecutorService::FetchBlock(grpc::ServerContext* ctx,
                                         const proto::FetchBlockRequest* req,
                                         grpc::ServerWriter<proto::Chunk>* writer) {
  if (auto st = checkAuth(*ctx, rt_.security, "FetchBlock"); !st.ok()) return st;
  if (!rt_.waitReady()) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "executor is stopping");
  try {
    // Paths come from our own disk manager, never from the request.
    std::string data = rt_.disk->shuffleDataPath(req->shuffle_id(), req->map_id());
    std::string index = rt_.disk->shuffleIndexPath(req->shuffle_id(), req->map_id());
    Segment seg = ShuffleBlockReader::locate(data, index, req->reduce_id());
    PosixFile f = PosixFile::openForRead(data);
    std::string buf;
    uint64_t off = 0;
    do {
      size_t n = static_cast<size_t>(std::min<uint64_t>(kChunkBytes, seg.length - off));
      buf.resize(n);
      if (f.preadFull(buf.data(), n, seg.offset + off) != n)
        throw IoError(fmt::format("{} is shorter than its index says", data));
      proto::Chunk c;
      c.set_data(std::move(buf));
      if (off == 0) c.set_total_size(seg.length);
      // Write blocks while the reader's flow-control window is full, which bounds the
      // bytes in flight per fetch.
      if (!writer->Write(c)) return grpc::Status(grpc::StatusCode::CANCELLED, "reader went away");
      buf = std::move(*c.mutable_data());
      off += n;
    } while (off < seg.length);
  } catch (const EmberError& e) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND, e.what());
  }
  return grpc::Status::OK;
}

grpc::Status ExecutorService::StopExecutor(grpc::ServerContext* ctx,
                                           const proto::StopExecutorRequest* req, proto::Empty*) {
  if (auto st = checkAuth(*ctx, rt_.security, "StopExecutor"); !st.ok()) return st;
  rt_.requestStop(req->reason());
  return grpc::Status::OK;
}

}  // namespace ember::cluster
