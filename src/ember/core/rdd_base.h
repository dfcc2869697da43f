// The untyped face of an RDD: what the DAG scheduler sees.
//
// An RDD node is immutable plan data: its partitions count, its dependencies on
// parent RDDs, where it was created (call site), and how to ship it (typeKey +
// serializePayload). Computing a partition is typed and lives in RDDImpl<T>
// (rdd/rdd_impl.h). Per-task state never lives in a node, so a node can be run again
// from lineage at any time.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <source_location>
#include <string>
#include <vector>

#include "ember/common/serde.h"
#include "ember/shuffle/map_output_tracker.h"

namespace ember {

class Context;
class RDDBase;
class TaskContext;
class GraphWriter;
class GraphReader;
using RDDBasePtr = std::shared_ptr<RDDBase>;

enum class StorageLevel : uint8_t { None = 0, MemoryOnly, MemoryAndDisk, DiskOnly };
const char* storageLevelName(StorageLevel level);

class Dependency {
 public:
  explicit Dependency(RDDBasePtr rdd) : rdd_(std::move(rdd)) {}
  virtual ~Dependency() = default;
  const RDDBasePtr& rdd() const { return rdd_; }
  virtual bool isShuffle() const { return false; }

 protected:
  RDDBasePtr rdd_;
};

// A child partition depends on a few parent partitions, computed in the same task.
class NarrowDependency : public Dependency {
 public:
  using Dependency::Dependency;
};

// Removes a shuffle's output once nothing refers to its dependency any more (Spark's
// ContextCleaner): files on disk, map output locations, the cached map stage.
class ShuffleCleaner {
 public:
  virtual ~ShuffleCleaner() = default;
  virtual void cleanShuffle(int shuffleId) noexcept = 0;
};

// The map side of a shuffle: writes the parent's partitions into per-reduce-partition
// blocks. Concrete typed subclasses live in rdd/shuffle_dependency.h.
class ShuffleDependencyBase : public Dependency {
 public:
  // `rdd` is null on the reduce side of an executor, which needs only the ids.
  ShuffleDependencyBase(RDDBasePtr rdd, int shuffleId, int numMaps, int numPartitions)
      : Dependency(std::move(rdd)),
        shuffleId_(shuffleId),
        numMaps_(numMaps),
        numPartitions_(numPartitions) {}
  bool isShuffle() const override { return true; }
  int shuffleId() const { return shuffleId_; }
  int numMapPartitions() const { return numMaps_; }
  int numReducePartitions() const { return numPartitions_; }

  // Runs map task `mapId`: computes the parent partition and writes shuffle output.
  virtual MapStatus runMapTask(int mapId, TaskContext& ctx) const = 0;
  virtual const char* typeKey() const = 0;
  // Ships the dependency with its parent lineage (for map tasks).
  virtual void serialize(ByteWriter& w, GraphWriter& g) const = 0;

 protected:
  int shuffleId_;
  int numMaps_;
  int numPartitions_;
};

class RDDBase : public std::enable_shared_from_this<RDDBase> {
 public:
  struct Info {
    int id = -1;
    int numPartitions = 0;
    std::string opName;    // "map", "reduceByKey", ...
    std::string callSite;  // "wordcount.cpp:42"
  };

  RDDBase(Context* ctx, Info info) : ctx_(ctx), info_(std::move(info)) {}
  // A driver-side node that owns shuffles (ShuffledRDD, CoGroupedRDD) cleans their
  // output when it dies: nothing can read it any more. (The scheduler's map stage
  // refers to the dependency, not to this node, so it does not keep it alive.)
  virtual ~RDDBase() {
    if (auto c = cleaner_.lock())
      for (int id : ownedShuffles_) c->cleanShuffle(id);
  }
  void ownShuffle(int shuffleId, std::weak_ptr<ShuffleCleaner> cleaner) {
    ownedShuffles_.push_back(shuffleId);
    cleaner_ = std::move(cleaner);
  }

  int id() const { return info_.id; }
  int numPartitions() const { return info_.numPartitions; }
  const std::string& opName() const { return info_.opName; }
  const std::string& callSite() const { return info_.callSite; }
  const Info& info() const { return info_; }
  // "map at wordcount.cpp:42"
  std::string displayName() const;
  Context* context() const { return ctx_; }

  std::vector<std::shared_ptr<Dependency>> dependencies() const;
  virtual std::string className() const = 0;

  // Shipping. checkpointTypeKey() names the reader node that replaces this one once
  // it is checkpointed.
  virtual const char* typeKey() const = 0;
  virtual const char* checkpointTypeKey() const = 0;
  virtual void serializePayload(ByteWriter& w, GraphWriter& g) const = 0;

  // Caching and checkpointing (driver-side settings, shipped with the node).
  StorageLevel storageLevel() const { return storageLevel_; }
  void setStorageLevel(StorageLevel l) { storageLevel_ = l; }
  void markForCheckpoint() { checkpointRequested_ = true; }
  bool checkpointRequested() const { return checkpointRequested_ && checkpointDir().empty(); }
  // Non-empty once checkpointed: partitions are read from files here and the lineage
  // above this node is gone.
  std::string checkpointDir() const;
  void setCheckpointed(std::string dir);
  // Writes every partition to the checkpoint directory with a job, then truncates
  // the lineage (typed; see RDDImpl).
  virtual void doCheckpoint(Context& ctx) = 0;

  // Spark's toDebugString: lineage with shuffle boundaries.
  std::string toDebugString() const;

 protected:
  void setDependencies(std::vector<std::shared_ptr<Dependency>> deps) { deps_ = std::move(deps); }
  Context* ctx_;  // null on executors
  Info info_;

 private:
  mutable std::mutex mutex_;  // guards deps_ and checkpointDir_ (checkpointing truncates)
  std::vector<std::shared_ptr<Dependency>> deps_;
  StorageLevel storageLevel_ = StorageLevel::None;
  bool checkpointRequested_ = false;
  std::string checkpointDir_;
  std::vector<int> ownedShuffles_;
  std::weak_ptr<ShuffleCleaner> cleaner_;
};

// A function run on each partition by a result task; its result crosses to the
// driver as bytes. Concrete subclasses are templates in rdd/actions.h.
class JobFunctionBase {
 public:
  virtual ~JobFunctionBase() = default;
  virtual std::string run(RDDBase& rdd, int partition, TaskContext& ctx) const = 0;
  virtual const char* typeKey() const = 0;
  virtual void serialize(ByteWriter& w, GraphWriter& g) const = 0;
};

// Serialises an RDD graph: each node once, later references by id, parents before
// children; checkpointed nodes are written as file readers without parents.
class GraphWriter {
 public:
  explicit GraphWriter(ByteWriter& w) : w_(w) {}
  void writeRdd(const RDDBase& rdd);
  ByteWriter& out() { return w_; }

 private:
  ByteWriter& w_;
  std::vector<int> written_;
};

class GraphReader {
 public:
  explicit GraphReader(ByteReader& r) : r_(r) {}
  RDDBasePtr readRdd();
  template <class R>
  std::shared_ptr<R> readRddAs() {
    auto p = std::dynamic_pointer_cast<R>(readRdd());
    EMBER_CHECK(p != nullptr, "shipped RDD has an unexpected element type");
    return p;
  }
  // The common fields of the node whose factory is running (a stack, since factories
  // read their parents first).
  const RDDBase::Info& currentInfo() const { return stack_.back(); }
  ByteReader& in() { return r_; }

 private:
  ByteReader& r_;
  std::vector<std::pair<int, RDDBasePtr>> read_;
  std::vector<RDDBase::Info> stack_;
};

// What a stage ships: its RDD lineage plus the map-side dependency (shuffle map stage)
// or the job function (result stage).
struct StagePayload {
  RDDBasePtr rdd;
  std::shared_ptr<ShuffleDependencyBase> shuffleDep;
  std::shared_ptr<JobFunctionBase> func;

  std::string serialize() const;
  static std::shared_ptr<StagePayload> deserialize(std::string_view bytes);
};

}  // namespace ember
