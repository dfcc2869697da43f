// Row-level evaluation of pushed-down predicates over decoded columns, for the Parquet
// reader's late materialisation (decode the filter columns, evaluate, then decode the
// other columns only for the surviving rows). Internal to the io layer.
#pragma once

#include <cstdint>
#include <vector>

#include "ember/columnar/column.h"
#include "ember/io/file_format.h"

namespace ember {

// Whether narrowRows can evaluate `p` exactly on a column of type t: integers, dates,
// timestamps, decimals and strings with literals of exactly that type (floating-point
// columns are left to the engine: Spark orders NaN above every number).
bool rowFilterSupported(const ColumnPredicate& p, const DataType& t);

// keep[i] &= (p holds for row i of c), SQL semantics: a comparison with a NULL value is
// not true, so NULL rows are cleared except for IS NULL. keep.size() == c.size().
// Requires rowFilterSupported(p, c.type()). Threading: pure function.
void narrowRows(const Column& c, const ColumnPredicate& p, std::vector<uint8_t>& keep);

}  // namespace ember
