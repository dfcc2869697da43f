#include "ember/shuffle/map_output_tracker.h"

#include "ember/common/errors.h"

namespace ember {

const MapOutputTracker::Outputs& MapOutputTracker::outputs(int shuffleId) const {
  auto it = shuffles_.find(shuffleId);
  EMBER_CHECK(it != shuffles_.end(), "unknown shuffle id " + std::to_string(shuffleId));
  return it->second;
}

MapOutputTracker::Outputs& MapOutputTracker::outputs(int shuffleId) {
  auto it = shuffles_.find(shuffleId);
  EMBER_CHECK(it != shuffles_.end(), "unknown shuffle id " + std::to_string(shuffleId));
  return it->second;
}

namespace {
void checkMapId(const std::vector<std::optional<MapStatus>>& maps, int shuffleId, int mapId) {
  EMBER_CHECK(mapId >= 0 && static_cast<size_t>(mapId) < maps.size(),
              "map id " + std::to_string(mapId) + " of shuffle " + std::to_string(shuffleId) +
                  " with " + std::to_string(maps.size()) + " maps");
}
}  // namespace

void MapOutputTracker::registerShuffle(int shuffleId, int numMaps) {
  EMBER_CHECK(numMaps >= 0, "shuffle " + std::to_string(shuffleId) + " with " +
                                std::to_string(numMaps) + " maps");
  std::lock_guard<std::mutex> lock(mutex_);
  EMBER_CHECK(!shuffles_.contains(shuffleId),
              "shuffle id " + std::to_string(shuffleId) + " registered twice");
  shuffles_.emplace(shuffleId, Outputs(static_cast<size_t>(numMaps)));
  // Keep nextShuffleId() from handing out an id registered explicitly.
  if (shuffleId >= nextShuffleId_) nextShuffleId_ = shuffleId + 1;
}

bool MapOutputTracker::hasShuffle(int shuffleId) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return shuffles_.contains(shuffleId);
}

void MapOutputTracker::unregisterShuffle(int shuffleId) {
  std::lock_guard<std::mutex> lock(mutex_);
  outputs(shuffleId);  // checks the id
  shuffles_.erase(shuffleId);
}

void MapOutputTracker::registerMapOutput(int shuffleId, int mapId, MapStatus status) {
  std::lock_guard<std::mutex> lock(mutex_);
  Outputs& maps = outputs(shuffleId);
  checkMapId(maps, shuffleId, mapId);
  maps[mapId] = std::move(status);
}

void MapOutputTracker::unregisterMapOutput(int shuffleId, int mapId) {
  std::lock_guard<std::mutex> lock(mutex_);
  Outputs& maps = outputs(shuffleId);
  checkMapId(maps, shuffleId, mapId);
  maps[mapId].reset();
}

int MapOutputTracker::removeOutputsOnExecutor(const std::string& executorId) {
  std::lock_guard<std::mutex> lock(mutex_);
  int removed = 0;
  for (auto& [id, maps] : shuffles_) {
    for (auto& status : maps) {
      if (status && status->executorId == executorId) {
        status.reset();
        ++removed;
      }
    }
  }
  return removed;
}

std::vector<int> MapOutputTracker::missingMaps(int shuffleId) const {
  std::lock_guard<std::mutex> lock(mutex_);
  const Outputs& maps = outputs(shuffleId);
  std::vector<int> missing;
  for (size_t i = 0; i < maps.size(); ++i) {
    if (!maps[i]) missing.push_back(static_cast<int>(i));
  }
  return missing;
}

bool MapOutputTracker::isComplete(int shuffleId) const {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& status : outputs(shuffleId)) {
    if (!status) return false;
  }
  return true;
}

int MapOutputTracker::numMaps(int shuffleId) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return static_cast<int>(outputs(shuffleId).size());
}

std::optional<MapStatus> MapOutputTracker::mapStatus(int shuffleId, int mapId) const {
  std::lock_guard<std::mutex> lock(mutex_);
  const Outputs& maps = outputs(shuffleId);
  checkMapId(maps, shuffleId, mapId);
  return maps[mapId];
}

std::vector<std::optional<MapStatus>> MapOutputTracker::statuses(int shuffleId) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return outputs(shuffleId);
}

uint64_t MapOutputTracker::totalBytes(int shuffleId) const {
  std::lock_guard<std::mutex> lock(mutex_);
  uint64_t total = 0;
  for (const auto& status : outputs(shuffleId)) {
    if (!status) continue;
    for (uint64_t size : status->partitionSizes) total += size;
  }
  return total;
}

int MapOutputTracker::nextShuffleId() {
  std::lock_guard<std::mutex> lock(mutex_);
  return nextShuffleId_++;
}

}  // namespace ember
