#include "ember/cluster/block_prefetcher.h"

#include <algorithm>

#include "ember/common/errors.h"
#include "ember/common/logging.h"

namespace ember::cluster {

BlockPrefetcher::BlockPrefetcher(std::vector<Block> blocks, uint64_t maxBytesInFlight,
                                 int maxParallel, FetchFn fetch, DiscardFn discard)
    : fetch_(std::move(fetch)),
      discard_(std::move(discard)),
      maxBytesInFlight_(std::max<uint64_t>(maxBytesInFlight, 1)) {
  slots_.reserve(blocks.size());
  for (const Block& b : blocks) {
    EMBER_CHECK(indexOf_.emplace(b.mapId, slots_.size()).second,
                "block of map " + std::to_string(b.mapId) + " given twice");
    slots_.push_back(Slot{b, false, false, false, {}, nullptr});
  }
  int n = std::clamp<int>(maxParallel, 1, static_cast<int>(std::max<size_t>(slots_.size(), 1)));
  if (slots_.empty()) return;
  for (int i = 0; i < n; ++i) threads_.emplace_back([this] { workerLoop(); });
}

BlockPrefetcher::~BlockPrefetcher() {
  {
    std::lock_guard lock(mutex_);
    cancelled_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
  for (Slot& s : slots_)
    if (s.done && !s.taken && !s.error) {
      try {
        discard_(s.result);
      } catch (const std::exception& e) {
        logWarn("cannot remove fetched shuffle block {}: {}", s.result.path, e.what());
      }
    }
}

// Fetches start in the reader's order; the next one waits while it would push the
// bytes in flight over the limit, except when nothing is in flight (a block larger than
// the limit must still be fetched, alone).
bool BlockPrefetcher::canStartLocked() const {
  if (next_ >= slots_.size()) return false;
  uint64_t size = slots_[next_].block.size;
  return inFlight_ == 0 || inFlight_ + size <= maxBytesInFlight_;
}

void BlockPrefetcher::workerLoop() {
  setThreadName("shuffle-fetch");
  std::unique_lock lock(mutex_);
  for (;;) {
    cv_.wait(lock, [&] { return cancelled_ || next_ >= slots_.size() || canStartLocked(); });
    if (cancelled_ || next_ >= slots_.size()) return;
    Slot& s = slots_[next_++];
    s.started = true;
    inFlight_ += s.block.size;
    running_++;
    peakInFlight_ = std::max(peakInFlight_, inFlight_);
    peakRunning_ = std::max(peakRunning_, running_);
    lock.unlock();
    FetchedBlock got;
    std::exception_ptr err;
    try {
      got = fetch_(s.block.mapId, cancelled_);
    } catch (...) {
      err = std::current_exception();
    }
    lock.lock();
    inFlight_ -= s.block.size;
    running_--;
    s.result = std::move(got);
    s.error = err;
    s.done = true;
    cv_.notify_all();  // the reader, and workers waiting for bytes in flight to drop
  }
}

bool BlockPrefetcher::has(int mapId) const {
  std::lock_guard lock(mutex_);
  auto it = indexOf_.find(mapId);
  return it != indexOf_.end() && !slots_[it->second].taken;
}

FetchedBlock BlockPrefetcher::take(int mapId) {
  std::unique_lock lock(mutex_);
  auto it = indexOf_.find(mapId);
  EMBER_CHECK(it != indexOf_.end() && !slots_[it->second].taken,
              "map " + std::to_string(mapId) + " is not a pending prefetched block");
  Slot& s = slots_[it->second];
  cv_.wait(lock, [&] { return s.done; });
  s.taken = true;
  if (s.error) std::rethrow_exception(s.error);
  return std::move(s.result);
}

uint64_t BlockPrefetcher::peakBytesInFlight() const {
  std::lock_guard lock(mutex_);
  return peakInFlight_;
}

int BlockPrefetcher::peakParallel() const {
  std::lock_guard lock(mutex_);
  return peakRunning_;
}

}  // namespace ember::cluster
