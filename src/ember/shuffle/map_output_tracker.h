// Where the outputs of shuffle map tasks are: the driver's registry that reduce tasks
// consult to find their input, and that the DAG scheduler consults to know which map
// tasks must (re)run. A map output is lost when its executor is lost
// (removeOutputsOnExecutor) or when a fetch from it fails (unregisterMapOutput); the
// scheduler then re-runs exactly missingMaps().
//
// Misuse — an unknown shuffle id, a map id out of range, registering a shuffle twice —
// is a bug in the scheduler and throws InternalError naming the ids.
//
// Threading: all methods may be called concurrently; each is atomic.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace ember {

struct MapStatus {
  std::string executorId;
  std::string dataPath;
  std::string indexPath;
  std::vector<uint64_t> partitionSizes;  // bytes per reduce partition
  bool operator==(const MapStatus&) const = default;
};

class MapOutputTracker {
 public:
  // A new shuffle with `numMaps` map tasks, none of them with output yet.
  void registerShuffle(int shuffleId, int numMaps);
  bool hasShuffle(int shuffleId) const;
  // Forgets the shuffle and all its outputs.
  void unregisterShuffle(int shuffleId);

  // Records (or replaces, for a re-run) the output of one map task.
  void registerMapOutput(int shuffleId, int mapId, MapStatus status);
  // Marks one map output as lost (no-op if it was already missing).
  void unregisterMapOutput(int shuffleId, int mapId);
  // Marks every output written by `executorId`, of all shuffles, as lost; returns how
  // many were removed.
  int removeOutputsOnExecutor(const std::string& executorId);

  // Map ids without output, ascending.
  std::vector<int> missingMaps(int shuffleId) const;
  bool isComplete(int shuffleId) const;
  int numMaps(int shuffleId) const;
  std::optional<MapStatus> mapStatus(int shuffleId, int mapId) const;
  // One entry per map task (std::nullopt where the output is missing).
  std::vector<std::optional<MapStatus>> statuses(int shuffleId) const;
  // Sum of the partition sizes of the registered outputs.
  uint64_t totalBytes(int shuffleId) const;

  // A fresh shuffle id (0, 1, 2, ...); ids are never reused.
  int nextShuffleId();

 private:
  using Outputs = std::vector<std::optional<MapStatus>>;
  // Both require mutex_ held.
  const Outputs& outputs(int shuffleId) const;
  Outputs& outputs(int shuffleId);

  mutable std::mutex mutex_;
  std::unordered_map<int, Outputs> shuffles_;
  int nextShuffleId_ = 0;
};

}  // namespace ember
