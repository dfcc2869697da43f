// Aggregate states beyond the basic ones of aggregates.cpp, bound there: sketches
// (aggregate_sketches.cpp, aggregate_quantiles.cpp) and statistics (aggregate_stats.cpp).
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
// multiple=true: the percentage argument is an array (array<double>) and the result an
// array of the value type, one quantile per percentage (Spark's array form).
std::unique_ptr<AggregateState> newQuantileState(const DataType& valueType, bool multiple = false);
// Types percentile_approx accepts: integers, floats, narrow decimals, dates, timestamps.
bool percentileSupports(const DataType& valueType);
// Throws UserError unless 0 <= percentage <= 1 and 0 < accuracy <= INT32_MAX.
void checkPercentileParameters(double percentage, int64_t accuracy);

// corr, covar_pop, covar_samp (args: double, double; partial state: 6 doubles) and
// skewness, kurtosis (arg: double; partial state: 5 doubles); results double.
enum class StatKind { Corr, CovarPop, CovarSamp, Skewness, Kurtosis };
std::unique_ptr<AggregateState> newStatState(StatKind kind);
// max_by / min_by(value, ordering): args and partial state (value type, ordering type).
std::unique_ptr<AggregateState> newByState(const DataType& valueType, const DataType& ordType,
                                           bool max);
// percentile(value double, percentage double) and median(value) (percentage 0.5 fixed):
// exact, linearly interpolated; partial state: one string column; result double.
std::unique_ptr<AggregateState> newExactPercentileState(double fixedPercentage = -1);
// string_agg / listagg(value string [, delimiter string]): partial state (joined string,
// delimiter); result string, NULL for a group without values.
std::unique_ptr<AggregateState> newStringAggState();
// collect_list / collect_set(value): partial state and result array<value type> (NULLs
// skipped; an empty array for a group without values).
std::unique_ptr<AggregateState> newCollectState(const DataType& elem, bool set);

}  // namespace ember::sql
