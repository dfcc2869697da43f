// Sketch-based aggregate states (aggregate_sketches.cpp), bound by aggregates.cpp.
#pragma once

#include <memory>

#include "ember/sql/aggregates.h"

namespace ember::sql {

// approx_count_distinct(value [, relativeSD double]): HyperLogLog registers per group;
// partial state: one string column (the registers); result: bigint.
std::unique_ptr<AggregateState> newHyperLogLogState();
// log2 of the register count for a relativeSD; throws UserError when it is out of range
// (the analyzer checks the literal with it, so a bad value fails before any task runs).
int hyperLogLogPrecision(double relativeSD);

// percentile_approx(value, percentage [, accuracy]) (aggregate_quantiles.cpp): a
// Greenwald-Khanna summary per group; args value (its own type), double, bigint; partial
// state: one string column; result: the value's type.
std::unique_ptr<AggregateState> newQuantileState(const DataType& valueType);
// Types percentile_approx accepts: integers, floats, narrow decimals, dates, timestamps.
bool percentileSupports(const DataType& valueType);
// Throws UserError unless 0 <= percentage <= 1 and 0 < accuracy <= INT32_MAX.
void checkPercentileParameters(double percentage, int64_t accuracy);

}  // namespace ember::sql
