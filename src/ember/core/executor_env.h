// Everything a running task can reach on its executor: memory, local disk, cached
// blocks, shuffle output locations and settings. In local mode the driver and the
// single executor share one ExecutorEnv; in cluster mode each executor process has
// its own, and mapOutputs is a client of the driver's tracker.
#pragma once

#include <cstdint>
#include <string>

#include "ember/common/config.h"
#include "ember/shuffle/codec.h"

namespace ember {

class MemoryManager;
class DiskManager;
class MapOutputTracker;
class BlockManager;
class RemoteShuffleReader;

class ExecutorEnv {
 public:
  std::string executorId = "driver";
  Config conf;
  MemoryManager* memory = nullptr;
  DiskManager* disk = nullptr;
  MapOutputTracker* mapOutputs = nullptr;
  BlockManager* blocks = nullptr;
  // Cluster mode only (shuffle/remote_shuffle.h): where reduce tasks find map outputs
  // and fetch the ones other executors wrote. Null in local mode, where mapOutputs is
  // the driver's tracker itself.
  RemoteShuffleReader* remoteShuffle = nullptr;
  Codec shuffleCodec = Codec::Lz4;
  int zstdLevel = 1;
  size_t frameBytes = 64 * 1024;  // records are framed (and compressed) in chunks this big
  bool serializeTasks = false;    // ember.test.serializeTasks
};

}  // namespace ember
