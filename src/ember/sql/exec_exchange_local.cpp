#include "ember/sql/exec_exchange_local.h"

#include <unordered_map>

#include "ember/core/context.h"
#include "ember/core/context_plugin.h"
#include "ember/core/executor_env.h"
#include "ember/core/task_context.h"
#include "ember/rdd/record_io.h"
#include "ember/shuffle/map_output_tracker.h"
#include "ember/shuffle/shuffle_files.h"
#include "ember/storage/memory_manager.h"

namespace ember::sql {

namespace {
// Stores by the map output tracker their Context's tasks see (one per Context; in local
// mode the driver's tracker is the executor's). Weak: the Context's plugin owns each.
std::mutex registryMutex;
std::unordered_map<const MapOutputTracker*, std::weak_ptr<LocalExchangeStore>>& registry() {
  static std::unordered_map<const MapOutputTracker*, std::weak_ptr<LocalExchangeStore>> r;
  return r;
}

class LocalExchangePlugin : public ContextPlugin {
 public:
  LocalExchangePlugin(const MapOutputTracker* tracker, MemoryManager* memory)
      : tracker_(tracker), store_(std::make_shared<LocalExchangeStore>(memory)) {
    std::lock_guard lock(registryMutex);
    registry()[tracker_] = store_;
  }
  ~LocalExchangePlugin() override { stop(); }
  // The memory manager dies with the Context: free everything before that.
  void stop() override {
    {
      std::lock_guard lock(registryMutex);
      auto it = registry().find(tracker_);
      if (it != registry().end() && it->second.lock() == store_) registry().erase(it);
    }
    store_->close();
  }

 private:
  const MapOutputTracker* tracker_;
  std::shared_ptr<LocalExchangeStore> store_;
};

const bool kRegistered =
    registerContextPlugin("sql-local-exchange", [](Context& ctx) -> std::unique_ptr<ContextPlugin> {
      // Only local masters: in cluster mode map outputs must be files other processes
      // can fetch.
      if (MasterSpec::parse(ctx.master()).kind != "local") return nullptr;
      return std::make_unique<LocalExchangePlugin>(ctx.env().mapOutputs, &ctx.memoryManager());
    });
}  // namespace

std::shared_ptr<LocalExchangeStore> LocalExchangeStore::of(const ExecutorEnv& env) {
  (void)kRegistered;
  if (env.remoteShuffle != nullptr || env.mapOutputs == nullptr) return nullptr;
  std::lock_guard lock(registryMutex);
  auto it = registry().find(env.mapOutputs);
  return it == registry().end() ? nullptr : it->second.lock();
}

bool LocalExchangeStore::put(int shuffleId, int mapId, std::vector<std::vector<BatchPtr>>& parts,
                             const std::vector<int64_t>& bytes) {
  int64_t total = 0;
  for (int64_t b : bytes) total += b;
  std::vector<std::vector<Block>> replaced;  // freed outside the lock
  std::lock_guard lock(mutex_);
  if (!memory_) return false;
  auto key = std::make_pair(shuffleId, mapId);
  auto old = outputs_.find(key);
  if (old != outputs_.end()) {
    for (const auto& b : old->second) releaseLocked(b.bytes);
    replaced.push_back(std::move(old->second));
    outputs_.erase(old);
  }
  if (!roomLocked(total)) dropReadLocked(total);
  if (!roomLocked(total) || !memory_->acquireStorage(total)) return false;
  std::vector<Block> blocks(parts.size());
  for (size_t r = 0; r < parts.size(); ++r) {
    blocks[r].batches = std::move(parts[r]);
    blocks[r].bytes = r < bytes.size() ? bytes[r] : 0;
  }
  outputs_[key] = std::move(blocks);
  held_ += total;
  return true;
}

std::optional<std::vector<BatchPtr>> LocalExchangeStore::get(int shuffleId, int mapId,
                                                             int reduceId) {
  std::lock_guard lock(mutex_);
  auto it = outputs_.find(std::make_pair(shuffleId, mapId));
  if (it == outputs_.end() || reduceId < 0 || static_cast<size_t>(reduceId) >= it->second.size())
    return std::nullopt;
  Block& b = it->second[static_cast<size_t>(reduceId)];
  if (b.dropped) return std::nullopt;
  b.read = true;
  return b.batches;
}

void LocalExchangeStore::remove(int shuffleId) {
  std::vector<std::vector<Block>> dropped;  // freed outside the lock
  std::lock_guard lock(mutex_);
  auto it = outputs_.lower_bound(std::make_pair(shuffleId, INT32_MIN));
  while (it != outputs_.end() && it->first.first == shuffleId) {
    for (const auto& b : it->second) releaseLocked(b.bytes);
    dropped.push_back(std::move(it->second));
    it = outputs_.erase(it);
  }
}

void LocalExchangeStore::close() {
  std::lock_guard lock(mutex_);
  for (auto& [key, blocks] : outputs_)
    for (const auto& b : blocks) releaseLocked(b.bytes);
  outputs_.clear();
  memory_ = nullptr;
}

bool LocalExchangeStore::roomLocked(int64_t bytes) const {
  // Only memory that is free now and within the protected storage region: exchange
  // outputs must not evict cached blocks, nor leave execution less than its share.
  int64_t free = memory_->total() - memory_->executionUsed() - memory_->storageUsed();
  return bytes <= free && memory_->storageUsed() + bytes <= memory_->storageRegion();
}

void LocalExchangeStore::dropReadLocked(int64_t bytes) {
  for (auto& [key, blocks] : outputs_)
    for (auto& b : blocks) {
      if (roomLocked(bytes)) return;
      if (!b.read || b.dropped) continue;
      releaseLocked(b.bytes);
      b.bytes = 0;
      b.batches.clear();
      b.batches.shrink_to_fit();
      b.dropped = true;
    }
}

int64_t LocalExchangeStore::bytesHeld() const {
  std::lock_guard lock(mutex_);
  return held_;
}

void LocalExchangeStore::releaseLocked(int64_t bytes) {
  held_ -= bytes;
  if (memory_) memory_->releaseStorage(bytes);
}

namespace {
// Local mode: blocks of map outputs kept in memory come from the store, the others
// (map tasks that spilled or were refused memory) from their files.
class LocalShuffleReadStream : public BatchStream {
 public:
  LocalShuffleReadStream(TaskContext& ctx, std::shared_ptr<LocalExchangeStore> store, int shuffleId,
                         int numMaps, int reduceId)
      : ctx_(ctx),
        store_(std::move(store)),
        shuffleId_(shuffleId),
        numMaps_(numMaps),
        reduceId_(reduceId) {}
  ~LocalShuffleReadStream() override { finishFile(); }

  BatchPtr next() override {
    for (;;) {
      if (pos_ < batches_.size()) return counted(std::move(batches_[pos_++]));
      if (file_) {
        BatchPtr b;
        bool ok;
        try {
          ok = file_->next(b);
        } catch (const IoError& e) {
          throw FetchFailedError(shuffleId_, map_ - 1, reduceId_, e.what());
        }
        if (ok) return counted(std::move(b));
        finishFile();
      }
      if (map_ >= numMaps_) return nullptr;
      open(map_++);
    }
  }

 private:
  BatchPtr counted(BatchPtr b) {
    ctx_.metrics().shuffleRecordsRead += b->numRows;
    return b;
  }
  void open(int m) {
    ctx_.checkInterrupted();
    std::optional<MapStatus> status;
    try {
      status = ctx_.env().mapOutputs->mapStatus(shuffleId_, m);
    } catch (const IoError& e) {
      throw FetchFailedError(shuffleId_, m, reduceId_, e.what());
    }
    if (!status) throw FetchFailedError(shuffleId_, m, reduceId_, "map output is missing");
    auto r = static_cast<size_t>(reduceId_);
    if (r < status->partitionSizes.size() && status->partitionSizes[r] == 0) return;
    if (status->dataPath == kInMemoryExchangePath) {
      auto got = store_->get(shuffleId_, m, reduceId_);
      if (!got) throw FetchFailedError(shuffleId_, m, reduceId_, "in-memory map output is gone");
      batches_ = std::move(*got);
      pos_ = 0;
      if (r < status->partitionSizes.size())
        ctx_.metrics().shuffleBytesRead += static_cast<int64_t>(status->partitionSizes[r]);
      return;
    }
    try {
      Segment seg = ShuffleBlockReader::locate(status->dataPath, status->indexPath, reduceId_);
      file_ =
          std::make_unique<RecordFrameReader<BatchPtr>>(status->dataPath, seg.offset, seg.length);
    } catch (const IoError& e) {
      throw FetchFailedError(shuffleId_, m, reduceId_, e.what());
    }
  }
  void finishFile() {
    if (!file_) return;
    ctx_.metrics().shuffleBytesRead += static_cast<int64_t>(file_->bytesRead());
    file_.reset();
  }

  TaskContext& ctx_;
  std::shared_ptr<LocalExchangeStore> store_;
  int shuffleId_, numMaps_, reduceId_;
  int map_ = 0;
  std::vector<BatchPtr> batches_;
  size_t pos_ = 0;
  std::unique_ptr<RecordFrameReader<BatchPtr>> file_;
};
}  // namespace

StreamPtr localShuffleReadStream(TaskContext& ctx, std::shared_ptr<LocalExchangeStore> store,
                                 int shuffleId, int numMaps, int reduceId) {
  return std::make_unique<LocalShuffleReadStream>(ctx, std::move(store), shuffleId, numMaps,
                                                  reduceId);
}

}  // namespace ember::sql
