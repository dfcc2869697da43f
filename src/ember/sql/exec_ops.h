// The physical operators (see exec_node.h for the model).
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "ember/io/file_format.h"
#include "ember/sql/aggregates.h"
#include "ember/sql/exec_expr.h"
#include "ember/sql/exec_node.h"

namespace ember::sql {

// In-memory rows, spread over `partitions` partitions.
class LocalTableExec : public PhysicalNode {
  friend struct PlanSerde;  // ships the operator to executors (plan_serde.cpp)

 public:
  LocalTableExec(std::vector<BatchPtr> batches, std::vector<Attribute> out, int partitions);
  ~LocalTableExec() override;
  std::string describe() const override;
  int numPartitions() const override { return partitions_; }
  StreamPtr execute(int partition, TaskContext& ctx) const override;

 private:
  std::vector<BatchPtr> batches_;
  int partitions_;
  // Set when a large table is first shipped as a broadcast variable (plan_serde.cpp);
  // the node owns that variable and frees it when it dies.
  mutable std::mutex shipMutex_;
  mutable int64_t broadcastId_ = 0;
};

// spark.range: the bigint column `id` = start, start+step, ... up to end (exclusive),
// generated batch by batch (nothing is materialised), split evenly over `partitions`.
class RangeExec : public PhysicalNode {
  friend struct PlanSerde;

 public:
  RangeExec(int64_t start, int64_t end, int64_t step, int partitions, int batchRows,
            std::vector<Attribute> out);
  std::string describe() const override;
  int numPartitions() const override { return partitions_; }
  StreamPtr execute(int partition, TaskContext& ctx) const override;

 private:
  int64_t start_, end_, step_;
  int partitions_;
  int batchRows_;
};
// How many values range(start, end, step) has (0 if step points away from end).
int64_t rangeCount(int64_t start, int64_t end, int64_t step);

// Files through a format: one partition per split. Produces `projection` columns of the
// data schema; `filters` are pushed into the reader (it may skip row groups), the
// engine still applies the full condition above. For a Hive-partitioned directory
// (io/partitioning.h) the data schema's partition columns come from the directory names:
// files whose values fail a pushed filter are pruned in prepare(), and the values are
// added to each batch as constant columns.
class FileScanExec : public PhysicalNode {
  friend struct PlanSerde;  // ships the operator to executors (plan_serde.cpp)

 public:
  FileScanExec(std::shared_ptr<const FileSource> source, Schema dataSchema,
               std::vector<int> projection, std::vector<ColumnPredicate> filters,
               std::vector<Attribute> out, int64_t splitBytes, int batchRows);
  std::string describe() const override;
  int numPartitions() const override { return static_cast<int>(splits_.size()); }
  void prepare(Context& ctx) override;
  StreamPtr execute(int partition, TaskContext& ctx) const override;

 private:
  std::shared_ptr<const FileSource> source_;
  Schema dataSchema_;
  std::vector<int> projection_;
  std::vector<ColumnPredicate> filters_;
  FormatOptions options_;
  std::vector<FileSplit> splits_;
  int64_t splitBytes_;
  int batchRows_;
  // Partitioned directories: data-schema index of each partition column (in directory
  // order), and each split's values of them. Empty when not partitioned.
  std::vector<int> partitionColumns_;
  std::vector<std::vector<Value>> splitValues_;
  int64_t filesPruned_ = 0;
};

class FilterExec : public PhysicalNode {
  friend struct PlanSerde;  // ships the operator to executors (plan_serde.cpp)

 public:
  FilterExec(PhysicalPtr child, ExprPtr condition);
  std::string describe() const override;
  StreamPtr execute(int partition, TaskContext& ctx) const override;

 private:
  ExprPtr condition_;
  PhysicalExprPtr compiled_;
};

class ProjectExec : public PhysicalNode {
  friend struct PlanSerde;  // ships the operator to executors (plan_serde.cpp)

 public:
  ProjectExec(PhysicalPtr child, std::vector<ExprPtr> exprs);
  std::string describe() const override;
  StreamPtr execute(int partition, TaskContext& ctx) const override;

 private:
  std::vector<ExprPtr> exprs_;
  std::vector<PhysicalExprPtr> compiled_;
};

// Per partition: at most `limit` rows after skipping `offset` (a global limit runs on a
// single partition, after an exchange).
class LimitExec : public PhysicalNode {
  friend struct PlanSerde;  // ships the operator to executors (plan_serde.cpp)

 public:
  LimitExec(PhysicalPtr child, int64_t limit, int64_t offset);
  std::string describe() const override;
  StreamPtr execute(int partition, TaskContext& ctx) const override;

 private:
  int64_t limit_, offset_;
};

// Partitions of all children, one after another.
class UnionExec : public PhysicalNode {
  friend struct PlanSerde;  // ships the operator to executors (plan_serde.cpp)

 public:
  UnionExec(std::vector<PhysicalPtr> children, std::vector<Attribute> out);
  std::string describe() const override { return "Union"; }
  int numPartitions() const override;
  StreamPtr execute(int partition, TaskContext& ctx) const override;
};

class SampleExec : public PhysicalNode {
  friend struct PlanSerde;  // ships the operator to executors (plan_serde.cpp)

 public:
  SampleExec(PhysicalPtr child, double fraction, uint64_t seed);
  std::string describe() const override;
  StreamPtr execute(int partition, TaskContext& ctx) const override;

 private:
  double fraction_;
  uint64_t seed_;
};

// Hash aggregation. Partial: input rows -> (keys, states). Final: (keys, states) ->
// (keys, results), merging states. Complete: input rows -> results in one phase (used
// with DISTINCT aggregates). Output of Final/Complete: keys then aggregate results, as
// `output` lists them (the planner projects the select list above).
class HashAggregateExec : public PhysicalNode {
  friend struct PlanSerde;  // ships the operator to executors (plan_serde.cpp)

 public:
  enum class Mode { Partial, Final, Complete };
  struct AggSpec {
    AggregateFunctionPtr fn;
    std::vector<ExprPtr> args;  // Partial/Complete: over the child's output
    ExprPtr filter;             // FILTER (WHERE ...), may be null
    bool distinct = false;      // fn was bound with DISTINCT (to rebind it on executors)
  };
  HashAggregateExec(PhysicalPtr child, Mode mode, std::vector<ExprPtr> keys,
                    std::vector<AggSpec> aggs, std::vector<Attribute> out);
  std::string describe() const override;
  StreamPtr execute(int partition, TaskContext& ctx) const override;
  Mode mode() const { return mode_; }

 private:
  friend class HashAggregateStream;
  Mode mode_;
  std::vector<ExprPtr> keys_;
  std::vector<AggSpec> aggs_;
  std::vector<PhysicalExprPtr> keyExprs_;
  std::vector<std::vector<PhysicalExprPtr>> argExprs_;
  std::vector<PhysicalExprPtr> filterExprs_;
};

// Hash join: builds a table over the build side's partition (or a broadcast), probes
// with the other side's stream. Equi-keys + optional residual condition.
class HashJoinExec : public PhysicalNode {
  friend struct PlanSerde;  // ships the operator to executors (plan_serde.cpp)

 public:
  enum class BuildSide { Left, Right };
  HashJoinExec(PhysicalPtr left, PhysicalPtr right, JoinType type, std::vector<ExprPtr> leftKeys,
               std::vector<ExprPtr> rightKeys, ExprPtr residual, BuildSide build, bool broadcast,
               std::vector<Attribute> out);
  std::string describe() const override;
  int numPartitions() const override;
  StreamPtr execute(int partition, TaskContext& ctx) const override;

 private:
  friend class HashJoinStream;
  JoinType type_;
  std::vector<ExprPtr> leftKeys_, rightKeys_;
  ExprPtr residual_;
  BuildSide build_;
  bool broadcast_;
  std::vector<PhysicalExprPtr> leftKeyExprs_, rightKeyExprs_;
  PhysicalExprPtr residualExpr_;
  // Where each output column comes from: (0 = left, 1 = right, column index). `out` may be
  // any subset of left ++ right (by attribute id): the planner passes only the columns
  // the parent uses, so the others are never gathered.
  std::vector<std::pair<uint8_t, int32_t>> outCols_;
  // Columns of left ++ right the residual condition reads (the others are not gathered
  // for the candidate pairs).
  std::vector<bool> residualCols_;
};

// Joins without equi-keys: every pair of (streamed left row, broadcast right row),
// filtered by the condition. Used for cross joins and non-equi conditions.
class NestedLoopJoinExec : public PhysicalNode {
  friend struct PlanSerde;  // ships the operator to executors (plan_serde.cpp)

 public:
  NestedLoopJoinExec(PhysicalPtr left, PhysicalPtr right, JoinType type, ExprPtr condition,
                     std::vector<Attribute> out);
  std::string describe() const override;
  int numPartitions() const override { return children[0]->numPartitions(); }
  StreamPtr execute(int partition, TaskContext& ctx) const override;

 private:
  JoinType type_;
  ExprPtr condition_;
  PhysicalExprPtr compiled_;
};

// Sorts each partition (limit >= 0: keeps only the first `limit` rows: top-N).
class SortExec : public PhysicalNode {
  friend struct PlanSerde;  // ships the operator to executors (plan_serde.cpp)

 public:
  SortExec(PhysicalPtr child, std::vector<SortKey> keys, int64_t limit = -1);
  std::string describe() const override;
  StreamPtr execute(int partition, TaskContext& ctx) const override;
  const std::vector<SortKey>& keys() const { return keys_; }

 private:
  std::vector<SortKey> keys_;
  std::vector<PhysicalExprPtr> keyExprs_;
  int64_t limit_;
};

// Window functions over partitions of rows: the input is exchanged by the partition keys
// and sorted by partition + order keys by a SortExec below (planner.cpp); this operator
// holds one window partition at a time (exec_window.cpp).
class WindowExec : public PhysicalNode {
  friend struct PlanSerde;  // ships the operator to executors (plan_serde.cpp)

 public:
  WindowExec(PhysicalPtr child, std::vector<ExprPtr> windowExprs, std::vector<Attribute> out);
  std::string describe() const override;
  StreamPtr execute(int partition, TaskContext& ctx) const override;

 private:
  std::vector<ExprPtr> windowExprs_;  // Alias(WindowCall) with one shared spec
};

// Sort order over batches: compares rows of evaluated key columns.
struct RowComparator {
  std::vector<ColumnPtr> keys;
  std::vector<SortKey> order;
  int compare(int64_t a, int64_t b) const;
};
int compareValues(const Column& a, int64_t i, const Column& b, int64_t j, bool ascending,
                  bool nullsFirst);

}  // namespace ember::sql
