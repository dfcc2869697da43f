// Columnar file formats: CSV, JSON lines, Parquet and text, read into and written from
// ember::Batch. This is the API the SQL engine uses for spark.read.<fmt>, USING <fmt>
// OPTIONS (...) and df.write.<fmt>.
//
// Flow (driver D, tasks T):
//   D  fmt = FileFormat::forName("csv")
//   D  files = listInputFiles(path) (file_listing.h), as paths
//   D  schema = fmt->inferSchema(paths, options)      (or an explicit schema)
//   D  splits = fmt->planSplits(paths, options, targetSplitBytes)
//   T  reader = fmt->open(split, schema, projection, pushedFilters, options, batchRows)
//   T  while (auto b = reader->next()) ...
//   T  writer = fmt->createWriter(partPath, schema, options); writer->write(b)...; close()
//
// The data schema is the schema of the whole file (inferred or explicit). A reader
// produces batches whose columns are exactly `projection` (indices into the data
// schema), in that order. Pushed filters are an optimisation only: a reader may skip
// rows or row groups that cannot match, but it may also return them; the engine
// re-applies every filter.
//
// Schema matching: CSV fields map to the data schema's fields by position (a header only
// names them during inference); JSON keys by name (exact, then case-insensitive);
// Parquet columns by name (case-insensitive; a column missing from a file reads as
// NULL). A string field named by option columnNameOfCorruptRecord (default
// "_corrupt_record") is not read from CSV/JSON records: in PERMISSIVE mode it receives
// the raw text of malformed records and is NULL otherwise.
//
// Errors: unreadable or malformed input throws IoError (or UserError for a bad option
// or a schema mismatch) with a message naming the file and the line/column (CSV,
// JSON) or byte offset / row group / column (Parquet). In PERMISSIVE and
// DROPMALFORMED modes malformed CSV/JSON records are kept with nulls or dropped
// instead (see docs/formats.md).
//
// Threading: FileFormat objects are stateless singletons, safe to use from any thread.
// A BatchReader or BatchWriter is used by one thread at a time.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ember/columnar/batch.h"
#include "ember/columnar/types.h"
#include "ember/columnar/value.h"
#include "ember/common/serde.h"

namespace ember {

// Spark's data-source options: names are case-insensitive ("inferSchema" ==
// "inferschema"); values are strings, converted by the typed getters, which throw
// UserError naming the option when a value does not parse.
class FormatOptions {
 public:
  FormatOptions() = default;
  FormatOptions(std::initializer_list<std::pair<const std::string, std::string>> kv);

  FormatOptions& set(const std::string& key, std::string value);
  bool contains(const std::string& key) const;
  std::optional<std::string> get(const std::string& key) const;
  std::string getString(const std::string& key, const std::string& dflt) const;
  // "true"/"false" (any case).
  bool getBool(const std::string& key, bool dflt) const;
  int64_t getInt(const std::string& key, int64_t dflt) const;
  double getDouble(const std::string& key, double dflt) const;
  // A single character; accepts "\t", "\\t", "\n", "\u0001"-style escapes; "" means
  // '\0' (no such character, e.g. quote "" disables quoting).
  char getChar(const std::string& key, char dflt) const;
  // Keys lower-cased.
  const std::map<std::string, std::string>& entries() const { return kv_; }

  void serialize(ByteWriter& w) const;
  static FormatOptions deserialize(ByteReader& r);

 private:
  std::map<std::string, std::string> kv_;
};

// Spark's `mode` option for malformed records.
enum class ParseMode { kPermissive, kDropMalformed, kFailFast };
// From option "mode" (default PERMISSIVE); UserError for other values.
ParseMode parseModeOf(const FormatOptions& options);

// A unit of reading work (one task's input): a byte range of a file, or (Parquet) a
// set of row groups. Planned on the driver by FileFormat::planSplits.
struct FileSplit {
  std::string path;
  uint64_t start = 0;
  uint64_t length = 0;
  uint64_t fileSize = 0;
  std::vector<int> rowGroups;  // Parquet only; empty for the others

  bool operator==(const FileSplit&) const = default;
  void serialize(ByteWriter& w) const;
  static FileSplit deserialize(ByteReader& r);
};

// A conjunct of the query's WHERE clause, pushed to the reader: `column op values`.
// `column` indexes the data schema. Comparisons carry one value, kIn one or more,
// the null tests none. Values have the column's type (the planner casts literals).
struct ColumnPredicate {
  enum class Op { kEq, kNe, kLt, kLe, kGt, kGe, kIsNull, kIsNotNull, kIn };
  int column = 0;
  Op op = Op::kEq;
  std::vector<Value> values;

  std::string toString() const;  // "#2 >= 10", for plans and logs
  void serialize(ByteWriter& w) const;
  static ColumnPredicate deserialize(ByteReader& r);
};

class BatchReader {
 public:
  virtual ~BatchReader() = default;
  // The next batch (at most batchRows rows, never empty) or null at the end.
  virtual BatchPtr next() = 0;
  // Rows skipped by pushed filters (row groups pruned), for metrics.
  virtual int64_t rowsSkipped() const { return 0; }
};

class BatchWriter {
 public:
  virtual ~BatchWriter() = default;
  // Batches must have the writer's schema (same column count and types).
  virtual void write(const Batch& batch) = 0;
  // Flushes and closes; the file is complete only after close(). Destroying an
  // unclosed writer (a failing task) leaves an incomplete file for the committer to
  // discard. Idempotent.
  virtual void close() = 0;
  virtual uint64_t bytesWritten() const = 0;
};

class FileFormat {
 public:
  virtual ~FileFormat() = default;

  // "csv", "json", "parquet", "text" (any case; "jsonl" is an alias of "json").
  // Throws UserError listing the known formats for an unknown name.
  static const FileFormat& forName(std::string_view name);

  virtual std::string name() const = 0;

  // The schema of the files: from the header / a sample of records (CSV, JSON; option
  // samplingRatio) or from the footer (Parquet; the first file's schema, and every
  // other file must agree). CSV without inferSchema=true gives all-string columns.
  // Throws UserError for an empty file list.
  virtual Schema inferSchema(const std::vector<std::string>& files,
                             const FormatOptions& options) const = 0;

  // Splits of about targetSplitBytes. Text formats cut uncompressed files into byte
  // ranges (a record is read by exactly one split, text_input.h's rule); compressed
  // files and CSV/JSON with multiLine=true are one split per file. Parquet: one split
  // per group of whole row groups.
  virtual std::vector<FileSplit> planSplits(const std::vector<std::string>& files,
                                            const FormatOptions& options,
                                            uint64_t targetSplitBytes) const;

  virtual std::unique_ptr<BatchReader> open(const FileSplit& split, const Schema& dataSchema,
                                            const std::vector<int>& projection,
                                            const std::vector<ColumnPredicate>& pushedFilters,
                                            const FormatOptions& options, int batchRows) const = 0;

  // Throws UserError naming the column when the format cannot store a column of `schema`
  // (CSV, text and Parquet hold no nested types yet; JSON does). Called on the driver
  // before a write job starts.
  virtual void checkWriteSchema(const Schema& schema) const;

  // Creates (truncates) `path`, creating missing parent directories.
  virtual std::unique_ptr<BatchWriter> createWriter(const std::string& path, const Schema& schema,
                                                    const FormatOptions& options) const = 0;

  // Extension of written part files, e.g. ".csv", ".csv.gz", ".snappy.parquet".
  virtual std::string fileExtension(const FormatOptions& options) const = 0;
};

}  // namespace ember
