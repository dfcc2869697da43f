// Parquet file metadata (the subset Ember reads and writes), decoded from and encoded to
// the Thrift structs of parquet.thrift, and the mapping between Parquet column types and
// Ember's DataType. Flat schemas only: a root group whose children are primitive columns.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ember/columnar/types.h"
#include "ember/columnar/value.h"

namespace ember {

namespace pq {

enum PhysType : int {
  kBoolean = 0,
  kInt32 = 1,
  kInt64 = 2,
  kInt96 = 3,
  kFloat = 4,
  kDouble = 5,
  kByteArray = 6,
  kFixed = 7
};
enum Codec : int {
  kUncompressed = 0,
  kSnappy = 1,
  kGzip = 2,
  kLzo = 3,
  kBrotli = 4,
  kLz4 = 5,
  kZstd = 6,
  kLz4Raw = 7
};
enum Encoding : int {
  kPlain = 0,
  kPlainDictionary = 2,
  kRle = 3,
  kBitPacked = 4,
  kDeltaBinaryPacked = 5,
  kDeltaLengthByteArray = 6,
  kDeltaByteArray = 7,
  kRleDictionary = 8,
  kByteStreamSplit = 9
};
enum PageType : int { kDataPage = 0, kIndexPage = 1, kDictionaryPage = 2, kDataPageV2 = 3 };

}  // namespace pq

// How an Ember column is stored in a Parquet column.
struct ParquetColumn {
  std::string name;
  int physical = pq::kInt32;
  int typeLength = 0;  // FIXED_LEN_BYTE_ARRAY width
  bool optional = true;
  DataType type;     // Ember type
  int timeUnit = 1;  // TIMESTAMP: 0 millis, 1 micros, 2 nanos
  bool unsignedInt = false;
};

struct ParquetStats {
  std::optional<std::string> min, max;  // plain-encoded bytes
  int64_t nullCount = -1;               // -1: unknown
};

struct ParquetChunk {
  int physical = 0;
  int codec = 0;
  int64_t numValues = 0;
  int64_t totalCompressed = 0;
  int64_t totalUncompressed = 0;
  int64_t dataPageOffset = 0;
  int64_t dictPageOffset = -1;
  std::vector<int> encodings;
  ParquetStats stats;
  // Byte range of the chunk's pages in the file.
  // (Some writers store dictionary_page_offset 0 for "none"; a real one is at least 4.)
  int64_t start() const {
    return dictPageOffset >= 4 && dictPageOffset < dataPageOffset ? dictPageOffset : dataPageOffset;
  }
};

struct ParquetRowGroup {
  int64_t numRows = 0;
  int64_t totalByteSize = 0;
  std::vector<ParquetChunk> columns;
};

struct ParquetFileMeta {
  std::vector<ParquetColumn> columns;
  std::vector<ParquetRowGroup> rowGroups;
  int64_t numRows = 0;
  std::string createdBy;
  bool typeDefinedOrder = false;  // column_orders present: min_value/max_value are valid

  Schema schema() const;
};

// Decodes the footer's FileMetaData. Throws IoError naming `path` on corrupt metadata
// and UserError for nested or unsupported column types.
ParquetFileMeta decodeFileMeta(const uint8_t* data, size_t n, const std::string& path);

// Reads and decodes the footer of `path` (IoError naming the file if it is not Parquet).
ParquetFileMeta readParquetFooter(const std::string& path);

// readParquetFooter through a process-wide cache (parquet_footer_cache.cpp): a query
// reads a file's footer for the schema, for the splits and in every task, and decoding
// a footer of many row groups costs more than reading a small pruned slice of the file.
// Entries are keyed by path and checked against the file's size, modification time and
// inode on every call, so a rewritten file is decoded again. Thread-safe.
std::shared_ptr<const ParquetFileMeta> cachedParquetFooter(const std::string& path);

// The Parquet storage of an Ember field (writer side).
ParquetColumn parquetColumnFor(const Field& f);

// Statistics bytes -> Value of the column's Ember type (null when absent or not usable).
Value statValue(const ParquetColumn& c, const std::optional<std::string>& bytes);

// Encodes FileMetaData (writer side).
std::string encodeFileMeta(const ParquetFileMeta& meta);

}  // namespace ember
