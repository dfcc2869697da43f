// Physical operators of the SQL engine.
//
// A physical plan is a tree of PhysicalNodes. Each node produces numPartitions()
// partitions; execute(p) returns a stream of batches for partition p, pulling from its
// children's streams (batch-at-a-time, so the operators of one stage are fused into one
// pass over a partition without intermediate tables: see docs/design/sql-engine.md for
// why pull rather than push). Exchanges cut the plan into stages: an exchange's child
// runs as the map side of a shuffle (an RDD stage of the core scheduler) and the
// exchange reads the shuffled partitions.
//
// Nodes are immutable after prepare(); execute() may run concurrently for different
// partitions on different threads.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ember/columnar/batch.h"
#include "ember/common/serde.h"
#include "ember/common/size_estimate.h"
#include "ember/sql/logical_plan.h"

namespace ember {
class Context;
class TaskContext;
class Dependency;
}  // namespace ember

namespace ember::sql {

class BatchStream {
 public:
  virtual ~BatchStream() = default;
  // The next batch, or null at the end. Batches may be empty (0 rows).
  virtual BatchPtr next() = 0;
};
using StreamPtr = std::unique_ptr<BatchStream>;

struct PlanSerde;  // plan_serde.cpp: ships physical plans to executors
class PhysicalNode;
using PhysicalPtr = std::shared_ptr<PhysicalNode>;

struct OperatorMetrics {
  std::atomic<int64_t> rows{0};
  std::atomic<int64_t> batches{0};
  std::atomic<int64_t> timeNs{0};
  std::atomic<int64_t> peakMemory{0};
  std::atomic<int64_t> spillBytes{0};
};

class PhysicalNode {
 public:
  virtual ~PhysicalNode() = default;
  std::vector<PhysicalPtr> children;
  std::vector<Attribute> output;

  // One line of the physical plan: "HashAggregate(keys=[a#1], functions=[sum(b#2)])".
  virtual std::string describe() const = 0;
  virtual int numPartitions() const { return children.empty() ? 1 : children[0]->numPartitions(); }
  // Driver side, before the job: exchanges register their shuffles, broadcasts run
  // their build job. Called bottom-up once.
  virtual void prepare(Context& ctx) {
    for (auto& c : children) c->prepare(ctx);
  }
  virtual StreamPtr execute(int partition, TaskContext& ctx) const = 0;
  // The shuffle dependencies a stage running this node reads (its exchanges).
  virtual void shuffleDependencies(std::vector<std::shared_ptr<Dependency>>& out) const {
    for (const auto& c : children) c->shuffleDependencies(out);
  }

  std::string treeString() const;
  OperatorMetrics& metrics() const { return metrics_; }
  int nodeId = -1;  // position in the plan, for the SQL UI

  // Metrics across processes. A node shipped to executors gets an accumulator
  // (metricsAccumulatorId(), created on first shipment); the executors' copies carry
  // its id in `remoteMetrics` and report their counts into it when a stream ends, so
  // totals() on the driver includes work done anywhere. Values: rows, timeNs,
  // peakMemory (max), spillBytes.
  struct MetricTotals {
    int64_t rows = 0, timeNs = 0, peakMemory = 0, spillBytes = 0;
  };
  MetricTotals totals() const;
  int64_t metricsAccumulatorId() const;
  void reportMetrics() const;  // executor copies, inside a task: send what is new
  int64_t remoteMetrics = 0;

 protected:
  mutable OperatorMetrics metrics_;

 private:
  mutable std::mutex metricsMutex_;
  mutable int64_t accumulatorId_ = 0;  // driver: 0 until shipped
  mutable MetricTotals reported_;      // executor copies: already sent
};

// Wraps a stream and counts rows and time into a node's metrics.
StreamPtr instrument(StreamPtr in, const PhysicalNode& node);
// A stream over ready batches.
StreamPtr streamOf(std::vector<BatchPtr> batches);
// All batches of a stream concatenated into one (possibly empty) batch of `schema`.
BatchPtr drainToOne(BatchStream& s, const std::vector<Attribute>& schema);
Schema schemaOf(const std::vector<Attribute>& attrs);

}  // namespace ember::sql

namespace ember {
// Batches as RDD records (shuffle blocks, results, cached partitions).
template <>
struct Serde<std::shared_ptr<Batch>> {
  static void write(ByteWriter& w, const std::shared_ptr<Batch>& b) { b->serialize(w); }
  static std::shared_ptr<Batch> read(ByteReader& r) { return Batch::deserialize(r); }
};
template <>
struct SizeEstimate<std::shared_ptr<Batch>> {
  static int64_t heap(const std::shared_ptr<Batch>& b) { return b ? b->memoryBytes() : 0; }
};
}  // namespace ember
