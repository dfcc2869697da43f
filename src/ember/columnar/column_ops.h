// Whole-column kernels every operator needs: gather, filter, slice, concatenation,
// hashing. Type-specialised loops live in column_ops.cpp.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "ember/columnar/batch.h"
#include "ember/columnar/column.h"

namespace ember {

// Rows idx[0..n) of `c`, in that order. An index of -1 produces NULL (outer joins).
ColumnPtr takeColumn(const Column& c, const int32_t* idx, int64_t n);
BatchPtr takeBatch(const Batch& b, const int32_t* idx, int64_t n);

// Row indices i where mask[i] != 0 and (maskValidity == null or valid): the selection
// of a boolean filter column (NULL counts as false).
std::vector<int32_t> selectionFromMask(const Column& boolColumn);
// Keeps rows whose boolean `mask` is true (not NULL).
BatchPtr filterBatch(const Batch& b, const Column& mask);

// Rows [offset, offset + length) as new columns (copies).
ColumnPtr sliceColumn(const Column& c, int64_t offset, int64_t length);
BatchPtr sliceBatch(const Batch& b, int64_t offset, int64_t length);

// All columns of one field appended, in order. `parts` must share c's type.
ColumnPtr concatColumns(const std::vector<ColumnPtr>& parts);
// Batches with the same column types into one.
BatchPtr concatBatches(const std::vector<BatchPtr>& parts);

// Hashes row values into hashes[0..n): combine=false overwrites, combine=true mixes
// into the existing hash (multi-column keys). NULLs hash to a fixed value. Equal
// values of the same type hash equally in every process (partitioning depends on it).
void hashColumn(const Column& c, uint64_t* hashes, bool combine);

// Whether row i of a equals row j of b (same types; NULL equals NULL: grouping).
bool rowsEqual(const Column& a, int64_t i, const Column& b, int64_t j);

}  // namespace ember
