// Remote shuffle reads of an executor: map output locations from the driver and block
// fetches from other executors (shuffle/remote_shuffle.h).
#include <fmt/core.h>

#include <thread>
#include <utility>

#include "ember/cluster/executor_internal.h"
#include "ember/common/errors.h"
#include "ember/common/logging.h"
#include "ember/core/task_context.h"
#include "ember/shuffle/posix_file.h"

namespace ember::cluster {

void GrpcShuffleReader::observeEpoch(int64_t epoch) {
  std::lock_guard lock(mutex_);
  if (epoch <= epoch_) return;
  epoch_ = epoch;
  cache_.clear();
}

void GrpcShuffleReader::forget(int shuffleId) {
  std::lock_guard lock(mutex_);
  cache_.erase(shuffleId);
}

std::shared_ptr<const GrpcShuffleReader::Entry> GrpcShuffleReader::entry(int shuffleId) {
  {
    std::lock_guard lock(mutex_);
    auto it = cache_.find(shuffleId);
    if (it != cache_.end()) return it->second;
  }
  // Concurrent tasks may ask at once; each gets a correct answer, the last one is kept.
  proto::MapStatusesRequest req;
  req.set_shuffle_id(shuffleId);
  proto::MapStatusesResponse resp;
  auto cc = clientContext(rt_.security, rt_.settings.networkTimeoutMs);
  grpc::Status st = rt_.driver->GetMapStatuses(cc.get(), req, &resp);
  if (!st.ok())
    throw IoError(
        fmt::format("cannot get the map output locations of shuffle {} from the driver: {}",
                    shuffleId, statusText(st)));
  auto e = std::make_shared<Entry>();
  e->statuses.resize(static_cast<size_t>(resp.num_maps()));
  std::lock_guard lock(mutex_);
  for (const auto& loc : resp.maps()) {
    if (loc.map_id() < 0 || loc.map_id() >= resp.num_maps()) continue;
    e->statuses[static_cast<size_t>(loc.map_id())] = fromProto(loc.status());
    addressOf_[loc.status().executor_id()] = loc.address();
  }
  cache_[shuffleId] = e;
  return e;
}

std::optional<MapStatus> GrpcShuffleReader::mapStatus(int shuffleId, int mapId) {
  auto e = entry(shuffleId);
  if (mapId < 0 || static_cast<size_t>(mapId) >= e->statuses.size())
    throw IoError(fmt::format("shuffle {} has no map {}", shuffleId, mapId));
  const auto& s = e->statuses[static_cast<size_t>(mapId)];
  // A missing output is being recomputed: ask the driver again next time.
  if (!s) forget(shuffleId);
  return s;
}

bool GrpcShuffleReader::isLocal(const MapStatus& status) const {
  return status.executorId == rt_.executorId;
}

FetchedBlock GrpcShuffleReader::fetchOnce(const std::string& address, int shuffleId, int mapId,
                                          int reduceId, uint64_t expected,
                                          const std::atomic<bool>& cancelled) {
  std::shared_ptr<proto::Executor::Stub> stub;
  {
    std::lock_guard lock(mutex_);
    auto& s = stubs_[address];
    if (!s) s = proto::Executor::NewStub(makeChannel(address, rt_.security));
    stub = s;
  }
  std::string path = rt_.disk->createTempFile("fetch");
  try {
    PosixFile out = PosixFile::openForWrite(path, false);
    proto::FetchBlockRequest req;
    req.set_shuffle_id(shuffleId);
    req.set_map_id(mapId);
    req.set_reduce_id(reduceId);
    auto cc = clientContext(rt_.security, rt_.settings.networkTimeoutMs);
    auto reader = stub->FetchBlock(cc.get(), req);
    proto::Chunk c;
    uint64_t total = 0;
    while (reader->Read(&c)) {
      if (cancelled.load(std::memory_order_relaxed)) {
        cc->TryCancel();
        break;
      }
      out.writeAll(c.data().data(), c.data().size());
      total += c.data().size();
    }
    grpc::Status st = reader->Finish();
    if (cancelled.load()) throw IoError("fetch cancelled: the task has ended");
    if (!st.ok()) throw IoError(statusText(st));
    out.close();
    if (total != expected)
      throw IoError(fmt::format("received {} bytes, the map output says {}", total, expected));
    return {path, total};
  } catch (...) {
    try {
      rt_.disk->removeFile(path);
    } catch (const EmberError&) {
    }
    throw;
  }
}

FetchedBlock GrpcShuffleReader::fetchWithRetries(const MapStatus& status, int shuffleId, int mapId,
                                                 int reduceId, const std::atomic<bool>& cancelled) {
  std::string address;
  {
    std::lock_guard lock(mutex_);
    auto it = addressOf_.find(status.executorId);
    if (it != addressOf_.end()) address = it->second;
  }
  uint64_t expected = static_cast<size_t>(reduceId) < status.partitionSizes.size()
                          ? status.partitionSizes[static_cast<size_t>(reduceId)]
                          : 0;
  std::string last = "no address known for the executor";
  int attempts = 0;
  if (!address.empty()) {
    for (; attempts <= rt_.settings.fetchMaxRetries && !cancelled.load(); ++attempts) {
      if (attempts > 0)
        std::this_thread::sleep_for(std::chrono::milliseconds(rt_.settings.fetchRetryWaitMs));
      try {
        return fetchOnce(address, shuffleId, mapId, reduceId, expected, cancelled);
      } catch (const IoError& e) {
        last = e.what();
        if (cancelled.load()) break;
        logInfo("fetch of shuffle {} map {} reduce {} from {} failed (attempt {}): {}", shuffleId,
                mapId, reduceId, address, attempts + 1, last);
      }
    }
  }
  forget(shuffleId);  // the driver will know better by the time the task is retried
  throw IoError(
      fmt::format("could not fetch the block from executor {} at {} after {} attempts: {}",
                  status.executorId, address.empty() ? "?" : address, attempts, last));
}

namespace {
// How many fetches of one reduce task run at once (Spark bounds them by bytes only; a
// thread per fetch here, so a count too).
constexpr int kMaxParallelFetches = 8;

bool sameOutput(const std::optional<MapStatus>& a, const MapStatus& b) {
  return a && a->executorId == b.executorId && a->dataPath == b.dataPath &&
         a->partitionSizes == b.partitionSizes;
}
}  // namespace

std::shared_ptr<GrpcShuffleReader::Session> GrpcShuffleReader::startSession(const SessionKey& key,
                                                                            int mapId) {
  auto [task, shuffleId, reduceId] = key;
  auto e = entry(shuffleId);
  auto s = std::make_shared<Session>();
  s->statuses = e->statuses;
  std::vector<BlockPrefetcher::Block> blocks;
  for (size_t m = static_cast<size_t>(mapId); m < s->statuses.size(); ++m) {
    const auto& st = s->statuses[m];
    if (!st || isLocal(*st) || static_cast<size_t>(reduceId) >= st->partitionSizes.size()) continue;
    uint64_t size = st->partitionSizes[static_cast<size_t>(reduceId)];
    if (size > 0) blocks.push_back({static_cast<int>(m), size});
  }
  Session* raw = s.get();
  s->prefetcher = std::make_unique<BlockPrefetcher>(
      std::move(blocks), static_cast<uint64_t>(rt_.settings.maxBytesInFlight), kMaxParallelFetches,
      [this, raw, shuffleId = shuffleId, reduceId = reduceId](int m,
                                                              const std::atomic<bool>& cancelled) {
        return fetchWithRetries(*raw->statuses[static_cast<size_t>(m)], shuffleId, m, reduceId,
                                cancelled);
      },
      [this](const FetchedBlock& b) { rt_.disk->removeFile(b.path); });
  return s;
}

FetchedBlock GrpcShuffleReader::fetchBlock(const MapStatus& status, int shuffleId, int mapId,
                                           int reduceId) {
  static const std::atomic<bool> kNeverCancelled{false};
  TaskContext* task = TaskContext::current();
  if (!task) return fetchWithRetries(status, shuffleId, mapId, reduceId, kNeverCancelled);
  SessionKey key{task, shuffleId, reduceId};
  std::shared_ptr<Session> s, old;
  {
    std::lock_guard lock(mutex_);
    auto it = sessions_.find(key);
    if (it != sessions_.end()) s = it->second;
  }
  // A new session on the first remote block, or when the reader starts over (a second
  // pass over the same partition): the old one's untaken blocks go.
  bool fresh = !s || !s->prefetcher->has(mapId);
  if (fresh) {
    s = startSession(key, mapId);
    bool first;
    {
      std::lock_guard lock(mutex_);
      auto& slot = sessions_[key];
      first = slot == nullptr;
      old = std::exchange(slot, s);
    }
    old.reset();  // outside the lock: waits for its running fetches
    if (first)
      task->addCompletionCallback([this, key] {
        std::shared_ptr<Session> done;
        std::lock_guard lock(mutex_);
        auto it = sessions_.find(key);
        if (it == sessions_.end()) return;
        done = std::move(it->second);
        sessions_.erase(it);
        // `done` is destroyed after the lock: declared before the guard.
      });
  }
  if (s->prefetcher->has(mapId) && sameOutput(s->statuses[static_cast<size_t>(mapId)], status))
    return s->prefetcher->take(mapId);
  // The output moved since the session began (recomputed elsewhere): fetch it directly.
  return fetchWithRetries(status, shuffleId, mapId, reduceId, kNeverCancelled);
}

}  // namespace ember::cluster
