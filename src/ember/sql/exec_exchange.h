// Exchanges: where a SQL plan is cut into stages. A ShuffleExchangeExec runs its child
// as the map side of a shuffle (rows routed to reduce partitions by a hash of key
// columns, to one partition, or round robin) through the core scheduler; a
// BroadcastExchangeExec runs its child as a separate job and hands the whole result to
// every task of the consuming stage. PlanRDD turns a physical subtree into an RDD of
// batches for the scheduler.
#pragma once

#include <mutex>

#include "ember/core/rdd_base.h"
#include "ember/sql/exec_ops.h"

namespace ember::sql {

class BatchShuffleDependency;
class LocalExchangeStore;

class ShuffleExchangeExec : public PhysicalNode {
  friend struct PlanSerde;

 public:
  // Range: rows go to partitions by `order` against bounds sampled from the input in
  // prepare() (Spark's range partitioning), so sorting each partition sorts the whole.
  enum class Kind : uint8_t { Hash, Single, RoundRobin, Range };
  ShuffleExchangeExec(PhysicalPtr child, Kind kind, std::vector<ExprPtr> keys, int numPartitions);
  // The reduce side only, as an executor rebuilds it: reads shuffle `shuffleId` written
  // by `numMaps` map tasks (the map side is a separate stage with its own payload).
  ShuffleExchangeExec(std::vector<Attribute> out, Kind kind, std::vector<ExprPtr> keys,
                      int numPartitions, int shuffleId, int numMaps);
  static std::shared_ptr<ShuffleExchangeExec> range(PhysicalPtr child, std::vector<SortKey> order,
                                                    int numPartitions);
  // The driver's node frees map outputs its shuffle keeps in memory (local mode).
  ~ShuffleExchangeExec() override;
  std::string describe() const override;
  int numPartitions() const override { return numPartitions_; }
  void prepare(Context& ctx) override;
  StreamPtr execute(int partition, TaskContext& ctx) const override;
  void shuffleDependencies(std::vector<std::shared_ptr<Dependency>>& out) const override;

  Kind kind() const { return kind_; }
  const std::vector<ExprPtr>& keys() const { return keys_; }

 private:
  Kind kind_;
  std::vector<ExprPtr> keys_;
  int numPartitions_;
  int shuffleId_ = -1, numMaps_ = 0;             // set by prepare() or the reader ctor
  std::vector<SortKey> order_;                   // Range
  BatchPtr bounds_;                              // Range: numPartitions-1 key rows
  std::shared_ptr<BatchShuffleDependency> dep_;  // driver only
  std::shared_ptr<RDDBase> mapRdd_;              // keeps the map side (and its shuffle files) alive
  std::shared_ptr<LocalExchangeStore> localStore_;  // driver, local mode: exec_exchange_local.h
};

class BroadcastExchangeExec : public PhysicalNode {
  friend struct PlanSerde;

 public:
  explicit BroadcastExchangeExec(PhysicalPtr child);
  // As an executor rebuilds it: the data comes from broadcast variable `broadcastId`.
  BroadcastExchangeExec(std::vector<Attribute> out, int64_t broadcastId);
  ~BroadcastExchangeExec() override;
  std::string describe() const override { return "BroadcastExchange"; }
  int numPartitions() const override { return 1; }
  void prepare(Context& ctx) override;
  StreamPtr execute(int partition, TaskContext& ctx) const override;
  void shuffleDependencies(std::vector<std::shared_ptr<Dependency>>&) const override {}

 private:
  // The id of a broadcast variable holding data_, created the first time the plan is
  // shipped (local mode never pays for serialising the table).
  int64_t broadcastId() const;

  BatchPtr data_;  // driver: filled by prepare(); executor: null until first use
  mutable std::mutex mutex_;
  mutable int64_t broadcastId_ = 0;
  mutable bool ownsBroadcast_ = false;
};

// Runs `root` over its partitions as a job; returns the batches of each partition in
// partition order. Exchanges below must be prepared.
std::vector<std::vector<BatchPtr>> runPlan(Context& ctx, const PhysicalPtr& root,
                                           const std::string& callSite,
                                           const std::vector<int>& partitions = {});
// Range exchanges: runs a sampling job over `input` (whose rows have `inputAttrs`) and
// returns at most numPartitions-1 ascending bounds of the `order` keys (exec_range.cpp).
BatchPtr sampleRangeBounds(Context& ctx, const std::shared_ptr<RDDBase>& input,
                           const std::vector<Attribute>& inputAttrs,
                           const std::vector<SortKey>& order, int numPartitions);
// The RDD of batches that computes `root` (for shuffles and jobs).
std::shared_ptr<RDDBase> makePlanRdd(Context& ctx, const PhysicalPtr& root,
                                     const std::string& name);
// A persisted RDD of `root` for a cached plan (exec_cache.h): on the driver (ctx set,
// rddId -1: a new id) or rebuilt on an executor with the driver's id, so that both name
// the same blocks.
std::shared_ptr<RDDBase> makeCachedPlanRdd(Context* ctx, int rddId, const PhysicalPtr& root,
                                           StorageLevel level);
// Partition `partition` of such an RDD: from the block manager, or computed and stored.
StreamPtr cachedPartition(const RDDBase& rdd, int partition, TaskContext& ctx);

}  // namespace ember::sql
