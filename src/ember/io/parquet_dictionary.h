// Dictionary encoding of one Parquet column chunk for the writer: one hash pass over the
// chunk's values that builds the dictionary and records every value's index at once.
// Internal to the io layer.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ember/columnar/column.h"

namespace ember {

struct ParquetDictionary {
  std::string page;               // the dictionary page body: PLAIN-encoded entries
  int64_t size = 0;               // number of entries
  std::vector<uint32_t> indices;  // one per non-null value of the chunk, in row order
};

// Dictionary of the non-null values of `parts` (one column chunk, in order). `width` is
// the PLAIN width of a fixed-width column whose in-memory values are already its PLAIN
// bytes (4 or 8: ints, dates, timestamps, floats, 64-bit decimals), or 0 for a string
// column (PLAIN byte arrays). Returns false, and a dictionary not worth writing, when the
// values are mostly distinct (checked as they are seen, so unique columns stop early) or
// the dictionary page would exceed `maxBytes` (the writer then uses PLAIN, as parquet-mr
// and DuckDB fall back). Floats are keyed by their bits (NaN and -0.0 kept exactly).
bool buildParquetDictionary(const std::vector<ColumnPtr>& parts, int width, int64_t maxBytes,
                            ParquetDictionary& out);

}  // namespace ember
