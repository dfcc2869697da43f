// Aggregate functions for the hash and global aggregation operators.
//
// Aggregation runs in two phases around a shuffle (Spark's partial/final): partial
// aggregation folds input rows into per-group states and emits them as state columns;
// final aggregation merges states of the same group and produces the result. States
// of all groups of one operator live in per-aggregate arrays indexed by group id, so
// update/merge are tight loops over a batch (no per-row virtual calls).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ember/columnar/column.h"
#include "ember/columnar/types.h"

namespace ember::sql {

// The states of one aggregate for all groups of one operator instance (one task).
class AggregateState {
 public:
  virtual ~AggregateState() = default;
  // Makes room for groups [0, numGroups); new groups start empty.
  virtual void resize(int64_t numGroups) = 0;
  // Folds input rows (argument columns, already cast to the bound arg types): row i
  // goes to group groupIds[i].
  virtual void update(const int32_t* groupIds, const std::vector<ColumnPtr>& args,
                      int64_t rows) = 0;
  // Folds partial states (columns as produced by partial()) into groups.
  virtual void merge(const int32_t* groupIds, const std::vector<ColumnPtr>& states,
                     int64_t rows) = 0;
  // The states of groups [0, numGroups) as columns (types: stateTypes()).
  virtual std::vector<ColumnPtr> partial(int64_t numGroups) const = 0;
  // The results of groups [0, numGroups).
  virtual ColumnPtr result(int64_t numGroups) const = 0;
  // Heap bytes held beyond the fixed per-group arrays (strings, sets).
  virtual int64_t extraBytes() const { return 0; }
};

class AggregateFunction {
 public:
  virtual ~AggregateFunction() = default;
  const std::string& name() const { return name_; }
  const DataType& resultType() const { return resultType_; }
  // The types arguments must be cast to before update().
  const std::vector<DataType>& argTypes() const { return argTypes_; }
  const std::vector<DataType>& stateTypes() const { return stateTypes_; }
  // Whether the result is NULL for a group without (non-null) input (sum, min: yes;
  // count: no).
  bool nullable() const { return nullable_; }
  virtual std::unique_ptr<AggregateState> newState() const = 0;

 protected:
  std::string name_;
  DataType resultType_;
  std::vector<DataType> argTypes_;
  std::vector<DataType> stateTypes_;
  bool nullable_ = true;
};

using AggregateFunctionPtr = std::shared_ptr<const AggregateFunction>;

bool isAggregateFunctionName(const std::string& lowerName);
// Every aggregate function name (aliases included), sorted.
std::vector<std::string> aggregateFunctionNames();
// Binds `name`(args) [DISTINCT]. Throws UserError naming the function and the types when
// the arguments do not fit ("sum expects a numeric argument, got string"). With
// distinct=true the returned function de-duplicates the argument values per group (its
// state cannot be merged across tasks: the planner aggregates it in one phase).
AggregateFunctionPtr bindAggregate(const std::string& name, const std::vector<DataType>& args,
                                   bool distinct);

}  // namespace ember::sql
