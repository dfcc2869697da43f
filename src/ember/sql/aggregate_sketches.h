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

}  // namespace ember::sql
