// Kernels for nested columns (List, Map, Struct; layouts in column.h), called by the
// generic kernels of column_ops.h when a column is nested, plus a row comparison that
// works for every type (sorting array elements, array_min/max).
#pragma once

#include <cstdint>
#include <vector>

#include "ember/columnar/column.h"

namespace ember {

// Rows idx[0..n) (-1: NULL) of a nested column, children gathered along.
ColumnPtr takeNested(const Column& c, const int32_t* idx, int64_t n);
// Nested columns of one type appended in order.
ColumnPtr concatNested(const std::vector<ColumnPtr>& parts);
// One hash per row from the elements' hashes in order (equal rows hash equally; a null
// row's value is unspecified: hashColumn fixes null rows).
void nestedRowHashes(const Column& c, uint64_t* out);
// Equality of two non-null nested rows, element by element (NULL elements equal).
bool nestedRowsEqual(const Column& a, int64_t i, const Column& b, int64_t j);

// Total order of row i of a and row j of b (same type, any type; NULL sorts before
// every value; NaN after every number; arrays compare element-wise, then by length;
// structs field by field). Negative, zero or positive.
int compareRows(const Column& a, int64_t i, const Column& b, int64_t j);

}  // namespace ember
