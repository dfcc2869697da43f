// Remote shuffle reads of an executor: map output locations from the driver and block
// fetches from other executors (shuffle/remote_shuffle.h).
#include <fmt/core.h>

#include <thread>

#include "ember/cluster/executor_internal.h"
#include "ember/common/errors.h"
#include "ember/common/logging.h"
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
                                          int reduceId, uint64_t expected) {
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
      out.writeAll(c.data().data(), c.data().size());
      total += c.data().size();
    }
    grpc::Status st = reader->Finish();
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

FetchedBlock GrpcShuffleReader::fetchBlock(const MapStatus& status, int shuffleId, int mapId,
                                           int reduceId) {
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
    for (; attempts <= rt_.settings.fetchMaxRetries; ++attempts) {
      if (attempts > 0)
        std::this_thread::sleep_for(std::chrono::milliseconds(rt_.settings.fetchRetryWaitMs));
      try {
        return fetchOnce(address, shuffleId, mapId, reduceId, expected);
      } catch (const IoError& e) {
        last = e.what();
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

}  // namespace ember::cluster
