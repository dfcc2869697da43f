// Decoding one Parquet column chunk (all its pages) into an Ember column. Internal to
// the io layer.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ember/columnar/column.h"
#include "ember/io/parquet_meta.h"

namespace ember {

// `bytes` holds the chunk's compressed pages (from chunk.start(), totalCompressed bytes);
// `fileOffset` is where they start in the file (for messages). Returns a column of
// `numRows` rows of col.type. Throws IoError naming `context` (file, row group,
// column) and the page's byte offset when the data is corrupt.
//
// `selection` (optional): row indices of the row group, ascending, distinct, each below
// numRows. Then only those rows are returned (selection->size() rows, in that order);
// pages holding none of them are skipped without decompression, and PLAIN fixed-width
// and dictionary pages without NULLs gather just the selected values.
ColumnPtr decodeColumnChunk(const uint8_t* bytes, size_t n, int64_t fileOffset,
                            const ParquetColumn& col, const ParquetChunk& chunk, int64_t numRows,
                            const std::string& context,
                            const std::vector<int32_t>* selection = nullptr);

}  // namespace ember
