// Reading shuffle output written by other executor processes (cluster mode).
//
// In local mode every map output is a file of this process and reduce tasks read it
// through the driver's MapOutputTracker directly; ExecutorEnv::remoteShuffle is null
// and nothing here is used. In cluster mode each executor process has one
// RemoteShuffleReader (implemented by the cluster layer over gRPC): it knows where
// every map output is (asking the driver, with a cache) and copies a block written by
// another executor into a local temporary file, so the reduce side reads remote and
// local blocks with the same frame-file code.
//
// Errors: fetchBlock throws IoError once its retries are exhausted; the reduce side
// turns that into FetchFailedError, and the driver re-runs the map task.
// Threading: every method may be called concurrently by the executor's task slots.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "ember/shuffle/map_output_tracker.h"

namespace ember {

struct FetchedBlock {
  std::string path;     // a local temporary file holding exactly the block's bytes
  uint64_t length = 0;  // its size
};

class RemoteShuffleReader {
 public:
  virtual ~RemoteShuffleReader() = default;
  // The output of map task `mapId`, or nullopt if the driver has none registered.
  virtual std::optional<MapStatus> mapStatus(int shuffleId, int mapId) = 0;
  // True if `status` was written by this process (its files can be read directly).
  virtual bool isLocal(const MapStatus& status) const = 0;
  // Copies reduce partition `reduceId` of a remote map output into a temporary file
  // that the caller reads and then removes (DiskManager::removeFile).
  virtual FetchedBlock fetchBlock(const MapStatus& status, int shuffleId, int mapId,
                                  int reduceId) = 0;
};

}  // namespace ember
