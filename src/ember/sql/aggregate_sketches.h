// Sketch-based aggregate states (aggregate_sketches.cpp), bound by aggregates.cpp.
#pragma once

#include <memory>

#include "ember/sql/aggregates.h"

namespace ember::sql {

// approx_count_distinct(value [, relativeSD double]): HyperLogLog registers per group;
// partial state: one string column (the registers); result: bigint.
std::unique_ptr<AggregateState> newHyperLogLogState();

}  // namespace ember::sql
