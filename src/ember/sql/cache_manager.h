// Cached DataFrames (Spark's CacheManager): df.cache()/persist() registers the
// DataFrame's analyzed plan; every later query whose plan contains that plan (the same
// node: DataFrames built on the cached one, the cached one itself, a cached table) reads
// its partitions from the executors' block managers instead of recomputing them.
//
// Nothing is computed at registration (Spark's cache is lazy; CACHE TABLE forces it with
// a count). The first query that reads it plans the cached plan once, wraps it in a
// persisted RDD (MEMORY_AND_DISK by default: blocks spill instead of failing and are
// recomputed from lineage when evicted or lost with an executor) and each task stores
// the partition it computes. Queries keep sharing that physical plan, so the shuffles
// inside it run once. Thread-safe.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "ember/core/rdd_base.h"
#include "ember/sql/exec_node.h"
#include "ember/sql/logical_plan.h"

namespace ember {
class Context;
}

namespace ember::sql {

// One cached plan. The physical plan and its RDD exist once the first query planned it.
struct CachedPlan {
  PlanPtr plan;  // the registered (analyzed) plan; its address is the key
  StorageLevel level = StorageLevel::MemoryAndDisk;

  std::mutex mutex;
  PhysicalPtr physical;          // set by the first query that reads it
  std::shared_ptr<RDDBase> rdd;  // the persisted RDD of `physical`, after prepare
  bool prepared = false;
};

class CacheManager {
 public:
  explicit CacheManager(Context& ctx) : ctx_(ctx) {}
  ~CacheManager();

  // Registers `plan` (no-op when already cached; a different level replaces nothing,
  // as Spark warns and keeps the first).
  void cache(const PlanPtr& plan, StorageLevel level = StorageLevel::MemoryAndDisk);
  // Drops the plan's blocks everywhere; false if it was not cached.
  bool uncache(const LogicalPlan* plan);
  void clear();
  std::shared_ptr<CachedPlan> lookup(const LogicalPlan* plan) const;
  bool empty() const;

  // `plan` with every cached sub-plan replaced by an InMemoryRelation over it.
  PlanPtr useCachedData(const PlanPtr& plan) const;

 private:
  void dropBlocks(CachedPlan& c);

  Context& ctx_;
  mutable std::mutex mutex_;
  std::map<const LogicalPlan*, std::shared_ptr<CachedPlan>> entries_;
};

}  // namespace ember::sql
