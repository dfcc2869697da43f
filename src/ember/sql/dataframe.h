// DataFrame: a lazy, immutable query (a logical plan bound to a Session), with Spark's
// method names. Transformations return new DataFrames; actions (collect, count, show,
// write) analyse, optimise and plan the query and run it as jobs.
//
// Column arguments are expressions: col("a"), lit(1), expr("a + 1") or the helpers in
// column.h (sum, count, ...); string arguments name columns, or for filter/selectExpr,
// are SQL expressions.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ember/columnar/batch.h"
#include "ember/columnar/value.h"
#include "ember/core/rdd_base.h"
#include "ember/sql/logical_plan.h"

namespace ember::sql {

class Session;
class GroupedData;
class DataFrameWriter;

class DataFrame {
 public:
  DataFrame(Session* session, PlanPtr plan);

  // ---- transformations ----
  DataFrame select(const std::vector<ExprPtr>& columns) const;
  DataFrame select(const std::vector<std::string>& columnNames) const;
  DataFrame selectExpr(const std::vector<std::string>& sqlExpressions) const;
  DataFrame filter(ExprPtr condition) const;
  DataFrame filter(const std::string& sqlCondition) const;
  DataFrame where(ExprPtr condition) const { return filter(std::move(condition)); }
  DataFrame where(const std::string& c) const { return filter(c); }
  DataFrame withColumn(const std::string& name, ExprPtr value) const;
  DataFrame withColumnRenamed(const std::string& from, const std::string& to) const;
  // withColumn for several columns, in order.
  DataFrame withColumns(const std::vector<std::pair<std::string, ExprPtr>>& columns) const;
  // The same columns under new names (as many names as columns).
  DataFrame toDF(const std::vector<std::string>& names) const;
  // Spark's df.na.fill / fillna: NULLs of the columns whose type fits `value` (numbers
  // for a number, strings for a string, booleans for a boolean) become `value`; with
  // `subset`, only those columns.
  DataFrame fillna(const Value& value, const std::vector<std::string>& subset = {}) const;
  // Spark's df.na.drop / dropna: drops rows with a NULL ("any") or only NULLs ("all") in
  // `subset` (default: every column).
  DataFrame dropna(const std::string& how = "any",
                   const std::vector<std::string>& subset = {}) const;
  DataFrame drop(const std::vector<std::string>& columnNames) const;
  GroupedData groupBy(const std::vector<ExprPtr>& keys) const;
  GroupedData groupBy(const std::vector<std::string>& columnNames) const;
  // Spark's rollup/cube: agg() then aggregates every prefix (rollup) or every subset
  // (cube) of the keys, keys outside a grouping set reading as NULL (dataframe_extra.cpp).
  GroupedData rollup(const std::vector<std::string>& columnNames) const;
  GroupedData cube(const std::vector<std::string>& columnNames) const;
  DataFrame agg(const std::vector<ExprPtr>& aggregates) const;  // global aggregation
  // how: "inner", "left", "left_outer", "right", "full", "outer", "semi", "left_semi",
  // "anti", "left_anti", "cross".
  DataFrame join(const DataFrame& other, ExprPtr on, const std::string& how = "inner") const;
  DataFrame join(const DataFrame& other, const std::vector<std::string>& usingColumns,
                 const std::string& how = "inner") const;
  DataFrame crossJoin(const DataFrame& other) const;
  DataFrame orderBy(const std::vector<SortKey>& keys) const;
  DataFrame orderBy(const std::vector<std::string>& columnNames) const;
  DataFrame sort(const std::vector<SortKey>& keys) const { return orderBy(keys); }
  DataFrame limit(int64_t n) const;
  DataFrame distinct() const;
  DataFrame dropDuplicates(const std::vector<std::string>& columnNames = {}) const;
  DataFrame union_(const DataFrame& other) const;  // UNION ALL by position (Spark's union)
  DataFrame unionByName(const DataFrame& other) const;
  DataFrame intersect(const DataFrame& other) const;
  DataFrame except(const DataFrame& other) const;
  // Multiset versions (Spark's names): duplicates kept, min / difference of the counts.
  DataFrame intersectAll(const DataFrame& other) const;
  DataFrame exceptAll(const DataFrame& other) const;
  DataFrame alias(const std::string& name) const;
  DataFrame sample(double fraction, uint64_t seed = 0) const;
  DataFrame describe(const std::vector<std::string>& columnNames = {}) const;
  // Spark's summary(): count, mean, stddev, min, 25%, 50%, 75%, max (approximate
  // percentiles) of the numeric and string columns, or the given statistics (also
  // "count_distinct", "approx_count_distinct", any "NN%").
  DataFrame summary(const std::vector<std::string>& statistics = {}) const;
  // Spark's cache/persist: lazy; the first action stores each partition in the
  // executors' block managers (MEMORY_AND_DISK: spills, recomputed from lineage when
  // lost) and later queries over this DataFrame, or DataFrames built on it, read them.
  // Returns this DataFrame (as Spark).
  DataFrame cache() const;
  DataFrame persist(StorageLevel level = StorageLevel::MemoryAndDisk) const;
  // Drops the stored partitions; false if it was not cached.
  bool unpersist() const;
  // None when not cached.
  StorageLevel storageLevel() const;

  // ---- partitioning (dataframe_partitioning.cpp) ----
  // Round robin into n partitions / hash partitioning by columns (n = 0: the session's
  // ember.sql.shuffle.partitions); always a shuffle.
  DataFrame repartition(int numPartitions) const;
  DataFrame repartition(int numPartitions, const std::vector<ExprPtr>& columns) const;
  DataFrame repartition(const std::vector<std::string>& columnNames) const;
  // Range partitioning by sort keys (sampled bounds), as Spark's repartitionByRange.
  DataFrame repartitionByRange(int numPartitions, const std::vector<SortKey>& keys) const;
  // Fewer partitions without a shuffle (each output partition reads several inputs).
  DataFrame coalesce(int numPartitions) const;
  // Sorted within each partition only (no exchange).
  DataFrame sortWithinPartitions(const std::vector<SortKey>& keys) const;
  // Partitions of the result (Spark's df.rdd.getNumPartitions()); plans the query.
  int getNumPartitions() const;

  // ---- actions ----
  std::vector<Row> collect() const;
  std::vector<BatchPtr> collectBatches() const;
  int64_t count() const;
  std::vector<Row> take(int64_t n) const;
  std::optional<Row> first() const;
  std::vector<Row> head(int64_t n) const { return take(n); }
  bool isEmpty() const { return take(1).empty(); }
  // Spark's show(): an ASCII table; strings longer than `truncate` characters are cut
  // (0: never).
  void show(int numRows = 20, int truncate = 20) const;
  std::string showString(int numRows = 20, int truncate = 20) const;
  // mode: "simple" (physical plan), "extended" (parsed, analyzed, optimized, physical),
  // "formatted", "cost".
  std::string explainString(const std::string& mode = "extended") const;
  void explain(const std::string& mode = "simple") const;
  // Batches one partition at a time (Spark's toLocalIterator): a driver holds at most
  // one partition.
  class LocalIterator;
  std::unique_ptr<LocalIterator> toLocalIterator() const;

  // ---- schema and catalog ----
  Schema schema() const;
  std::vector<std::string> columns() const;
  std::string printSchemaString() const;
  void createOrReplaceTempView(const std::string& name) const;
  void createTempView(const std::string& name) const;
  // df.write().mode("overwrite").option("header", "true").csv(path): see writer.h.
  DataFrameWriter write() const;

  const PlanPtr& plan() const { return plan_; }
  // describe()/summary() over `columns` (all numeric and string ones when empty).
  DataFrame summaryOf(std::vector<std::string> columns,
                      const std::vector<std::string>& statistics) const;
  Session& session() const { return *session_; }

 private:
  Session* session_;
  PlanPtr plan_;
};

class GroupedData {
 public:
  GroupedData(DataFrame df, std::vector<ExprPtr> keys);
  // Grouping sets: each a list of indices into `keys` (rollup, cube).
  GroupedData(DataFrame df, std::vector<ExprPtr> keys, std::vector<std::vector<size_t>> sets);
  DataFrame agg(const std::vector<ExprPtr>& aggregates) const;
  DataFrame count() const;
  DataFrame sum(const std::vector<std::string>& columnNames) const;
  DataFrame avg(const std::vector<std::string>& columnNames) const;
  DataFrame min(const std::vector<std::string>& columnNames) const;
  DataFrame max(const std::vector<std::string>& columnNames) const;
  // Spark's pivot: agg() then gives, for each value of `column`, one column per aggregate
  // computed over the group's rows with that value (named "<value>" for one aggregate,
  // "<value>_<aggregate>" for several). Without `values` they are the column's distinct
  // values, sorted (one more job; at most 10,000).
  GroupedData pivot(const std::string& column, std::vector<Value> values = {}) const;

 private:
  DataFrame aggGroupingSets(const std::vector<ExprPtr>& aggregates) const;
  DataFrame aggPivot(const std::vector<ExprPtr>& aggregates) const;
  DataFrame df_;
  std::vector<ExprPtr> keys_;
  std::vector<std::vector<size_t>> sets_;  // empty: a plain GROUP BY of every key
  std::string pivotColumn_;                // empty: no pivot
  std::vector<Value> pivotValues_;
};

class DataFrame::LocalIterator {
 public:
  virtual ~LocalIterator() = default;
  virtual BatchPtr next() = 0;  // null at the end
};

}  // namespace ember::sql
