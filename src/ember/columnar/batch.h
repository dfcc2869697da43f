// Batch: a horizontal slice of a table: equally long columns (Arrow's RecordBatch).
// The unit of data that flows between operators, through shuffles and to the driver.
// Operators aim for batches of ~ember.sql.batchSize rows (default 4096): large enough
// to amortise per-batch work, small enough to stay in cache.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ember/columnar/column.h"
#include "ember/columnar/types.h"

namespace ember {

struct Batch {
  std::vector<ColumnPtr> columns;
  int64_t numRows = 0;

  Batch() = default;
  Batch(std::vector<ColumnPtr> cols, int64_t rows) : columns(std::move(cols)), numRows(rows) {}
  // Empty columns of the schema's types.
  static std::shared_ptr<Batch> empty(const Schema& schema);

  size_t numColumns() const { return columns.size(); }
  const Column& column(size_t i) const { return *columns[i]; }
  int64_t memoryBytes() const;

  // Self-describing binary form (types, validity, values): shuffle blocks, task
  // results, spill files. Throws IoError on corrupt input.
  void serialize(ByteWriter& w) const;
  static std::shared_ptr<Batch> deserialize(ByteReader& r);
};

using BatchPtr = std::shared_ptr<Batch>;

void serializeColumn(const Column& c, ByteWriter& w);
ColumnPtr deserializeColumn(ByteReader& r);

}  // namespace ember
