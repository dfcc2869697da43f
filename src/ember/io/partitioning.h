// Hive-style partitioned directories (`root/year=2024/country=fr/part-0.parquet`), as
// Spark reads and writes them.
//
// Reading: a directory whose files sit under `key=value/` subdirectories is listed
// recursively; every file gets the values of the keys on its path. The keys become
// columns after the files' own columns, with types inferred from all values of a key
// (int, then bigint, then double, then date, then timestamp, else string; Spark's
// order) unless the option partitionColumnTypeInference = false (all strings). The value
// __HIVE_DEFAULT_PARTITION__ is NULL; other values are %XX-unescaped.
// All leaf directories must use the same keys in the same order, else UserError naming
// two conflicting directories. Hidden names ('.' or '_' first) are skipped at every
// level, as for plain directories.
//
// Writing: partitionPath() builds the `k=v/...` relative directory of a row's values,
// escaping characters that are unsafe in paths.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ember/columnar/types.h"
#include "ember/columnar/value.h"
#include "ember/io/file_format.h"
#include "ember/io/file_listing.h"

namespace ember {

inline constexpr const char* kHiveDefaultPartition = "__HIVE_DEFAULT_PARTITION__";

struct PartitionedFiles {
  std::vector<Field> partitionFields;  // empty: not partitioned
  std::vector<InputFile> files;        // sorted by path
  // Per file, per partition field: the unescaped text, nullopt for NULL.
  std::vector<std::vector<std::optional<std::string>>> values;
};

// Lists the files of `paths` (each a path spec as listInputFiles takes). A path naming a
// directory that holds `k=v` subdirectories is discovered as a partitioned table; other
// paths are listed as listInputFiles does (no partition values).
PartitionedFiles listPartitionedFiles(const std::vector<std::string>& paths,
                                      const FormatOptions& options);

// `text` as a value of `type` (int32/int64/double/date/timestamp/string); UserError naming
// the column when it does not parse (a user schema can declare a partition column's type).
Value partitionValue(const std::optional<std::string>& text, const DataType& type,
                     const std::string& column);

// "year=2024/country=fr" for the values (NULL as __HIVE_DEFAULT_PARTITION__).
std::string partitionPath(const std::vector<std::string>& names, const std::vector<Value>& values);

}  // namespace ember
